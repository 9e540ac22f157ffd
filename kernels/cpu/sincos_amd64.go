package cpu

// sincosAVX2 and sincosAVX512 write sin and cos of up to nvec vectors of
// 4 (8) elements from one reduction and return how many elements they
// wrote (fewer when a vector holds a lane outside the fast path, as
// trigAVX2 and trigAVX512). They end with VZEROUPPER.
//
//go:noescape
func sincosAVX2(dsts, dstc, src *float64, nvec int, tab *trigTab) int

//go:noescape
func sincosAVX512(dsts, dstc, src *float64, nvec int, tab *trigTab) int

// sincosVec is trigVec for sin and cos at once.
func sincosVec(dsts, dstc, src []float64) (done, width int) {
	switch trigLevel {
	case vecAVX512:
		if nv := len(dsts) / 8; nv > 0 {
			_, _ = src[nv*8-1], dstc[nv*8-1]
			done = sincosAVX512(&dsts[0], &dstc[0], &src[0], nv, trigConsts)
		}
		return done, 8
	case vecAVX2:
		if nv := len(dsts) / 4; nv > 0 {
			_, _ = src[nv*4-1], dstc[nv*4-1]
			done = sincosAVX2(&dsts[0], &dstc[0], &src[0], nv, trigConsts)
		}
		return done, 4
	}
	return 0, 0
}
