package cpu

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// combineKernel runs graph.OpCombine: it merges k >= 1 partials of one
// graph.ReduceKind elementwise, in input order. Each partial is a tuple of
// nbuf buffers laid out as kind.PartialOutputs(dtype, shape), so l.Src
// holds k*nbuf buffers (partial 0's tuple, then partial 1's, ...) and
// l.Dst one tuple. The task's Outputs must be such a tuple (the key dtype
// is the partial's dtype: Sum and Prod of bool and int32 arrive as int64).
// As a loop, for each element i:
//
//	acc := partial 0 at i
//	for j := 1; j < k; j++ {
//		acc = merge(acc, partial j at i)
//	}
//	dst at i = acc
//
// with merge by kind:
//
//	Sum, Prod       a+b, a*b (integers wrap)
//	Min, Max        the smaller / larger; NaN if either is NaN (the first NaN is kept)
//	ArgMin, ArgMax  (value, index) of b if b's value is strictly better than a's,
//	                or equal at a smaller index, else a's; NaN is better than any
//	                number, so the first NaN (smallest index) wins and stays; a
//	                partial of index -1 (an empty block) is the identity
//	Any, All        a|b, a&b on bool bytes (written as 0 or 1)
//	Moments         (count, mean, M2) as float64 by Chan et al.:
//	                n = na+nb, d = mb-ma, mean = ma + d*nb/n, M2 = M2a + M2b + d*d*na*nb/n;
//	                a partial of count 0 is the identity, and n == 0 gives zeros
//
// Aliasing: Dst[b] may be exactly any source buffer of the same byte
// size (Src[b] of partial 0, say, to merge in place). The kernel works in
// tiles of combineTile elements and reads every source of a tile into a
// local accumulator before it writes that tile of any destination, so an
// exact alias never reads a value already overwritten. Buffers that
// overlap partly are not allowed (kernels.Launch's contract).
type combineKernel struct{}

// combineTile is the number of elements merged at a time; the Moments
// accumulators (3 × 256 float64) stay on the stack in L1.
const combineTile = 256

// combineOrdered are the element types with an order (bool as uint8 0/1).
type combineOrdered interface {
	~uint8 | ~int32 | ~int64 | ~float32 | ~float64
}

// combineArith are the element types Sum and Prod partials have.
type combineArith interface {
	~int32 | ~int64 | ~float32 | ~float64
}

func (combineKernel) Run(l *kernels.Launch) error {
	kind, err := combineKindOf(l.Task.Op.Params)
	if err != nil {
		return err
	}
	k, n, err := combineCheck(l, kind)
	if err != nil {
		return err
	}
	dt := l.Task.Outputs[0].DType
	nbuf := len(l.Dst)
	// srcs(b) are the typed views of buffer b of every partial.
	bytesOf := func(b int) (dst []byte, src [][]byte) {
		src = make([][]byte, k)
		for j := range src {
			src[j] = l.Src[j*nbuf+b].Bytes()
		}
		return l.Dst[b].Bytes(), src
	}
	if n == 0 {
		return nil
	}
	switch kind {
	case graph.ReduceSum, graph.ReduceProd:
		d, s := bytesOf(0)
		prod := kind == graph.ReduceProd
		switch dt {
		case graph.Int32:
			combineSumProd(combineView[int32](d), combineViews[int32](s), prod)
		case graph.Int64:
			combineSumProd(combineView[int64](d), combineViews[int64](s), prod)
		case graph.Float32:
			combineSumProd(combineView[float32](d), combineViews[float32](s), prod)
		case graph.Float64:
			combineSumProd(combineView[float64](d), combineViews[float64](s), prod)
		default:
			return combineUnsupported(kind, dt)
		}
	case graph.ReduceMin, graph.ReduceMax:
		d, s := bytesOf(0)
		isMax := kind == graph.ReduceMax
		switch dt {
		case graph.Bool:
			combineMinMax(combineView[uint8](d), combineViews[uint8](s), isMax)
		case graph.Int32:
			combineMinMax(combineView[int32](d), combineViews[int32](s), isMax)
		case graph.Int64:
			combineMinMax(combineView[int64](d), combineViews[int64](s), isMax)
		case graph.Float32:
			combineMinMax(combineView[float32](d), combineViews[float32](s), isMax)
		case graph.Float64:
			combineMinMax(combineView[float64](d), combineViews[float64](s), isMax)
		default:
			return combineUnsupported(kind, dt)
		}
	case graph.ReduceArgMin, graph.ReduceArgMax:
		d, s := bytesOf(0)
		di, si := bytesOf(1)
		ix, ixs := combineView[int64](di), combineViews[int64](si)
		isMax := kind == graph.ReduceArgMax
		switch dt {
		case graph.Bool:
			combineArg(combineView[uint8](d), ix, combineViews[uint8](s), ixs, isMax)
		case graph.Int32:
			combineArg(combineView[int32](d), ix, combineViews[int32](s), ixs, isMax)
		case graph.Int64:
			combineArg(combineView[int64](d), ix, combineViews[int64](s), ixs, isMax)
		case graph.Float32:
			combineArg(combineView[float32](d), ix, combineViews[float32](s), ixs, isMax)
		case graph.Float64:
			combineArg(combineView[float64](d), ix, combineViews[float64](s), ixs, isMax)
		default:
			return combineUnsupported(kind, dt)
		}
	case graph.ReduceAny, graph.ReduceAll:
		if dt != graph.Bool {
			return combineUnsupported(kind, dt)
		}
		d, s := bytesOf(0)
		combineAnyAll(combineView[uint8](d), combineViews[uint8](s), kind == graph.ReduceAll)
	case graph.ReduceMoments:
		if dt != graph.Float64 {
			return combineUnsupported(kind, dt)
		}
		var d [3][]float64
		var s [3][][]float64
		for b := range 3 {
			db, sb := bytesOf(b)
			d[b], s[b] = combineView[float64](db), combineViews[float64](sb)
		}
		combineMoments(d, s)
	default:
		return combineUnsupported(kind, dt)
	}
	return nil
}

func combineUnsupported(kind graph.ReduceKind, dt graph.DType) error {
	return fmt.Errorf("combine: kind %v not supported for dtype %v", kind, dt)
}

// combineKindOf reads CombineParams (by value or pointer).
func combineKindOf(p any) (graph.ReduceKind, error) {
	switch p := p.(type) {
	case graph.CombineParams:
		return p.Kind, nil
	case *graph.CombineParams:
		if p != nil {
			return p.Kind, nil
		}
	}
	return 0, fmt.Errorf("combine: params are %T, want graph.CombineParams", p)
}

// combineCheck validates the launch against kind's tuple layout and
// returns the number of partials and of elements per buffer.
func combineCheck(l *kernels.Launch, kind graph.ReduceKind) (k, n int, err error) {
	outs := l.Task.Outputs
	if len(outs) == 0 {
		return 0, 0, fmt.Errorf("combine: task has no outputs")
	}
	dt := outs[0].DType
	wdts, nw := kind.PartialLayout(dt)
	if len(outs) != nw {
		return 0, 0, fmt.Errorf("combine %v: %d outputs, want %d for partials of %v", kind, len(outs), nw, dt)
	}
	n = outs[0].Size()
	for b, c := range outs {
		if c.DType != wdts[b] || c.Size() != n {
			return 0, 0, fmt.Errorf("combine %v: output %d is %v, want %v", kind, b, c, wdts[b])
		}
	}
	nbuf := len(outs)
	if len(l.Dst) != nbuf {
		return 0, 0, fmt.Errorf("combine %v: %d destinations for %d outputs", kind, len(l.Dst), nbuf)
	}
	if len(l.Src) == 0 || len(l.Src)%nbuf != 0 || len(l.SrcMeta) != len(l.Src) {
		return 0, 0, fmt.Errorf("combine %v of %v: %d sources (%d meta), want a positive multiple of %d",
			kind, dt, len(l.Src), len(l.SrcMeta), nbuf)
	}
	bytes := func(b int) int64 { return int64(n) * int64(outs[b].DType.Size()) }
	for b, buf := range l.Dst {
		if !combineHostLen(buf, bytes(b)) {
			return 0, 0, fmt.Errorf("combine %v: destination %d is not a host buffer of %d bytes", kind, b, bytes(b))
		}
	}
	for i, buf := range l.Src {
		b := i % nbuf
		if m := l.SrcMeta[i]; m.DType != outs[b].DType || m.Size() != n {
			return 0, 0, fmt.Errorf("combine %v: source %d is %v, want %v", kind, i, m, outs[b])
		}
		if !combineHostLen(buf, bytes(b)) {
			return 0, 0, fmt.Errorf("combine %v: source %d is not a host buffer of %d bytes", kind, i, bytes(b))
		}
	}
	return len(l.Src) / nbuf, n, nil
}

func combineHostLen(b *device.Buffer, n int64) bool {
	return b != nil && b.Len() == n && (n == 0 || b.Bytes() != nil)
}

func combineView[T device.Number](p []byte) []T { return device.ViewBytes[T](p) }

func combineViews[T device.Number](ps [][]byte) [][]T {
	out := make([][]T, len(ps))
	for i, p := range ps {
		out[i] = device.ViewBytes[T](p)
	}
	return out
}

// combineSumProd folds srcs into dst by + or *.
func combineSumProd[T combineArith](dst []T, srcs [][]T, prod bool) {
	var acc [combineTile]T
	for lo := 0; lo < len(dst); lo += combineTile {
		hi := min(lo+combineTile, len(dst))
		a := acc[:hi-lo]
		copy(a, srcs[0][lo:hi])
		for _, s := range srcs[1:] {
			s = s[lo:hi]
			s = s[:len(a)]
			if prod {
				for i, v := range s {
					a[i] *= v
				}
			} else {
				for i, v := range s {
					a[i] += v
				}
			}
		}
		copy(dst[lo:hi], a)
	}
}

// combineMinMax folds srcs into dst by min or max with NaN propagating
// (v != v is false for integers and bool bytes).
func combineMinMax[T combineOrdered](dst []T, srcs [][]T, isMax bool) {
	var acc [combineTile]T
	for lo := 0; lo < len(dst); lo += combineTile {
		hi := min(lo+combineTile, len(dst))
		a := acc[:hi-lo]
		copy(a, srcs[0][lo:hi])
		for _, s := range srcs[1:] {
			s = s[lo:hi]
			s = s[:len(a)]
			if isMax {
				for i, v := range s {
					if v > a[i] || (v != v && a[i] == a[i]) {
						a[i] = v
					}
				}
			} else {
				for i, v := range s {
					if v < a[i] || (v != v && a[i] == a[i]) {
						a[i] = v
					}
				}
			}
		}
		copy(dst[lo:hi], a)
	}
}

// combineArg folds (value, index) pairs by argBetter: b replaces a only if strictly
// better, NaN being better than any number and no NaN better than a NaN.
func combineArg[T combineOrdered](dst []T, dix []int64, srcs [][]T, sixs [][]int64, isMax bool) {
	var acc [combineTile]T
	var iacc [combineTile]int64
	for lo := 0; lo < len(dst); lo += combineTile {
		hi := min(lo+combineTile, len(dst))
		a, ai := acc[:hi-lo], iacc[:hi-lo]
		copy(a, srcs[0][lo:hi])
		copy(ai, sixs[0][lo:hi])
		for j, s := range srcs[1:] {
			s = s[lo:hi]
			s = s[:len(a)]
			si := sixs[j+1][lo:hi]
			si = si[:len(a)]
			if isMax {
				for i, v := range s {
					if argBetter(v > a[i], v, a[i], si[i], ai[i]) {
						a[i], ai[i] = v, si[i]
					}
				}
			} else {
				for i, v := range s {
					if argBetter(v < a[i], v, a[i], si[i], ai[i]) {
						a[i], ai[i] = v, si[i]
					}
				}
			}
		}
		copy(dst[lo:hi], a)
		copy(dix[lo:hi], ai)
	}
}

// argBetter reports whether (v, vi) replaces (a, ai) in combineArg: an
// empty partial (index -1) never wins and always loses; otherwise strictly
// better (beats), or NaN over a number, or a tie (equal values or both
// NaN) at a smaller index, so the first occurrence in C order wins however
// the blocks interleave in that order.
func argBetter[T combineOrdered](beats bool, v, a T, vi, ai int64) bool {
	switch {
	case vi < 0:
		return false
	case ai < 0:
		return true
	case beats || (v != v && a == a):
		return true
	}
	return (v == a || (v != v && a != a)) && vi < ai
}

func combineBit(v uint8) uint8 {
	if v != 0 {
		return 1
	}
	return 0
}

// combineAnyAll folds bool bytes by or (Any) or and (All), writing 0 or 1.
func combineAnyAll(dst []uint8, srcs [][]uint8, all bool) {
	var acc [combineTile]uint8
	for lo := 0; lo < len(dst); lo += combineTile {
		hi := min(lo+combineTile, len(dst))
		a := acc[:hi-lo]
		for i, v := range srcs[0][lo:hi] {
			a[i] = combineBit(v)
		}
		for _, s := range srcs[1:] {
			s = s[lo:hi]
			s = s[:len(a)]
			if all {
				for i, v := range s {
					a[i] &= combineBit(v)
				}
			} else {
				for i, v := range s {
					a[i] |= combineBit(v)
				}
			}
		}
		copy(dst[lo:hi], a)
	}
}

// combineMoments merges (count, mean, M2) partials by Chan et al.'s
// pairwise formula, left to right.
func combineMoments(dst [3][]float64, srcs [3][][]float64) {
	var cn, cm, c2 [combineTile]float64
	for lo := 0; lo < len(dst[0]); lo += combineTile {
		hi := min(lo+combineTile, len(dst[0]))
		an, am, a2 := cn[:hi-lo], cm[:hi-lo], c2[:hi-lo]
		sn, sm, s2 := srcs[0][0][lo:hi], srcs[1][0][lo:hi], srcs[2][0][lo:hi]
		for i := range an {
			if sn[i] == 0 {
				an[i], am[i], a2[i] = 0, 0, 0
			} else {
				an[i], am[i], a2[i] = sn[i], sm[i], s2[i]
			}
		}
		for j := 1; j < len(srcs[0]); j++ {
			sn, sm, s2 := srcs[0][j][lo:hi], srcs[1][j][lo:hi], srcs[2][j][lo:hi]
			for i := range an {
				nb := sn[i]
				if nb == 0 {
					continue
				}
				na := an[i]
				if na == 0 {
					an[i], am[i], a2[i] = nb, sm[i], s2[i]
					continue
				}
				n := na + nb
				d := sm[i] - am[i]
				am[i] += d * nb / n
				a2[i] = a2[i] + s2[i] + d*d*na*nb/n
				an[i] = n
			}
		}
		copy(dst[0][lo:hi], an)
		copy(dst[1][lo:hi], am)
		copy(dst[2][lo:hi], a2)
	}
}
