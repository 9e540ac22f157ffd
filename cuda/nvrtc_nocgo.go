//go:build !cgo

package cuda

// Without cgo the run-time libraries cannot be opened: the same API,
// every call an error.

// NVRTC is the run-time CUDA compiler.
type NVRTC struct{}

// OpenNVRTC needs cgo.
func OpenNVRTC(cfg LibConfig) (*NVRTC, error) { return nil, errNoCgo }

func (n *NVRTC) Path() string                                             { return "" }
func (n *NVRTC) Version() (major, minor int)                              { return 0, 0 }
func (n *NVRTC) Compile(src, name string, opts ...string) (string, error) { return "", errNoCgo }

// CUBLAS is cuBLAS.
type CUBLAS struct{}

// OpenCUBLAS needs cgo.
func OpenCUBLAS(cfg LibConfig) (*CUBLAS, error) { return nil, errNoCgo }

func (b *CUBLAS) Path() string                                 { return "" }
func (b *CUBLAS) Create() (BLASHandle, error)                  { return 0, errNoCgo }
func (b *CUBLAS) Destroy(h BLASHandle) error                   { return errNoCgo }
func (b *CUBLAS) Version(h BLASHandle) (int, error)            { return 0, errNoCgo }
func (b *CUBLAS) SetStream(h BLASHandle, stream uintptr) error { return errNoCgo }
func (b *CUBLAS) Sgemm(h BLASHandle, ta, tb Transpose, m, n, k int, alpha float32, a DevicePtr, lda int, bm DevicePtr, ldb int, beta float32, c DevicePtr, ldc int) error {
	return errNoCgo
}
func (b *CUBLAS) Dgemm(h BLASHandle, ta, tb Transpose, m, n, k int, alpha float64, a DevicePtr, lda int, bm DevicePtr, ldb int, beta float64, c DevicePtr, ldc int) error {
	return errNoCgo
}
