package cuda

import (
	"slices"
	"testing"
)

func TestLibraryCandidatesOrder(t *testing.T) {
	got := candidates("cublas", LibConfig{Dir: "/opt/x", SitePackages: []string{"/venv/sp"}}, []string{"/usr/lib/python3/dist-packages"})
	want := []string{
		"/opt/x/libcublas.so.13", "/opt/x/libcublas.so.12", "/opt/x/libcublas.so.11",
		"libcublas.so.13", "libcublas.so.12", "libcublas.so.11",
		"/usr/local/cuda/lib64/libcublas.so.13",
		"/venv/sp/nvidia/cu13/lib/libcublas.so.13", "/venv/sp/nvidia/cublas/lib/libcublas.so.12",
		"/usr/lib/python3/dist-packages/nvidia/cu13/lib/libcublas.so.13",
		"/usr/lib/python3/dist-packages/nvidia/cublas/lib/libcublas.so.12",
	}
	last := -1
	for _, w := range want {
		i := slices.Index(got, w)
		if i < 0 {
			t.Fatalf("%s is not a candidate:\n%v", w, got)
		}
		if i < last {
			t.Fatalf("%s comes too early (%d < %d)", w, i, last)
		}
		last = i
	}
	if c := candidates("nvrtc", LibConfig{}, []string{"/sp"}); !slices.Contains(c, "/sp/nvidia/cuda_nvrtc/lib/libnvrtc.so.12") || c[0] != "libnvrtc.so.13" {
		t.Fatalf("nvrtc candidates without a Dir: %v", c)
	}
}
