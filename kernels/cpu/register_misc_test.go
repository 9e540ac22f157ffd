package cpu

import (
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

func TestRegisterMisc(t *testing.T) {
	r := kernels.NewRegistry()
	registerMisc(r)
	ops := r.Ops(graph.CPU)
	for _, want := range []string{
		"gemm/float32", "gemm/float64", "gemm/int32", "gemm/int64",
		"combine/bool", "combine/int32", "combine/int64", "combine/float32", "combine/float64",
		"assemble/bool", "assemble/int32", "assemble/int64", "assemble/float32", "assemble/float64",
	} {
		if !slices.Contains(ops, want) {
			t.Errorf("registerMisc: %s missing from %v", want, ops)
		}
	}
	if slices.Contains(ops, "gemm/bool") {
		t.Errorf("registerMisc registers gemm/bool")
	}
	if len(r.Ops(graph.GPU)) != 0 {
		t.Errorf("registerMisc registers GPU kernels: %v", r.Ops(graph.GPU))
	}
}
