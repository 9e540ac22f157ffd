package zarr

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// Hand-built sharded v3 arrays (sharding_indexed: index at the end or
// the start, little- or big-endian, with or without crc32c; inner chunks
// in any order, some missing; whole shards missing) read correctly.
func TestV3Sharded(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	chains := [][]string{nil, {"gzip"}, {"zstd", "crc32c"}}
	for i := range 30 {
		ty := v3Types[r.IntN(len(v3Types))]
		shape := randShape(r, 3, 1500, false)
		for len(shape) == 0 {
			shape = randShape(r, 3, 1500, false)
		}
		od, _ := ty.d.out()
		inner := make([]int, len(shape))
		chunk := make([]int, len(shape))
		for a, s := range shape {
			inner[a] = 1 + r.IntN(max(1, s/2))
			chunk[a] = inner[a] * (1 + r.IntN(3))
		}
		c := &handCase{typ: ty.name, h: randHVals(r, ty.d, shape), chunk: chunk, inner: inner,
			big: r.IntN(2) == 0, b2b: chains[r.IntN(len(chains))], missing: 0.15,
			keyEnc: "default", sep: "/", idxStart: r.IntN(2) == 0, idxBig: r.IntN(3) == 0, idxCRC: r.IntN(3) != 0}
		c.fill, c.fillOut = fillFor(r, ty.d, od)
		dir := t.TempDir()
		want := c.build(t, r, dir)
		what := fmt.Sprintf("case %d: %s shape %v shard %v inner %v big %v codecs %v index start %v big %v crc %v", i, ty.name, shape, chunk, inner, c.big, c.b2b, c.idxStart, c.idxBig, c.idxCRC)
		var opts []Option
		if r.IntN(2) == 0 {
			opts = append(opts, Chunks(array.ExplicitChunks(randChunks(r, shape))))
		}
		x, err := Open(ctx, dir, opts...)
		if err != nil {
			t.Fatalf("%s: open: %v", what, err)
		}
		if d := firstDiff(mustCompute(t, x), want, od.Size()); d != "equal" {
			t.Fatalf("%s (read chunks %v): %s", what, x.Chunks(), d)
		}
	}
}

const pyBlosc = `
import sys
from numcodecs import Blosc
for path, cname, shuffle, typesize in zip(*[iter(sys.argv[1:])]*4):
    raw = open(path, "rb").read()
    c = Blosc(cname=cname, clevel=5, shuffle=int(shuffle))
    # numcodecs takes the type size from the buffer's item size
    import numpy as np
    buf = np.frombuffer(raw, dtype="u%d" % int(typesize)) if int(typesize) in (1, 2, 4, 8) else raw
    open(path, "wb").write(c.encode(buf))
print("OK blosc")
`

// v3 blosc: chunks compressed by numcodecs' Blosc (one Python call),
// zarr.json written by hand with the v3 blosc configuration.
func TestV3BloscFromNumcodecs(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	type bcase struct {
		dir  string
		want []byte
		od   graph.DType
	}
	var cases []bcase
	var pyArgs []string
	for i, cfg := range []struct {
		typ, cname, shuffle string
		d                   dtype
	}{
		{"float64", "lz4", "shuffle", dtype{'f', 8}},
		{"int32", "zstd", "bitshuffle", dtype{'i', 4}},
		{"uint16", "zlib", "noshuffle", dtype{'u', 2}},
		{"float32", "lz4hc", "shuffle", dtype{'f', 4}},
		{"int8", "lz4", "bitshuffle", dtype{'i', 1}},
	} {
		shape := []int{5 + r.IntN(30), 3 + r.IntN(20)}
		// chunks of 5 x 7 (35 elements: blosc's bit shuffle leaves the
		// last 3 unshuffled) or random ones
		chunk := []int{min(5, shape[0]), min(7, shape[1])}
		if r.IntN(2) == 0 {
			chunk = []int{1 + r.IntN(shape[0]), 1 + r.IntN(shape[1])}
		}
		h := randHVals(r, cfg.d, shape)
		// small values, so that blosc compresses rather than copies
		for j := range h.ints {
			h.ints[j] = int64(r.IntN(100))
		}
		for j := range h.flts {
			h.flts[j] = float64(r.IntN(50)) / 4
		}
		od, _ := cfg.d.out()
		dir := filepath.Join(t.TempDir(), fmt.Sprint(i))
		doc := map[string]any{
			"zarr_format": 3, "node_type": "array", "shape": shape, "data_type": cfg.typ,
			"chunk_grid":         map[string]any{"name": "regular", "configuration": map[string]any{"chunk_shape": chunk}},
			"chunk_key_encoding": map[string]any{"name": "default"},
			"fill_value":         0,
			"codecs": []any{
				map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}},
				map[string]any{"name": "blosc", "configuration": map[string]any{"cname": cfg.cname, "clevel": 5, "shuffle": cfg.shuffle, "typesize": cfg.d.Size, "blocksize": 0}},
			},
		}
		js, _ := json.Marshal(doc)
		writeFile(t, filepath.Join(dir, "zarr.json"), js)
		shuf := map[string]string{"noshuffle": "0", "shuffle": "1", "bitshuffle": "2"}[cfg.shuffle]
		want := make([]byte, len(h.ints)*od.Size()+len(h.flts)*od.Size())
		for j := range len(want) / od.Size() {
			h.putOut(want[j*od.Size():], od, j)
		}
		forGrid(shape, chunk, func(idx, org []int) {
			p := filepath.Join(dir, "c", strconv.Itoa(idx[0]), strconv.Itoa(idx[1]))
			writeFile(t, p, handChunk(h, org, chunk, nil, false, nil))
			pyArgs = append(pyArgs, p, cfg.cname, shuf, strconv.Itoa(cfg.d.Size))
		})
		cases = append(cases, bcase{dir, want, od})
	}
	out := runPython(t, pyBlosc, pyArgs...)
	verdicts(t, out, []string{"blosc"})
	for i, c := range cases {
		x, err := Open(ctx, c.dir)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if d := firstDiff(mustCompute(t, x), c.want, c.od.Size()); d != "equal" {
			t.Errorf("case %d: %s", i, d)
		}
	}
}
