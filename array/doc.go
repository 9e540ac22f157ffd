// Package array is Blockwork's user API: lazy, chunked, NumPy-style
// N-d arrays.
//
// An *Array is an immutable expression node: shape, chunks (per-axis
// block sizes, package array/chunks), dtype, and how its blocks are made
// from its inputs' blocks. Building expressions does no work. Mistakes
// (shape mismatch, bad axis, bad chunks, unsupported dtype) never panic:
// the returned Array carries a sticky error naming the op and the shapes
// (Err), which Compute returns again.
//
// Compute (and Persist) lower the expression to a graph.Graph: one layer
// of tasks per operation, keyed by (layer token, block), where the layer
// token hashes the op and its inputs once per operation. Elementwise
// operations, broadcasting, transposition, slicing, casts and creation
// all lower to graph.OpFused tasks holding a small graph.Program, so the
// graph's Fuse pass merges whole chains into one pass per block;
// reductions lower to a fused partial per block, a tree of
// graph.OpCombine tasks (split_every inputs each) and a small finishing
// program; MatMul to graph.OpGemm blocks summed by the same tree; Rechunk
// to graph.OpAssemble. The optimised graph (Cull, Fuse) goes to an
// Executor: the embedded cluster/local one by default (started on first
// use), or any other passed with On.
package array
