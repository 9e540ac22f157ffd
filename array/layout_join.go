package array

import (
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Joining and rearranging along an axis. Two lowerings serve them all:
//
//   - Several inputs (Concatenate, Stack, Block, Pad with a constant): a
//     concatenation layer whose output blocks along the axis are the
//     inputs' blocks in turn, so each output block is exactly one input
//     block: one fused task that loads it (and casts it to the common
//     dtype). An elementwise layer cannot do this, since its inputs are
//     the same for every block; graph.Fuse still merges the copy into the
//     producer or consumer of a single-reader chain.
//   - One input whose output along some axes is a run of pieces of it,
//     each piece an arithmetic progression of input positions with step
//     1, -1 or 0 (Roll, Tile, Pad with edge, reflect or wrap): an
//     elementwise layer whose relation on such an axis lists one slice
//     part per output block (as Slice does), so no data moves until a
//     consumer reads it.

// Concatenate joins arrays along an existing axis (NumPy's concatenate).
// The dtype is the promotion of the inputs'. The output's chunks along
// axis are the inputs' chunks one after another; along the other axes
// the inputs are rechunked to a common refinement where they differ.
func Concatenate(xs []*Array, axis int) *Array {
	if len(xs) == 0 {
		return errorf("concatenate", "need at least one array to concatenate")
	}
	if err := firstErr(xs...); err != nil {
		return errArray(err)
	}
	nd := len(xs[0].nd.shape)
	if nd == 0 {
		return errorf("concatenate", "zero-dimensional arrays cannot be concatenated (shapes %s)", shapesStr(xs...))
	}
	ax, err := normAxis("concatenate", axis, nd)
	if err != nil {
		return errArray(err)
	}
	dt := xs[0].nd.dtype
	for _, x := range xs[1:] {
		s := x.nd.shape
		if len(s) != nd {
			return errorf("concatenate", "all the input arrays must have the same number of dimensions (shapes %s)", shapesStr(xs...))
		}
		for a := range s {
			if a != ax && s[a] != xs[0].nd.shape[a] {
				return errorf("concatenate", "all the input array dimensions except for the concatenation axis %d must match exactly (shapes %s)", ax, shapesStr(xs...))
			}
		}
		dt = graph.Promote(dt, x.nd.dtype)
	}
	// common chunks on the other axes
	och := make(chunks.Chunks, nd)
	for a := range och {
		if a == ax {
			continue
		}
		och[a] = xs[0].nd.chunks[a]
		for _, x := range xs[1:] {
			c := x.nd.chunks[a]
			if slices.Equal(c, och[a]) {
				continue
			}
			r, err := chunks.Refine(och[a], c)
			if err != nil {
				return errorf("concatenate", "%v", err)
			}
			och[a] = r
		}
	}
	ins := make([]*node, len(xs))
	for i, x := range xs {
		want := x.nd.chunks.Clone()
		for a := range want {
			if a != ax {
				want[a] = och[a]
			}
		}
		y := rechunkTo(x, want)
		if y.err != nil {
			return y
		}
		ins[i] = y.nd
		och[ax] = append(och[ax], y.nd.chunks[ax]...)
	}
	if len(ins) == 1 {
		return (&Array{nd: ins[0]}).Astype(dt)
	}
	return catLayer("concatenate", ins, ax, och, dt)
}

// catLayer joins ins (chunked as och off axis ax) along ax: output block
// j along ax is block b of input k, in order.
func catLayer(op string, ins []*node, ax int, och chunks.Chunks, dt graph.DType) *Array {
	type src struct{ k, b int }
	var srcs []src
	parts := []any{dt, ax}
	progs := make([]*graph.Program, len(ins))
	shape := append([]int{}, ins[0].shape...)
	shape[ax] = 0
	for k, in := range ins {
		for b := range in.chunks[ax] {
			srcs = append(srcs, src{k, b})
		}
		shape[ax] += in.shape[ax]
		p := &pb{}
		progs[k] = p.finish(p.cast(p.load(0, 0, in.dtype), dt))
		parts = append(parts, in)
	}
	name := token(op, parts...)
	nd := &node{name: name, shape: shape, chunks: och, dtype: dt, nout: 1, inputs: ins}
	nd.lower = func(b *builder) error {
		n := len(shape)
		grid := och.NumBlocks()
		ident := graph.Identity(n, nil)
		bo := make([]int, n)
		idx := make([]int, n)
		for flat := 0; flat < och.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bo)
			s := srcs[bo[ax]]
			in := ins[s.k]
			copy(idx, bo)
			idx[ax] = s.b
			k := graph.Key{Layer: in.name, Block: int64(chunks.Ravel(idx, in.chunks.NumBlocks()))}
			b.mark(in, k)
			bs := och.BlockShape(bo)
			b.g.Tasks = append(b.g.Tasks, graph.Task{
				Key:     graph.Key{Layer: name, Block: int64(flat)},
				Op:      graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: progs[s.k], Shape: bs, Maps: []graph.Map{ident}}},
				Inputs:  []graph.Key{k},
				Outputs: []graph.Chunk{{DType: dt, Shape: bs}},
				Devices: allDevices,
			})
		}
		return nil
	}
	return &Array{nd: nd}
}

// Stack joins arrays of one shape along a new axis at position axis of
// the result (NumPy's stack): ExpandDims then Concatenate.
func Stack(xs []*Array, axis int) *Array {
	if len(xs) == 0 {
		return errorf("stack", "need at least one array to stack")
	}
	if err := firstErr(xs...); err != nil {
		return errArray(err)
	}
	for _, x := range xs[1:] {
		if !slices.Equal(x.nd.shape, xs[0].nd.shape) {
			return errorf("stack", "all input arrays must have the same shape (shapes %s)", shapesStr(xs...))
		}
	}
	ax, err := normAxis("stack", axis, len(xs[0].nd.shape)+1)
	if err != nil {
		return errArray(err)
	}
	ys := make([]*Array, len(xs))
	for i, x := range xs {
		ys[i] = x.ExpandDims(ax)
	}
	return Concatenate(ys, ax)
}

// Block assembles an array from a 2-level nested list of blocks (NumPy's
// block with depth 2): every array is given leading axes of length 1 up
// to max(2, the largest ndim); each row is concatenated along the last
// axis, then the rows along the one before.
func Block(rows [][]*Array) *Array {
	if len(rows) == 0 {
		return errorf("block", "need at least one row")
	}
	nd := 2
	for _, row := range rows {
		if len(row) == 0 {
			return errorf("block", "lists cannot be empty (%d rows)", len(rows))
		}
		if err := firstErr(row...); err != nil {
			return errArray(err)
		}
		for _, x := range row {
			nd = max(nd, len(x.nd.shape))
		}
	}
	joined := make([]*Array, len(rows))
	for i, row := range rows {
		ys := make([]*Array, len(row))
		for j, x := range row {
			ys[j] = x
			if k := nd - len(x.nd.shape); k > 0 {
				ys[j] = x.Reshape(append(ones(k), x.nd.shape...)...)
			}
		}
		joined[i] = Concatenate(ys, -1)
		if joined[i].err != nil {
			return errorf("block", "row %d: %v", i, joined[i].err)
		}
	}
	out := Concatenate(joined, -2)
	if out.err != nil {
		return errorf("block", "%v", out.err)
	}
	return out
}

// seg is a run of input positions along one axis: start + step*i for
// i < count (step 0 repeats one element).
type seg struct{ start, step, count int }

// segParts turns runs of positions along an axis chunked as ch into the
// output chunks and one slice part per output block. Runs with step 0 are
// cut into blocks no larger than the largest input block.
func segParts(ch []int, segs []seg) ([]int, []chunks.SlicePart) {
	var out []int
	var parts []chunks.SlicePart
	maxc := 1
	for _, c := range ch {
		maxc = max(maxc, c)
	}
	for _, s := range segs {
		if s.count <= 0 {
			continue
		}
		if s.step == 0 {
			b, local := locate(ch, s.start)
			for left := s.count; left > 0; {
				n := min(left, maxc)
				out = append(out, n)
				parts = append(parts, chunks.SlicePart{Block: b, Start: local, Step: 0, Count: n})
				left -= n
			}
			continue
		}
		oc, ps := chunks.Slice1D(ch, s.start, s.start+s.step*s.count, s.step)
		if oc[0] == 0 && len(oc) == 1 {
			continue
		}
		out = append(out, oc...)
		parts = append(parts, ps...)
	}
	if len(parts) == 0 {
		return []int{0}, []chunks.SlicePart{{Block: 0, Step: 1}}
	}
	return out, parts
}

// gather makes the elementwise layer whose axis a reads x along the runs
// segs[a] (nil: the axis as it is).
func gather(op string, x *node, segs [][]seg, params string) *Array {
	n := len(x.shape)
	shape := append([]int{}, x.shape...)
	ch := x.chunks.Clone()
	rels := make([]axisRel, n)
	for a := range rels {
		rels[a] = axisRel{kind: relSame, out: a}
		if segs[a] == nil {
			continue
		}
		oc, parts := segParts(x.chunks[a], segs[a])
		ch[a] = oc
		shape[a] = sumInts(oc)
		rels[a] = axisRel{kind: relSlice, out: a, parts: parts}
	}
	p := &pb{}
	prog := p.finish(p.load(0, 0, x.dtype))
	name := token(op, x, params)
	return &Array{nd: newElemNode(name, shape, ch, x.dtype, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: x, rels: rels}}})}
}

// Roll shifts the elements along the given axes by shift, those pushed
// off one end coming back at the other (NumPy's roll; an axis given
// twice is shifted twice). With no axes the array is rolled flat and
// given its shape back. The two pieces of each axis are index maps.
func (x *Array) Roll(shift int, axes ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	shape := x.nd.shape
	if len(axes) == 0 {
		return x.Ravel().Roll(shift, 0).Reshape(shape...)
	}
	shifts := make([]int, len(shape))
	for _, a := range axes {
		na, err := normAxis("roll", a, len(shape))
		if err != nil {
			return errArray(err)
		}
		// reduce mod the axis length before adding: repeated axes with
		// huge shifts must not overflow (NumPy adds Python ints)
		if n := shape[na]; n > 0 {
			shifts[na] = (shifts[na] + (shift%n+n)%n) % n
		}
	}
	segs := make([][]seg, len(shape))
	moved := false
	for a, s := range shifts {
		n := shape[a]
		if n == 0 {
			continue
		}
		s = ((s % n) + n) % n
		if s == 0 {
			continue
		}
		segs[a] = []seg{{n - s, 1, s}, {0, 1, n - s}}
		moved = true
	}
	if !moved {
		return x
	}
	return gather("roll", x.nd, segs, fmt.Sprint(shifts))
}

// Tile repeats the whole array reps[a] times along each axis (NumPy's
// tile: reps shorter than ndim is padded with leading 1s; longer, x gets
// leading axes of length 1). One index-map layer.
func (x *Array) Tile(reps ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	for _, r := range reps {
		if r < 0 {
			return errorf("tile", "negative repetition in %v (shape %s)", reps, shapeStr(x.nd.shape))
		}
	}
	nd := max(len(x.nd.shape), len(reps))
	y := x
	if k := nd - len(x.nd.shape); k > 0 {
		y = x.Reshape(append(ones(k), x.nd.shape...)...)
		if y.err != nil {
			return y
		}
	}
	full := append(ones(nd-len(reps)), reps...)
	segs := make([][]seg, nd)
	moved := false
	for a, r := range full {
		if r == 1 {
			continue
		}
		moved = true
		segs[a] = []seg{}
		for i := 0; i < r; i++ {
			segs[a] = append(segs[a], seg{0, 1, y.nd.shape[a]})
		}
	}
	if !moved {
		return y
	}
	return gather("tile", y.nd, segs, fmt.Sprint(full))
}

// Repeat repeats each element n times along axis (NumPy's repeat with a
// scalar count; with no axis, of the flattened array). The map from
// output to input position divides, which an affine index map cannot
// express, so it is ExpandDims, BroadcastTo the count along the new axis
// (whole) and a Reshape merging the two, which needs no rechunk: each
// output block is the broadcast block handed on by OpAlias.
func (x *Array) Repeat(n int, axis ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if n < 0 {
		return errorf("repeat", "negative count %d (shape %s)", n, shapeStr(x.nd.shape))
	}
	if len(axis) > 1 {
		return errorf("repeat", "one axis at most, got %v (shape %s)", axis, shapeStr(x.nd.shape))
	}
	if len(axis) == 0 {
		return x.Ravel().Repeat(n, 0)
	}
	a, err := normAxis("repeat", axis[0], len(x.nd.shape))
	if err != nil {
		return errArray(err)
	}
	if n == 1 {
		return x
	}
	shape := x.nd.shape
	b := append(append(append([]int{}, shape[:a+1]...), n), shape[a+1:]...)
	out := append([]int{}, shape...)
	out[a] *= n
	return x.ExpandDims(a + 1).BroadcastTo(b...).Reshape(out...)
}

// PadMode selects how Pad fills the new elements.
type PadMode uint8

// Pad modes (NumPy's names).
const (
	PadConstant  PadMode = iota // the given value
	PadEdge                     // the edge element repeated
	PadReflect                  // mirrored about the edge element, not repeating it
	PadWrap                     // the other end of the axis, periodically
	PadSymmetric                // mirrored about the edge, repeating the edge element
)

func (m PadMode) String() string {
	switch m {
	case PadConstant:
		return "constant"
	case PadEdge:
		return "edge"
	case PadReflect:
		return "reflect"
	case PadWrap:
		return "wrap"
	case PadSymmetric:
		return "symmetric"
	}
	return "padmode?"
}

// Pad adds width[a][0] elements before and width[a][1] after each axis a
// (one pair applies to every axis), filled as mode says; value is the fill
// of PadConstant (cast to x's dtype), unused otherwise. Reflect and wrap
// continue periodically when the padding is longer than the axis, as
// NumPy's do. PadConstant concatenates constant blocks (generators); the
// other modes are one index-map layer whose pieces along an axis are
// runs of input positions with step 1, -1 or 0.
func (x *Array) Pad(width [][2]int, mode PadMode, value float64) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	nd := len(xn.shape)
	if mode > PadSymmetric {
		return errorf("pad", "unknown mode %d (shape %s)", mode, shapeStr(xn.shape))
	}
	w := width
	if len(w) == 1 && nd != 1 {
		w = make([][2]int, nd)
		for a := range w {
			w[a] = width[0]
		}
	}
	if len(w) != nd && !(nd == 0 && len(w) <= 1) {
		return errorf("pad", "%d widths for an array of shape %s", len(width), shapeStr(xn.shape))
	}
	for a := 0; a < nd; a++ {
		if w[a][0] < 0 || w[a][1] < 0 {
			return errorf("pad", "negative width %v (shape %s)", w[a], shapeStr(xn.shape))
		}
		if mode != PadConstant && xn.shape[a] == 0 && w[a] != [2]int{} {
			return errorf("pad", "can't extend empty axis %d using mode %v (shape %s)", a, mode, shapeStr(xn.shape))
		}
	}
	if nd == 0 {
		return x
	}
	if mode == PadConstant {
		y := x
		for a := 0; a < nd; a++ {
			if w[a] == [2]int{} {
				continue
			}
			var parts []*Array
			fill := func(k int) *Array {
				s := append([]int{}, y.nd.shape...)
				s[a] = k
				c := y.nd.chunks.Clone()
				c[a] = []int{k}
				return Full(s, value, xn.dtype, ExplicitChunks(c))
			}
			if w[a][0] > 0 {
				parts = append(parts, fill(w[a][0]))
			}
			parts = append(parts, y)
			if w[a][1] > 0 {
				parts = append(parts, fill(w[a][1]))
			}
			y = Concatenate(parts, a)
			if y.err != nil {
				return errorf("pad", "%v", y.err)
			}
		}
		return y
	}
	segs := make([][]seg, nd)
	for a := 0; a < nd; a++ {
		if w[a] != [2]int{} {
			segs[a] = padSegs(mode, xn.shape[a], w[a][0], w[a][1])
		}
	}
	return gather("pad", xn, segs, fmt.Sprint(mode, w))
}

// padSegs is the runs of input positions of an axis of length n padded
// by before and after elements (n > 0).
func padSegs(mode PadMode, n, before, after int) []seg {
	return rangeSegs(mode, n, -before, n+after)
}

// rangeSegs is the runs of input positions that positions [from, to) of
// an axis of length n > 0 read when the axis is extended beyond its ends
// as mode says (not PadConstant).
func rangeSegs(mode PadMode, n, from, to int) []seg {
	var segs []seg
	// position i (relative to the first input element): the input
	// position and how it moves with i
	for i := from; i < to; {
		left := to - i
		var s seg
		switch mode {
		case PadEdge:
			switch {
			case i < 0:
				s = seg{0, 0, min(left, -i)}
			case i < n:
				s = seg{i, 1, min(left, n-i)}
			default:
				s = seg{n - 1, 0, left}
			}
		case PadWrap:
			m := ((i % n) + n) % n
			s = seg{m, 1, min(left, n-m)}
		case PadReflect:
			if n == 1 {
				s = seg{0, 0, left}
				break
			}
			p := 2 * (n - 1)
			m := ((i % p) + p) % p
			if m < n-1 { // rising to n-1
				s = seg{m, 1, min(left, n-1-m)}
			} else { // falling from n-1 to 1
				s = seg{p - m, -1, min(left, p-m)}
			}
		case PadSymmetric:
			p := 2 * n
			m := ((i % p) + p) % p
			if m < n { // rising to n-1
				s = seg{m, 1, min(left, n-m)}
			} else { // falling from n-1 to 0
				s = seg{p - 1 - m, -1, min(left, p-m)}
			}
		}
		segs = append(segs, s)
		i += s.count
	}
	return segs
}
