package array

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// ReduceOpts are the settings of a reduction.
type ReduceOpts struct {
	// Axes to reduce (negative count from the end); none means all.
	Axes []int
	// KeepDims keeps the reduced axes with length 1.
	KeepDims bool
	// SplitEvery is how many partials one combine task merges (default 8).
	SplitEvery int
	// Ddof is the delta degrees of freedom of Var and Std.
	Ddof int
}

// DefaultSplitEvery is the fan-in of the reduction tree.
const DefaultSplitEvery = 8

// Sum adds over axes (all when none). Bool and int32 sum as int64.
func (x *Array) Sum(axes ...int) *Array { return x.SumWith(ReduceOpts{Axes: axes}) }

// SumWith is Sum with options.
func (x *Array) SumWith(o ReduceOpts) *Array { return reduction("sum", graph.ReduceSum, x, o) }

// Prod multiplies over axes.
func (x *Array) Prod(axes ...int) *Array { return x.ProdWith(ReduceOpts{Axes: axes}) }

// ProdWith is Prod with options.
func (x *Array) ProdWith(o ReduceOpts) *Array { return reduction("prod", graph.ReduceProd, x, o) }

// Min is the minimum over axes; NaN propagates.
func (x *Array) Min(axes ...int) *Array { return x.MinWith(ReduceOpts{Axes: axes}) }

// MinWith is Min with options.
func (x *Array) MinWith(o ReduceOpts) *Array { return reduction("min", graph.ReduceMin, x, o) }

// Max is the maximum over axes; NaN propagates.
func (x *Array) Max(axes ...int) *Array { return x.MaxWith(ReduceOpts{Axes: axes}) }

// MaxWith is Max with options.
func (x *Array) MaxWith(o ReduceOpts) *Array { return reduction("max", graph.ReduceMax, x, o) }

// Any is true where any element over axes is nonzero.
func (x *Array) Any(axes ...int) *Array { return x.AnyWith(ReduceOpts{Axes: axes}) }

// AnyWith is Any with options.
func (x *Array) AnyWith(o ReduceOpts) *Array { return reduction("any", graph.ReduceAny, x, o) }

// All is true where every element over axes is nonzero.
func (x *Array) All(axes ...int) *Array { return x.AllWith(ReduceOpts{Axes: axes}) }

// AllWith is All with options.
func (x *Array) AllWith(o ReduceOpts) *Array { return reduction("all", graph.ReduceAll, x, o) }

// Mean is the arithmetic mean over axes (integers give float64).
func (x *Array) Mean(axes ...int) *Array { return x.MeanWith(ReduceOpts{Axes: axes}) }

// MeanWith is Mean with options.
func (x *Array) MeanWith(o ReduceOpts) *Array { return reduction("mean", graph.ReduceSum, x, o) }

// Var is the variance over axes with o.Ddof (merged by Chan's formula).
func (x *Array) Var(axes ...int) *Array { return x.VarWith(ReduceOpts{Axes: axes}) }

// VarWith is Var with options.
func (x *Array) VarWith(o ReduceOpts) *Array { return reduction("var", graph.ReduceMoments, x, o) }

// Std is the standard deviation over axes.
func (x *Array) Std(axes ...int) *Array { return x.StdWith(ReduceOpts{Axes: axes}) }

// StdWith is Std with options.
func (x *Array) StdWith(o ReduceOpts) *Array { return reduction("std", graph.ReduceMoments, x, o) }

// ArgMin is the int64 index of the minimum along one axis, or in the
// flattened array when no axis is given. The first occurrence wins; NaN
// counts as the minimum.
func (x *Array) ArgMin(axis ...int) *Array {
	return reduction("argmin", graph.ReduceArgMin, x, ReduceOpts{Axes: axis})
}

// ArgMax is the int64 index of the maximum (see ArgMin).
func (x *Array) ArgMax(axis ...int) *Array {
	return reduction("argmax", graph.ReduceArgMax, x, ReduceOpts{Axes: axis})
}

// ArgWith is ArgMin or ArgMax (kind "argmin"/"argmax") with options.
func (x *Array) ArgWith(kind string, o ReduceOpts) *Array {
	switch kind {
	case "argmin":
		return reduction(kind, graph.ReduceArgMin, x, o)
	case "argmax":
		return reduction(kind, graph.ReduceArgMax, x, o)
	}
	return errorf(kind, "unknown arg reduction")
}

func reduction(op string, kind graph.ReduceKind, x *Array, o ReduceOpts) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	nd := len(xn.shape)
	isArg := kind == graph.ReduceArgMin || kind == graph.ReduceArgMax
	if isArg && len(o.Axes) > 1 {
		return errorf(op, "takes one axis or none, got %v (shape %s)", o.Axes, shapeStr(xn.shape))
	}
	axes, err := normAxes(op, o.Axes, nd)
	if err != nil {
		return errorf(op, "%v (shape %s)", err, shapeStr(xn.shape))
	}
	split := o.SplitEvery
	if split == 0 {
		split = DefaultSplitEvery
	}
	if split < 2 {
		return errorf(op, "split_every %d must be at least 2", split)
	}
	isRed := make([]bool, nd)
	count := 1
	for _, a := range axes {
		isRed[a] = true
		count *= xn.shape[a]
	}
	if t := xn.take; t != nil && !isRed[t.axis] {
		// a reduction over axes a Take leaves alone commutes with it:
		// reduce what was taken from, then take the reduced rows
		// (x[perm].sum(axis=1) gathers row sums, not rows)
		ko := o
		ko.KeepDims = true
		r := reduction(op, kind, &Array{nd: t.src}, ko).Take(t.idx, t.axis)
		if o.KeepDims {
			return r
		}
		return r.Squeeze(axes...)
	}
	if count == 0 && (kind == graph.ReduceMin || kind == graph.ReduceMax || isArg) {
		return errorf(op, "zero-size array to reduction operation %s which has no identity (shape %s, axes %v)", op, shapeStr(xn.shape), axes)
	}
	argAxis := -1
	if isArg && len(o.Axes) == 1 {
		argAxis = axes[0]
	}
	in := xn.dtype
	// the dtype the reduce stage sees, and the result's
	var red, res graph.DType
	switch op {
	case "sum", "prod":
		red, res = graph.SumDType(in), graph.SumDType(in)
	case "mean":
		red, res = graph.Float64, graph.MeanDType(in)
	case "var", "std":
		red, res = graph.Float64, graph.MeanDType(in)
	case "any", "all":
		red, res = graph.Bool, graph.Bool
	case "argmin", "argmax":
		red, res = in, graph.Int64
		if in == graph.Bool {
			red = graph.Int32
		}
	default:
		red, res = in, in
	}
	// partials: one fused task per input block
	p := &pb{}
	r := p.cast(p.load(0, 0, in), red)
	prog := p.finish(r)
	prog.Reduce = &graph.Reduce{Kind: kind, Axes: axes}
	pch := make(chunks.Chunks, nd)
	pshape := make([]int, nd)
	for a := 0; a < nd; a++ {
		if isRed[a] {
			pch[a] = ones(len(xn.chunks[a]))
			pshape[a] = len(xn.chunks[a])
		} else {
			pch[a] = xn.chunks[a]
			pshape[a] = xn.shape[a]
		}
	}
	pname := token(op+"-partial", xn, prog.Hash(), argAxis)
	pl := &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: xn, rels: broadcastRels(xn.shape, xn.shape)}}, domain: xn.chunks, argAxis: argAxis}
	part := newElemNode(pname, pshape, pch, red, pl)
	// the tree, to one partial per output block (keepdims)
	rch := make(chunks.Chunks, nd)
	rshape := make([]int, nd)
	for a := 0; a < nd; a++ {
		if isRed[a] {
			rch[a] = []int{1}
			rshape[a] = 1
		} else {
			rch[a] = xn.chunks[a]
			rshape[a] = xn.shape[a]
		}
	}
	tree := treeNode(op, kind, part, rch, rshape, isRed, split)
	// finish: the final value, with the reduced axes dropped unless keepdims
	return finishReduction(op, tree, res, count, o, isRed)
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// treeNode combines the partials of part along the reduced axes, split at
// a time, in block order, so the tree is fixed by the graph.
func treeNode(op string, kind graph.ReduceKind, part *node, rch chunks.Chunks, rshape []int, isRed []bool, split int) *node {
	name := token(op+"-tree", part, split)
	out := &node{name: name, shape: rshape, chunks: rch, dtype: part.dtype, nout: part.nout, inputs: []*node{part}}
	pdt := part.elem.prog.OutDType()
	out.lower = func(b *builder) error {
		grid := rch.NumBlocks()
		pgrid := part.chunks.NumBlocks()
		nd := len(grid)
		ro := make([]int, nd)
		pi := make([]int, nd)
		// the reduced sub-grid
		var redAxes []int
		var sub []int
		for a := 0; a < nd; a++ {
			if isRed[a] {
				redAxes = append(redAxes, a)
				sub = append(sub, pgrid[a])
			}
		}
		m := prod(sub)
		si := make([]int, len(sub))
		for flat := 0; flat < rch.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, ro)
			bs := rch.BlockShape(ro)
			outs := kind.PartialOutputs(pdt, bs)
			level := make([]graph.Key, m)
			for k := 0; k < m; k++ {
				chunks.Unravel(k, sub, si)
				copy(pi, ro)
				for s, a := range redAxes {
					pi[a] = si[s]
				}
				level[k] = graph.Key{Layer: part.name, Block: int64(chunks.Ravel(pi, pgrid))}
				b.mark(part, level[k])
			}
			for depth := 0; ; depth++ {
				if len(level) <= split {
					t := graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Inputs: level, Outputs: outs, Devices: allDevices}
					if len(level) == 1 {
						t.Op = graph.Op{Name: graph.OpAlias}
					} else {
						t.Op = graph.Op{Name: graph.OpCombine, Params: graph.CombineParams{Kind: kind}}
					}
					b.g.Tasks = append(b.g.Tasks, t)
					break
				}
				var next []graph.Key
				lname := fmt.Sprintf("%s-%d", name, depth)
				width := (len(level) + split - 1) / split
				for j := 0; j < width; j++ {
					grp := level[j*split : min((j+1)*split, len(level))]
					k := graph.Key{Layer: lname, Block: int64(flat*width + j)}
					b.g.Tasks = append(b.g.Tasks, graph.Task{Key: k, Op: graph.Op{Name: graph.OpCombine, Params: graph.CombineParams{Kind: kind}}, Inputs: grp, Outputs: outs, Devices: allDevices})
					next = append(next, k)
				}
				level = next
			}
		}
		return nil
	}
	return out
}

// finishReduction turns the combined partials into the result: mean
// divides by the count, var and std apply Chan's M2 / (n - ddof), arg
// reductions keep the index; reduced axes are dropped unless KeepDims.
func finishReduction(op string, tree *node, res graph.DType, count int, o ReduceOpts, isRed []bool) *Array {
	nd := len(tree.shape)
	var oshape []int
	var och chunks.Chunks
	rels := make([]axisRel, nd)
	for a := 0; a < nd; a++ {
		if isRed[a] && !o.KeepDims {
			rels[a] = axisRel{kind: relFixed, block: 0, index: 0}
			continue
		}
		rels[a] = axisRel{kind: relSame, out: len(oshape)}
		oshape = append(oshape, tree.shape[a])
		och = append(och, tree.chunks[a])
	}
	if oshape == nil {
		oshape = []int{}
		och = chunks.Chunks{}
	}
	p := &pb{}
	var r int32
	switch op {
	case "mean":
		s := p.load(0, 0, graph.Float64)
		r = p.cast(p.op(graph.OpDiv, graph.Float64, s, p.konst(graph.Float64, float64(count))), res)
	case "var", "std":
		n := p.load(0, 0, graph.Float64)
		m2 := p.load(2, 0, graph.Float64)
		den := p.op(graph.OpMax, graph.Float64, p.op(graph.OpSub, graph.Float64, n, p.konst(graph.Float64, float64(o.Ddof))), p.konst(graph.Float64, 0))
		r = p.op(graph.OpDiv, graph.Float64, m2, den)
		if op == "std" {
			r = p.op(graph.OpSqrt, graph.Float64, r)
		}
		r = p.cast(r, res)
	case "argmin", "argmax":
		r = p.load(1, 0, graph.Int64)
	default:
		r = p.cast(p.load(0, 0, tree.dtype), res)
	}
	prog := p.finish(r)
	name := token(op, tree, prog.Hash(), fmt.Sprint(oshape), o.KeepDims, o.Ddof)
	return &Array{nd: newElemNode(name, oshape, och, res, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: tree, rels: rels}}})}
}
