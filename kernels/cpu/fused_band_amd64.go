package cpu

// fillBand8x8 is fillBandT's full band of 8-byte elements in assembly,
// with a software prefetch bandAhead elements ahead: a transposed read
// crosses a page at every element, where the hardware prefetchers stop.
// It uses general registers only (no vector state).
//
//go:noescape
func fillBand8x8(buf, src *int64, strideBytes, rowBytes, inner, ahead int)

// bandAhead is how many elements ahead fillBand8x8 prefetches.
const bandAhead = 64

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
	fillBand8x8(&buf[0], &src[off], stride*8, inner*8, inner, bandAhead)
	return true
}
