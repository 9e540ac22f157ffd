package zarr

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// Save writes x to a Zarr array at url and waits for it: Write, then
// Compute of the write.
func Save(ctx context.Context, x *array.Array, url string, opts ...Option) error {
	s, err := Write(ctx, x, url, opts...)
	if err != nil {
		return err
	}
	if _, err := s.Compute(ctx); err != nil {
		return fmt.Errorf("zarr: save: %w", err)
	}
	return nil
}

// Write creates a Zarr array at url for x (the metadata is written now)
// and returns the lazy write of its chunks: an int64 array with one
// element per chunk, the bytes stored for it (array.Store). Nothing but
// metadata is written until it is computed. x is rechunked to the
// store's chunk grid first when its chunks differ. Options: Path, Chunks,
// Format, Compressor, Separator, FillValue, SkipEmptyChunks, Overwrite.
func Write(ctx context.Context, x *array.Array, url string, opts ...Option) (*array.Array, error) {
	if err := x.Err(); err != nil {
		return nil, err
	}
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	st, err := storage.Open(url)
	if err != nil {
		return nil, fmt.Errorf("zarr: write %q: %w", url, err)
	}
	shape, dt := append([]int{}, x.Shape()...), x.DType()
	grid, err := targetChunks(x, c)
	if err != nil {
		return nil, fmt.Errorf("zarr: write %q: %w", where(st, c.path), err)
	}
	doc, metaKey, err := buildDoc(shape, grid, dt, c)
	if err != nil {
		return nil, fmt.Errorf("zarr: write %q: %w", where(st, c.path), err)
	}
	// the writer's metadata is what a reader will parse
	var m *meta
	if c.format == 3 {
		m, err = parseV3(doc)
	} else {
		m, err = parseV2(doc)
	}
	if err != nil {
		return nil, fmt.Errorf("zarr: write %q: %w", where(st, c.path), err)
	}
	if err := prepare(ctx, st, c); err != nil {
		return nil, fmt.Errorf("zarr: write %q: %w", where(st, c.path), err)
	}
	if err := st.Put(ctx, storage.Join(c.path, metaKey), doc); err != nil {
		return nil, fmt.Errorf("zarr: write %q: %w", where(st, c.path), err)
	}
	args, err := json.Marshal(taskArgs{URL: st.URL(), Path: c.path, Meta: m, SkipEmpty: c.skipEmpty})
	if err != nil {
		return nil, fmt.Errorf("zarr: write: %w", err)
	}
	want := regularChunks(shape, grid)
	if !x.Chunks().Equal(want) {
		x = x.Rechunk(array.ExplicitChunks(want))
	}
	s := array.Store(x, WriterName, args)
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("zarr: write %q: %w", where(st, c.path), err)
	}
	return s, nil
}

// targetChunks is the store's chunk shape: from the Chunks option, else
// from x's chunks (each axis's largest block; a zero-length axis gets 1).
func targetChunks(x *array.Array, c *config) ([]int, error) {
	ch := x.Chunks()
	if c.hasChunks {
		y := array.Zeros(x.Shape(), x.DType(), c.chunks...)
		if err := y.Err(); err != nil {
			return nil, err
		}
		ch = y.Chunks()
		for a, sizes := range ch {
			for i, s := range sizes {
				if (i < len(sizes)-1 && s != sizes[0]) || s > sizes[0] {
					return nil, fmt.Errorf("chunks %v: Zarr needs a regular grid (equal blocks, a smaller last one) on axis %d", ch, a)
				}
			}
		}
	}
	grid := make([]int, len(ch)) // never nil: JSON [] for 0-d
	for a, sizes := range ch {
		for _, s := range sizes {
			grid[a] = max(grid[a], s)
		}
		grid[a] = max(grid[a], 1)
	}
	return grid, nil
}

// buildDoc makes the metadata document and its key name.
func buildDoc(shape, grid []int, dt graph.DType, c *config) ([]byte, string, error) {
	d, err := fromGraph(dt)
	if err != nil {
		return nil, "", err
	}
	fill := make([]byte, dt.Size())
	if c.fill != nil {
		if fill, err = fillBytes(*c.fill, dt); err != nil {
			return nil, "", err
		}
	}
	var comp codec.Codec
	switch {
	case c.noCompress:
	case c.compressor != nil:
		comp = c.compressor
	default:
		if comp, err = codec.NewBlosc("lz4", 5, 1, d.Size); err != nil {
			return nil, "", err
		}
	}
	switch c.format {
	case 0, 2:
		c.format = 2
		sep := c.sep
		if sep == "" {
			sep = "."
		}
		if sep != "." && sep != "/" {
			return nil, "", fmt.Errorf("separator %q is not \".\" or \"/\"", sep)
		}
		var cz any
		if comp != nil {
			cz = codec.V2Config(comp)
		}
		doc := map[string]any{
			"zarr_format":         2,
			"shape":               shape,
			"chunks":              grid,
			"dtype":               v2DType(d),
			"compressor":          cz,
			"fill_value":          fillJSON(dt, fill),
			"order":               "C",
			"filters":             nil,
			"dimension_separator": sep,
		}
		b, err := json.MarshalIndent(doc, "", "    ")
		return b, ".zarray", err
	case 3:
		sep := c.sep
		if sep == "" {
			sep = "/"
		}
		if sep != "." && sep != "/" {
			return nil, "", fmt.Errorf("separator %q is not \".\" or \"/\"", sep)
		}
		codecs := []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}}
		if comp != nil {
			name, cfg := codec.V3Config(comp)
			if name == "" {
				return nil, "", fmt.Errorf("compressor %s has no Zarr v3 form (use blosc, gzip or zstd)", comp.Name())
			}
			e := map[string]any{"name": name}
			if cfg != nil {
				e["configuration"] = cfg
			}
			codecs = append(codecs, e)
		}
		doc := map[string]any{
			"zarr_format": 3,
			"node_type":   "array",
			"shape":       shape,
			"data_type":   d.String(),
			"chunk_grid": map[string]any{"name": "regular", "configuration": map[string]any{
				"chunk_shape": grid}},
			"chunk_key_encoding": map[string]any{"name": "default", "configuration": map[string]any{
				"separator": sep}},
			"fill_value": fillJSON(dt, fill),
			"codecs":     codecs,
			"attributes": map[string]any{},
		}
		b, err := json.MarshalIndent(doc, "", "    ")
		return b, "zarr.json", err
	}
	return nil, "", fmt.Errorf("format %d is not 2 or 3", c.format)
}

// fillBytes is v as one element of dt, if dt holds it exactly.
func fillBytes(v float64, dt graph.DType) ([]byte, error) {
	b := make([]byte, dt.Size())
	switch dt {
	case graph.Float64:
		binary.LittleEndian.PutUint64(b, math.Float64bits(v))
		return b, nil
	case graph.Float32:
		binary.LittleEndian.PutUint32(b, math.Float32bits(float32(v)))
		return b, nil
	}
	lo, hi := -(1 << 63), float64(1<<63)
	switch dt {
	case graph.Bool:
		lo, hi = 0, 1
	case graph.Int32:
		lo, hi = math.MinInt32, math.MaxInt32
	}
	if v != math.Trunc(v) || v < float64(lo) || v > hi || (dt == graph.Int64 && v == hi) {
		return nil, fmt.Errorf("fill value %v does not fit %v", v, dt)
	}
	switch dt {
	case graph.Bool:
		b[0] = byte(v)
	case graph.Int32:
		binary.LittleEndian.PutUint32(b, uint32(int32(v)))
	case graph.Int64:
		binary.LittleEndian.PutUint64(b, uint64(int64(v)))
	}
	return b, nil
}

// prepare checks the path for an existing node (deleting it under
// Overwrite) and gives missing parent groups their metadata.
func prepare(ctx context.Context, st storage.Store, c *config) error {
	exists := false
	for _, k := range []string{"zarr.json", ".zarray", ".zgroup"} {
		_, err := st.Size(ctx, storage.Join(c.path, k))
		if err == nil {
			exists = true
			break
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	if exists && !c.overwrite {
		return fmt.Errorf("an array or group exists there (use Overwrite to replace it)")
	}
	if c.overwrite {
		prefix := ""
		if c.path != "" {
			prefix = c.path + "/"
		}
		keys, err := st.List(ctx, prefix)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := st.Delete(ctx, k); err != nil {
				return err
			}
		}
	}
	if c.path == "" {
		return nil
	}
	parts := strings.Split(c.path, "/")
	for i := range parts {
		parent := strings.Join(parts[:i], "/")
		if err := ensureGroup(ctx, st, parent, c.format); err != nil {
			return err
		}
	}
	return nil
}

// ensureGroup writes group metadata at path unless a group is there; an
// array there is an error.
func ensureGroup(ctx context.Context, st storage.Store, path string, format int) error {
	key, doc := storage.Join(path, ".zgroup"), []byte("{\n    \"zarr_format\": 2\n}")
	arrKey := storage.Join(path, ".zarray")
	if format == 3 {
		key, doc = storage.Join(path, "zarr.json"), []byte("{\n    \"zarr_format\": 3,\n    \"node_type\": \"group\",\n    \"attributes\": {}\n}")
		arrKey = key
	}
	if format == 2 {
		if _, err := st.Size(ctx, arrKey); err == nil {
			return fmt.Errorf("parent %q is an array", path)
		}
	}
	old, err := getMeta(ctx, st, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return st.Put(ctx, key, doc)
	case err != nil:
		return err
	}
	if format == 3 {
		var g struct {
			NodeType string `json:"node_type"`
		}
		if json.Unmarshal(old, &g) != nil || g.NodeType != "group" {
			return fmt.Errorf("parent %q is not a group", path)
		}
	}
	return nil
}

// writer stores the chunks of one array; built once per argument blob
// and process.
type writer struct {
	st        storage.Store
	path      string
	m         *meta
	od        graph.DType
	codecs    []codec.Codec
	skipEmpty bool
}

func newWriter(args []byte) (*writer, error) {
	var a taskArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, fmt.Errorf("zarr: bad task arguments: %w", err)
	}
	m := a.Meta
	if m == nil {
		return nil, fmt.Errorf("zarr: task arguments without metadata")
	}
	if m.Layout.Perm != nil || m.Layout.BigEndian || m.Layout.Shard != nil {
		return nil, fmt.Errorf("zarr: write: only C order, little-endian, unsharded chunks are written")
	}
	od, err := m.DType.out()
	if err != nil {
		return nil, fmt.Errorf("zarr: write: %w", err)
	}
	if d, _ := fromGraph(od); d != m.DType {
		return nil, fmt.Errorf("zarr: write: dtype %s is read as %v; only Blockwork dtypes are written", m.DType, od)
	}
	st, err := storage.Open(a.URL)
	if err != nil {
		return nil, fmt.Errorf("zarr: write: %w", err)
	}
	w := &writer{st: st, path: a.Path, m: m, od: od, skipEmpty: a.SkipEmpty}
	for _, cs := range m.Layout.Codecs {
		cd, err := cs.build()
		if err != nil {
			return nil, fmt.Errorf("zarr: write: codec %s: %w", cs, err)
		}
		w.codecs = append(w.codecs, cd)
	}
	return w, nil
}

// write is the "zarr.write" writer: block b must be one chunk of the
// store's grid (partial at the edges).
func write(ctx context.Context, args []byte, b funcs.Block, src []byte) (int64, error) {
	w, err := cached(args, newWriter)
	if err != nil {
		return 0, err
	}
	m := w.m
	if b.DType != w.od || len(b.Start) != len(m.Shape) || len(b.Shape) != len(m.Shape) || len(src) != b.Bytes() {
		return 0, fmt.Errorf("zarr: write: block %v (shape %v, %v, %d bytes) does not fit the array (shape %v, %v)", b.Index, b.Shape, b.DType, len(src), m.Shape, w.od)
	}
	if b.Elems() == 0 {
		return 0, nil // a zero-length axis: no chunk exists
	}
	idx := make([]int, len(m.Shape))
	full := true
	for a := range m.Shape {
		c := m.Chunk[a]
		idx[a] = b.Start[a] / c
		if b.Start[a]%c != 0 || b.Shape[a] != min(c, m.Shape[a]-b.Start[a]) {
			return 0, fmt.Errorf("zarr: write: block at %v of shape %v is not a chunk of the grid %v", b.Start, b.Shape, m.Chunk)
		}
		full = full && b.Shape[a] == c
	}
	key := m.key(w.path, idx)
	buf := src
	if !full {
		// an edge chunk is stored full size, padded with the fill value
		n := w.od.Size()
		for _, c := range m.Chunk {
			n *= c
		}
		buf = make([]byte, n)
		whole := region{b.Start, m.Chunk}
		fillBox(buf, whole, w.od, whole, m.Fill)
		copyChunk(buf, whole, w.od, src, chunkView{Start: b.Start, Shape: b.Shape, DType: m.DType})
	}
	if w.skipEmpty && allFill(buf, m.Fill, w.od) {
		if err := w.st.Delete(ctx, key); err != nil {
			return 0, fmt.Errorf("zarr: write: chunk %q: %w", key, err)
		}
		return 0, nil
	}
	enc := buf
	for _, cd := range w.codecs {
		// room for incompressible data plus the codec's headers, so that
		// the codec need not grow its output
		out, err := cd.Encode(make([]byte, 0, len(enc)+len(enc)/8+4096), enc)
		if err != nil {
			return 0, fmt.Errorf("zarr: write: chunk %q: %s: %w", key, cd.Name(), err)
		}
		enc = out
	}
	if err := w.st.Put(ctx, key, enc); err != nil {
		return 0, fmt.Errorf("zarr: write: chunk %q: %w", key, err)
	}
	return int64(len(enc)), nil
}

// allFill reports whether every element of buf is the fill value: bit
// for bit, except that with a NaN fill value any NaN matches (as
// zarr-python's write_empty_chunks=False compares; NaNs differ in sign
// and payload bits, and the fill value read back is the canonical NaN).
func allFill(buf, fill []byte, od graph.DType) bool {
	switch {
	case od == graph.Float64 && math.IsNaN(math.Float64frombits(binary.LittleEndian.Uint64(fill))):
		for i := 0; i < len(buf); i += 8 {
			if !math.IsNaN(math.Float64frombits(binary.LittleEndian.Uint64(buf[i:]))) {
				return false
			}
		}
		return true
	case od == graph.Float32 && math.IsNaN(float64(math.Float32frombits(binary.LittleEndian.Uint32(fill)))):
		for i := 0; i < len(buf); i += 4 {
			if !math.IsNaN(float64(math.Float32frombits(binary.LittleEndian.Uint32(buf[i:])))) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(buf); i += len(fill) {
		if !bytes.Equal(buf[i:i+len(fill)], fill) {
			return false
		}
	}
	return true
}
