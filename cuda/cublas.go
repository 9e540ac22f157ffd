//go:build cgo

package cuda

/*
#include <stdint.h>

typedef int (*cublasCreate_t)(void**);
typedef int (*cublasDestroy_t)(void*);
typedef int (*cublasGetVersion_t)(void*, int*);
typedef int (*cublasSetStream_t)(void*, void*);
typedef int (*cublasSgemm_t)(void*, int, int, int, int, int, const float*, const float*, int, const float*, int, const float*, float*, int);
typedef int (*cublasDgemm_t)(void*, int, int, int, int, int, const double*, const double*, int, const double*, int, const double*, double*, int);

static int bw_cublasCreate(void* f, uintptr_t* h) { void* p = 0; int r = ((cublasCreate_t)f)(&p); *h = (uintptr_t)p; return r; }
static int bw_cublasDestroy(void* f, uintptr_t h) { return ((cublasDestroy_t)f)((void*)h); }
static int bw_cublasGetVersion(void* f, uintptr_t h, int* v) { return ((cublasGetVersion_t)f)((void*)h, v); }
static int bw_cublasSetStream(void* f, uintptr_t h, uintptr_t s) { return ((cublasSetStream_t)f)((void*)h, (void*)s); }
static int bw_cublasSgemm(void* f, uintptr_t h, int ta, int tb, int m, int n, int k, float alpha,
	uintptr_t a, int lda, uintptr_t b, int ldb, float beta, uintptr_t c, int ldc) {
	return ((cublasSgemm_t)f)((void*)h, ta, tb, m, n, k, &alpha, (const float*)a, lda, (const float*)b, ldb, &beta, (float*)c, ldc);
}
static int bw_cublasDgemm(void* f, uintptr_t h, int ta, int tb, int m, int n, int k, double alpha,
	uintptr_t a, int lda, uintptr_t b, int ldb, double beta, uintptr_t c, int ldc) {
	return ((cublasDgemm_t)f)((void*)h, ta, tb, m, n, k, &alpha, (const double*)a, lda, (const double*)b, ldb, &beta, (double*)c, ldc);
}
*/
import "C"

var cublasSyms = []string{"cublasCreate_v2", "cublasDestroy_v2", "cublasGetVersion_v2", "cublasSetStream_v2",
	"cublasSgemm_v2", "cublasDgemm_v2"}

// CUBLAS is the cuBLAS library, opened with dlopen.
type CUBLAS struct{ lib *dynLib }

// OpenCUBLAS finds and opens libcublas (see LibConfig for where).
func OpenCUBLAS(cfg LibConfig) (*CUBLAS, error) {
	l, err := openLibrary("cublas", cfg, cublasSyms)
	if err != nil {
		return nil, err
	}
	return &CUBLAS{lib: l}, nil
}

// Path is the file the library was opened from.
func (b *CUBLAS) Path() string { return b.lib.path }

func blasError(op string, r C.int) error {
	if r == 0 {
		return nil
	}
	names := map[C.int]string{1: "CUBLAS_STATUS_NOT_INITIALIZED", 3: "CUBLAS_STATUS_ALLOC_FAILED", 7: "CUBLAS_STATUS_INVALID_VALUE",
		8: "CUBLAS_STATUS_ARCH_MISMATCH", 11: "CUBLAS_STATUS_MAPPING_ERROR", 13: "CUBLAS_STATUS_EXECUTION_FAILED",
		14: "CUBLAS_STATUS_INTERNAL_ERROR", 15: "CUBLAS_STATUS_NOT_SUPPORTED"}
	name, ok := names[r]
	if !ok {
		name = "cublasStatus"
	}
	return &Error{Op: op, Code: int(r), Name: name}
}

// Create makes a handle; call it on the GPU's thread (GPU.Do).
func (b *CUBLAS) Create() (BLASHandle, error) {
	var h C.uintptr_t
	r := C.bw_cublasCreate(b.lib.syms["cublasCreate_v2"], &h)
	return BLASHandle(h), blasError("cublasCreate_v2", r)
}

// Destroy frees a handle.
func (b *CUBLAS) Destroy(h BLASHandle) error {
	return blasError("cublasDestroy_v2", C.bw_cublasDestroy(b.lib.syms["cublasDestroy_v2"], C.uintptr_t(h)))
}

// Version is the library's version (e.g. 130000 for 13.0).
func (b *CUBLAS) Version(h BLASHandle) (int, error) {
	var v C.int
	r := C.bw_cublasGetVersion(b.lib.syms["cublasGetVersion_v2"], C.uintptr_t(h), &v)
	return int(v), blasError("cublasGetVersion_v2", r)
}

// SetStream makes h enqueue its work on stream (a CUstream, Stream.Handle).
func (b *CUBLAS) SetStream(h BLASHandle, stream uintptr) error {
	return blasError("cublasSetStream_v2", C.bw_cublasSetStream(b.lib.syms["cublasSetStream_v2"], C.uintptr_t(h), C.uintptr_t(stream)))
}

// Sgemm enqueues C = alpha*op(A)*op(B) + beta*C on column-major float32
// matrices in device memory (cuBLAS's argument order).
func (b *CUBLAS) Sgemm(h BLASHandle, ta, tb Transpose, m, n, k int, alpha float32, a DevicePtr, lda int, bm DevicePtr, ldb int, beta float32, c DevicePtr, ldc int) error {
	r := C.bw_cublasSgemm(b.lib.syms["cublasSgemm_v2"], C.uintptr_t(h), C.int(ta), C.int(tb), C.int(m), C.int(n), C.int(k),
		C.float(alpha), C.uintptr_t(a), C.int(lda), C.uintptr_t(bm), C.int(ldb), C.float(beta), C.uintptr_t(c), C.int(ldc))
	return blasError("cublasSgemm_v2", r)
}

// Dgemm is Sgemm on float64.
func (b *CUBLAS) Dgemm(h BLASHandle, ta, tb Transpose, m, n, k int, alpha float64, a DevicePtr, lda int, bm DevicePtr, ldb int, beta float64, c DevicePtr, ldc int) error {
	r := C.bw_cublasDgemm(b.lib.syms["cublasDgemm_v2"], C.uintptr_t(h), C.int(ta), C.int(tb), C.int(m), C.int(n), C.int(k),
		C.double(alpha), C.uintptr_t(a), C.int(lda), C.uintptr_t(bm), C.int(ldb), C.double(beta), C.uintptr_t(c), C.int(ldc))
	return blasError("cublasDgemm_v2", r)
}
