package npy

import (
	"context"
	"fmt"
	"os"
)

// localFile is a stored object on the local file system, read with
// pread: long runs that need no conversion straight into the block
// (readRuns), others in ranges of nearby runs through a scratch buffer
// (fetch).
type localFile struct {
	f    *os.File
	size int64
	buf  []byte // scratch for fetch, reused
}

// openLocal opens path and checks that it still has the size it had
// when the array was loaded.
func openLocal(path string, size int64) (*localFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.Size() != size {
		f.Close()
		return nil, fmt.Errorf("%s changed since it was loaded: %d bytes, was %d", path, st.Size(), size)
	}
	return &localFile{f: f, size: size}, nil
}

func (l *localFile) close() error { return l.f.Close() }

func (l *localFile) check(off, n int64) error {
	if off < 0 || n < 0 || off > l.size-n {
		return fmt.Errorf("range [%d,+%d) outside the %d-byte file %s", off, n, l.size, l.f.Name())
	}
	return nil
}

// readRuns preads each run of plan straight into its place in dst (for
// long runs that need no conversion: one copy, no mapping).
func (l *localFile) readRuns(ctx context.Context, base int64, t diskType, plan *runPlan, dst []byte) error {
	runBytes := plan.runElems * int64(t.size)
	for r := int64(0); r < plan.nRuns; r++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		off := base + plan.offset(r)*int64(t.size)
		if err := l.check(off, runBytes); err != nil {
			return err
		}
		if _, err := l.f.ReadAt(dst[r*runBytes:(r+1)*runBytes], off); err != nil {
			return fmt.Errorf("read %s [%d,+%d): %w", l.f.Name(), off, runBytes, err)
		}
	}
	return nil
}

// fetch preads [off, off+n) into the scratch buffer (valid until the
// next fetch).
func (l *localFile) fetch(ctx context.Context, off, n int64) ([]byte, func() error, error) {
	if err := l.check(off, n); err != nil {
		return nil, nil, err
	}
	if int64(cap(l.buf)) < n {
		l.buf = make([]byte, n)
	}
	b := l.buf[:n]
	if _, err := l.f.ReadAt(b, off); err != nil {
		return nil, nil, fmt.Errorf("read %s [%d,+%d): %w", l.f.Name(), off, n, err)
	}
	return b, nil, nil
}

// limits: ranges of at most localWindow bytes, merging runs at most
// localGap apart (reading a small hole is cheaper than a system call).
func (l *localFile) limits() (int64, int64) { return localWindow, localGap }
