//go:build !unix

package device

import (
	"fmt"
	"math"
)

// sysMap is the fallback where there is no mmap: a Go-heap slice (zero,
// as a fresh mapping is). The colour offset is ignored.
func sysMap(size int64, offset uint) ([]byte, error) {
	if size > math.MaxInt {
		return nil, fmt.Errorf("%d bytes do not fit this platform's address space", size)
	}
	return make([]byte, size), nil
}

// sysUnmap leaves the slice to the garbage collector.
func sysUnmap(b []byte) error { return nil }
