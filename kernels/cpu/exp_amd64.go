package cpu

import "math"

// Vector exp on amd64, beside the vector sin and cos (trig_amd64.go) and
// chosen by the same trigLevel: expGo's fast path four or eight lanes at a
// time, bit-identical to it (exp_test.go). A vector holding a lane outside
// (expMin, expMax) or NaN is left to expGo.

// expTab holds each constant broadcast to 8 lanes; the entry order is
// fixed in exp_amd64.s.
type expTab [19][8]uint64

var expConsts = func() *expTab {
	var t expTab
	vals := []float64{expMin, expMax, invLn2, roundMagic, ln2Hi, ln2Lo}
	vals = append(vals, expTaylor[:]...)
	vals = append(vals, 1)
	for k, v := range vals {
		for j := range t[k] {
			t[k][j] = math.Float64bits(v)
		}
	}
	return &t
}()

// expAVX2 and expAVX512 write exp of up to nvec vectors of 4 (8) elements
// and return the number written: fewer when a vector holds a lane outside
// the fast path. They end with VZEROUPPER.
//
//go:noescape
func expAVX2(dst, src *float64, nvec int, tab *expTab) int

//go:noescape
func expAVX512(dst, src *float64, nvec int, tab *expTab) int

// expVec is trigVec for exp.
func expVec(dst, src []float64) (done, width int) {
	switch trigLevel {
	case vecAVX512:
		if nv := len(dst) / 8; nv > 0 {
			_ = src[nv*8-1]
			done = expAVX512(&dst[0], &src[0], nv, expConsts)
		}
		return done, 8
	case vecAVX2:
		if nv := len(dst) / 4; nv > 0 {
			_ = src[nv*4-1]
			done = expAVX2(&dst[0], &src[0], nv, expConsts)
		}
		return done, 4
	}
	return 0, 0
}
