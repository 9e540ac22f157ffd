//go:build cgo

package cuda

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

// fakeLibDir builds testdata/fakelibs.c as libcublas.so.13 and
// libnvrtc.so.13 in a temporary directory.
func fakeLibDir(t *testing.T) string {
	t.Helper()
	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc to build the fake libraries")
	}
	dir := t.TempDir()
	for _, n := range []string{"libcublas.so.13", "libnvrtc.so.13"} {
		out, err := exec.Command(cc, "-shared", "-fPIC", "-O1", "-o", filepath.Join(dir, n), "testdata/fakelibs.c").CombinedOutput()
		if err != nil {
			t.Fatalf("gcc: %v\n%s", err, out)
		}
	}
	return dir
}

func TestCUBLASThroughDlopen(t *testing.T) {
	dir := fakeLibDir(t)
	b, err := OpenCUBLAS(LibConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if b.Path() != filepath.Join(dir, "libcublas.so.13") {
		t.Fatalf("opened %s, want the override directory's", b.Path())
	}
	h, err := b.Create()
	if err != nil || h == 0 {
		t.Fatalf("Create = %v, %v", h, err)
	}
	if v, err := b.Version(h); v != 130001 || err != nil {
		t.Fatalf("Version = %d, %v", v, err)
	}
	if err := b.SetStream(h, 0x1234); err != nil {
		t.Fatal(err)
	}
	// column-major 2x3 times 3x2 (A transposed: stored 3x2), alpha 2, beta 1
	for _, f64 := range []bool{false, true} {
		at := []float64{1, 2, 3, 4, 5, 6} // A^T stored column-major 3x2: A = [[1 2 3] [4 5 6]]
		bm := []float64{1, 0, 1, 0, 1, 1} // B 3x2 column-major: [[1 0] [0 1] [1 1]]
		c := []float64{1, 1, 1, 1}
		want := []float64{2*4 + 1, 2*10 + 1, 2*5 + 1, 2*11 + 1} // A@B = [[4 5] [10 11]]
		if f64 {
			err = b.Dgemm(h, Trans, NoTrans, 2, 2, 3, 2, ptr(at), 3, ptr(bm), 3, 1, ptr(c), 2)
		} else {
			a32, b32, c32 := f32(at), f32(bm), f32(c)
			err = b.Sgemm(h, Trans, NoTrans, 2, 2, 3, 2, ptr(a32), 3, ptr(b32), 3, 1, ptr(c32), 2)
			for i := range c {
				c[i] = float64(c32[i])
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if c[i] != want[i] {
				t.Fatalf("gemm (float64 %v) = %v, want %v", f64, c, want)
			}
		}
	}
	if err := b.Destroy(h + 8); err == nil || !strings.Contains(err.Error(), "CUBLAS_STATUS_INVALID_VALUE") {
		t.Fatalf("a bad handle gave %v", err)
	}
	if err := b.Destroy(h); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](s []T) DevicePtr { return DevicePtr(uintptr(unsafe.Pointer(&s[0]))) }

func f32(s []float64) []float32 {
	o := make([]float32, len(s))
	for i, v := range s {
		o[i] = float32(v)
	}
	return o
}

func TestNVRTCThroughDlopen(t *testing.T) {
	dir := fakeLibDir(t)
	n, err := OpenNVRTC(LibConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if ma, mi := n.Version(); ma != 13 || mi != 0 || n.Path() != filepath.Join(dir, "libnvrtc.so.13") {
		t.Fatalf("opened %s version %d.%d", n.Path(), ma, mi)
	}
	ptx, err := n.Compile("ok", "a.cu", "--fake")
	if err != nil || ptx != "// fake ptx\n" {
		t.Fatalf("Compile = %q, %v", ptx, err)
	}
	_, err = n.Compile("an error", "b.cu", "--fake")
	var ce *CompileError
	if !errors.As(err, &ce) || !strings.Contains(ce.Log, "expected a fake") || !strings.Contains(err.Error(), "NVRTC_ERROR_COMPILATION") {
		t.Fatalf("failed compile gave %v", err)
	}
}

func TestMissingLibraryIsAnError(t *testing.T) {
	dir := t.TempDir()
	// a file that is not a library, and one with the wrong symbols
	if err := os.WriteFile(filepath.Join(dir, "libnosuch.so.13"), []byte("not elf"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := openLibrary("nosuch", LibConfig{Dir: dir}, []string{"x"})
	if !errors.Is(err, ErrNoLibrary) || !strings.Contains(err.Error(), "libnosuch.so.13") {
		t.Fatalf("openLibrary = %v", err)
	}
	fake := fakeLibDir(t)
	if err := os.Rename(filepath.Join(fake, "libnvrtc.so.13"), filepath.Join(fake, "libcudnnfake.so.12")); err != nil {
		t.Fatal(err)
	}
	_, err = openLibrary("cudnnfake", LibConfig{Dir: fake}, []string{"nvrtcVersion", "cudnnCreate"})
	if !errors.Is(err, ErrNoLibrary) || !strings.Contains(err.Error(), "no symbol cudnnCreate") {
		t.Fatalf("a library without a symbol: %v", err)
	}
}
