package arrowio

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/blockwork-dev/blockwork/array/storage"
)

// splitURL splits a file URL into the URL of its directory (the store)
// and its base name (the key): "s3://b/p/x.arrow" -> "s3://b/p",
// "x.arrow"; "data/x.arrow" -> "data", "x.arrow"; "x.arrow" -> ".".
func splitURL(url string) (dir, key string, err error) {
	if url == "" {
		return "", "", fmt.Errorf("arrowio: empty URL")
	}
	rest := url
	prefix := ""
	if scheme, after, ok := strings.Cut(url, "://"); ok {
		prefix, rest = scheme+"://", after
	}
	i := strings.LastIndex(rest, "/")
	switch {
	case i < 0 && prefix != "" && prefix != "file://":
		return "", "", fmt.Errorf("arrowio: URL %q names no file inside its bucket", url)
	case i < 0:
		dir, key = prefix+".", rest
	case i == 0:
		dir, key = prefix+"/", rest[1:]
	default:
		dir, key = prefix+rest[:i], rest[i+1:]
	}
	if err := storage.CheckKey(key); err != nil {
		return "", "", fmt.Errorf("arrowio: URL %q does not name a file: %w", url, err)
	}
	return dir, key, nil
}

// openStore opens the store holding the file url names.
func openStore(url string) (storage.Store, string, error) {
	dir, key, err := splitURL(url)
	if err != nil {
		return nil, "", err
	}
	st, err := storage.Open(dir)
	if err != nil {
		return nil, "", fmt.Errorf("arrowio: %w", err)
	}
	return st, key, nil
}

// source reads byte ranges of one object: straight from the file for a
// local directory, else by GetRange. It is an io.ReaderAt and io.Seeker
// (Seek only answers positions, for readers that ask the size that way).
type source struct {
	ctx  context.Context
	st   storage.Store
	key  string
	f    *os.File // local directory: the open file
	size int64
	pos  int64
}

// reopen opens the file a load task names (in whichever process runs it)
// and checks it still has the size it had when the array was made.
func reopen(ctx context.Context, url, key string, size int64) (*source, error) {
	st, err := storage.Open(url)
	if err != nil {
		return nil, err
	}
	src, err := openSource(ctx, st, key)
	if err != nil {
		return nil, err
	}
	if src.size != size {
		src.Close()
		return nil, fmt.Errorf("the file is %d bytes, was %d when opened: it changed", src.size, size)
	}
	return src, nil
}

func openSource(ctx context.Context, st storage.Store, key string) (*source, error) {
	s := &source{ctx: ctx, st: st, key: key}
	if d, ok := st.(*storage.Dir); ok {
		p, err := d.Path(key)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("arrowio: %s: %w", st.URL()+"/"+key, storage.ErrNotFound)
			}
			return nil, fmt.Errorf("arrowio: %w", err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("arrowio: %w", err)
		}
		if fi.IsDir() {
			f.Close()
			return nil, fmt.Errorf("arrowio: %s is a directory", p)
		}
		s.f, s.size = f, fi.Size()
		return s, nil
	}
	n, err := st.Size(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("arrowio: %w", err)
	}
	s.size = n
	return s, nil
}

func (s *source) name() string { return s.st.URL() + "/" + s.key }

// Close releases the open file, if any.
func (s *source) Close() error {
	if s.f != nil {
		return s.f.Close()
	}
	return nil
}

// rng returns n bytes at off; the range must lie inside the object.
func (s *source) rng(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > s.size || n > s.size-off {
		return nil, fmt.Errorf("arrowio: %s: range [%d, +%d) outside its %d bytes", s.name(), off, n, s.size)
	}
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	if s.f == nil {
		b, err := s.st.GetRange(s.ctx, s.key, off, n)
		if err != nil {
			return nil, fmt.Errorf("arrowio: %w", err)
		}
		if int64(len(b)) != n {
			return nil, fmt.Errorf("arrowio: %s: short read at %d: %d of %d bytes", s.name(), off, len(b), n)
		}
		return b, nil
	}
	b := make([]byte, n)
	if _, err := s.f.ReadAt(b, off); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		return nil, fmt.Errorf("arrowio: %s: %w", s.name(), err)
	}
	return b, nil
}

// ReadAt implements io.ReaderAt.
func (s *source) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("arrowio: negative offset %d", off)
	}
	if off >= s.size {
		return 0, io.EOF
	}
	n := int64(len(p))
	short := false
	if n > s.size-off {
		n, short = s.size-off, true
	}
	if s.f != nil {
		if err := s.ctx.Err(); err != nil {
			return 0, err
		}
		k, err := s.f.ReadAt(p[:n], off)
		if err == nil && short {
			err = io.EOF
		}
		return k, err
	}
	b, err := s.rng(off, n)
	if err != nil {
		return 0, err
	}
	copy(p, b)
	if short {
		return int(n), io.EOF
	}
	return int(n), nil
}

// Read implements io.Reader from the Seek position.
func (s *source) Read(p []byte) (int, error) {
	n, err := s.ReadAt(p, s.pos)
	s.pos += int64(n)
	return n, err
}

// Seek implements io.Seeker over the object's size.
func (s *source) Seek(offset int64, whence int) (int64, error) {
	var p int64
	switch whence {
	case io.SeekStart:
		p = offset
	case io.SeekCurrent:
		p = s.pos + offset
	case io.SeekEnd:
		p = s.size + offset
	default:
		return 0, fmt.Errorf("arrowio: bad whence %d", whence)
	}
	if p < 0 {
		return 0, fmt.Errorf("arrowio: seek to negative position %d", p)
	}
	s.pos = p
	return p, nil
}

// sink is where a file is written: a temporary file renamed over the
// target (local directory) or a bounded memory buffer Put at the end.
type sink struct {
	w      io.Writer
	commit func(ctx context.Context) error
	abort  func()
}

func createSink(url string) (*sink, error) {
	st, key, err := openStore(url)
	if err != nil {
		return nil, err
	}
	if d, ok := st.(*storage.Dir); ok {
		p, err := d.Path(key)
		if err != nil {
			return nil, err
		}
		dir := filepath.Dir(p)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("arrowio: %w", err)
		}
		f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(p)+"-*")
		if err != nil {
			return nil, fmt.Errorf("arrowio: %w", err)
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		done := false
		return &sink{
			w: bw,
			commit: func(context.Context) error {
				done = true
				err := bw.Flush()
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err == nil {
					err = os.Rename(f.Name(), p)
				}
				if err != nil {
					os.Remove(f.Name())
					return fmt.Errorf("arrowio: write %s: %w", p, err)
				}
				return nil
			},
			abort: func() {
				if !done {
					f.Close()
					os.Remove(f.Name())
				}
			},
		}, nil
	}
	buf := &boundedBuffer{limit: MaxBufferedWrite, url: url}
	return &sink{
		w: buf,
		commit: func(ctx context.Context) error {
			if err := st.Put(ctx, key, buf.b.Bytes()); err != nil {
				return fmt.Errorf("arrowio: %w", err)
			}
			return nil
		},
		abort: func() {},
	}, nil
}

// boundedBuffer is a bytes.Buffer that refuses to grow past limit.
type boundedBuffer struct {
	b     bytes.Buffer
	limit int64
	url   string
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if int64(b.b.Len())+int64(len(p)) > b.limit {
		return 0, fmt.Errorf("arrowio: %s: the file would exceed %d bytes, the most built in memory for a store without streaming writes", b.url, b.limit)
	}
	return b.b.Write(p)
}

// writeOnly hides every method of a writer but Write (so that libraries
// that close an io.Closer they were given leave the sink alone).
type writeOnly struct{ io.Writer }
