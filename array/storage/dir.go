package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Dir is a Store on a local directory: one file per key.
type Dir struct {
	root string // absolute
}

// NewDir returns the store rooted at path (made absolute; the directory
// need not exist yet).
func NewDir(path string) (*Dir, error) {
	if path == "" {
		return nil, fmt.Errorf("storage: empty directory path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return &Dir{root: abs}, nil
}

// Root is the directory's absolute path.
func (d *Dir) Root() string { return d.root }

// Path is the file that holds key.
func (d *Dir) Path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// URL is "file://" + the root.
func (d *Dir) URL() string { return "file://" + filepath.ToSlash(d.root) }

func notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: %q: %w", key, ErrNotFound)
	}
	return fmt.Errorf("storage: %w", err)
}

// Get reads the whole file (at most MaxObjectBytes).
func (d *Dir) Get(ctx context.Context, key string) ([]byte, error) {
	return d.GetAppend(ctx, key, nil)
}

// open opens the file of key for reading, with its size.
func (d *Dir) open(ctx context.Context, key string) (*os.File, int64, error) {
	p, err := d.Path(key)
	if err != nil {
		return nil, 0, err
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, notFound(key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("storage: %w", err)
	}
	if st.IsDir() {
		f.Close()
		return nil, 0, fmt.Errorf("storage: %q is a directory: %w", key, ErrNotFound)
	}
	return f, st.Size(), nil
}

// GetRange reads n bytes at off (n < 0: to the end).
func (d *Dir) GetRange(ctx context.Context, key string, off, n int64) ([]byte, error) {
	f, size, err := d.open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if n < 0 {
		n = size - off
	}
	if off < 0 || n < 0 || off+n > size || off+n < off {
		return nil, fmt.Errorf("storage: %q: range [%d, %d+%d) outside its %d bytes", key, off, off, n, size)
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, off); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		return nil, fmt.Errorf("storage: %q: %w", key, err)
	}
	return buf, nil
}

// Size is the file's size.
func (d *Dir) Size(ctx context.Context, key string) (int64, error) {
	p, err := d.Path(key)
	if err != nil {
		return 0, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return 0, notFound(key, err)
	}
	if st.IsDir() {
		return 0, fmt.Errorf("storage: %q is a directory: %w", key, ErrNotFound)
	}
	return st.Size(), nil
}

// Put writes a temporary file beside the target, syncs nothing (the
// rename is the atomic step), and renames it over the target; on any
// failure the temporary file is removed.
func (d *Dir) Put(ctx context.Context, key string, data []byte) error {
	p, err := d.Path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(p)+"-*")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, p)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: put %q: %w", key, werr)
	}
	return nil
}

// Delete removes the file.
func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.Path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}

// List walks the directory for keys under prefix (temporary files of
// unfinished Puts are not keys).
func (d *Dir) List(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() || strings.HasPrefix(e.Name(), ".tmp-") {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		k := filepath.ToSlash(rel)
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list %q: %w", prefix, err)
	}
	sort.Strings(out)
	return out, nil
}

// GetAppend reads the whole file into buf[:0] (growing it only when the
// file is larger than its capacity), so a caller reading many objects
// can reuse one buffer: see Appender.
func (d *Dir) GetAppend(ctx context.Context, key string, buf []byte) ([]byte, error) {
	f, n, err := d.open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if n > MaxObjectBytes {
		return nil, fmt.Errorf("storage: %q: %d bytes, more than MaxObjectBytes (%d)", key, n, int64(MaxObjectBytes))
	}
	if int64(cap(buf)) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("storage: %q: %w", key, err)
	}
	return buf, nil
}

// GetStream opens the file for reading: the caller reads it as it needs
// it (no object-sized buffer) and closes it. See Streamer.
func (d *Dir) GetStream(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	f, n, err := d.open(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	return f, n, nil
}
