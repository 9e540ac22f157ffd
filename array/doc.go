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
// token hashes the op and its inputs once per operation. Lowering walks
// from the wanted blocks back to the inputs, so a layer is lowered only
// for the blocks its consumers read. Elementwise operations,
// broadcasting, transposition, slicing, casts and creation all lower to
// graph.OpFused tasks holding a small graph.Program; generators (layers
// that read nothing: constants, ranges, random numbers) are spliced into
// their readers when the reader is built (inline.go), and the graph's
// Fuse pass merges the remaining single-reader chains, so a chain makes
// one pass per block;
// reductions lower to a fused partial per block, a tree of
// graph.OpCombine tasks (split_every inputs each) and a small finishing
// program, and graph.FuseSiblings merges the partials of several
// reductions of one block into one task (x.Mean(0), x.Std(1), x.Max(0)
// read x, or draw it, once), and graph.FusePairs those of blocks (i,j)
// and (j,i) of an expression of x and x.T (each block read once); MatMul to graph.OpGemm tasks that each sum
// the products of up to DefaultSplitEvery blocks along k themselves (one
// task per output block when that covers k, else groups added by the
// same tree; a stack of matrices is one such product per matrix,
// stacked); Rechunk to graph.OpAssemble. Tasks are stamped as runnable on every device
// kind; the executor narrows that to the kinds its kernel registry has
// (array does not import kernels). The optimised graph (Cull, Fuse, FuseSiblings, FusePairs) goes
// to an Executor: the embedded cluster/local one by default (started on
// first use), or any other passed with On. Compute copies each delivered
// block into its place in the result; an executor with ComputeConcurrent
// (cluster/local) delivers from several goroutines, the copies being
// disjoint, and one with ComputeDirect (cluster/local) has the kernel of
// a fused elementwise block that nothing else reads write it straight
// into its place (no chunk held until the end, no copy: x + y of 128 MB
// comes back in a third of the time).
//
// Data-dependent sizes (boolean masks through Extract and Compress,
// Unique) make "pending" arrays: their error wraps ErrUnknownChunks until
// ComputeChunkSizes (or Compute, which calls it) finds the sizes with a
// small pass of their own. A reduction over axes a Take leaves alone is
// lowered in front of it (reduce, then take the reduced rows). Fancy
// indexing, Take, VIndex, Set, Sort and
// the order statistics, Histogram and BinCount lower to their own ops
// (take, patch, sort_block, ...) or to MapBlocks over block functions
// the package registers in package funcs, the registry that also holds
// the format loaders and writers (FromBlocks, Store: array/zarr,
// array/npy, array/arrowio over array/storage) and users' block
// functions (MapBlocks, MapOverlap). Tensordot, Dot, Outer, Trace, Diff,
// Ptp, CountNonzero, IsClose, AllClose, Average, Cov and Corrcoef
// (numeric.go) are compositions
// of the operations above (Tensordot: transposes, reshapes and one
// MatMul), so they add no lowering of their own.
//
// Einsum (einsum.go) is a composition too: diagonals, sums, Tensordot
// and fused broadcast products; so are stacking.go (Vstack, Hstack,
// Dstack, ColumnStack, AtLeast1D-3D, the splits, Fliplr, Flipud, Rot90,
// the Like creators, Identity, Tri, Meshgrid, Indices, Insert, Delete,
// Append), ufuncs_more.go (Deg2rad, Rad2deg, Exp2, Logaddexp(2),
// Heaviside, Fmax, Fmin, NanToNum, Sinc, Signbit, CopySign: one fused
// layer each) and products.go (Kron, Cross, Vdot, Inner, Diagonal,
// MatrixPower).
//
// The factorizations and solves (decomp.go: QR, SVD, SVDCompressed;
// solve.go: Cholesky, SolveTriangular, SolvePosDef, Solve, Inv, Det,
// Slogdet, Lstsq, MatrixRank; norm.go: Norm) compute in float64 through graph.OpLinalg tasks on whole blocks, picks and the
// layers above: QR of a tall matrix is the TSQR tree (a QR per row
// block, then the stacked Rs of up to DefaultSplitEvery at a time, Q the
// product of a leaf's Q with the Ws on its path), SVD that and one SVD
// of R, Cholesky and SolveTriangular blocked algorithms over square
// blocks whose updates are blocked matmuls (SolvePosDef is the two
// together); Solve and Inv factor the whole matrix in one task (LU with
// partial pivoting); SVDCompressed is matmuls, tall QRs and one small
// SVD.
//
// A costly generator (random numbers, transcendental maths) read block
// for block by several layers is materialised once for the computation
// instead of being recomputed by each reader (inline.go).
//
// Rechunk is one stage: each output block is assembled from the pieces
// of the input blocks it overlaps, so no intermediate chunk is larger
// than an output block (Dask plans several stages to bound graph size;
// that is not done here).
package array
