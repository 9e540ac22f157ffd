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

type number interface {
	~int32 | ~int64 | ~float32 | ~float64
}

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
		for i := range d {
			d[i] = T(math.Exp(float64(a[i])))
		}
	case graph.OpLog:
		for i := range d {
			d[i] = T(math.Log(float64(a[i])))
		}
	case graph.OpSin:
		for i := range d {
			d[i] = T(math.Sin(float64(a[i])))
		}
	case graph.OpCos:
		for i := range d {
			d[i] = T(math.Cos(float64(a[i])))
		}
	case graph.OpTanh:
		for i := range d {
			d[i] = T(math.Tanh(float64(a[i])))
		}
	default:
		return fmt.Errorf("op %v not defined on floats", op)
	}
	return nil
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
	default:
		return fmt.Errorf("op %v not defined on integers", op)
	}
	return nil
}

// ---- binary

func binaryFloat[T float](op graph.ElemOp, d, a, b []T) error {
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
	case graph.OpDiv:
		for i := range d {
			d[i] = a[i] / b[i]
		}
	case graph.OpPow:
		for i := range d {
			d[i] = T(math.Pow(float64(a[i]), float64(b[i])))
		}
	case graph.OpMax:
		for i := range d {
			x, y := a[i], b[i]
			switch {
			case x != x:
				d[i] = x
			case y != y || y > x:
				d[i] = y
			default:
				d[i] = x
			}
		}
	case graph.OpMin:
		for i := range d {
			x, y := a[i], b[i]
			switch {
			case x != x:
				d[i] = x
			case y != y || y < x:
				d[i] = y
			default:
				d[i] = x
			}
		}
	default:
		return fmt.Errorf("op %v not defined on floats", op)
	}
	return nil
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
	case graph.OpDiv: // floor division; x // 0 == 0 as in NumPy
		for i := range d {
			d[i] = floorDiv(a[i], b[i])
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
	case graph.OpNot:
		for i := range d {
			d[i] = a[i] ^ 1
		}
	case graph.OpAnd, graph.OpMin, graph.OpMul:
		for i := range d {
			d[i] = a[i] & b[i]
		}
	case graph.OpOr, graph.OpMax, graph.OpAdd:
		for i := range d {
			d[i] = a[i] | b[i]
		}
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
