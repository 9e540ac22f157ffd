package array

import "github.com/blockwork-dev/blockwork/graph"

// Generators (layers that read nothing: constants, ranges, random
// numbers, and elementwise work on them) are inlined into their readers
// when the reader is built, at the layer level: the reader's program gets
// the generator's instructions in place of its load, and the generator's
// position-dependent instructions address the generator's global
// coordinates through the reader's relation to it (elemLayer.virt). So a
// generator layer that only feeds elementwise layers is never lowered at
// all: Ones(n).Sum() is one fused task per block, not two. Recomputing a
// generator per reader costs less than holding its chunks (the demo's x
// is never materialised). graph.Fuse does the same for the cases left
// (readers that are not elementwise layers of this package).

// Sharing. Inlining pays while a generator is cheap or read once; a
// costly one (random numbers, transcendental maths) read by several
// layers is generated once per reader. So when a computation is lowered,
// a costly generator that two or more elementwise layers read, every
// read block-aligned (same chunks, axes in order: the reductions of one
// random array), is materialised instead: lowered as its own layer, its
// chunks read by the readers, which the scheduler runs close together
// (graph.Order), so a block lives briefly. A generator read any other way
// too (x.T in the demo) stays inlined everywhere: holding it would keep
// blocks alive until their transposed reader ran.

// materialiseShared finds the shared costly generators among the
// visited layers and gives their readers programs that load them; it
// returns the names of the generators materialised (nil: none).
func (b *builder) materialiseShared() map[string]bool {
	readers := map[*node][]*node{}
	unaligned := map[*node]bool{}
	for _, nd := range b.order {
		if nd.raw == nil {
			continue
		}
		seen := map[*node]bool{}
		for _, in := range nd.raw.ins {
			g := in.nd
			if !inlinable(g, in.rels) || !costly(g.elem.prog) {
				continue
			}
			if !aligned(in.rels) || !g.chunks.Equal(nd.raw.domain) {
				unaligned[g] = true
			}
			if !seen[g] {
				seen[g] = true
				readers[g] = append(readers[g], nd)
			}
		}
	}
	keep := map[*node]bool{}
	for g, rs := range readers {
		if len(rs) >= 2 && !unaligned[g] && !siblingReductions(rs) {
			keep[g] = true
		}
	}
	if len(keep) == 0 {
		return nil
	}
	b.override = map[*node]*elemLayer{}
	names := map[string]bool{}
	for g := range keep {
		names[g.name] = true
		for _, nd := range readers[g] {
			if b.override[nd] == nil {
				b.override[nd] = inlineGenerators(nd.raw, keep)
			}
		}
	}
	return names
}

// siblingReductions reports whether the readers rs of one generator are
// reductions of it alone that graph.FuseSiblings will merge into one task
// per block (no index kept, the same pattern of reduced and kept
// neighbouring axes), where the generator inlined is drawn once for all
// of them: cheaper than materialising it.
func siblingReductions(rs []*node) bool {
	var pat []bool
	for i, nd := range rs {
		l := nd.raw
		if l == nil || len(l.ins) != 1 || l.prog.Reduce == nil {
			return false
		}
		switch l.prog.Reduce.Kind {
		case graph.ReduceArgMin, graph.ReduceArgMax:
			return false
		}
		red := make([]bool, len(l.domain))
		for _, a := range l.prog.Reduce.Axes {
			red[a] = true
		}
		for a := 1; a < len(red); a++ {
			same := red[a-1] == red[a]
			if i == 0 {
				pat = append(pat, same)
			} else if pat[a-1] != same {
				return false
			}
		}
	}
	return true
}

// aligned reports whether rels read the input block for block, axes in
// order.
func aligned(rels []axisRel) bool {
	for a, r := range rels {
		if r.kind != relSame || r.out != a {
			return false
		}
	}
	return true
}

// costly reports whether a generator's program costs more per element
// than loading it would: random numbers or transcendental functions.
func costly(p *graph.Program) bool {
	for _, in := range p.Instrs {
		switch in.Op {
		case graph.OpRandom, graph.OpExp, graph.OpLog, graph.OpSin, graph.OpCos, graph.OpTanh, graph.OpPow,
			graph.OpLog1p, graph.OpExpm1, graph.OpLog2, graph.OpLog10, graph.OpTan, graph.OpAsin, graph.OpAcos,
			graph.OpAtan, graph.OpSinh, graph.OpCosh, graph.OpAsinh, graph.OpAcosh, graph.OpAtanh:
			return true
		}
	}
	return false
}

// inputNodes are the input layers of l.
func inputNodes(l *elemLayer) []*node {
	out := make([]*node, len(l.ins))
	for i, in := range l.ins {
		out[i] = in.nd
	}
	return out
}

// inlinable reports whether a reader can absorb layer nd through rels.
func inlinable(nd *node, rels []axisRel) bool {
	l := nd.elem
	if l == nil || len(l.ins) != 0 || l.prog.Reduce != nil || nd.nout != 1 {
		return false
	}
	// composing a sliced relation with another is not done here
	for _, v := range l.virt {
		for _, r := range v.rels {
			if r.kind == relSlice {
				for _, r2 := range rels {
					if r2.kind != relSame {
						return false
					}
				}
			}
		}
	}
	return true
}

// composeRels relates virt's axes to the reader's, given virt's relation
// to a generator's axes (inner) and the generator's to the reader (outer).
func composeRels(inner, outer []axisRel) []axisRel {
	out := make([]axisRel, len(inner))
	for a, r := range inner {
		switch r.kind {
		case relSame:
			out[a] = outer[r.out]
		default: // fixed and broadcast stay; slices only meet relSame outers
			if r.kind == relSlice {
				o := outer[r.out]
				out[a] = axisRel{kind: relSlice, out: o.out, parts: r.parts}
			} else {
				out[a] = r
			}
		}
	}
	return out
}

// inlineGenerators returns l with every inlinable generator input spliced
// into its program, except those in keep.
func inlineGenerators(l *elemLayer, keep map[*node]bool) *elemLayer {
	for {
		k := -1
		for i, in := range l.ins {
			if !keep[in.nd] && inlinable(in.nd, in.rels) {
				k = i
				break
			}
		}
		if k < 0 {
			return l
		}
		l = spliceGenerator(l, k)
	}
}

// spliceGenerator inlines input k (a generator with one output buffer).
func spliceGenerator(l *elemLayer, k int) *elemLayer {
	gen := l.ins[k].nd
	gl := gen.elem
	rels := l.ins[k].rels
	// flattened source index of input k, and the source count
	src := 0
	for i := 0; i < k; i++ {
		src += l.ins[i].nd.nout
	}
	nl := &elemLayer{domain: l.domain, argAxis: l.argAxis, virt: append([]elemInput(nil), l.virt...)}
	nl.ins = append(append([]elemInput(nil), l.ins[:k]...), l.ins[k+1:]...)
	// the generator's own coordinates and its virtual inputs, seen from here
	ownVirt := -1
	genVirt := make([]int, len(gl.virt))
	for v := range genVirt {
		genVirt[v] = -1
	}
	slotOf := func(gs int) int {
		if gs == -1 {
			if ownVirt < 0 {
				nl.virt = append(nl.virt, elemInput{nd: gen, rels: rels})
				ownVirt = len(nl.virt) - 1
			}
			return -2 - ownVirt
		}
		v := -2 - gs
		if genVirt[v] < 0 {
			nl.virt = append(nl.virt, elemInput{nd: gl.virt[v].nd, rels: composeRels(gl.virt[v].rels, rels)})
			genVirt[v] = len(nl.virt) - 1
		}
		return -2 - genVirt[v]
	}
	prog, from := graph.Splice(l.prog, src, gl.prog, 0) // a generator has no loads
	for _, f := range from {
		switch {
		case f.Producer:
			nl.slots = append(nl.slots, slotOf(gl.slots[f.Map]))
		case l.slots[f.Map] > k:
			nl.slots = append(nl.slots, l.slots[f.Map]-1) // a later input moved down
		default:
			nl.slots = append(nl.slots, l.slots[f.Map])
		}
	}
	nl.prog = prog
	return nl
}
