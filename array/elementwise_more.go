package array

import (
	"github.com/blockwork-dev/blockwork/graph"
)

// More elementwise operations, with NumPy's semantics for every dtype.
// Where NumPy would give int8 or float16 (dtypes Blockwork does not have),
// bool operands give int64 (as Pow and FloorDiv do) or float32 (as the
// math functions do).

// ---- clipping and rounding

// Clip limits x to [lo, hi]: Minimum(Maximum(x, lo), hi) in the dtype of
// all three (NEP 50: lo and hi may be weak scalars such as Float(0)). A
// nil bound is no bound (not both). NaN in any operand gives NaN; where
// lo > hi the result is hi, as NumPy.
func (x *Array) Clip(lo, hi *Array) *Array {
	if lo == nil && hi == nil {
		if err := x.Err(); err != nil {
			return errArray(err)
		}
		return errorf("clip", "one of lo and hi must be given (shape %s)", shapeStr(x.nd.shape))
	}
	xs := []*Array{x}
	if lo != nil {
		xs = append(xs, lo)
	}
	if hi != nil {
		xs = append(xs, hi)
	}
	if err := firstErr(xs...); err != nil {
		return errArray(err)
	}
	dt := resultType(xs...)
	return elementwise("clip", dt, xs, "", func(p *pb, r []int32) int32 {
		v := p.cast(r[0], dt)
		k := 1
		if lo != nil {
			v = p.op(graph.OpMax, dt, v, p.cast(r[k], dt))
			k++
		}
		if hi != nil {
			v = p.op(graph.OpMin, dt, v, p.cast(r[k], dt))
		}
		return v
	})
}

// rounding applies a float rounding op; integers and bool pass through
// unchanged (NumPy 2.3 and later keep their dtype).
func rounding(name string, op graph.ElemOp, x *Array) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := x.nd.dtype
	if !dt.IsFloat() {
		return x
	}
	return unaryNode(name, x.nd, dt, func(p *pb, r int32) int32 { return p.op(op, dt, r) })
}

// Floor is the largest integer <= x (floats keep their dtype: -0.5 gives
// -0; integers and bool are returned unchanged).
func (x *Array) Floor() *Array { return rounding("floor", graph.OpFloor, x) }

// Ceil is the smallest integer >= x (-0.5 gives -0).
func (x *Array) Ceil() *Array { return rounding("ceil", graph.OpCeil, x) }

// Trunc rounds toward zero.
func (x *Array) Trunc() *Array { return rounding("trunc", graph.OpTrunc, x) }

// Round rounds to the nearest integer, halves to even (NumPy's round with
// decimals=0: 0.5 gives 0, 1.5 and 2.5 give 2, -0.5 gives -0). Integers
// are returned unchanged; bool gives float32, as NumPy's rint (float16).
func (x *Array) Round() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if x.nd.dtype.IsInt() {
		return x
	}
	return mathUnary("round", graph.OpRound, x)
}

// ---- sign, reciprocal

// Sign is -1, 0 or 1 in x's dtype (NaN gives NaN, ±0 gives +0); bool
// gives int64.
func (x *Array) Sign() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := x.nd.dtype
	if dt == graph.Bool {
		dt = graph.Int64
	}
	return unaryNode("sign", x.nd, dt, func(p *pb, r int32) int32 { return p.op(graph.OpSign, dt, p.cast(r, dt)) })
}

// Reciprocal is 1/x in x's dtype. Integers follow NumPy's loop (1.0/x
// converted back): 1 and -1 give themselves, other nonzero values 0, and
// 0 the minimum of the dtype (NumPy: an overflow, the minimum on x86).
// Bool gives int64 (true: 1; false: the minimum int64).
func (x *Array) Reciprocal() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := x.nd.dtype
	if dt.IsFloat() {
		return unaryNode("reciprocal", x.nd, dt, func(p *pb, r int32) int32 {
			return p.op(graph.OpDiv, dt, p.konst(dt, 1), r)
		})
	}
	out := dt
	if out == graph.Bool {
		out = graph.Int64
	}
	return unaryNode("reciprocal", x.nd, out, func(p *pb, r int32) int32 {
		q := p.op(graph.OpDiv, graph.Float64, p.konst(graph.Float64, 1), p.cast(r, graph.Float64))
		return p.cast(q, out) // ±Inf to an integer is the minimum
	})
}

// ---- more math (integers compute in float64, bool in float32)

// Log1p is log(1 + x), accurate near 0.
func (x *Array) Log1p() *Array { return mathUnary("log1p", graph.OpLog1p, x) }

// Expm1 is exp(x) - 1, accurate near 0.
func (x *Array) Expm1() *Array { return mathUnary("expm1", graph.OpExpm1, x) }

// Log2 is the base-2 logarithm (exact on powers of two).
func (x *Array) Log2() *Array { return mathUnary("log2", graph.OpLog2, x) }

// Log10 is the base-10 logarithm.
func (x *Array) Log10() *Array { return mathUnary("log10", graph.OpLog10, x) }

// Tan is the tangent.
func (x *Array) Tan() *Array { return mathUnary("tan", graph.OpTan, x) }

// Arcsin is the inverse sine (NaN outside [-1, 1]).
func (x *Array) Arcsin() *Array { return mathUnary("arcsin", graph.OpAsin, x) }

// Arccos is the inverse cosine (NaN outside [-1, 1]).
func (x *Array) Arccos() *Array { return mathUnary("arccos", graph.OpAcos, x) }

// Arctan is the inverse tangent.
func (x *Array) Arctan() *Array { return mathUnary("arctan", graph.OpAtan, x) }

// Sinh is the hyperbolic sine.
func (x *Array) Sinh() *Array { return mathUnary("sinh", graph.OpSinh, x) }

// Cosh is the hyperbolic cosine.
func (x *Array) Cosh() *Array { return mathUnary("cosh", graph.OpCosh, x) }

// Arcsinh is the inverse hyperbolic sine.
func (x *Array) Arcsinh() *Array { return mathUnary("arcsinh", graph.OpAsinh, x) }

// Arccosh is the inverse hyperbolic cosine (NaN below 1).
func (x *Array) Arccosh() *Array { return mathUnary("arccosh", graph.OpAcosh, x) }

// Arctanh is the inverse hyperbolic tangent (±Inf at ±1, NaN outside).
func (x *Array) Arctanh() *Array { return mathUnary("arctanh", graph.OpAtanh, x) }

func mathBinary(name string, op graph.ElemOp, x, y *Array) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	dt := floatOf(resultType(x, y))
	return elementwise(name, dt, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		return p.op(op, dt, p.cast(r[0], dt), p.cast(r[1], dt))
	})
}

// Arctan2 is the angle of the point (x, y) in [-π, π], with C's signed
// zeros and infinities (Arctan2(0, -0) is π).
func Arctan2(y, x *Array) *Array { return mathBinary("arctan2", graph.OpAtan2, y, x) }

// Hypot is sqrt(x² + y²) without overflow on the way (Inf if either is
// infinite, even with a NaN).
func Hypot(x, y *Array) *Array { return mathBinary("hypot", graph.OpHypot, x, y) }

// ---- floating-point classes (bool results)

func predicate(name string, op graph.ElemOp, x *Array) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	return unaryNode(name, x.nd, graph.Bool, func(p *pb, r int32) int32 { return p.op(op, graph.Bool, r) })
}

// IsNaN reports NaN elementwise (never for integers and bool).
func (x *Array) IsNaN() *Array { return predicate("isnan", graph.OpIsNaN, x) }

// IsInf reports ±Inf elementwise.
func (x *Array) IsInf() *Array { return predicate("isinf", graph.OpIsInf, x) }

// IsFinite reports neither NaN nor ±Inf (always for integers and bool).
func (x *Array) IsFinite() *Array { return predicate("isfinite", graph.OpIsFinite, x) }

// ---- remainder and floor division

// Mod is NumPy's remainder x % y, with the sign of y: x - floor(x/y)*y.
// Integers: x % 0 == 0 (as NumPy), the minimum % -1 == 0. Floats: fmod
// moved to y's sign (-1 % 3 == 2, 1 % -inf == -inf, -1 % inf == inf,
// x % 0 and ±Inf % y are NaN, a zero result has y's sign). Bool gives
// int64.
func (x *Array) Mod(y *Array) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	dt := resultType(x, y)
	if dt == graph.Bool {
		dt = graph.Int64
	}
	return elementwise("remainder", dt, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		return p.op(graph.OpMod, dt, p.cast(r[0], dt), p.cast(r[1], dt))
	})
}

// floorDivFloat is FloorDiv of floats: NumPy's floor_divide, the quotient
// of divmod ((x - fmod(x, y)) / y, floored and snapped to the nearest
// integer), so that x == (x // y) * y + x % y as nearly as rounding
// allows. x // 0 is x / 0 (±Inf, NaN for 0 and NaN); 1 // inf is 0,
// -1 // inf is -1, inf // y is NaN.
func floorDivFloat(x, y *Array, dt graph.DType) *Array {
	return elementwise("floordiv", dt, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		return p.op(graph.OpFloorDiv, dt, p.cast(r[0], dt), p.cast(r[1], dt))
	})
}

// ---- bitwise (integers and bool)

func bitwise(name string, op graph.ElemOp, x, y *Array) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	dt := resultType(x, y)
	if dt.IsFloat() {
		return errorf(name, "not supported for %v (shapes %s); only integers and bool", dt, shapesStr(x, y))
	}
	if dt == graph.Bool && (op == graph.OpShl || op == graph.OpShr) {
		dt = graph.Int64 // NumPy shifts bool as int8
	}
	return elementwise(name, dt, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		return p.op(op, dt, p.cast(r[0], dt), p.cast(r[1], dt))
	})
}

// BitwiseAnd is x & y (bool: logical and).
func (x *Array) BitwiseAnd(y *Array) *Array { return bitwise("bitwise_and", graph.OpBitAnd, x, y) }

// BitwiseOr is x | y (bool: logical or).
func (x *Array) BitwiseOr(y *Array) *Array { return bitwise("bitwise_or", graph.OpBitOr, x, y) }

// BitwiseXor is x ^ y (bool: logical xor).
func (x *Array) BitwiseXor(y *Array) *Array { return bitwise("bitwise_xor", graph.OpBitXor, x, y) }

// LeftShift is x << y, wrapping; a count outside [0, bits of the dtype)
// gives 0 (NumPy: int64 1 << 64 is 0, so is 1 << -1). Bool operands shift
// as int64.
func (x *Array) LeftShift(y *Array) *Array { return bitwise("left_shift", graph.OpShl, x, y) }

// RightShift is the arithmetic x >> y; a count outside [0, bits) gives 0,
// or -1 for negative x (NumPy). Bool operands shift as int64.
func (x *Array) RightShift(y *Array) *Array { return bitwise("right_shift", graph.OpShr, x, y) }

// Invert is ~x: bitwise not of integers (-x - 1), logical not of bool.
func (x *Array) Invert() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := x.nd.dtype
	if dt.IsFloat() {
		return errorf("invert", "not supported for %v (shape %s); only integers and bool", dt, shapeStr(x.nd.shape))
	}
	return unaryNode("invert", x.nd, dt, func(p *pb, r int32) int32 { return p.op(graph.OpBitNot, dt, r) })
}
