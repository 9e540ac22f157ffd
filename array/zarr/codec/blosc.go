package codec

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Blosc shuffle modes, as numcodecs numbers them.
const (
	BloscAutoShuffle = -1 // byte shuffle, or bit shuffle when typesize is 1
	BloscNoShuffle   = 0
	BloscShuffle     = 1 // byte shuffle
	BloscBitShuffle  = 2
)

// Blosc 1.x container layout.
const (
	bloscHeaderSize = 16
	bloscVersion    = 2 // format version c-blosc 1.x writes
	bloscVersionLZ  = 1 // inner format version, 1 for every compressor

	bloscFlagShuffle    = 0x01
	bloscFlagMemcpy     = 0x02
	bloscFlagBitShuffle = 0x04
	bloscFlagDontSplit  = 0x10

	bloscMinBuffer = 128 // smaller inputs are stored memcpyed
	bloscMaxSplits = 16  // typesizes above this are never split
	bloscMaxBuffer = math.MaxInt32 - bloscHeaderSize
	bloscL1        = 32 << 10
)

// Inner compressor format codes (flags bits 5-7).
const (
	bloscFormatBloscLZ = 0
	bloscFormatLZ4     = 1 // lz4 and lz4hc
	bloscFormatSnappy  = 2
	bloscFormatZlib    = 3
	bloscFormatZstd    = 4
)

var bloscFormatNames = [8]string{"blosclz", "lz4", "snappy", "zlib", "zstd", "format 5", "format 6", "format 7"}

// bloscFormat maps a compressor name to its format code; ok is false for
// names this package cannot write.
func bloscFormat(cname string) (code int, ok bool) {
	switch cname {
	case "blosclz":
		return bloscFormatBloscLZ, true
	case "lz4", "lz4hc":
		return bloscFormatLZ4, true
	case "snappy":
		return bloscFormatSnappy, true
	case "zlib":
		return bloscFormatZlib, true
	case "zstd":
		return bloscFormatZstd, true
	}
	return 0, false
}

// BloscOptions are a blosc codec's parameters, with numcodecs' names.
type BloscOptions struct {
	Cname     string // inner compressor: "lz4", "lz4hc", "zstd", "zlib", "snappy" or "blosclz" (decode only)
	Clevel    int    // 0 (store) to 9
	Shuffle   int    // BloscNoShuffle, BloscShuffle, BloscBitShuffle or BloscAutoShuffle
	Typesize  int    // element size in bytes for shuffling (1 to 255; larger is treated as 1, as c-blosc does)
	Blocksize int    // 0: chosen from the data size as c-blosc does
}

// Blosc is the Blosc 1.x meta-compressor (numcodecs "blosc", Zarr v3
// "blosc"). Decode reads any Blosc 1.x container whatever the codec's own
// parameters; Encode writes with them (for every compressor but blosclz,
// which this package only decodes).
type Blosc struct{ o BloscOptions }

// NewBlosc returns a blosc codec; numcodecs' default is
// NewBlosc("lz4", 5, BloscShuffle, itemsize).
func NewBlosc(cname string, clevel, shuffle, typesize int) (*Blosc, error) {
	return NewBloscOptions(BloscOptions{Cname: cname, Clevel: clevel, Shuffle: shuffle, Typesize: typesize})
}

// NewBloscOptions returns a blosc codec with all parameters given.
func NewBloscOptions(o BloscOptions) (*Blosc, error) {
	if _, ok := bloscFormat(o.Cname); !ok {
		return nil, fmt.Errorf("blosc: unknown compressor %q: %w", o.Cname, ErrUnsupported)
	}
	if o.Clevel < 0 || o.Clevel > 9 {
		return nil, fmt.Errorf("blosc: clevel %d not in 0..9: %w", o.Clevel, ErrUnsupported)
	}
	if o.Shuffle < BloscAutoShuffle || o.Shuffle > BloscBitShuffle {
		return nil, fmt.Errorf("blosc: shuffle %d not in -1..2: %w", o.Shuffle, ErrUnsupported)
	}
	if o.Typesize < 1 {
		return nil, fmt.Errorf("blosc: typesize %d < 1: %w", o.Typesize, ErrUnsupported)
	}
	if o.Blocksize < 0 || o.Blocksize > bloscMaxBuffer {
		return nil, fmt.Errorf("blosc: blocksize %d: %w", o.Blocksize, ErrUnsupported)
	}
	return &Blosc{o: o}, nil
}

// Options returns the codec's parameters as given.
func (c *Blosc) Options() BloscOptions { return c.o }

// WithTypesize returns a copy of c shuffling elements of n bytes (Zarr
// v2 metadata does not record it: numcodecs takes it from the array's
// dtype).
func (c *Blosc) WithTypesize(n int) *Blosc {
	d := *c
	if n >= 1 {
		d.o.Typesize = n
	}
	return &d
}

func shuffleName(s int) string {
	switch s {
	case BloscNoShuffle:
		return "noshuffle"
	case BloscShuffle:
		return "shuffle"
	case BloscBitShuffle:
		return "bitshuffle"
	case BloscAutoShuffle:
		return "autoshuffle"
	}
	return fmt.Sprintf("shuffle %d", s)
}

func (c *Blosc) Name() string {
	return fmt.Sprintf("blosc(%s, %d, %s)", c.o.Cname, c.o.Clevel, shuffleName(c.o.Shuffle))
}

// bloscHeader is a parsed container header.
type bloscHeader struct {
	version, versionLZ, flags, typesize int
	nbytes, blocksize, cbytes           int
}

func (h bloscHeader) format() int { return h.flags >> 5 }

// parseBloscHeader reads and checks the 16-byte header against len(src).
func parseBloscHeader(src []byte) (bloscHeader, error) {
	if len(src) < bloscHeaderSize {
		return bloscHeader{}, fmt.Errorf("blosc: %d bytes, shorter than the 16-byte header: %w", len(src), ErrCorrupt)
	}
	h := bloscHeader{
		version:   int(src[0]),
		versionLZ: int(src[1]),
		flags:     int(src[2]),
		typesize:  int(src[3]),
		nbytes:    int(int32(binary.LittleEndian.Uint32(src[4:]))),
		blocksize: int(int32(binary.LittleEndian.Uint32(src[8:]))),
		cbytes:    int(int32(binary.LittleEndian.Uint32(src[12:]))),
	}
	switch {
	case h.version < 1 || h.version > bloscVersion:
		return h, fmt.Errorf("blosc: format version %d (only Blosc 1.x containers, versions 1 and 2, are read): %w", h.version, ErrUnsupported)
	case h.nbytes < 0:
		return h, fmt.Errorf("blosc: header decoded size %d: %w", h.nbytes, ErrCorrupt)
	case h.cbytes < bloscHeaderSize:
		return h, fmt.Errorf("blosc: header compressed size %d: %w", h.cbytes, ErrCorrupt)
	case h.cbytes > len(src):
		return h, fmt.Errorf("blosc: header compressed size %d, but only %d bytes given (truncated?): %w", h.cbytes, len(src), ErrCorrupt)
	case h.nbytes > bloscMaxBuffer:
		return h, fmt.Errorf("blosc: header decoded size %d over the format's limit: %w", h.nbytes, ErrCorrupt)
	}
	return h, nil
}

// BloscInfo describes a blosc container from its header.
type BloscInfo struct {
	Compressor string // "lz4" (also lz4hc), "zstd", "zlib", "snappy", "blosclz"
	Typesize   int
	Nbytes     int // decoded size
	Blocksize  int
	Cbytes     int // container size
	Shuffle    int // BloscNoShuffle, BloscShuffle or BloscBitShuffle
	Memcpyed   bool
}

// ReadBloscInfo parses the header of a blosc container.
func ReadBloscInfo(src []byte) (BloscInfo, error) {
	h, err := parseBloscHeader(src)
	if err != nil {
		return BloscInfo{}, err
	}
	info := BloscInfo{
		Compressor: bloscFormatNames[h.format()],
		Typesize:   h.typesize, Nbytes: h.nbytes, Blocksize: h.blocksize, Cbytes: h.cbytes,
		Memcpyed: h.flags&bloscFlagMemcpy != 0,
	}
	switch {
	case h.flags&bloscFlagShuffle != 0 && h.typesize > 1:
		info.Shuffle = BloscShuffle
	case h.flags&bloscFlagBitShuffle != 0:
		info.Shuffle = BloscBitShuffle
	}
	return info, nil
}
