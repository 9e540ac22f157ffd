//go:build cuda

package cuda

// cu has no pinned host allocation: cuMemHostAlloc and cuMemFreeHost here.

/*
#cgo LDFLAGS: -lcuda
#include <cuda.h>
*/
import "C"

import "unsafe"

// hostAlloc allocates n bytes of pinned (page-locked) host memory usable
// from every context. A context must be current (the GPU's thread).
func hostAlloc(n int) ([]byte, error) {
	var p unsafe.Pointer
	if r := C.cuMemHostAlloc(&p, C.size_t(n), C.CU_MEMHOSTALLOC_PORTABLE); r != C.CUDA_SUCCESS {
		return nil, driverError("cuMemHostAlloc", int(r))
	}
	return unsafe.Slice((*byte)(p), n), nil
}

// hostFree frees memory from hostAlloc.
func hostFree(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return driverError("cuMemFreeHost", int(C.cuMemFreeHost(unsafe.Pointer(&b[0]))))
}
