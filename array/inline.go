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
// into its program.
func inlineGenerators(l *elemLayer) *elemLayer {
	for {
		k := -1
		for i, in := range l.ins {
			if inlinable(in.nd, in.rels) {
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
