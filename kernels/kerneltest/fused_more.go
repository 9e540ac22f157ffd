package kerneltest

// The reference of the instructions added after Where (rounding, sign,
// more math, predicates, remainder and floor division, bitwise and
// shifts), written apart from the CPU kernels: NumPy's semantics element
// by element in float64 / int64, exact rationals for fmod, hand-written
// round-half-even, atan2 and hypot, and error bounds as in floatRef.

import (
	"fmt"
	"math"
	"math/big"

	"github.com/blockwork-dev/blockwork/graph"
)

// predicateRef is IsNaN, IsInf or IsFinite of a value of dtype dt.
func predicateRef(op graph.ElemOp, dt graph.DType, a rval) rval {
	if !dt.IsFloat() { // integers and bool are finite
		return rval{i: b2i(op == graph.OpIsFinite)}
	}
	x := a.f
	if a.err > 0 && math.Abs(x)+2*a.err >= maxOf(dt) {
		return rval{unk: true} // a backend within the bound may overflow
	}
	nan, inf := x != x, math.IsInf(x, 0)
	switch op {
	case graph.OpIsNaN:
		return rval{i: b2i(nan)}
	case graph.OpIsInf:
		return rval{i: b2i(inf)}
	}
	return rval{i: b2i(!nan && !inf)}
}

// moreIntRef is intRef for the added ops (operands wrapped to dt; the
// caller wraps the result).
func moreIntRef(op graph.ElemOp, dt graph.DType, x, y int64) int64 {
	width := int64(8 * dt.Size())
	switch op {
	case graph.OpFloor, graph.OpCeil, graph.OpRound, graph.OpTrunc:
		return x
	case graph.OpSign:
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	case graph.OpBitNot:
		return -x - 1
	case graph.OpFloorDiv:
		return intRef(graph.OpDiv, dt, x, y)
	case graph.OpMod: // x - (x // y) * y; x % 0 == 0
		if y == 0 {
			return 0
		}
		return x - intRef(graph.OpDiv, dt, x, y)*y
	case graph.OpBitAnd:
		return x & y
	case graph.OpBitOr:
		return x | y
	case graph.OpBitXor:
		return x ^ y
	case graph.OpShl: // NumPy: counts outside [0, width) give 0
		if y < 0 || y >= width {
			return 0
		}
		return x << y
	case graph.OpShr: // ... and the sign for >>
		if y < 0 || y >= width {
			if x < 0 {
				return -1
			}
			return 0
		}
		return x >> y
	}
	panic(fmt.Sprintf("kerneltest: no reference for %v on %v", op, dt))
}

// roundHalfEven rounds to the nearest integer, ties to even, keeping the
// sign of zero (C's rint).
func roundHalfEven(x float64) float64 {
	if x != x || math.IsInf(x, 0) {
		return x
	}
	r := math.Floor(x)
	d := x - r // exact
	if d > 0.5 || d == 0.5 && math.Floor(r/2)*2 != r {
		r++
	}
	if r == 0 {
		return math.Copysign(0, x)
	}
	return r
}

// asinRef uses fdlibm's reduction near ±1 (math.Asin loses accuracy there).
func asinRef(x float64) float64 {
	if !(math.Abs(x) > 0.5) {
		return math.Asin(x)
	}
	if math.Abs(x) > 1 {
		return math.NaN()
	}
	return math.Copysign(math.Pi/2-2*math.Asin(math.Sqrt((1-math.Abs(x))/2)), x)
}

func acosRef(x float64) float64 {
	switch {
	case x != x || math.Abs(x) > 1:
		return math.NaN()
	case x > 0.5:
		return 2 * math.Asin(math.Sqrt((1-x)/2))
	case x < -0.5:
		return math.Pi - 2*math.Asin(math.Sqrt((1+x)/2))
	}
	return math.Pi/2 - math.Asin(x)
}

// atan2Ref is C99's atan2(y, x) from atan of the smaller ratio.
func atan2Ref(y, x float64) float64 {
	switch {
	case y != y || x != x:
		return math.NaN()
	case math.IsInf(x, 0) && math.IsInf(y, 0):
		if x < 0 {
			return math.Copysign(3*math.Pi/4, y)
		}
		return math.Copysign(math.Pi/4, y)
	case math.IsInf(x, 1):
		return math.Copysign(0, y)
	case math.IsInf(x, -1):
		return math.Copysign(math.Pi, y)
	case math.IsInf(y, 0):
		return math.Copysign(math.Pi/2, y)
	case y == 0:
		if x > 0 || x == 0 && !math.Signbit(x) {
			return y
		}
		return math.Copysign(math.Pi, y)
	case x == 0:
		return math.Copysign(math.Pi/2, y)
	case math.Abs(y) <= math.Abs(x):
		r := math.Atan(y / x)
		if x < 0 {
			r += math.Copysign(math.Pi, y)
		}
		return r
	}
	return math.Copysign(math.Pi/2, y) - math.Atan(x/y)
}

// hypotRef scales both by the larger one's power of two (exact).
func hypotRef(x, y float64) float64 {
	switch {
	case math.IsInf(x, 0) || math.IsInf(y, 0):
		return math.Inf(1)
	case x != x || y != y:
		return math.NaN()
	}
	m := math.Max(math.Abs(x), math.Abs(y))
	if m == 0 {
		return 0
	}
	_, e := math.Frexp(m)
	xs, ys := math.Ldexp(x, -e), math.Ldexp(y, -e)
	return math.Ldexp(math.Sqrt(xs*xs+ys*ys), e)
}

// fmodRef is C's fmod by exact rationals: x - trunc(x/y)*y, the sign of x.
func fmodRef(x, y float64) float64 {
	switch {
	case x != x || y != y || math.IsInf(x, 0) || y == 0:
		return math.NaN()
	case math.IsInf(y, 0):
		return x
	}
	rx, ry := new(big.Rat).SetFloat64(x), new(big.Rat).SetFloat64(y)
	q := new(big.Rat).Quo(rx, ry)
	t := new(big.Int).Quo(q.Num(), q.Denom()) // truncates toward zero
	r := new(big.Rat).Sub(rx, new(big.Rat).Mul(new(big.Rat).SetInt(t), ry))
	f, _ := r.Float64() // exact: |r| < |y| on y's grid
	if f == 0 {
		return math.Copysign(0, x)
	}
	return f
}

// divmodRef is NumPy's npy_divmod / npy_floor_divide / npy_remainder
// with every operation rounded to dt: the floor quotient and the
// remainder with the sign of y.
func divmodRef(dt graph.DType, x, y float64) (div, mod float64) {
	r := func(v float64) float64 { return roundTo(dt, v) }
	mod = fmodRef(x, y)
	if y == 0 {
		return r(x / y), mod
	}
	div = r(r(x-mod) / y)
	if mod != 0 { // NaN too, as in C
		if (y < 0) != (mod < 0) {
			mod = r(mod + y)
			div = r(div - 1)
		}
	} else {
		mod = math.Copysign(0, y)
	}
	if div != 0 {
		q := math.Floor(div)
		if div-q > 0.5 {
			q++
		}
		return q, mod
	}
	return math.Copysign(0, r(x/y)), mod
}

var moreFuncs = map[graph.ElemOp]func(float64) float64{
	graph.OpLog1p: math.Log1p,
	graph.OpExpm1: math.Expm1,
	graph.OpLog2:  func(x float64) float64 { return math.Log(x) / math.Ln2 },
	graph.OpLog10: func(x float64) float64 { return math.Log(x) / math.Ln10 },
	graph.OpTan:   math.Tan,
	graph.OpAsin:  asinRef,
	graph.OpAcos:  acosRef,
	graph.OpAtan:  math.Atan,
	graph.OpSinh:  math.Sinh,
	graph.OpCosh:  math.Cosh,
	graph.OpAsinh: math.Asinh,
	graph.OpAcosh: math.Acosh,
	graph.OpAtanh: math.Atanh,
}

// moreFloatRef is floatRef for the added ops.
func moreFloatRef(op graph.ElemOp, dt graph.DType, a, b rval) rval {
	x, y := a.f, b.f
	ex, ey := a.err, b.err
	u := eps(dt)
	exact := ex == 0 && ey == 0
	switch op {
	case graph.OpFloor, graph.OpCeil, graph.OpRound, graph.OpTrunc:
		f := map[graph.ElemOp]func(float64) float64{graph.OpFloor: math.Floor, graph.OpCeil: math.Ceil,
			graph.OpRound: roundHalfEven, graph.OpTrunc: math.Trunc}[op]
		// monotone steps: decided when both ends of the bound agree (sign
		// of zero included)
		if ex > 0 && math.Float64bits(f(x-2*ex)) != math.Float64bits(f(x+2*ex)) {
			return rval{unk: true}
		}
		return rval{f: f(x)}
	case graph.OpSign:
		switch {
		case x != x:
			return rval{f: x}
		case ex > 0 && !(math.Abs(x) > 2*ex):
			return rval{unk: true}
		case x > 0:
			return rval{f: 1}
		case x < 0:
			return rval{f: -1}
		}
		return rval{f: 0}
	case graph.OpFloorDiv, graph.OpMod:
		if !exact { // steps in both operands
			return rval{unk: true}
		}
		div, mod := divmodRef(dt, x, y)
		if op == graph.OpMod {
			return rval{f: mod}
		}
		return rval{f: div}
	case graph.OpAtan2: // a is y, b is x
		v := roundTo(dt, atan2Ref(x, y))
		if exact {
			if v != v {
				return rval{f: v}
			}
			return finish(dt, v, 8*u*math.Abs(v), false)
		}
		// moving the point by at most ex+ey turns it by at most that over
		// its least distance from the origin; none across the cut y = 0, x < 0
		rmin := math.Hypot(math.Max(math.Abs(x)-ex, 0), math.Max(math.Abs(y)-ey, 0))
		if !(rmin > 0) || math.Abs(x) <= 2*ex && y-2*ey < 0 {
			return rval{unk: true}
		}
		return finish(dt, v, 2*(ex+ey)/rmin+8*u*math.Abs(v), true)
	case graph.OpHypot:
		v := roundTo(dt, hypotRef(x, y))
		if exact {
			switch {
			case math.IsInf(v, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0):
				return rval{unk: true} // an overflow: near the edge it may go either way
			case v != v || math.IsInf(v, 0):
				return rval{f: v}
			}
			return finish(dt, v, 8*u*v, false)
		}
		return finish(dt, v, ex+ey+8*u*v, true) // 1-Lipschitz
	}
	f := moreFuncs[op]
	if f == nil {
		panic(fmt.Sprintf("kerneltest: no reference for %v on %v", op, dt))
	}
	v := roundTo(dt, f(x))
	k := 8 * u * math.Abs(v) // a few ulps
	if op == graph.OpTan {
		k = 8 * u * (math.Abs(v) + 1)
	}
	if exact {
		switch {
		case v != v: // outside the domain
			return rval{f: v}
		case math.IsInf(v, 0):
			// poles are exact; overflows must be clear of the edge
			if grows := op == graph.OpSinh || op == graph.OpCosh || op == graph.OpExpm1; grows && !math.IsInf(x, 0) &&
				!math.IsInf(roundTo(dt, f(x*(1-1e-6))), 0) {
				return rval{unk: true}
			}
			return rval{f: v}
		}
		return finish(dt, v, k, false)
	}
	// monotone over the bound (cosh: also its minimum at 0; tan: no pole
	// inside, where it would decrease)
	lo, hi := f(x-ex), f(x+ex)
	if lo != lo || hi != hi || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return rval{unk: true}
	}
	if op == graph.OpTan && (ex >= 1 || math.Floor((x-ex-math.Pi/2)/math.Pi) != math.Floor((x+ex-math.Pi/2)/math.Pi)) {
		return rval{unk: true} // a pole inside
	}
	spread := math.Max(math.Abs(lo-v), math.Abs(hi-v))
	if op == graph.OpCosh && x-ex < 0 && x+ex > 0 {
		spread = math.Max(spread, math.Abs(1-v))
	}
	return finish(dt, v, spread+k, true)
}
