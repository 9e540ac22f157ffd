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

// binaryVecOn selects the vector path; tests turn it off.
var binaryVecOn = cpuHasAVX2()

// binaryVec does the first multiple of 16 elements of d = a op b for
// float64 Add, Sub, Mul and Div (a and b at least as long as d) and
// returns how many it did: 0 for other ops and types or without AVX2.
func binaryVec[T float](op graph.ElemOp, d, a, b []T) int {
	var z T
	nblk := len(d) / 16
	if !binaryVecOn || unsafe.Sizeof(z) != 8 || nblk == 0 {
		return 0
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
	default:
		return 0
	}
	return n
}
