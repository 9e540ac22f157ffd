package cpu

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/device"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// compressKernel runs graph.OpCompress. With Axis < 0 the mask has the
// input's shape and
//
//	dst = [src0[k] for k in C order if mask[k]]
//
// otherwise the mask is 1-d along Axis and dst holds the hyperslabs
// src0[..., i, ...] where mask[i], in order. The number of true mask
// elements must equal the output's length there (the sizes were counted
// by an earlier pass; a mismatch is an error, not a short write).
type compressKernel struct{}

func (compressKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.CompressParams)
	if !ok || p == nil {
		return fmt.Errorf("compress: params are %T, want *graph.CompressParams", l.Task.Op.Params)
	}
	if len(l.Src) != 2 {
		return fmt.Errorf("compress: %d inputs, want 2", len(l.Src))
	}
	out, x, m := l.Task.Outputs[0], l.SrcMeta[0], l.SrcMeta[1]
	if m.DType != graph.Bool || x.DType != out.DType {
		return fmt.Errorf("compress: input %v, mask %v, output %v", x, m, out)
	}
	es := out.DType.Size()
	dst, src, mask := l.Dst[0].Bytes(), l.Src[0].Bytes(), l.Src[1].Bytes()
	count := 0
	for _, b := range mask {
		if b != 0 {
			count++
		}
	}
	if p.Axis < 0 {
		if m.Size() != x.Size() || len(out.Shape) != 1 || out.Shape[0] != count {
			return fmt.Errorf("compress: input %v, mask %v with %d true, output %v", x, m, count, out)
		}
		switch es {
		case 8:
			compressFlat(device.ViewBytes[int64](dst), device.ViewBytes[int64](src), mask)
		case 4:
			compressFlat(device.ViewBytes[int32](dst), device.ViewBytes[int32](src), mask)
		case 1:
			compressFlat(dst, src, mask)
		default:
			o := 0
			for k, b := range mask {
				if b != 0 {
					copy(dst[o:o+es], src[k*es:(k+1)*es])
					o += es
				}
			}
		}
		return nil
	}
	nd := len(x.Shape)
	a := p.Axis
	if a >= nd || len(m.Shape) != 1 || m.Shape[0] != x.Shape[a] || len(out.Shape) != nd || out.Shape[a] != count {
		return fmt.Errorf("compress: axis %d of input %v, mask %v with %d true, output %v", a, x, m, count, out)
	}
	outer, inner := 1, es
	for i := 0; i < a; i++ {
		outer *= x.Shape[i]
	}
	for i := a + 1; i < nd; i++ {
		inner *= x.Shape[i]
	}
	n := x.Shape[a]
	o := 0
	for q := 0; q < outer; q++ {
		for i, b := range mask {
			if b != 0 {
				s := (q*n + i) * inner
				copy(dst[o:o+inner], src[s:s+inner])
				o += inner
			}
		}
	}
	return nil
}

// compressFlat copies the elements of src whose mask byte is not zero to
// the front of dst (exactly as long as their count), in order: each
// element is written at the next place and the place advances only for
// a selected one, so there is no branch to mispredict; the loop ends once
// dst is full.
func compressFlat[T uint8 | int32 | int64](dst, src []T, mask []byte) {
	src = src[:len(mask)]
	o := 0
	for k := 0; k < len(mask) && o < len(dst); k++ {
		dst[o] = src[k]
		if mask[k] != 0 {
			o++
		}
	}
}
