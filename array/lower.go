package array

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// builder accumulates the graph of one compute. Layers are lowered from
// the outputs back to the inputs, each for the blocks its consumers asked
// for only: slicing one block out of a huge array lowers one task per
// layer, not every block of it.
type builder struct {
	g     graph.Graph
	done  map[string]bool // layers visited, by token (equal tokens are equal layers)
	order []*node         // post-order: inputs before consumers
	need  map[string][]bool
	cur   []bool // the blocks of the layer being lowered that are needed
	// override replaces a layer's inlined program for this computation
	// (shared generators materialised: inline.go)
	override map[*node]*elemLayer
}

// needs reports whether block flat of the layer being lowered is needed.
func (b *builder) needs(flat int) bool { return b.cur[flat] }

// count is the number of needed blocks of the layer being lowered.
func (b *builder) count() int {
	n := 0
	for _, v := range b.cur {
		if v {
			n++
		}
	}
	return n
}

// mark asks for block k of input layer nd.
func (b *builder) mark(nd *node, k graph.Key) {
	need := b.need[nd.name]
	if need == nil {
		need = make([]bool, nd.chunks.Total())
		b.need[nd.name] = need
	}
	need[k.Block] = true
}

// allDevices is what lowering stamps on tasks; the executor narrows it to
// the kinds its kernel registry can run.
const allDevices = graph.DeviceKinds(graph.CPU) | graph.DeviceKinds(graph.GPU)

// lowerAll lowers the expressions of xs (each layer once, only the blocks
// needed) and returns the graph, the keys of each x's blocks in C order,
// and the keys of the shared generators it materialised (inline.go).
func lowerAll(xs ...*Array) (*graph.Graph, [][]graph.Key, []graph.Key, error) {
	b := &builder{done: map[string]bool{}, need: map[string][]bool{}}
	keys := make([][]graph.Key, len(xs))
	for _, x := range xs {
		if err := x.Err(); err != nil {
			return nil, nil, nil, err
		}
		b.visit(x.nd)
	}
	shared := b.materialiseShared()
	if shared != nil {
		// again, with the materialised generators as inputs
		b.done, b.order = map[string]bool{}, nil
		for _, x := range xs {
			b.visit(x.nd)
		}
	}
	for i, x := range xs {
		n := x.nd.chunks.Total()
		keys[i] = make([]graph.Key, n)
		for j := range keys[i] {
			keys[i][j] = graph.Key{Layer: x.nd.name, Block: int64(j)}
			b.mark(x.nd, keys[i][j])
		}
	}
	for i := len(b.order) - 1; i >= 0; i-- {
		nd := b.order[i]
		b.cur = b.need[nd.name]
		if b.cur == nil {
			continue // no consumer needs any of its blocks
		}
		if err := nd.lower(b); err != nil {
			return nil, nil, nil, err
		}
	}
	// the materialised generators' tasks: graph.Fuse must not inline
	// them back into their readers
	var keep []graph.Key
	for _, t := range b.g.Tasks {
		if shared[t.Key.Layer] {
			keep = append(keep, t.Key)
		}
	}
	return &b.g, keys, keep, nil
}

// visit appends root's layers to b.order in post-order.
func (b *builder) visit(root *node) {
	// iterative: deep expression chains must not overflow the stack
	type frame struct {
		n *node
		i int
	}
	if b.done[root.name] {
		return
	}
	b.done[root.name] = true
	stack := []frame{{n: root}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		ins := f.n.inputs
		if o := b.override[f.n]; o != nil {
			ins = inputNodes(o)
		}
		if f.i < len(ins) {
			c := ins[f.i]
			f.i++
			if !b.done[c.name] {
				b.done[c.name] = true // mark on entry: a DAG, not a tree
				stack = append(stack, frame{n: c})
			}
			continue
		}
		b.order = append(b.order, f.n)
		stack = stack[:len(stack)-1]
	}
}

// ---- elementwise layers

type relKind uint8

const (
	relSame      relKind = iota // block and local index follow output axis Out
	relBroadcast                // size-1 input axis stretched: block 0, step 0
	relSlice                    // per output block along Out: Parts
	relFixed                    // integer index: Block, Index; no output axis
)

// axisRel relates one input axis to the output's axes.
type axisRel struct {
	kind  relKind
	out   int
	parts []chunks.SlicePart
	block int
	index int
}

type elemInput struct {
	nd   *node
	rels []axisRel
}

// elemLayer is a layer of fused tasks: one Program run over each block of
// the domain. Map slot s of the program belongs to input slots[s] (a
// Load) or, when slots[s] < 0, to this layer's own global coordinates
// (Index and Random).
type elemLayer struct {
	prog  *graph.Program
	ins   []elemInput
	slots []int
	// virt are generator layers inlined at construction (inline.go): slot
	// -2-v addresses the global coordinates of virt[v] through its rels
	virt   []elemInput
	domain chunks.Chunks // iteration domain (the output's chunks without a reduce stage)
	// argAxis: for ArgMin/ArgMax partials, the axis whose global index is
	// kept, or -1 for the flat index over all axes.
	argAxis int
}

// pb builds a Program.
type pb struct {
	prog  graph.Program
	slots []int
}

func (p *pb) emit(in graph.Instr) int32 {
	p.prog.Instrs = append(p.prog.Instrs, in)
	return int32(len(p.prog.Instrs) - 1)
}

func (p *pb) load(src int, input int, dt graph.DType) int32 {
	p.slots = append(p.slots, input)
	return p.emit(graph.Instr{Op: graph.OpLoad, DType: dt, Src: int32(src), Map: int32(len(p.slots) - 1)})
}

func (p *pb) index(axis int, dt graph.DType) int32 {
	p.slots = append(p.slots, -1)
	return p.emit(graph.Instr{Op: graph.OpIndex, DType: dt, Map: int32(len(p.slots) - 1), Imm: uint64(axis)})
}

func (p *pb) random(spec graph.RandSpec, dt graph.DType) int32 {
	p.slots = append(p.slots, -1)
	p.prog.Rands = append(p.prog.Rands, spec)
	return p.emit(graph.Instr{Op: graph.OpRandom, DType: dt, Map: int32(len(p.slots) - 1), Imm: uint64(len(p.prog.Rands) - 1)})
}

func (p *pb) konst(dt graph.DType, v float64) int32 {
	return p.emit(graph.Instr{Op: graph.OpConst, DType: dt, Imm: graph.ConstBits(dt, v)})
}

func (p *pb) konstInt(dt graph.DType, v int64) int32 {
	return p.emit(graph.Instr{Op: graph.OpConst, DType: dt, Imm: graph.ConstIntBits(dt, v)})
}

func (p *pb) op(op graph.ElemOp, dt graph.DType, args ...int32) int32 {
	in := graph.Instr{Op: op, DType: dt}
	if len(args) > 0 {
		in.A = args[0]
	}
	if len(args) > 1 {
		in.B = args[1]
	}
	if len(args) > 2 {
		in.C = args[2]
	}
	return p.emit(in)
}

// cast converts register r to dt (no instruction when it already is).
func (p *pb) cast(r int32, dt graph.DType) int32 {
	if p.prog.Instrs[r].DType == dt {
		return r
	}
	return p.op(graph.OpCast, dt, r)
}

// finish sets the result register and returns the program.
func (p *pb) finish(out int32) *graph.Program {
	p.prog.Out = out
	prog := p.prog
	return &prog
}

// newElemNode makes a layer of fused tasks. name hashes everything that
// determines the result.
func newElemNode(name string, shape []int, ch chunks.Chunks, dt graph.DType, l *elemLayer) *node {
	raw := l
	if raw.domain == nil {
		raw.domain = ch
	}
	l = inlineGenerators(l, nil)
	nd := &node{name: name, shape: shape, chunks: ch, dtype: dt, nout: 1, elem: l, raw: raw}
	if l.domain == nil {
		l.domain = ch
	}
	if l.prog.Reduce != nil {
		_, nd.nout = l.prog.Reduce.Kind.PartialLayout(l.prog.OutDType())
	}
	for _, in := range l.ins {
		nd.inputs = append(nd.inputs, in.nd)
	}
	nd.lower = func(b *builder) error {
		if o := b.override[nd]; o != nil {
			return lowerElem(b, nd, o)
		}
		return lowerElem(b, nd, l)
	}
	return nd
}

func lowerElem(b *builder, nd *node, l *elemLayer) error {
	dom := l.domain
	grid := dom.NumBlocks()
	ndim := len(grid)
	total := dom.Total()
	offs := dom.Offsets()
	srcBase := make([]int, len(l.ins))
	nsrc := 0
	for k, in := range l.ins {
		srcBase[k] = nsrc
		nsrc += in.nd.nout
	}
	var red *graph.Reduce = l.prog.Reduce
	var gstrides []int
	if red != nil && (red.Kind == graph.ReduceArgMin || red.Kind == graph.ReduceArgMax) {
		gstrides = graph.Strides(dom.Shape())
	}
	bo := make([]int, ndim)
	inIdx := make([][]int, len(l.ins))
	for k, in := range l.ins {
		inIdx[k] = make([]int, len(in.rels))
	}
	first := len(b.g.Tasks)
	nt := b.count()
	b.g.Tasks = append(b.g.Tasks, make([]graph.Task, nt)...)
	tasks := b.g.Tasks[first:]
	ti := -1
	// slabs: one allocation per kind of thing for the whole layer, not per task
	nins := len(l.ins)
	naxes := 0
	for _, in := range l.ins {
		naxes += len(in.rels)
	}
	for _, in := range l.virt {
		naxes += len(in.rels)
	}
	voffs := make([][][]int, len(l.virt))
	maxv := 0
	for v, in := range l.virt {
		voffs[v] = in.nd.chunks.Offsets()
		maxv = max(maxv, len(in.rels))
	}
	vIdx := make([]int, maxv)
	vMaps := make([]graph.Map, len(l.virt))
	hasGen := false
	for _, k := range l.slots {
		hasGen = hasGen || k == -1 // the layer's own coordinates (virtual slots are counted in naxes)
	}
	genAxes := 0
	if hasGen {
		genAxes = ndim
	}
	nout := 1
	if red != nil {
		_, nout = red.Kind.PartialLayout(l.prog.OutDType())
	}
	ints := make([]int, nt*ndim*(2+nout))
	keys := make([]graph.Key, nt*nins)
	inMapsSlab := make([]graph.Map, nt*nins)
	axisSlab := make([]graph.AxisMap, nt*(naxes+genAxes))
	mapsSlab := make([]graph.Map, nt*len(l.slots))
	params := make([]graph.FusedParams, nt)
	outsSlab := make([]graph.Chunk, nt*nout)
	var coefs []int
	if gstrides != nil {
		coefs = make([]int, nt*ndim)
	}
	take := func(n int) []int { v := ints[:n:n]; ints = ints[n:]; return v }
	takeAxes := func(n int) graph.Map { v := axisSlab[:n:n]; axisSlab = axisSlab[n:]; return v }
	for flat := 0; flat < total; flat++ {
		if !b.needs(flat) {
			continue
		}
		ti++
		chunks.Unravel(flat, grid, bo)
		shape := take(ndim)
		origin := take(ndim)
		for o := range bo {
			shape[o] = dom[o][bo[o]]
			origin[o] = offs[o][bo[o]]
		}
		t := &tasks[ti]
		t.Key = graph.Key{Layer: nd.name, Block: int64(flat)}
		t.Devices = allDevices
		t.Inputs = keys[ti*nins : (ti+1)*nins : (ti+1)*nins]
		inMaps := inMapsSlab[ti*nins : (ti+1)*nins : (ti+1)*nins]
		for k, in := range l.ins {
			m := takeAxes(len(in.rels))
			relate(in, bo, inIdx[k], m)
			inMaps[k] = m
			t.Inputs[k] = graph.Key{Layer: in.nd.name, Block: int64(chunks.Ravel(inIdx[k], in.nd.chunks.NumBlocks()))}
			b.mark(in.nd, t.Inputs[k])
		}
		for v, in := range l.virt {
			m := takeAxes(len(in.rels))
			vIdx = vIdx[:len(in.rels)]
			relate(in, bo, vIdx, m)
			for a := range m {
				m[a].Start += voffs[v][a][vIdx[a]]
			}
			vMaps[v] = m
		}
		maps := mapsSlab[ti*len(l.slots) : (ti+1)*len(l.slots) : (ti+1)*len(l.slots)]
		var gen graph.Map
		for s, k := range l.slots {
			if k >= 0 {
				maps[s] = inMaps[k]
			} else if k <= -2 {
				maps[s] = vMaps[-2-k]
			} else {
				if gen == nil {
					gen = takeAxes(ndim)
					for o := range gen {
						gen[o] = graph.AxisMap{Out: o, Start: origin[o], Step: 1}
					}
				}
				maps[s] = gen
			}
		}
		fp := &params[ti]
		*fp = graph.FusedParams{Prog: l.prog, Shape: shape, Maps: maps}
		outs := outsSlab[ti*nout : (ti+1)*nout : (ti+1)*nout]
		if red == nil {
			outs[0] = graph.Chunk{DType: nd.dtype, Shape: shape}
		} else {
			ps := take(ndim)
			copy(ps, shape)
			for _, ax := range red.Axes {
				ps[ax] = 1
			}
			pdt := l.prog.OutDType()
			switch red.Kind {
			case graph.ReduceArgMin, graph.ReduceArgMax:
				outs[0], outs[1] = graph.Chunk{DType: pdt, Shape: ps}, graph.Chunk{DType: graph.Int64, Shape: ps}
			case graph.ReduceMoments:
				outs[0], outs[1], outs[2] = graph.Chunk{DType: graph.Float64, Shape: ps}, graph.Chunk{DType: graph.Float64, Shape: ps}, graph.Chunk{DType: graph.Float64, Shape: ps}
			default:
				outs[0] = graph.Chunk{DType: red.Kind.PartialDType(pdt), Shape: ps}
			}
			if gstrides != nil {
				a := graph.Affine{Coef: coefs[ti*ndim : (ti+1)*ndim : (ti+1)*ndim]}
				if l.argAxis >= 0 {
					a.Base = origin[l.argAxis]
					a.Coef[l.argAxis] = 1
				} else {
					for o := range origin {
						a.Base += gstrides[o] * origin[o]
						a.Coef[o] = gstrides[o]
					}
				}
				fp.ArgMap = a
			}
		}
		t.Outputs = outs
		t.Op = graph.Op{Name: graph.OpFused, Params: fp}
	}
	return nil
}

// relate computes, for output block bo, the block of input in (idx) and
// the map from the output block's local coordinates to that block's (m).
func relate(in elemInput, bo []int, idx []int, m graph.Map) {
	for a, r := range in.rels {
		switch r.kind {
		case relSame:
			idx[a] = bo[r.out]
			m[a] = graph.AxisMap{Out: r.out, Step: 1}
		case relBroadcast:
			// the block holding the one element: the first non-empty one
			// (the chunks may start with 0-length blocks)
			idx[a], _ = locate(in.nd.chunks[a], 0)
			m[a] = graph.AxisMap{Out: -1}
		case relSlice:
			p := r.parts[bo[r.out]]
			idx[a] = p.Block
			m[a] = graph.AxisMap{Out: r.out, Start: p.Start, Step: p.Step}
		case relFixed:
			idx[a] = r.block
			m[a] = graph.AxisMap{Out: -1, Start: r.index}
		}
	}
}

// sameRels relates an input of the output's shape (right-aligned
// broadcasting) to the output.
func broadcastRels(inShape, outShape []int) []axisRel {
	rels := make([]axisRel, len(inShape))
	off := len(outShape) - len(inShape)
	for a := range inShape {
		o := a + off
		if inShape[a] == 1 && outShape[o] != 1 {
			rels[a] = axisRel{kind: relBroadcast, out: o}
		} else {
			rels[a] = axisRel{kind: relSame, out: o}
		}
	}
	return rels
}

// generator makes a layer with no inputs: build emits its program.
func generator(op string, shape []int, ch chunks.Chunks, dt graph.DType, build func(p *pb) int32) *Array {
	p := &pb{}
	out := p.cast(build(p), dt)
	prog := p.finish(out)
	name := token(op, prog.Hash(), fmt.Sprint(shape), fmt.Sprint(ch), dt)
	return &Array{nd: newElemNode(name, shape, ch, dt, &elemLayer{prog: prog, slots: p.slots})}
}

// unary maps one array elementwise (same shape and chunks).
func unaryNode(op string, x *node, dt graph.DType, build func(p *pb, r int32) int32) *Array {
	p := &pb{}
	r := p.load(0, 0, x.dtype)
	out := p.cast(build(p, r), dt)
	prog := p.finish(out)
	name := token(op, prog.Hash(), x)
	rels := broadcastRels(x.shape, x.shape)
	return &Array{nd: newElemNode(name, x.shape, x.chunks, dt, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: x, rels: rels}}})}
}

// elementwise combines arrays with NumPy broadcasting: the output shape
// is the broadcast shape, chunks are unified (inputs rechunked where they
// differ), and build computes the result from one loaded register per
// input (in its own dtype).
func elementwise(op string, dt graph.DType, xs []*Array, params string, build func(p *pb, r []int32) int32) *Array {
	if err := firstErr(xs...); err != nil {
		return errArray(err)
	}
	shapes := make([][]int, len(xs))
	for i, x := range xs {
		shapes[i] = x.nd.shape
	}
	out, err := chunks.BroadcastShapes(shapes...)
	if err != nil {
		return errorf(op, "operands could not be broadcast together with shapes %s", shapesStr(xs...))
	}
	nd := len(out)
	// unify chunks along each output axis over the inputs that are not
	// broadcast there
	och := make(chunks.Chunks, nd)
	for o := 0; o < nd; o++ {
		for _, x := range xs {
			a := o - (nd - len(x.nd.shape))
			if a < 0 || (x.nd.shape[a] == 1 && out[o] != 1) {
				continue
			}
			if och[o] == nil {
				och[o] = x.nd.chunks[a]
				continue
			}
			r, err := chunks.Refine(och[o], x.nd.chunks[a])
			if err != nil {
				return errorf(op, "%v", err)
			}
			och[o] = r
		}
		if och[o] == nil {
			och[o] = []int{out[o]}
		}
	}
	p := &pb{}
	regs := make([]int32, len(xs))
	ins := make([]elemInput, len(xs))
	parts := []any{op, dt, params}
	for i, x := range xs {
		xn := x.nd
		// rechunk to the unified chunks where needed
		want := make(chunks.Chunks, len(xn.shape))
		for a := range xn.shape {
			o := a + nd - len(xn.shape)
			if xn.shape[a] == 1 && out[o] != 1 {
				want[a] = xn.chunks[a]
			} else {
				want[a] = och[o]
			}
		}
		if !want.Equal(xn.chunks) {
			r := rechunkTo(x, want)
			if r.err != nil {
				return errArray(r.err)
			}
			xn = r.nd
		}
		ins[i] = elemInput{nd: xn, rels: broadcastRels(xn.shape, out)}
		regs[i] = p.load(i, i, xn.dtype)
		parts = append(parts, xn)
	}
	res := p.cast(build(p, regs), dt)
	prog := p.finish(res)
	parts = append(parts, fmt.Sprint(och))
	name := token(op, append(parts, prog.Hash())...)
	return &Array{nd: newElemNode(name, out, och, dt, &elemLayer{prog: prog, slots: p.slots, ins: ins})}
}
