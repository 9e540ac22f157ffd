//go:build unix

package npy

import (
	"context"
	"fmt"
	"os"
	"syscall"
)

// fetch maps [off, off+n) read-only (from the page boundary below off);
// release unmaps it. Only the pages a block touches are ever read.
func (l *localFile) fetch(ctx context.Context, off, n int64) ([]byte, func() error, error) {
	if err := l.check(off, n); err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return nil, nil, nil
	}
	page := int64(os.Getpagesize())
	a := off &^ (page - 1)
	length := off + n - a
	if int64(int(length)) != length {
		return nil, nil, fmt.Errorf("mapping of %d bytes does not fit an int", length)
	}
	m, err := syscall.Mmap(int(l.f.Fd()), a, int(length), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap %s [%d,+%d): %w", l.f.Name(), a, length, err)
	}
	return m[off-a:], func() error {
		if err := syscall.Munmap(m); err != nil {
			return fmt.Errorf("munmap %s: %w", l.f.Name(), err)
		}
		return nil
	}, nil
}

// limits: mappings of at most mmapWindow bytes, however far apart the
// runs they cover (a hole costs address space, not memory); the window
// bounds the file pages a load task holds mapped at once.
func (l *localFile) limits() (int64, int64) { return mmapWindow, 0 }
