package cuda

import (
	"slices"
	"strings"
	"testing"
)

// TestEmbeddedPTXHasEveryKernel checks the committed PTX: target, ISA
// version the driver of the GPU box accepts, and exactly the entry points
// the launcher tables name.
func TestEmbeddedPTXHasEveryKernel(t *testing.T) {
	want := Kernels()
	for _, mod := range KernelFiles {
		ptx, err := PTX(mod)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ptx, ".target sm_80") || !strings.Contains(ptx, ".address_size 64") {
			t.Errorf("%s.ptx is not for compute_80 with 64-bit addresses", mod)
		}
		got := PTXEntries(ptx)
		slices.Sort(got)
		w := slices.Clone(want[mod])
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s.ptx entries differ from the table:\n got %v\nwant %v", mod, got, w)
		}
	}
	if len(want) != len(KernelFiles) {
		t.Errorf("kernel table has modules %v, files %v", want, KernelFiles)
	}
}
