package zarr

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// numpyName is the NumPy type string of a Blockwork dtype.
func numpyName(dt graph.DType) string {
	d, _ := fromGraph(dt)
	return v2DType(d)
}

type pyCase struct {
	Name   string `json:"name"`
	Store  string `json:"store"`
	Path   string `json:"path"`
	Expect string `json:"expect"`
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"`
	Chunks []int  `json:"chunks"`
	// from the Python side
	Missing int    `json:"missing"`
	Out     string `json:"out"`
}

const pyCheckOurs = `
import json, sys
import numpy as np, zarr
for c in json.load(open(sys.argv[1])):
    name = c["name"]
    try:
        a = zarr.open_array(c["store"], mode="r", path=c["path"])
        got = np.asarray(a[...])
        exp = np.fromfile(c["expect"], dtype=c["dtype"]).reshape(c["shape"])
        if got.dtype != exp.dtype or got.shape != exp.shape:
            print("FAIL", name, "dtype/shape", got.dtype, got.shape, "want", exp.dtype, exp.shape)
        elif list(a.chunks) != c["chunks"]:
            print("FAIL", name, "chunks", a.chunks, "want", c["chunks"])
        elif got.tobytes() != exp.tobytes():
            g = np.frombuffer(got.tobytes(), np.uint8); e = np.frombuffer(exp.tobytes(), np.uint8)
            i = int(np.nonzero(g != e)[0][0]) // exp.dtype.itemsize
            print("FAIL", name, "element", i, got.ravel()[i], "want", exp.ravel()[i])
        else:
            print("OK", name)
    except Exception as e:
        print("FAIL", name, repr(e))
`

// Stores written here (format 2: every dtype, random shapes and chunks,
// every v2 compressor, both separators, paths in a hierarchy) open in
// zarr-python with the same dtype, shape, chunks and bytes.
func TestPythonReadsOurs(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	root := t.TempDir()
	var cases []pyCase
	var names []string
	for i := range 24 {
		dt := allDTypes[i%len(allDTypes)]
		shape := randShape(r, 4, 2000, true)
		n := 1
		for _, s := range shape {
			n *= s
		}
		raw := randBytes(r, dt, n)
		grid := randGrid(r, shape)
		comp, cname := randCompressor(t, r, 2, dt.Size())
		opts := []Option{Separator([]string{".", "/"}[r.IntN(2)])}
		if len(grid) > 0 {
			opts = append(opts, Chunks(array.Chunked(grid...)))
		} else {
			grid = []int{}
		}
		if comp != defaultComp {
			opts = append(opts, Compressor(comp))
		}
		path := ""
		if r.IntN(3) == 0 {
			path = "grp/arr" + strconv.Itoa(i)
			opts = append(opts, Path(path))
		}
		name := fmt.Sprintf("c%d-%v-%s", i, dt, cname)
		store := filepath.Join(root, name+".zarr")
		if err := Save(ctx, fromRaw(raw, dt, shape, array.ExplicitChunks(randChunks(r, shape))), store, opts...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		exp := filepath.Join(root, name+".bin")
		if err := os.WriteFile(exp, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		// the store's chunks: Blockwork clips a chunk longer than its
		// axis, and a zero-length axis has chunks of 1
		for a := range grid {
			grid[a] = max(1, min(grid[a], shape[a]))
		}
		cases = append(cases, pyCase{Name: name, Store: store, Path: path, Expect: exp, DType: numpyName(dt), Shape: shape, Chunks: grid})
		names = append(names, name)
	}
	man := filepath.Join(root, "manifest.json")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(man, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := runPython(t, pyCheckOurs, man)
	t.Logf("python:\n%s", out)
	verdicts(t, out, names)
}

const pyWriteStores = `
import json, sys, math
import numpy as np, zarr, numcodecs
from numcodecs import Blosc
root, seed = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(seed)
man = []

def widened(dt):
    dt = np.dtype(dt)
    if dt.kind == "b": return np.dtype("|b1")
    if dt.kind == "f": return dt.newbyteorder("<")
    if (dt.kind == "i" and dt.itemsize <= 4) or (dt.kind == "u" and dt.itemsize <= 2): return np.dtype("<i4")
    return np.dtype("<i8")

def rdata(dt, shape):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, size=shape, dtype=dt.newbyteorder("="), endpoint=True).astype(dt)
    v = rng.standard_normal(size=shape) * 1e3
    flat = v.reshape(-1)
    if flat.size > 3:
        flat[0], flat[1], flat[2] = np.nan, np.inf, -0.0
    return v.astype(dt)

def case(name, dtype="<f8", nd=2, shape=None, chunks=None, fill=0, partial=False, path="", **kw):
    if shape is None:
        shape = tuple(int(rng.integers(2, 25)) for _ in range(nd))
    if chunks is None:
        chunks = tuple(int(rng.integers(1, max(2, s // 2) + 1)) for s in shape)
    store = root + "/" + name + ".zarr"
    if path:
        g = zarr.open_group(store, mode="w")
        parent, leaf = path.rsplit("/", 1)
        z = g.require_group(parent).create_dataset(leaf, shape=shape, chunks=chunks, dtype=dtype, fill_value=fill, **kw)
    else:
        z = zarr.open_array(store, mode="w", shape=shape, chunks=chunks, dtype=dtype, fill_value=fill, **kw)
    data = rdata(dtype, shape)
    if partial:
        # only the first chunk row along axis 0: the other chunks stay missing
        base = np.zeros(shape, dtype=dtype) if fill is None else np.full(shape, fill, dtype=dtype)
        k = min(chunks[0], shape[0])
        base[:k] = data[:k]
        z[:k] = data[:k]
        data = base
    else:
        z[...] = data
    exp = root + "/" + name + ".bin"
    data.astype(widened(dtype)).tofile(exp)
    man.append(dict(name=name, store=store, path=path, expect=exp, dtype=widened(dtype).str,
                    shape=list(shape), chunks=list(z.chunks), missing=int(z.nchunks - z.nchunks_initialized),
                    out=str(widened(dtype)).replace("bool", "bool")))

case("blosc_default_f8", "<f8", 2)
case("blosc_default_i4_3d", "<i4", 3)
case("zstd_i4", "<i4", 3, compressor=numcodecs.Zstd(level=3))
case("zlib_f4", "<f4", 2, compressor=numcodecs.Zlib(level=5))
case("gzip_i8", "<i8", 1, shape=(500,), compressor=numcodecs.GZip(level=6))
case("lz4_f8", "<f8", 2, compressor=numcodecs.LZ4())
case("none_bool", "|b1", 2, compressor=None)
case("none_f8_4d", "<f8", 4, compressor=None)
case("blosc_zstd_bitshuffle_i4", "<i4", 2, compressor=Blosc(cname="zstd", clevel=3, shuffle=Blosc.BITSHUFFLE))
case("blosc_zlib_noshuffle_f4", "<f4", 2, compressor=Blosc(cname="zlib", clevel=4, shuffle=Blosc.NOSHUFFLE))
case("blosc_lz4hc_f8", "<f8", 3, compressor=Blosc(cname="lz4hc", clevel=9, shuffle=Blosc.SHUFFLE))
case("blosc_big_f8", "<f8", 1, shape=(300000,), chunks=(200000,))
case("order_F_f8", "<f8", 3, order="F")
case("order_F_big_i2", ">i2", 2, order="F")
case("order_F_none_u1", "|u1", 4, order="F", compressor=None)
for dt in [">f8", ">f4", ">i4", ">i8", ">u2", ">u4", ">i2"]:
    case("big" + dt[1:], dt, 2)
for dt in ["|i1", "|u1", "<i2", "<u2", "<u4"]:
    case("widen" + dt[1:], dt, 2)
case("fill_i4_missing", "<i4", 2, shape=(20, 9), chunks=(4, 4), fill=-7, partial=True)
case("fill_nan_f8_missing", "<f8", 2, shape=(20, 9), chunks=(4, 4), fill=float("nan"), partial=True)
case("fill_ninf_f4_missing", "<f4", 3, shape=(9, 5, 4), chunks=(3, 2, 3), fill=float("-inf"), partial=True)
case("fill_none_f8_missing", "<f8", 2, shape=(12, 5), chunks=(5, 5), fill=None, partial=True)
case("fill_true_bool_missing", "|b1", 1, shape=(30,), chunks=(7,), fill=True, partial=True)
case("nested_sep", "<f8", 3, dimension_separator="/")
case("nested_sep_F", "<i8", 2, dimension_separator="/", order="F")
case("zero_d", "<f8", 0, shape=(), chunks=())
case("zero_len", "<i4", 2, shape=(0, 5), chunks=(3, 2))
case("group_path", "<f4", 2, path="grp/sub/arr")
json.dump(man, open(root + "/manifest.json", "w"))
print("OK wrote", len(man))
`

// Stores written by zarr-python 2 (every compressor, blosc variants, F
// order, big-endian, small integers, fill values with missing chunks,
// nested keys, 0-d, zero-length, groups) read here, through random
// chunkings, equal to what NumPy says they hold.
func TestReadPythons(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	root := t.TempDir()
	out := runPython(t, pyWriteStores, root, strconv.FormatInt(int64(r.Uint32()), 10))
	t.Logf("python: %s", out)
	b, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []pyCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases from python", len(cases))
	}
	outDType := map[string]graph.DType{"|b1": graph.Bool, "<i4": graph.Int32, "<i8": graph.Int64, "<f4": graph.Float32, "<f8": graph.Float64}
	for _, c := range cases {
		want, err := os.ReadFile(c.Expect)
		if err != nil {
			t.Fatal(err)
		}
		var opts []Option
		if c.Path != "" {
			opts = append(opts, Path(c.Path))
		}
		if r.IntN(2) == 0 {
			opts = append(opts, Chunks(array.ExplicitChunks(randChunks(r, c.Shape))))
		}
		x, err := Open(ctx, c.Store, opts...)
		if err != nil {
			t.Errorf("%s: open: %v", c.Name, err)
			continue
		}
		if x.DType() != outDType[c.DType] || fmt.Sprint(x.Shape()) != fmt.Sprint(c.Shape) {
			t.Errorf("%s: opened as %v %v, want %s %v", c.Name, x.DType(), x.Shape(), c.DType, c.Shape)
			continue
		}
		if len(c.Name) > 5 && c.Name[:5] == "fill_" && c.Missing == 0 {
			t.Errorf("%s: python stored every chunk; the case does not test missing chunks", c.Name)
		}
		nd, err := x.Compute(ctx)
		if err != nil {
			t.Errorf("%s: compute: %v", c.Name, err)
			continue
		}
		if d := firstDiff(nd.Data, want, x.DType().Size()); d != "equal" {
			t.Errorf("%s (read chunks %v): %s", c.Name, x.Chunks(), d)
		}
	}
}
