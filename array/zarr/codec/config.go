package codec

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"strings"
)

// FromV2 returns the codec for a numcodecs configuration object, as in a
// Zarr v2 .zarray "compressor" or "filters" entry: "blosc" {cname,
// clevel, shuffle (0 none, 1 byte, 2 bit, -1 auto), blocksize}, "zstd"
// {level}, "gzip" {level}, "zlib" {level}, "lz4" {acceleration},
// "shuffle" {elementsize} and "crc32c". Missing parameters take
// numcodecs' defaults. Other ids ("bz2", "lzma", "delta", ...) give an
// error naming the id.
//
// typesize, when given, is the array's item size: numcodecs takes blosc's
// shuffle element size from the array's dtype, and so must a blosc codec
// made here for writing (decoding reads it from each chunk's header).
// Without it, blosc encodes with typesize 1.
func FromV2(cfg map[string]any, typesize ...int) (Codec, error) {
	id, ok := cfg["id"].(string)
	if !ok {
		return nil, fmt.Errorf("codec: numcodecs configuration without a string \"id\": %v: %w", cfg, ErrUnsupported)
	}
	p := params{name: id, cfg: cfg}
	ts := 1
	if len(typesize) > 0 && typesize[0] >= 1 {
		ts = typesize[0]
	}
	var c Codec
	var err error
	switch id {
	case "blosc":
		cname := p.str("cname", "lz4")
		clevel := p.int("clevel", 5)
		shuffle := p.int("shuffle", BloscShuffle)
		blocksize := p.int("blocksize", 0)
		if p.err == nil {
			c, err = NewBloscOptions(BloscOptions{Cname: cname, Clevel: clevel, Shuffle: shuffle, Typesize: ts, Blocksize: blocksize})
		}
	case "zstd":
		level := p.int("level", 1)
		checksum := p.bool("checksum", false)
		if p.err == nil {
			var z *Zstd
			z, err = NewZstd(level)
			if err == nil {
				c = z.WithChecksum(checksum)
			}
		}
	case "gzip":
		if level := p.int("level", 1); p.err == nil {
			c, err = NewGzip(level)
		}
	case "zlib":
		if level := p.int("level", 1); p.err == nil {
			c, err = NewZlib(level)
		}
	case "lz4":
		if a := p.int("acceleration", 1); p.err == nil {
			c = NewLZ4().WithAcceleration(a)
		}
	case "shuffle":
		if es := p.int("elementsize", 4); p.err == nil {
			c, err = NewShuffle(es)
		}
	case "crc32c":
		if loc := p.str("location", "end"); p.err == nil {
			if loc != "end" {
				err = fmt.Errorf("codec: crc32c with the checksum at %q (only \"end\" is implemented): %w", loc, ErrUnsupported)
			} else {
				c = NewCRC32C()
			}
		}
	default:
		return nil, fmt.Errorf("codec: numcodecs codec %q is not implemented (have blosc, zstd, gzip, zlib, lz4, shuffle, crc32c): %w", id, ErrUnsupported)
	}
	if p.err != nil {
		return nil, p.err
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// v3Shuffles are Zarr v3 blosc's shuffle names.
var v3Shuffles = map[string]int{"noshuffle": BloscNoShuffle, "shuffle": BloscShuffle, "bitshuffle": BloscBitShuffle}

// FromV3 returns the codec for a Zarr v3 bytes-to-bytes codec entry
// (name and configuration): "blosc" {cname, clevel, shuffle
// ("noshuffle", "shuffle", "bitshuffle"), typesize, blocksize}, "gzip"
// {level}, "zstd" {level, checksum}, "crc32c", and "numcodecs.<id>" for
// the numcodecs codecs FromV2 knows (zarr-python's names for them).
// typesize is the array's item size, used by blosc when its
// configuration has none.
func FromV3(name string, cfg map[string]any, typesize int) (Codec, error) {
	if id, ok := strings.CutPrefix(name, "numcodecs."); ok {
		m := maps.Clone(cfg)
		if m == nil {
			m = map[string]any{}
		}
		m["id"] = id
		return FromV2(m, typesize)
	}
	p := params{name: name, cfg: cfg}
	var c Codec
	var err error
	switch name {
	case "blosc":
		cname := p.str("cname", "")
		clevel := p.int("clevel", -1)
		sh := p.str("shuffle", "")
		ts := p.int("typesize", typesize)
		blocksize := p.int("blocksize", 0)
		if p.err != nil {
			return nil, p.err
		}
		shuffle, ok := v3Shuffles[sh]
		if !ok {
			return nil, fmt.Errorf("codec: blosc shuffle %q (want noshuffle, shuffle or bitshuffle): %w", sh, ErrUnsupported)
		}
		if ts < 1 {
			ts = 1
		}
		c, err = NewBloscOptions(BloscOptions{Cname: cname, Clevel: clevel, Shuffle: shuffle, Typesize: ts, Blocksize: blocksize})
	case "gzip":
		if level := p.int("level", -2); p.err == nil {
			if level == -2 {
				return nil, fmt.Errorf("codec: gzip without a level: %w", ErrUnsupported)
			}
			c, err = NewGzip(level)
		}
	case "zstd":
		level := p.int("level", 0)
		checksum := p.bool("checksum", false)
		if p.err == nil {
			var z *Zstd
			if z, err = NewZstd(level); err == nil {
				c = z.WithChecksum(checksum)
			}
		}
	case "crc32c":
		c = NewCRC32C()
	case "bytes", "transpose", "sharding_indexed", "vlen-utf8", "vlen-bytes":
		return nil, fmt.Errorf("codec: %q is not a bytes-to-bytes codec (package zarr handles it): %w", name, ErrUnsupported)
	default:
		return nil, fmt.Errorf("codec: Zarr v3 codec %q is not implemented (have blosc, gzip, zstd, crc32c, numcodecs.*): %w", name, ErrUnsupported)
	}
	if p.err != nil {
		return nil, p.err
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// V2Config returns the numcodecs configuration object (with its "id")
// for a codec made by this package, ready for a .zarray "compressor" or
// "filters" entry; nil for any other Codec.
func V2Config(c Codec) map[string]any {
	switch c := c.(type) {
	case *Blosc:
		return map[string]any{"id": "blosc", "cname": c.o.Cname, "clevel": c.o.Clevel, "shuffle": c.o.Shuffle, "blocksize": c.o.Blocksize}
	case *Zstd:
		m := map[string]any{"id": "zstd", "level": c.level}
		if c.checksum {
			m["checksum"] = true // numcodecs before 0.13 has no such parameter: only written when on
		}
		return m
	case *Gzip:
		return map[string]any{"id": "gzip", "level": c.level}
	case *Zlib:
		return map[string]any{"id": "zlib", "level": c.level}
	case *LZ4:
		return map[string]any{"id": "lz4", "acceleration": c.acceleration}
	case *Shuffle:
		return map[string]any{"id": "shuffle", "elementsize": c.elementsize}
	case *CRC32C:
		return map[string]any{"id": "crc32c"}
	}
	return nil
}

// V3Config returns the Zarr v3 codec entry (name and configuration) for a
// codec made by this package; cfg is nil for a codec without
// parameters (crc32c), and name is "" for a Codec not from this package.
// Codecs Zarr v3 does not define (lz4, zlib, shuffle) get zarr-python's
// "numcodecs.<id>" names.
func V3Config(c Codec) (name string, cfg map[string]any) {
	switch c := c.(type) {
	case *Blosc:
		shuffle := c.o.Shuffle
		if shuffle == BloscAutoShuffle {
			shuffle = BloscShuffle
			if c.o.Typesize == 1 {
				shuffle = BloscBitShuffle
			}
		}
		return "blosc", map[string]any{"cname": c.o.Cname, "clevel": c.o.Clevel, "shuffle": shuffleName(shuffle), "typesize": c.o.Typesize, "blocksize": c.o.Blocksize}
	case *Zstd:
		return "zstd", map[string]any{"level": c.level, "checksum": c.checksum}
	case *Gzip:
		return "gzip", map[string]any{"level": c.level}
	case *CRC32C:
		return "crc32c", nil
	case *Zlib, *LZ4, *Shuffle:
		m := V2Config(c)
		id := m["id"].(string)
		delete(m, "id")
		return "numcodecs." + id, m
	}
	return "", nil
}

// params reads typed values from a configuration object, keeping the
// first error.
type params struct {
	name string
	cfg  map[string]any
	err  error
}

func (p *params) fail(key string, v any, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("codec: %s parameter %q = %v (%T), want %s: %w", p.name, key, v, v, want, ErrUnsupported)
	}
}

func (p *params) int(key string, def int) int {
	v, ok := p.cfg[key]
	if !ok || v == nil {
		return def
	}
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case int32:
		return int(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return int(n)
		}
	}
	p.fail(key, v, "an integer")
	return def
}

func (p *params) str(key, def string) string {
	v, ok := p.cfg[key]
	if !ok || v == nil {
		return def
	}
	if s, ok := v.(string); ok {
		return s
	}
	p.fail(key, v, "a string")
	return def
}

func (p *params) bool(key string, def bool) bool {
	v, ok := p.cfg[key]
	if !ok || v == nil {
		return def
	}
	if b, ok := v.(bool); ok {
		return b
	}
	p.fail(key, v, "true or false")
	return def
}
