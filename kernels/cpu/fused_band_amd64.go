package cpu

// fillBand8x8 is fillBandT's full band of 8-byte elements in assembly,
// with a software prefetch bandAhead elements ahead: a transposed read
// crosses a page at every element, where the hardware prefetchers stop.
// It uses general registers only (no vector state).
//
//go:noescape
func fillBand8x8(buf, src *int64, strideBytes, rowBytes, inner, ahead int)

// fillBand8x8AVX512 does the first 8*blocks elements of fillBand8x8,
// 8 source lines at a time, transposed in AVX-512 registers.
//
//go:noescape
func fillBand8x8AVX512(buf, src *int64, strideBytes, rowBytes, blocks, ahead int)

// bandAhead is how many elements ahead fillBand8x8 prefetches.
const bandAhead = 128

// fillBandAsm does a full band of 8-byte elements (rb == bandRows) and
// reports whether it did.
func fillBandAsm(buf, src []int64, off, stride, inner, rb int) bool {
	if rb != bandRows || inner == 0 {
		return false
	}
	// bounds: the first and last row of the band, first and last k
	_ = buf[bandRows*inner-1]
	last := off + (inner-1)*stride
	_, _ = src[off+bandRows-1], src[last+bandRows-1]
	_, _ = src[off], src[last]
	k := 0
	if vec512On {
		if nb := inner / 8; nb > 0 {
			fillBand8x8AVX512(&buf[0], &src[off], stride*8, inner*8, nb, bandAhead)
			k = 8 * nb
		}
	}
	if k < inner {
		fillBand8x8(&buf[k], &src[off+k*stride], stride*8, inner*8, inner-k, bandAhead)
	}
	return true
}
