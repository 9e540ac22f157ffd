package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
)

// Gzip is the gzip codec (RFC 1952), numcodecs "gzip" and Zarr v3 "gzip".
type Gzip struct{ level int }

// Zlib is the zlib codec (RFC 1950), numcodecs "zlib".
type Zlib struct{ level int }

// NewGzip returns a gzip codec compressing at level (0-9; -1 is zlib's
// default, 6).
func NewGzip(level int) (*Gzip, error) {
	if err := checkDeflateLevel("gzip", level); err != nil {
		return nil, err
	}
	return &Gzip{level: level}, nil
}

// NewZlib returns a zlib codec compressing at level (0-9; -1 is zlib's
// default, 6).
func NewZlib(level int) (*Zlib, error) {
	if err := checkDeflateLevel("zlib", level); err != nil {
		return nil, err
	}
	return &Zlib{level: level}, nil
}

func checkDeflateLevel(name string, level int) error {
	if level < -1 || level > 9 {
		return fmt.Errorf("%s: level %d not in -1..9: %w", name, level, ErrUnsupported)
	}
	return nil
}

// Level is the compression level the codec was made with.
func (c *Gzip) Level() int { return c.level }

// Level is the compression level the codec was made with.
func (c *Zlib) Level() int { return c.level }

func (c *Gzip) Name() string { return fmt.Sprintf("gzip(%d)", c.level) }
func (c *Zlib) Name() string { return fmt.Sprintf("zlib(%d)", c.level) }

// deflateWriter is a pooled gzip or zlib writer.
type deflateWriter interface {
	io.WriteCloser
	Reset(io.Writer)
}

// deflateWriters pools writers per (gzip?, level).
var deflateWriters sync.Map // key deflateKey -> *sync.Pool

type deflateKey struct {
	gzip  bool
	level int
}

func deflateEncode(gz bool, level int, dst, src []byte) ([]byte, error) {
	if overlaps(dst, src) {
		dst = nil
	}
	key := deflateKey{gz, level}
	p, _ := deflateWriters.LoadOrStore(key, &sync.Pool{})
	pool := p.(*sync.Pool)
	out := bytes.NewBuffer(dst[:0])
	var w deflateWriter
	if v := pool.Get(); v != nil {
		w = v.(deflateWriter)
		w.Reset(out)
	} else {
		var err error
		if gz {
			w, err = gzip.NewWriterLevel(out, level)
		} else {
			w, err = zlib.NewWriterLevel(out, level)
		}
		if err != nil {
			return nil, err
		}
	}
	if _, err := w.Write(src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	pool.Put(w)
	return out.Bytes(), nil
}

func (c *Gzip) Encode(dst, src []byte) ([]byte, error) {
	out, err := deflateEncode(true, c.level, dst, src)
	if err != nil {
		return nil, fmt.Errorf("%s: encode: %w", c.Name(), err)
	}
	return out, nil
}

func (c *Zlib) Encode(dst, src []byte) ([]byte, error) {
	out, err := deflateEncode(false, c.level, dst, src)
	if err != nil {
		return nil, fmt.Errorf("%s: encode: %w", c.Name(), err)
	}
	return out, nil
}

var (
	gzipReaders sync.Pool // *gzip.Reader
	zlibReaders sync.Pool // io.ReadCloser implementing zlib.Resetter
)

func (c *Gzip) Decode(dst, src []byte, size int) ([]byte, error) {
	return gzipDecode(dst, src, size)
}

func (c *Zlib) Decode(dst, src []byte, size int) ([]byte, error) {
	return zlibDecode(dst, src, size)
}

func gzipDecode(dst, src []byte, size int) ([]byte, error) {
	if overlaps(dst, src) {
		dst = nil
	}
	br := bytes.NewReader(src)
	var r *gzip.Reader
	if v := gzipReaders.Get(); v != nil {
		r = v.(*gzip.Reader)
		if err := r.Reset(br); err != nil {
			return nil, fmt.Errorf("gzip: %v: %w", err, ErrCorrupt)
		}
	} else {
		var err error
		if r, err = gzip.NewReader(br); err != nil {
			return nil, fmt.Errorf("gzip: %v: %w", err, ErrCorrupt)
		}
	}
	out, err := readLimited("gzip", r, dst, size)
	if err == nil {
		gzipReaders.Put(r)
	}
	return out, err
}

func zlibDecode(dst, src []byte, size int) ([]byte, error) {
	if overlaps(dst, src) {
		dst = nil
	}
	br := bytes.NewReader(src)
	var r io.ReadCloser
	if v := zlibReaders.Get(); v != nil {
		r = v.(io.ReadCloser)
		if err := r.(zlib.Resetter).Reset(br, nil); err != nil {
			return nil, fmt.Errorf("zlib: %v: %w", err, ErrCorrupt)
		}
	} else {
		var err error
		if r, err = zlib.NewReader(br); err != nil {
			return nil, fmt.Errorf("zlib: %v: %w", err, ErrCorrupt)
		}
	}
	out, err := readLimited("zlib", r, dst, size)
	if err == nil {
		zlibReaders.Put(r)
	}
	return out, err
}

// readLimited reads r to its end into dst[:0]. With a known size it
// allocates size bytes at most and fails if r has more; with size -1 it
// grows the buffer as data arrives, up to MaxDecoded. Reading to the end
// makes gzip and zlib verify their checksums.
func readLimited(name string, r io.Reader, dst []byte, size int) ([]byte, error) {
	lim := decodeLimit(size)
	var out []byte
	if size >= 0 {
		// Fill out, then make sure the stream ends there. io.ReadFull
		// would not do: it reports a clean end after some bytes as
		// io.ErrUnexpectedEOF, which is also what a truncated stream
		// gives.
		out = resize(dst, lim)
		n := 0
		for {
			var m int
			var err error
			if n < len(out) {
				m, err = r.Read(out[n:])
			} else {
				var one [1]byte
				m, err = r.Read(one[:])
				if m > 0 {
					return nil, fmt.Errorf("%s: decoded data exceeds the expected %d bytes: %w", name, size, ErrTooLarge)
				}
			}
			n += m
			if errors.Is(err, io.EOF) {
				return out[:n], nil
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %v: %w", name, err, ErrCorrupt)
			}
		}
	}
	out = dst[:0]
	for {
		if len(out) == cap(out) {
			// Grow geometrically, never past lim+1 (one byte over the
			// limit is enough to tell that the stream is too long).
			want := max(2*cap(out), 64<<10)
			want = min(want, lim+1)
			out = slices.Grow(out, want-len(out))
		}
		n, err := r.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if len(out) > lim {
			return nil, fmt.Errorf("%s: decoded data exceeds MaxDecoded (%d): %w", name, MaxDecoded, ErrTooLarge)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v: %w", name, err, ErrCorrupt)
		}
	}
}
