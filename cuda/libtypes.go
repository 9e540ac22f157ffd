package cuda

import "fmt"

// CompileError is a compilation that failed, with NVRTC's log.
type CompileError struct {
	Name string
	Log  string
	Err  error
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("cuda: compiling %s: %v\n%s", e.Name, e.Err, e.Log)
}
func (e *CompileError) Unwrap() error { return e.Err }

// BLASHandle is a cuBLAS handle (one per GPU and stream; it uses the
// primary context current on the calling thread).
type BLASHandle uintptr

// Transpose selects op(A) of a GEMM (cublasOperation_t).
type Transpose int

const (
	NoTrans Transpose = 0
	Trans   Transpose = 1
)
