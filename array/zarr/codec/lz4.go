package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"

	"github.com/pierrec/lz4/v4"
)

// LZ4 is numcodecs' "lz4" codec: a 4-byte little-endian decoded size,
// then one LZ4 block.
type LZ4 struct{ acceleration int }

// NewLZ4 returns the numcodecs lz4 codec.
func NewLZ4() *LZ4 { return &LZ4{acceleration: 1} }

// WithAcceleration returns a copy of c that records numcodecs'
// "acceleration" parameter for its metadata. The pure-Go encoder has a
// single speed, so the value does not change the output (any LZ4 decoder
// reads it either way).
func (c *LZ4) WithAcceleration(a int) *LZ4 {
	d := *c
	d.acceleration = a
	return &d
}

// Acceleration is numcodecs' acceleration parameter (1 by default).
func (c *LZ4) Acceleration() int { return c.acceleration }

func (c *LZ4) Name() string { return "lz4" }

var lz4Compressors = sync.Pool{New: func() any { return new(lz4.Compressor) }}

// lz4Block compresses src into one LZ4 block appended to dst. An empty
// src gives the one-token empty block.
func lz4Block(dst, src []byte) ([]byte, error) {
	if len(src) == 0 {
		return append(dst, 0), nil
	}
	start := len(dst)
	bound := lz4.CompressBlockBound(len(src))
	dst = append(dst, make([]byte, bound)...)
	comp := lz4Compressors.Get().(*lz4.Compressor)
	n, err := comp.CompressBlock(src, dst[start:])
	lz4Compressors.Put(comp)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("lz4: block compressor gave no output for %d bytes", len(src))
	}
	return dst[:start+n], nil
}

func (c *LZ4) Encode(dst, src []byte) ([]byte, error) {
	if len(src) > math.MaxInt32 {
		return nil, fmt.Errorf("lz4: %d bytes exceed the format's 2 GiB limit: %w", len(src), ErrTooLarge)
	}
	if overlaps(dst, src) {
		dst = nil
	}
	dst = binary.LittleEndian.AppendUint32(dst[:0], uint32(len(src)))
	out, err := lz4Block(dst, src)
	if err != nil {
		return nil, fmt.Errorf("lz4: encode: %w", err)
	}
	return out, nil
}

func (c *LZ4) Decode(dst, src []byte, size int) ([]byte, error) {
	if len(src) < 4 {
		return nil, fmt.Errorf("lz4: %d bytes, shorter than the 4-byte size header: %w", len(src), ErrCorrupt)
	}
	n := int64(int32(binary.LittleEndian.Uint32(src)))
	if err := checkDecoded("lz4", n, size); err != nil {
		return nil, err
	}
	// An LZ4 block grows at most about 255-fold: a bigger claim is
	// corrupt, and is refused before allocating.
	if block := int64(len(src) - 4); n > 256*block+64 {
		return nil, fmt.Errorf("lz4: %d-byte block cannot decode to the %d bytes its header claims: %w", block, n, ErrCorrupt)
	}
	out := resizeApart(dst, int(n), src)
	if err := lz4Exact(out, src[4:]); err != nil {
		return nil, fmt.Errorf("lz4: %w", err)
	}
	return out, nil
}

// lz4Exact decodes one LZ4 block that must fill out exactly.
func lz4Exact(out, block []byte) error {
	if len(out) == 0 {
		// The only block that decodes to nothing is one empty literal
		// token. (Never hand pierrec/lz4 an empty dst: its amd64 decoder
		// dereferences it and crashes on some inputs.)
		if len(block) == 1 && block[0] == 0 {
			return nil
		}
		return fmt.Errorf("%d-byte block for no data: %w", len(block), ErrCorrupt)
	}
	got, err := lz4.UncompressBlock(block, out)
	if err != nil {
		return fmt.Errorf("block: %v: %w", err, ErrCorrupt)
	}
	if got != len(out) {
		return fmt.Errorf("block decodes to %d bytes, want %d: %w", got, len(out), ErrCorrupt)
	}
	return nil
}
