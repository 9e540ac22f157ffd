package array

import (
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// MapOption configures MapBlocks and MapOverlap.
type MapOption func(*mapOpts)

type mapOpts struct {
	dt      graph.DType
	chunks  chunks.Chunks
	drop    []int
	newAxes []int
	noTrim  bool
}

// MapDType sets the output dtype (default: the first input's).
func MapDType(dt graph.DType) MapOption { return func(o *mapOpts) { o.dt = dt } }

// MapChunks sets the output chunks; they must have as many blocks along
// each axis as the output's block grid (the inputs' grid, less the
// dropped axes, plus the new ones). Default: the inputs' chunks, with
// one element along new axes.
func MapChunks(c chunks.Chunks) MapOption {
	return func(o *mapOpts) { o.chunks = c.Clone() }
}

// DropAxis says the function removes these input axes; each must be one
// block in every input.
func DropAxis(axes ...int) MapOption {
	return func(o *mapOpts) { o.drop = append(o.drop, axes...) }
}

// AddAxis says the function's output has new axes at these output
// positions (one block each).
func AddAxis(axes ...int) MapOption {
	return func(o *mapOpts) { o.newAxes = append(o.newAxes, axes...) }
}

// NoTrim keeps MapOverlap's halos in the output (Dask's trim=False).
func NoTrim() MapOption { return func(o *mapOpts) { o.noTrim = true } }

// MapBlocks applies the block function registered under fn in package
// funcs (args handed to it unchanged) to the blocks of xs, one task per
// output block, like Dask's map_blocks: the inputs must have the same
// number of axes; along each axis the inputs with more than one block
// are rechunked to common chunks, and an input with one block there has
// that block handed to every task (broadcast). The function gets each
// block's index, offset and its array's shape (funcs.Block) and must fill
// the whole output block. Tasks run on the CPU.
func MapBlocks(fn string, args []byte, xs []*Array, opts ...MapOption) *Array {
	return mapBlocks("map_blocks", fn, args, xs, nil, opts)
}

// inPosFunc overrides the position reported for input i's block idx.
type inPosFunc func(i int, idx []int) graph.BlockPos

func mapBlocks(op, fn string, args []byte, xs []*Array, inPos inPosFunc, opts []MapOption) *Array {
	if len(xs) == 0 {
		return errorf(op, "no input arrays")
	}
	if err := firstErr(xs...); err != nil {
		return errArray(err)
	}
	if _, err := funcs.LookupBlockFunc(fn); err != nil {
		return errorf(op, "%v", err)
	}
	o := mapOpts{dt: xs[0].nd.dtype}
	for _, f := range opts {
		f(&o)
	}
	if !o.dt.Valid() {
		return errorf(op, "invalid output dtype %v", o.dt)
	}
	nd := len(xs[0].nd.shape)
	for _, x := range xs[1:] {
		if len(x.nd.shape) != nd {
			return errorf(op, "inputs have different numbers of axes: %s", shapesStr(xs...))
		}
	}
	// common chunks along each axis over the inputs with several blocks
	common := make(chunks.Chunks, nd)
	for a := 0; a < nd; a++ {
		for _, x := range xs {
			c := x.nd.chunks[a]
			if len(c) <= 1 {
				continue
			}
			if common[a] == nil || slices.Equal(common[a], c) {
				common[a] = c
				continue
			}
			r, err := chunks.Refine(common[a], c)
			if err != nil {
				return errorf(op, "axis %d: inputs %s do not line up: %v", a, shapesStr(xs...), err)
			}
			common[a] = r
		}
		if common[a] == nil { // one block everywhere: broadcast lengths
			n := 1
			for _, x := range xs {
				if l := x.nd.shape[a]; l != 1 {
					if n != 1 && l != n {
						return errorf(op, "axis %d: one-block inputs of lengths %d and %d (shapes %s)", a, n, l, shapesStr(xs...))
					}
					n = l
				}
			}
			common[a] = []int{n}
		}
	}
	ins := make([]*node, len(xs))
	for i, x := range xs {
		want := x.nd.chunks.Clone()
		for a := 0; a < nd; a++ {
			if len(want[a]) > 1 || len(common[a]) > 1 && x.nd.shape[a] == sumInts(common[a]) {
				want[a] = common[a]
			}
		}
		xi := x
		if !want.Equal(x.nd.chunks) {
			xi = rechunkTo(x, want)
			if xi.err != nil {
				return errorf(op, "%v", xi.err)
			}
		}
		ins[i] = xi.nd
		for a := 0; a < nd; a++ {
			if g := len(ins[i].chunks[a]); g != 1 && g != len(common[a]) {
				return errorf(op, "axis %d: input %d has %d blocks where others have %d (shapes %s)", a, i, g, len(common[a]), shapesStr(xs...))
			}
			// a one-block input broadcasts only when it has one element
			// there, or the whole axis (as Dask's unify_chunks)
			if n := ins[i].shape[a]; len(ins[i].chunks[a]) == 1 && len(common[a]) > 1 && n != 1 && n != sumInts(common[a]) {
				return errorf(op, "axis %d: input %d of length %d does not line up with length %d (shapes %s)", a, i, n, sumInts(common[a]), shapesStr(xs...))
			}
		}
	}
	// the output grid: input axes less dropped, plus new ones
	dropped := make([]bool, nd)
	for _, a := range o.drop {
		na, err := normAxis(op, a, nd)
		if err != nil {
			return errArray(err)
		}
		if len(common[na]) != 1 {
			return errorf(op, "can't drop axis %d: it has %d blocks (rechunk it to one)", a, len(common[na]))
		}
		dropped[na] = true
	}
	var kept []int // input axis of each non-new output axis
	for a := 0; a < nd; a++ {
		if !dropped[a] {
			kept = append(kept, a)
		}
	}
	ond := len(kept) + len(o.newAxes)
	isNew := make([]bool, ond)
	for _, a := range o.newAxes {
		na, err := normAxis(op, a, ond)
		if err != nil {
			return errArray(err)
		}
		if isNew[na] {
			return errorf(op, "new axis %d given twice", a)
		}
		isNew[na] = true
	}
	srcAxis := make([]int, ond) // input axis of each output axis, -1 for new
	och := make(chunks.Chunks, ond)
	k := 0
	for a := 0; a < ond; a++ {
		if isNew[a] {
			srcAxis[a] = -1
			och[a] = []int{1}
			continue
		}
		srcAxis[a] = kept[k]
		och[a] = common[kept[k]]
		k++
	}
	if o.chunks != nil {
		if len(o.chunks) != ond {
			return errorf(op, "output chunks %v have %d axes, the output has %d", o.chunks, len(o.chunks), ond)
		}
		for a := range och {
			if len(o.chunks[a]) != len(och[a]) {
				return errorf(op, "output chunks %v: axis %d has %d blocks, the block grid has %d", o.chunks, a, len(o.chunks[a]), len(och[a]))
			}
			for _, c := range o.chunks[a] {
				if c < 0 {
					return errorf(op, "output chunks %v: negative size", o.chunks)
				}
			}
		}
		och = o.chunks.Clone()
	}
	oshape := och.Shape()
	if err := checkSize(op, oshape, o.dt); err != nil {
		return errArray(err)
	}
	args = slices.Clone(args)
	parts := []any{fn, string(args), o.dt, fmt.Sprint(och), fmt.Sprint(srcAxis)}
	for _, in := range ins {
		parts = append(parts, in)
	}
	name := token(op, parts...)
	out := &node{name: name, shape: oshape, chunks: och, dtype: o.dt, nout: 1, inputs: ins}
	out.lower = func(b *builder) error {
		grid := och.NumBlocks()
		oi := make([]int, ond)
		ii := make([]int, nd)
		for flat := 0; flat < och.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, oi)
			clear(ii)
			for a, s := range srcAxis {
				if s >= 0 {
					ii[s] = oi[a]
				}
			}
			p := &graph.MapParams{Func: fn, Args: args, Out: graph.BlockPos{Index: slices.Clone(oi), Start: och.Origin(oi), ArrayShape: oshape}}
			t := graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: graph.DeviceKinds(graph.CPU),
				Outputs: []graph.Chunk{{DType: o.dt, Shape: och.BlockShape(oi)}}}
			for i, in := range ins {
				bi := make([]int, nd)
				for a := range bi {
					if len(in.chunks[a]) > 1 {
						bi[a] = ii[a]
					}
				}
				key := graph.Key{Layer: in.name, Block: int64(chunks.Ravel(bi, in.chunks.NumBlocks()))}
				b.mark(in, key)
				t.Inputs = append(t.Inputs, key)
				pos := graph.BlockPos{Index: bi, Start: in.chunks.Origin(bi), ArrayShape: in.shape}
				if inPos != nil {
					pos = inPos(i, bi)
				}
				p.In = append(p.In, pos)
			}
			if inPos != nil && o.chunks == nil {
				p.Out = inPos(0, slices.Clone(oi)) // the output blocks are the input's
			}
			t.Op = graph.Op{Name: graph.OpMapBlocks, Params: p}
			b.g.Tasks = append(b.g.Tasks, t)
		}
		return nil
	}
	return &Array{nd: out}
}
