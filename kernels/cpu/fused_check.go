package cpu

import (
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// checkDst checks that destination k (if there is one: the count is
// checked after) is a host buffer of n elements of dt.
func checkDst(l *kernels.Launch, k int, dt graph.DType, n int) error {
	if k >= len(l.Dst) {
		return nil
	}
	b := int64(n) * int64(dt.Size())
	if l.Dst[k] == nil || l.Dst[k].Len() != b || (b > 0 && l.Dst[k].Bytes() == nil) {
		return fmt.Errorf("fused: destination %d is not a host buffer of %d %v elements", k, n, dt)
	}
	return nil
}

// checkStrided checks a result written at OutStrides: one unreduced
// result, a stride per domain axis, none negative, and every element
// inside destination 0 (a host buffer).
func checkStrided(p *graph.FusedParams, l *kernels.Launch, dt graph.DType, total int) error {
	if len(p.OutStrides) != len(p.Shape) {
		return fmt.Errorf("fused: %d output strides %v for a %d-d domain", len(p.OutStrides), p.OutStrides, len(p.Shape))
	}
	if len(l.Dst) == 0 || l.Dst[0] == nil {
		return fmt.Errorf("fused: no destination for strided output")
	}
	last := 0 // the last element's offset
	for k, st := range p.OutStrides {
		if st < 0 {
			return fmt.Errorf("fused: output strides %v: want none negative", p.OutStrides)
		}
		if total > 0 {
			last += (p.Shape[k] - 1) * st
		}
	}
	if total > 0 && int64(last+1)*int64(dt.Size()) > int64(len(l.Dst[0].Bytes())) {
		return fmt.Errorf("fused: output strides %v over domain %v reach element %d of a destination of %d bytes", p.OutStrides, p.Shape, last, len(l.Dst[0].Bytes()))
	}
	return nil
}

// checkProgram checks everything the interpreter relies on, so that bad
// params are an error and never a panic or a write out of bounds: buffer
// counts and sizes, registers, maps (rank, axes, every access inside its
// target over the whole domain) and the reduce stage.
func checkProgram(p *graph.FusedParams, l *kernels.Launch) error {
	prog := p.Prog
	if len(prog.Instrs) == 0 || int(prog.Out) < 0 || int(prog.Out) >= len(prog.Instrs) {
		return fmt.Errorf("fused: result register %d of %d", prog.Out, len(prog.Instrs))
	}
	d := len(p.Shape)
	total := 1
	for _, s := range p.Shape {
		if s < 0 {
			return fmt.Errorf("fused: domain shape %v", p.Shape)
		}
		total *= s
	}
	if len(l.SrcMeta) != len(l.Src) {
		return fmt.Errorf("fused: %d sources with %d metadata", len(l.Src), len(l.SrcMeta))
	}
	for k, m := range l.SrcMeta {
		if l.Src[k] == nil || l.Src[k].Len() < m.Bytes() {
			return fmt.Errorf("fused: source %d is smaller than its metadata %v", k, m)
		}
	}
	if p.OutStrides != nil && (prog.Reduce != nil || len(prog.More) > 0) {
		return fmt.Errorf("fused: output strides %v for a program with a reduction or several results", p.OutStrides)
	}
	// the destinations' sizes, result by result (nothing here escapes:
	// checkProgram runs once a task)
	nd := 0
	for r := 0; r <= len(prog.More); r++ {
		reg, red := prog.Out, prog.Reduce
		if r > 0 {
			reg, red = prog.More[r-1].Out, prog.More[r-1].Reduce
			if int(reg) < 0 || int(reg) >= len(prog.Instrs) {
				return fmt.Errorf("fused: result %d in register %d of %d", r, reg, len(prog.Instrs))
			}
		}
		odt := prog.Instrs[reg].DType
		if !odt.Valid() {
			return fmt.Errorf("fused: result of dtype %v", odt)
		}
		if red == nil {
			var err error
			if r == 0 && p.OutStrides != nil {
				err = checkStrided(p, l, odt, total)
			} else {
				err = checkDst(l, nd, odt, total)
			}
			if err != nil {
				return err
			}
			nd++
			continue
		}
		for _, ax := range red.Axes {
			if ax < 0 || ax >= d {
				return fmt.Errorf("fused: reduce axis %d of a %d-d domain", ax, d)
			}
		}
		elems := 1 // the partial's: the reduced axes are 1
		for k, s := range p.Shape {
			if !slices.Contains(red.Axes, k) {
				elems *= s
			}
		}
		switch red.Kind {
		case graph.ReduceSum, graph.ReduceProd, graph.ReduceMin, graph.ReduceMax, graph.ReduceAny, graph.ReduceAll, graph.ReduceMoments:
		case graph.ReduceArgMin, graph.ReduceArgMax:
			if r > 0 {
				return fmt.Errorf("fused: %v as result %d (only the first result may keep an index)", red.Kind, r)
			}
			if len(p.ArgMap.Coef) != d && !(d == 0 && p.ArgMap.Coef == nil) {
				return fmt.Errorf("fused: %v with an index map over %d axes of a %d-d domain", red.Kind, len(p.ArgMap.Coef), d)
			}
		default:
			return fmt.Errorf("fused: reduce kind %v", red.Kind)
		}
		dts, nb := red.Kind.PartialLayout(odt)
		for k := 0; k < nb; k++ {
			if err := checkDst(l, nd, dts[k], elems); err != nil {
				return err
			}
			nd++
		}
	}
	if len(l.Dst) != nd {
		return fmt.Errorf("fused: %d destinations, want %d", len(l.Dst), nd)
	}
	for i := range prog.Instrs {
		in := &prog.Instrs[i]
		if !in.DType.Valid() {
			return fmt.Errorf("fused: instruction %d (%v) of dtype %v", i, in.Op, in.DType)
		}
		if !in.Op.Valid() {
			return fmt.Errorf("fused: instruction %d has op %d", i, in.Op)
		}
		var target []int // shape the instruction's map addresses (nil: unchecked)
		switch in.Op {
		case graph.OpLoad:
			if in.Src < 0 || int(in.Src) >= len(l.Src) || in.Map < 0 || int(in.Map) >= len(p.Maps) {
				return fmt.Errorf("fused: load %d reads source %d of %d (map %d of %d)", i, in.Src, len(l.Src), in.Map, len(p.Maps))
			}
			if l.SrcMeta[in.Src].DType != in.DType {
				return fmt.Errorf("fused: load %d of %v source as %v", i, l.SrcMeta[in.Src].DType, in.DType)
			}
			target = l.SrcMeta[in.Src].Shape
		case graph.OpIndex, graph.OpRandom:
			if in.Map < 0 || int(in.Map) >= len(p.Maps) {
				return fmt.Errorf("fused: instruction %d uses map %d of %d", i, in.Map, len(p.Maps))
			}
			if in.Op == graph.OpRandom {
				if in.Imm >= uint64(len(prog.Rands)) {
					return fmt.Errorf("fused: random %d uses stream %d of %d", i, in.Imm, len(prog.Rands))
				}
				target = prog.Rands[in.Imm].Shape
			} else if in.Imm >= uint64(len(p.Maps[in.Map])) {
				return fmt.Errorf("fused: index %d along axis %d of a %d-axis map", i, in.Imm, len(p.Maps[in.Map]))
			}
		}
		if in.Op == graph.OpLoad || in.Op == graph.OpIndex || in.Op == graph.OpRandom {
			if err := p.Maps[in.Map].Check(p.Shape, target, total > 0); err != nil {
				return fmt.Errorf("fused: instruction %d (%v): %w", i, in.Op, err)
			}
		}
		for k, r := range [3]int32{in.A, in.B, in.C} {
			if k < in.Op.Arity() && (r < 0 || int(r) >= i) {
				return fmt.Errorf("fused: instruction %d (%v) reads register %d", i, in.Op, r)
			}
		}
	}
	return nil
}
