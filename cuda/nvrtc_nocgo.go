//go:build !cgo

package cuda

// NVRTC is the run-time CUDA compiler; without cgo it cannot be opened.
type NVRTC struct{}

// OpenNVRTC needs cgo.
func OpenNVRTC(cfg LibConfig) (*NVRTC, error) { return nil, errNoCgo }

func (n *NVRTC) Path() string                                             { return "" }
func (n *NVRTC) Version() (major, minor int)                              { return 0, 0 }
func (n *NVRTC) Compile(src, name string, opts ...string) (string, error) { return "", errNoCgo }

// CUBLAS is cuBLAS; without cgo it cannot be opened.
type CUBLAS struct{}

// OpenCUBLAS needs cgo.
func OpenCUBLAS(cfg LibConfig) (*CUBLAS, error) { return nil, errNoCgo }
