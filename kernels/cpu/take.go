package cpu

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// takeKernel runs graph.OpTake: with a = Axis, for every output position
// p along a and every coordinate (o, i) of the axes before and after a:
//
//	dst[o, p, i] = src[Src[p]][o, Idx[p], i]
//
// With Merge = m > 1 the inputs' axes a..a+m-1 are one axis (C order)
// for this purpose. Any dtype (bytes are copied; every input's dtype
// must be the output's).
// Every Src and Idx is checked against the inputs before anything is
// copied.
type takeKernel struct{}

func (takeKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.TakeParams)
	if !ok || p == nil {
		return fmt.Errorf("take: params are %T, want *graph.TakeParams", l.Task.Op.Params)
	}
	out := l.Task.Outputs[0]
	nd := len(out.Shape)
	if p.Axis < 0 || p.Axis >= nd {
		return fmt.Errorf("take: axis %d of a %d-d output", p.Axis, nd)
	}
	np := out.Shape[p.Axis]
	if len(p.Src) != np || len(p.Idx) != np {
		return fmt.Errorf("take: %d sources and %d indices for %d output positions", len(p.Src), len(p.Idx), np)
	}
	es := out.DType.Size()
	outer, inner := 1, es
	for a := 0; a < p.Axis; a++ {
		outer *= out.Shape[a]
	}
	for a := p.Axis + 1; a < nd; a++ {
		inner *= out.Shape[a]
	}
	merge := max(p.Merge, 1)
	lens := make([]int, len(l.Src))
	for i, m := range l.SrcMeta {
		if m.DType != out.DType || len(m.Shape) != nd+merge-1 {
			return fmt.Errorf("take: input %d is %v, output %v (%d axes merged)", i, m, out, merge)
		}
		lens[i] = 1
		for a := range m.Shape {
			switch {
			case a >= p.Axis && a < p.Axis+merge:
				lens[i] *= m.Shape[a]
			case a < p.Axis && m.Shape[a] != out.Shape[a], a >= p.Axis+merge && m.Shape[a] != out.Shape[a-merge+1]:
				return fmt.Errorf("take: input %d is %v, output %v (%d axes merged)", i, m, out, merge)
			}
		}
	}
	for q := range p.Src {
		s, ix := int(p.Src[q]), p.Idx[q]
		if s < 0 || s >= len(l.Src) || ix < 0 || ix >= int64(lens[s]) {
			return fmt.Errorf("take: position %d reads input %d at %d, out of range", q, s, ix)
		}
	}
	dst := l.Dst[0].Bytes()
	srcs := make([][]byte, len(l.Src))
	for i, b := range l.Src {
		srcs[i] = b.Bytes()
	}
	for o := 0; o < outer; o++ {
		drow := dst[o*np*inner:]
		for q := range p.Src {
			s := p.Src[q]
			sl := lens[s]
			off := (o*sl + int(p.Idx[q])) * inner
			copy(drow[q*inner:(q+1)*inner], srcs[s][off:off+inner])
		}
	}
	return nil
}
