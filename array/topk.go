package array

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// TopK returns the k largest elements along axis in descending order
// when k > 0, or the |k| smallest in ascending order when k < 0 (Dask's
// topk). The order is Sort's: NaN is the largest value (first for k > 0,
// last for k < 0), and equal values come in their original order (the
// lower index first) in both directions, so TopK(-k) is the first k of
// Sort. k == 0 and |k| larger than the axis are errors. The result has
// x's dtype and one chunk of |k| along axis (x's chunks elsewhere).
//
// Lowered like a reduction: each block's own top |k| (fewer when the
// block is shorter), then a tree of merges of DefaultSplitEvery
// partials at a time, in block order, each keeping the first |k| of the
// merged order.
func (x *Array) TopK(k int, axis int) *Array { return topK("topk", x, k, axis, false) }

// ArgTopK returns the int64 positions along axis of TopK's elements, in
// TopK's order (Dask's argtopk).
func (x *Array) ArgTopK(k int, axis int) *Array { return topK("argtopk", x, k, axis, true) }

func topK(op string, x *Array, k, axis int, arg bool) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	ax, err := normAxis(op, axis, len(xn.shape))
	if err != nil {
		return errorf(op, "axis %d is out of bounds for array of dimension %d (shape %s)", axis, len(xn.shape), shapeStr(xn.shape))
	}
	kk := k
	if kk < 0 {
		kk = -kk
	}
	if k == 0 || kk > xn.shape[ax] {
		return errorf(op, "k=%d must be nonzero and at most the length %d of axis %d (shape %s)", k, xn.shape[ax], axis, shapeStr(xn.shape))
	}
	desc := k > 0
	odt := xn.dtype
	final := graph.SortValues
	carry := graph.SortValues
	if arg {
		odt, final = graph.Int64, graph.SortIndices
		carry |= graph.SortIndices
	}
	if len(xn.chunks[ax]) == 1 {
		return &Array{nd: sortBlocks(op, xn, ax, desc, []int{kk}, final)}
	}
	keep := make([]int, len(xn.chunks[ax]))
	for j, c := range xn.chunks[ax] {
		keep[j] = min(c, kk)
	}
	part := sortBlocks(op+"-partial", xn, ax, desc, keep, carry)
	och := xn.chunks.Clone()
	och[ax] = []int{kk}
	shape := och.Shape()
	split := DefaultSplitEvery
	name := token(op, part, split)
	nd := &node{name: name, shape: shape, chunks: och, dtype: odt, nout: 1, inputs: []*node{part}}
	nd.lower = func(b *builder) error {
		grid := och.NumBlocks()
		pgrid := part.chunks.NumBlocks()
		oi := make([]int, len(grid))
		pi := make([]int, len(grid))
		type item struct {
			key graph.Key
			n   int // length along the axis
		}
		outs := func(bs []int, n int, sel graph.SortOutputs) []graph.Chunk {
			s := append([]int(nil), bs...)
			s[ax] = n
			var c []graph.Chunk
			if sel&graph.SortValues != 0 {
				c = append(c, graph.Chunk{DType: xn.dtype, Shape: s})
			}
			if sel&graph.SortIndices != 0 {
				c = append(c, graph.Chunk{DType: graph.Int64, Shape: s})
			}
			return c
		}
		merge := func(key graph.Key, grp []item, bs []int, sel graph.SortOutputs) (graph.Task, int) {
			n := 0
			t := graph.Task{Key: key, Devices: graph.DeviceKinds(graph.CPU),
				Op: graph.Op{Name: graph.OpSortMerge, Params: &graph.SortParams{Axis: ax, Desc: desc, Out: sel, Indexed: arg}}}
			for _, it := range grp {
				t.Inputs = append(t.Inputs, it.key)
				n += it.n
			}
			n = min(n, kk)
			t.Outputs = outs(bs, n, sel)
			return t, n
		}
		for flat := 0; flat < och.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, oi)
			bs := och.BlockShape(oi)
			var level []item
			copy(pi, oi)
			for j, n := range keep {
				if n == 0 {
					continue
				}
				pi[ax] = j
				key := graph.Key{Layer: part.name, Block: int64(chunks.Ravel(pi, pgrid))}
				b.mark(part, key)
				level = append(level, item{key, n})
			}
			for depth := 0; len(level) > split; depth++ {
				lname := fmt.Sprintf("%s-%d", name, depth)
				width := (len(level) + split - 1) / split
				next := make([]item, 0, width)
				for j := 0; j < width; j++ {
					grp := level[j*split : min((j+1)*split, len(level))]
					t, n := merge(graph.Key{Layer: lname, Block: int64(flat*width + j)}, grp, bs, carry)
					b.g.Tasks = append(b.g.Tasks, t)
					next = append(next, item{t.Key, n})
				}
				level = next
			}
			t, _ := merge(graph.Key{Layer: name, Block: int64(flat)}, level, bs, final)
			b.g.Tasks = append(b.g.Tasks, t)
		}
		return nil
	}
	return &Array{nd: nd}
}
