//go:build unix

package device

import (
	"math"
	"os"
	"syscall"
	"unsafe"
)

var pageSize = int64(os.Getpagesize())

// mapLen is the length of the mapping behind a buffer of class size size:
// one page more than the class, for the colour offset.
func mapLen(size int64) int64 {
	return (size + pageSize + pageSize - 1) &^ (pageSize - 1)
}

// sysMap maps size bytes of fresh (zero) anonymous memory off the Go heap
// and returns them starting offset bytes (< 4096, a multiple of 64) into
// the mapping.
func sysMap(size int64, offset uint) ([]byte, error) {
	n := mapLen(size)
	if n > math.MaxInt {
		return nil, syscall.ENOMEM
	}
	m, err := syscall.Mmap(-1, 0, int(n), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	advise(m)
	off := int64(offset)
	return m[off : off+size : off+size], nil
}

// sysUnmap unmaps the mapping behind a buffer from sysMap. The mapping
// starts at the page holding b[0] (the offset is under a page) and syscall
// finds it by its first and last bytes.
func sysUnmap(b []byte) error {
	p := unsafe.Pointer(unsafe.SliceData(b))
	off := int(uintptr(p) & uintptr(pageSize-1))
	m := unsafe.Slice((*byte)(unsafe.Add(p, -off)), mapLen(int64(cap(b))))
	return syscall.Munmap(m)
}
