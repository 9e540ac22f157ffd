package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrNeedWhole is wrapped by StreamDecoder errors that say the input
// cannot be decoded as it is read: the caller reads it whole and calls
// Decode, which also gives the precise error where the input is bad.
var ErrNeedWhole = errors.New("input must be decoded whole")

// StreamDecoder is implemented by codecs that can decode some inputs as
// they are read, straight into the caller's buffer, so that a chunk's
// encoded bytes are never held whole.
type StreamDecoder interface {
	// DecodeStream decodes the n bytes r gives into dst, which they must
	// fill exactly. It returns nil, an error of r's, or an error
	// wrapping ErrNeedWhole: then dst holds anything and r is read
	// partly, and the caller decodes the whole input with Decode (which
	// accepts every input DecodeStream does, with the same result).
	DecodeStream(dst []byte, r io.Reader, n int64) error
}

// zstd's frame magic number, its largest block (Block_Maximum_Size is
// at most 128 KiB, RFC 8878 section 3.1.1.2.4) and window.
const (
	zstdMagic    = 0xFD2FB528
	zstdMaxBlock = 128 << 10
	// the largest window Decode accepts (klauspost's default)
	zstdMaxWindow = 1 << 29
)

// DecodeStream decodes frames made only of raw and RLE blocks (what the
// encoders write for incompressible data, random floats among them) as
// they are read: each raw block is read from r straight into dst, so the
// encoded bytes are never held and are copied once. A compressed block,
// a content checksum, a dictionary, a skippable frame or anything
// malformed is ErrNeedWhole: compressed blocks need the decoder's
// history, which a stream would have to keep beside dst.
func (c *Zstd) DecodeStream(dst []byte, r io.Reader, n int64) error {
	if n <= 0 {
		return fmt.Errorf("%s: empty input: %w", c.Name(), ErrNeedWhole)
	}
	s := zstdStream{r: r, left: n}
	o := 0 // bytes of dst written
	for s.left > 0 {
		var err error
		if o, err = s.frame(dst, o); err != nil {
			return fmt.Errorf("%s: %w", c.Name(), err)
		}
	}
	if o != len(dst) {
		return fmt.Errorf("%s: %d bytes decoded, want %d: %w", c.Name(), o, len(dst), ErrNeedWhole)
	}
	return nil
}

// zstdStream reads a zstd input of a known length.
type zstdStream struct {
	r    io.Reader
	left int64 // bytes of the input not read yet
}

// read fills p from the input; past its end is ErrNeedWhole (a
// truncated frame: Decode says so), a short object is the reader's error.
func (s *zstdStream) read(p []byte) error {
	if int64(len(p)) > s.left {
		return fmt.Errorf("frame runs past the input's end: %w", ErrNeedWhole)
	}
	if _, err := io.ReadFull(s.r, p); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("reading: %w", err)
	}
	s.left -= int64(len(p))
	return nil
}

// frame decodes one frame into dst[o:] and returns the new o.
func (s *zstdStream) frame(dst []byte, o int) (int, error) {
	// magic (4), descriptor (1), window (0-1), no dictionary id,
	// content size (0-8)
	var h [14]byte
	if err := s.read(h[:5]); err != nil {
		return o, err
	}
	if binary.LittleEndian.Uint32(h[:]) != zstdMagic {
		return o, fmt.Errorf("not a zstd frame (skippable or corrupt): %w", ErrNeedWhole)
	}
	fhd := h[4]
	single := fhd&(1<<5) != 0
	if fhd&(1<<3) != 0 || fhd&(1<<2) != 0 || fhd&3 != 0 {
		return o, fmt.Errorf("frame with a reserved bit, a checksum or a dictionary: %w", ErrNeedWhole)
	}
	fcsLen := [4]int{0, 2, 4, 8}[fhd>>6]
	if fcsLen == 0 && single {
		fcsLen = 1
	}
	rest := fcsLen
	if !single {
		rest++ // the window descriptor
	}
	if err := s.read(h[5 : 5+rest]); err != nil {
		return o, err
	}
	maxBlock := zstdMaxBlock
	if !single {
		// Window_Size from its descriptor: (1 << (10 + exponent)) * (1 + mantissa/8)
		wd := h[5]
		w := uint64(1) << (10 + wd>>3)
		w += w / 8 * uint64(wd&7)
		if w > zstdMaxWindow {
			return o, fmt.Errorf("window of %d bytes: %w", w, ErrNeedWhole)
		}
		if w < zstdMaxBlock {
			maxBlock = int(w)
		}
	}
	size := int64(-1) // the frame's content size, when it says
	f := h[5+rest-fcsLen : 5+rest]
	switch fcsLen {
	case 1:
		size = int64(f[0])
	case 2:
		size = int64(binary.LittleEndian.Uint16(f)) + 256
	case 4:
		size = int64(binary.LittleEndian.Uint32(f))
	case 8:
		if v := binary.LittleEndian.Uint64(f); v <= uint64(len(dst)) {
			size = int64(v)
		} else {
			size = int64(len(dst)) + 1
		}
	}
	if size > int64(len(dst)-o) {
		return o, fmt.Errorf("frame content size %d over the %d bytes left: %w", size, len(dst)-o, ErrNeedWhole)
	}
	if single && size >= 0 && size < int64(maxBlock) {
		maxBlock = int(size) // the window is the content
	}
	start := o
	var bh [4]byte // a block header, with an RLE block's byte before it
	if err := s.read(bh[1:4]); err != nil {
		return o, err
	}
	for {
		v := uint32(bh[1]) | uint32(bh[2])<<8 | uint32(bh[3])<<16
		last, typ, n := v&1 != 0, (v>>1)&3, int(v>>3)
		if n > maxBlock || n > len(dst)-o {
			return o, fmt.Errorf("block of %d bytes (at most %d, %d left in the chunk): %w", n, maxBlock, len(dst)-o, ErrNeedWhole)
		}
		next := 3 // the next block's header, read with this block
		if last {
			next = 0
		}
		switch typ {
		case 0: // raw: read into place, with the next header when dst has room
			if o+n+next <= len(dst) {
				if err := s.read(dst[o : o+n+next]); err != nil {
					return o, err
				}
				copy(bh[1:], dst[o+n:o+n+next]) // overwritten by the next block
			} else {
				if err := s.read(dst[o : o+n]); err != nil {
					return o, err
				}
				if err := s.read(bh[1 : 1+next]); err != nil {
					return o, err
				}
			}
		case 1: // RLE: one byte, repeated
			if err := s.read(bh[:1+next]); err != nil {
				return o, err
			}
			fill(dst[o:o+n], bh[0])
		default: // compressed or reserved
			return o, fmt.Errorf("block type %d: %w", typ, ErrNeedWhole)
		}
		o += n
		if last {
			break
		}
	}
	if size >= 0 && int64(o-start) != size {
		return o, fmt.Errorf("frame holds %d bytes, its header says %d: %w", o-start, size, ErrNeedWhole)
	}
	return o, nil
}

// fill sets every byte of p to b.
func fill(p []byte, b byte) {
	if len(p) == 0 {
		return
	}
	p[0] = b
	for k := 1; k < len(p); k *= 2 {
		copy(p[k:], p[:k])
	}
}
