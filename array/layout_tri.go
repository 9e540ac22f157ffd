package array

import (
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Tril keeps the elements on and below diagonal k of the last two axes
// (j - i <= k) and zeroes the others (NumPy's tril; a 1-d x is first
// broadcast to N x N, as NumPy does). One elementwise layer: the condition is computed from the
// block's global coordinates (Index), no mask array is made.
func (x *Array) Tril(k int) *Array { return triangle("tril", x, k, graph.OpLe) }

// Triu keeps the elements on and above diagonal k of the last two axes
// (j - i >= k) and zeroes the others (NumPy's triu).
func (x *Array) Triu(k int) *Array { return triangle("triu", x, k, graph.OpGe) }

func triangle(op string, x *Array, k int, cmp graph.ElemOp) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	nd := len(xn.shape)
	if nd == 1 {
		// NumPy's tril of a 1-d m is the N x N triangle of m repeated as
		// rows (the mask of tri(N) applied to m broadcast)
		n := xn.shape[0]
		return triangle(op, x.BroadcastToWith([]int{n, n}, ExplicitChunks(chunks.Chunks{xn.chunks[0], xn.chunks[0]})), k, cmp)
	}
	if nd < 2 {
		return errorf(op, "input must be at least 1-d (shape %s)", shapeStr(xn.shape))
	}
	dt := xn.dtype
	p := &pb{}
	r := p.load(0, 0, dt)
	i := p.index(nd-2, graph.Int64)
	j := p.index(nd-1, graph.Int64)
	d := p.op(graph.OpSub, graph.Int64, j, i)
	c := p.op(cmp, graph.Bool, d, p.konstInt(graph.Int64, int64(k)))
	out := p.op(graph.OpWhere, dt, c, r, p.konst(dt, 0))
	prog := p.finish(out)
	name := token(op, xn, k)
	rels := broadcastRels(xn.shape, xn.shape)
	return &Array{nd: newElemNode(name, xn.shape, xn.chunks, dt, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: xn, rels: rels}}})}
}

// Diag is NumPy's diag: a 1-d x becomes the square matrix with x on
// diagonal k (zeros elsewhere); a 2-d x gives its diagonal k as a 1-d
// array.
//
// 1-d: x padded with |k| zeros is related to the rows (k >= 0) or the
// columns (k < 0) of the output and selected where j - i == k, in one
// elementwise layer; both axes are chunked as the padded x.
// 2-d: the output is chunked where the diagonal crosses a row or column
// block boundary, so each output block lies in one input block, and both
// input axes follow the one output axis (an index map with two axes on
// one output coordinate): no copy until a consumer reads it.
func (x *Array) Diag(k int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	switch len(xn.shape) {
	case 1:
		ak := max(k, -k)
		v := x
		if ak > 0 {
			v = x.Pad([][2]int{{0, ak}}, PadConstant, 0)
			if v.err != nil {
				return v
			}
		}
		vn := v.nd
		m := vn.shape[0]
		ch := chunks.Chunks{vn.chunks[0], vn.chunks[0]}
		out := 0
		if k < 0 {
			out = 1
		}
		dt := vn.dtype
		p := &pb{}
		r := p.load(0, 0, dt)
		i := p.index(0, graph.Int64)
		j := p.index(1, graph.Int64)
		d := p.op(graph.OpSub, graph.Int64, j, i)
		c := p.op(graph.OpEq, graph.Bool, d, p.konstInt(graph.Int64, int64(k)))
		prog := p.finish(p.op(graph.OpWhere, dt, c, r, p.konst(dt, 0)))
		name := token("diag", vn, k)
		rels := []axisRel{{kind: relSame, out: out}}
		return &Array{nd: newElemNode(name, []int{m, m}, ch, dt, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: vn, rels: rels}}})}
	case 2:
		r0, c0 := max(-k, 0), max(k, 0)
		n := max(0, min(xn.shape[0]-r0, xn.shape[1]-c0))
		var rows, cols []chunks.SlicePart
		var oc []int
		if n == 0 {
			oc = []int{0}
			rows = []chunks.SlicePart{{Step: 1}}
			cols = rows
		} else {
			rc, rp := chunks.Slice1D(xn.chunks[0], r0, r0+n, 1)
			cc, cp := chunks.Slice1D(xn.chunks[1], c0, c0+n, 1)
			var err error
			oc, err = chunks.Refine(rc, cc)
			if err != nil {
				return errorf("diag", "%v (shape %s)", err, shapeStr(xn.shape))
			}
			rows, cols = splitParts(rp, oc), splitParts(cp, oc)
		}
		p := &pb{}
		prog := p.finish(p.load(0, 0, xn.dtype))
		name := token("diag", xn, k)
		rels := []axisRel{{kind: relSlice, out: 0, parts: rows}, {kind: relSlice, out: 0, parts: cols}}
		return &Array{nd: newElemNode(name, []int{n}, chunks.Chunks{oc}, xn.dtype, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: xn, rels: rels}}})}
	}
	return errorf("diag", "input must be 1-d or 2-d (shape %s)", shapeStr(xn.shape))
}

// splitParts cuts slice parts (one per block of some chunking) along a
// refinement target of that chunking: one part per target block.
func splitParts(parts []chunks.SlicePart, target []int) []chunks.SlicePart {
	out := make([]chunks.SlicePart, len(target))
	pi, pos := 0, 0 // position pos within parts[pi]
	for t, n := range target {
		for pi < len(parts)-1 && pos >= parts[pi].Count {
			pi++
			pos = 0
		}
		p := parts[pi]
		out[t] = chunks.SlicePart{Block: p.Block, Start: p.Start + p.Step*pos, Step: p.Step, Count: n}
		pos += n
	}
	return out
}
