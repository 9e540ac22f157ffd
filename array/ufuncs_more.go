package array

import (
	"math"

	"github.com/blockwork-dev/blockwork/graph"
)

// More of NumPy's ufuncs: angle conversion, exp2, the log-sum-exps,
// heaviside, the NaN-ignoring fmax and fmin, nan_to_num, sinc, signbit
// and copysign. Each is one elementwise layer whose program is made of
// the existing element operations (no op of its own, so it fuses and
// runs on every executor). Dtypes follow NumPy (NEP 50 for weak Go
// scalars): the float-only ufuncs compute integers in float64 and bool
// in float32 (NumPy's float16), as Sin does; float32 stays float32.

// floatUnary is a float-only unary ufunc: x cast to its float dtype, then
// build.
func floatUnary(name string, x *Array, build func(p *pb, dt graph.DType, a int32) int32) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := floatOf(x.nd.dtype)
	return unaryNode(name, x.nd, dt, func(p *pb, r int32) int32 {
		return build(p, dt, p.cast(r, dt))
	})
}

// floatBinary is a float-only binary ufunc: x and y broadcast and cast to
// the float dtype of their result type, then build.
func floatBinary(name string, x, y *Array, build func(p *pb, dt graph.DType, a, b int32) int32) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	dt := floatOf(resultType(x, y))
	return elementwise(name, dt, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		return build(p, dt, p.cast(r[0], dt), p.cast(r[1], dt))
	})
}

// ---- angles and powers of two

// Deg2rad converts degrees to radians, x * (π/180), as np.deg2rad (-0
// stays -0, NaN and ±Inf pass through).
func (x *Array) Deg2rad() *Array {
	return floatUnary("deg2rad", x, func(p *pb, dt graph.DType, a int32) int32 {
		return p.op(graph.OpMul, dt, a, p.konst(dt, math.Pi/180))
	})
}

// Radians is Deg2rad (np.radians).
func (x *Array) Radians() *Array { return x.Deg2rad() }

// Rad2deg converts radians to degrees, x * (180/π), as np.rad2deg: for
// float32 the factor is NumPy's 180.0f/NPY_PIf, a float32 division
// (57.295776, one ulp below 180/π rounded to float32).
func (x *Array) Rad2deg() *Array {
	return floatUnary("rad2deg", x, func(p *pb, dt graph.DType, a int32) int32 {
		return p.op(graph.OpMul, dt, a, p.konst(dt, rad2degFactor(dt)))
	})
}

// rad2degFactor is 180/π as NumPy's npymath computes it in dt.
func rad2degFactor(dt graph.DType) float64 {
	if dt == graph.Float32 {
		num, pi := float32(180), float32(math.Pi)
		return float64(num / pi)
	}
	return 180 / math.Pi
}

// Degrees is Rad2deg (np.degrees).
func (x *Array) Degrees() *Array { return x.Rad2deg() }

// Exp2 is 2**x, as np.exp2: exact at integers in range, 0 at -Inf, +Inf
// at +Inf, NaN for NaN. It is Pow with base 2 in x's float dtype.
func (x *Array) Exp2() *Array {
	return floatUnary("exp2", x, func(p *pb, dt graph.DType, a int32) int32 {
		return p.op(graph.OpPow, dt, p.konst(dt, 2), a)
	})
}

// ---- log-sum-exp

// logAddExp is NumPy's npy_logaddexp (two: npy_logaddexp2): where x == y
// (equal infinities included) x + log(2) (x + 1); else the larger plus
// log1p(exp(-|x - y|)) (times log2(e) after 2**-|x - y|); NaN if either
// is NaN. Max propagates NaN, and x - y of opposite infinities is ±Inf,
// whose exp is 0.
func logAddExp(name string, two bool, x, y *Array) *Array {
	return floatBinary(name, x, y, func(p *pb, dt graph.DType, a, b int32) int32 {
		nd := p.op(graph.OpNeg, dt, p.op(graph.OpAbs, dt, p.op(graph.OpSub, dt, a, b)))
		var t, same int32
		if two {
			e := p.op(graph.OpPow, dt, p.konst(dt, 2), nd)
			t = p.op(graph.OpMul, dt, p.konst(dt, math.Log2E), p.op(graph.OpLog1p, dt, e))
			same = p.op(graph.OpAdd, dt, a, p.konst(dt, 1))
		} else {
			t = p.op(graph.OpLog1p, dt, p.op(graph.OpExp, dt, nd))
			same = p.op(graph.OpAdd, dt, a, p.konst(dt, math.Ln2))
		}
		r := p.op(graph.OpAdd, dt, p.op(graph.OpMax, dt, a, b), t)
		return p.op(graph.OpWhere, dt, p.op(graph.OpEq, graph.Bool, a, b), same, r)
	})
}

// Logaddexp is log(exp(x) + exp(y)) without overflow, as np.logaddexp:
// max(x, y) + log1p(exp(-|x - y|)); Logaddexp(-Inf, -Inf) is -Inf,
// Logaddexp(Inf, Inf) and Logaddexp(Inf, -Inf) are Inf, NaN propagates.
func Logaddexp(x, y *Array) *Array { return logAddExp("logaddexp", false, x, y) }

// Logaddexp2 is log2(2**x + 2**y) without overflow, as np.logaddexp2:
// max(x, y) + log2(1 + 2**-|x - y|), with Logaddexp's infinities.
func Logaddexp2(x, y *Array) *Array { return logAddExp("logaddexp2", true, x, y) }

// ---- step, NaN-ignoring extremes

// Heaviside is the step function, as np.heaviside(x, h0): 0 where x < 0,
// h0 where x == 0 (either zero), 1 where x > 0, NaN where x is NaN; x and
// h0 broadcast. Float-only, as NumPy: integers give float64.
func Heaviside(x, h0 *Array) *Array {
	return floatBinary("heaviside", x, h0, func(p *pb, dt graph.DType, a, h int32) int32 {
		r := p.op(graph.OpWhere, dt, p.op(graph.OpLt, graph.Bool, a, p.konst(dt, 0)), p.konst(dt, 0), p.konst(dt, 1))
		r = p.op(graph.OpWhere, dt, p.op(graph.OpEq, graph.Bool, a, p.konst(dt, 0)), h, r)
		return p.op(graph.OpWhere, dt, p.op(graph.OpIsNaN, graph.Bool, a), p.konst(dt, math.NaN()), r)
	})
}

// fext is Fmax (OpMax) or Fmin (OpMin): "x >= y || isnan(y) ? x : y"
// (<= for fmin), so a NaN loses to a number and a tie (±0) keeps x.
func fext(name string, op graph.ElemOp, x, y *Array) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	dt := resultType(x, y)
	if err := weakOverflow(name, dt, x, y); err != nil {
		return errArray(err)
	}
	return elementwise(name, dt, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		a, b := p.cast(r[0], dt), p.cast(r[1], dt)
		m := p.op(op, dt, a, b)
		if !dt.IsFloat() {
			return m
		}
		m = p.op(graph.OpWhere, dt, p.op(graph.OpIsNaN, graph.Bool, a), b, m)
		return p.op(graph.OpWhere, dt, p.op(graph.OpIsNaN, graph.Bool, b), a, m)
	})
}

// Fmax is the elementwise maximum ignoring NaN, as np.fmax: NaN only
// where both are NaN. Of two zeros it gives the first (Fmax(-0, 0) is -0,
// as Maximum's ties; NumPy leaves that to C's fmax or its SIMD loop,
// which do not specify it). Integers and bool as Maximum (bool: logical
// or), in the dtype of Maximum.
func Fmax(x, y *Array) *Array { return fext("fmax", graph.OpMax, x, y) }

// Fmin is the elementwise minimum ignoring NaN, as np.fmin: NaN only
// where both are NaN; of two zeros the first (see Fmax).
func Fmin(x, y *Array) *Array { return fext("fmin", graph.OpMin, x, y) }

// ---- NaN and infinities

// NanToNum replaces NaN with nan, +Inf with posinf and -Inf with neginf,
// as np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf). NumPy's
// defaults (None) are asked for with posinf = +Inf and neginf = -Inf (the
// values that would change nothing): the largest finite value of x's
// dtype and its negative. The other values are converted to x's dtype
// (1e300 in a float32 array is +Inf, as NumPy's assignment makes it).
// Integers and bool are returned unchanged (NumPy copies them).
func (x *Array) NanToNum(nan, posinf, neginf float64) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := x.nd.dtype
	if !dt.IsFloat() {
		return x
	}
	big := math.MaxFloat64
	if dt == graph.Float32 {
		big = math.MaxFloat32
	}
	if math.IsInf(posinf, 1) {
		posinf = big
	}
	if math.IsInf(neginf, -1) {
		neginf = -big
	}
	return unaryNode("nan_to_num", x.nd, dt, func(p *pb, a int32) int32 {
		r := p.op(graph.OpWhere, dt, p.op(graph.OpIsNaN, graph.Bool, a), p.konst(dt, nan), a)
		inf := p.op(graph.OpWhere, dt, p.op(graph.OpGt, graph.Bool, a, p.konst(dt, 0)), p.konst(dt, posinf), p.konst(dt, neginf))
		return p.op(graph.OpWhere, dt, p.op(graph.OpIsInf, graph.Bool, a), inf, r)
	})
}

// Sinc is the normalised sinc, sin(πx)/(πx), with 1 at x == 0 (either
// zero), as np.sinc (which divides at π·1e-20 instead, giving 1): NaN for
// NaN and ±Inf. np.sinc is not a ufunc: integers and bool give float64
// (float32 stays float32).
func (x *Array) Sinc() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := graph.Float64
	if x.nd.dtype == graph.Float32 {
		dt = graph.Float32
	}
	return unaryNode("sinc", x.nd, dt, func(p *pb, r int32) int32 {
		a := p.cast(r, dt)
		y := p.op(graph.OpMul, dt, p.konst(dt, math.Pi), a)
		s := p.op(graph.OpDiv, dt, p.op(graph.OpSin, dt, y), y)
		return p.op(graph.OpWhere, dt, p.op(graph.OpEq, graph.Bool, a, p.konst(dt, 0)), p.konst(dt, 1), s)
	})
}

// ---- sign bits

// signbit emits the sign bit of a (dtype dt) as a bool register: a < 0,
// or a zero whose reciprocal is -Inf. A NaN counts as positive.
func signbit(p *pb, dt graph.DType, a int32) int32 {
	if !dt.IsFloat() {
		return p.op(graph.OpLt, graph.Bool, p.cast(a, graph.Int64), p.konstInt(graph.Int64, 0))
	}
	zero := p.konst(dt, 0)
	neg := p.op(graph.OpLt, graph.Bool, a, zero)
	negZero := p.op(graph.OpAnd, graph.Bool,
		p.op(graph.OpEq, graph.Bool, a, zero),
		p.op(graph.OpLt, graph.Bool, p.op(graph.OpDiv, dt, p.konst(dt, 1), a), zero))
	return p.op(graph.OpOr, graph.Bool, neg, negZero)
}

// Signbit reports a set sign bit elementwise (bool), as np.signbit: true
// for negative numbers, -0 and -Inf, false for bool. Difference: a NaN
// is always false (NumPy reads the NaN's sign bit; no element operation
// here can see it).
func (x *Array) Signbit() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := x.nd.dtype
	return unaryNode("signbit", x.nd, graph.Bool, func(p *pb, r int32) int32 { return signbit(p, dt, r) })
}

// CopySign is |x| with the sign of y, elementwise and broadcast, as
// np.copysign: CopySign(1, -0) is -1, CopySign(NaN, -1) is a NaN with the
// sign bit set. Float-only (integers give float64). Difference: a NaN y
// counts as positive (see Signbit).
func CopySign(x, y *Array) *Array {
	return floatBinary("copysign", x, y, func(p *pb, dt graph.DType, a, b int32) int32 {
		m := p.op(graph.OpAbs, dt, a)
		return p.op(graph.OpWhere, dt, signbit(p, dt, b), p.op(graph.OpNeg, dt, m), m)
	})
}
