package cpu

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// patchKernel runs graph.OpPatch: Dst[0] = Src[0], then for every
// coordinate j of Src[1] (C order, so later elements win):
//
//	dst[Pos[0][j0], Pos[1][j1], ...] = src1[j0, j1, ...]
//
// Any dtype (bytes; all three have the output's dtype). Positions are
// checked before anything is written.
type patchKernel struct{}

func (patchKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.PatchParams)
	if !ok || p == nil {
		return fmt.Errorf("patch: params are %T, want *graph.PatchParams", l.Task.Op.Params)
	}
	out := l.Task.Outputs[0]
	nd := len(out.Shape)
	if len(l.Src) != 2 || len(p.Pos) != nd {
		return fmt.Errorf("patch: %d inputs and %d position lists for a %d-d output", len(l.Src), len(p.Pos), nd)
	}
	x, v := l.SrcMeta[0], l.SrcMeta[1]
	if x.DType != out.DType || v.DType != out.DType || len(x.Shape) != nd || len(v.Shape) != nd || x.Size() != out.Size() {
		return fmt.Errorf("patch: inputs %v and %v for output %v", x, v, out)
	}
	for a := 0; a < nd; a++ {
		if len(p.Pos[a]) != v.Shape[a] {
			return fmt.Errorf("patch: %d positions on axis %d for values %v", len(p.Pos[a]), a, v)
		}
		for _, q := range p.Pos[a] {
			if q < 0 || q >= out.Shape[a] {
				return fmt.Errorf("patch: position %d outside axis %d of %v", q, a, out)
			}
		}
	}
	es := out.DType.Size()
	dst := l.Dst[0].Bytes()
	if src := l.Src[0].Bytes(); len(src) > 0 && len(dst) > 0 && &src[0] != &dst[0] {
		copy(dst, src)
	}
	if v.Size() == 0 {
		return nil
	}
	vals := l.Src[1].Bytes()
	str := graph.Strides(out.Shape)
	// odometer over all axes but the last; the last is the inner loop
	j := make([]int, nd)
	last := nd - 1
	k := 0
	for {
		base := 0
		for a := 0; a < last; a++ {
			base += p.Pos[a][j[a]] * str[a]
		}
		if nd == 0 {
			copy(dst[:es], vals[:es])
			return nil
		}
		for _, q := range p.Pos[last] {
			o := (base + q) * es
			copy(dst[o:o+es], vals[k*es:(k+1)*es])
			k++
		}
		a := last - 1
		for ; a >= 0; a-- {
			j[a]++
			if j[a] < v.Shape[a] {
				break
			}
			j[a] = 0
		}
		if a < 0 {
			return nil
		}
	}
}
