//go:build cgo

package cuda

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
)

// openSystemNVRTC opens the installed libnvrtc (Debian: libnvrtc11.2). It
// skips when there is none, unless BLOCKWORK_REQUIRE_NVRTC=1 (CI sets it,
// so there these tests fail rather than skip).
func openSystemNVRTC(t testing.TB) *NVRTC {
	t.Helper()
	n, err := systemNVRTC()
	if err != nil {
		if os.Getenv("BLOCKWORK_REQUIRE_NVRTC") == "1" {
			t.Fatalf("NVRTC required: %v", err)
		}
		t.Skipf("no libnvrtc here (apt-get install libnvrtc11.2 from non-free to run this): %v", err)
	}
	return n
}

var systemNVRTC = sync.OnceValues(func() (*NVRTC, error) { return OpenNVRTC(LibConfig{}) })

func TestNVRTCCompilesToPTX(t *testing.T) {
	n := openSystemNVRTC(t)
	src := `extern "C" __global__ void axpy(double* y, const double* x, double a, long long n) {
	long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
	if (i < n) y[i] += a * x[i];
}`
	ptx, err := n.Compile(src, "axpy.cu", "--gpu-architecture=compute_80")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ptx, ".entry axpy") || !strings.Contains(ptx, ".target sm_80") {
		t.Fatalf("PTX lacks the entry or target:\n%s", ptx)
	}
	_, err = n.Compile("this is not CUDA", "bad.cu", "--gpu-architecture=compute_80")
	var ce *CompileError
	if !errors.As(err, &ce) || ce.Log == "" {
		t.Fatalf("bad source gave %v", err)
	}
}
