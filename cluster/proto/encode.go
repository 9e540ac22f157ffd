package proto

import (
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/graph"
)

// ---------------------------------------------------------------------------
// Encoding

type encoder struct {
	layers map[string]uint32
	progs  map[*graph.Program]uint32
	out    *Graph
}

// EncodeGraph converts g to its message. Layer names and fused programs
// (by pointer) are stored once. Params may be the structs of package graph
// or pointers to them; leaves must hold literal bytes ([]byte) or
// External (a persisted chunk that the submission names apart): another
// executor's handle is an error here.
// The message shares the byte slices (args, leaf values, take and
// quantile lists) of g.
func EncodeGraph(g *graph.Graph) (*Graph, error) {
	if g == nil {
		return nil, fmt.Errorf("%w: nil graph", ErrMalformed)
	}
	e := &encoder{layers: map[string]uint32{}, progs: map[*graph.Program]uint32{}, out: &Graph{}}
	e.out.Tasks = make([]*Task, len(g.Tasks))
	for i := range g.Tasks {
		t, err := e.task(&g.Tasks[i])
		if err != nil {
			return nil, fmt.Errorf("task %v: %w", g.Tasks[i].Key, err)
		}
		e.out.Tasks[i] = t
	}
	e.out.Leaves = make([]*Leaf, len(g.Leaves))
	for i := range g.Leaves {
		l := &g.Leaves[i]
		if _, ok := l.Value.(External); ok {
			k, err := e.key(l.Key)
			if err != nil {
				return nil, err
			}
			e.out.Leaves[i] = &Leaf{Key: k, Outputs: encChunks(l.Outputs), External: true}
			continue
		}
		v, ok := l.Value.([]byte)
		if !ok {
			return nil, fmt.Errorf("%w: leaf %v holds a %T, not literal bytes (persisted chunks are referred to by key, not carried)", ErrMalformed, l.Key, l.Value)
		}
		k, err := e.key(l.Key)
		if err != nil {
			return nil, err
		}
		e.out.Leaves[i] = &Leaf{Key: k, Outputs: encChunks(l.Outputs), Value: v}
	}
	return e.out, nil
}

func (e *encoder) key(k graph.Key) (*Key, error) {
	i, ok := e.layers[k.Layer]
	if !ok {
		if len(e.out.Layers) >= math.MaxUint32 {
			return nil, fmt.Errorf("%w: too many layers", ErrMalformed)
		}
		i = uint32(len(e.out.Layers))
		e.layers[k.Layer] = i
		e.out.Layers = append(e.out.Layers, k.Layer)
	}
	return &Key{Layer: i, Block: k.Block}, nil
}

func encInts(xs []int) []int64 {
	if len(xs) == 0 {
		return nil
	}
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = int64(x)
	}
	return out
}

func encChunks(cs []graph.Chunk) []*Chunk {
	out := make([]*Chunk, len(cs))
	for i, c := range cs {
		out[i] = &Chunk{Dtype: DType(c.DType), Shape: encInts(c.Shape)}
	}
	return out
}

func encMap(m graph.Map) *Map {
	out := &Map{Out: make([]int64, len(m)), Start: make([]int64, len(m)), Step: make([]int64, len(m))}
	for i, a := range m {
		out.Out[i], out.Start[i], out.Step[i] = int64(a.Out), int64(a.Start), int64(a.Step)
	}
	return out
}

func encPos(p graph.BlockPos) *BlockPos {
	return &BlockPos{Index: encInts(p.Index), Start: encInts(p.Start), ArrayShape: encInts(p.ArrayShape)}
}

func (e *encoder) program(p *graph.Program) (uint32, error) {
	if p == nil {
		return 0, fmt.Errorf("%w: fused task without a program", ErrMalformed)
	}
	if i, ok := e.progs[p]; ok {
		return i, nil
	}
	m := &Program{Instrs: make([]*Instr, len(p.Instrs)), Out: p.Out}
	for i, in := range p.Instrs {
		m.Instrs[i] = &Instr{Op: ElemOp(in.Op), Dtype: DType(in.DType), A: in.A, B: in.B, C: in.C, Src: in.Src, Map: in.Map, Imm: in.Imm}
	}
	for _, r := range p.Rands {
		m.Rands = append(m.Rands, &RandSpec{Kind: RandKind(r.Kind), Seed: r.Seed, Stream: r.Stream, Low: r.Low, High: r.High, Shape: encInts(r.Shape)})
	}
	if p.Reduce != nil {
		m.Reduce = &Reduce{Kind: ReduceKind(p.Reduce.Kind), Axes: encInts(p.Reduce.Axes)}
	}
	for _, r := range p.More {
		mr := &ProgramResult{Out: r.Out}
		if r.Reduce != nil {
			mr.Reduce = &Reduce{Kind: ReduceKind(r.Reduce.Kind), Axes: encInts(r.Reduce.Axes)}
		}
		m.More = append(m.More, mr)
	}
	i := uint32(len(e.out.Programs))
	e.progs[p] = i
	e.out.Programs = append(e.out.Programs, m)
	return i, nil
}

func (e *encoder) task(t *graph.Task) (*Task, error) {
	want, ok := opParams[t.Op.Name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownOp, t.Op.Name)
	}
	k, err := e.key(t.Key)
	if err != nil {
		return nil, err
	}
	m := &Task{Key: k, Op: t.Op.Name, Outputs: encChunks(t.Outputs), Devices: uint32(t.Devices)}
	m.Inputs = make([]*Key, len(t.Inputs))
	for i, in := range t.Inputs {
		if m.Inputs[i], err = e.key(in); err != nil {
			return nil, err
		}
	}
	got, err := e.params(m, t.Op.Params)
	if err != nil {
		return nil, err
	}
	if got != want {
		return nil, fmt.Errorf("%w: op %q takes %v params, got %T", ErrMalformed, t.Op.Name, want, t.Op.Params)
	}
	return m, nil
}

// deref turns *T into T for the params types; nil pointers are an error.
func deref[T any](p *T) (T, error) {
	var z T
	if p == nil {
		return z, fmt.Errorf("%w: nil %T params", ErrMalformed, p)
	}
	return *p, nil
}

func (e *encoder) params(m *Task, p any) (paramsKind, error) {
	var err error
	switch v := p.(type) {
	case nil:
		return pkNone, nil
	case *graph.FusedParams:
		var x graph.FusedParams
		if x, err = deref(v); err == nil {
			return e.fused(m, &x)
		}
	case graph.FusedParams:
		return e.fused(m, &v)
	case *graph.PickParams:
		var x graph.PickParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.PickParams:
		m.Params = &Task_Pick{&PickParams{First: int64(v.First)}}
		return pkPick, nil
	case *graph.CombineParams:
		var x graph.CombineParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.CombineParams:
		m.Params = &Task_Combine{&CombineParams{Kind: ReduceKind(v.Kind)}}
		return pkCombine, nil
	case *graph.AssembleParams:
		var x graph.AssembleParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.AssembleParams:
		a := &AssembleParams{Pieces: make([]*Piece, len(v.Pieces))}
		for i, pc := range v.Pieces {
			a.Pieces[i] = &Piece{Src: int64(pc.Src), SrcStart: encInts(pc.SrcStart), DstStart: encInts(pc.DstStart), Shape: encInts(pc.Shape)}
		}
		m.Params = &Task_Assemble{a}
		return pkAssemble, nil
	case *graph.LoadParams:
		var x graph.LoadParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.LoadParams:
		m.Params = &Task_Load{&LoadParams{Func: v.Func, Args: v.Args, Index: encInts(v.Index), Start: encInts(v.Start), ArrayShape: encInts(v.ArrayShape)}}
		return pkLoad, nil
	case *graph.StoreParams:
		var x graph.StoreParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.StoreParams:
		m.Params = &Task_Store{&StoreParams{Func: v.Func, Args: v.Args, Index: encInts(v.Index), Start: encInts(v.Start), ArrayShape: encInts(v.ArrayShape)}}
		return pkStore, nil
	case *graph.MapParams:
		var x graph.MapParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.MapParams:
		mp := &MapParams{Func: v.Func, Args: v.Args, Out: encPos(v.Out), In: make([]*BlockPos, len(v.In))}
		for i, bp := range v.In {
			mp.In[i] = encPos(bp)
		}
		m.Params = &Task_MapBlocks{mp}
		return pkMap, nil
	case *graph.TakeParams:
		var x graph.TakeParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.TakeParams:
		m.Params = &Task_Take{&TakeParams{Axis: int64(v.Axis), Merge: int64(v.Merge), Src: v.Src, Idx: v.Idx}}
		return pkTake, nil
	case *graph.PatchParams:
		var x graph.PatchParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.PatchParams:
		pp := &PatchParams{Pos: make([]*Positions, len(v.Pos))}
		for i, ps := range v.Pos {
			pp.Pos[i] = &Positions{Pos: encInts(ps)}
		}
		m.Params = &Task_Patch{pp}
		return pkPatch, nil
	case *graph.CompressParams:
		var x graph.CompressParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.CompressParams:
		m.Params = &Task_Compress{&CompressParams{Axis: int64(v.Axis)}}
		return pkCompress, nil
	case *graph.SortParams:
		var x graph.SortParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.SortParams:
		m.Params = &Task_Sort{&SortParams{Axis: int64(v.Axis), Desc: v.Desc, Out: uint32(v.Out), Base: v.Base, Lo: v.Lo, Indexed: v.Indexed}}
		return pkSort, nil
	case *graph.QuantileParams:
		var x graph.QuantileParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.QuantileParams:
		m.Params = &Task_Quantile{&QuantileParams{Axes: encInts(v.Axes), Q: v.Q, Median: v.Median, SkipNan: v.SkipNaN}}
		return pkQuantile, nil
	case *graph.LinalgParams:
		var x graph.LinalgParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.LinalgParams:
		m.Params = &Task_Linalg{&LinalgParams{Kind: uint32(v.Kind), Upper: v.Upper, Trans: v.Trans, Right: v.Right}}
		return pkLinalg, nil
	case *graph.ScanParams:
		var x graph.ScanParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.ScanParams:
		m.Params = &Task_Scan{&ScanParams{Kind: ReduceKind(v.Kind), Axis: int64(v.Axis)}}
		return pkScan, nil
	case *graph.AssertParams:
		var x graph.AssertParams
		if x, err = deref(v); err == nil {
			return e.params(m, x)
		}
	case graph.AssertParams:
		m.Params = &Task_Assert{&AssertParams{Message: v.Message}}
		return pkAssert, nil
	default:
		return 0, fmt.Errorf("%w: params of type %T", ErrUnknownOp, p)
	}
	return 0, err
}

func (e *encoder) fused(m *Task, p *graph.FusedParams) (paramsKind, error) {
	if p.OutStrides != nil {
		return 0, fmt.Errorf("%w: fused task with output strides %v (an executor's per-launch setting, never sent)", ErrMalformed, p.OutStrides)
	}
	pi, err := e.program(p.Prog)
	if err != nil {
		return 0, err
	}
	f := &FusedParams{Program: pi, Shape: encInts(p.Shape), Maps: make([]*Map, len(p.Maps))}
	for i, mp := range p.Maps {
		f.Maps[i] = encMap(mp)
	}
	if p.ArgMap.Base != 0 || len(p.ArgMap.Coef) > 0 {
		f.ArgMap = &Affine{Base: int64(p.ArgMap.Base), Coef: encInts(p.ArgMap.Coef)}
	}
	m.Params = &Task_Fused{f}
	return pkFused, nil
}
