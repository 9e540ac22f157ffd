package array

import (
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Set returns x with x[index] = values, as a new array (NumPy's
// assignment, copy-on-write per block): the blocks the index does not
// touch are handed on unchanged, each other block is copied once and
// patched (graph.OpPatch). index takes basic indices (Sl, Span, All, At,
// Ellipsis) and at most one Ix or Mask; NewAxis is refused. values is
// broadcast to the shape of x.Slice(index...) and cast to x's dtype (as
// NumPy's assignment casts); where an Ix repeats a position the last
// value wins, as in NumPy.
func (x *Array) Set(index []Index, values *Array) *Array {
	if err := firstErr(x, values); err != nil {
		return errArray(err)
	}
	xn := x.nd
	n := len(xn.shape)
	for _, ix := range index {
		if ix.kind == idxNewAxis {
			return errorf("setitem", "NewAxis in an assignment index (shape %s)", shapeStr(xn.shape))
		}
	}
	target := x.Slice(index...)
	if target.err != nil {
		return errorf("setitem", "%v", target.err)
	}
	// the index with the ellipsis expanded and one entry per axis
	var full []Index
	consumes := 0
	for _, ix := range index {
		if ix.kind != idxEllipsis {
			consumes++
		}
	}
	for _, ix := range index {
		if ix.kind == idxEllipsis {
			for k := 0; k < n-consumes; k++ {
				full = append(full, All())
			}
			continue
		}
		full = append(full, ix)
	}
	for len(full) < n {
		full = append(full, All())
	}
	// positions per axis, and where x.Slice put each axis
	pos := make([][]int, n)
	var ints []int
	list := -1
	for a, ix := range full {
		switch ix.kind {
		case idxInt:
			i, _ := chunks.NormalizeIndex(ix.i, xn.shape[a]) // checked by Slice
			pos[a] = []int{i}
			ints = append(ints, a)
		case idxList:
			for _, v := range ix.list {
				i, _ := chunks.NormalizeIndex(v, xn.shape[a])
				pos[a] = append(pos[a], i)
			}
			list = a
		default:
			s, e, st, _, _ := chunks.NormalizeSlice(xn.shape[a], ix.start, ix.start != None, ix.stop, ix.stop != None, ix.step)
			for i := s; (st > 0 && i < e) || (st < 0 && i > e); i += st {
				pos[a] = append(pos[a], i)
			}
		}
	}
	tshape := target.Shape()
	v := values.Astype(xn.dtype).BroadcastTo(tshape...)
	if v.err != nil {
		return errorf("setitem", "could not broadcast values of shape %s into shape %s", shapeStr(values.Shape()), shapeStr(tshape))
	}
	for a := range pos {
		if len(pos[a]) == 0 {
			return x // nothing is assigned (the values still had to fit)
		}
	}
	// back to one axis per axis of x, in x's order
	if list >= 0 {
		lp := 0 // where the list's axis is among x's non-int axes
		for a := 0; a < list; a++ {
			if full[a].kind != idxInt {
				lp++
			}
		}
		if len(tshape) > 0 && lp != 0 && movedFirst(full, list) {
			v = v.MoveAxis(0, lp)
		}
	}
	for _, a := range ints {
		v = v.ExpandDims(a)
	}
	// per axis: runs of consecutive positions in one block of x; a block
	// met in two runs needs the values reordered (stably) first
	runs := make([][]setRun, n)
	for a := 0; a < n; a++ {
		r, ok := blockRuns(xn.chunks[a], pos[a])
		if !ok {
			order := make([]int, len(pos[a]))
			for j := range order {
				order[j] = j
			}
			blk := make([]int, len(pos[a]))
			for j, p := range pos[a] {
				blk[j], _ = locate(xn.chunks[a], p)
			}
			sort.SliceStable(order, func(i, j int) bool { return blk[order[i]] < blk[order[j]] })
			np := make([]int, len(order))
			for j, o := range order {
				np[j] = pos[a][o]
			}
			pos[a] = np
			v = v.Take(order, a)
			r, _ = blockRuns(xn.chunks[a], pos[a])
		}
		runs[a] = r
	}
	vch := make(chunks.Chunks, n)
	for a := range vch {
		for _, r := range runs[a] {
			vch[a] = append(vch[a], len(r.local))
		}
	}
	if v.err != nil {
		return errorf("setitem", "%v", v.err)
	}
	vb := rechunkTo(v, vch)
	if vb.err != nil {
		return errorf("setitem", "%v", vb.err)
	}
	h := fnv.New64a()
	fmt.Fprint(h, pos)
	name := token("setitem", xn, vb.nd, h.Sum64())
	vn := vb.nd
	out := &node{name: name, shape: xn.shape, chunks: xn.chunks, dtype: xn.dtype, nout: 1, inputs: []*node{xn, vn}}
	out.lower = func(b *builder) error {
		// run index of each block along each axis (-1: untouched)
		runOf := make([][]int, n)
		for a := 0; a < n; a++ {
			runOf[a] = make([]int, len(xn.chunks[a]))
			for i := range runOf[a] {
				runOf[a][i] = -1
			}
			for r, run := range runs[a] {
				runOf[a][run.block] = r
			}
		}
		grid := xn.chunks.NumBlocks()
		vgrid := vn.chunks.NumBlocks()
		bi := make([]int, n)
		ri := make([]int, n)
		for flat := 0; flat < xn.chunks.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bi)
			k := graph.Key{Layer: xn.name, Block: int64(flat)}
			b.mark(xn, k)
			t := graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: allDevices,
				Inputs: []graph.Key{k}, Outputs: []graph.Chunk{{DType: xn.dtype, Shape: xn.chunks.BlockShape(bi)}}}
			touched := true
			for a := 0; a < n; a++ {
				ri[a] = runOf[a][bi[a]]
				touched = touched && ri[a] >= 0
			}
			if !touched {
				t.Op = graph.Op{Name: graph.OpAlias}
				b.g.Tasks = append(b.g.Tasks, t)
				continue
			}
			p := &graph.PatchParams{Pos: make([][]int, n)}
			for a := 0; a < n; a++ {
				p.Pos[a] = runs[a][ri[a]].local
			}
			vk := graph.Key{Layer: vn.name, Block: int64(chunks.Ravel(ri, vgrid))}
			b.mark(vn, vk)
			t.Inputs = append(t.Inputs, vk)
			t.Op = graph.Op{Name: graph.OpPatch, Params: p}
			t.Devices = graph.DeviceKinds(graph.CPU)
			b.g.Tasks = append(b.g.Tasks, t)
		}
		return nil
	}
	return &Array{nd: out}
}

// setRun is a run of consecutive assigned positions inside one block of
// an axis: the block and the positions within it.
type setRun struct {
	block int
	local []int
}

// blockRuns splits positions into runs by the block each falls in; ok
// is false when a block is met in two separate runs.
func blockRuns(ch []int, pos []int) ([]setRun, bool) {
	var runs []setRun
	seen := map[int]bool{}
	for _, p := range pos {
		blk, local := locate(ch, p)
		if len(runs) == 0 || runs[len(runs)-1].block != blk {
			if seen[blk] {
				return nil, false
			}
			seen[blk] = true
			runs = append(runs, setRun{block: blk})
		}
		r := &runs[len(runs)-1]
		r.local = append(r.local, local)
	}
	return runs, true
}

// movedFirst reports whether NumPy puts the list's axis first: integer
// indices present and not all next to the list.
func movedFirst(full []Index, list int) bool {
	lo, hi := list, list
	for i, ix := range full {
		if ix.kind == idxInt {
			lo, hi = min(lo, i), max(hi, i)
		}
	}
	for i := lo; i <= hi; i++ {
		if k := full[i].kind; k != idxInt && k != idxList {
			return true
		}
	}
	return false
}
