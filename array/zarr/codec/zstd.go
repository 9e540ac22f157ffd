package codec

import (
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Zstd is the Zstandard codec, numcodecs "zstd" and Zarr v3 "zstd".
type Zstd struct {
	level    int
	checksum bool
}

// NewZstd returns a zstd codec compressing at level (zstd's scale:
// 1-22, 0 meaning the default 3, negative levels the fastest). The
// encoder is klauspost/compress's, which maps the level range onto its
// four speeds (fastest < 3 <= default < 6 <= better < 10 <= best).
func NewZstd(level int) (*Zstd, error) {
	if level > 22 || level < -(1<<17) {
		return nil, fmt.Errorf("zstd: level %d not in -131072..22: %w", level, ErrUnsupported)
	}
	return &Zstd{level: level}, nil
}

// WithChecksum returns a copy of c that writes a content checksum in each
// frame (Zarr v3 "checksum": true). Decode verifies checksums either way.
func (c *Zstd) WithChecksum(on bool) *Zstd {
	d := *c
	d.checksum = on
	return &d
}

// Level is the compression level the codec was made with.
func (c *Zstd) Level() int { return c.level }

// Checksum says whether Encode writes frame checksums.
func (c *Zstd) Checksum() bool { return c.checksum }

func (c *Zstd) Name() string { return fmt.Sprintf("zstd(%d)", c.level) }

type zstdKey struct {
	level    zstd.EncoderLevel
	checksum bool
}

var (
	zstdEncMu sync.Mutex
	zstdEncs  = map[zstdKey]*zstd.Encoder{}

	zstdDecOnce   sync.Once
	zstdDecCapped *zstd.Decoder // DecodeAll never writes past cap(dst)
	zstdDecOpen   *zstd.Decoder // size unknown: grows up to MaxDecoded
	zstdDecErr    error
)

func zstdLevel(level int) zstd.EncoderLevel {
	if level == 0 {
		level = 3
	}
	return zstd.EncoderLevelFromZstd(level)
}

// zstdEncoder returns the shared encoder for a level (EncodeAll is safe
// for concurrent use).
func zstdEncoder(level int, checksum bool) (*zstd.Encoder, error) {
	key := zstdKey{zstdLevel(level), checksum}
	zstdEncMu.Lock()
	defer zstdEncMu.Unlock()
	if e := zstdEncs[key]; e != nil {
		return e, nil
	}
	e, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(key.level),
		zstd.WithEncoderCRC(checksum),
		zstd.WithZeroFrames(true), // an empty input still makes a frame
		// Always record the content size: numcodecs cannot decode a
		// frame without it (klauspost leaves it out below 1 KiB).
		zstd.WithSingleSegment(true),
	)
	if err != nil {
		return nil, err
	}
	zstdEncs[key] = e
	return e, nil
}

func zstdDecoders() (capped, open *zstd.Decoder, err error) {
	zstdDecOnce.Do(func() {
		zstdDecCapped, zstdDecErr = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderMaxMemory(MaxDecoded),
			zstd.WithDecodeAllCapLimit(true))
		if zstdDecErr != nil {
			return
		}
		zstdDecOpen, zstdDecErr = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderMaxMemory(MaxDecoded))
	})
	return zstdDecCapped, zstdDecOpen, zstdDecErr
}

func (c *Zstd) Encode(dst, src []byte) ([]byte, error) {
	e, err := zstdEncoder(c.level, c.checksum)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name(), err)
	}
	if overlaps(dst, src) {
		dst = nil
	}
	return e.EncodeAll(src, dst[:0]), nil
}

func (c *Zstd) Decode(dst, src []byte, size int) ([]byte, error) {
	return zstdDecode(c.Name(), dst, src, size)
}

// zstdDecode decodes all frames of src. With a known size it decodes into
// a buffer of capacity size and fails if the frames hold more.
func zstdDecode(name string, dst, src []byte, size int) ([]byte, error) {
	capped, open, err := zstdDecoders()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(src) == 0 {
		return nil, fmt.Errorf("%s: empty input: %w", name, ErrCorrupt)
	}
	if overlaps(dst, src) {
		dst = nil
	}
	var h zstd.Header
	if err := h.Decode(src); err == nil && h.HasFCS {
		if h.FrameContentSize > MaxDecoded {
			return nil, fmt.Errorf("%s: frame content size %d exceeds MaxDecoded (%d): %w", name, h.FrameContentSize, MaxDecoded, ErrTooLarge)
		}
		if err := checkDecoded(name, int64(h.FrameContentSize), size); err != nil {
			return nil, err
		}
		// Each zstd block holds at most 128 KiB and takes at least 4
		// bytes (an RLE block): a bigger claim is corrupt, and is refused
		// before the decoder allocates it.
		if h.FrameContentSize > uint64(len(src))<<15+1<<17 {
			return nil, fmt.Errorf("%s: %d-byte input cannot hold the %d bytes its frame header claims: %w", name, len(src), h.FrameContentSize, ErrCorrupt)
		}
	}
	var out []byte
	if size >= 0 {
		lim := decodeLimit(size)
		if cap(dst) >= lim {
			out = dst[:0:lim]
		} else {
			out = make([]byte, 0, lim)
		}
		out, err = capped.DecodeAll(src, out)
	} else {
		out, err = open.DecodeAll(src, dst[:0])
	}
	if err != nil {
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) {
			return nil, fmt.Errorf("%s: decoded data exceeds the expected %d bytes: %w", name, size, ErrTooLarge)
		}
		return nil, fmt.Errorf("%s: %v: %w", name, err, ErrCorrupt)
	}
	return out, nil
}
