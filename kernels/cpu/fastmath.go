package cpu

import (
	"math"
	"unsafe"
)

// Fast elementwise sin, cos, exp, log and tanh over slices.
//
// Each function computes dst[i] = f(src[i]) for i < len(dst) (src must be at
// least as long; dst may be src exactly). The common range takes a
// branch-free path per element: Cody-Waite range reduction and a polynomial;
// anything outside it takes a branch that the data rarely flips: NaN, ±Inf
// and |x| > 2^28 for sin and cos go to math.Sin/math.Cos (Payne-Hanek);
// exp handles overflow and subnormal results itself (math.Exp on amd64
// returns +Inf early); log handles subnormals itself (math.Log on amd64 gets
// them wrong) and sends 0, negatives, Inf and NaN to math.Log; tanh sends
// NaN, ±Inf and |x| > 22 to math.Tanh and returns x for |x| < 2^-28.
//
// Accuracy measured by fastmath_test.go against a 256-bit math/big reference
// (40k points each plus 2M checked against math.*, the reference deciding
// where they differ by more than 2 ulps): max 1.34 ulp sin, 1.29 cos, 1.00
// exp, 0.74 log, 2.10 tanh (0.77 log and 2.49 tanh over 400k points).
// Every multiply-add that matters is an explicit math.FMA, and a product
// that must round before it is added is written float64(a*b), which the
// compiler may not fuse, so GOAMD64 levels give the same bits. All five
// also have an AVX2 / AVX-512 path on amd64 (trig_amd64.s, exp_amd64.s,
// log_amd64.s, tanh_amd64.s), chosen by trigLevel, that gives the Go
// code's bits exactly (trig_test.go, exp_test.go, vecmath_test.go); pow is
// in pow.go.
// float32 is computed in float64 and rounded once.
//
// Sources of the figures (coefficients only; the code is our own):
//   - sin/cos kernels: fdlibm k_sin.c / k_cos.c (Sun Microsystems, 1993,
//     freely distributable) minimax coefficients S1..S6, C1..C6 on [-π/4, π/4].
//   - log: fdlibm e_log.c Lg1..Lg7 (the same figures as Go's math.Log).
//   - exp: Taylor coefficients 1/k! to degree 13 (truncation < 0.05 ulp on
//     |r| <= ln2/2), ln2 split as in fdlibm e_exp.c.
//   - π/2 split into three float64 (each the float64 nearest to what is left)
//     computed with math/big from 200 decimal digits of π.

const (
	// π/2 = pio2_1 + pio2_2 + pio2_3 + O(2^-163)
	pio2_1    = 0x1.921fb54442d18p+00
	pio2_2    = 0x1.1a62633145c07p-54
	pio2_3    = -0x1.f1976b7ed8fbcp-110
	twoOverPi = 0x1.45f306dc9c883p-01

	// trigMax bounds the fast path of sin and cos: the FMA-based three-part
	// reduction keeps r to within an ulp for |x| up to here; beyond it
	// math.Sin/math.Cos (Payne-Hanek above 2^29) take over.
	trigMax = 0x1p28

	// round-to-nearest-integer magic: x + 1.5*2^52 - 1.5*2^52
	roundMagic = 0x1.8p52

	sinS1 = -1.66666666666666324348e-01
	sinS2 = 8.33333333332248946124e-03
	sinS3 = -1.98412698298579493134e-04
	sinS4 = 2.75573137070700676789e-06
	sinS5 = -2.50507602534068634195e-08
	sinS6 = 1.58969099521155010221e-10

	cosC1 = 4.16666666666666019037e-02
	cosC2 = -1.38888888888741095749e-03
	cosC3 = 2.48015872894767294178e-05
	cosC4 = -2.75573143513906633035e-07
	cosC5 = 2.08757232129817482790e-09
	cosC6 = -1.13596475577881948265e-11

	ln2Hi  = 6.93147180369123816490e-01 // 0x3fe62e42fee00000: k*ln2Hi exact for |k| < 2^11
	ln2Lo  = 1.90821492927058770002e-10
	invLn2 = 1.44269504088896338700e+00

	logL1 = 6.666666666666735130e-01
	logL2 = 3.999999999940941908e-01
	logL3 = 2.857142874366239149e-01
	logL4 = 2.222219843214978396e-01
	logL5 = 1.818357216161805012e-01
	logL6 = 1.531383769920937332e-01
	logL7 = 1.479819860511658591e-01

	// exp's fast path: 2^k stays a normal float64 and so does the result.
	expMax = 709.0
	expMin = -708.0
)

// expTaylor are 1/k! for k = 2..13.
var expTaylor = [12]float64{
	1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
	1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800,
}

// sinSlice sets dst[i] = sin(src[i]).
func sinSlice(dst, src []float64) { trigSlice(dst, src, 0) }

// cosSlice sets dst[i] = cos(src[i]).
func cosSlice(dst, src []float64) { trigSlice(dst, src, 1) }

// trigSlice is sin (off = 0) or cos (off = 1) by the vector path where
// there is one (trig_amd64.go, bit-identical to trigGo), trigGo for the
// tail and for each vector holding a lane outside the fast path.
func trigSlice(dst, src []float64, off uint64) {
	src = src[:len(dst)]
	for len(dst) > 0 {
		k, w := trigVec(dst, src, off)
		if w == 0 {
			break
		}
		dst, src = dst[k:], src[k:]
		w = min(w, len(dst)) // the vector that stopped it, or the tail
		trigGo(dst[:w], src[:w], off)
		dst, src = dst[w:], src[w:]
	}
	trigGo(dst, src, off)
}

// trigGo is the pure-Go sin (off = 0) or cos (off = 1): reduce x to
// r = x - q·π/2 in [-π/4, π/4], evaluate both kernels and pick by quadrant
// q+off with bit masks, so no branch depends on the data.
func trigGo(dst, src []float64, off uint64) {
	src = src[:len(dst)]
	for i, x := range src {
		if !(math.Abs(x) <= trigMax) {
			if off == 0 {
				dst[i] = math.Sin(x)
			} else {
				dst[i] = math.Cos(x)
			}
			continue
		}
		t := math.FMA(x, twoOverPi, roundMagic)
		n := math.Float64bits(t) + off // low bits: the quadrant (+1 for cos)
		q := t - roundMagic
		r := math.FMA(-q, pio2_1, x) // exact
		r = math.FMA(-q, pio2_2, r)
		r = math.FMA(-q, pio2_3, r)
		z := r * r
		// sin(r) = r + r^3 (S1 + z S2 + ... + z^5 S6)
		ps := math.FMA(math.FMA(math.FMA(math.FMA(sinS6, z, sinS5), z, sinS4), z, sinS3), z, sinS2)
		s := math.FMA(r*z, math.FMA(z, ps, sinS1), r)
		// cos(r) = 1 - z/2 + z^2 (C1 + ... + z^5 C6), with 1 - z/2 compensated
		pc := math.FMA(math.FMA(math.FMA(math.FMA(math.FMA(cosC6, z, cosC5), z, cosC4), z, cosC3), z, cosC2), z, cosC1)
		hz := 0.5 * z
		w := 1 - hz
		c := w + math.FMA(z*z, pc, (1-w)-hz)
		swap := -(n & 1) // all ones where the quadrant is odd
		res := math.Float64bits(s)&^swap | math.Float64bits(c)&swap
		res ^= (n & 2) << 62
		v := math.Float64frombits(res)
		if x == 0 && off == 0 {
			v = x // keep the sign of zero
		}
		dst[i] = v
	}
}

// sincosSlice sets dsts[i] = sin(src[i]) and dstc[i] = cos(src[i]) (the
// bits of sinSlice and cosSlice) from one reduction where there is a
// vector path. dsts and dstc must not overlap src or each other (in the
// fused interpreter they are two registers and src a third).
func sincosSlice(dsts, dstc, src []float64) {
	src, dstc = src[:len(dsts)], dstc[:len(dsts)]
	for len(dsts) > 0 {
		k, w := sincosVec(dsts, dstc, src)
		if w == 0 {
			break
		}
		dsts, dstc, src = dsts[k:], dstc[k:], src[k:]
		w = min(w, len(dsts))
		trigGo(dsts[:w], src[:w], 0)
		trigGo(dstc[:w], src[:w], 1)
		dsts, dstc, src = dsts[w:], dstc[w:], src[w:]
	}
	trigGo(dsts, src, 0)
	trigGo(dstc, src, 1)
}

// expSlice sets dst[i] = exp(src[i]): by the vector path where there is
// one (exp_amd64.go, bit-identical to expGo), expGo for the tail and for
// each vector holding a lane outside the fast path.
func expSlice(dst, src []float64) {
	src = src[:len(dst)]
	for len(dst) > 0 {
		k, w := expVec(dst, src)
		if w == 0 {
			break
		}
		dst, src = dst[k:], src[k:]
		w = min(w, len(dst))
		expGo(dst[:w], src[:w])
		dst, src = dst[w:], src[w:]
	}
	expGo(dst, src)
}

// expGo is the pure-Go exp: the fast path per element, expSlow outside it.
func expGo(dst, src []float64) {
	src = src[:len(dst)]
	c := &expTaylor
	for i, x := range src {
		if !(x > expMin && x < expMax) {
			dst[i] = expSlow(x)
			continue
		}
		t := math.FMA(x, invLn2, roundMagic)
		k := t - roundMagic
		r := math.FMA(-k, ln2Hi, x) // exact
		r = math.FMA(-k, ln2Lo, r)
		r2 := r * r
		r4 := r2 * r2
		// 1/2 + r/6 + ... + r^11/13!, Estrin
		p01 := math.FMA(c[1], r, c[0])
		p23 := math.FMA(c[3], r, c[2])
		p45 := math.FMA(c[5], r, c[4])
		p67 := math.FMA(c[7], r, c[6])
		p89 := math.FMA(c[9], r, c[8])
		p1011 := math.FMA(c[11], r, c[10])
		hi := math.FMA(math.FMA(p1011, r2, p89), r4, math.FMA(p67, r2, p45))
		p := math.FMA(hi, r4, math.FMA(p23, r2, p01))
		e := 1 + math.FMA(r2, p, r)
		// e in [0.7, 1.42]: add k to the exponent field
		dst[i] = math.Float64frombits(math.Float64bits(e) + (math.Float64bits(t)-math.Float64bits(roundMagic))<<52)
	}
}

// expSlow is exp outside the fast path: overflow, underflow into the
// subnormals, NaN and ±Inf. (math.Exp on amd64 overflows early: it returns
// +Inf for x in (709.08, 709.78], where exp(x) is finite.)
func expSlow(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 710:
		return math.Inf(1)
	case x < -746:
		return 0
	}
	c := &expTaylor
	k := math.RoundToEven(x * invLn2)
	r := math.FMA(-k, ln2Hi, x)
	r = math.FMA(-k, ln2Lo, r)
	r2 := r * r
	r4 := r2 * r2
	p01 := math.FMA(c[1], r, c[0])
	p23 := math.FMA(c[3], r, c[2])
	p45 := math.FMA(c[5], r, c[4])
	p67 := math.FMA(c[7], r, c[6])
	p89 := math.FMA(c[9], r, c[8])
	p1011 := math.FMA(c[11], r, c[10])
	hi := math.FMA(math.FMA(p1011, r2, p89), r4, math.FMA(p67, r2, p45))
	p := math.FMA(hi, r4, math.FMA(p23, r2, p01))
	e := 1 + math.FMA(r2, p, r)
	// two exact-or-once-rounded scalings: e·2^k1 is normal, then ·2^k2
	// rounds once (overflowing to +Inf, or into the subnormals)
	ki := int64(k)
	k1 := ki / 2
	k2 := ki - k1
	e *= math.Float64frombits(uint64(k1+1023) << 52)
	return e * math.Float64frombits(uint64(k2+1023)<<52)
}

// expm1Core is exp(y) - 1 for 0 <= y <= 44 to within about 1 ulp.
func expm1Core(y float64) float64 {
	c := &expTaylor
	t := math.FMA(y, invLn2, roundMagic)
	k := t - roundMagic
	r := math.FMA(-k, ln2Hi, y)
	r = math.FMA(-k, ln2Lo, r)
	r2 := r * r
	r4 := r2 * r2
	p01 := math.FMA(c[1], r, c[0])
	p23 := math.FMA(c[3], r, c[2])
	p45 := math.FMA(c[5], r, c[4])
	p67 := math.FMA(c[7], r, c[6])
	p89 := math.FMA(c[9], r, c[8])
	p1011 := math.FMA(c[11], r, c[10])
	hi := math.FMA(math.FMA(p1011, r2, p89), r4, math.FMA(p67, r2, p45))
	p := math.FMA(hi, r4, math.FMA(p23, r2, p01))
	q := math.FMA(r2, p, r)                                                                                 // exp(r) - 1
	s := math.Float64frombits(math.Float64bits(1) + (math.Float64bits(t)-math.Float64bits(roundMagic))<<52) // 2^k
	return math.FMA(s, q, s-1)
}

// tanhSlice sets dst[i] = tanh(src[i]): by the vector path where there
// is one (tanh_amd64.go, bit-identical to tanhGo), tanhGo for the tail and
// for each vector holding a lane outside the fast path.
func tanhSlice(dst, src []float64) {
	src = src[:len(dst)]
	for len(dst) > 0 {
		k, w := tanhVec(dst, src)
		if w == 0 {
			break
		}
		dst, src = dst[k:], src[k:]
		w = min(w, len(dst))
		tanhGo(dst[:w], src[:w])
		dst, src = dst[w:], src[w:]
	}
	tanhGo(dst, src)
}

// tanhGo is the pure-Go tanh: e/(e+2) with e = expm1(2|x|), the sign of
// x, and x itself for |x| < 2^-28 (where tanh(x) rounds to x; this keeps
// ±0 and the subnormals). NaN, ±Inf and |x| > 22 (where tanh rounds to
// ±1) go to math.Tanh.
func tanhGo(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		ax := math.Abs(x)
		if !(ax <= 22) {
			dst[i] = math.Tanh(x)
			continue
		}
		e := expm1Core(2 * ax)
		v := math.Copysign(e/(e+2), x)
		if ax < 0x1p-28 {
			v = x
		}
		dst[i] = v
	}
}

// logSlice sets dst[i] = log(src[i]): by the vector path where there is
// one (log_amd64.go, bit-identical to logGo), logGo for the tail and for
// each vector holding a lane outside the fast path.
func logSlice(dst, src []float64) {
	src = src[:len(dst)]
	for len(dst) > 0 {
		k, w := logVec(dst, src)
		if w == 0 {
			break
		}
		dst, src = dst[k:], src[k:]
		w = min(w, len(dst))
		logGo(dst[:w], src[:w])
		dst, src = dst[w:], src[w:]
	}
	logGo(dst, src)
}

// logGo is the pure-Go log: fdlibm's reduction and polynomial (x = 2^k m,
// m in [sqrt(1/2), sqrt(2)), s = (m-1)/(m+1)) for positive normal x;
// subnormals are scaled by 2^52 first (math.Log on amd64 gets them wrong:
// its assembly does not normalise them); 0, negatives, Inf and NaN go to
// math.Log. The float64(...) conversions keep the compiler from fusing a
// multiply and an add (GOAMD64=v3 may), so every level gives these bits.
func logGo(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		ix := math.Float64bits(x)
		kAdj := int64(0)
		if ix-0x0010000000000000 >= 0x7ff0000000000000-0x0010000000000000 {
			if ix-1 >= 0x0010000000000000-1 {
				dst[i] = math.Log(x)
				continue
			}
			ix = math.Float64bits(x * 0x1p52) // positive subnormal
			kAdj = -52
		}
		tmp := ix - 0x3fe6a09e667f3bcd
		k := float64(int64(tmp)>>52 + kAdj)
		m := math.Float64frombits(ix - tmp&(0xfff<<52))
		f := m - 1
		s := f / (2 + f)
		s2 := s * s
		s4 := s2 * s2
		t1 := float64(s2 * math.FMA(s4, math.FMA(s4, math.FMA(s4, logL7, logL5), logL3), logL1))
		t2 := float64(s4 * math.FMA(s4, math.FMA(s4, logL6, logL4), logL2))
		R := t1 + t2
		hfsq := float64(0.5 * f * f)
		a := math.FMA(s, hfsq+R, float64(k*ln2Lo)) // s*(hfsq+R) + k*ln2Lo
		dst[i] = float64(k*ln2Hi) - ((hfsq - a) - f)
	}
}

// ---- float32 and the generic entry

type fastOp uint8

const (
	fastSin fastOp = iota
	fastCos
	fastExp
	fastLog
	fastTanh
)

func fastSlice64(op fastOp, dst, src []float64) {
	switch op {
	case fastSin:
		sinSlice(dst, src)
	case fastCos:
		cosSlice(dst, src)
	case fastExp:
		expSlice(dst, src)
	case fastLog:
		logSlice(dst, src)
	case fastTanh:
		tanhSlice(dst, src)
	}
}

// fastSlice32 computes in float64 and rounds once, a block at a time.
func fastSlice32(op fastOp, dst, src []float32) {
	src = src[:len(dst)]
	var buf [512]float64
	for len(dst) > 0 {
		b := buf[:min(len(dst), len(buf))]
		for i := range b {
			b[i] = float64(src[i])
		}
		fastSlice64(op, b, b)
		for i, v := range b {
			dst[i] = float32(v)
		}
		dst, src = dst[len(b):], src[len(b):]
	}
}

// fastUnary applies op to a float slice of either width.
func fastUnary[T float](op fastOp, dst, src []T) {
	src = src[:len(dst)]
	if len(dst) == 0 {
		return
	}
	var z T
	if unsafe.Sizeof(z) == 8 {
		fastSlice64(op, unsafe.Slice((*float64)(unsafe.Pointer(&dst[0])), len(dst)),
			unsafe.Slice((*float64)(unsafe.Pointer(&src[0])), len(src)))
		return
	}
	fastSlice32(op, unsafe.Slice((*float32)(unsafe.Pointer(&dst[0])), len(dst)),
		unsafe.Slice((*float32)(unsafe.Pointer(&src[0])), len(src)))
}
