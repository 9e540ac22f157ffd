package cuda

import (
	"errors"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

func TestDriverErrors(t *testing.T) {
	if driverError("cuMemAlloc", 0) != nil {
		t.Fatal("CUDA_SUCCESS is an error")
	}
	oom := driverError("cuMemAlloc", 2)
	if !errors.Is(oom, device.ErrOutOfMemory) || !strings.Contains(oom.Error(), "CUDA_ERROR_OUT_OF_MEMORY") {
		t.Fatalf("out of memory: %v", oom)
	}
	if errors.Is(&Error{Op: "cublasCreate_v2", Code: 2}, device.ErrOutOfMemory) {
		t.Fatal("a cuBLAS status 2 matched the driver's out-of-memory")
	}
	var e *Error
	if !errors.As(driverError("cuLaunchKernel", 700), &e) || !e.Sticky() || e.Name != "CUDA_ERROR_ILLEGAL_ADDRESS" {
		t.Fatalf("illegal address: %#v", e)
	}
	if driverError("cuMemAlloc", 2).(*Error).Sticky() {
		t.Fatal("out of memory is sticky")
	}
	if s := driverError("cuX", 12345).Error(); !strings.Contains(s, "12345") {
		t.Fatalf("unknown code: %s", s)
	}
}

// TestGeometryRefusesOutStrides: a fused task with output strides (the
// CPU executor's per-launch in-place output) is not rendered for a GPU.
func TestGeometryRefusesOutStrides(t *testing.T) {
	p := &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{{Op: graph.OpLoad, DType: graph.Float64}}},
		Shape: []int{4}, Maps: []graph.Map{graph.Identity(1, nil)}}
	if _, _, err := Geometry(p, [][]int{{4}}); err != nil {
		t.Fatalf("without strides: %v", err)
	}
	p.OutStrides = []int{1}
	if _, _, err := Geometry(p, [][]int{{4}}); err == nil || !strings.Contains(err.Error(), "output strides") {
		t.Fatalf("with strides: err = %v, want one about output strides", err)
	}
}
