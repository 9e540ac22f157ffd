package cpu

import (
	"unsafe"

	"github.com/blockwork-dev/blockwork/graph"
)

// AVX-512 float64 and float32 Add, Sub, Mul and Div (binary512_amd64.s):
// 256 bytes a loop, of two arrays (VV) or of an array and a scalar on the
// right (S: a op c) or on the left (R: c op a). Each lane rounds as the
// scalar code does and takes the same left operand first, so the results
// are the same bits as binaryFloat's loops; elem_vec_test.go checks that.

//go:noescape
func addF64AVX512(d, a, b *float64, nblk int)

//go:noescape
func subF64AVX512(d, a, b *float64, nblk int)

//go:noescape
func mulF64AVX512(d, a, b *float64, nblk int)

//go:noescape
func divF64AVX512(d, a, b *float64, nblk int)

//go:noescape
func addF32AVX512(d, a, b *float32, nblk int)

//go:noescape
func subF32AVX512(d, a, b *float32, nblk int)

//go:noescape
func mulF32AVX512(d, a, b *float32, nblk int)

//go:noescape
func divF32AVX512(d, a, b *float32, nblk int)

//go:noescape
func addSF64AVX512(d, a *float64, c float64, nblk int)

//go:noescape
func subSF64AVX512(d, a *float64, c float64, nblk int)

//go:noescape
func mulSF64AVX512(d, a *float64, c float64, nblk int)

//go:noescape
func divSF64AVX512(d, a *float64, c float64, nblk int)

//go:noescape
func addRF64AVX512(d, a *float64, c float64, nblk int)

//go:noescape
func subRF64AVX512(d, a *float64, c float64, nblk int)

//go:noescape
func mulRF64AVX512(d, a *float64, c float64, nblk int)

//go:noescape
func divRF64AVX512(d, a *float64, c float64, nblk int)

//go:noescape
func addSF32AVX512(d, a *float32, c float32, nblk int)

//go:noescape
func subSF32AVX512(d, a *float32, c float32, nblk int)

//go:noescape
func mulSF32AVX512(d, a *float32, c float32, nblk int)

//go:noescape
func divSF32AVX512(d, a *float32, c float32, nblk int)

//go:noescape
func addRF32AVX512(d, a *float32, c float32, nblk int)

//go:noescape
func subRF32AVX512(d, a *float32, c float32, nblk int)

//go:noescape
func mulRF32AVX512(d, a *float32, c float32, nblk int)

//go:noescape
func divRF32AVX512(d, a *float32, c float32, nblk int)

// vec512On selects the AVX-512 kernels; tests turn it off to reach the
// AVX2 ones.
var vec512On = cpuHasAVX512F()

// binaryVec512 does the first multiple of 256 bytes of d = a op b for
// Add, Sub, Mul and Div (a and b at least as long as d) and returns how
// many elements it did: 0 for other ops or without AVX-512.
func binaryVec512[T float](op graph.ElemOp, d, a, b []T) int {
	var z T
	es := int(unsafe.Sizeof(z))
	nblk := len(d) * es / 256
	if !vec512On || nblk == 0 {
		return 0
	}
	n := nblk * 256 / es
	_, _ = a[n-1], b[n-1]
	pd, pa, pb := unsafe.Pointer(unsafe.SliceData(d)), unsafe.Pointer(unsafe.SliceData(a)), unsafe.Pointer(unsafe.SliceData(b))
	if es == 8 {
		switch op {
		case graph.OpAdd:
			addF64AVX512((*float64)(pd), (*float64)(pa), (*float64)(pb), nblk)
		case graph.OpSub:
			subF64AVX512((*float64)(pd), (*float64)(pa), (*float64)(pb), nblk)
		case graph.OpMul:
			mulF64AVX512((*float64)(pd), (*float64)(pa), (*float64)(pb), nblk)
		case graph.OpDiv:
			divF64AVX512((*float64)(pd), (*float64)(pa), (*float64)(pb), nblk)
		default:
			return 0
		}
		return n
	}
	switch op {
	case graph.OpAdd:
		addF32AVX512((*float32)(pd), (*float32)(pa), (*float32)(pb), nblk)
	case graph.OpSub:
		subF32AVX512((*float32)(pd), (*float32)(pa), (*float32)(pb), nblk)
	case graph.OpMul:
		mulF32AVX512((*float32)(pd), (*float32)(pa), (*float32)(pb), nblk)
	case graph.OpDiv:
		divF32AVX512((*float32)(pd), (*float32)(pa), (*float32)(pb), nblk)
	default:
		return 0
	}
	return n
}

// constVecOn reports whether binaryConstVec has its kernels.
func constVecOn() bool { return binaryVecOn && vec512On }

// binaryConstVec does the first multiple of 256 bytes of d = a op c (or
// c op a when first) for Add, Sub, Mul and Div and returns how many
// elements it did: 0 for other ops or without AVX-512.
func binaryConstVec[T float](op graph.ElemOp, d, a []T, c T, first bool) int {
	var z T
	es := int(unsafe.Sizeof(z))
	nblk := len(d) * es / 256
	if !binaryVecOn || !vec512On || nblk == 0 {
		return 0
	}
	n := nblk * 256 / es
	_ = a[n-1]
	pd, pa := unsafe.Pointer(unsafe.SliceData(d)), unsafe.Pointer(unsafe.SliceData(a))
	k := int(op2index(op))
	if k < 0 {
		return 0
	}
	if first {
		k += 4
	}
	if es == 8 {
		constF64AVX512[k]((*float64)(pd), (*float64)(pa), float64(c), nblk)
	} else {
		constF32AVX512[k]((*float32)(pd), (*float32)(pa), float32(c), nblk)
	}
	return n
}

// constF64AVX512 and constF32AVX512 are the kernels of binaryConstVec by
// op2index, then the same with the constant on the left.
var constF64AVX512 = [8]func(d, a *float64, c float64, nblk int){
	addSF64AVX512, subSF64AVX512, mulSF64AVX512, divSF64AVX512,
	addRF64AVX512, subRF64AVX512, mulRF64AVX512, divRF64AVX512,
}

var constF32AVX512 = [8]func(d, a *float32, c float32, nblk int){
	addSF32AVX512, subSF32AVX512, mulSF32AVX512, divSF32AVX512,
	addRF32AVX512, subRF32AVX512, mulRF32AVX512, divRF32AVX512,
}
