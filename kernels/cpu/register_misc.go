package cpu

import (
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// registerMisc adds the non-fused CPU kernels to r under graph.CPU:
// gemm for float32, float64, int32 and int64; combine for every dtype a
// partial can have (which kinds each dtype supports is checked at run
// time and named in the error); assemble and load for every dtype;
// store (keyed by its int64 output) for every input dtype; sort_block
// and sort_merge for every dtype (keyed by the values, or by the int64
// indices when only those are written); quantile by its float output; linalg for float64.
func registerMisc(r *kernels.Registry) {
	for _, dt := range []graph.DType{graph.Float32, graph.Float64, graph.Int32, graph.Int64} {
		r.Register(graph.OpGemm, dt, graph.CPU, gemmKernel{})
	}
	for _, dt := range []graph.DType{graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64} {
		r.Register(graph.OpCombine, dt, graph.CPU, combineKernel{})
		r.Register(graph.OpAssemble, dt, graph.CPU, assembleKernel{})
		r.Register(graph.OpLoadBlock, dt, graph.CPU, loadKernel{})
		r.Register(graph.OpMapBlocks, dt, graph.CPU, mapKernel{})
		r.Register(graph.OpTake, dt, graph.CPU, takeKernel{})
		r.Register(graph.OpSortBlock, dt, graph.CPU, sortBlockKernel{})
		r.Register(graph.OpSortMerge, dt, graph.CPU, sortMergeKernel{})
		r.Register(graph.OpPatch, dt, graph.CPU, patchKernel{})
		r.Register(graph.OpCompress, dt, graph.CPU, compressKernel{})
	}
	for _, dt := range []graph.DType{graph.Float32, graph.Float64} {
		r.Register(graph.OpQuantile, dt, graph.CPU, quantileKernel{})
	}
	r.Register(graph.OpLinalg, graph.Float64, graph.CPU, linalgKernel{})
	r.Register(graph.OpStoreBlock, graph.Int64, graph.CPU, storeKernel{})
}
