package cpu

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// pickKernel runs graph.OpPick: it copies buffers [First, First+len(Dst))
// of its one input (a several-result fused task's partials: small) into
// its outputs.
type pickKernel struct{}

func (pickKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(graph.PickParams)
	if !ok {
		return fmt.Errorf("pick: params are %T, want graph.PickParams", l.Task.Op.Params)
	}
	if len(l.Task.Inputs) != 1 || len(l.SrcMeta) != len(l.Src) {
		return fmt.Errorf("pick: %d inputs (%d buffers, %d metadata), want one input", len(l.Task.Inputs), len(l.Src), len(l.SrcMeta))
	}
	if p.First < 0 || p.First+len(l.Dst) > len(l.Src) || len(l.Dst) != len(l.Task.Outputs) {
		return fmt.Errorf("pick: buffers [%d, %d) of an input of %d", p.First, p.First+len(l.Dst), len(l.Src))
	}
	for k, d := range l.Dst {
		s, m, want := l.Src[p.First+k], l.SrcMeta[p.First+k], l.Task.Outputs[k]
		if m.DType != want.DType || m.Bytes() != want.Bytes() || d == nil || s == nil || d.Len() != want.Bytes() || s.Len() < m.Bytes() {
			return fmt.Errorf("pick: input buffer %d is %v, output %d wants %v", p.First+k, m, k, want)
		}
		copy(d.Bytes(), s.Bytes()[:m.Bytes()])
	}
	return nil
}
