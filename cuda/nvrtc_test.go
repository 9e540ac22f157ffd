//go:build cgo

package cuda

import (
	"errors"
	"os"
	"slices"
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

// TestNVRTCCompilesFixedKernels compiles every kernels/*.cu with NVRTC
// (what nvcc made the committed PTX from) and checks it has the same
// entry points.
func TestNVRTCCompilesFixedKernels(t *testing.T) {
	n := openSystemNVRTC(t)
	for _, mod := range KernelFiles {
		src, err := KernelSource(mod)
		if err != nil {
			t.Fatal(err)
		}
		ptx, err := n.Compile(src, mod+".cu", "--gpu-architecture=compute_80", "--std=c++14")
		if err != nil {
			t.Fatalf("%s: %v", mod, err)
		}
		got, want := PTXEntries(ptx), Kernels()[mod]
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("%s compiled by NVRTC has entries %v, want %v", mod, got, want)
		}
	}
}
