package cuda

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
)

// Geometry packs what a rendered fused kernel reads of one task: the
// domain's shape; for each leaf (Load, Index, Random, in instruction
// order) the affine offset base + sum(coef[a]*c[a]) over the domain
// coordinates c (Load: the element offset in its source of shape
// srcShapes[Src]; Index: the coordinate itself; Random: the flat C-order
// index in the generated array); the output's offset (C order, 0 on
// reduced axes); and for argmin/argmax the global index kept. It checks
// that every access stays inside its target (the kernel does not), and
// returns the number of work items to launch (domain elements, or output
// elements with a reduction).
func Geometry(p *graph.FusedParams, srcShapes [][]int) (geom []int64, items int64, err error) {
	prog := p.Prog
	if p.OutStrides != nil {
		return nil, 0, fmt.Errorf("cuda: fused task with output strides %v (the CPU kernel's in-place output)", p.OutStrides)
	}
	if err := checkRenderable(prog, len(p.Shape)); err != nil {
		return nil, 0, err
	}
	nd := len(p.Shape)
	total := int64(1)
	for _, s := range p.Shape {
		if s < 0 {
			return nil, 0, fmt.Errorf("cuda: fused domain %v", p.Shape)
		}
		total *= int64(s)
	}
	for _, s := range p.Shape {
		geom = append(geom, int64(s))
	}
	affine := func(a graph.Affine) {
		geom = append(geom, int64(a.Base))
		for o := 0; o < nd; o++ {
			c := 0
			if o < len(a.Coef) {
				c = a.Coef[o]
			}
			geom = append(geom, int64(c))
		}
	}
	for i, in := range prog.Instrs {
		if !isLeaf(in.Op) {
			continue
		}
		if in.Map < 0 || int(in.Map) >= len(p.Maps) {
			return nil, 0, fmt.Errorf("cuda: fused instruction %d uses map %d of %d", i, in.Map, len(p.Maps))
		}
		m := p.Maps[in.Map]
		var target []int
		switch in.Op {
		case graph.OpLoad:
			if int(in.Src) >= len(srcShapes) {
				return nil, 0, fmt.Errorf("cuda: fused load %d reads source %d of %d", i, in.Src, len(srcShapes))
			}
			target = srcShapes[in.Src]
		case graph.OpRandom:
			if in.Imm >= uint64(len(prog.Rands)) {
				return nil, 0, fmt.Errorf("cuda: fused random %d uses stream %d of %d", i, in.Imm, len(prog.Rands))
			}
			target = prog.Rands[in.Imm].Shape
		}
		if err := m.Check(p.Shape, target, total > 0); err != nil {
			return nil, 0, fmt.Errorf("cuda: fused instruction %d (%v): %w", i, in.Op, err)
		}
		if in.Op == graph.OpIndex {
			if in.Imm >= uint64(len(m)) {
				return nil, 0, fmt.Errorf("cuda: fused index %d along axis %d of a %d-axis map", i, in.Imm, len(m))
			}
			am := m[in.Imm]
			a := graph.Affine{Base: am.Start, Coef: make([]int, nd)}
			if am.Out >= 0 {
				a.Coef[am.Out] = am.Step
			}
			affine(a)
			continue
		}
		affine(graph.AffineOf(m, graph.Strides(target), nd))
	}
	shape := append([]int(nil), p.Shape...)
	items = total
	if red := prog.Reduce; red != nil {
		for _, a := range red.Axes {
			shape[a] = 1
		}
		items = 1
		for _, s := range shape {
			items *= int64(s)
		}
		if total == 0 {
			items = 0 // nothing to fold: the executor fills the identities
		}
	}
	out := graph.Affine{Coef: graph.Strides(shape)}
	if red := prog.Reduce; red != nil {
		for _, a := range red.Axes {
			out.Coef[a] = 0
		}
	}
	affine(out)
	if red := prog.Reduce; red != nil && (red.Kind == graph.ReduceArgMin || red.Kind == graph.ReduceArgMax) {
		if len(p.ArgMap.Coef) != nd && !(nd == 0 && p.ArgMap.Coef == nil) {
			return nil, 0, fmt.Errorf("cuda: %v with an index map over %d axes of a %d-d domain", red.Kind, len(p.ArgMap.Coef), nd)
		}
		affine(p.ArgMap)
	}
	return geom, items, nil
}
