package device

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/blockwork-dev/blockwork/graph"
)

// ErrOutOfMemory is wrapped when an allocation exceeds a device's limit or
// the memory the system gives.
var ErrOutOfMemory = errors.New("device: out of memory")

// Device is one place that holds buffers and runs kernels.
type Device interface {
	// Kind is the device's kind (CPU, GPU).
	Kind() graph.DeviceKind
	// Name is a short human name ("cpu", "gpu0").
	Name() string
	// Alloc returns a buffer of exactly n bytes with one reference, or an
	// error wrapping ErrOutOfMemory. Contents are undefined.
	Alloc(n int64) (*Buffer, error)
	// Stats reports the accounting.
	Stats() Stats
}

// Stats is a device's memory accounting.
type Stats struct {
	LiveBytes   int64 // bytes in buffers not yet released
	LiveBuffers int64
	PeakBytes   int64 // high-water mark of LiveBytes
	Allocs      int64 // buffers handed out in all
	PoolBytes   int64 // bytes held by the allocator (live plus cached)
}

// Buffer is a refcounted block of device memory of an exact size. Host
// buffers expose their bytes; device buffers expose a device pointer.
type Buffer struct {
	dev  Device
	host []byte
	ptr  uintptr
	size int64
	refs atomic.Int32
	free func(*Buffer)
	// Tag is for the owner (an allocator's size class, say).
	Tag int
}

// NewBuffer wraps memory a Device implementation owns; free is called once
// when the last reference is released. For device implementations only.
func NewBuffer(dev Device, host []byte, ptr uintptr, size int64, free func(*Buffer)) *Buffer {
	b := &Buffer{dev: dev, host: host, ptr: ptr, size: size, free: free}
	b.refs.Store(1)
	return b
}

// Device is the device holding b.
func (b *Buffer) Device() Device { return b.dev }

// Len is b's size in bytes.
func (b *Buffer) Len() int64 { return b.size }

// Bytes returns the host bytes of b (len == Len()), or nil for memory that
// is not host-addressable.
func (b *Buffer) Bytes() []byte { return b.host }

// Ptr is the device pointer of a device buffer (0 for host buffers).
func (b *Buffer) Ptr() uintptr { return b.ptr }

// Refs is the current reference count (for tests and assertions).
func (b *Buffer) Refs() int32 { return b.refs.Load() }

// Retain adds a reference.
func (b *Buffer) Retain() {
	if b.refs.Add(1) <= 1 {
		panic("device: Retain of a released buffer")
	}
}

// Release drops a reference and frees the buffer when none are left.
// Releasing more often than retaining is a bug and panics.
func (b *Buffer) Release() {
	n := b.refs.Add(-1)
	if n == 0 {
		if b.free != nil {
			b.free(b)
		}
		b.host = nil
		return
	}
	if n < 0 {
		panic("device: Release of a released buffer")
	}
}

// Number is the set of Go element types of the dtypes.
type Number interface {
	~uint8 | ~int32 | ~int64 | ~float32 | ~float64
}

// View returns b's host bytes as a []T (b must be a host buffer whose size
// is a multiple of T's size).
func View[T Number](b *Buffer) []T {
	return ViewBytes[T](b.host)
}

// ViewBytes reinterprets p as a []T.
func ViewBytes[T Number](p []byte) []T {
	var z T
	sz := int(unsafe.Sizeof(z))
	if len(p) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(p))), len(p)/sz)
}

// AsBytes reinterprets s as its bytes.
func AsBytes[T Number](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}

// LeakError describes buffers still live on a device.
func LeakError(d Device) error {
	s := d.Stats()
	if s.LiveBytes == 0 && s.LiveBuffers == 0 {
		return nil
	}
	return fmt.Errorf("device %s: %d bytes in %d buffers still live", d.Name(), s.LiveBytes, s.LiveBuffers)
}
