package array

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Take returns the elements of x at the given positions along axis, in
// that order, repeats allowed (NumPy's take with an axis, Dask's
// x[..., idx, ...] with a NumPy index): negative positions count from the
// end, and one out of range is an error. The output's chunks along axis
// are regular, as large as x's largest chunk there; each output block is
// one task that reads the input blocks its positions fall in.
func (x *Array) Take(indices []int, axis int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	nd := len(xn.shape)
	ax, err := normAxis("take", axis, nd)
	if err != nil {
		return errArray(err)
	}
	n := xn.shape[ax]
	idx := make([]int, len(indices))
	for i, v := range indices {
		g, err := chunks.NormalizeIndex(v, n)
		if err != nil {
			return errorf("take", "index %d is out of bounds for axis %d with size %d (shape %s)", v, axis, n, shapeStr(xn.shape))
		}
		idx[i] = g
	}
	cs := 1
	for _, c := range xn.chunks[ax] {
		cs = max(cs, c)
	}
	och := xn.chunks.Clone()
	och[ax] = nil
	for q := 0; q < len(idx); q += cs {
		och[ax] = append(och[ax], min(cs, len(idx)-q))
	}
	if len(idx) == 0 {
		och[ax] = []int{0}
	}
	shape := och.Shape()
	h := fnv.New64a()
	var b [8]byte
	for _, g := range idx {
		binary.LittleEndian.PutUint64(b[:], uint64(g))
		h.Write(b[:])
	}
	name := token("take", xn, ax, h.Sum64(), len(idx))
	out := &node{name: name, shape: shape, chunks: och, dtype: xn.dtype, nout: 1, inputs: []*node{xn}, take: &takeOf{src: xn, axis: ax, idx: idx}}
	out.lower = func(bl *builder) error {
		// per block along the axis: the input blocks read and the params,
		// shared by the tasks of every other-axes block
		type plan struct {
			blocks []int
			p      *graph.TakeParams
		}
		plans := make([]*plan, len(och[ax]))
		planOf := func(bq int) *plan {
			if plans[bq] != nil {
				return plans[bq]
			}
			q0 := bq * cs
			q1 := q0 + och[ax][bq]
			pl := &plan{p: &graph.TakeParams{Axis: ax, Src: make([]int32, q1-q0), Idx: make([]int64, q1-q0)}}
			slot := map[int]int32{}
			for q := q0; q < q1; q++ {
				blk, local := locate(xn.chunks[ax], idx[q])
				s, ok := slot[blk]
				if !ok {
					s = int32(len(pl.blocks))
					slot[blk] = s
					pl.blocks = append(pl.blocks, blk)
				}
				pl.p.Src[q-q0], pl.p.Idx[q-q0] = s, int64(local)
			}
			plans[bq] = pl
			return pl
		}
		grid := och.NumBlocks()
		ingrid := xn.chunks.NumBlocks()
		oi := make([]int, nd)
		ii := make([]int, nd)
		for flat := 0; flat < och.Total(); flat++ {
			if !bl.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, oi)
			pl := planOf(oi[ax])
			t := graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: graph.DeviceKinds(graph.CPU),
				Op: graph.Op{Name: graph.OpTake, Params: pl.p}, Outputs: []graph.Chunk{{DType: xn.dtype, Shape: och.BlockShape(oi)}}}
			copy(ii, oi)
			for _, blk := range pl.blocks {
				ii[ax] = blk
				k := graph.Key{Layer: xn.name, Block: int64(chunks.Ravel(ii, ingrid))}
				bl.mark(xn, k)
				t.Inputs = append(t.Inputs, k)
			}
			if len(pl.blocks) == 0 { // nothing taken: an empty block
				t.Op = graph.Op{Name: graph.OpTake, Params: &graph.TakeParams{Axis: ax}}
			}
			bl.g.Tasks = append(bl.g.Tasks, t)
		}
		return nil
	}
	return &Array{nd: out}
}

// Ix is an integer-array ("fancy") index for Slice: the positions along
// its axis, in order, repeats allowed (negative ones count from the end).
// One Ix may appear in an index; as in NumPy, if integer indices (At) are
// also present and not all next to it, the taken axis comes first in the
// result.
func Ix(positions ...int) Index { return Index{kind: idxList, list: slices.Clone(positions)} }

// Mask is a boolean index for Slice: the positions where m is true along
// its axis (len(m) must equal the axis's length). The mask is Go data, so
// the result's size is known; a mask computed lazily is not supported yet.
func Mask(m []bool) Index {
	var pos []int
	for i, v := range m {
		if v {
			pos = append(pos, i)
		}
	}
	return Index{kind: idxList, list: pos, mask: len(m), isMask: true}
}

// takeIndex handles a Slice index holding one Ix or Mask: the basic
// indexing with that axis whole, then Take along it.
func (x *Array) takeIndex(full []Index) *Array {
	nl, li := 0, -1
	for i, ix := range full {
		if ix.kind == idxList {
			nl++
			li = i
		}
	}
	if nl > 1 {
		return errorf("getitem", "more than one integer-array index (shape %s): not supported yet", shapeStr(x.nd.shape))
	}
	basic := slices.Clone(full)
	basic[li] = All()
	pos, axis := 0, 0
	for _, ix := range full[:li] {
		switch ix.kind {
		case idxSlice, idxNewAxis:
			pos++
		}
		if ix.kind != idxNewAxis {
			axis++
		}
	}
	if m := full[li]; m.isMask && m.mask != x.nd.shape[axis] {
		return errorf("getitem", "boolean index of length %d for axis %d of length %d (shape %s)", m.mask, axis, x.nd.shape[axis], shapeStr(x.nd.shape))
	}
	// ints not next to the list (with slices or new axes between) move
	// the result axis first, as NumPy does
	adjacent := !movedFirst(full, li)
	y := x.Slice(basic...)
	if y.err != nil {
		return y
	}
	y = y.Take(full[li].list, pos)
	if !adjacent && pos != 0 {
		y = y.MoveAxis(pos, 0)
	}
	return y
}

// VIndex is point-wise indexing with one index list per leading axis
// (Dask's x.vindex[i0, i1, ...], NumPy's x[i0, i1, ...] with integer
// arrays): element p of the result's first axis is x[i0[p], i1[p], ...,
// :, ...]. The lists must have one length, or length 1 (broadcast);
// negative positions count from the end. The result has the lists' length
// along its first axis, in regular chunks as large as x's first axis's
// largest chunk, then x's remaining axes.
func (x *Array) VIndex(indices ...[]int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	k := len(indices)
	if k == 0 || k > len(xn.shape) {
		return errorf("vindex", "%d index lists for an array of shape %s", k, shapeStr(xn.shape))
	}
	L := 1
	for _, ix := range indices {
		if len(ix) != 1 {
			if L != 1 && len(ix) != L {
				return errorf("vindex", "index lists of lengths %d and %d do not broadcast (shape %s)", L, len(ix), shapeStr(xn.shape))
			}
			L = len(ix)
		}
	}
	for _, ix := range indices {
		if len(ix) == 0 {
			L = 0
		}
	}
	// global coordinates per point and leading axis
	coord := make([][]int, k)
	for a, ix := range indices {
		coord[a] = make([]int, L)
		for p := 0; p < L; p++ {
			v := ix[0]
			if len(ix) != 1 {
				v = ix[p]
			}
			g, err := chunks.NormalizeIndex(v, xn.shape[a])
			if err != nil {
				return errorf("vindex", "index %d is out of bounds for axis %d with size %d (shape %s)", v, a, xn.shape[a], shapeStr(xn.shape))
			}
			coord[a][p] = g
		}
	}
	cs := 1
	for _, c := range xn.chunks[0] {
		cs = max(cs, c)
	}
	rest := xn.chunks[k:]
	och := chunks.Chunks{nil}
	for q := 0; q < L; q += cs {
		och[0] = append(och[0], min(cs, L-q))
	}
	if L == 0 {
		och[0] = []int{0}
	}
	och = append(och, rest.Clone()...)
	h := fnv.New64a()
	var b [8]byte
	for a := range coord {
		for _, g := range coord[a] {
			binary.LittleEndian.PutUint64(b[:], uint64(g))
			h.Write(b[:])
		}
	}
	name := token("vindex", xn, k, h.Sum64(), L)
	out := &node{name: name, shape: och.Shape(), chunks: och, dtype: xn.dtype, nout: 1, inputs: []*node{xn}}
	out.lower = func(bl *builder) error {
		type plan struct {
			blocks [][]int // leading block coordinates of each input
			p      *graph.TakeParams
		}
		plans := make([]*plan, len(och[0]))
		blk, loc := make([]int, k), make([]int, k)
		planOf := func(bq int) *plan {
			if plans[bq] != nil {
				return plans[bq]
			}
			q0 := bq * cs
			q1 := q0 + och[0][bq]
			pl := &plan{p: &graph.TakeParams{Axis: 0, Merge: k, Src: make([]int32, q1-q0), Idx: make([]int64, q1-q0)}}
			slot := map[string]int32{}
			for q := q0; q < q1; q++ {
				for a := 0; a < k; a++ {
					blk[a], loc[a] = locate(xn.chunks[a], coord[a][q])
				}
				key := fmt.Sprint(blk)
				s, ok := slot[key]
				if !ok {
					s = int32(len(pl.blocks))
					slot[key] = s
					pl.blocks = append(pl.blocks, append([]int(nil), blk...))
				}
				// the local position in the block's merged leading axes
				off := 0
				for a := 0; a < k; a++ {
					off = off*xn.chunks[a][blk[a]] + loc[a]
				}
				pl.p.Src[q-q0], pl.p.Idx[q-q0] = s, int64(off)
			}
			plans[bq] = pl
			return pl
		}
		grid := och.NumBlocks()
		ingrid := xn.chunks.NumBlocks()
		oi := make([]int, len(grid))
		ii := make([]int, len(ingrid))
		for flat := 0; flat < och.Total(); flat++ {
			if !bl.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, oi)
			pl := planOf(oi[0])
			t := graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: graph.DeviceKinds(graph.CPU),
				Op: graph.Op{Name: graph.OpTake, Params: pl.p}, Outputs: []graph.Chunk{{DType: xn.dtype, Shape: och.BlockShape(oi)}}}
			copy(ii[k:], oi[1:])
			for _, bc := range pl.blocks {
				copy(ii, bc)
				kk := graph.Key{Layer: xn.name, Block: int64(chunks.Ravel(ii, ingrid))}
				bl.mark(xn, kk)
				t.Inputs = append(t.Inputs, kk)
			}
			bl.g.Tasks = append(bl.g.Tasks, t)
		}
		return nil
	}
	return &Array{nd: out}
}
