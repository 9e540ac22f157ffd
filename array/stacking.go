package array

import (
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// NumPy's stacking, splitting, flipping, "like" and grid creation, and
// insert/delete/append routines, built from the other operations
// (Concatenate, Slice, Flip, Transpose, Reshape, BroadcastTo, Full, Take
// and the index-map layer of layout_join.go), so they add no lowering of
// their own: a split piece, a flip or a rotation is index arithmetic in
// its consumer's fused program, a stack one concatenation layer.
//
// The routines that return several arrays ([]*Array: the splits and
// Meshgrid) report bad input as a one-element slice holding an Array
// whose Err says what is wrong.
//
// The single-array routines are methods, as Flip, Roll and Diff are; the
// ones that take a list of arrays or make a new one are functions.

// errs is the one-element result of a routine returning []*Array that
// failed.
func errs(err error) []*Array { return []*Array{errArray(err)} }

// errsf is errs of op's error (errorf).
func errsf(op string, format string, a ...any) []*Array {
	return []*Array{errorf(op, format, a...)}
}

// AtLeast1D is x with a 0-d array made 1-d of length 1 (NumPy's
// atleast_1d of one array); other arrays are returned as they are.
func (x *Array) AtLeast1D() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if len(x.nd.shape) == 0 {
		return x.Reshape(1)
	}
	return x
}

// AtLeast2D is x with at least two axes (NumPy's atleast_2d of one
// array): 0-d becomes (1, 1), 1-d (n) becomes (1, n).
func (x *Array) AtLeast2D() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	switch len(x.nd.shape) {
	case 0:
		return x.Reshape(1, 1)
	case 1:
		return x.ExpandDims(0)
	}
	return x
}

// AtLeast3D is x with at least three axes (NumPy's atleast_3d of one
// array): 0-d becomes (1, 1, 1), 1-d (n) becomes (1, n, 1) and 2-d
// (m, n) becomes (m, n, 1).
func (x *Array) AtLeast3D() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	switch len(x.nd.shape) {
	case 0:
		return x.Reshape(1, 1, 1)
	case 1:
		return x.ExpandDims(0, 2)
	case 2:
		return x.ExpandDims(2)
	}
	return x
}

// stackAlong makes each of xs at least nd-d with up and concatenates
// them along axis (-1: axis 0 if the first is then 1-d, else axis 1, as
// hstack), reporting a failure as op's.
func stackAlong(op string, xs []*Array, up func(*Array) *Array, axis int) *Array {
	if len(xs) == 0 {
		return errorf(op, "need at least one array to stack")
	}
	if err := firstErr(xs...); err != nil {
		return errArray(err)
	}
	ys := make([]*Array, len(xs))
	for i, x := range xs {
		ys[i] = up(x)
		if ys[i].err != nil {
			return ys[i]
		}
	}
	if axis < 0 {
		axis = 1
		if len(ys[0].nd.shape) == 1 {
			axis = 0
		}
	}
	out := Concatenate(ys, axis)
	if out.err != nil {
		return errorf(op, "%v", out.err)
	}
	return out
}

// Vstack stacks arrays along their first axis after AtLeast2D (NumPy's
// vstack: 1-d arrays of length n become rows (1, n)). The dtype is the
// promotion of the inputs'.
func Vstack(xs []*Array) *Array {
	return stackAlong("vstack", xs, (*Array).AtLeast2D, 0)
}

// Hstack stacks arrays along their second axis after AtLeast1D, or
// along the first when the first array is then 1-d (NumPy's hstack: 1-d
// arrays are joined end to end, columns side by side).
func Hstack(xs []*Array) *Array {
	return stackAlong("hstack", xs, (*Array).AtLeast1D, -1)
}

// Dstack stacks arrays along their third axis after AtLeast3D (NumPy's
// dstack: (m, n) arrays become (m, n, 1), 1-d (n) ones (1, n, 1)).
func Dstack(xs []*Array) *Array {
	return stackAlong("dstack", xs, (*Array).AtLeast3D, 2)
}

// ColumnStack stacks arrays as columns along their second axis (NumPy's
// column_stack): a 1-d array of length n becomes the column (n, 1), a 0-d
// one (1, 1); arrays of two or more axes are joined as they are.
func ColumnStack(xs []*Array) *Array {
	return stackAlong("column_stack", xs, func(x *Array) *Array {
		switch len(x.nd.shape) {
		case 0:
			return x.Reshape(1, 1)
		case 1:
			return x.ExpandDims(1)
		}
		return x
	}, 1)
}

// splitPieces is x[starts[i]:stops[i]] along axis ax for each i, bounds
// as Python's slices take them.
func splitPieces(x *Array, ax int, starts, stops []int) []*Array {
	out := make([]*Array, len(starts))
	idx := make([]Index, len(x.nd.shape))
	for a := range idx {
		idx[a] = All()
	}
	for i := range starts {
		idx[ax] = Sl(starts[i], stops[i], 1)
		out[i] = x.Slice(idx...)
	}
	return out
}

// splitSizes cuts axis ax of x into pieces of the given lengths.
func splitSizes(x *Array, ax int, sizes []int) []*Array {
	starts, stops := make([]int, len(sizes)), make([]int, len(sizes))
	at := 0
	for i, s := range sizes {
		starts[i], stops[i] = at, at+s
		at += s
	}
	return splitPieces(x, ax, starts, stops)
}

// splitAxis checks x and its split axis for op.
func (x *Array) splitAxis(op string, axis int) (int, error) {
	if err := x.Err(); err != nil {
		return 0, err
	}
	return normAxis(op, axis, len(x.nd.shape))
}

// Split cuts x into sections pieces of equal length along axis (NumPy's
// split with an integer): the axis's length must be a multiple of
// sections. Each piece is a slice of x (index arithmetic, no copy) and
// keeps x's chunk boundaries.
func (x *Array) Split(sections, axis int) []*Array {
	ax, err := x.splitAxis("split", axis)
	if err != nil {
		return errs(err)
	}
	n := x.nd.shape[ax]
	if sections <= 0 {
		return errsf("split", "number sections must be larger than 0, got %d (shape %s)", sections, shapeStr(x.nd.shape))
	}
	if n%sections != 0 {
		return errsf("split", "array split does not result in an equal division: %d sections of axis %d of length %d (shape %s)", sections, ax, n, shapeStr(x.nd.shape))
	}
	sizes := make([]int, sections)
	for i := range sizes {
		sizes[i] = n / sections
	}
	return splitSizes(x, ax, sizes)
}

// ArraySplit cuts x into sections pieces along axis, which need not
// divide its length n (NumPy's array_split with an integer): the first
// n % sections pieces have n/sections + 1 elements, the others
// n/sections (so some are empty when sections > n).
func (x *Array) ArraySplit(sections, axis int) []*Array {
	ax, err := x.splitAxis("array_split", axis)
	if err != nil {
		return errs(err)
	}
	if sections <= 0 {
		return errsf("array_split", "number sections must be larger than 0, got %d (shape %s)", sections, shapeStr(x.nd.shape))
	}
	n := x.nd.shape[ax]
	sizes := make([]int, sections)
	for i := range sizes {
		sizes[i] = n / sections
		if i < n%sections {
			sizes[i]++
		}
	}
	return splitSizes(x, ax, sizes)
}

// SplitAt cuts x along axis before each of the given positions (NumPy's
// split and array_split with a list of indices): the pieces are
// x[:i0], x[i0:i1], ..., x[ik:] along the axis, each bound taken as a
// Python slice takes it (negative counts from the end, beyond the ends
// is clipped, a piece whose stop is before its start is empty). No
// indices give [x].
func (x *Array) SplitAt(indices []int, axis int) []*Array {
	ax, err := x.splitAxis("split", axis)
	if err != nil {
		return errs(err)
	}
	n := x.nd.shape[ax]
	// clip to [-n, n], which slices the same and keeps None (the most
	// negative int) from reading as an omitted bound
	pts := make([]int, 0, len(indices)+2)
	pts = append(pts, 0)
	for _, i := range indices {
		pts = append(pts, min(max(i, -n), n))
	}
	pts = append(pts, n)
	return splitPieces(x, ax, pts[:len(pts)-1], pts[1:])
}

// Hsplit splits x into sections equal pieces along its second axis, or
// its first if x is 1-d (NumPy's hsplit with an integer); x must not be
// 0-d.
func (x *Array) Hsplit(sections int) []*Array {
	if err := x.Err(); err != nil {
		return errs(err)
	}
	switch len(x.nd.shape) {
	case 0:
		return errsf("hsplit", "hsplit only works on arrays of 1 or more dimensions (shape %s)", shapeStr(x.nd.shape))
	case 1:
		return x.Split(sections, 0)
	}
	return x.Split(sections, 1)
}

// Vsplit splits x into sections equal pieces along its first axis
// (NumPy's vsplit with an integer); x must be at least 2-d.
func (x *Array) Vsplit(sections int) []*Array {
	if err := x.Err(); err != nil {
		return errs(err)
	}
	if len(x.nd.shape) < 2 {
		return errsf("vsplit", "vsplit only works on arrays of 2 or more dimensions (shape %s)", shapeStr(x.nd.shape))
	}
	return x.Split(sections, 0)
}

// Dsplit splits x into sections equal pieces along its third axis
// (NumPy's dsplit with an integer); x must be at least 3-d.
func (x *Array) Dsplit(sections int) []*Array {
	if err := x.Err(); err != nil {
		return errs(err)
	}
	if len(x.nd.shape) < 3 {
		return errsf("dsplit", "dsplit only works on arrays of 3 or more dimensions (shape %s)", shapeStr(x.nd.shape))
	}
	return x.Split(sections, 2)
}

// Fliplr reverses the second axis (NumPy's fliplr: left to right); x
// must be at least 2-d.
func (x *Array) Fliplr() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if len(x.nd.shape) < 2 {
		return errorf("fliplr", "input must be >= 2-d (shape %s)", shapeStr(x.nd.shape))
	}
	return x.Flip(1)
}

// Flipud reverses the first axis (NumPy's flipud: up to down); x must be
// at least 1-d.
func (x *Array) Flipud() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if len(x.nd.shape) < 1 {
		return errorf("flipud", "input must be >= 1-d (shape %s)", shapeStr(x.nd.shape))
	}
	return x.Flip(0)
}

// Rot90 rotates x by 90 degrees k times in the plane of two axes, from
// the first towards the second (NumPy's rot90; axes default to 0, 1 and
// must be two distinct axes, negative counting from the end; k may be
// any integer, taken modulo 4, and swapping the axes turns the other
// way). A flip and a transpose: index arithmetic, no copy.
func (x *Array) Rot90(k int, axes ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if len(axes) == 0 {
		axes = []int{0, 1}
	}
	nd := len(x.nd.shape)
	if len(axes) != 2 {
		return errorf("rot90", "len(axes) must be 2, got %v (shape %s)", axes, shapeStr(x.nd.shape))
	}
	a0, err := normAxis("rot90", axes[0], nd)
	if err != nil {
		return errArray(err)
	}
	a1, err := normAxis("rot90", axes[1], nd)
	if err != nil {
		return errArray(err)
	}
	if a0 == a1 {
		return errorf("rot90", "axes must be different, got %v (shape %s)", axes, shapeStr(x.nd.shape))
	}
	perm := make([]int, nd)
	for a := range perm {
		perm[a] = a
	}
	perm[a0], perm[a1] = a1, a0
	switch ((k % 4) + 4) % 4 {
	case 1:
		return x.Flip(a1).Transpose(perm...)
	case 2:
		return x.Flip(a0, a1)
	case 3:
		return x.Transpose(perm...).Flip(a1)
	}
	return x
}

// FullLike is an array of x's shape, dtype and chunks holding value
// (cast to the dtype as Full does; NumPy's full_like with no dtype
// argument: use Astype for another).
func FullLike(x *Array, value float64) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	return Full(x.nd.shape, value, x.nd.dtype, ExplicitChunks(x.nd.chunks))
}

// ZerosLike is FullLike(x, 0) (NumPy's zeros_like).
func ZerosLike(x *Array) *Array { return FullLike(x, 0) }

// OnesLike is FullLike(x, 1) (NumPy's ones_like).
func OnesLike(x *Array) *Array { return FullLike(x, 1) }

// Identity is the n x n identity matrix (NumPy's identity): Eye(n, n, 0).
func Identity(n int, dt graph.DType, opts ...Option) *Array {
	shape := []int{n, n}
	ch, err := resolveChunks("identity", shape, dt, opts)
	if err != nil {
		return errArray(err)
	}
	return Eye(n, n, 0, dt, ExplicitChunks(ch))
}

// Tri is the n x m array with ones at and below diagonal k (element
// (i, j) is 1 where j - i <= k, else 0; NumPy's tri, whose m defaults
// to n): Ones, then Tril.
func Tri(n, m, k int, dt graph.DType, opts ...Option) *Array {
	shape := []int{n, m}
	ch, err := resolveChunks("tri", shape, dt, opts)
	if err != nil {
		return errArray(err)
	}
	return Ones(shape, dt, ExplicitChunks(ch)).Tril(k)
}

// Meshgrid is NumPy's meshgrid with sparse=False: the inputs are
// flattened, and output i holds xs[i] broadcast along its own axis to
// the shape (len(xs[0]), len(xs[1]), ...) with indexing "ij", or that
// shape with its first two axes swapped with indexing "xy" (Cartesian,
// NumPy's default; no swap with one input). Each output keeps its
// input's dtype, and every output's axes are chunked as the inputs that
// lie along them. The outputs are broadcasts (index maps), not copies.
// No inputs give no outputs.
func Meshgrid(xs []*Array, indexing string) []*Array {
	if err := firstErr(xs...); err != nil {
		return errs(err)
	}
	if indexing != "xy" && indexing != "ij" {
		return errsf("meshgrid", "valid values for indexing are 'xy' and 'ij', got %q", indexing)
	}
	n := len(xs)
	flat := make([]*Array, n)
	for i, x := range xs {
		flat[i] = x.Ravel()
		if flat[i].err != nil {
			return errs(flat[i].err)
		}
	}
	// the output axis along which each input lies
	at := make([]int, n)
	for i := range at {
		at[i] = i
	}
	if indexing == "xy" && n > 1 {
		at[0], at[1] = 1, 0
	}
	shape := make([]int, n)
	ch := make(chunks.Chunks, n)
	for i, f := range flat {
		shape[at[i]] = f.nd.shape[0]
		ch[at[i]] = f.nd.chunks[0]
	}
	out := make([]*Array, n)
	for i, f := range flat {
		s := ones(n)
		s[at[i]] = shape[at[i]]
		out[i] = f.Reshape(s...).BroadcastToWith(shape, ExplicitChunks(ch))
		if out[i].err != nil {
			return errs(out[i].err)
		}
	}
	return out
}

// Indices is NumPy's indices with sparse=False: the array of shape
// (len(shape), shape...) whose slice i along the first axis holds each
// element's coordinate on axis i, in dt (bool: coordinate != 0). The
// options chunk the grid axes; the first axis is one block per slice.
// A 0-d shape gives an empty array of shape (0).
func Indices(shape []int, dt graph.DType, opts ...Option) *Array {
	shape = slices.Clone(shape)
	ch, err := resolveChunks("indices", shape, dt, opts)
	if err != nil {
		return errArray(err)
	}
	if err := checkSize("indices", append([]int{len(shape)}, shape...), dt); err != nil {
		return errArray(err)
	}
	if len(shape) == 0 {
		return Zeros([]int{0}, dt)
	}
	grids := make([]*Array, len(shape))
	for a, n := range shape {
		s := ones(len(shape))
		s[a] = n
		grids[a] = Arange(0, float64(n), 1, graph.Int64, ExplicitChunks(chunks.Chunks{ch[a]})).
			Astype(dt).Reshape(s...).BroadcastToWith(shape, ExplicitChunks(ch))
	}
	return Stack(grids, 0)
}

// Insert puts values before position index along axis (NumPy's insert
// with a scalar index and an axis; index may be -n..n for an axis of
// length n, negative counting from the end). As in NumPy, values are
// cast to x's dtype and given leading axes of length 1 up to x's ndim;
// their first axis is moved to axis, and its length is the number k of
// slices inserted; they are then broadcast to x's shape with k along
// axis (leading axes of length 1 beyond x's ndim dropped). So a scalar,
// or a 1-d array as long as the slot's other axis, inserts one slice,
// and k slices are given stacked along the first axis. A Concatenate of
// x's two slices and the values. NumPy's axis=None (flatten first) is
// x.Ravel().Insert(index, values, 0); a list of indices is not
// supported.
func (x *Array) Insert(index int, values *Array, axis int) *Array {
	if err := firstErr(x, values); err != nil {
		return errArray(err)
	}
	nd := len(x.nd.shape)
	ax, err := normAxis("insert", axis, nd)
	if err != nil {
		return errArray(err)
	}
	n := x.nd.shape[ax]
	if index < -n || index > n {
		return errorf("insert", "index %d is out of bounds for axis %d with size %d (shape %s)", index, axis, n, shapeStr(x.nd.shape))
	}
	if index < 0 {
		index += n
	}
	v := values.Astype(x.nd.dtype)
	if k := nd - len(v.nd.shape); k > 0 {
		v = v.Reshape(append(ones(k), v.nd.shape...)...)
	}
	v = v.MoveAxis(0, ax)
	target := slices.Clone(x.nd.shape)
	target[ax] = v.nd.shape[ax]
	// assigned to the slot: leading axes of length 1 beyond its ndim go
	for len(v.nd.shape) > nd && v.nd.shape[0] == 1 {
		v = v.Reshape(v.nd.shape[1:]...)
	}
	v = v.BroadcastTo(target...)
	if v.err != nil {
		return errorf("insert", "could not broadcast values of shape %s into the inserted slot of shape %s (shape %s, axis %d)", shapeStr(values.nd.shape), shapeStr(target), shapeStr(x.nd.shape), axis)
	}
	idx := make([]Index, nd)
	for a := range idx {
		idx[a] = All()
	}
	var parts []*Array
	if index > 0 {
		idx[ax] = Span(0, index)
		parts = append(parts, x.Slice(idx...))
	}
	if target[ax] > 0 {
		parts = append(parts, v)
	}
	if index < n {
		idx[ax] = Span(index, n)
		parts = append(parts, x.Slice(idx...))
	}
	if len(parts) == 0 {
		return x
	}
	return Concatenate(parts, ax)
}

// Delete removes the elements at the given positions along axis (NumPy's
// delete with a list of indices and an axis; negative positions count
// from the end, repeats are removed once, one out of range is an error).
// The kept runs of positions are read by one index-map layer (no copy;
// its chunks are the input's cut at the deleted positions) when there are
// no more of them than x has blocks along the axis, else gathered by
// Take (regular chunks). NumPy's axis=None (flatten first) is
// x.Ravel().Delete(indices, 0); a boolean mask is Compress of its
// negation.
func (x *Array) Delete(indices []int, axis int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	ax, err := normAxis("delete", axis, len(x.nd.shape))
	if err != nil {
		return errArray(err)
	}
	n := x.nd.shape[ax]
	drop := make([]int, len(indices))
	for q, i := range indices {
		g, err := chunks.NormalizeIndex(i, n)
		if err != nil {
			return errorf("delete", "index %d is out of bounds for axis %d with size %d (shape %s)", i, axis, n, shapeStr(x.nd.shape))
		}
		drop[q] = g
	}
	slices.Sort(drop)
	drop = slices.Compact(drop)
	if len(drop) == 0 {
		return x
	}
	// the kept runs: before, between and after the dropped positions
	// (non-nil: gather reads a nil axis as left alone)
	runs := []seg{}
	from := 0
	for _, d := range append(drop, n) {
		if d > from {
			runs = append(runs, seg{from, 1, d - from})
		}
		from = d + 1
	}
	if kept := n - len(drop); len(runs) > len(x.nd.chunks[ax]) && kept <= maxPositions {
		pos := make([]int, 0, kept)
		for _, r := range runs {
			for i := range r.count {
				pos = append(pos, r.start+i)
			}
		}
		return x.Take(pos, ax)
	}
	segs := make([][]seg, len(x.nd.shape))
	segs[ax] = runs
	return gather("delete", x.nd, segs, fmt.Sprint(ax, runs))
}

// Append is values joined to the end of x along axis (NumPy's append
// with an axis): Concatenate([x, values], axis), so both must have the
// same ndim and the dtype is their promotion. NumPy's axis=None (both
// flattened) is x.Ravel().Append(values.Ravel(), 0).
func (x *Array) Append(values *Array, axis int) *Array {
	if err := firstErr(x, values); err != nil {
		return errArray(err)
	}
	out := Concatenate([]*Array{x, values}, axis)
	if out.err != nil {
		return errorf("append", "%v", out.err)
	}
	return out
}
