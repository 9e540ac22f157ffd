package npy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
)

// numpyWrites makes .npy files with every header version (write_array
// version=(1,0)/(2,0)/(3,0) and np.save), every dtype Load accepts in
// both byte orders, C and Fortran order, and two .npz archives
// (np.savez, np.savez_compressed); beside each array, the C-order bytes
// NumPy itself converts it to in the dtype it must load as.
const numpyWrites = `
import sys, json
import numpy as np
out, seed = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(seed)
dts = ['|b1','<i4','>i4','<i8','>i8','<f4','>f4','<f8','>f8','|i1','|u1','<i2','>i2','<u2','>u2','<u4','>u4']
target = {'b1':'|b1','i1':'<i4','u1':'<i4','i2':'<i4','u2':'<i4','i4':'<i4','u4':'<i8','i8':'<i8','f4':'<f4','f8':'<f8'}
def rand_shape():
    s = [int(rng.integers(1, 8)) for _ in range(int(rng.integers(0, 5)))]
    for i in range(len(s)):
        if rng.integers(0, 10) == 0: s[i] = 0
        elif rng.integers(0, 8) == 0: s[i] = int(rng.integers(20, 60))
    while int(np.prod(s)) > 20000:
        s[int(np.argmax(s))] //= 2
    return tuple(s)
def rand_array(dt, shape, fortran):
    dt = np.dtype(dt)
    n = int(np.prod(shape))
    if dt.kind == 'b':
        a = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in 'iu':
        info = np.iinfo(dt)
        a = rng.integers(int(info.min), int(info.max), n, endpoint=True, dtype=dt.newbyteorder('='))
    else:
        a = (rng.standard_normal(n) * 1000).astype(dt.newbyteorder('='))
        sp = np.array([np.nan, np.inf, -np.inf, -0.0], dtype=a.dtype)
        k = rng.random(n) < 0.1
        a[k] = rng.choice(sp, int(k.sum()))
    a = a.astype(dt).reshape(shape)
    if fortran:
        a = np.asfortranarray(a)
    return a
def expect(a, dt, path):
    t = target[dt[1:]]
    open(path, 'wb').write(np.ascontiguousarray(a.astype(t)).tobytes())
    return t
man = []
versions = [(1, 0), (2, 0), (3, 0), None]
for i in range(68):
    dt = dts[i % len(dts)]
    a = rand_array(dt, rand_shape(), i % 3 == 0)
    fortran = bool(a.flags.f_contiguous and not a.flags.c_contiguous)
    v = versions[(i // len(dts)) % 4]
    fn = '%s/n%d.npy' % (out, i)
    if v is None:
        np.save(fn, a)
        v = (1, 0)
    else:
        with open(fn, 'wb') as f:
            np.lib.format.write_array(f, a, version=v)
    t = expect(a, dt, fn + '.raw')
    man.append(dict(file=fn, raw=fn + '.raw', shape=list(a.shape), descr=dt, want=t, fortran=fortran, version=list(v)))
for kind in ['savez', 'savez_compressed']:
    fn = '%s/%s.npz' % (out, kind)
    arrays = {}
    for j in range(5):
        dt = dts[int(rng.integers(0, len(dts)))]
        arrays['m%d' % j] = rand_array(dt, rand_shape(), j % 2 == 0)
    getattr(np, kind)(fn, **arrays)
    for name, a in arrays.items():
        raw = '%s.%s.raw' % (fn, name)
        t = expect(a, a.dtype.str, raw)
        man.append(dict(npz=fn, member=name, raw=raw, shape=list(a.shape), descr=a.dtype.str, want=t))
json.dump(man, open(out + '/manifest.json', 'w'))
print('numpy', np.__version__, 'wrote', len(man), 'arrays')
`

type numpyEntry struct {
	File, NPZ, Member, Raw, Descr, Want string
	Shape                               []int
	Fortran                             bool
	Version                             []int
}

func TestNumpyWritesWeRead(t *testing.T) {
	r, seed := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	t.Log(strings.TrimSpace(runPython(t, numpyWrites, dir, fmt.Sprint(seed))))
	var man []numpyEntry
	mb, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mb, &man); err != nil {
		t.Fatal(err)
	}
	npz := map[string]map[string]*array.Array{}
	versions := map[string]int{}
	fortran := 0
	for _, e := range man {
		want, err := os.ReadFile(e.Raw)
		if err != nil {
			t.Fatal(err)
		}
		wantDT, _ := parseDescr(e.Want)
		var x *array.Array
		name := e.File
		if e.NPZ != "" {
			name = e.NPZ + ":" + e.Member
			if npz[e.NPZ] == nil {
				xs, err := LoadNPZ(ctx, e.NPZ, Chunks(array.ChunkBytes(int64(64+r.IntN(4000)))))
				if err != nil {
					t.Fatalf("%s: %v", e.NPZ, err)
				}
				npz[e.NPZ] = xs
			}
			x = npz[e.NPZ][e.Member]
			if x == nil {
				t.Fatalf("%s: member missing", name)
			}
		} else {
			x, err = Load(ctx, e.File, Chunks(array.ExplicitChunks(randChunks(r, e.Shape))))
			if err != nil {
				t.Fatalf("%s (%s %v): %v", e.File, e.Descr, e.Shape, err)
			}
			file, _ := os.ReadFile(e.File)
			h, err := ParseHeader(file, DefaultMaxHeaderBytes)
			if err != nil {
				t.Fatal(err)
			}
			if h.Major != e.Version[0] || h.Fortran != e.Fortran {
				t.Fatalf("%s: parsed version %d.0 fortran %v, numpy wrote %v fortran %v", e.File, h.Major, h.Fortran, e.Version, e.Fortran)
			}
			versions[fmt.Sprintf("%d.0", h.Major)]++
			if h.Fortran {
				fortran++
			}
			// our writer's header is NumPy's, byte for byte
			if ours := FormatHeader(e.Descr, e.Fortran, e.Shape); h.Major == 1 && !bytes.Equal(file[:h.DataOffset], ours) {
				t.Fatalf("%s: numpy header %q, ours %q", e.File, file[:h.DataOffset], ours)
			}
		}
		if x.DType() != wantDT.dt || !equalInts(x.Shape(), e.Shape) {
			t.Fatalf("%s (%s %v): loaded %v %v, want %s", name, e.Descr, e.Shape, x.DType(), x.Shape(), e.Want)
		}
		if got := computeBytes(t, x); !bytes.Equal(got, want) {
			t.Fatalf("%s (%s %v fortran %v) chunks %v: %s", name, e.Descr, e.Shape, e.Fortran, x.Chunks(), firstDiff(got, want, x.DType().Size()))
		}
	}
	if versions["1.0"] == 0 || versions["2.0"] == 0 || versions["3.0"] == 0 || fortran == 0 || len(npz) != 2 {
		t.Fatalf("cases not all covered: versions %v, %d Fortran-order files, %d archives", versions, fortran, len(npz))
	}
	t.Logf("verdict: %d arrays written by numpy load equal (versions %v, %d Fortran order, 2 archives)", len(man), versions, fortran)
}

// numpyReads loads what Go saved and compares it with the expected
// bytes, printing one line per array and a verdict.
const numpyReads = `
import sys, json, zipfile
import numpy as np
man = json.load(open(sys.argv[1]))
bad = 0
members = {}
for e in man:
    name = e.get('npz', e.get('file')) + ':' + e.get('member', '')
    try:
        if 'npz' in e:
            with zipfile.ZipFile(e['npz']) as z:
                broken = z.testzip()
                if broken is not None:
                    raise Exception('bad CRC in ' + broken)
            with np.load(e['npz']) as z:
                members[e['npz']] = sorted(z.files)
                a = z[e['member']]
        else:
            with open(e['file'], 'rb') as f:
                v = np.lib.format.read_magic(f)
                if v != (1, 0):
                    raise Exception('version %s' % (v,))
            a = np.load(e['file'])
        want = np.frombuffer(open(e['raw'], 'rb').read(), dtype=e['descr']).reshape(e['shape'])
        why = []
        if a.dtype.str != e['descr']: why.append('dtype %s' % a.dtype.str)
        if list(a.shape) != e['shape']: why.append('shape %s' % (a.shape,))
        elif a.tobytes() != want.tobytes(): why.append('bytes differ')
        elif not np.array_equal(a, want, equal_nan=a.dtype.kind == 'f'): why.append('values differ')
        if why:
            raise Exception(', '.join(why))
        print('OK', name)
    except Exception as ex:
        bad += 1
        print('FAIL', name, ex)
for f, names in members.items():
    want = sorted(e['member'] for e in man if e.get('npz') == f)
    if names != want:
        bad += 1
        print('FAIL', f, 'members', names, 'want', want)
print('VERDICT', 'PASS' if bad == 0 else 'FAIL', '%d/%d equal' % (len(man) - bad, len(man)))
`

func TestWeWriteNumpyReads(t *testing.T) {
	r, _ := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	type entry struct {
		File   string `json:"file,omitempty"`
		NPZ    string `json:"npz,omitempty"`
		Member string `json:"member,omitempty"`
		Raw    string `json:"raw"`
		Descr  string `json:"descr"`
		Shape  []int  `json:"shape"`
	}
	var man []entry
	mk := func() (*array.Array, []byte, string) {
		dt := allDTypes[r.IntN(len(allDTypes))]
		shape := randShape(r, 4)
		raw := randData(r, dt, prodInts(shape))
		descr, _ := descrOf(dt)
		return fromRaw(dt, raw, shape, array.ExplicitChunks(randChunks(r, shape))), raw, descr
	}
	for i := 0; i < 30; i++ {
		x, raw, descr := mk()
		p := filepath.Join(dir, fmt.Sprintf("g%d.npy", i))
		if err := Save(ctx, x, p); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(p+".raw", raw, 0o644)
		man = append(man, entry{File: p, Raw: p + ".raw", Descr: descr, Shape: append([]int{}, x.Shape()...)})
	}
	for k := 0; k < 3; k++ {
		p := filepath.Join(dir, fmt.Sprintf("z%d.npz", k))
		m := map[string]*array.Array{}
		for j, name := range []string{"a", "b_2", "ß", "arr_0"}[:1+k] {
			x, raw, descr := mk()
			m[name] = x
			rp := fmt.Sprintf("%s.%d.raw", p, j)
			os.WriteFile(rp, raw, 0o644)
			man = append(man, entry{NPZ: p, Member: name, Raw: rp, Descr: descr, Shape: append([]int{}, x.Shape()...)})
		}
		if err := SaveNPZ(ctx, p, m); err != nil {
			t.Fatal(err)
		}
	}
	mp := filepath.Join(dir, "manifest.json")
	mb, _ := json.Marshal(man)
	os.WriteFile(mp, mb, 0o644)
	out := runPython(t, numpyReads, mp)
	if strings.Contains(out, "FAIL") || !strings.Contains(out, fmt.Sprintf("VERDICT PASS %d/%d equal", len(man), len(man))) {
		t.Fatalf("numpy disagrees:\n%s", out)
	}
	t.Logf("numpy verdict: %s", out[strings.Index(out, "VERDICT"):])
}
