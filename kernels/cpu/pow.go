package cpu

import (
	"math"
	"unsafe"
)

// Fast float64 x**y over slices (graph.OpPow on floats).
//
// For x a positive normal float64 and y·log(x) in (-708, 709), the common
// case, pow is exp(y·log(x)) with log(x) in double-double (a 128-entry
// table of 1/c and log(c), r = x/c - 1 exact by FMA, log1p(r) by Taylor
// to r^10 with its first two terms carried exactly: about 2^-68 relative)
// and exp of the double-double product (a 128-entry table of 2^(j/128)
// with its tail, a Taylor polynomial to r^6 on |r| <= ln2/256, one
// rounding at the end). The layout is that of ARM's optimized-routines
// pow (math/pow.c, MIT OR Apache-2.0); the tables are computed here
// (pow_table.go, generated and checked by pow_table_test.go) and the
// polynomials are Taylor's. Measured by pow_test.go against a 256-bit
// math/big reference: max 0.505 ulp over 400k pairs where the result is
// normal (1.0 where it is subnormal), so results that are floats (3**3,
// 2**-10, 0.25**0.5) come out exact. math.Pow is not used: on large
// integer parts of y its repeated squaring loses many ulps (6e10 seen,
// x near 1 and y near 2^44), and for subnormal x with a fractional y it
// is wholly wrong (its Log on amd64).
//
// On amd64 the fast path runs four or eight lanes at a time in AVX2 /
// AVX-512 (pow_amd64.s, the table entries fetched by VGATHERQPD), chosen
// by trigLevel and bit-identical to powGo.
//
// Everything else takes powSlow, per element: the special cases of
// math.Pow (and C99 / NumPy) exactly; negative x (NaN unless y is an
// integer, the sign of x**y by the parity of y); subnormal x (scaled by
// 2^52 first); results that overflow, or underflow into the subnormals
// (there the result may be a subnormal ulp off: the scaling rounds twice).
//
// A constant exponent (powConst) in {0, 1, 2, 3, 4, -1, -2, 0.5} is
// rewritten: x*x, 1/x and sqrt(x) (correctly rounded), x³, x⁴ and x⁻²
// from the exact double-double square (within 0.5 ulp and a hair; powSlow
// where the square or the result is outside [2^-969, MaxFloat64]), with
// pow's special cases kept (0.5: -0 gives +0 and -Inf gives +Inf).
//
// float32 is computed in float64 and rounded once.

const (
	powLogOff = 0x3fe6955500000000 // z = x/2^k in [0x1.69555p-1, 0x1.69555p+0)

	// exp's reduction in pow: x = (k + j/128) ln2 + r, |r| <= ln2/256
	powInvLn2N = 0x1.71547652b82fep+07 // 128/ln2
	powLn2NHi  = ln2Hi / 128           // k*powLn2NHi is exact for |k| < 2^21
	powLn2NLo  = ln2Lo / 128

	// log1p(r) - r + r²/2 = r³ (c3 + c4 r + ... + c10 r^7)
	powLogC3  = 1.0 / 3
	powLogC4  = -1.0 / 4
	powLogC5  = 1.0 / 5
	powLogC6  = -1.0 / 6
	powLogC7  = 1.0 / 7
	powLogC8  = -1.0 / 8
	powLogC9  = 1.0 / 9
	powLogC10 = -1.0 / 10

	// exp(r) - 1 - r = r² (e2 + e3 r + ... + e6 r^4)
	powExpC2 = 1.0 / 2
	powExpC3 = 1.0 / 6
	powExpC4 = 1.0 / 24
	powExpC5 = 1.0 / 120
	powExpC6 = 1.0 / 720
)

// powSlice sets dst[i] = x[i]**y[i]: by the vector path where there is
// one (pow_amd64.go, bit-identical to powGo), powGo for the tail and for
// each vector holding a lane outside the fast path. x and y must be at
// least as long as dst; dst may be x or y exactly.
func powSlice(dst, x, y []float64) {
	x, y = x[:len(dst)], y[:len(dst)]
	for len(dst) > 0 {
		k, w := powVec(dst, x, y)
		if w == 0 {
			break
		}
		dst, x, y = dst[k:], x[k:], y[k:]
		w = min(w, len(dst))
		powGo(dst[:w], x[:w], y[:w])
		dst, x, y = dst[w:], x[w:], y[w:]
	}
	powGo(dst, x, y)
}

// powGo is the pure-Go pow: the fast path per element, powSlow outside it.
func powGo(dst, xs, ys []float64) {
	xs, ys = xs[:len(dst)], ys[:len(dst)]
	for i, x := range xs {
		y := ys[i]
		ix := math.Float64bits(x)
		if ix-0x0010000000000000 >= 0x7ff0000000000000-0x0010000000000000 {
			dst[i] = powSlow(x, y) // not a positive normal float64
			continue
		}
		lhi, llo := powLog(ix, 0)
		ehi := float64(y * lhi)
		elo := math.FMA(y, llo, math.FMA(y, lhi, -ehi))
		if !(ehi > expMin && ehi < expMax) {
			dst[i] = powSlow(x, y) // NaN, ±Inf, overflow, underflow
			continue
		}
		dst[i] = powExp(ehi, elo)
	}
}

// powLog is log(x) as hi + lo (|lo| <= ulp(hi)/2; 2^-68.3 relative at
// worst in TestPowLog) for x = 2^kAdj · frombits(ix), ix a positive
// normal float64.
func powLog(ix uint64, kAdj int64) (hi, lo float64) {
	tmp := ix - powLogOff
	i := (tmp >> 45) % 128
	k := int64(tmp)>>52 + kAdj
	z := math.Float64frombits(ix - tmp&(0xfff<<52))
	kd := float64(k)
	invc, logc, logctail := powTab.invc[i], powTab.logc[i], powTab.logctail[i]
	r := math.FMA(z, invc, -1)     // exact: invc has 8 significant bits
	t1 := float64(kd*ln2Hi) + logc // exact: logc is a multiple of 2^-43
	t2 := t1 + r
	lo1 := math.FMA(kd, ln2Lo, logctail)
	lo2 := (t1 - t2) + r // the rounding error of t2
	ar := -0.5 * r
	ar2 := float64(r * ar) // -r²/2
	h := t2 + ar2
	lo3 := math.FMA(ar, r, -ar2) // the rounding error of ar2
	lo4 := (t2 - h) + ar2        // the rounding error of h
	r2 := float64(r * r)
	r4 := float64(r2 * r2)
	q01 := math.FMA(powLogC4, r, powLogC3)
	q23 := math.FMA(powLogC6, r, powLogC5)
	q45 := math.FMA(powLogC8, r, powLogC7)
	q67 := math.FMA(powLogC10, r, powLogC9)
	q := math.FMA(math.FMA(q67, r2, q45), r4, math.FMA(q23, r2, q01))
	p := float64(float64(r2*r) * q)
	l := lo1 + lo2 + lo3 + lo4 + p
	hi = h + l
	return hi, (h - hi) + l
}

// powReduce splits ehi + elo = (ki/128)·ln2 + r, |r| <= ln2/256 and a
// hair, returning ki as the low bits of an integer and tmp = exp(r)·(1 +
// tail_j) - 1 where 2^(j/128) = H_j (1 + tail_j), j = ki mod 128.
func powReduce(ehi, elo float64) (ki uint64, tmp float64) {
	t := math.FMA(ehi, powInvLn2N, roundMagic)
	kd := t - roundMagic
	ki = math.Float64bits(t) - math.Float64bits(roundMagic)
	r := math.FMA(-kd, powLn2NHi, ehi) // exact
	r = math.FMA(-kd, powLn2NLo, r)
	r += elo
	r2 := float64(r * r)
	pa := math.FMA(powExpC3, r, powExpC2)
	pb := math.FMA(math.FMA(powExpC6, r, powExpC5), r, powExpC4)
	p := math.FMA(float64(r2*r2), pb, float64(r2*pa))
	return ki, (powTab.tail[ki%128] + r) + p
}

// powExp is exp(ehi + elo) for ehi in (expMin, expMax): the result and
// 2^k·H_j are normal.
func powExp(ehi, elo float64) float64 {
	ki, tmp := powReduce(ehi, elo)
	scale := math.Float64frombits(powTab.sbits[ki%128] + ki<<45)
	return math.FMA(scale, tmp, scale)
}

// powExpWide is exp(ehi + elo) anywhere: +Inf above the float64 range, 0
// below it, and in between 2^(k/128 part) scaled in two steps (the second
// rounds once, into the subnormals or to +Inf).
func powExpWide(ehi, elo float64) float64 {
	switch {
	case ehi > 710:
		return math.Inf(1)
	case ehi < -746:
		return 0
	}
	ki, tmp := powReduce(ehi, elo)
	j := ki % 128
	h := math.Float64frombits(powTab.sbits[j] + j<<45) // H_j in [1, 2)
	e := math.FMA(h, tmp, h)
	k := int64(ki) >> 7
	k1 := k / 2
	k2 := k - k1
	e *= math.Float64frombits(uint64(k1+1023) << 52)
	return e * math.Float64frombits(uint64(k2+1023)<<52)
}

// powSlow is pow outside the fast path, with math.Pow's special cases.
func powSlow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case y == 1:
		return x
	case x != x || y != y:
		return math.NaN()
	case x == 0:
		switch {
		case y < 0:
			if math.Signbit(x) && isOddInt(y) {
				return math.Inf(-1)
			}
			return math.Inf(1)
		case y > 0:
			if math.Signbit(x) && isOddInt(y) {
				return x
			}
			return 0
		}
	case math.IsInf(y, 0):
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == math.IsInf(y, 1):
			return 0
		default:
			return math.Inf(1)
		}
	case math.IsInf(x, 0):
		if math.IsInf(x, -1) {
			return powSlow(1/x, -y) // pow(-0, -y)
		}
		if y < 0 {
			return 0
		}
		return math.Inf(1)
	}
	// x and y finite and nonzero
	neg := false
	if x < 0 {
		if y != math.Trunc(y) {
			return math.NaN()
		}
		neg = isOddInt(y)
		x = -x
	}
	ix, kAdj := math.Float64bits(x), int64(0)
	if ix < 0x0010000000000000 { // subnormal
		ix, kAdj = math.Float64bits(x*0x1p52), -52
	}
	lhi, llo := powLog(ix, kAdj)
	ehi := float64(y * lhi)
	elo := math.FMA(y, llo, math.FMA(y, lhi, -ehi))
	var v float64
	if ehi > expMin && ehi < expMax {
		v = powExp(ehi, elo)
	} else {
		v = powExpWide(ehi, elo)
	}
	if neg {
		v = -v
	}
	return v
}

// isOddInt reports whether y is an odd integer.
func isOddInt(y float64) bool {
	if math.Abs(y) >= 1<<53 { // even, if an integer at all
		return false
	}
	return y == math.Trunc(y) && int64(y)&1 == 1
}

// powRewrites are the constant exponents powConst computes without pow.
func powRewritten(y float64) bool {
	switch y {
	case 0, 1, 2, 3, 4, -1, -2, 0.5:
		return true
	}
	return false
}

// powConst sets dst[i] = x[i]**y for y one of powRewritten's exponents.
func powConst(dst, xs []float64, y float64) {
	xs = xs[:len(dst)]
	switch y {
	case 0:
		for i := range dst {
			dst[i] = 1
		}
	case 1:
		copy(dst, xs)
	case 2:
		for i, x := range xs {
			dst[i] = x * x
		}
	case -1:
		for i, x := range xs {
			dst[i] = 1 / x
		}
	case 0.5: // pow(-0, 0.5) = +0, pow(-Inf, 0.5) = +Inf
		for i, x := range xs {
			v := math.Sqrt(x) + 0
			if x == math.Inf(-1) {
				v = math.Inf(1)
			}
			dst[i] = v
		}
	case 3, 4, -2:
		// x² = h + l exactly and the correction terms normal while h
		// and |result| are >= 2^-969; outside, powSlow
		for i, x := range xs {
			h := float64(x * x)
			l := math.FMA(x, x, -h)
			var v float64
			switch y {
			case 3:
				v = math.FMA(x, h, float64(x*l))
			case 4:
				v = math.FMA(h, h, float64(2*h*l))
			default: // 1/(h+l) = q(1+e), e = 1 - qh - ql
				q := 1 / h
				v = math.FMA(q, math.FMA(-q, h, 1)-float64(q*l), q)
			}
			if av := math.Abs(v); !(h >= 0x1p-969 && av >= 0x1p-969 && av <= math.MaxFloat64) {
				v = powSlow(x, y) // NaN, 0, Inf, overflow, tiny results
			}
			dst[i] = v
		}
	}
}

// powFloat sets d[i] = a[i]**b[i] for either float width.
func powFloat[T float](d, a, b []T) {
	a, b = a[:len(d)], b[:len(d)]
	if len(d) == 0 {
		return
	}
	var z T
	if unsafe.Sizeof(z) == 8 {
		powSlice(unsafe.Slice((*float64)(unsafe.Pointer(&d[0])), len(d)),
			unsafe.Slice((*float64)(unsafe.Pointer(&a[0])), len(a)),
			unsafe.Slice((*float64)(unsafe.Pointer(&b[0])), len(b)))
		return
	}
	var bx, by [512]float64
	for len(d) > 0 {
		n := min(len(d), len(bx))
		for i := range n {
			bx[i], by[i] = float64(a[i]), float64(b[i])
		}
		powSlice(bx[:n], bx[:n], by[:n])
		for i := range n {
			d[i] = T(bx[i])
		}
		d, a, b = d[n:], a[n:], b[n:]
	}
}

// powConstFloat sets d[i] = a[i]**y for either float width, y one of
// powRewritten's exponents (for float32, a float32 value).
func powConstFloat[T float](d, a []T, y float64) {
	a = a[:len(d)]
	if len(d) == 0 {
		return
	}
	var z T
	if unsafe.Sizeof(z) == 8 {
		powConst(unsafe.Slice((*float64)(unsafe.Pointer(&d[0])), len(d)),
			unsafe.Slice((*float64)(unsafe.Pointer(&a[0])), len(a)), y)
		return
	}
	var bx [512]float64
	for len(d) > 0 {
		n := min(len(d), len(bx))
		for i := range n {
			bx[i] = float64(a[i])
		}
		powConst(bx[:n], bx[:n], y)
		for i := range n {
			d[i] = T(bx[i])
		}
		d, a = d[n:], a[n:]
	}
}

// powTables are pow's tables, indexed by j = 0..127 (pow_table.go):
// for z in the j-th 128th of [0x1.69555p-1, 0x1.69555p+0) (by bits),
// invc ≈ 1/c with 8 significant bits (1 where the interval holds 1),
// log(c) = logc + logctail with logc a multiple of 2^-43; and 2^(j/128) =
// H_j (1 + tail[j]) with sbits[j] = bits(H_j) - j<<45.
type powTables struct {
	invc, logc, logctail, tail [128]float64
	sbits                      [128]uint64
}
