package graph

import "slices"

// Fuse returns g with chains of elementwise work merged: a fused task
// (OpFused) without a reduce stage is inlined into the fused tasks that
// read it when it has no other reader, or when it reads nothing (a
// generator: constants, ranges, random numbers are cheaper to recompute
// than to hold), and it is not one of keep. The inlined producer's
// instructions are spliced in place of the consumer's load, with its maps
// composed with the load's map, so broadcasting, transposition and
// slicing of an intermediate stay index arithmetic. The result makes one
// pass per block with no chunk-sized intermediate. Programs are shared:
// tasks of one layer that inline the same producers get the same
// *Program.
func Fuse(g *Graph, keep []Key) *Graph {
	idx := g.Index()
	lidx := g.LeafIndex()
	keepSet := make(map[Key]bool, len(keep))
	for _, k := range keep {
		keepSet[k] = true
	}
	// readers[j]: the tasks reading task j (a task reading it twice, as
	// y*y does, counts once: both its loads are inlined)
	readers := make([]int, len(g.Tasks))
	for i := range g.Tasks {
		ins := g.Tasks[i].Inputs
		for k, in := range ins {
			if j, ok := idx.Get(in); ok && !readBefore(ins, k) {
				readers[j]++
			}
		}
	}
	// most graphs of many small tasks have nothing to fuse: then g is the
	// result (no copy of every task, no sort)
	if !fusesAny(g, idx, lidx, keepSet, readers) {
		return g
	}
	order, err := g.Toposort()
	if err != nil {
		return g
	}
	out := make([]Task, len(g.Tasks))
	copy(out, g.Tasks)
	inlined := make([]bool, len(g.Tasks))
	memo := map[inlineKey]spliced{}
	ar := &arena{}
	srcAt := make([]int, 0, 8)
	inlinable := func(j int) bool {
		t := &out[j]
		if t.Op.Name != OpFused || keepSet[t.Key] || len(t.Outputs) != 1 {
			return false
		}
		p := t.Op.Params.(*FusedParams)
		if p.Prog.Reduce != nil {
			return false
		}
		return len(t.Inputs) == 0 || readers[j] == 1
	}
	for _, i := range order {
		t := &out[i]
		if t.Op.Name != OpFused {
			continue
		}
		any := false
		for _, in := range t.Inputs {
			if j, ok := idx.Get(in); ok && inlinable(j) {
				any = true
				break
			}
		}
		if !any {
			continue
		}
		for {
			// find an input to inline (the first, for a stable result)
			pos, src := -1, 0
			nsrc := 0
			srcAt = srcAt[:0]
			for _, in := range t.Inputs {
				srcAt = append(srcAt, nsrc)
				j, ok := idx.Get(in)
				if ok && pos < 0 && inlinable(j) {
					pos, src = len(srcAt)-1, j
				}
				nsrc += outputsOf(g, idx, lidx, in)
			}
			if pos < 0 {
				break
			}
			cp := t.Op.Params.(*FusedParams)
			pp := out[src].Op.Params.(*FusedParams)
			np := inline(cp, srcAt[pos], nsrc, pp, memo, ar)
			ins := ar.keySlice(len(t.Inputs) - 1 + len(out[src].Inputs))
			ins = append(ins, t.Inputs[:pos]...)
			ins = append(ins, t.Inputs[pos+1:]...)
			ins = append(ins, out[src].Inputs...)
			old := t.Inputs
			t.Inputs = ins
			t.Op = Op{Name: OpFused, Params: np}
			t.Devices &= out[src].Devices
			if !slices.Contains(ins, out[src].Key) {
				readers[src]-- // its last load in t is gone
			}
			inlined[src] = true
			for k, in := range out[src].Inputs {
				if j, ok := idx.Get(in); ok && !slices.Contains(old, in) && !readBefore(out[src].Inputs, k) {
					readers[j]++
				}
			}
		}
	}
	// compact in place: out is ours, and each kept task moves down or stays
	res := &Graph{Leaves: g.Leaves, Tasks: out[:0]}
	res.lidx.Store(g.lidx.Load())
	for i := range out {
		if inlined[i] && readers[i] == 0 && !keepSet[out[i].Key] {
			continue // every reader took its instructions
		}
		if identityCopy(g, idx, lidx, &out[i]) {
			out[i].Op = Op{Name: OpAlias}
		}
		res.Tasks = append(res.Tasks, out[i])
	}
	return res
}

// fusesAny reports whether Fuse would change g: a fused task reads a task
// it may inline (Fuse's inlinable, before any inlining), or a task is an
// identity copy.
func fusesAny(g *Graph, idx *KeyIndex, lidx *KeyIndex, keep map[Key]bool, readers []int) bool {
	for i := range g.Tasks {
		t := &g.Tasks[i]
		if identityCopy(g, idx, lidx, t) {
			return true
		}
		if t.Op.Name != OpFused {
			continue
		}
		for _, in := range t.Inputs {
			j, ok := idx.Get(in)
			if !ok {
				continue
			}
			u := &g.Tasks[j]
			if u.Op.Name != OpFused || keep[u.Key] || len(u.Outputs) != 1 {
				continue
			}
			if u.Op.Params.(*FusedParams).Prog.Reduce == nil && (len(u.Inputs) == 0 || readers[j] == 1) {
				return true
			}
		}
	}
	return false
}

// identityCopy reports whether t is a fused task that copies its one
// input unchanged (a slice that is the whole block, as the centre of a
// halo): one load through the identity map of an input of one buffer of
// the output's dtype and shape. It becomes an OpAlias, which hands the
// buffer on without a copy.
func identityCopy(g *Graph, idx, lidx *KeyIndex, t *Task) bool {
	if t.Op.Name != OpFused || len(t.Inputs) != 1 || len(t.Outputs) != 1 {
		return false
	}
	p, ok := t.Op.Params.(*FusedParams)
	if !ok || p == nil || p.Prog == nil || len(p.Prog.Instrs) != 1 || p.Prog.Out != 0 || p.Prog.Reduce != nil || len(p.Prog.More) > 0 || len(p.Maps) != 1 {
		return false
	}
	in := &p.Prog.Instrs[0]
	if in.Op != OpLoad || in.Src != 0 || in.Map != 0 || in.DType != t.Outputs[0].DType {
		return false
	}
	var src []Chunk
	if j, ok := idx.Get(t.Inputs[0]); ok {
		src = g.Tasks[j].Outputs
	} else if j, ok := lidx.Get(t.Inputs[0]); ok {
		src = g.Leaves[j].Outputs
	}
	out := t.Outputs[0]
	if len(src) != 1 || src[0].DType != out.DType || !slices.Equal(src[0].Shape, out.Shape) || !slices.Equal(p.Shape, out.Shape) {
		return false
	}
	m := p.Maps[0]
	if len(m) != len(out.Shape) {
		return false
	}
	for a, am := range m {
		if am.Start != 0 || (out.Shape[a] > 1 && (am.Out != a || am.Step != 1)) {
			return false
		}
	}
	return true
}

// readBefore reports whether ins[k] is also one of ins[:k].
func readBefore(ins []Key, k int) bool {
	return slices.Contains(ins[:k], ins[k])
}

func outputsOf(g *Graph, idx, lidx *KeyIndex, k Key) int {
	if j, ok := idx.Get(k); ok {
		return len(g.Tasks[j].Outputs)
	}
	if j, ok := lidx.Get(k); ok {
		return len(g.Leaves[j].Outputs)
	}
	return 1
}

// arena hands out slices from large blocks, so fusing a layer of many
// tasks costs a few allocations, not several per task.
type arena struct {
	maps   []Map
	axes   []AxisMap
	params []FusedParams
	keys   []Key
}

const arenaBlock = 4096

func (a *arena) mapSlice(n int) []Map {
	if cap(a.maps)-len(a.maps) < n {
		a.maps = make([]Map, 0, max(arenaBlock, n))
	}
	s := a.maps[len(a.maps) : len(a.maps)+n : len(a.maps)+n]
	a.maps = a.maps[:len(a.maps)+n]
	return s[:0]
}

func (a *arena) axisSlice(n int) Map {
	if cap(a.axes)-len(a.axes) < n {
		a.axes = make([]AxisMap, 0, max(arenaBlock, n))
	}
	s := a.axes[len(a.axes) : len(a.axes)+n : len(a.axes)+n]
	a.axes = a.axes[:len(a.axes)+n]
	return s
}

func (a *arena) keySlice(n int) []Key {
	if cap(a.keys)-len(a.keys) < n {
		a.keys = make([]Key, 0, max(arenaBlock, n))
	}
	s := a.keys[len(a.keys) : len(a.keys)+n : len(a.keys)+n]
	a.keys = a.keys[:len(a.keys)+n]
	return s[:0]
}

func (a *arena) param() *FusedParams {
	if len(a.params) == 0 {
		a.params = make([]FusedParams, arenaBlock)
	}
	p := &a.params[0]
	a.params = a.params[1:]
	return p
}

// spliced is a memoised Splice result.
type spliced struct {
	prog *Program
	from []MapFrom
}

type inlineKey struct {
	c, p *Program
	src  int
	nsrc int
}

// inline splices producer pp into consumer cp in place of source src (one
// of nsrc flattened sources). The new sources are cp's without src,
// followed by pp's.
func inline(cp *FusedParams, src, nsrc int, pp *FusedParams, memo map[inlineKey]spliced, ar *arena) *FusedParams {
	key := inlineKey{cp.Prog, pp.Prog, src, nsrc}
	sp, have := memo[key]
	if !have {
		sp.prog, sp.from = Splice(cp.Prog, src, pp.Prog, nsrc-1)
		memo[key] = sp
	}
	maps := ar.mapSlice(len(sp.from))
	for _, f := range sp.from {
		if !f.Producer {
			maps = append(maps, cp.Maps[f.Map])
			continue
		}
		pm := pp.Maps[f.Map]
		maps = append(maps, pm.ComposeInto(ar.axisSlice(len(pm)), cp.Maps[f.Load]))
	}
	np := ar.param()
	*np = FusedParams{Prog: sp.prog, Shape: cp.Shape, Maps: maps, ArgMap: cp.ArgMap}
	return np
}
