package cpu

import "math"

// Vector tanh on amd64, chosen by trigLevel: tanhGo's fast path (expm1Core
// of 2|x|, e/(e+2), the sign of x, x itself below 2^-28) four or eight
// lanes at a time, bit-identical to it (tanh_test.go). A vector holding a
// lane with NaN or |x| > 22 is left to tanhGo.

// tanhTab holds each constant broadcast to 8 lanes; the entry order is
// fixed in tanh_amd64.s.
type tanhTab [22][8]uint64

var tanhConsts = func() *tanhTab {
	var t tanhTab
	vals := []uint64{math.MaxInt64, math.Float64bits(22), math.Float64bits(invLn2),
		math.Float64bits(roundMagic), math.Float64bits(ln2Hi), math.Float64bits(ln2Lo)}
	for _, c := range expTaylor {
		vals = append(vals, math.Float64bits(c))
	}
	vals = append(vals, math.Float64bits(1), math.Float64bits(2), math.Float64bits(0x1p-28), 1<<63)
	for k, v := range vals {
		for j := range t[k] {
			t[k][j] = v
		}
	}
	return &t
}()

// tanhAVX2 and tanhAVX512 write tanh of up to nvec vectors of 4 (8)
// elements and return the number written: fewer when a vector holds a
// lane outside the fast path. They end with VZEROUPPER.
//
//go:noescape
func tanhAVX2(dst, src *float64, nvec int, tab *tanhTab) int

//go:noescape
func tanhAVX512(dst, src *float64, nvec int, tab *tanhTab) int

// tanhVec is trigVec for tanh.
func tanhVec(dst, src []float64) (done, width int) {
	switch trigLevel {
	case vecAVX512:
		if nv := len(dst) / 8; nv > 0 {
			_ = src[nv*8-1]
			done = tanhAVX512(&dst[0], &src[0], nv, tanhConsts)
		}
		return done, 8
	case vecAVX2:
		if nv := len(dst) / 4; nv > 0 {
			_ = src[nv*4-1]
			done = tanhAVX2(&dst[0], &src[0], nv, tanhConsts)
		}
		return done, 4
	}
	return 0, 0
}
