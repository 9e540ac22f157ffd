package codec

import (
	"errors"
	"fmt"
	"unsafe"
)

var (
	// ErrCorrupt is wrapped by every error about malformed or truncated
	// encoded input, and by checksum mismatches.
	ErrCorrupt = errors.New("corrupt input")
	// ErrTooLarge is wrapped by errors about decoded sizes over the
	// caller's expected size or MaxDecoded.
	ErrTooLarge = errors.New("decoded size over the limit")
	// ErrUnsupported is wrapped by errors about codec ids, compressor
	// names and parameters this package does not implement.
	ErrUnsupported = errors.New("unsupported codec")
)

// decodeLimit is the most bytes a Decode may produce: the caller's size,
// or MaxDecoded when the caller does not know it.
func decodeLimit(size int) int {
	if size < 0 || size > MaxDecoded {
		return MaxDecoded
	}
	return size
}

// checkDecoded returns an error when a length read from the input (n) is
// negative or over the decode limit for size.
func checkDecoded(name string, n int64, size int) error {
	if n < 0 {
		return fmt.Errorf("%s: decoded size %d: %w", name, n, ErrCorrupt)
	}
	if lim := decodeLimit(size); n > int64(lim) {
		if size >= 0 && size <= MaxDecoded {
			return fmt.Errorf("%s: decoded size %d exceeds the expected %d bytes: %w", name, n, size, ErrTooLarge)
		}
		return fmt.Errorf("%s: decoded size %d exceeds MaxDecoded (%d): %w", name, n, MaxDecoded, ErrTooLarge)
	}
	return nil
}

// resize returns dst[:n], reusing dst's storage when it has room.
func resize(dst []byte, n int) []byte {
	if cap(dst) >= n {
		return dst[:n]
	}
	return make([]byte, n)
}

// overlaps reports whether a's and b's backing arrays (up to their
// capacities) share memory.
func overlaps(a, b []byte) bool {
	if cap(a) == 0 || cap(b) == 0 {
		return false
	}
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+uintptr(cap(b)) && b0 < a0+uintptr(cap(a))
}

// resizeApart is resize for an output that must not share memory with
// src (the codec reads src while writing the output).
func resizeApart(dst []byte, n int, src []byte) []byte {
	if cap(dst) >= n && !overlaps(dst, src) {
		return dst[:n]
	}
	return make([]byte, n)
}
