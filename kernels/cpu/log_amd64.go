package cpu

import "math"

// Vector log on amd64, beside exp (exp_amd64.go) and chosen by the same
// trigLevel: logGo's fast path four or eight lanes at a time, the same
// operations in the same order, so the bits are logGo's (log_test.go). A
// vector holding a lane that is not a positive normal float64 (0,
// subnormals, negatives, ±Inf, NaN) is left to logGo.

// logTab holds each constant broadcast to 8 lanes; the entry order is
// fixed in log_amd64.s.
type logTab [19][8]uint64

var logConsts = func() *logTab {
	var t logTab
	vals := [...]uint64{
		math.Float64bits(0x1p-1022), math.Float64bits(math.MaxFloat64),
		0x3fe6a09e667f3bcd,           // the reduction's offset: m in [sqrt(1/2), sqrt(2))
		0x800,                        // k + 2048 from the top 12 bits of tmp
		math.Float64bits(roundMagic), // ... as the low bits of 1.5*2^52 + k + 2048
		math.Float64bits(roundMagic + 2048),
		0xfff << 52,
		math.Float64bits(1), math.Float64bits(2),
		math.Float64bits(logL1), math.Float64bits(logL2), math.Float64bits(logL3), math.Float64bits(logL4),
		math.Float64bits(logL5), math.Float64bits(logL6), math.Float64bits(logL7),
		math.Float64bits(0.5), math.Float64bits(ln2Lo), math.Float64bits(ln2Hi),
	}
	for k, v := range vals {
		for j := range t[k] {
			t[k][j] = v
		}
	}
	return &t
}()

// logAVX2 and logAVX512 write log of up to nvec vectors of 4 (8) elements
// and return the number written: fewer when a vector holds a lane outside
// the fast path. They end with VZEROUPPER.
//
//go:noescape
func logAVX2(dst, src *float64, nvec int, tab *logTab) int

//go:noescape
func logAVX512(dst, src *float64, nvec int, tab *logTab) int

// logVec is trigVec for log.
func logVec(dst, src []float64) (done, width int) {
	switch trigLevel {
	case vecAVX512:
		if nv := len(dst) / 8; nv > 0 {
			_ = src[nv*8-1]
			done = logAVX512(&dst[0], &src[0], nv, logConsts)
		}
		return done, 8
	case vecAVX2:
		if nv := len(dst) / 4; nv > 0 {
			_ = src[nv*4-1]
			done = logAVX2(&dst[0], &src[0], nv, logConsts)
		}
		return done, 4
	}
	return 0, 0
}
