package cpu

import (
	"errors"
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// The typed tile loops of the fused interpreter. Each function applies one
// instruction to n elements; the reference each must equal is the
// element-by-element float64 (or int64) loop in kerneltest.

type float interface{ ~float32 | ~float64 }

type integer interface{ ~int32 | ~int64 }

// ErrNegativePower is returned for an integer raised to a negative integer
// power (NumPy raises ValueError there).
var ErrNegativePower = errors.New("integers to negative integer powers are not allowed")

func view[T device.Number](p []byte, n int) []T { return device.ViewBytes[T](p)[:n] }

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// ---- unary

func unaryFloat[T float](op graph.ElemOp, d, a []T) error {
	a = a[:len(d)]
	switch op {
	case graph.OpNeg:
		for i := range d {
			d[i] = -a[i]
		}
	case graph.OpAbs:
		for i := range d {
			d[i] = T(math.Abs(float64(a[i])))
		}
	case graph.OpSqrt:
		for i := range d {
			d[i] = T(math.Sqrt(float64(a[i])))
		}
	case graph.OpExp:
		fastUnary(fastExp, d, a)
	case graph.OpLog:
		fastUnary(fastLog, d, a)
	case graph.OpSin:
		fastUnary(fastSin, d, a)
	case graph.OpCos:
		fastUnary(fastCos, d, a)
	case graph.OpTanh:
		fastUnary(fastTanh, d, a)
	case graph.OpSign:
		for i := range d {
			d[i] = signFloat(a[i])
		}
	// the rounding functions called directly, so that the compiler puts
	// its rounding instruction in the loop instead of a call through
	// floatFuncs for each element (same functions, same results)
	case graph.OpFloor:
		for i := range d {
			d[i] = T(math.Floor(float64(a[i])))
		}
	case graph.OpCeil:
		for i := range d {
			d[i] = T(math.Ceil(float64(a[i])))
		}
	case graph.OpRound:
		for i := range d {
			d[i] = T(math.RoundToEven(float64(a[i])))
		}
	case graph.OpTrunc:
		for i := range d {
			d[i] = T(math.Trunc(float64(a[i])))
		}
	default:
		var f func(float64) float64
		if int(op) < len(floatFuncs) {
			f = floatFuncs[op]
		}
		if f == nil {
			return fmt.Errorf("op %v not defined on floats", op)
		}
		// float32 rounds the float64 result once: exact for the rounding
		// functions, within an ulp of the true value for the others
		for i := range d {
			d[i] = T(f(float64(a[i])))
		}
	}
	return nil
}

// floatFuncs are the unary float ops that are one math function each.
var floatFuncs = [...]func(float64) float64{
	graph.OpFloor: math.Floor,
	graph.OpCeil:  math.Ceil,
	graph.OpRound: math.RoundToEven,
	graph.OpTrunc: math.Trunc,
	graph.OpLog1p: math.Log1p,
	graph.OpExpm1: math.Expm1,
	graph.OpLog2:  log2,
	graph.OpLog10: log10,
	graph.OpTan:   math.Tan,
	graph.OpAsin:  asin,
	graph.OpAcos:  acos,
	graph.OpAtan:  math.Atan,
	graph.OpSinh:  math.Sinh,
	graph.OpCosh:  math.Cosh,
	graph.OpAsinh: math.Asinh,
	graph.OpAcosh: math.Acosh,
	graph.OpAtanh: math.Atanh,
}

// Go's math.Asin, Acos, Log2 and Log10 lose up to 10^5 ulps near 1
// (1 - x*x cancels; Log2 subtracts the exponent from a logarithm near 1):
// these stay within a few ulps everywhere.

// asin is atan2(x, sqrt((1-x)(1+x))): 1-x is exact near 1.
func asin(x float64) float64 { return math.Atan2(x, math.Sqrt((1-x)*(1+x))) }

// acos is atan2(sqrt((1-x)(1+x)), x).
func acos(x float64) float64 { return math.Atan2(math.Sqrt((1-x)*(1+x)), x) }

// log2 is exact on powers of two, log(x)/ln 2 elsewhere.
func log2(x float64) float64 {
	if frac, exp := math.Frexp(x); frac == 0.5 {
		return float64(exp - 1)
	}
	return math.Log(x) * (1 / math.Ln2)
}

// log10 is log(x)/ln 10, exact on the powers of ten that float64 holds
// (log10(1000) == 3, as C's log10 gives).
func log10(x float64) float64 {
	v := math.Log(x) * (1 / math.Ln10)
	if r := math.RoundToEven(v); r != v && math.Abs(v-r) < 1e-14*math.Max(math.Abs(r), 1) && math.Abs(r) <= 308 && math.Pow10(int(r)) == x {
		return r
	}
	return v
}

// signFloat is NumPy's sign: -1, 0 (+0 for ±0) or 1; NaN stays NaN.
func signFloat[T float](x T) T {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x
}

func unaryInt[T integer](op graph.ElemOp, d, a []T) error {
	a = a[:len(d)]
	switch op {
	case graph.OpNeg:
		for i := range d {
			d[i] = -a[i]
		}
	case graph.OpAbs:
		for i := range d {
			x := a[i]
			if x < 0 {
				x = -x
			}
			d[i] = x
		}
	case graph.OpFloor, graph.OpCeil, graph.OpRound, graph.OpTrunc: // integers already
		copy(d, a)
	case graph.OpSign:
		for i := range d {
			x := a[i]
			switch {
			case x > 0:
				d[i] = 1
			case x < 0:
				d[i] = -1
			default:
				d[i] = 0
			}
		}
	case graph.OpBitNot:
		for i := range d {
			d[i] = ^a[i]
		}
	default:
		return fmt.Errorf("op %v not defined on integers", op)
	}
	return nil
}

// predicate is IsNaN, IsInf or IsFinite of any dtype (integers and bool
// are always finite).
func predicate[T device.Number](op graph.ElemOp, d []uint8, a []T) error {
	a = a[:len(d)]
	switch op {
	case graph.OpIsNaN:
		for i := range d {
			d[i] = b2u(a[i] != a[i])
		}
	case graph.OpIsInf: // x - x is NaN for ±Inf and NaN, 0 otherwise
		for i := range d {
			x := a[i]
			d[i] = b2u(x == x && x-x != 0)
		}
	case graph.OpIsFinite:
		for i := range d {
			x := a[i]
			d[i] = b2u(x-x == 0)
		}
	default:
		return fmt.Errorf("op %v is not a predicate", op)
	}
	return nil
}

// ---- binary

// binaryConstFloat is d = a op c, or d = c op a when first, for Add, Sub,
// Mul and Div of a float array and a scalar: binaryFloat with the scalar's
// tile never read. It reports false for other ops, and where its vector
// kernels do not run (binaryFloat on the tile is faster then).
func binaryConstFloat[T float](op graph.ElemOp, d, a []T, c T, first bool) bool {
	if op2index(op) < 0 || !constVecOn() {
		// without its vector kernels, binaryFloat on the constant's
		// tile is the faster path
		return false
	}
	a = a[:len(d)]
	if k := binaryConstVec(op, d, a, c, first); k > 0 {
		d, a = d[k:], a[k:]
	}
	switch {
	case op == graph.OpAdd && !first:
		for i := range d {
			d[i] = a[i] + c
		}
	case op == graph.OpAdd:
		for i := range d {
			d[i] = c + a[i]
		}
	case op == graph.OpSub && !first:
		for i := range d {
			d[i] = a[i] - c
		}
	case op == graph.OpSub:
		for i := range d {
			d[i] = c - a[i]
		}
	case op == graph.OpMul && !first:
		for i := range d {
			d[i] = a[i] * c
		}
	case op == graph.OpMul:
		for i := range d {
			d[i] = c * a[i]
		}
	case op == graph.OpDiv && !first:
		for i := range d {
			d[i] = a[i] / c
		}
	default:
		for i := range d {
			d[i] = c / a[i]
		}
	}
	return true
}

// op2index numbers Add, Sub, Mul and Div 0 to 3, and anything else -1.
func op2index(op graph.ElemOp) int8 {
	switch op {
	case graph.OpAdd:
		return 0
	case graph.OpSub:
		return 1
	case graph.OpMul:
		return 2
	case graph.OpDiv:
		return 3
	}
	return -1
}

func binaryFloat[T float](op graph.ElemOp, d, a, b []T) error {
	a, b = a[:len(d)], b[:len(d)]
	if k := binaryVec(op, d, a, b); k > 0 {
		d, a, b = d[k:], a[k:], b[k:]
	}
	switch op {
	case graph.OpAdd:
		for i := range d {
			d[i] = a[i] + b[i]
		}
	case graph.OpSub:
		for i := range d {
			d[i] = a[i] - b[i]
		}
	case graph.OpMul:
		for i := range d {
			d[i] = a[i] * b[i]
		}
	case graph.OpDiv:
		for i := range d {
			d[i] = a[i] / b[i]
		}
	case graph.OpPow:
		powFloat(d, a, b)
	case graph.OpMax:
		for i := range d {
			d[i] = binaryMax(a[i], b[i])
		}
	case graph.OpMin:
		for i := range d {
			d[i] = binaryMin(a[i], b[i])
		}
	case graph.OpFloorDiv:
		for i := range d {
			d[i] = floorDivFloat(a[i], b[i])
		}
	case graph.OpMod:
		for i := range d {
			d[i] = modFloat(a[i], b[i])
		}
	case graph.OpAtan2:
		for i := range d {
			d[i] = T(math.Atan2(float64(a[i]), float64(b[i])))
		}
	case graph.OpHypot:
		for i := range d {
			d[i] = T(math.Hypot(float64(a[i]), float64(b[i])))
		}
	default:
		return fmt.Errorf("op %v not defined on floats", op)
	}
	return nil
}

// divmod is NumPy's npy_divmod for y != 0, computed in T as NumPy does
// for float32 and float64: the quotient floor((x - fmod(x, y)) / y)
// snapped to the nearest integer, and the remainder fmod(x, y) moved to
// the sign of y. NaN counts as nonzero, as in C.
func divmod[T float](x, y T) (div, mod T) {
	mod = T(math.Mod(float64(x), float64(y))) // exact, the sign of x
	div = (x - mod) / y
	if mod != 0 {
		if (y < 0) != (mod < 0) {
			mod += y
			div -= 1
		}
	} else {
		mod = T(math.Copysign(0, float64(y)))
	}
	if div != 0 {
		q := T(math.Floor(float64(div)))
		if div-q > 0.5 {
			q += 1
		}
		return q, mod
	}
	return T(math.Copysign(0, float64(x/y))), mod
}

// floorDivFloat is NumPy's floor_divide: x / y when y == 0 (±Inf, or
// NaN for 0 / 0 and NaN), else divmod's quotient (1 // inf == 0,
// -1 // inf == -1, inf // 1 == NaN).
func floorDivFloat[T float](x, y T) T {
	if y == 0 {
		return x / y
	}
	q, _ := divmod(x, y)
	return q
}

// modFloat is NumPy's remainder: NaN when y == 0, else divmod's
// remainder (the sign of y: -1 % inf == inf, 1 % inf == 1).
func modFloat[T float](x, y T) T {
	if y == 0 {
		return T(math.NaN())
	}
	_, m := divmod(x, y)
	return m
}

func binaryInt[T integer](op graph.ElemOp, d, a, b []T) error {
	a, b = a[:len(d)], b[:len(d)]
	switch op {
	case graph.OpAdd:
		for i := range d {
			d[i] = a[i] + b[i]
		}
	case graph.OpSub:
		for i := range d {
			d[i] = a[i] - b[i]
		}
	case graph.OpMul:
		for i := range d {
			d[i] = a[i] * b[i]
		}
	case graph.OpDiv, graph.OpFloorDiv: // floor division; x // 0 == 0 as in NumPy
		for i := range d {
			d[i] = floorDiv(a[i], b[i])
		}
	case graph.OpMod: // the sign of the divisor; x % 0 == 0 as in NumPy
		for i := range d {
			d[i] = modInt(a[i], b[i])
		}
	case graph.OpBitAnd:
		for i := range d {
			d[i] = a[i] & b[i]
		}
	case graph.OpBitOr:
		for i := range d {
			d[i] = a[i] | b[i]
		}
	case graph.OpBitXor:
		for i := range d {
			d[i] = a[i] ^ b[i]
		}
	case graph.OpShl: // a negative count is huge as uint64: 0, as NumPy
		for i := range d {
			d[i] = a[i] << uint64(b[i])
		}
	case graph.OpShr: // counts past the width fill with the sign, as NumPy
		for i := range d {
			d[i] = a[i] >> uint64(b[i])
		}
	case graph.OpPow:
		for i := range d {
			if b[i] < 0 {
				return ErrNegativePower
			}
			d[i] = ipow(a[i], b[i])
		}
	case graph.OpMax:
		for i := range d {
			d[i] = max(a[i], b[i])
		}
	case graph.OpMin:
		for i := range d {
			d[i] = min(a[i], b[i])
		}
	default:
		return fmt.Errorf("op %v not defined on integers", op)
	}
	return nil
}

func floorDiv[T integer](x, y T) T {
	if y == 0 {
		return 0
	}
	if y == -1 {
		return -x // wraps for the minimum, as NumPy does
	}
	q := x / y
	if (x%y != 0) && ((x < 0) != (y < 0)) {
		q--
	}
	return q
}

func modInt[T integer](x, y T) T {
	if y == 0 {
		return 0
	}
	r := x % y // Go: min % -1 == 0
	if r != 0 && (r < 0) != (y < 0) {
		r += y
	}
	return r
}

func ipow[T integer](x, e T) T {
	r := T(1)
	for e > 0 {
		if e&1 == 1 {
			r *= x
		}
		x *= x
		e >>= 1
	}
	return r
}

func compare[T device.Number](op graph.ElemOp, d []uint8, a, b []T) error {
	a, b = a[:len(d)], b[:len(d)]
	switch op {
	case graph.OpEq:
		for i := range d {
			d[i] = b2u(a[i] == b[i])
		}
	case graph.OpNe:
		for i := range d {
			d[i] = b2u(a[i] != b[i])
		}
	case graph.OpLt:
		for i := range d {
			d[i] = b2u(a[i] < b[i])
		}
	case graph.OpLe:
		for i := range d {
			d[i] = b2u(a[i] <= b[i])
		}
	case graph.OpGt:
		for i := range d {
			d[i] = b2u(a[i] > b[i])
		}
	case graph.OpGe:
		for i := range d {
			d[i] = b2u(a[i] >= b[i])
		}
	default:
		return fmt.Errorf("op %v is not a comparison", op)
	}
	return nil
}

func boolOp(op graph.ElemOp, d, a, b []uint8) error {
	switch op {
	case graph.OpNot, graph.OpBitNot:
		for i := range d {
			d[i] = a[i] ^ 1
		}
	case graph.OpAnd, graph.OpMin, graph.OpMul, graph.OpBitAnd:
		for i := range d {
			d[i] = a[i] & b[i]
		}
	case graph.OpOr, graph.OpMax, graph.OpAdd, graph.OpBitOr:
		for i := range d {
			d[i] = a[i] | b[i]
		}
	case graph.OpBitXor:
		for i := range d {
			d[i] = a[i] ^ b[i]
		}
	case graph.OpFloor, graph.OpCeil, graph.OpRound, graph.OpTrunc:
		copy(d, a)
	default:
		return fmt.Errorf("op %v not defined on bool", op)
	}
	return nil
}

func where[T device.Number](d []T, c []uint8, a, b []T) {
	c, a, b = c[:len(d)], a[:len(d)], b[:len(d)]
	for i := range d {
		if c[i] != 0 {
			d[i] = a[i]
		} else {
			d[i] = b[i]
		}
	}
}

// castFrom converts src into dst of dtype to (NumPy's astype with
// casting='unsafe': floats to ints truncate toward zero; anything to bool
// is != 0, NaN included).
func castFrom[S device.Number](dst []byte, to graph.DType, src []S) {
	n := len(src)
	switch to {
	case graph.Float64:
		d := view[float64](dst, n)
		for i, v := range src {
			d[i] = float64(v)
		}
	case graph.Float32:
		d := view[float32](dst, n)
		for i, v := range src {
			d[i] = float32(v)
		}
	case graph.Int64:
		d := view[int64](dst, n)
		for i, v := range src {
			d[i] = toInt64(v)
		}
	case graph.Int32:
		d := view[int32](dst, n)
		var half S = 1
		half /= 2
		if half != 0 { // a float source: out of range gives the minimum
			for i, v := range src {
				d[i] = toInt32(float64(v))
			}
			return
		}
		for i, v := range src {
			d[i] = int32(toInt64(v)) // integers wrap
		}
	case graph.Bool:
		d := view[uint8](dst, n)
		for i, v := range src {
			d[i] = b2u(v != 0)
		}
	}
}

// toInt64 converts like C: truncation toward zero; NaN and out-of-range
// floats give the minimum int64 as NumPy does on x86.
func toInt64[S device.Number](v S) int64 {
	var half S = 1
	if half /= 2; half == 0 {
		return int64(v) // an integer source: exact, or wraps (uint8 bools fit)
	}
	f := float64(v)
	if f != f || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return math.MinInt64
	}
	return int64(v)
}

// toInt32 converts like C on x86 (cvttsd2si): truncation toward zero;
// NaN and floats outside int32 give the minimum int32, as NumPy does.
func toInt32(f float64) int32 {
	if f != f || f >= 2147483648 || f <= -2147483649 {
		return math.MinInt32
	}
	return int32(f)
}

func fill[T device.Number](d []T, v T) {
	for i := range d {
		d[i] = v
	}
}

func gather[T device.Number](d []T, src []T, off, stride int) {
	switch stride {
	case 1:
		copy(d, src[off:off+len(d)])
	case 0:
		fill(d, src[off])
	default:
		for i := range d {
			d[i] = src[off]
			off += stride
		}
	}
}
