package array

import (
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Shape and layout operations that keep every element in one block of
// the output: reshaping, squeezing, inserting, moving and flipping axes,
// broadcasting. Where an output block is an affine view of one input
// block they are elementwise layers with an identity program (Slice,
// Transpose), so they cost nothing once fused into a consumer. Reshape
// that merges or splits axes cannot be affine within a block; it
// rechunks where it must and hands each block on unchanged under new
// metadata (graph.OpAlias).

// Reshape gives x a new shape with the same number of elements, read in
// C order (NumPy's reshape; one entry may be -1, inferred from the
// others).
//
// Lowering follows Dask's reshape_rechunk: the axes are grouped from the
// right into runs of equal size in input and output. An axis kept as is
// keeps its chunks; axes merged into one keep the chunks of the first
// (leftmost) of them and are made whole along the others; an axis split
// into several is rechunked so that every block holds whole multiples of
// the trailing split axes, which are whole in the output. After that
// rechunk every input block has the C-order bytes of one output block,
// so each output block is an OpAlias task handing on the input block's
// buffer (no copy, no kernel); a reshape that only inserts or removes
// axes of length 1 is an index map instead (see Squeeze and ExpandDims),
// so it fuses into its consumers. A group of axes that is neither kept,
// merged nor split (4x6 to 3x8) is made whole first; so is an array of
// no elements.
func (x *Array) Reshape(shape ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	out, err := reshapeShape(xn.shape, shape)
	if err != nil {
		return errArray(err)
	}
	if slices.Equal(out, xn.shape) {
		return x
	}
	if slices.Equal(dropOnes(xn.shape), dropOnes(out)) {
		return x.Slice(onesIndex(xn.shape, out)...)
	}
	inCh, outCh, link := reshapeRechunk(xn.shape, out, xn.chunks)
	y := rechunkTo(x, inCh)
	if y.err != nil {
		return y
	}
	return aliasLayer("reshape", y.nd, out, outCh, link)
}

// Ravel is x flattened in C order (Reshape(-1)).
func (x *Array) Ravel() *Array { return x.Reshape(-1) }

// reshapeShape resolves a requested shape (one -1 allowed) for an array
// of shape in.
func reshapeShape(in, shape []int) ([]int, error) {
	size := prod(in)
	out := append([]int{}, shape...)
	unknown := -1
	known := 1
	for a, s := range out {
		switch {
		case s == -1 && unknown >= 0:
			return nil, fmt.Errorf("array: reshape: can only specify one unknown dimension (shape %s to %v)", shapeStr(in), shape)
		case s == -1:
			unknown = a
		case s < 0:
			return nil, fmt.Errorf("array: reshape: negative dimension %d in %v (shape %s)", s, shape, shapeStr(in))
		default:
			known *= s
		}
	}
	if unknown >= 0 {
		if known == 0 || size%known != 0 {
			return nil, fmt.Errorf("array: reshape: cannot reshape array of size %d (shape %s) into shape %v", size, shapeStr(in), shape)
		}
		out[unknown] = size / known
	} else if known != size {
		return nil, fmt.Errorf("array: reshape: cannot reshape array of size %d (shape %s) into shape %v", size, shapeStr(in), shape)
	}
	return out, nil
}

func dropOnes(s []int) []int {
	var out []int
	for _, n := range s {
		if n != 1 {
			out = append(out, n)
		}
	}
	return out
}

// onesIndex is the basic index turning shape in into shape out when the
// two differ only by axes of length 1: At(0) drops one, NewAxis adds one.
func onesIndex(in, out []int) []Index {
	var idx []Index
	a := 0
	for _, n := range out {
		if n == 1 {
			idx = append(idx, NewAxis())
			continue
		}
		for in[a] == 1 {
			idx = append(idx, At(0))
			a++
		}
		idx = append(idx, All())
		a++
	}
	for ; a < len(in); a++ {
		idx = append(idx, At(0))
	}
	return idx
}

// whole is the one-block chunking of shape.
func whole(shape []int) chunks.Chunks {
	c := make(chunks.Chunks, len(shape))
	for a, n := range shape {
		c[a] = []int{n}
	}
	return c
}

// reshapeRechunk plans a reshape of in (chunked as ch) to out: the chunks
// to rechunk the input to, the output's chunks, and for each input axis
// the output axis whose block index it shares (-1: the axis is one block).
func reshapeRechunk(in, out []int, ch chunks.Chunks) (inCh, outCh chunks.Chunks, link []int) {
	link = make([]int, len(in))
	for a := range link {
		link[a] = -1
	}
	if prod(in) == 0 {
		return whole(in), whole(out), link
	}
	inCh, outCh = whole(in), whole(out)
	ii, oi := len(in)-1, len(out)-1
	for ii >= 0 || oi >= 0 {
		switch {
		case ii < 0: // the rest of out is ones
			oi--
			continue
		case oi < 0:
			ii--
			continue
		case in[ii] == out[oi]:
			inCh[ii], outCh[oi] = ch[ii], ch[ii]
			link[ii] = oi
			ii, oi = ii-1, oi-1
			continue
		case in[ii] == 1:
			ii--
			continue
		case out[oi] == 1:
			oi--
			continue
		}
		// the smallest group of axes on both sides with equal sizes
		il, ol := ii, oi
		pin, pout := in[ii], out[oi]
		for pin != pout {
			if pin < pout {
				il--
				pin *= in[il]
			} else {
				ol--
				pout *= out[ol]
			}
		}
		switch {
		case ol == oi: // merge in[il..ii] into out[oi]
			inner := prod(in[il+1 : ii+1])
			inCh[il] = ch[il]
			oc := make([]int, len(ch[il]))
			for b, c := range ch[il] {
				oc[b] = c * inner
			}
			outCh[oi] = oc
			link[il] = oi
		case il == ii: // split in[ii] into out[ol..oi]
			inner := prod(out[ol+1 : oi+1])
			ic := contractChunks(ch[ii], inner)
			inCh[ii] = ic
			oc := make([]int, len(ic))
			for b, c := range ic {
				oc[b] = c / inner
			}
			outCh[ol] = oc
			link[ii] = ol
		}
		// otherwise the whole group is one block
		ii, oi = il-1, ol-1
	}
	return inCh, outCh, link
}

// contractChunks coarsens sizes so that every block is a multiple of f
// (Dask's contract_tuple); the total must be a positive multiple of f.
func contractChunks(sizes []int, f int) []int {
	var out []int
	rest := 0
	for _, c := range sizes {
		c += rest
		good := c / f * f
		rest = c - good
		if good > 0 {
			out = append(out, good)
		}
	}
	return out
}

// aliasLayer hands each block of in on under new metadata: output block
// bo is input block idx with idx[a] = bo[link[a]] (0 where link[a] < 0),
// and the two must hold the same bytes in C order.
func aliasLayer(op string, in *node, shape []int, ch chunks.Chunks, link []int) *Array {
	name := token(op, in, fmt.Sprint(shape), fmt.Sprint(ch))
	nd := &node{name: name, shape: shape, chunks: ch, dtype: in.dtype, nout: 1, inputs: []*node{in}}
	nd.lower = func(b *builder) error {
		grid := ch.NumBlocks()
		ingrid := in.chunks.NumBlocks()
		bo := make([]int, len(shape))
		idx := make([]int, len(in.shape))
		for flat := 0; flat < ch.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bo)
			for a, o := range link {
				idx[a] = 0
				if o >= 0 {
					idx[a] = bo[o]
				}
			}
			k := graph.Key{Layer: in.name, Block: int64(chunks.Ravel(idx, ingrid))}
			b.mark(in, k)
			b.g.Tasks = append(b.g.Tasks, graph.Task{
				Key:     graph.Key{Layer: name, Block: int64(flat)},
				Op:      graph.Op{Name: graph.OpAlias},
				Inputs:  []graph.Key{k},
				Outputs: []graph.Chunk{{DType: in.dtype, Shape: ch.BlockShape(bo)}},
				Devices: allDevices,
			})
		}
		return nil
	}
	return &Array{nd: nd}
}

// Squeeze removes axes of length 1: the given ones (each must have
// length 1), or all of them. An index map, no copy.
func (x *Array) Squeeze(axes ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	shape := x.nd.shape
	drop := make([]bool, len(shape))
	if len(axes) == 0 {
		for a, n := range shape {
			drop[a] = n == 1
		}
	} else {
		as, err := normAxes("squeeze", axes, len(shape))
		if err != nil {
			return errArray(err)
		}
		for _, a := range as {
			if shape[a] != 1 {
				return errorf("squeeze", "cannot select an axis to squeeze out which has size not equal to one (axis %d, shape %s)", a, shapeStr(shape))
			}
			drop[a] = true
		}
	}
	idx := make([]Index, len(shape))
	for a := range idx {
		idx[a] = All()
		if drop[a] {
			idx[a] = At(0)
		}
	}
	return x.Slice(idx...)
}

// ExpandDims inserts axes of length 1 at the given positions of the
// result (NumPy's expand_dims; negative positions count from the end of
// the result). An index map, no copy.
func (x *Array) ExpandDims(axes ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	n := len(x.nd.shape) + len(axes)
	as, err := normAxes("expand_dims", axes, n)
	if err != nil {
		return errArray(err)
	}
	if len(axes) == 0 {
		return x
	}
	idx := make([]Index, n)
	for o := range idx {
		idx[o] = All()
	}
	for _, o := range as {
		idx[o] = NewAxis()
	}
	return x.Slice(idx...)
}

// MoveAxis moves axis src to position dst, keeping the order of the
// others (a Transpose).
func (x *Array) MoveAxis(src, dst int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	n := len(x.nd.shape)
	s, err := normAxis("moveaxis", src, n)
	if err != nil {
		return errArray(err)
	}
	d, err := normAxis("moveaxis", dst, n)
	if err != nil {
		return errArray(err)
	}
	var perm []int
	for a := 0; a < n; a++ {
		if a != s {
			perm = append(perm, a)
		}
	}
	perm = slices.Insert(perm, d, s)
	return x.Transpose(perm...)
}

// SwapAxes exchanges axes a and b (a Transpose).
func (x *Array) SwapAxes(a, b int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	n := len(x.nd.shape)
	na, err := normAxis("swapaxes", a, n)
	if err != nil {
		return errArray(err)
	}
	nb, err := normAxis("swapaxes", b, n)
	if err != nil {
		return errArray(err)
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	perm[na], perm[nb] = nb, na
	return x.Transpose(perm...)
}

// Flip reverses the order of elements along the given axes (all when
// none are given): a slice with step -1, so index arithmetic.
func (x *Array) Flip(axes ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	as, err := normAxes("flip", axes, len(x.nd.shape))
	if err != nil {
		return errArray(err)
	}
	idx := make([]Index, len(x.nd.shape))
	for a := range idx {
		idx[a] = All()
	}
	for _, a := range as {
		idx[a] = Sl(None, None, -1)
	}
	return x.Slice(idx...)
}

// BroadcastTo broadcasts x to shape with NumPy's rules (axes aligned on
// the right; an axis of length 1 stretches). The stretched and new axes
// are one block each (use BroadcastToWith to chunk them); the others keep
// x's chunks. An index map with step 0, no copy until a consumer reads it.
func (x *Array) BroadcastTo(shape ...int) *Array {
	return x.BroadcastToWith(shape)
}

// BroadcastToWith is BroadcastTo with the result's chunks chosen by the
// creation options (Chunked, ChunkSpec, ExplicitChunks, ChunkBytes); axes
// that are not stretched are rechunked to them where they differ. With no
// options it is BroadcastTo.
func (x *Array) BroadcastToWith(shape []int, opts ...Option) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	out := append([]int{}, shape...)
	off := len(out) - len(xn.shape)
	bad := off < 0
	for _, n := range out {
		bad = bad || n < 0
	}
	for a := 0; !bad && a < len(xn.shape); a++ {
		bad = xn.shape[a] != out[a+off] && xn.shape[a] != 1
	}
	if bad {
		return errorf("broadcast_to", "cannot broadcast an array of shape %s to shape %s", shapeStr(xn.shape), shapeStr(out))
	}
	stretched := func(o int) bool { return o < off || xn.shape[o-off] != out[o] }
	var och chunks.Chunks
	if len(opts) > 0 {
		c, err := resolveChunks("broadcast_to", out, xn.dtype, opts)
		if err != nil {
			return errArray(err)
		}
		och = c
		want := xn.chunks.Clone()
		for a := range want {
			if !stretched(a + off) {
				want[a] = och[a+off]
			}
		}
		y := rechunkTo(x, want)
		if y.err != nil {
			return y
		}
		xn = y.nd
	} else {
		och = make(chunks.Chunks, len(out))
		for o, n := range out {
			if stretched(o) {
				och[o] = []int{n}
			} else {
				och[o] = xn.chunks[o-off]
			}
		}
	}
	if off == 0 && och.Equal(xn.chunks) && slices.Equal(out, xn.shape) {
		return &Array{nd: xn}
	}
	rels := broadcastRels(xn.shape, out)
	p := &pb{}
	prog := p.finish(p.load(0, 0, xn.dtype))
	name := token("broadcast_to", xn, fmt.Sprint(out), fmt.Sprint(och))
	return &Array{nd: newElemNode(name, out, och, xn.dtype, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: xn, rels: rels}}})}
}
