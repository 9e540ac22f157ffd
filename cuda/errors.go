package cuda

import (
	"errors"
	"fmt"

	"github.com/blockwork-dev/blockwork/device"
)

// ErrNotBuilt is returned by everything that needs the CUDA driver in a
// binary built without the cuda build tag.
var ErrNotBuilt = errors.New("cuda: built without the cuda build tag")

// ErrNoLibrary is wrapped when no candidate of a run-time library (NVRTC,
// cuBLAS) could be opened.
var ErrNoLibrary = errors.New("cuda: library not found")

// ErrUnsupported is wrapped when Render meets an instruction or reduction
// it has no CUDA form for yet.
var ErrUnsupported = errors.New("cuda: not supported on the GPU")

// Error is a failed CUDA driver, NVRTC or cuBLAS call: the call, its
// numeric result code and the code's name.
type Error struct {
	Op   string // the call, e.g. "cuMemAlloc"
	Code int    // CUresult, nvrtcResult or cublasStatus_t
	Name string // e.g. "CUDA_ERROR_OUT_OF_MEMORY"
}

func (e *Error) Error() string {
	return fmt.Sprintf("cuda: %s: %s (%d)", e.Op, e.Name, e.Code)
}

// Is makes a driver out-of-memory result match device.ErrOutOfMemory.
func (e *Error) Is(target error) bool {
	return target == device.ErrOutOfMemory && e.Op != "" && e.Code == cudaErrorOutOfMemory && isDriverOp(e.Op)
}

func isDriverOp(op string) bool {
	return len(op) > 2 && op[:2] == "cu" && (len(op) < 6 || op[:6] != "cublas")
}

// Sticky reports whether the driver result leaves the context unusable
// (the GPU is to be marked dead for the process).
func (e *Error) Sticky() bool {
	switch e.Code {
	case 700, 702, 713, 714, 715, 716, 717, 718:
		return isDriverOp(e.Op)
	}
	return false
}

const cudaErrorOutOfMemory = 2

// driverResultNames names the CUresult codes the engine meets; others are
// printed by number.
var driverResultNames = map[int]string{
	0:   "CUDA_SUCCESS",
	1:   "CUDA_ERROR_INVALID_VALUE",
	2:   "CUDA_ERROR_OUT_OF_MEMORY",
	3:   "CUDA_ERROR_NOT_INITIALIZED",
	4:   "CUDA_ERROR_DEINITIALIZED",
	100: "CUDA_ERROR_NO_DEVICE",
	101: "CUDA_ERROR_INVALID_DEVICE",
	200: "CUDA_ERROR_INVALID_IMAGE",
	201: "CUDA_ERROR_INVALID_CONTEXT",
	209: "CUDA_ERROR_NO_BINARY_FOR_GPU",
	218: "CUDA_ERROR_INVALID_PTX",
	222: "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
	400: "CUDA_ERROR_INVALID_HANDLE",
	500: "CUDA_ERROR_NOT_FOUND",
	600: "CUDA_ERROR_NOT_READY",
	700: "CUDA_ERROR_ILLEGAL_ADDRESS",
	701: "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
	702: "CUDA_ERROR_LAUNCH_TIMEOUT",
	704: "CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED",
	713: "CUDA_ERROR_HARDWARE_STACK_ERROR",
	714: "CUDA_ERROR_ILLEGAL_INSTRUCTION",
	715: "CUDA_ERROR_MISALIGNED_ADDRESS",
	716: "CUDA_ERROR_INVALID_ADDRESS_SPACE",
	717: "CUDA_ERROR_INVALID_PC",
	718: "CUDA_ERROR_LAUNCH_FAILED",
	719: "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE",
	999: "CUDA_ERROR_UNKNOWN",
}

// driverError turns a CUresult into an error (nil for CUDA_SUCCESS).
func driverError(op string, code int) error {
	if code == 0 {
		return nil
	}
	name, ok := driverResultNames[code]
	if !ok {
		name = fmt.Sprintf("CUresult %d", code)
	}
	return &Error{Op: op, Code: code, Name: name}
}
