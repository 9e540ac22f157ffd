package cpu

import (
	"unsafe"

	"github.com/blockwork-dev/blockwork/graph"
)

// Vector float64 Add, Sub, Mul and Div (AVX2, 16 elements a loop, each
// kernel ending in VZEROUPPER). IEEE arithmetic rounds each lane as the
// scalar SSE2 code does, so the results are the same bits; the scalar loop
// of binaryFloat does the tail and runs where there is no AVX2.

//go:noescape
func addF64AVX2(d, a, b *float64, nblk int)

//go:noescape
func subF64AVX2(d, a, b *float64, nblk int)

//go:noescape
func mulF64AVX2(d, a, b *float64, nblk int)

//go:noescape
func divF64AVX2(d, a, b *float64, nblk int)

// maxF64AVX2 and minF64AVX2 are OpMax and OpMin with binaryFloat's NaN
// and tie rules (maxmin_amd64.s).
//
//go:noescape
func maxF64AVX2(d, a, b *float64, nblk int)

//go:noescape
func minF64AVX2(d, a, b *float64, nblk int)

//go:noescape
func maxRedF64AVX2(x *float64, nblk int, out *float64) (nan int)

//go:noescape
func minRedF64AVX2(x *float64, nblk int, out *float64) (nan int)

//go:noescape
func maxRedF64AVX512(x *float64, nblk int, out *float64) (nan int)

//go:noescape
func minRedF64AVX512(x *float64, nblk int, out *float64) (nan int)

//go:noescape
func momentsRowAVX2(v, mu, q, c *float64, nblk int, c0, n, r float64) (done int)

//go:noescape
func momentsRowAVX512(v, mu, q, c *float64, nblk int, c0, n, r float64) (done int)

//go:noescape
func momentsRowsAVX512(rows **float64, nrows int, mu, q, c *float64, nblk int, c0 float64, rs *float64, nlast float64) (done int)

//go:noescape
func foldRowsAddAVX512(rows **float64, nrows int, acc *float64, nblk int)

//go:noescape
func foldRowsMaxAVX512(rows **float64, nrows int, acc *float64, nblk int)

//go:noescape
func foldRowsMinAVX512(rows **float64, nrows int, acc *float64, nblk int)

// rowPtrs is the first element of each row, each checked to hold n.
func rowPtrs(rows [][]float64, n int) (ptrs [foldBatch]*float64) {
	for k, x := range rows {
		_ = x[n-1]
		ptrs[k] = &x[0]
	}
	return ptrs
}

// foldRowsVec folds rows into the leading columns of acc (add, or OpMax /
// OpMin's rule), eight columns at a time with AVX-512, and returns how
// many columns it did (0 without AVX-512).
func foldRowsVec(kind graph.ReduceKind, acc []float64, rows [][]float64) int {
	nblk := len(acc) / 8
	if !binaryVecOn || !vec512On || nblk == 0 || len(rows) == 0 {
		return 0
	}
	ptrs := rowPtrs(rows, nblk*8)
	switch kind {
	case graph.ReduceSum:
		foldRowsAddAVX512(&ptrs[0], len(rows), &acc[0], nblk)
	case graph.ReduceMax:
		foldRowsMaxAVX512(&ptrs[0], len(rows), &acc[0], nblk)
	case graph.ReduceMin:
		foldRowsMinAVX512(&ptrs[0], len(rows), &acc[0], nblk)
	default:
		return 0
	}
	return nblk * 8
}

// momentsRowsVec does momentsRows's update of the leading columns that
// have all been seen c0 times, eight at a time with AVX-512, and returns
// how many it did (0 without AVX-512).
func momentsRowsVec(rows [][]float64, mu, q, c []float64, c0 float64, rs []float64, nlast float64) int {
	nblk := len(mu) / 8
	if !binaryVecOn || !vec512On || nblk == 0 || len(rows) == 0 {
		return 0
	}
	ptrs := rowPtrs(rows, nblk*8)
	_, _, _ = q[nblk*8-1], c[nblk*8-1], rs[len(rows)-1]
	return 8 * momentsRowsAVX512(&ptrs[0], len(rows), &mu[0], &q[0], &c[0], nblk, c0, &rs[0], nlast)
}

// momentsRowVec does Welford's update (moments in reduce.go) of the
// leading columns that have all been seen c0 times, four at a time, and
// returns how many it did.
func momentsRowVec(x, mu, q, c []float64, c0, n, r float64) int {
	if !binaryVecOn {
		return 0
	}
	k := 0
	if nblk := len(x) / 8; vec512On && nblk > 0 {
		_, _, _ = mu[nblk*8-1], q[nblk*8-1], c[nblk*8-1]
		k = 8 * momentsRowAVX512(&x[0], &mu[0], &q[0], &c[0], nblk, c0, n, r)
		if k < nblk*8 {
			return k
		}
	}
	nblk := (len(x) - k) / 4
	if nblk == 0 {
		return k
	}
	_, _, _ = mu[k+nblk*4-1], q[k+nblk*4-1], c[k+nblk*4-1]
	return k + 4*momentsRowAVX2(&x[k], &mu[k], &q[k], &c[k], nblk, c0, n, r)
}

// extremeVec is the extreme of x (max when isMax) for float64 x of at
// least 32 elements without NaNs and whose extreme is not a zero; ok is
// false otherwise (the caller's scalar loop decides: it keeps the first
// NaN and the first of equal zeros).
func extremeVec(x []float64, isMax bool) (m float64, ok bool) {
	nblk := len(x) / 16
	if !binaryVecOn || nblk < 2 {
		return 0, false
	}
	var nan int
	switch {
	case vec512On && isMax:
		nan = maxRedF64AVX512(&x[0], nblk, &m)
	case vec512On:
		nan = minRedF64AVX512(&x[0], nblk, &m)
	case isMax:
		nan = maxRedF64AVX2(&x[0], nblk, &m)
	default:
		nan = minRedF64AVX2(&x[0], nblk, &m)
	}
	if nan != 0 {
		return 0, false
	}
	for _, v := range x[nblk*16:] {
		if v != v {
			return 0, false
		}
		if isMax && v > m || !isMax && v < m {
			m = v
		}
	}
	if m == 0 {
		return 0, false
	}
	return m, true
}

// binaryVecOn selects the vector path; tests turn it off.
var binaryVecOn = cpuHasAVX2()

// binaryVec does the leading elements of d = a op b that its vector
// kernels cover (a and b at least as long as d) and returns how many it
// did: with AVX-512, whole 256-byte blocks of float64 or float32 Add, Sub,
// Mul and Div (binaryVec512); then, for float64, multiples of 16 elements
// of those and Max and Min with AVX2; 0 for other ops and types or without
// AVX2.
func binaryVec[T float](op graph.ElemOp, d, a, b []T) int {
	var z T
	if !binaryVecOn {
		return 0
	}
	k := binaryVec512(op, d, a, b)
	d, a, b = d[k:], a[k:], b[k:]
	nblk := len(d) / 16
	if unsafe.Sizeof(z) != 8 || nblk == 0 {
		return k
	}
	n := nblk * 16
	_, _ = a[n-1], b[n-1]
	pd := (*float64)(unsafe.Pointer(unsafe.SliceData(d)))
	pa := (*float64)(unsafe.Pointer(unsafe.SliceData(a)))
	pb := (*float64)(unsafe.Pointer(unsafe.SliceData(b)))
	switch op {
	case graph.OpAdd:
		addF64AVX2(pd, pa, pb, nblk)
	case graph.OpSub:
		subF64AVX2(pd, pa, pb, nblk)
	case graph.OpMul:
		mulF64AVX2(pd, pa, pb, nblk)
	case graph.OpDiv:
		divF64AVX2(pd, pa, pb, nblk)
	case graph.OpMax:
		maxF64AVX2(pd, pa, pb, nblk)
	case graph.OpMin:
		minF64AVX2(pd, pa, pb, nblk)
	default:
		return k
	}
	return k + n
}
