package cpu

import (
	"errors"
	"fmt"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// registerScan adds the scan and assert-none kernels to r under graph.CPU:
// scan for int32, int64, float32 and float64 (CumSum and CumProd of bool
// and int32 arrive as int64); assert-none for every dtype.
func registerScan(r *kernels.Registry) {
	for _, dt := range []graph.DType{graph.Int32, graph.Int64, graph.Float32, graph.Float64} {
		r.Register(graph.OpScan, dt, graph.CPU, scanKernel{})
	}
	for _, dt := range allDTypes {
		r.Register(graph.OpAssertNone, dt, graph.CPU, assertNoneKernel{})
	}
}

// scanKernel runs graph.OpScan: an inclusive Sum or Prod of one block
// along one axis. Src[0] and Dst[0] are of the task's output meta (one
// dtype, one shape). With outer = prod(shape[:axis]), n = shape[axis] and
// inner = prod(shape[axis+1:]), as a loop:
//
//	for o := range outer {
//		for k := range inner {
//			acc := identity // 0 or 1
//			for i := range n {
//				at := (o*n+i)*inner + k
//				acc = acc op src[at] // integers wrap
//				dst[at] = acc
//			}
//		}
//	}
//
// (run row by row: dst's row i-1 is the accumulator of row i). Aliasing:
// Dst[0] may be Src[0] exactly (each element is read before it is
// written); partial overlap is not allowed.
type scanKernel struct{}

type scanArith interface {
	~int32 | ~int64 | ~float32 | ~float64
}

func (scanKernel) Run(l *kernels.Launch) error {
	p, err := scanParamsOf(l.Task.Op.Params)
	if err != nil {
		return err
	}
	if p.Kind != graph.ReduceSum && p.Kind != graph.ReduceProd {
		return fmt.Errorf("scan: kind %v not supported (want sum or prod)", p.Kind)
	}
	outs := l.Task.Outputs
	if len(outs) != 1 || len(l.Dst) != 1 || len(l.Src) != 1 || len(l.SrcMeta) != 1 {
		return fmt.Errorf("scan: %d outputs, %d destinations, %d sources (%d meta); want 1 each",
			len(outs), len(l.Dst), len(l.Src), len(l.SrcMeta))
	}
	out := outs[0]
	if m := l.SrcMeta[0]; m.DType != out.DType || !sameShape(m.Shape, out.Shape) {
		return fmt.Errorf("scan: source is %v, want %v", m, out)
	}
	if p.Axis < 0 || p.Axis >= len(out.Shape) {
		return fmt.Errorf("scan: axis %d out of range for %v", p.Axis, out)
	}
	nb := out.Bytes()
	if !combineHostLen(l.Dst[0], nb) || !combineHostLen(l.Src[0], nb) {
		return fmt.Errorf("scan: buffers are not host buffers of %d bytes (%v)", nb, out)
	}
	if nb == 0 {
		return nil
	}
	outer, inner := 1, 1
	for _, s := range out.Shape[:p.Axis] {
		outer *= s
	}
	for _, s := range out.Shape[p.Axis+1:] {
		inner *= s
	}
	n := out.Shape[p.Axis]
	prod := p.Kind == graph.ReduceProd
	d, s := l.Dst[0].Bytes(), l.Src[0].Bytes()
	switch out.DType {
	case graph.Int32:
		scanRun(device.ViewBytes[int32](d), device.ViewBytes[int32](s), outer, n, inner, prod)
	case graph.Int64:
		scanRun(device.ViewBytes[int64](d), device.ViewBytes[int64](s), outer, n, inner, prod)
	case graph.Float32:
		scanRun(device.ViewBytes[float32](d), device.ViewBytes[float32](s), outer, n, inner, prod)
	case graph.Float64:
		scanRun(device.ViewBytes[float64](d), device.ViewBytes[float64](s), outer, n, inner, prod)
	default:
		return fmt.Errorf("scan: dtype %v not supported", out.DType)
	}
	return nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// scanRun scans each of outer slabs of n rows of inner elements, row by
// row so that the inner loop is contiguous.
func scanRun[T scanArith](dst, src []T, outer, n, inner int, prod bool) {
	slab := n * inner
	for o := 0; o < outer; o++ {
		d, s := dst[o*slab:(o+1)*slab], src[o*slab:(o+1)*slab]
		copy(d[:inner], s[:inner])
		for i := 1; i < n; i++ {
			prev := d[(i-1)*inner : i*inner]
			row := s[i*inner : (i+1)*inner]
			out := d[i*inner : (i+1)*inner]
			row = row[:len(prev)]
			out = out[:len(prev)]
			if prod {
				for k, v := range row {
					out[k] = prev[k] * v
				}
			} else {
				for k, v := range row {
					out[k] = prev[k] + v
				}
			}
		}
	}
}

func scanParamsOf(p any) (graph.ScanParams, error) {
	switch p := p.(type) {
	case graph.ScanParams:
		return p, nil
	case *graph.ScanParams:
		if p != nil {
			return *p, nil
		}
	}
	return graph.ScanParams{}, fmt.Errorf("scan: params are %T, want graph.ScanParams", p)
}

// assertNoneKernel runs graph.OpAssertNone: the sources are the first
// input's buffers (one per destination, of the task's output meta) and
// then one bool buffer. If any byte of the bool buffer is nonzero the task
// fails with the params' message; otherwise each source is copied to its
// destination. Aliasing: a destination may be its source exactly.
type assertNoneKernel struct{}

func (assertNoneKernel) Run(l *kernels.Launch) error {
	var msg string
	switch p := l.Task.Op.Params.(type) {
	case graph.AssertParams:
		msg = p.Message
	case *graph.AssertParams:
		if p == nil {
			return fmt.Errorf("assert-none: nil params")
		}
		msg = p.Message
	default:
		return fmt.Errorf("assert-none: params are %T, want graph.AssertParams", p)
	}
	outs := l.Task.Outputs
	if len(l.Dst) != len(outs) || len(l.Src) != len(outs)+1 || len(l.SrcMeta) != len(l.Src) {
		return fmt.Errorf("assert-none: %d destinations, %d sources for %d outputs; want %d and %d",
			len(l.Dst), len(l.Src), len(outs), len(outs), len(outs)+1)
	}
	cond := l.SrcMeta[len(outs)]
	if cond.DType != graph.Bool || !combineHostLen(l.Src[len(outs)], cond.Bytes()) {
		return fmt.Errorf("assert-none: condition is %v, want a bool host buffer", cond)
	}
	for i, c := range outs {
		if m := l.SrcMeta[i]; m.Bytes() != c.Bytes() || m.DType != c.DType {
			return fmt.Errorf("assert-none: source %d is %v, want %v", i, m, c)
		}
		if !combineHostLen(l.Dst[i], c.Bytes()) || !combineHostLen(l.Src[i], c.Bytes()) {
			return fmt.Errorf("assert-none: buffer %d is not a host buffer of %d bytes", i, c.Bytes())
		}
	}
	if cond.Bytes() > 0 {
		for _, b := range l.Src[len(outs)].Bytes() {
			if b != 0 {
				return errors.New(msg)
			}
		}
	}
	for i, c := range outs {
		if c.Bytes() > 0 {
			copy(l.Dst[i].Bytes(), l.Src[i].Bytes())
		}
	}
	return nil
}
