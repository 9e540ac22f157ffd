package cpu

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// assembleKernel runs graph.OpAssemble (rechunk, concatenate): for each
// Piece p in order it copies the N-d region of shape p.Shape at p.SrcStart
// of input p.Src (the single buffer l.Src[p.Src], shape
// l.SrcMeta[p.Src].Shape) to p.DstStart of Dst[0]. As a loop, for every
// coordinate c inside p.Shape:
//
//	dst[DstStart+c] = src[p.Src][SrcStart+c]
//
// Any dtype: elements are copied as bytes, the source's dtype must equal
// the output's. Axes that a piece covers entirely in both source and
// destination are merged into the innermost run, and each run is one
// copy(). 0-d pieces copy one element; pieces with a zero extent copy
// nothing. Elements of Dst[0] that no piece covers are left as they are
// (lowering always covers the whole output). Every piece is checked
// against the bounds before any is copied, so an error leaves Dst[0]
// untouched. Pieces are copied in order; if Dst[0] is exactly a source,
// later pieces read what earlier ones wrote.
type assembleKernel struct{}

func (assembleKernel) Run(l *kernels.Launch) error {
	pieces, err := assembleCheck(l)
	if err != nil {
		return err
	}
	out := l.Task.Outputs[0]
	es := out.DType.Size()
	dst := l.Dst[0].Bytes()
	dstr := assembleByteStrides(out.Shape, es)
	var idx, sstr []int
	for _, p := range pieces {
		src := l.Src[p.Src].Bytes()
		sstr = append(sstr[:0], assembleByteStrides(l.SrcMeta[p.Src].Shape, es)...)
		idx = assembleCopy(dst, src, dstr, sstr, out.Shape, l.SrcMeta[p.Src].Shape, p, es, idx)
	}
	return nil
}

// assembleByteStrides are the C-order strides of shape in bytes.
func assembleByteStrides(shape []int, es int) []int {
	s := graph.Strides(shape)
	for i := range s {
		s[i] *= es
	}
	return s
}

// assembleCopy copies one validated piece; idx is reused odometer space.
func assembleCopy(dst, src []byte, dstr, sstr, dshape, sshape []int, p graph.Piece, es int, idx []int) []int {
	nd := len(p.Shape)
	for _, s := range p.Shape {
		if s == 0 {
			return idx
		}
	}
	soff, doff := 0, 0
	for i := range nd {
		soff += p.SrcStart[i] * sstr[i]
		doff += p.DstStart[i] * dstr[i]
	}
	if nd == 0 {
		copy(dst[doff:doff+es], src[soff:soff+es])
		return idx
	}
	// Merge the innermost axes into one run while the axes after them are
	// whole in both buffers.
	a := nd - 1
	run := p.Shape[a]
	for a > 0 && p.Shape[a] == sshape[a] && p.Shape[a] == dshape[a] {
		a--
		run *= p.Shape[a]
	}
	rb := run * es
	// Odometer over axes [0, a).
	idx = append(idx[:0], make([]int, a)...)
	for {
		copy(dst[doff:doff+rb], src[soff:soff+rb])
		ax := a - 1
		for ; ax >= 0; ax-- {
			idx[ax]++
			soff += sstr[ax]
			doff += dstr[ax]
			if idx[ax] < p.Shape[ax] {
				break
			}
			soff -= idx[ax] * sstr[ax]
			doff -= idx[ax] * dstr[ax]
			idx[ax] = 0
		}
		if ax < 0 {
			return idx
		}
	}
}

// assembleCheck validates the launch and every piece.
func assembleCheck(l *kernels.Launch) ([]graph.Piece, error) {
	var pieces []graph.Piece
	switch p := l.Task.Op.Params.(type) {
	case *graph.AssembleParams:
		if p == nil {
			return nil, fmt.Errorf("assemble: nil params")
		}
		pieces = p.Pieces
	case graph.AssembleParams:
		pieces = p.Pieces
	default:
		return nil, fmt.Errorf("assemble: params are %T, want *graph.AssembleParams", l.Task.Op.Params)
	}
	if len(l.Task.Outputs) != 1 || len(l.Dst) != 1 {
		return nil, fmt.Errorf("assemble: %d outputs and %d destinations, want 1", len(l.Task.Outputs), len(l.Dst))
	}
	out := l.Task.Outputs[0]
	es := out.DType.Size()
	if es == 0 {
		return nil, fmt.Errorf("assemble: dtype %v not supported", out.DType)
	}
	if d := l.Dst[0]; d == nil || d.Len() != out.Bytes() || (out.Bytes() > 0 && d.Bytes() == nil) {
		return nil, fmt.Errorf("assemble: destination is not a host buffer of %d bytes for %v", out.Bytes(), out)
	}
	if len(l.SrcMeta) != len(l.Src) {
		return nil, fmt.Errorf("assemble: %d sources with %d meta", len(l.Src), len(l.SrcMeta))
	}
	for i, m := range l.SrcMeta {
		if m.DType != out.DType {
			return nil, fmt.Errorf("assemble of %v: source %d is %v", out.DType, i, m)
		}
		if b := l.Src[i]; b == nil || b.Len() != m.Bytes() || (m.Bytes() > 0 && b.Bytes() == nil) {
			return nil, fmt.Errorf("assemble: source %d is not a host buffer of %d bytes for %v", i, m.Bytes(), m)
		}
	}
	nd := len(out.Shape)
	for pi, p := range pieces {
		if p.Src < 0 || p.Src >= len(l.Src) {
			return nil, fmt.Errorf("assemble: piece %d reads source %d of %d", pi, p.Src, len(l.Src))
		}
		ss := l.SrcMeta[p.Src].Shape
		if len(ss) != nd || len(p.Shape) != nd || len(p.SrcStart) != nd || len(p.DstStart) != nd {
			return nil, fmt.Errorf("assemble: piece %d (shape %v from %v at %v to %v) does not fit %d-d source %v and output %v",
				pi, p.Shape, p.Src, p.SrcStart, p.DstStart, len(ss), ss, out.Shape)
		}
		for i := range nd {
			if p.Shape[i] < 0 || p.SrcStart[i] < 0 || p.DstStart[i] < 0 ||
				p.SrcStart[i]+p.Shape[i] > ss[i] || p.DstStart[i]+p.Shape[i] > out.Shape[i] {
				return nil, fmt.Errorf("assemble: piece %d (shape %v from %v at %v to %v) is out of bounds of source %v or output %v",
					pi, p.Shape, p.Src, p.SrcStart, p.DstStart, ss, out.Shape)
			}
		}
	}
	return pieces, nil
}
