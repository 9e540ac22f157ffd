package cpu

import (
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

var allDTypes = []graph.DType{graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64}

// Register adds every CPU kernel to r under graph.CPU.
func Register(r *kernels.Registry) {
	for _, dt := range allDTypes {
		r.Register(graph.OpFused, dt, graph.CPU, fusedKernel{})
		r.Register(graph.OpAlias, dt, graph.CPU, kernels.Func(func(*kernels.Launch) error { return nil }))
		r.Register(graph.OpPick, dt, graph.CPU, pickKernel{})
	}
	registerMisc(r)
	registerScan(r)
}
