package graph

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
)

// maxSiblings bounds the results of one merged program.
const maxSiblings = 16

// FuseSiblings returns g with fused reductions that read the same blocks
// merged into one task that computes all of them in one pass over those
// blocks (a Program with More results): x.Mean(0), x.Std(0) and x.Max(1)
// then read each block of x once instead of three times, and when x is
// drawn (random numbers fused into the reductions) draw it once. Tasks are
// siblings when they are OpFused with a reduce stage (not ArgMin or
// ArgMax), run over domains of one shape, and read the same input keys in
// the same order, or, reading none, draw the same random stream through
// the same map. Each merged task keeps its key, as an OpPick of its
// buffers from the merged task, so readers see no difference. The merged
// task runs on the CPU (the kernel that knows More); its programs are
// shared by every block of a layer, as Fuse's are.
func FuseSiblings(g *Graph) *Graph {
	type sig struct {
		first Key
		n     int
		h     uint64
	}
	groups := map[sig][]int{}
	var order []sig
	for i := range g.Tasks {
		t := &g.Tasks[i]
		s, ok := siblingSig(t)
		if !ok {
			continue
		}
		k := sig{n: len(t.Inputs), h: s}
		if len(t.Inputs) > 0 {
			k.first = t.Inputs[0]
		}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	// split each hash group into groups of exactly equal members
	var merged [][]int
	for _, k := range order {
		idx := groups[k]
		for len(idx) > 1 {
			var same, rest []int
			for _, i := range idx {
				if len(same) < maxSiblings && siblings(&g.Tasks[idx[0]], &g.Tasks[i]) {
					same = append(same, i)
				} else {
					rest = append(rest, i)
				}
			}
			if len(same) > 1 {
				merged = append(merged, same)
			}
			idx = rest
		}
	}
	if len(merged) == 0 {
		return g
	}
	type pick struct {
		group, first int
	}
	picks := make(map[int]pick, 2*len(merged))
	lead := make(map[int]int, len(merged)) // first member -> group
	for gi, grp := range merged {
		first := 0
		for _, i := range grp {
			picks[i] = pick{gi, first}
			first += len(g.Tasks[i].Outputs)
		}
		lead[slices.Min(grp)] = gi
	}
	out := &Graph{Leaves: g.Leaves, Tasks: make([]Task, 0, len(g.Tasks)+len(merged))}
	out.lidx.Store(g.lidx.Load())
	memo := map[string]*Program{}
	keys := make([]Key, len(merged))
	for i := range g.Tasks {
		if gi, ok := lead[i]; ok {
			m := mergeSiblings(g, merged[gi], memo)
			keys[gi] = m.Key
			out.Tasks = append(out.Tasks, m)
		}
		t := g.Tasks[i]
		if pk, ok := picks[i]; ok {
			t.Op = Op{Name: OpPick, Params: PickParams{First: pk.first}}
			t.Inputs = []Key{keys[pk.group]}
			t.Devices = DeviceKinds(CPU)
		}
		out.Tasks = append(out.Tasks, t)
	}
	return out
}

// siblingSig is a hash of what makes t a sibling of another task (its
// domain, its inputs, its leaf, the shape of its reduction), and whether
// t may be merged at all.
func siblingSig(t *Task) (uint64, bool) {
	if t.Op.Name != OpFused || !t.Devices.Has(CPU) {
		return 0, false
	}
	p, ok := t.Op.Params.(*FusedParams)
	if !ok || p == nil || p.Prog == nil || p.Prog.Reduce == nil || len(p.Prog.More) > 0 {
		return 0, false
	}
	switch p.Prog.Reduce.Kind {
	case ReduceArgMin, ReduceArgMax, ReduceNone:
		return 0, false
	}
	lf := oneLeaf(p)
	if lf < 0 {
		return 0, false
	}
	in := &p.Prog.Instrs[lf]
	if len(t.Inputs) == 0 && in.Op != OpRandom {
		return 0, false // nothing read or drawn: nothing to share
	}
	h := fnv.New64a()
	var b [8]byte
	w := func(v uint64) { binary.LittleEndian.PutUint64(b[:], v); h.Write(b[:]) }
	for _, s := range p.Shape {
		w(uint64(s))
	}
	w(reducePattern(p))
	for _, k := range t.Inputs {
		h.Write([]byte(k.Layer))
		w(uint64(k.Block))
	}
	w(uint64(in.Op)<<32 | uint64(uint32(in.Src)))
	if in.Op == OpRandom {
		rs := &p.Prog.Rands[in.Imm]
		w(uint64(rs.Kind))
		w(rs.Seed)
		w(rs.Stream)
	}
	for _, am := range p.Maps[in.Map] {
		w(uint64(am.Out))
		w(uint64(am.Start))
		w(uint64(am.Step))
	}
	return h.Sum64(), true
}

// oneLeaf returns the first position-dependent instruction of p's
// program when every one of them reads through the same map the same
// source (loads) or random array (draws, of one shape), else -1. Only
// then does a merged program iterate each result's domain exactly as the
// result's own program would (the CPU kernel merges neighbouring axes
// that every access walks contiguously), so merging changes no bits.
func oneLeaf(p *FusedParams) int {
	first := -1
	for i := range p.Prog.Instrs {
		in := &p.Prog.Instrs[i]
		switch in.Op {
		case OpLoad, OpIndex, OpRandom:
		default:
			continue
		}
		if int(in.Map) < 0 || int(in.Map) >= len(p.Maps) || (in.Op == OpRandom && in.Imm >= uint64(len(p.Prog.Rands))) {
			return -1
		}
		if first < 0 {
			if in.Op == OpIndex {
				return -1
			}
			first = i
			continue
		}
		if !sameLeaf(p, &p.Prog.Instrs[first], p, in) {
			return -1
		}
	}
	return first
}

// sameLeaf reports whether a (of program pa) and b (of pb) address the
// same elements: a load of one source, or a draw from an array of one
// shape, through equal maps.
func sameLeaf(pa *FusedParams, a *Instr, pb *FusedParams, b *Instr) bool {
	if a.Op != b.Op || !slices.Equal(pa.Maps[a.Map], pb.Maps[b.Map]) {
		return false
	}
	if a.Op == OpLoad {
		return a.Src == b.Src
	}
	return slices.Equal(pa.Prog.Rands[a.Imm].Shape, pb.Prog.Rands[b.Imm].Shape)
}

// reducePattern has bit k set when the k-th and (k+1)-th axes of size
// above 1 of p's domain are both reduced or both kept: the neighbours the
// kernel may merge into one axis.
func reducePattern(p *FusedParams) uint64 {
	var red [64]bool
	for _, a := range p.Prog.Reduce.Axes {
		if a >= 0 && a < len(red) {
			red[a] = true
		}
	}
	var bits uint64
	prev, k := -1, 0
	for a, s := range p.Shape {
		if s == 1 || a >= len(red) {
			continue
		}
		if prev >= 0 {
			if red[prev] == red[a] {
				bits |= 1 << (k % 64)
			}
			k++
		}
		prev = a
	}
	return bits
}

// siblings reports whether b may join a's merged task (exactly, behind
// the hash): the same domain, inputs, leaf and reduction pattern, and
// with no inputs an equal random stream.
func siblings(a, b *Task) bool {
	if a == b {
		return true
	}
	pa, pb := a.Op.Params.(*FusedParams), b.Op.Params.(*FusedParams)
	if !slices.Equal(pa.Shape, pb.Shape) || !slices.Equal(a.Inputs, b.Inputs) || reducePattern(pa) != reducePattern(pb) {
		return false
	}
	ia, ib := &pa.Prog.Instrs[oneLeaf(pa)], &pb.Prog.Instrs[oneLeaf(pb)]
	if !sameLeaf(pa, ia, pb, ib) || ia.DType != ib.DType {
		return false
	}
	if ia.Op != OpRandom {
		return true
	}
	sa, sb := &pa.Prog.Rands[ia.Imm], &pb.Prog.Rands[ib.Imm]
	return sa.Kind == sb.Kind && sa.Seed == sb.Seed && sa.Stream == sb.Stream && sa.Low == sb.Low && sa.High == sb.High
}

// mergeSiblings makes the task computing every result of the tasks grp
// of g (siblings) in one program.
func mergeSiblings(g *Graph, grp []int, memo map[string]*Program) Task {
	h := fnv.New64a()
	var mk []byte
	var maps []Map
	var outs []Chunk
	dev := DeviceKinds(CPU)
	for _, i := range grp {
		t := &g.Tasks[i]
		p := t.Op.Params.(*FusedParams)
		h.Write([]byte(t.Key.Layer))
		h.Write([]byte{0})
		mk = fmt.Appendf(mk, "%p/%d,", p.Prog, len(p.Maps))
		maps = append(maps, p.Maps...)
		outs = append(outs, t.Outputs...)
		dev &= t.Devices
	}
	prog, ok := memo[string(mk)]
	if !ok {
		prog = &Program{}
		mbase := int32(0) // the member's first map in the merged list
		for k, i := range grp {
			p := g.Tasks[i].Op.Params.(*FusedParams)
			q := p.Prog
			base := appendProgram(prog, q, mbase, nil)
			mbase += int32(len(p.Maps))
			if k == 0 {
				prog.Out, prog.Reduce = q.Out+base, q.Reduce
			} else {
				prog.More = append(prog.More, Result{Out: q.Out + base, Reduce: q.Reduce})
			}
		}
		memo[string(mk)] = prog
	}
	t0 := &g.Tasks[grp[0]]
	p0 := t0.Op.Params.(*FusedParams)
	return Task{
		Key:     Key{Layer: "siblings-" + strconv.FormatUint(h.Sum64(), 16), Block: t0.Key.Block},
		Op:      Op{Name: OpFused, Params: &FusedParams{Prog: prog, Shape: p0.Shape, Maps: maps}},
		Inputs:  t0.Inputs,
		Outputs: outs,
		Devices: dev,
	}
}

// appendProgram appends q's instructions and random streams to prog,
// renumbered to follow what prog holds: registers by prog's instruction
// count, maps by mbase (the member's first map in the merged list), draws
// by prog's stream count, and, when srcs is not nil, each load's source
// buffer s to srcs[s]. It returns the register q's first instruction
// became (q's results are base + Out).
func appendProgram(prog, q *Program, mbase int32, srcs []int32) int32 {
	base := int32(len(prog.Instrs))
	rbase := uint64(len(prog.Rands))
	for _, in := range q.Instrs {
		ar := in.Op.Arity()
		if ar >= 1 {
			in.A += base
		}
		if ar >= 2 {
			in.B += base
		}
		if ar >= 3 {
			in.C += base
		}
		switch in.Op {
		case OpLoad:
			in.Map += mbase
			if srcs != nil {
				in.Src = srcs[in.Src]
			}
		case OpIndex:
			in.Map += mbase
		case OpRandom:
			in.Map += mbase
			in.Imm += rbase
		}
		prog.Instrs = append(prog.Instrs, in)
	}
	prog.Rands = append(prog.Rands, q.Rands...)
	return base
}
