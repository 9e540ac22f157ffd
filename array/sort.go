package array

import (
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Sort returns x sorted along axis (negative counts from the end), as
// NumPy's sort with kind="stable": ascending, NaN after +Inf, equal
// values (-0 and +0 among them) in their original order. Every dtype
// sorts (bool: false first). The result has x's dtype and chunks.
//
// Along an axis with one chunk each block is sorted by one task. Along a
// chunked axis the sort is distributed and keeps the chunks: each block
// is first sorted on its own; then output block i, holding the global
// ranks [o_i, o_i+c_i) of each lane, is one task that reads the sorted
// blocks along the axis, finds in each where rank o_i starts by k-way
// rank selection (binary search over the values of the sorted inputs)
// and merges the pieces from there. Memory: the sorted blocks of a line
// of blocks along the axis stay resident until the last output block of
// that line is made (one copy of the input's size along the axis, the
// line), with the output blocks on top as they are made; no task holds
// more than its inputs, its output and O(blocks) words (see the
// kernels' docs in kernels/cpu for their scratch).
func (x *Array) Sort(axis int) *Array { return sortArray("sort", x, axis, false) }

// ArgSort returns the int64 positions along axis that sort x (NumPy's
// argsort with kind="stable"): x.Take-ing them along axis gives Sort.
// Lowered as Sort, with the sorted blocks carrying their global
// positions.
func (x *Array) ArgSort(axis int) *Array { return sortArray("argsort", x, axis, true) }

func sortArray(op string, x *Array, axis int, arg bool) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	ax, err := normAxis(op, axis, len(xn.shape))
	if err != nil {
		return errorf(op, "axis %d is out of bounds for array of dimension %d (shape %s)", axis, len(xn.shape), shapeStr(xn.shape))
	}
	odt := xn.dtype
	out := graph.SortValues
	if arg {
		odt, out = graph.Int64, graph.SortIndices
	}
	if len(xn.chunks[ax]) == 1 {
		return &Array{nd: sortBlocks(op, xn, ax, false, xn.chunks[ax], out)}
	}
	// phase 1: every block sorted on its own (with its global positions
	// for argsort)
	local := graph.SortValues
	if arg {
		local |= graph.SortIndices
	}
	part := sortBlocks(op+"-block", xn, ax, false, xn.chunks[ax], local)
	// phase 2: output block i merges ranks [o_i, o_i+c_i) of its line
	name := token(op, part, ax)
	nd := &node{name: name, shape: xn.shape, chunks: xn.chunks, dtype: odt, nout: 1, inputs: []*node{part}}
	offs := offsets(xn.chunks[ax])
	nd.lower = func(b *builder) error {
		grid := xn.chunks.NumBlocks()
		oi := make([]int, len(grid))
		ii := make([]int, len(grid))
		for flat := 0; flat < xn.chunks.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, oi)
			bs := xn.chunks.BlockShape(oi)
			p := &graph.SortParams{Axis: ax, Out: out, Lo: int64(offs[oi[ax]]), Indexed: arg}
			t := graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: graph.DeviceKinds(graph.CPU),
				Op: graph.Op{Name: graph.OpSortMerge, Params: p}, Outputs: []graph.Chunk{{DType: odt, Shape: bs}}}
			if prod(bs) > 0 {
				copy(ii, oi)
				for j, c := range xn.chunks[ax] {
					if c == 0 {
						continue
					}
					ii[ax] = j
					k := graph.Key{Layer: part.name, Block: int64(chunks.Ravel(ii, grid))}
					b.mark(part, k)
					t.Inputs = append(t.Inputs, k)
				}
			}
			if len(t.Inputs) == 0 {
				p.Lo = 0
			}
			b.g.Tasks = append(b.g.Tasks, t)
		}
		return nil
	}
	return &Array{nd: nd}
}

// sortBlocks is a layer of one graph.OpSortBlock task per block of x:
// each lane along axis of the block ordered (descending with desc), its
// first keep[j] positions kept in block j along axis (all of them for a
// sort, |k| or fewer for a top-k partial), with the outputs out (values,
// global int64 positions, or both: then the layer's blocks are tuples).
func sortBlocks(op string, xn *node, ax int, desc bool, keep []int, out graph.SortOutputs) *node {
	och := xn.chunks.Clone()
	och[ax] = keep
	shape := och.Shape()
	var dts []graph.DType
	if out&graph.SortValues != 0 {
		dts = append(dts, xn.dtype)
	}
	if out&graph.SortIndices != 0 {
		dts = append(dts, graph.Int64)
	}
	name := token(op, xn, ax, desc, keep, int(out))
	nd := &node{name: name, shape: shape, chunks: och, dtype: dts[0], nout: len(dts), inputs: []*node{xn}}
	offs := offsets(xn.chunks[ax])
	nd.lower = func(b *builder) error {
		grid := och.NumBlocks()
		bi := make([]int, len(grid))
		for flat := 0; flat < och.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bi)
			bs := och.BlockShape(bi)
			t := graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: graph.DeviceKinds(graph.CPU),
				Op:     graph.Op{Name: graph.OpSortBlock, Params: &graph.SortParams{Axis: ax, Desc: desc, Out: out, Base: int64(offs[bi[ax]])}},
				Inputs: []graph.Key{{Layer: xn.name, Block: int64(flat)}}}
			for _, dt := range dts {
				t.Outputs = append(t.Outputs, graph.Chunk{DType: dt, Shape: bs})
			}
			b.mark(xn, t.Inputs[0])
			b.g.Tasks = append(b.g.Tasks, t)
		}
		return nil
	}
	return nd
}

// offsets are the starts of the blocks of one axis.
func offsets(c []int) []int {
	o := make([]int, len(c))
	s := 0
	for i, v := range c {
		o[i] = s
		s += v
	}
	return o
}
