// Package chunks is the chunk arithmetic under package array: pure functions
// over shapes and per-axis block sizes, with no graph, dtype, device or
// goroutine in sight. It imports only the standard library.
//
// # Where it sits
//
// Package array lowers an array expression to a blockwise graph.Graph. Every
// decision in that lowering that is "which blocks, of what size, cut where"
// is made here and handed back as plain integers:
//
//   - creation: a user's chunk request ([AxisSpec] per axis: [Regular],
//     [Explicit], [Whole], [Auto]) becomes concrete [Chunks] by [Normalize],
//     and [Validate] checks chunks that arrive from elsewhere;
//   - elementwise ops: [BroadcastShapes] gives the result shape and [Refine]
//     the common chunking of two operands along one axis (dask's
//     unify_chunks), after which blocks pair up one to one;
//   - slicing: [NormalizeSlice] and [NormalizeIndex] turn Python-style bounds
//     into concrete ones, and [Slice1D] says which input blocks feed which
//     output blocks and with which local start, step and count;
//   - rechunk: [Intersect1D] lists, for each output block, the pieces of
//     input blocks that tile it;
//   - block keys: [Ravel] and [Unravel] map N-d block indices to the flat C
//     order used for task keys, and [Chunks.BlockShape], [Chunks.Origin] and
//     [Chunks.Offsets] give the exact size and position of each block, from
//     which the executor allocates exact output buffers.
//
// The N-d plans are products of the 1-d ones: array applies [Slice1D] or
// [Intersect1D] per axis and takes the Cartesian product of the parts.
//
// # Conventions
//
// Chunks[axis][block] is a block length along one axis. Every axis has at
// least one block; lengths are >= 0 and sum to the axis length. A 0-d array
// has no axes and exactly one block. Zero-length blocks are allowed anywhere
// (as in dask, where slicing or size computation can produce them), and a
// zero-length axis has one or more zero-length blocks; [Normalize] always
// produces exactly one, ((0,)). Block grids are walked in C order (last axis
// fastest). Unknown block sizes (dask's NaN, for masks and unique) are not
// represented yet; when they come they will get their own marker, not a
// negative length.
//
// Functions that take user input ([Normalize], [Validate],
// [BroadcastShapes], [Refine], [Intersect1D], [NormalizeSlice],
// [NormalizeIndex]) return errors whose messages name the shapes, chunks and
// axes involved; they never panic on bad input. Accessors such as
// [Chunks.BlockShape] or [Ravel] take block indices the caller produced
// itself and index slices directly, as Go slice indexing does.
package chunks
