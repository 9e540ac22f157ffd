package array

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// CumSum is the cumulative sum along axis (negative counts from the end):
// element i along the axis is the sum of elements 0..i. Bool and int32
// give int64 (NumPy on 64-bit Linux), integers wrap, floats keep their
// dtype and NaN propagates. The axis must name one of x's axes (a 0-d x
// is an error); NumPy's axis=None is x.Ravel().CumSum(0).
//
// Floats are summed in a different order from NumPy's single sequential
// loop (block by block, then the carried block totals), so results agree
// to rounding, not bit for bit; the result is the same whatever the
// executor.
func (x *Array) CumSum(axis int) *Array { return cumulative("cumsum", graph.ReduceSum, x, axis) }

// CumProd is the cumulative product along axis (see CumSum for dtypes and
// the axis).
func (x *Array) CumProd(axis int) *Array { return cumulative("cumprod", graph.ReduceProd, x, axis) }

// cumulative lowers a blocked scan in four layers:
//
//	scan   one graph.OpScan task per block of x: the block's own inclusive scan
//	total  per block that is not empty along the axis: its scan's last slice
//	       along the axis (a fused load, shape 1 on the axis)
//	carry  per such block p: the total of blocks 0..p, a sequential chain
//	       along the axis (carry[p] = combine(carry[q], total[p]) with q the
//	       previous non-empty block; the first is an alias of its total)
//	out    block j: scan[j] op carry[q] (a fused program, the carry
//	       broadcast along the axis) for the previous non-empty block q;
//	       an alias of scan[j] where no block before j has elements
//
// The chain is as deep as there are blocks along the axis, but each link
// is one slice; the chunk-sized work is the two passes (scan, add) that
// every block makes at most, and the add fuses into what reads the result.
func cumulative(op string, kind graph.ReduceKind, x *Array, axis int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	nd := len(xn.shape)
	if nd == 0 {
		return errorf(op, "axis %d is out of bounds for array of dimension 0 (shape %s; no axis=None form without Reshape)", axis, shapeStr(xn.shape))
	}
	ax, err := normAxis(op, axis, nd)
	if err != nil {
		return errArray(fmt.Errorf("%w (shape %s)", err, shapeStr(xn.shape)))
	}
	dt := graph.SumDType(xn.dtype)
	in := x.Astype(dt)
	if err := in.Err(); err != nil {
		return errArray(err)
	}
	lens := xn.chunks[ax]
	// prev[j] is the last block before j with elements along the axis, or -1
	prev := make([]int, len(lens))
	last := -1
	for j, n := range lens {
		prev[j] = last
		if n > 0 {
			last = j
		}
	}
	scan := scanLayer(op, kind, in.nd, ax)
	total := totalLayer(op, scan, ax)
	carry := carryLayer(op, kind, total, ax, prev)
	return &Array{nd: outLayer(op, kind, scan, carry, ax, prev)}
}

// scanLayer is one OpScan task per block of in.
func scanLayer(op string, kind graph.ReduceKind, in *node, ax int) *node {
	name := token(op+"-scan", in, kind, ax)
	nd := &node{name: name, shape: in.shape, chunks: in.chunks, dtype: in.dtype, nout: 1, inputs: []*node{in}}
	params := &graph.ScanParams{Kind: kind, Axis: ax}
	nd.lower = func(b *builder) error {
		grid := in.chunks.NumBlocks()
		bo := make([]int, len(grid))
		for flat := 0; flat < in.chunks.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bo)
			k := graph.Key{Layer: in.name, Block: int64(flat)}
			b.mark(in, k)
			b.g.Tasks = append(b.g.Tasks, graph.Task{
				Key:     graph.Key{Layer: name, Block: int64(flat)},
				Op:      graph.Op{Name: graph.OpScan, Params: params},
				Inputs:  []graph.Key{k},
				Outputs: []graph.Chunk{{DType: in.dtype, Shape: in.chunks.BlockShape(bo)}},
				Devices: allDevices,
			})
		}
		return nil
	}
	return nd
}

// perBlock returns ch with axis ax replaced by one element per block.
func perBlock(shape []int, ch chunks.Chunks, ax int) ([]int, chunks.Chunks) {
	s := append([]int(nil), shape...)
	c := ch.Clone()
	s[ax] = len(ch[ax])
	c[ax] = ones(len(ch[ax]))
	return s, c
}

// totalLayer is the last slice along ax of each scanned block (blocks
// empty along ax are never asked for).
func totalLayer(op string, scan *node, ax int) *node {
	shape, ch := perBlock(scan.shape, scan.chunks, ax)
	p := &pb{}
	prog := p.finish(p.load(0, 0, scan.dtype))
	rels := broadcastRels(scan.shape, scan.shape)
	parts := make([]chunks.SlicePart, len(scan.chunks[ax]))
	for j, n := range scan.chunks[ax] {
		parts[j] = chunks.SlicePart{Block: j, Start: n - 1, Step: 1, Count: 1}
	}
	rels[ax] = axisRel{kind: relSlice, out: ax, parts: parts}
	name := token(op+"-total", scan, ax, prog.Hash())
	return newElemNode(name, shape, ch, scan.dtype, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: scan, rels: rels}}})
}

// carryLayer chains the totals along ax: block p (with elements) is the
// combine of the totals of blocks 0..p.
func carryLayer(op string, kind graph.ReduceKind, total *node, ax int, prev []int) *node {
	name := token(op+"-carry", total, kind)
	nd := &node{name: name, shape: total.shape, chunks: total.chunks, dtype: total.dtype, nout: 1, inputs: []*node{total}}
	nd.lower = func(b *builder) error {
		ch := total.chunks
		grid := ch.NumBlocks()
		stride := graph.Strides(grid)[ax]
		bo := make([]int, len(grid))
		// a needed link needs the links before it: walk down so that
		// marks propagate along the chain
		for flat := ch.Total() - 1; flat >= 0; flat-- {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bo)
			if q := prev[bo[ax]]; q >= 0 {
				b.cur[flat+(q-bo[ax])*stride] = true
			}
		}
		for flat := 0; flat < ch.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bo)
			tk := graph.Key{Layer: total.name, Block: int64(flat)}
			b.mark(total, tk)
			t := graph.Task{
				Key:     graph.Key{Layer: name, Block: int64(flat)},
				Outputs: []graph.Chunk{{DType: total.dtype, Shape: ch.BlockShape(bo)}},
				Devices: allDevices,
			}
			if q := prev[bo[ax]]; q < 0 {
				t.Op = graph.Op{Name: graph.OpAlias}
				t.Inputs = []graph.Key{tk}
			} else {
				t.Op = graph.Op{Name: graph.OpCombine, Params: graph.CombineParams{Kind: kind}}
				t.Inputs = []graph.Key{{Layer: name, Block: int64(flat + (q-bo[ax])*stride)}, tk}
			}
			b.g.Tasks = append(b.g.Tasks, t)
		}
		return nil
	}
	return nd
}

// outLayer applies the carries: block j is scan[j] op carry[prev[j]]
// (broadcast along ax), or scan[j] itself where prev[j] < 0.
func outLayer(op string, kind graph.ReduceKind, scan, carry *node, ax int, prev []int) *node {
	dt := scan.dtype
	p := &pb{}
	s := p.load(0, 0, dt)
	c := p.load(1, 1, dt)
	eop := graph.OpAdd
	if kind == graph.ReduceProd {
		eop = graph.OpMul
	}
	prog := p.finish(p.op(eop, dt, s, c))
	name := token(op, scan, carry, ax, prog.Hash())
	nd := &node{name: name, shape: scan.shape, chunks: scan.chunks, dtype: dt, nout: 1, inputs: []*node{scan, carry}}
	nd.lower = func(b *builder) error {
		ch := scan.chunks
		grid := ch.NumBlocks()
		cgrid := carry.chunks.NumBlocks()
		bo := make([]int, len(grid))
		for flat := 0; flat < ch.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bo)
			shape := ch.BlockShape(bo)
			sk := graph.Key{Layer: scan.name, Block: int64(flat)}
			b.mark(scan, sk)
			t := graph.Task{
				Key:     graph.Key{Layer: name, Block: int64(flat)},
				Outputs: []graph.Chunk{{DType: dt, Shape: shape}},
				Devices: allDevices,
			}
			q := prev[bo[ax]]
			if q < 0 {
				t.Op = graph.Op{Name: graph.OpAlias}
				t.Inputs = []graph.Key{sk}
				b.g.Tasks = append(b.g.Tasks, t)
				continue
			}
			j := bo[ax]
			bo[ax] = q
			ck := graph.Key{Layer: carry.name, Block: int64(chunks.Ravel(bo, cgrid))}
			bo[ax] = j
			b.mark(carry, ck)
			cm := graph.Identity(len(grid), nil)
			cm[ax] = graph.AxisMap{Out: -1}
			t.Op = graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: prog, Shape: shape, Maps: []graph.Map{graph.Identity(len(grid), nil), cm}}}
			t.Inputs = []graph.Key{sk, ck}
			b.g.Tasks = append(b.g.Tasks, t)
		}
		return nil
	}
	return nd
}
