package cpu

import "math"

// Vector pow on amd64, chosen by trigLevel: powGo's fast path four or
// eight lanes at a time, the table entries fetched by VGATHERQPD,
// bit-identical to it (pow_test.go). A vector holding a lane outside the
// fast path (x not a positive normal float64, y·log(x) outside (-708,
// 709) or NaN) is left to powGo.

// powVecTab holds each constant broadcast to 8 lanes; the entry order is
// fixed in pow_amd64.s.
type powVecTab [30][8]uint64

var powVecConsts = func() *powVecTab {
	var t powVecTab
	f := math.Float64bits
	vals := [...]uint64{
		f(0x1p-1022), f(math.MaxFloat64), powLogOff, 127, 0x800, f(roundMagic), f(roundMagic + 2048), 0xfff << 52,
		f(1), f(ln2Hi), f(ln2Lo), f(-0.5),
		f(powLogC3), f(powLogC4), f(powLogC5), f(powLogC6), f(powLogC7), f(powLogC8), f(powLogC9), f(powLogC10),
		f(expMin), f(expMax), f(powInvLn2N), f(powLn2NHi), f(powLn2NLo),
		f(powExpC2), f(powExpC3), f(powExpC4), f(powExpC5), f(powExpC6),
	}
	for k, v := range vals {
		for j := range t[k] {
			t[k][j] = v
		}
	}
	return &t
}()

// powAVX2 and powAVX512 write x**y for up to nvec vectors of 4 (8)
// elements and return the number written: fewer when a vector holds a
// lane outside the fast path. They end with VZEROUPPER.
//
//go:noescape
func powAVX2(dst, x, y *float64, nvec int, c *powVecTab, t *powTables) int

//go:noescape
func powAVX512(dst, x, y *float64, nvec int, c *powVecTab, t *powTables) int

// powVec is trigVec for pow.
func powVec(dst, x, y []float64) (done, width int) {
	switch trigLevel {
	case vecAVX512:
		if nv := len(dst) / 8; nv > 0 {
			_, _ = x[nv*8-1], y[nv*8-1]
			done = powAVX512(&dst[0], &x[0], &y[0], nv, powVecConsts, &powTab)
		}
		return done, 8
	case vecAVX2:
		if nv := len(dst) / 4; nv > 0 {
			_, _ = x[nv*4-1], y[nv*4-1]
			done = powAVX2(&dst[0], &x[0], &y[0], nv, powVecConsts, &powTab)
		}
		return done, 4
	}
	return 0, 0
}
