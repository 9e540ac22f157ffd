package graph

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// FusePairs returns g with pairs of fused reductions that read the same
// two-dimensional data, one transposed, merged into one task: block (i, j)
// of (x + x.T).sum() reads x(i,j) and x(j,i), and so does block (j, i),
// so apart they read every block of x twice. The merged task iterates the
// first member's domain and the second's transposed (its maps swap the two
// domain axes, and so do its reduction axes), so at each point the two
// members address the same elements, which the kernel then loads (or
// draws) once. Tasks pair when both are OpFused over a two-dimensional
// domain, one of them the other's shape reversed, in the same layer, with
// a reduce stage over at least one axis (not ArgMin or ArgMax) and no
// More, and the leaves that walk both domain axes (loads of input
// buffers, random draws) of one, transposed, are those of the other. Each
// member keeps its key, as an OpPick of its buffers from the merged task.
// The first member's results have the same bits as before; the second's
// are folded in another order (sums may differ in the last bits, and an
// extreme that ties -0 with +0 in its sign).
// The merged task runs on the CPU, as FuseSiblings' do. Blocks on the
// diagonal (i, i) pair with no other and are left as they are.
func FusePairs(g *Graph) *Graph {
	type cand struct {
		sig, sigT string
	}
	// most graphs have no task that may pair: cheap checks first
	var maybe []int
	for i := range g.Tasks {
		if pairShape(&g.Tasks[i]) {
			maybe = append(maybe, i)
		}
	}
	if len(maybe) < 2 {
		return g
	}
	// the buffers of each key, which a load's Src counts
	nbuf := make(map[Key]int, len(g.Leaves)+len(g.Tasks))
	for i := range g.Leaves {
		nbuf[g.Leaves[i].Key] = len(g.Leaves[i].Outputs)
	}
	for i := range g.Tasks {
		nbuf[g.Tasks[i].Key] = len(g.Tasks[i].Outputs)
	}
	cands := make(map[int]cand)
	bySig := map[string][]int{}
	for _, i := range maybe {
		t := &g.Tasks[i]
		s, sT, ok := pairSigs(t, nbuf)
		if !ok {
			continue
		}
		cands[i] = cand{s, sT}
		bySig[s] = append(bySig[s], i)
	}
	if len(cands) < 2 {
		return g
	}
	partner := map[int]int{} // first member -> second
	paired := map[int]bool{}
	for i := range g.Tasks {
		c, ok := cands[i]
		if !ok || paired[i] {
			continue
		}
		for _, j := range bySig[c.sigT] {
			if j == i || paired[j] || !pairable(&g.Tasks[i], &g.Tasks[j]) {
				continue
			}
			partner[i] = j
			paired[i], paired[j] = true, true
			break
		}
	}
	if len(partner) == 0 {
		return g
	}
	out := &Graph{Leaves: g.Leaves, Tasks: make([]Task, 0, len(g.Tasks)+len(partner))}
	out.lidx.Store(g.lidx.Load())
	memo := map[string]*Program{}
	// each merged task goes where its first member was, the members
	// becoming picks of it in their places
	second := make(map[int]pickOf, len(partner))
	for i := range g.Tasks {
		t := g.Tasks[i]
		if j, ok := partner[i]; ok {
			m := mergePair(&g.Tasks[i], &g.Tasks[j], nbuf, memo)
			out.Tasks = append(out.Tasks, m)
			second[j] = pickOf{m.Key, len(t.Outputs)}
			t.Op = Op{Name: OpPick, Params: PickParams{First: 0}}
			t.Inputs, t.Devices = []Key{m.Key}, DeviceKinds(CPU)
		} else if p, ok := second[i]; ok {
			t.Op = Op{Name: OpPick, Params: PickParams{First: p.first}}
			t.Inputs, t.Devices = []Key{p.key}, DeviceKinds(CPU)
		}
		out.Tasks = append(out.Tasks, t)
	}
	return out
}

type pickOf struct {
	key   Key
	first int
}

// pairSigs returns the leaves of t that walk both axes of its domain, as
// they are and with the two axes swapped (each a canonical string), and
// whether t may pair at all.
func pairSigs(t *Task, nbuf map[Key]int) (sig, sigT string, ok bool) {
	if !pairShape(t) {
		return "", "", false
	}
	p := t.Op.Params.(*FusedParams)
	bufs, ok := bufferKeys(t, nbuf)
	if !ok {
		return "", "", false
	}
	var leaves, leavesT []string
	for i := range p.Prog.Instrs {
		in := &p.Prog.Instrs[i]
		var what string
		switch in.Op {
		case OpLoad:
			if int(in.Src) < 0 || int(in.Src) >= len(bufs) {
				return "", "", false
			}
			b := bufs[in.Src]
			what = "L" + b.key.Layer + "#" + strconv.FormatInt(b.key.Block, 10) + "/" + strconv.Itoa(b.buf)
		case OpRandom:
			if in.Imm >= uint64(len(p.Prog.Rands)) {
				return "", "", false
			}
			rs := &p.Prog.Rands[in.Imm]
			what = fmt.Sprintf("R%d/%d/%d/%d/%d/%v/%v", rs.Kind, rs.Seed, rs.Stream, rs.Low, rs.High, rs.Shape, in.DType)
		case OpIndex:
			if int(in.Map) < 0 || int(in.Map) >= len(p.Maps) {
				return "", "", false
			}
			continue
		default:
			continue
		}
		if int(in.Map) < 0 || int(in.Map) >= len(p.Maps) {
			return "", "", false
		}
		m := p.Maps[in.Map]
		var axes [2]bool
		for _, am := range m {
			if am.Out < -1 || am.Out > 1 {
				return "", "", false
			}
			if am.Out >= 0 && am.Step != 0 {
				axes[am.Out] = true
			}
		}
		if !axes[0] || !axes[1] {
			continue
		}
		leaves = append(leaves, what+mapString(m, false))
		leavesT = append(leavesT, what+mapString(m, true))
	}
	if len(leaves) == 0 {
		return "", "", false
	}
	slices.Sort(leaves)
	slices.Sort(leavesT)
	return strings.Join(leaves, "|"), strings.Join(leavesT, "|"), true
}

// bufRef is one input buffer of a task: its key and which of the key's
// buffers.
type bufRef struct {
	key Key
	buf int
}

// bufferKeys returns t's input buffers in order (a load's Src indexes
// them), and false when a key's buffer count is unknown.
func bufferKeys(t *Task, nbuf map[Key]int) ([]bufRef, bool) {
	var out []bufRef
	for _, k := range t.Inputs {
		n, ok := nbuf[k]
		if !ok {
			return nil, false
		}
		for b := range n {
			out = append(out, bufRef{k, b})
		}
	}
	return out, true
}

// pairShape reports whether t is a task FusePairs may pair, leaves
// aside: a fused task on the CPU over a two-dimensional domain with one
// result, reduced over at least one axis (so it keeps at most one of the
// two, and its partials are laid out alike over either domain) and not
// to an index.
func pairShape(t *Task) bool {
	if t.Op.Name != OpFused || !t.Devices.Has(CPU) {
		return false
	}
	p, ok := t.Op.Params.(*FusedParams)
	if !ok || p == nil || p.Prog == nil || p.Prog.Reduce == nil || len(p.Prog.Reduce.Axes) == 0 || len(p.Prog.More) > 0 || len(p.Shape) != 2 {
		return false
	}
	switch p.Prog.Reduce.Kind {
	case ReduceArgMin, ReduceArgMax, ReduceNone:
		return false
	}
	return true
}

// mapString renders m, with domain axes 0 and 1 swapped when swap.
func mapString(m Map, swap bool) string {
	var b strings.Builder
	for _, am := range m {
		o := am.Out
		if swap && o >= 0 {
			o = 1 - o
		}
		fmt.Fprintf(&b, "(%d,%d,%d)", o, am.Start, am.Step)
	}
	return b.String()
}

// pairable reports whether b may be merged behind a (their leaves are
// known to match): one layer, and b's domain a's reversed.
func pairable(a, b *Task) bool {
	pa, pb := a.Op.Params.(*FusedParams), b.Op.Params.(*FusedParams)
	return a.Key.Layer == b.Key.Layer && pa.Shape[0] == pb.Shape[1] && pa.Shape[1] == pb.Shape[0]
}

// swapMap returns m with domain axes 0 and 1 swapped: m composed with the
// transposition of a two-dimensional domain.
func swapMap(m Map) Map {
	out := make(Map, len(m))
	for k, am := range m {
		if am.Out >= 0 {
			am.Out = 1 - am.Out
		}
		out[k] = am
	}
	return out
}

// mergePair makes the task computing a's and b's results in one program
// over a's domain, b's transposed (FusePairs).
func mergePair(a, b *Task, nbuf map[Key]int, memo map[string]*Program) Task {
	pa, pb := a.Op.Params.(*FusedParams), b.Op.Params.(*FusedParams)
	inputs := slices.Clone(a.Inputs)
	for _, key := range b.Inputs {
		if !slices.Contains(inputs, key) {
			inputs = append(inputs, key)
		}
	}
	// remap[s]: the merged task's buffer that is b's buffer s
	first := make(map[Key]int32, len(inputs))
	var at int32
	for _, key := range inputs {
		first[key] = at
		at += int32(nbuf[key])
	}
	var remap []int32
	for _, key := range b.Inputs {
		for k := range nbuf[key] {
			remap = append(remap, first[key]+int32(k))
		}
	}
	mk := fmt.Sprintf("%p/%d/%p/%d/%v", pa.Prog, len(pa.Maps), pb.Prog, len(pb.Maps), remap)
	prog, ok := memo[mk]
	if !ok {
		qa, qb := pa.Prog, pb.Prog
		prog = &Program{
			Instrs: slices.Clone(qa.Instrs),
			Rands:  slices.Clone(qa.Rands),
			Out:    qa.Out,
			Reduce: qa.Reduce,
		}
		base := appendProgram(prog, qb, int32(len(pa.Maps)), remap)
		red := &Reduce{Kind: qb.Reduce.Kind}
		for _, ax := range qb.Reduce.Axes {
			red.Axes = append(red.Axes, 1-ax)
		}
		slices.Sort(red.Axes)
		prog.More = []Result{{Out: qb.Out + base, Reduce: red}}
		memo[mk] = prog
	}
	maps := slices.Clone(pa.Maps)
	for _, m := range pb.Maps {
		maps = append(maps, swapMap(m))
	}
	h := fnv.New64a()
	h.Write([]byte(a.Key.Layer))
	fmt.Fprintf(h, "/%v", remap)
	return Task{
		Key:     Key{Layer: "pairs-" + strconv.FormatUint(h.Sum64(), 16), Block: a.Key.Block},
		Op:      Op{Name: OpFused, Params: &FusedParams{Prog: prog, Shape: slices.Clone(pa.Shape), Maps: maps}},
		Inputs:  inputs,
		Outputs: append(slices.Clone(a.Outputs), b.Outputs...),
		Devices: DeviceKinds(CPU) & a.Devices & b.Devices,
	}
}
