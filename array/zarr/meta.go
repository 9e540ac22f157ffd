package zarr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
)

// Limits on what a metadata document may ask for, checked before
// anything is allocated.
const (
	// MaxMetadataBytes bounds a ".zarray" or "zarr.json" document.
	MaxMetadataBytes = 16 << 20
	// MaxDims bounds the number of axes.
	MaxDims = 32
	// MaxChunkBytes bounds one decoded chunk (and one shard index).
	MaxChunkBytes = 1 << 32
)

// meta is an array's parsed metadata: everything a load or store task
// needs besides the store URL and the array's path. It travels as JSON
// in the tasks' argument blobs.
type meta struct {
	Format int    `json:"format"` // 2 or 3
	Shape  []int  `json:"shape"`
	Chunk  []int  `json:"chunk"` // shape of one stored object (a chunk or, sharded, a shard)
	DType  dtype  `json:"dtype"`
	Fill   []byte `json:"fill"` // one element of the dtype it reads as
	Layout layout `json:"layout"`
	// chunk keys: Prefix ("c" for v3's default encoding, else ""), then
	// the indices joined by Sep
	Prefix string `json:"prefix,omitempty"`
	Sep    string `json:"sep"`
}

// layout is how a chunk's elements become bytes: the axes' order in
// memory, the byte order, then a sharding step or nothing, then byte
// codecs (in encoding order).
type layout struct {
	// Perm: stored axis i is chunk axis Perm[i] (nil: C order)
	Perm      []int       `json:"perm,omitempty"`
	BigEndian bool        `json:"big_endian,omitempty"`
	Shard     *shardSpec  `json:"shard,omitempty"`
	Codecs    []codecSpec `json:"codecs,omitempty"`
}

// shardSpec is a v3 sharding_indexed codec.
type shardSpec struct {
	Chunk        []int  `json:"chunk"` // inner chunk shape
	Inner        layout `json:"inner"`
	Index        layout `json:"index"` // only endianness and checksums
	IndexAtStart bool   `json:"index_at_start,omitempty"`
}

// codecSpec is one byte codec as the metadata names it: a numcodecs
// object (v2) or a name and configuration (v3).
type codecSpec struct {
	V2       map[string]any `json:"v2,omitempty"`
	Name     string         `json:"name,omitempty"`
	Config   map[string]any `json:"config,omitempty"`
	TypeSize int            `json:"typesize,omitempty"`
}

func (c codecSpec) build() (codec.Codec, error) {
	if c.V2 != nil {
		return codec.FromV2(c.V2, c.TypeSize)
	}
	return codec.FromV3(c.Name, c.Config, c.TypeSize)
}

func (c codecSpec) String() string {
	if c.V2 != nil {
		return fmt.Sprint(c.V2["id"])
	}
	return c.Name
}

// parseV2 reads a ".zarray" document.
func parseV2(doc []byte) (*meta, error) {
	var z struct {
		Format     *int            `json:"zarr_format"`
		Shape      []int           `json:"shape"`
		Chunks     []int           `json:"chunks"`
		DType      json.RawMessage `json:"dtype"`
		Compressor json.RawMessage `json:"compressor"`
		Fill       json.RawMessage `json:"fill_value"`
		Order      string          `json:"order"`
		Filters    json.RawMessage `json:"filters"`
		Sep        *string         `json:"dimension_separator"`
	}
	if err := json.Unmarshal(doc, &z); err != nil {
		return nil, fmt.Errorf("zarr: .zarray: %w", err)
	}
	if z.Format == nil || *z.Format != 2 {
		return nil, fmt.Errorf("zarr: .zarray: zarr_format is not 2")
	}
	m := &meta{Format: 2, Shape: z.Shape, Chunk: z.Chunks, Sep: "."}
	if z.Shape == nil || z.Chunks == nil {
		return nil, fmt.Errorf("zarr: .zarray: shape and chunks are required")
	}
	d, big, err := parseV2DType(z.DType)
	if err != nil {
		return nil, fmt.Errorf("zarr: .zarray: %w", err)
	}
	m.DType = d
	m.Layout.BigEndian = big && d.Size > 1
	if err := checkGrid(m.Shape, m.Chunk, d); err != nil {
		return nil, fmt.Errorf("zarr: .zarray: %w", err)
	}
	if m.Fill, err = parseFill(z.Fill, d); err != nil {
		return nil, fmt.Errorf("zarr: .zarray: %w", err)
	}
	switch z.Order {
	case "C":
	case "F":
		if n := len(m.Shape); n > 1 {
			m.Layout.Perm = make([]int, n)
			for i := range n {
				m.Layout.Perm[i] = n - 1 - i
			}
		}
	default:
		return nil, fmt.Errorf("zarr: .zarray: order %q is not \"C\" or \"F\"", z.Order)
	}
	if f := bytes.TrimSpace(z.Filters); len(f) > 0 && string(f) != "null" {
		var list []map[string]any
		if err := json.Unmarshal(f, &list); err != nil {
			return nil, fmt.Errorf("zarr: .zarray: filters %s: %w", abbrev(f), err)
		}
		for _, cfg := range list {
			if cfg == nil {
				return nil, fmt.Errorf("zarr: .zarray: filters %s: a null entry", abbrev(f))
			}
			m.Layout.Codecs = append(m.Layout.Codecs, codecSpec{V2: cfg, TypeSize: d.Size})
		}
	}
	if c := bytes.TrimSpace(z.Compressor); len(c) > 0 && string(c) != "null" {
		var cfg map[string]any
		if err := json.Unmarshal(c, &cfg); err != nil {
			return nil, fmt.Errorf("zarr: .zarray: compressor %s: %w", abbrev(c), err)
		}
		m.Layout.Codecs = append(m.Layout.Codecs, codecSpec{V2: cfg, TypeSize: d.Size})
	}
	if z.Sep != nil {
		if *z.Sep != "." && *z.Sep != "/" {
			return nil, fmt.Errorf("zarr: .zarray: dimension_separator %q is not \".\" or \"/\"", *z.Sep)
		}
		m.Sep = *z.Sep
	}
	if err := m.checkUnit(); err != nil {
		return nil, fmt.Errorf("zarr: .zarray: %w", err)
	}
	if err := m.Layout.check(); err != nil {
		return nil, fmt.Errorf("zarr: .zarray: %w", err)
	}
	return m, nil
}

// checkGrid validates a shape and chunk shape: at most MaxDims axes,
// no negative lengths, positive chunk lengths, an element count within
// array.MaxBytes and a chunk within MaxChunkBytes.
func checkGrid(shape, chunk []int, d dtype) error {
	if len(shape) > MaxDims {
		return fmt.Errorf("%d axes (at most %d)", len(shape), MaxDims)
	}
	if len(chunk) != len(shape) {
		return fmt.Errorf("chunk shape %v has %d axes, shape %v has %d", chunk, len(chunk), shape, len(shape))
	}
	for _, s := range shape {
		if s < 0 {
			return fmt.Errorf("shape %v has a negative length", shape)
		}
	}
	for _, c := range chunk {
		if c <= 0 {
			return fmt.Errorf("chunk shape %v: chunk lengths must be positive", chunk)
		}
	}
	if !fits(shape, d.Size, array.MaxBytes) {
		return fmt.Errorf("shape %v of %s is larger than %d bytes", shape, d, array.MaxBytes)
	}
	if !fits(chunk, d.Size, array.MaxBytes) {
		return fmt.Errorf("chunk shape %v of %s is larger than %d bytes", chunk, d, array.MaxBytes)
	}
	return nil
}

// checkUnit checks that the chunks decoded whole (the stored chunks, or
// a shard's inner chunks) fit MaxChunkBytes.
func (m *meta) checkUnit() error {
	c, l := m.Chunk, &m.Layout
	for l.Shard != nil {
		c, l = l.Shard.Chunk, &l.Shard.Inner
	}
	if !fits(c, m.DType.Size, MaxChunkBytes) {
		return fmt.Errorf("chunk shape %v of %s is larger than %d bytes", c, m.DType, int64(MaxChunkBytes))
	}
	return nil
}

// fits reports whether prod(shape)*size <= limit, without overflow.
func fits(shape []int, size int, limit int64) bool {
	n := uint64(size)
	for _, s := range shape {
		hi, lo := bits.Mul64(n, uint64(s))
		if hi != 0 || lo > uint64(limit) {
			return false
		}
		n = lo
	}
	return n <= uint64(limit)
}

// check builds every codec once so that a bad or unknown one is an
// error now (at Open), not in a task.
func (l *layout) check() error {
	for _, c := range l.Codecs {
		if _, err := c.build(); err != nil {
			return fmt.Errorf("codec %s: %w", c, err)
		}
	}
	if l.Shard != nil {
		if err := l.Shard.Inner.check(); err != nil {
			return err
		}
		return l.Shard.Index.check()
	}
	return nil
}

// v3 metadata

type v3Named struct {
	Name   string          `json:"name"`
	Config json.RawMessage `json:"configuration"`
}

// UnmarshalJSON accepts the object form and the bare-name short form.
func (n *v3Named) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		n.Name = s
		return nil
	}
	type plain v3Named
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*n = v3Named(p)
	return nil
}

var v3Known = map[string]bool{
	"zarr_format": true, "node_type": true, "shape": true, "data_type": true,
	"chunk_grid": true, "chunk_key_encoding": true, "fill_value": true,
	"codecs": true, "attributes": true, "dimension_names": true, "storage_transformers": true,
}

// parseV3 reads an array's "zarr.json".
func parseV3(doc []byte) (*meta, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(doc, &all); err != nil {
		return nil, fmt.Errorf("zarr: zarr.json: %w", err)
	}
	for k, v := range all {
		if v3Known[k] {
			continue
		}
		var ext struct {
			MustUnderstand *bool `json:"must_understand"`
		}
		if json.Unmarshal(v, &ext) != nil || ext.MustUnderstand == nil || *ext.MustUnderstand {
			return nil, fmt.Errorf("zarr: zarr.json: unknown field %q (not marked must_understand: false)", k)
		}
	}
	var z struct {
		Format    *int            `json:"zarr_format"`
		NodeType  string          `json:"node_type"`
		Shape     []int           `json:"shape"`
		DType     json.RawMessage `json:"data_type"`
		Grid      v3Named         `json:"chunk_grid"`
		KeyEnc    v3Named         `json:"chunk_key_encoding"`
		Fill      json.RawMessage `json:"fill_value"`
		Codecs    []v3Named       `json:"codecs"`
		Transform []v3Named       `json:"storage_transformers"`
	}
	if err := json.Unmarshal(doc, &z); err != nil {
		return nil, fmt.Errorf("zarr: zarr.json: %w", err)
	}
	if z.Format == nil || *z.Format != 3 {
		return nil, fmt.Errorf("zarr: zarr.json: zarr_format is not 3")
	}
	if z.NodeType != "array" {
		return nil, fmt.Errorf("zarr: zarr.json: node_type %q is not \"array\" (open an array inside a group with Path)", z.NodeType)
	}
	if z.Shape == nil {
		return nil, fmt.Errorf("zarr: zarr.json: shape is required")
	}
	if len(z.Transform) > 0 {
		return nil, fmt.Errorf("zarr: zarr.json: storage_transformers (%s) are not supported", z.Transform[0].Name)
	}
	d, err := parseV3DType(z.DType)
	if err != nil {
		return nil, fmt.Errorf("zarr: zarr.json: %w", err)
	}
	m := &meta{Format: 3, Shape: z.Shape, DType: d}
	if z.Grid.Name != "regular" {
		return nil, fmt.Errorf("zarr: zarr.json: chunk_grid %q is not supported (only \"regular\")", z.Grid.Name)
	}
	var grid struct {
		ChunkShape []int `json:"chunk_shape"`
	}
	if err := json.Unmarshal(z.Grid.Config, &grid); err != nil || grid.ChunkShape == nil {
		return nil, fmt.Errorf("zarr: zarr.json: chunk_grid needs configuration.chunk_shape")
	}
	m.Chunk = grid.ChunkShape
	if err := checkGrid(m.Shape, m.Chunk, d); err != nil {
		return nil, fmt.Errorf("zarr: zarr.json: %w", err)
	}
	if len(bytes.TrimSpace(z.Fill)) == 0 || string(bytes.TrimSpace(z.Fill)) == "null" {
		return nil, fmt.Errorf("zarr: zarr.json: fill_value is required")
	}
	if m.Fill, err = parseFill(z.Fill, d); err != nil {
		return nil, fmt.Errorf("zarr: zarr.json: %w", err)
	}
	var kc struct {
		Sep *string `json:"separator"`
	}
	if len(z.KeyEnc.Config) > 0 {
		if err := json.Unmarshal(z.KeyEnc.Config, &kc); err != nil {
			return nil, fmt.Errorf("zarr: zarr.json: chunk_key_encoding: %w", err)
		}
	}
	switch z.KeyEnc.Name {
	case "default", "":
		m.Prefix, m.Sep = "c", "/"
	case "v2":
		m.Sep = "."
	default:
		return nil, fmt.Errorf("zarr: zarr.json: chunk_key_encoding %q is not supported", z.KeyEnc.Name)
	}
	if kc.Sep != nil {
		if *kc.Sep != "." && *kc.Sep != "/" {
			return nil, fmt.Errorf("zarr: zarr.json: chunk key separator %q is not \".\" or \"/\"", *kc.Sep)
		}
		m.Sep = *kc.Sep
	}
	if m.Layout, err = parseV3Codecs(z.Codecs, m.Chunk, d, 0); err != nil {
		return nil, fmt.Errorf("zarr: zarr.json: %w", err)
	}
	if err := m.checkUnit(); err != nil {
		return nil, fmt.Errorf("zarr: zarr.json: %w", err)
	}
	if err := m.Layout.check(); err != nil {
		return nil, fmt.Errorf("zarr: zarr.json: %w", err)
	}
	return m, nil
}

// parseV3Codecs reads a v3 codec chain for chunks of the given shape:
// array-to-array codecs (transpose), one array-to-bytes codec (bytes or
// sharding_indexed), then bytes-to-bytes codecs.
func parseV3Codecs(list []v3Named, chunk []int, d dtype, depth int) (layout, error) {
	var l layout
	if depth > 2 {
		return l, fmt.Errorf("sharding nested more than twice")
	}
	stage := 0 // 0: array->array, 1: bytes->bytes
	for _, c := range list {
		switch c.Name {
		case "transpose":
			if stage != 0 {
				return l, fmt.Errorf("codec transpose after the array-to-bytes codec")
			}
			p, err := parseTranspose(c.Config, len(chunk))
			if err != nil {
				return l, err
			}
			if l.Perm == nil {
				l.Perm = p
			} else {
				comp := make([]int, len(p))
				for i := range p {
					comp[i] = l.Perm[p[i]]
				}
				l.Perm = comp
			}
		case "bytes", "endian":
			if stage != 0 {
				return l, fmt.Errorf("two array-to-bytes codecs (%s)", c.Name)
			}
			stage = 1
			var cfg struct {
				Endian *string `json:"endian"`
			}
			if len(c.Config) > 0 {
				if err := json.Unmarshal(c.Config, &cfg); err != nil {
					return l, fmt.Errorf("codec bytes: %w", err)
				}
			}
			switch {
			case cfg.Endian == nil && d.Size > 1:
				return l, fmt.Errorf("codec bytes: configuration.endian is required for %s", d)
			case cfg.Endian == nil, *cfg.Endian == "little":
			case *cfg.Endian == "big":
				l.BigEndian = d.Size > 1
			default:
				return l, fmt.Errorf("codec bytes: endian %q is not \"little\" or \"big\"", *cfg.Endian)
			}
		case "sharding_indexed":
			if stage != 0 {
				return l, fmt.Errorf("two array-to-bytes codecs (%s)", c.Name)
			}
			stage = 1
			if l.Perm != nil {
				return l, fmt.Errorf("codec transpose before sharding_indexed is not supported")
			}
			s, err := parseShard(c.Config, chunk, d, depth)
			if err != nil {
				return l, fmt.Errorf("codec sharding_indexed: %w", err)
			}
			l.Shard = s
		case "gzip", "zstd", "blosc", "crc32c", "numcodecs.zlib", "numcodecs.lz4", "numcodecs.shuffle",
			"numcodecs.zstd", "numcodecs.gzip", "numcodecs.blosc", "numcodecs.crc32c":
			if stage != 1 {
				return l, fmt.Errorf("bytes-to-bytes codec %s before the array-to-bytes codec", c.Name)
			}
			var cfg map[string]any
			if len(c.Config) > 0 {
				if err := json.Unmarshal(c.Config, &cfg); err != nil {
					return l, fmt.Errorf("codec %s: %w", c.Name, err)
				}
			}
			l.Codecs = append(l.Codecs, codecSpec{Name: c.Name, Config: cfg, TypeSize: d.Size})
		default:
			return l, fmt.Errorf("codec %q is not supported", c.Name)
		}
	}
	if stage == 0 {
		return l, fmt.Errorf("no array-to-bytes codec (bytes or sharding_indexed)")
	}
	return l, nil
}

func parseTranspose(raw json.RawMessage, n int) ([]int, error) {
	var cfg struct {
		Order json.RawMessage `json:"order"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("codec transpose: %w", err)
	}
	var s string
	if json.Unmarshal(cfg.Order, &s) == nil {
		p := make([]int, n)
		for i := range p {
			p[i] = i
			if s == "F" {
				p[i] = n - 1 - i
			} else if s != "C" {
				return nil, fmt.Errorf("codec transpose: order %q", s)
			}
		}
		return p, nil
	}
	var p []int
	if err := json.Unmarshal(cfg.Order, &p); err != nil {
		return nil, fmt.Errorf("codec transpose: order %s: %w", abbrev(cfg.Order), err)
	}
	if len(p) != n {
		return nil, fmt.Errorf("codec transpose: order %v for %d axes", p, n)
	}
	seen := make([]bool, n)
	for _, a := range p {
		if a < 0 || a >= n || seen[a] {
			return nil, fmt.Errorf("codec transpose: order %v is not a permutation", p)
		}
		seen[a] = true
	}
	return p, nil
}

func parseShard(raw json.RawMessage, shard []int, d dtype, depth int) (*shardSpec, error) {
	var cfg struct {
		Chunk    []int     `json:"chunk_shape"`
		Codecs   []v3Named `json:"codecs"`
		Index    []v3Named `json:"index_codecs"`
		Location *string   `json:"index_location"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, err
	}
	if len(cfg.Chunk) != len(shard) {
		return nil, fmt.Errorf("chunk_shape %v for a shard of shape %v", cfg.Chunk, shard)
	}
	for i, c := range cfg.Chunk {
		if c <= 0 || shard[i]%c != 0 {
			return nil, fmt.Errorf("chunk_shape %v does not divide the shard shape %v", cfg.Chunk, shard)
		}
	}
	n := 1
	per := make([]int, len(shard)+1)
	for i, c := range cfg.Chunk {
		per[i] = shard[i] / c
		n *= per[i]
	}
	per[len(shard)] = 2
	if int64(n) > MaxChunkBytes/16 {
		return nil, fmt.Errorf("%d chunks per shard: index too large", n)
	}
	s := &shardSpec{Chunk: cfg.Chunk}
	if cfg.Location != nil {
		switch *cfg.Location {
		case "end":
		case "start":
			s.IndexAtStart = true
		default:
			return nil, fmt.Errorf("index_location %q is not \"start\" or \"end\"", *cfg.Location)
		}
	}
	var err error
	if s.Inner, err = parseV3Codecs(cfg.Codecs, cfg.Chunk, d, depth+1); err != nil {
		return nil, err
	}
	if s.Inner.Shard != nil {
		// the reader has no nested shards: refuse them here, at Open,
		// not in a load task
		return nil, fmt.Errorf("nested sharding is not supported")
	}
	if len(cfg.Index) == 0 {
		return nil, fmt.Errorf("index_codecs are required")
	}
	if s.Index, err = parseV3Codecs(cfg.Index, per, dtype{'u', 8}, depth+1); err != nil {
		return nil, fmt.Errorf("index_codecs: %w", err)
	}
	if s.Index.Perm != nil || s.Index.Shard != nil {
		return nil, fmt.Errorf("index_codecs: only bytes and crc32c are supported")
	}
	for _, c := range s.Index.Codecs {
		if c.Name != "crc32c" {
			return nil, fmt.Errorf("index_codecs: codec %s is not supported (only bytes and crc32c)", c.Name)
		}
	}
	return s, nil
}

// key is the store key of the stored object at grid index idx, under
// the array's path.
func (m *meta) key(path string, idx []int) string {
	var b strings.Builder
	b.WriteString(m.Prefix)
	for i, v := range idx {
		if i > 0 || m.Prefix != "" {
			b.WriteString(m.Sep)
		}
		b.WriteString(strconv.Itoa(v))
	}
	if b.Len() == 0 {
		b.WriteString("0") // v2: a 0-d array's one chunk
	}
	if path == "" {
		return b.String()
	}
	return path + "/" + b.String()
}
