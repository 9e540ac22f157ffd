// Package cpu is the host backend of package kernels: the kernels that run
// tasks on the CPU over host buffers.
//
// It takes Launches from an executor (destinations allocated, sources
// ready) and writes results in place. The central kernel is "fused": an
// interpreter of graph.Program that walks the task's iteration domain in
// runs along its innermost axis (after merging axes that every access
// walks contiguously), cut into cache-sized tiles of TileLen elements;
// each SSA instruction processes one tile with a tight typed loop, so a
// chain of elementwise ops makes one pass over memory and holds no
// chunk-sized intermediate. A load with stride 1 along the run is read in
// place (a view, no copy); a transposed load (a large stride along the run,
// stride 1 along the next axis) is gathered eight rows at a time into band
// buffers, so each cache line of the source is read once (fused_band.go);
// a load constant along the run (a broadcast of one value per row) fills
// its register once a row; none changes the order of work, so results are
// the same bits. Repeated instructions (the same load, draw or operation
// of the same operands, a + b and b + a included) run once. An
// optional reduction stage folds the result tile into the partial outputs. Random numbers come from Philox4x32-10
// keyed by (seed, stream), each element from its flat index (half a block
// for a float64 or an integer, a quarter for a float32, a whole one for a
// normal; philox.go), so values do not depend on chunking; the blocks are
// computed 32 at a time on AVX-512 or 8 on AVX2 (philox_amd64.s). A
// transposed draw is banded like a transposed load, each inner position's
// consecutive elements drawn together so that they share blocks
// (fused_randband.go).
//
// Transcendentals (sin, cos, exp, log, tanh) use the package's own
// polynomials (fastmath.go), within 2.5 ulp of a 256-bit reference, and
// float pow its own exp(y·log x) with log in double-double (pow.go: within
// 0.51 ulp where the result is normal, math.Pow's special cases); all six
// run four or eight lanes at a time in AVX2 / AVX-512 assembly chosen at
// run time (trig_amd64.s, exp_amd64.s, log_amd64.s, tanh_amd64.s,
// pow_amd64.s), bit-identical to the Go code, which stays the fallback
// and the reference. A fused program computes repeated work once (loads
// of one buffer at the same offsets, equal random draws, pure operations
// on repeated operands: findRepeats), its sin and cos of one operand share
// one reduction (sincos), and its pow by a constant 0, 1, 2, 3, 4, -1, -2
// or 0.5 is rewritten (x*x, 1/x, sqrt, the exact square: powConst).
// Float64 and float32 add, sub, mul and div use AVX-512 where the CPU has
// it (binary512_amd64.s), an operand that is a constant of the program
// broadcast from a register instead of read from its tile; float64 add,
// sub, mul, div, max and min otherwise, and the reductions' folds (sum
// and max/min of columns and within rows, Welford's row update of
// moments) use AVX2 (elem_amd64.s, maxmin_amd64.s); all with the scalar
// loops' bits. A column reduction (over outer axes) of a float64 block
// read in place folds eight rows at a time, each column's accumulators
// (sum, extreme, or Welford's mean and M2) held in a register across them
// (foldRows, momentsRows; the same bits as row by row): always for
// moments, and for sums and extremes beside other results.
//
// The other kernels: gemm (a sum of block products A_0 @ B_0 + A_1 @
// B_1 + ..., one BLAS call per pair adding into the destination;
// OpenBLAS's cblas_dgemm/sgemm opened at run time through purego, no
// cgo, one thread by default since each worker runs its own gemm;
// gonum's pure Go when no CBLAS is found: blas.go),
// combine (tree-reduction merges of partials), assemble (region copies
// for rechunk), scan (blocked CumSum/CumProd), assert-none, take
// (fancy indexing and vindex), patch (assignment), compress (boolean
// masks), sort_block / sort_merge / quantile (sorting and order
// statistics), linalg (QR, SVD, Cholesky, triangular and LU solves of
// whole float64 blocks by gonum's LAPACK, and the product of a leaf Q
// with its share of the tree's: linalg.go), and load / store / map_blocks, which call the functions
// registered by name in package funcs (format loaders and writers, user
// block functions) with the task's context. Register adds them all to a
// kernels.Registry under graph.CPU. Every kernel is checked against a
// float64 reference: by kernels/kerneltest, or by its own test's
// reference loop.
package cpu
