package cpu

import "math"

// Vector sin and cos on amd64: trigGo's algorithm four lanes at a time
// (AVX2 + FMA) or eight (AVX-512F), chosen at run time from CPUID. Every
// lane takes the same operations in the same order as trigGo (explicit
// FMAs, the same Cody-Waite reduction and polynomials, the quadrant picked
// by blends instead of bit masks), so the results are bit-identical to it;
// trig_test.go checks that on millions of inputs. A vector holding a lane
// outside the fast path (NaN, ±Inf, |x| > 2^28) is left to trigGo.

// trigTab holds each constant broadcast to 8 lanes (AVX2 reads the first
// four); the entry order is fixed in trig_amd64.s.
type trigTab [22][8]uint64

var trigConsts = func() *trigTab {
	var t trigTab
	vals := [...]uint64{
		math.MaxInt64, // |x| mask
		math.Float64bits(trigMax),
		math.Float64bits(twoOverPi),
		math.Float64bits(roundMagic),
		math.Float64bits(pio2_1), math.Float64bits(pio2_2), math.Float64bits(pio2_3),
		math.Float64bits(sinS1), math.Float64bits(sinS2), math.Float64bits(sinS3),
		math.Float64bits(sinS4), math.Float64bits(sinS5), math.Float64bits(sinS6),
		math.Float64bits(cosC1), math.Float64bits(cosC2), math.Float64bits(cosC3),
		math.Float64bits(cosC4), math.Float64bits(cosC5), math.Float64bits(cosC6),
		math.Float64bits(0.5),
		math.Float64bits(1),
		1, // the quadrant step of cos
	}
	for k, v := range vals {
		for j := range t[k] {
			t[k][j] = v
		}
	}
	return &t
}()

// trigAVX2 and trigAVX512 write sin (off = 0) or cos (off = 1) of up to
// nvec vectors of 4 (8) elements and return the number of elements
// written: nvec*4 (8), or fewer when a vector holds a lane outside the
// fast path. They end with VZEROUPPER.
//
//go:noescape
func trigAVX2(dst, src *float64, nvec int, off uint64, tab *trigTab) int

//go:noescape
func trigAVX512(dst, src *float64, nvec int, off uint64, tab *trigTab) int

// cpuHasAVX512F reports AVX-512 Foundation with the OS saving opmask and
// ZMM state (XCR0 bits 1, 2, 5, 6 and 7), and FMA.
func cpuHasAVX512F() bool {
	if !cpuHasAVX2() || !cpuHasFMA() {
		return false
	}
	if xcr0, _ := xgetbv0(); xcr0&0xe6 != 0xe6 {
		return false
	}
	_, b7, _, _ := cpuidex(7, 0)
	return b7&(1<<16) != 0
}

// cpuHasFMA reports the FMA3 extension (CPUID.1:ECX bit 12).
func cpuHasFMA() bool {
	_, _, c1, _ := cpuidex(1, 0)
	return c1&(1<<12) != 0
}

// The vector levels of trigVec.
const (
	vecNone = iota
	vecAVX2
	vecAVX512
)

// trigLevel is the vector path in use; tests lower it to cover the others.
var trigLevel = func() int {
	switch {
	case cpuHasAVX512F():
		return vecAVX512
	case cpuHasAVX2() && cpuHasFMA():
		return vecAVX2
	}
	return vecNone
}()

// trigLevelMax is the best level this CPU has.
var trigLevelMax = trigLevel

// trigVec writes sin (off = 0) or cos (off = 1) of whole vectors of src
// from the start, stopping at the first vector with a lane outside the
// fast path, and returns how many elements it wrote and the vector width
// (0, 0 without a vector path).
func trigVec(dst, src []float64, off uint64) (done, width int) {
	switch trigLevel {
	case vecAVX512:
		if nv := len(dst) / 8; nv > 0 {
			_ = src[nv*8-1]
			done = trigAVX512(&dst[0], &src[0], nv, off, trigConsts)
		}
		return done, 8
	case vecAVX2:
		if nv := len(dst) / 4; nv > 0 {
			_ = src[nv*4-1]
			done = trigAVX2(&dst[0], &src[0], nv, off, trigConsts)
		}
		return done, 4
	}
	return 0, 0
}
