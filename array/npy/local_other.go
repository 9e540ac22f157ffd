//go:build !unix

package npy

import "context"

// fetch reads [off, off+n) with pread.
func (l *localFile) fetch(ctx context.Context, off, n int64) ([]byte, func() error, error) {
	if err := l.check(off, n); err != nil {
		return nil, nil, err
	}
	b := make([]byte, n)
	if _, err := l.f.ReadAt(b, off); err != nil {
		return nil, nil, err
	}
	return b, nil, nil
}

func (l *localFile) limits() (int64, int64) { return DefaultRangeBytes, maxGapBytes }
