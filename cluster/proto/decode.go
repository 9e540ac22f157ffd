package proto

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/blockwork-dev/blockwork/graph"
)

// ---------------------------------------------------------------------------
// Decoding

type decoder struct {
	l      Limits
	layers []string
	progs  []*graph.Program
	total  int64 // bytes of leaf values and args blobs so far
}

// DecodeGraph converts a message read from the network into a graph,
// refusing (with errors wrapping ErrLimit, ErrUnknownOp or ErrMalformed)
// whatever exceeds lim or cannot be a graph of known ops. Params come out
// in the Go forms lowering makes: pointers to the params structs, except
// CombineParams by value. Leaf values are []byte. The graph shares the
// message's byte slices and some of its lists; do not change m afterwards.
// DecodeGraph does not check the graph's structure (missing inputs, cycles:
// call Validate) or what params index into.
func DecodeGraph(m *Graph, lim Limits) (*graph.Graph, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil graph message", ErrMalformed)
	}
	d := &decoder{l: lim.withDefaults()}
	if err := d.count(len(m.Layers), d.l.MaxLayers, "layers"); err != nil {
		return nil, err
	}
	for i, s := range m.Layers {
		if err := d.str(s, "layer name"); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
	}
	d.layers = m.Layers
	if err := d.count(len(m.Programs), d.l.MaxPrograms, "programs"); err != nil {
		return nil, err
	}
	d.progs = make([]*graph.Program, len(m.Programs))
	for i, p := range m.Programs {
		prog, err := d.program(p)
		if err != nil {
			return nil, fmt.Errorf("program %d: %w", i, err)
		}
		d.progs[i] = prog
	}
	if err := d.count(len(m.Tasks), d.l.MaxTasks, "tasks"); err != nil {
		return nil, err
	}
	if err := d.count(len(m.Leaves), d.l.MaxLeaves, "leaves"); err != nil {
		return nil, err
	}
	g := &graph.Graph{}
	if len(m.Tasks) > 0 {
		g.Tasks = make([]graph.Task, len(m.Tasks))
	}
	for i, t := range m.Tasks {
		if err := d.task(&g.Tasks[i], t); err != nil {
			return nil, fmt.Errorf("task %d: %w", i, err)
		}
	}
	if len(m.Leaves) > 0 {
		g.Leaves = make([]graph.Leaf, len(m.Leaves))
	}
	for i, l := range m.Leaves {
		if err := d.leaf(&g.Leaves[i], l); err != nil {
			return nil, fmt.Errorf("leaf %d: %w", i, err)
		}
	}
	return g, nil
}

func (d *decoder) count(n, max int, what string) error {
	if n > max {
		return fmt.Errorf("%w: %d %s (at most %d)", ErrLimit, n, what, max)
	}
	return nil
}

func (d *decoder) str(s, what string) error {
	if len(s) > d.l.MaxStringLen {
		return fmt.Errorf("%w: %s of %d bytes (at most %d)", ErrLimit, what, len(s), d.l.MaxStringLen)
	}
	return nil
}

func (d *decoder) blob(b []byte, max int64, what string) error {
	if int64(len(b)) > max {
		return fmt.Errorf("%w: %s of %d bytes (at most %d)", ErrLimit, what, len(b), max)
	}
	d.total += int64(len(b))
	if d.total > d.l.MaxTotalBytes {
		return fmt.Errorf("%w: more than %d bytes of leaf values and args in the graph", ErrLimit, d.l.MaxTotalBytes)
	}
	return nil
}

func toInt(v int64, what string) (int, error) {
	if int64(int(v)) != v {
		return 0, fmt.Errorf("%w: %s %d out of range", ErrMalformed, what, v)
	}
	return int(v), nil
}

// ints converts a list of at most max entries; empty gives nil.
func (d *decoder) ints(xs []int64, max int, what string) ([]int, error) {
	if err := d.count(len(xs), max, what); err != nil {
		return nil, err
	}
	if len(xs) == 0 {
		return nil, nil
	}
	out := make([]int, len(xs))
	for i, x := range xs {
		v, err := toInt(x, what)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// shape converts a shape: at most MaxNDim non-negative extents whose
// product fits an int64; it returns the element count too.
func (d *decoder) shape(xs []int64, what string) ([]int, int64, error) {
	if len(xs) > d.l.MaxNDim {
		return nil, 0, fmt.Errorf("%w: %s of %d dimensions (at most %d)", ErrLimit, what, len(xs), d.l.MaxNDim)
	}
	n := uint64(1)
	overflow := false
	for _, x := range xs {
		if x < 0 {
			return nil, 0, fmt.Errorf("%w: %s %v has a negative extent", ErrMalformed, what, xs)
		}
		hi, lo := bits.Mul64(n, uint64(x))
		if hi != 0 || lo > math.MaxInt64 {
			overflow = true
		}
		n = lo
	}
	if overflow {
		for _, x := range xs {
			if x == 0 {
				overflow, n = false, 0
			}
		}
	}
	if overflow {
		return nil, 0, fmt.Errorf("%w: %s %v has more elements than an int64 counts", ErrLimit, what, xs)
	}
	s, err := d.ints(xs, d.l.MaxNDim, what)
	return s, int64(n), err
}

func (d *decoder) dtype(v DType) (graph.DType, error) {
	dt := graph.DType(v)
	if v < 0 || v > math.MaxUint8 || !dt.Valid() {
		return 0, fmt.Errorf("%w: dtype %d", ErrMalformed, v)
	}
	return dt, nil
}

func (d *decoder) reduceKind(v ReduceKind) (graph.ReduceKind, error) {
	if v < 0 || v > ReduceKind_REDUCE_KIND_MOMENTS {
		return 0, fmt.Errorf("%w: reduce kind %d", ErrMalformed, v)
	}
	return graph.ReduceKind(v), nil
}

func (d *decoder) key(k *Key) (graph.Key, error) {
	if k == nil {
		return graph.Key{}, fmt.Errorf("%w: missing key", ErrMalformed)
	}
	if uint64(k.Layer) >= uint64(len(d.layers)) {
		return graph.Key{}, fmt.Errorf("%w: key names layer %d of %d", ErrMalformed, k.Layer, len(d.layers))
	}
	return graph.Key{Layer: d.layers[k.Layer], Block: k.Block}, nil
}

func (d *decoder) chunks(cs []*Chunk) ([]graph.Chunk, int64, error) {
	if err := d.count(len(cs), d.l.MaxOutputs, "outputs"); err != nil {
		return nil, 0, err
	}
	if len(cs) == 0 {
		return nil, 0, nil
	}
	out := make([]graph.Chunk, len(cs))
	var total int64
	for i, c := range cs {
		if c == nil {
			return nil, 0, fmt.Errorf("%w: missing chunk metadata", ErrMalformed)
		}
		dt, err := d.dtype(c.Dtype)
		if err != nil {
			return nil, 0, err
		}
		s, n, err := d.shape(c.Shape, "chunk shape")
		if err != nil {
			return nil, 0, err
		}
		if n > d.l.MaxChunkBytes/int64(dt.Size()) {
			return nil, 0, fmt.Errorf("%w: chunk %v%v is larger than %d bytes", ErrLimit, dt, c.Shape, d.l.MaxChunkBytes)
		}
		out[i] = graph.Chunk{DType: dt, Shape: s}
		total += n * int64(dt.Size()) // at most MaxOutputs * MaxChunkBytes
	}
	return out, total, nil
}

func (d *decoder) program(p *Program) (*graph.Program, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: missing program", ErrMalformed)
	}
	if err := d.count(len(p.Instrs), d.l.MaxProgramLen, "instructions"); err != nil {
		return nil, err
	}
	if err := d.count(len(p.Rands), d.l.MaxProgramLen, "random streams"); err != nil {
		return nil, err
	}
	if len(p.Instrs) == 0 {
		return nil, fmt.Errorf("%w: program without instructions", ErrMalformed)
	}
	out := &graph.Program{Instrs: make([]graph.Instr, len(p.Instrs)), Out: p.Out}
	for i, in := range p.Instrs {
		if in == nil {
			return nil, fmt.Errorf("%w: missing instruction %d", ErrMalformed, i)
		}
		op := graph.ElemOp(in.Op)
		if in.Op < 0 || in.Op > math.MaxUint8 || !op.Valid() {
			return nil, fmt.Errorf("%w: instruction %d: elementwise op %d", ErrMalformed, i, in.Op)
		}
		dt, err := d.dtype(in.Dtype)
		if err != nil {
			return nil, fmt.Errorf("instruction %d: %w", i, err)
		}
		// SSA: arguments name earlier registers
		args := [3]int32{in.A, in.B, in.C}
		for _, a := range args[:op.Arity()] {
			if a < 0 || int(a) >= i {
				return nil, fmt.Errorf("%w: instruction %d (%v) reads register %d", ErrMalformed, i, op, a)
			}
		}
		if op == graph.OpRandom && in.Imm >= uint64(len(p.Rands)) {
			return nil, fmt.Errorf("%w: instruction %d reads random stream %d of %d", ErrMalformed, i, in.Imm, len(p.Rands))
		}
		out.Instrs[i] = graph.Instr{Op: op, DType: dt, A: in.A, B: in.B, C: in.C, Src: in.Src, Map: in.Map, Imm: in.Imm}
	}
	if p.Out < 0 || int(p.Out) >= len(p.Instrs) {
		return nil, fmt.Errorf("%w: program result is register %d of %d", ErrMalformed, p.Out, len(p.Instrs))
	}
	if len(p.Rands) > 0 {
		out.Rands = make([]graph.RandSpec, len(p.Rands))
	}
	for i, r := range p.Rands {
		if r == nil || r.Kind < RandKind_RAND_KIND_UNIFORM || r.Kind > RandKind_RAND_KIND_INTEGER {
			return nil, fmt.Errorf("%w: random stream %d: missing or of unknown kind", ErrMalformed, i)
		}
		s, _, err := d.shape(r.Shape, "random array shape")
		if err != nil {
			return nil, err
		}
		out.Rands[i] = graph.RandSpec{Kind: graph.RandKind(r.Kind), Seed: r.Seed, Stream: r.Stream, Low: r.Low, High: r.High, Shape: s}
	}
	var err error
	if out.Reduce, err = d.reduce(p.Reduce); err != nil {
		return nil, err
	}
	if err := d.count(len(p.More), d.l.MaxListLen, "more results"); err != nil {
		return nil, err
	}
	for _, r := range p.More {
		if r == nil {
			return nil, fmt.Errorf("%w: missing result", ErrMalformed)
		}
		red, err := d.reduce(r.Reduce)
		if err != nil {
			return nil, err
		}
		out.More = append(out.More, graph.Result{Out: r.Out, Reduce: red})
	}
	return out, nil
}

// reduce decodes an optional reduction (nil for none).
func (d *decoder) reduce(r *Reduce) (*graph.Reduce, error) {
	if r == nil {
		return nil, nil
	}
	k, err := d.reduceKind(r.Kind)
	if err != nil {
		return nil, err
	}
	axes, err := d.ints(r.Axes, d.l.MaxNDim, "reduction axes")
	if err != nil {
		return nil, err
	}
	return &graph.Reduce{Kind: k, Axes: axes}, nil
}

func (d *decoder) task(t *graph.Task, m *Task) error {
	if m == nil {
		return fmt.Errorf("%w: missing task", ErrMalformed)
	}
	var err error
	if t.Key, err = d.key(m.Key); err != nil {
		return err
	}
	if err := d.str(m.Op, "op name"); err != nil {
		return err
	}
	want, ok := opParams[m.Op]
	if !ok {
		return fmt.Errorf("%v: %w %q", t.Key, ErrUnknownOp, m.Op)
	}
	if err := d.count(len(m.Inputs), d.l.MaxInputs, "inputs"); err != nil {
		return fmt.Errorf("%v: %w", t.Key, err)
	}
	if len(m.Inputs) > 0 {
		t.Inputs = make([]graph.Key, len(m.Inputs))
	}
	for i, k := range m.Inputs {
		if t.Inputs[i], err = d.key(k); err != nil {
			return fmt.Errorf("%v: input %d: %w", t.Key, i, err)
		}
	}
	if t.Outputs, _, err = d.chunks(m.Outputs); err != nil {
		return fmt.Errorf("%v: %w", t.Key, err)
	}
	if m.Devices&^uint32(graph.CPU|graph.GPU) != 0 {
		return fmt.Errorf("%w: %v: device kinds %#x", ErrMalformed, t.Key, m.Devices)
	}
	t.Devices = graph.DeviceKinds(m.Devices)
	got, params, err := d.params(m)
	if err != nil {
		return fmt.Errorf("%v (%s): %w", t.Key, m.Op, err)
	}
	if got != want {
		return fmt.Errorf("%w: %v: op %q takes %v params, got %v", ErrMalformed, t.Key, m.Op, want, got)
	}
	t.Op = graph.Op{Name: m.Op, Params: params}
	return nil
}

func (d *decoder) pos(p *BlockPos) (graph.BlockPos, error) {
	if p == nil {
		return graph.BlockPos{}, nil
	}
	var out graph.BlockPos
	var err error
	if out.Index, err = d.ints(p.Index, d.l.MaxNDim, "block index"); err != nil {
		return out, err
	}
	if out.Start, err = d.ints(p.Start, d.l.MaxNDim, "block start"); err != nil {
		return out, err
	}
	out.ArrayShape, _, err = d.shape(p.ArrayShape, "array shape")
	return out, err
}

func (d *decoder) params(m *Task) (paramsKind, any, error) {
	switch p := m.Params.(type) {
	case nil:
		return pkNone, nil, nil
	case *Task_Fused:
		f, err := d.fused(p.Fused)
		return pkFused, f, err
	case *Task_Pick:
		if p.Pick == nil {
			return pkPick, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		if p.Pick.First < 0 || p.Pick.First > int64(d.l.MaxListLen) {
			return pkPick, nil, fmt.Errorf("%w: pick of buffer %d", ErrMalformed, p.Pick.First)
		}
		return pkPick, graph.PickParams{First: int(p.Pick.First)}, nil
	case *Task_Combine:
		if p.Combine == nil {
			return pkCombine, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		k, err := d.reduceKind(p.Combine.Kind)
		return pkCombine, graph.CombineParams{Kind: k}, err
	case *Task_Assemble:
		if p.Assemble == nil {
			return pkAssemble, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		if err := d.count(len(p.Assemble.Pieces), d.l.MaxListLen, "pieces"); err != nil {
			return pkAssemble, nil, err
		}
		a := &graph.AssembleParams{}
		if len(p.Assemble.Pieces) > 0 {
			a.Pieces = make([]graph.Piece, len(p.Assemble.Pieces))
		}
		for i, pc := range p.Assemble.Pieces {
			if pc == nil {
				return pkAssemble, nil, fmt.Errorf("%w: missing piece", ErrMalformed)
			}
			src, err := toInt(pc.Src, "piece source")
			if err != nil {
				return pkAssemble, nil, err
			}
			q := graph.Piece{Src: src}
			if q.SrcStart, err = d.ints(pc.SrcStart, d.l.MaxNDim, "piece source start"); err != nil {
				return pkAssemble, nil, err
			}
			if q.DstStart, err = d.ints(pc.DstStart, d.l.MaxNDim, "piece destination start"); err != nil {
				return pkAssemble, nil, err
			}
			if q.Shape, _, err = d.shape(pc.Shape, "piece shape"); err != nil {
				return pkAssemble, nil, err
			}
			a.Pieces[i] = q
		}
		return pkAssemble, a, nil
	case *Task_Load:
		lp := p.Load
		if lp == nil {
			return pkLoad, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		out := &graph.LoadParams{Func: lp.Func, Args: lp.Args}
		err := d.blockIO(lp.Func, lp.Args, lp.Index, lp.Start, lp.ArrayShape, &out.Index, &out.Start, &out.ArrayShape)
		return pkLoad, out, err
	case *Task_Store:
		sp := p.Store
		if sp == nil {
			return pkStore, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		out := &graph.StoreParams{Func: sp.Func, Args: sp.Args}
		err := d.blockIO(sp.Func, sp.Args, sp.Index, sp.Start, sp.ArrayShape, &out.Index, &out.Start, &out.ArrayShape)
		return pkStore, out, err
	case *Task_MapBlocks:
		mp := p.MapBlocks
		if mp == nil {
			return pkMap, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		if err := d.str(mp.Func, "function name"); err != nil {
			return pkMap, nil, err
		}
		if err := d.blob(mp.Args, int64(d.l.MaxArgsBytes), "args blob"); err != nil {
			return pkMap, nil, err
		}
		if err := d.count(len(mp.In), d.l.MaxInputs, "input positions"); err != nil {
			return pkMap, nil, err
		}
		out := &graph.MapParams{Func: mp.Func, Args: mp.Args}
		var err error
		if out.Out, err = d.pos(mp.Out); err != nil {
			return pkMap, nil, err
		}
		if len(mp.In) > 0 {
			out.In = make([]graph.BlockPos, len(mp.In))
		}
		for i, bp := range mp.In {
			if out.In[i], err = d.pos(bp); err != nil {
				return pkMap, nil, err
			}
		}
		return pkMap, out, nil
	case *Task_Take:
		tp := p.Take
		if tp == nil {
			return pkTake, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		if err := d.count(len(tp.Src), d.l.MaxListLen, "take sources"); err != nil {
			return pkTake, nil, err
		}
		if err := d.count(len(tp.Idx), d.l.MaxListLen, "take positions"); err != nil {
			return pkTake, nil, err
		}
		axis, err := toInt(tp.Axis, "axis")
		if err != nil {
			return pkTake, nil, err
		}
		merge, err := toInt(tp.Merge, "merge")
		if err != nil {
			return pkTake, nil, err
		}
		return pkTake, &graph.TakeParams{Axis: axis, Merge: merge, Src: tp.Src, Idx: tp.Idx}, nil
	case *Task_Patch:
		if p.Patch == nil {
			return pkPatch, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		if err := d.count(len(p.Patch.Pos), d.l.MaxNDim, "patch axes"); err != nil {
			return pkPatch, nil, err
		}
		out := &graph.PatchParams{}
		if len(p.Patch.Pos) > 0 {
			out.Pos = make([][]int, len(p.Patch.Pos))
		}
		for i, ps := range p.Patch.Pos {
			var xs []int64
			if ps != nil {
				xs = ps.Pos
			}
			var err error
			if out.Pos[i], err = d.ints(xs, d.l.MaxListLen, "patch positions"); err != nil {
				return pkPatch, nil, err
			}
		}
		return pkPatch, out, nil
	case *Task_Compress:
		if p.Compress == nil {
			return pkCompress, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		axis, err := toInt(p.Compress.Axis, "axis")
		return pkCompress, &graph.CompressParams{Axis: axis}, err
	case *Task_Sort:
		sp := p.Sort
		if sp == nil {
			return pkSort, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		if sp.Out&^uint32(graph.SortValues|graph.SortIndices) != 0 {
			return pkSort, nil, fmt.Errorf("%w: sort outputs %#x", ErrMalformed, sp.Out)
		}
		axis, err := toInt(sp.Axis, "axis")
		return pkSort, &graph.SortParams{Axis: axis, Desc: sp.Desc, Out: graph.SortOutputs(sp.Out), Base: sp.Base, Lo: sp.Lo, Indexed: sp.Indexed}, err
	case *Task_Quantile:
		qp := p.Quantile
		if qp == nil {
			return pkQuantile, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		axes, err := d.ints(qp.Axes, d.l.MaxNDim, "quantile axes")
		if err != nil {
			return pkQuantile, nil, err
		}
		if err := d.count(len(qp.Q), d.l.MaxListLen, "quantiles"); err != nil {
			return pkQuantile, nil, err
		}
		var q []float64
		if len(qp.Q) > 0 {
			q = qp.Q
		}
		return pkQuantile, &graph.QuantileParams{Axes: axes, Q: q, Median: qp.Median, SkipNaN: qp.SkipNan}, nil
	case *Task_Linalg:
		lp := p.Linalg
		if lp == nil {
			return pkLinalg, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		if k := graph.LinalgKind(lp.Kind); lp.Kind > 255 || !k.Valid() {
			return pkLinalg, nil, fmt.Errorf("%w: linalg kind %d", ErrMalformed, lp.Kind)
		}
		return pkLinalg, &graph.LinalgParams{Kind: graph.LinalgKind(lp.Kind), Upper: lp.Upper, Trans: lp.Trans, Right: lp.Right}, nil
	case *Task_Scan:
		if p.Scan == nil {
			return pkScan, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		k, err := d.reduceKind(p.Scan.Kind)
		if err != nil {
			return pkScan, nil, err
		}
		axis, err := toInt(p.Scan.Axis, "axis")
		return pkScan, &graph.ScanParams{Kind: k, Axis: axis}, err
	case *Task_Assert:
		if p.Assert == nil {
			return pkAssert, nil, fmt.Errorf("%w: missing params", ErrMalformed)
		}
		if err := d.str(p.Assert.Message, "assert message"); err != nil {
			return pkAssert, nil, err
		}
		return pkAssert, &graph.AssertParams{Message: p.Assert.Message}, nil
	}
	return 0, nil, fmt.Errorf("%w: params of type %T", ErrUnknownOp, m.Params)
}

func (d *decoder) blockIO(fn string, args []byte, idx, start, shape []int64, oIdx, oStart, oShape *[]int) error {
	if err := d.str(fn, "function name"); err != nil {
		return err
	}
	if err := d.blob(args, int64(d.l.MaxArgsBytes), "args blob"); err != nil {
		return err
	}
	var err error
	if *oIdx, err = d.ints(idx, d.l.MaxNDim, "block index"); err != nil {
		return err
	}
	if *oStart, err = d.ints(start, d.l.MaxNDim, "block start"); err != nil {
		return err
	}
	*oShape, _, err = d.shape(shape, "array shape")
	return err
}

func (d *decoder) fused(f *FusedParams) (*graph.FusedParams, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: missing params", ErrMalformed)
	}
	if uint64(f.Program) >= uint64(len(d.progs)) {
		return nil, fmt.Errorf("%w: program %d of %d", ErrMalformed, f.Program, len(d.progs))
	}
	out := &graph.FusedParams{Prog: d.progs[f.Program]}
	var err error
	if out.Shape, _, err = d.shape(f.Shape, "iteration shape"); err != nil {
		return nil, err
	}
	if err := d.count(len(f.Maps), d.l.MaxProgramLen, "maps"); err != nil {
		return nil, err
	}
	if len(f.Maps) > 0 {
		out.Maps = make([]graph.Map, len(f.Maps))
	}
	for i, m := range f.Maps {
		if m == nil {
			continue
		}
		n := len(m.Out)
		if len(m.Start) != n || len(m.Step) != n {
			return nil, fmt.Errorf("%w: map %d has %d/%d/%d out/start/step entries", ErrMalformed, i, n, len(m.Start), len(m.Step))
		}
		if err := d.count(n, d.l.MaxNDim, "map axes"); err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		mp := make(graph.Map, n)
		for a := range mp {
			o, err1 := toInt(m.Out[a], "map axis")
			s, err2 := toInt(m.Start[a], "map start")
			st, err3 := toInt(m.Step[a], "map step")
			if err := errors.Join(err1, err2, err3); err != nil {
				return nil, err
			}
			mp[a] = graph.AxisMap{Out: o, Start: s, Step: st}
		}
		out.Maps[i] = mp
	}
	if f.ArgMap != nil {
		base, err := toInt(f.ArgMap.Base, "arg map base")
		if err != nil {
			return nil, err
		}
		coef, err := d.ints(f.ArgMap.Coef, d.l.MaxNDim, "arg map coefficients")
		if err != nil {
			return nil, err
		}
		out.ArgMap = graph.Affine{Base: base, Coef: coef}
	}
	return out, nil
}

func (d *decoder) leaf(l *graph.Leaf, m *Leaf) error {
	if m == nil {
		return fmt.Errorf("%w: missing leaf", ErrMalformed)
	}
	var err error
	if l.Key, err = d.key(m.Key); err != nil {
		return err
	}
	outs, want, err := d.chunks(m.Outputs)
	if err != nil {
		return fmt.Errorf("%v: %w", l.Key, err)
	}
	if m.External {
		if len(m.Value) != 0 {
			return fmt.Errorf("%w: external leaf %v carries %d bytes", ErrMalformed, l.Key, len(m.Value))
		}
		l.Outputs, l.Value = outs, External{}
		return nil
	}
	if err := d.blob(m.Value, d.l.MaxLeafBytes, "leaf value"); err != nil {
		return fmt.Errorf("%v: %w", l.Key, err)
	}
	if int64(len(m.Value)) != want {
		return fmt.Errorf("%w: leaf %v holds %d bytes, its outputs take %d", ErrMalformed, l.Key, len(m.Value), want)
	}
	l.Outputs = outs
	v := m.Value
	if v == nil {
		v = []byte{}
	}
	l.Value = v
	return nil
}
