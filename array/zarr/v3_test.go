package zarr

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
	"github.com/blockwork-dev/blockwork/graph"
)

// This file builds Zarr v3 stores by hand, byte for byte from the v3
// specification (zarr.json, chunk keys, the bytes, transpose, gzip,
// zstd, crc32c and sharding_indexed codecs), with its own encoder, and
// checks what Open reads from them; and checks the files Save writes in
// format 3 against the same specification.

// v3 core data types the reader accepts, with how they read.
var v3Types = []struct {
	name string
	d    dtype
}{
	{"bool", dtype{'b', 1}}, {"int8", dtype{'i', 1}}, {"int16", dtype{'i', 2}}, {"int32", dtype{'i', 4}},
	{"int64", dtype{'i', 8}}, {"uint8", dtype{'u', 1}}, {"uint16", dtype{'u', 2}}, {"uint32", dtype{'u', 4}},
	{"float32", dtype{'f', 4}}, {"float64", dtype{'f', 8}},
}

// hvals is a hand-made array: one value per element, as an integer (bool
// and integer types) or a float.
type hvals struct {
	d     dtype
	ints  []int64
	flts  []float64
	shape []int
}

func randHVals(r *rand.Rand, d dtype, shape []int) *hvals {
	n := 1
	for _, s := range shape {
		n *= s
	}
	h := &hvals{d: d, shape: shape}
	if d.Kind == 'f' {
		h.flts = make([]float64, n)
		for i := range h.flts {
			h.flts[i] = specialOr(r)
			if d.Size == 4 {
				h.flts[i] = float64(float32(h.flts[i]))
			}
		}
		return h
	}
	h.ints = make([]int64, n)
	for i := range h.ints {
		switch {
		case d.Kind == 'b':
			h.ints[i] = int64(r.IntN(2))
		case d.Size == 8:
			h.ints[i] = int64(r.Uint64())
		default:
			lo, hi := intRange(d)
			h.ints[i] = lo + r.Int64N(hi-lo+1)
		}
	}
	return h
}

// putStored writes element i as stored dtype d, in byte order big.
func (h *hvals) putStored(dst []byte, i int, big bool) {
	var bo binary.ByteOrder = binary.LittleEndian
	if big {
		bo = binary.BigEndian
	}
	var u uint64
	if h.d.Kind == 'f' {
		if h.d.Size == 4 {
			u = uint64(math.Float32bits(float32(h.flts[i])))
		} else {
			u = math.Float64bits(h.flts[i])
		}
	} else {
		u = uint64(h.ints[i])
	}
	switch h.d.Size {
	case 1:
		dst[0] = byte(u)
	case 2:
		bo.PutUint16(dst, uint16(u))
	case 4:
		bo.PutUint32(dst, uint32(u))
	case 8:
		bo.PutUint64(dst, u)
	}
}

// putOut writes element i as the Blockwork dtype it reads as.
func (h *hvals) putOut(dst []byte, od graph.DType, i int) {
	switch od {
	case graph.Bool:
		dst[0] = byte(h.ints[i])
	case graph.Int32:
		binary.LittleEndian.PutUint32(dst, uint32(int32(h.ints[i])))
	case graph.Int64:
		binary.LittleEndian.PutUint64(dst, uint64(h.ints[i]))
	case graph.Float32:
		binary.LittleEndian.PutUint32(dst, math.Float32bits(float32(h.flts[i])))
	case graph.Float64:
		binary.LittleEndian.PutUint64(dst, math.Float64bits(h.flts[i]))
	}
}

// flatAt is the C-order flat index of coordinates c in shape, or -1
// outside it.
func flatAt(c, shape []int) int {
	f := 0
	for a := range shape {
		if c[a] < 0 || c[a] >= shape[a] {
			return -1
		}
		f = f*shape[a] + c[a]
	}
	return f
}

// handChunk encodes the chunk at origin org of shape cs: elements in
// the order the transpose perm gives (stored axis i = chunk axis
// perm[i]), in byte order big; the part outside the array is padding
// (pad, or 0xA5 bytes when pad is nil: a reader must ignore them).
func handChunk(h *hvals, org, cs, perm []int, big bool, pad []byte) []byte {
	n := len(cs)
	if perm == nil {
		perm = make([]int, n)
		for i := range perm {
			perm[i] = i
		}
	}
	stored := make([]int, n)
	total := 1
	for i, a := range perm {
		stored[i] = cs[a]
		total *= cs[a]
	}
	es := h.d.Size
	out := make([]byte, total*es)
	sidx := make([]int, n)
	coord := make([]int, n)
	for s := range total {
		rem := s
		for i := n - 1; i >= 0; i-- {
			sidx[i] = rem % stored[i]
			rem /= stored[i]
		}
		for i, a := range perm {
			coord[a] = org[a] + sidx[i]
		}
		if f := flatAt(coord, h.shape); f >= 0 {
			h.putStored(out[s*es:], f, big)
		} else {
			for k := range es {
				out[s*es+k] = 0xA5
				if pad != nil {
					out[s*es+k] = pad[k]
				}
			}
		}
	}
	return out
}

// testZstd is the tests' zstd encoder (EncodeAll is safe for
// concurrent use).
var testZstd, _ = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))

// handBytesCodecs applies bytes-to-bytes codecs by name, in order, with
// the standard library and klauspost's zstd.
func handBytesCodecs(t *testing.T, b []byte, names []string) []byte {
	for _, n := range names {
		switch n {
		case "gzip":
			var buf bytes.Buffer
			w, _ := gzip.NewWriterLevel(&buf, 5)
			w.Write(b)
			w.Close()
			b = buf.Bytes()
		case "zstd":
			b = testZstd.EncodeAll(b, nil)
		case "crc32c":
			sum := crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
			b = binary.LittleEndian.AppendUint32(append([]byte(nil), b...), sum)
		default:
			t.Fatalf("hand codec %q", n)
		}
	}
	return b
}

func codecJSON(names []string) []any {
	var out []any
	for _, n := range names {
		switch n {
		case "gzip":
			out = append(out, map[string]any{"name": "gzip", "configuration": map[string]any{"level": 5}})
		case "zstd":
			out = append(out, map[string]any{"name": "zstd", "configuration": map[string]any{"level": 0, "checksum": false}})
		case "crc32c":
			out = append(out, map[string]any{"name": "crc32c"})
		}
	}
	return out
}

// handCase is one hand-built v3 array.
type handCase struct {
	typ      string
	h        *hvals
	chunk    []int // the grid (shards when sharded)
	big      bool
	perm     []int
	b2b      []string
	keyEnc   string // "default" or "v2"
	sep      string
	fill     any // JSON fill_value
	fillOut  []byte
	missing  float64 // chance that a chunk (or inner chunk) is missing
	inner    []int   // sharded: inner chunk shape
	idxStart bool
	idxBig   bool
	idxCRC   bool
}

func (c *handCase) key(idx []int) string {
	var parts []string
	for _, i := range idx {
		parts = append(parts, strconv.Itoa(i))
	}
	if c.keyEnc == "default" {
		return strings.Join(append([]string{"c"}, parts...), c.sep)
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, c.sep)
}

// build writes the store under dir and returns the expected bytes.
func (c *handCase) build(t *testing.T, r *rand.Rand, dir string) []byte {
	h := c.h
	od, err := h.d.out()
	if err != nil {
		t.Fatal(err)
	}
	endian := "little"
	if c.big {
		endian = "big"
	}
	var codecs []any
	if c.perm != nil {
		codecs = append(codecs, map[string]any{"name": "transpose", "configuration": map[string]any{"order": c.perm}})
	}
	if c.inner == nil {
		codecs = append(codecs, map[string]any{"name": "bytes", "configuration": map[string]any{"endian": endian}})
		codecs = append(codecs, codecJSON(c.b2b)...)
	} else {
		ie := "little"
		if c.idxBig {
			ie = "big"
		}
		idxc := []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": ie}}}
		if c.idxCRC {
			idxc = append(idxc, codecJSON([]string{"crc32c"})...)
		}
		innerc := []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": endian}}}
		innerc = append(innerc, codecJSON(c.b2b)...)
		loc := "end"
		if c.idxStart {
			loc = "start"
		}
		codecs = append(codecs, map[string]any{"name": "sharding_indexed", "configuration": map[string]any{
			"chunk_shape": c.inner, "codecs": innerc, "index_codecs": idxc, "index_location": loc}})
	}
	doc := map[string]any{
		"zarr_format": 3, "node_type": "array", "shape": h.shape, "data_type": c.typ,
		"chunk_grid":         map[string]any{"name": "regular", "configuration": map[string]any{"chunk_shape": c.chunk}},
		"chunk_key_encoding": map[string]any{"name": c.keyEnc, "configuration": map[string]any{"separator": c.sep}},
		"fill_value":         c.fill, "codecs": codecs, "attributes": map[string]any{"note": "hand-built"},
		"dimension_names": nil,
	}
	js, _ := json.MarshalIndent(doc, "", "  ")
	writeFile(t, filepath.Join(dir, "zarr.json"), js)

	// expected: every element its value, unless its chunk is missing
	n := len(h.ints) + len(h.flts)
	es := od.Size()
	want := make([]byte, n*es)
	for i := range n {
		h.putOut(want[i*es:], od, i)
	}
	setFill := func(org, shape []int) {
		forBox(org, shape, h.shape, func(f int) { copy(want[f*es:], c.fillOut) })
	}
	forGrid(h.shape, c.chunk, func(idx, org []int) {
		key := filepath.Join(dir, filepath.FromSlash(c.key(idx)))
		if r.Float64() < c.missing {
			setFill(org, c.chunk)
			return
		}
		if c.inner == nil {
			writeFile(t, key, handBytesCodecs(t, handChunk(h, org, c.chunk, c.perm, c.big, nil), c.b2b))
			return
		}
		// a shard: inner chunks in random order, some missing
		var per []int
		nin := 1
		for a := range c.chunk {
			per = append(per, c.chunk[a]/c.inner[a])
			nin *= per[a]
		}
		idxLen := 16 * nin
		if c.idxCRC {
			idxLen += 4
		}
		type piece struct {
			j    int
			data []byte
		}
		var pieces []piece
		index := make([]uint64, 2*nin)
		forGrid(c.chunk, c.inner, func(jdx, iorg []int) {
			j := flatAt(jdx, per)
			if r.Float64() < c.missing {
				index[2*j], index[2*j+1] = math.MaxUint64, math.MaxUint64
				abs := make([]int, len(iorg))
				for a := range iorg {
					abs[a] = org[a] + iorg[a]
				}
				setFill(abs, c.inner)
				return
			}
			abs := make([]int, len(iorg))
			for a := range iorg {
				abs[a] = org[a] + iorg[a]
			}
			pieces = append(pieces, piece{j, handBytesCodecs(t, handChunk(h, abs, c.inner, nil, c.big, nil), c.b2b)})
		})
		r.Shuffle(len(pieces), func(a, b int) { pieces[a], pieces[b] = pieces[b], pieces[a] })
		var body []byte
		off := 0
		if c.idxStart {
			off = idxLen
		}
		for _, p := range pieces {
			index[2*p.j], index[2*p.j+1] = uint64(off+len(body)), uint64(len(p.data))
			body = append(body, p.data...)
		}
		var ib []byte
		for _, v := range index {
			if c.idxBig {
				ib = binary.BigEndian.AppendUint64(ib, v)
			} else {
				ib = binary.LittleEndian.AppendUint64(ib, v)
			}
		}
		if c.idxCRC {
			ib = handBytesCodecs(t, ib, []string{"crc32c"})
		}
		shard := append(append([]byte(nil), body...), ib...)
		if c.idxStart {
			shard = append(ib, body...)
		}
		writeFile(t, key, shard)
	})
	return want
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// forGrid calls fn for every chunk of a regular grid over shape.
func forGrid(shape, chunk []int, fn func(idx, org []int)) {
	n := len(shape)
	grid := make([]int, n)
	total := 1
	for a := range n {
		grid[a] = (shape[a] + chunk[a] - 1) / chunk[a]
		total *= grid[a]
	}
	for f := range total {
		idx, org := make([]int, n), make([]int, n)
		rem := f
		for a := n - 1; a >= 0; a-- {
			idx[a] = rem % grid[a]
			rem /= grid[a]
			org[a] = idx[a] * chunk[a]
		}
		fn(idx, org)
	}
}

// forBox calls fn with the flat index of every element of the box
// (org, shape) that lies inside the array.
func forBox(org, shape, arr []int, fn func(f int)) {
	n := len(arr)
	total := 1
	for _, s := range shape {
		total *= s
	}
	c := make([]int, n)
	for k := range total {
		rem := k
		for a := n - 1; a >= 0; a-- {
			c[a] = org[a] + rem%shape[a]
			rem /= shape[a]
		}
		if f := flatAt(c, arr); f >= 0 {
			fn(f)
		}
	}
}

func fillFor(r *rand.Rand, d dtype, od graph.DType) (any, []byte) {
	out := make([]byte, od.Size())
	switch d.Kind {
	case 'b':
		v := r.IntN(2) == 1
		if v {
			out[0] = 1
		}
		return v, out
	case 'f':
		choices := []any{1.5, "NaN", "Infinity", "-Infinity", -0.25}
		vals := []float64{1.5, math.NaN(), math.Inf(1), math.Inf(-1), -0.25}
		k := r.IntN(len(choices) + 1)
		if k == len(choices) {
			// a hex bit pattern
			if d.Size == 4 {
				bitsv := math.Float32bits(-3.75)
				binary.LittleEndian.PutUint32(out, bitsv)
				return fmt.Sprintf("0x%08x", bitsv), out
			}
			bitsv := math.Float64bits(-3.75)
			binary.LittleEndian.PutUint64(out, bitsv)
			return fmt.Sprintf("0x%016x", bitsv), out
		}
		switch {
		case choices[k] == "NaN" && od == graph.Float32:
			binary.LittleEndian.PutUint32(out, 0x7fc00000) // the quiet NaN NumPy uses
		case choices[k] == "NaN":
			binary.LittleEndian.PutUint64(out, 0x7ff8000000000000)
		case od == graph.Float32:
			binary.LittleEndian.PutUint32(out, math.Float32bits(float32(vals[k])))
		default:
			binary.LittleEndian.PutUint64(out, math.Float64bits(vals[k]))
		}
		return choices[k], out
	}
	lo, hi := intRange(d)
	if d.Size == 8 {
		lo, hi = -1000, 1000
	}
	v := lo + r.Int64N(hi-lo+1)
	putInt(out, od, v)
	return v, out
}

// Random hand-built v3 arrays (every core type Blockwork reads, both
// byte orders, transposes, gzip/zstd/crc32c chains, both key encodings
// and separators, fill values of every form, missing chunks) read equal
// to what was encoded, through random chunkings.
func TestV3HandBuilt(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	chains := [][]string{nil, {"gzip"}, {"zstd"}, {"crc32c"}, {"gzip", "crc32c"}, {"zstd", "crc32c"}}
	for i := range 40 {
		ty := v3Types[r.IntN(len(v3Types))]
		shape := randShape(r, 4, 1500, true)
		od, _ := ty.d.out()
		c := &handCase{typ: ty.name, h: randHVals(r, ty.d, shape), chunk: randGrid(r, shape),
			big: r.IntN(2) == 0, b2b: chains[r.IntN(len(chains))], missing: 0.2,
			keyEnc: []string{"default", "v2"}[r.IntN(2)], sep: []string{".", "/"}[r.IntN(2)]}
		c.fill, c.fillOut = fillFor(r, ty.d, od)
		if len(shape) > 1 && r.IntN(2) == 0 {
			c.perm = r.Perm(len(shape))
		}
		dir := t.TempDir()
		want := c.build(t, r, dir)
		what := fmt.Sprintf("case %d: %s shape %v chunk %v big %v perm %v codecs %v keys %s%q fill %v", i, ty.name, shape, c.chunk, c.big, c.perm, c.b2b, c.keyEnc, c.sep, c.fill)
		var opts []Option
		if r.IntN(2) == 0 {
			opts = append(opts, Chunks(array.ExplicitChunks(randChunks(r, shape))))
		}
		x, err := Open(ctx, dir, opts...)
		if err != nil {
			t.Fatalf("%s: open: %v", what, err)
		}
		if x.DType() != od {
			t.Fatalf("%s: reads as %v, want %v", what, x.DType(), od)
		}
		if d := firstDiff(mustCompute(t, x), want, od.Size()); d != "equal" {
			t.Fatalf("%s (read chunks %v): %s", what, x.Chunks(), d)
		}
	}
}

// Save in format 3 writes what the v3 specification says: zarr.json
// with its required fields, chunk keys "c/i/j" (or "c.i.j"), chunks as
// the bytes codec (little-endian, C order, full size with the fill value
// at the edges) followed by the compressor; decoded here independently.
func TestV3WrittenFiles(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	for i := range 8 {
		dt := allDTypes[r.IntN(len(allDTypes))]
		shape := randShape(r, 3, 600, false)
		n := 1
		for _, s := range shape {
			n *= s
		}
		raw := randBytes(r, dt, n)
		grid := randGrid(r, shape)
		sep := []string{".", "/"}[r.IntN(2)]
		comp := []string{"none", "gzip", "zstd"}[r.IntN(3)]
		opts := []Option{Format(3), Separator(sep), FillValue(1)}
		if len(grid) > 0 {
			opts = append(opts, Chunks(array.Chunked(grid...)))
		}
		var names []string
		switch comp {
		case "none":
			opts = append(opts, Compressor(nil))
		case "gzip":
			g, err := codec.NewGzip(3)
			if err != nil {
				t.Fatal(err)
			}
			opts = append(opts, Compressor(g))
			names = []string{"gzip"}
		case "zstd":
			z, err := codec.NewZstd(3)
			if err != nil {
				t.Fatal(err)
			}
			opts = append(opts, Compressor(z))
			names = []string{"zstd"}
		}
		dir := t.TempDir()
		what := fmt.Sprintf("case %d: %v shape %v grid %v sep %q %s", i, dt, shape, grid, sep, comp)
		if err := Save(ctx, fromRaw(raw, dt, shape), dir, opts...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		js, err := os.ReadFile(filepath.Join(dir, "zarr.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Format   int    `json:"zarr_format"`
			NodeType string `json:"node_type"`
			Shape    []int  `json:"shape"`
			DataType string `json:"data_type"`
			Grid     struct {
				Name   string `json:"name"`
				Config struct {
					ChunkShape []int `json:"chunk_shape"`
				} `json:"configuration"`
			} `json:"chunk_grid"`
			KeyEnc struct {
				Name   string `json:"name"`
				Config struct {
					Sep string `json:"separator"`
				} `json:"configuration"`
			} `json:"chunk_key_encoding"`
			Fill   any `json:"fill_value"`
			Codecs []struct {
				Name   string         `json:"name"`
				Config map[string]any `json:"configuration"`
			} `json:"codecs"`
			Attrs map[string]any `json:"attributes"`
		}
		if err := json.Unmarshal(js, &doc); err != nil {
			t.Fatal(err)
		}
		d, _ := fromGraph(dt)
		// Blockwork clips a chunk longer than its axis
		wantGrid := []int{}
		for a, g := range grid {
			wantGrid = append(wantGrid, min(g, shape[a]))
		}
		grid = wantGrid
		fillWant := any(1.0)
		if dt == graph.Bool {
			fillWant = true
		}
		switch {
		case doc.Format != 3 || doc.NodeType != "array" || doc.Attrs == nil:
			t.Errorf("%s: zarr_format %d node_type %q attributes %v", what, doc.Format, doc.NodeType, doc.Attrs)
		case fmt.Sprint(doc.Shape) != fmt.Sprint(shape) || doc.DataType != d.String():
			t.Errorf("%s: shape %v data_type %q", what, doc.Shape, doc.DataType)
		case doc.Grid.Name != "regular" || fmt.Sprint(doc.Grid.Config.ChunkShape) != fmt.Sprint(wantGrid):
			t.Errorf("%s: chunk_grid %+v", what, doc.Grid)
		case doc.KeyEnc.Name != "default" || doc.KeyEnc.Config.Sep != sep:
			t.Errorf("%s: chunk_key_encoding %+v", what, doc.KeyEnc)
		case doc.Fill != fillWant:
			t.Errorf("%s: fill_value %v", what, doc.Fill)
		case len(doc.Codecs) != 1+len(names) || doc.Codecs[0].Name != "bytes" || doc.Codecs[0].Config["endian"] != "little":
			t.Errorf("%s: codecs %+v", what, doc.Codecs)
		case len(names) == 1 && doc.Codecs[1].Name != names[0]:
			t.Errorf("%s: codecs %+v", what, doc.Codecs)
		}
		// every chunk: decode by hand, compare with the source chunk
		// padded with the fill value
		h := &hvals{d: d, shape: shape}
		for j := range n {
			switch dt {
			case graph.Bool:
				h.ints = append(h.ints, int64(raw[j]))
			case graph.Int32:
				h.ints = append(h.ints, int64(int32(binary.LittleEndian.Uint32(raw[4*j:]))))
			case graph.Int64:
				h.ints = append(h.ints, int64(binary.LittleEndian.Uint64(raw[8*j:])))
			case graph.Float32:
				h.flts = append(h.flts, float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))))
			case graph.Float64:
				h.flts = append(h.flts, math.Float64frombits(binary.LittleEndian.Uint64(raw[8*j:])))
			}
		}
		one := map[graph.DType][]byte{graph.Bool: {1}, graph.Int32: {1, 0, 0, 0}, graph.Int64: {1, 0, 0, 0, 0, 0, 0, 0},
			graph.Float32: binary.LittleEndian.AppendUint32(nil, math.Float32bits(1)),
			graph.Float64: binary.LittleEndian.AppendUint64(nil, math.Float64bits(1))}[dt]
		es := dt.Size()
		var keys []string
		forGrid(shape, grid, func(idx, org []int) {
			parts := []string{"c"}
			for _, v := range idx {
				parts = append(parts, strconv.Itoa(v))
			}
			key := strings.Join(parts, sep)
			keys = append(keys, key)
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
			if err != nil {
				t.Errorf("%s: chunk %s: %v", what, key, err)
				return
			}
			switch comp {
			case "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(b))
				if err == nil {
					b, err = io.ReadAll(zr)
				}
				if err != nil {
					t.Fatalf("%s: gunzip %s: %v", what, key, err)
				}
			case "zstd":
				dec, _ := zstd.NewReader(nil)
				b, err = dec.DecodeAll(b, nil)
				dec.Close()
				if err != nil {
					t.Fatalf("%s: unzstd %s: %v", what, key, err)
				}
			}
			// padding: the fill value 1
			want := handChunk(h, org, grid, nil, false, one)
			if d := firstDiff(b, want, es); d != "equal" {
				t.Errorf("%s: chunk %s: %s", what, key, d)
			}
		})
		// and nothing else but zarr.json
		var files []string
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		keys = append(keys, "zarr.json")
		sort.Strings(keys)
		sort.Strings(files)
		if fmt.Sprint(files) != fmt.Sprint(keys) {
			t.Errorf("%s: files %v, want %v", what, files, keys)
		}
	}
}
