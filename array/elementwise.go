package array

import (
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// ---- weak scalars (NEP 50: a Go scalar takes the array's dtype when its
// kind is no higher)

func scalarNode(op string, dt graph.DType, kind graph.ScalarKind, bits uint64) *Array {
	a := generator(op, []int{}, chunks.Chunks{}, dt, func(p *pb) int32 {
		return p.emit(graph.Instr{Op: graph.OpConst, DType: dt, Imm: bits})
	})
	a.nd.weak = true
	a.nd.kind = kind
	return a
}

// Float wraps a Go float as a weak 0-d array: float32 arrays stay float32.
func Float(v float64) *Array {
	a := scalarNode(fmt.Sprintf("float(%v)", v), graph.Float64, graph.FloatScalar, graph.ConstBits(graph.Float64, v))
	a.nd.weakVal = v
	return a
}

// Int wraps a Go integer as a weak 0-d array: int32 arrays stay int32,
// float arrays keep their dtype.
func Int(v int64) *Array {
	a := scalarNode(fmt.Sprintf("int(%d)", v), graph.Int64, graph.IntScalar, graph.ConstIntBits(graph.Int64, v))
	a.nd.weakInt = v
	a.nd.weakVal = float64(v)
	return a
}

// weakOverflow is NEP 50's OverflowError: a weak Go integer that does not
// fit the integer dtype dt it is cast to.
func weakOverflow(op string, dt graph.DType, xs ...*Array) error {
	if dt != graph.Int32 {
		return nil
	}
	for _, x := range xs {
		if x.nd.weak && x.nd.kind == graph.IntScalar && (x.nd.weakInt < math.MinInt32 || x.nd.weakInt > math.MaxInt32) {
			return fmt.Errorf("array: %s: Go integer %d out of bounds for int32 (shapes %s)", op, x.nd.weakInt, shapesStr(xs...))
		}
	}
	return nil
}

// Bool wraps a Go bool as a weak 0-d array.
func Bool(v bool) *Array {
	var b uint64
	if v {
		b = 1
	}
	return scalarNode(fmt.Sprintf("bool(%v)", v), graph.Bool, graph.BoolScalar, b)
}

// resultType applies NEP 50 to the operands.
func resultType(xs ...*Array) graph.DType {
	var strong graph.DType
	var weakKind graph.ScalarKind
	hasWeak := false
	for _, x := range xs {
		if x.nd.weak {
			if !hasWeak || x.nd.kind > weakKind {
				weakKind = x.nd.kind
			}
			hasWeak = true
			continue
		}
		if strong == graph.Invalid {
			strong = x.nd.dtype
		} else {
			strong = graph.Promote(strong, x.nd.dtype)
		}
	}
	if strong == graph.Invalid { // all weak
		for _, x := range xs {
			if strong == graph.Invalid {
				strong = x.nd.dtype
			} else {
				strong = graph.Promote(strong, x.nd.dtype)
			}
		}
		return strong
	}
	if hasWeak {
		return graph.PromoteWeak(strong, weakKind)
	}
	return strong
}

// ResultType is the dtype NumPy (NEP 50) gives an operation on xs.
func ResultType(xs ...*Array) (graph.DType, error) {
	if err := firstErr(xs...); err != nil {
		return graph.Invalid, err
	}
	return resultType(xs...), nil
}

// ---- binary arithmetic

func arith(name string, op graph.ElemOp, x, y *Array) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	dt := resultType(x, y)
	if err := weakOverflow(name, dt, x, y); err != nil {
		return errArray(err)
	}
	out := dt
	switch {
	case op == graph.OpDiv && !dt.IsFloat():
		dt, out = graph.Float64, graph.Float64
	case dt == graph.Bool && op == graph.OpSub:
		return errorf(name, "boolean subtract is not supported (shapes %s); use LogicalXor or Ne", shapesStr(x, y))
	case dt == graph.Bool && op == graph.OpPow:
		dt, out = graph.Int64, graph.Int64
	}
	if op == graph.OpPow && y.nd.weak && y.nd.weakVal == 2 && dt != graph.Bool {
		// x**2 is x*x: the same correctly rounded value, without pow
		return elementwise(name, out, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
			a := p.cast(r[0], dt)
			return p.op(graph.OpMul, dt, a, a)
		})
	}
	return elementwise(name, out, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		return p.op(op, dt, p.cast(r[0], dt), p.cast(r[1], dt))
	})
}

// Add is x + y with broadcasting (bool + bool is logical or, as NumPy).
func (x *Array) Add(y *Array) *Array { return arith("add", graph.OpAdd, x, y) }

// Sub is x - y.
func (x *Array) Sub(y *Array) *Array { return arith("sub", graph.OpSub, x, y) }

// Mul is x * y (bool * bool is logical and).
func (x *Array) Mul(y *Array) *Array { return arith("mul", graph.OpMul, x, y) }

// Div is true division x / y: integers divide as float64.
func (x *Array) Div(y *Array) *Array { return arith("div", graph.OpDiv, x, y) }

// FloorDiv is x // y: floor division for integers (x // 0 == 0, as
// NumPy), floor(x / y) for floats.
func (x *Array) FloorDiv(y *Array) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	dt := resultType(x, y)
	if dt == graph.Bool {
		dt = graph.Int64
	}
	if dt.IsInt() {
		return elementwise("floordiv", dt, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
			return p.op(graph.OpDiv, dt, p.cast(r[0], dt), p.cast(r[1], dt))
		})
	}
	return floorDivFloat(x, y, dt)
}

// Pow is x ** y. An integer to a negative integer power fails the
// computation (NumPy raises).
func (x *Array) Pow(y *Array) *Array { return arith("pow", graph.OpPow, x, y) }

// Maximum is the elementwise maximum; NaN propagates.
func (x *Array) Maximum(y *Array) *Array { return arith("maximum", graph.OpMax, x, y) }

// Minimum is the elementwise minimum; NaN propagates.
func (x *Array) Minimum(y *Array) *Array { return arith("minimum", graph.OpMin, x, y) }

// AddScalar is x + v (v is a weak scalar).
func (x *Array) AddScalar(v float64) *Array { return x.Add(Float(v)) }

// SubScalar is x - v.
func (x *Array) SubScalar(v float64) *Array { return x.Sub(Float(v)) }

// MulScalar is x * v.
func (x *Array) MulScalar(v float64) *Array { return x.Mul(Float(v)) }

// DivScalar is x / v.
func (x *Array) DivScalar(v float64) *Array { return x.Div(Float(v)) }

// PowScalar is x ** v.
func (x *Array) PowScalar(v float64) *Array { return x.Pow(Float(v)) }

// ---- comparisons and logic

func cmp(name string, op graph.ElemOp, x, y *Array) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	dt := resultType(x, y)
	if err := weakOverflow(name, dt, x, y); err != nil {
		return errArray(err)
	}
	return elementwise(name, graph.Bool, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		return p.op(op, graph.Bool, p.cast(r[0], dt), p.cast(r[1], dt))
	})
}

// Eq is x == y (bool).
func (x *Array) Eq(y *Array) *Array { return cmp("eq", graph.OpEq, x, y) }

// Ne is x != y.
func (x *Array) Ne(y *Array) *Array { return cmp("ne", graph.OpNe, x, y) }

// Lt is x < y.
func (x *Array) Lt(y *Array) *Array { return cmp("lt", graph.OpLt, x, y) }

// Le is x <= y.
func (x *Array) Le(y *Array) *Array { return cmp("le", graph.OpLe, x, y) }

// Gt is x > y.
func (x *Array) Gt(y *Array) *Array { return cmp("gt", graph.OpGt, x, y) }

// Ge is x >= y.
func (x *Array) Ge(y *Array) *Array { return cmp("ge", graph.OpGe, x, y) }

func logic(name string, op graph.ElemOp, x, y *Array) *Array {
	return elementwise(name, graph.Bool, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		return p.op(op, graph.Bool, p.cast(r[0], graph.Bool), p.cast(r[1], graph.Bool))
	})
}

// LogicalAnd is the truth of x and y (nonzero is true).
func (x *Array) LogicalAnd(y *Array) *Array { return logic("logical_and", graph.OpAnd, x, y) }

// LogicalOr is the truth of x or y.
func (x *Array) LogicalOr(y *Array) *Array { return logic("logical_or", graph.OpOr, x, y) }

// LogicalXor is the truth of x != y as booleans.
func (x *Array) LogicalXor(y *Array) *Array {
	return elementwise("logical_xor", graph.Bool, []*Array{x, y}, "", func(p *pb, r []int32) int32 {
		return p.op(graph.OpNe, graph.Bool, p.cast(r[0], graph.Bool), p.cast(r[1], graph.Bool))
	})
}

// LogicalNot is the truth of not x.
func (x *Array) LogicalNot() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	return unaryNode("logical_not", x.nd, graph.Bool, func(p *pb, r int32) int32 {
		return p.op(graph.OpNot, graph.Bool, p.cast(r, graph.Bool))
	})
}

// Where picks x where cond is true, else y, with broadcasting of all three.
func Where(cond, x, y *Array) *Array {
	if err := firstErr(cond, x, y); err != nil {
		return errArray(err)
	}
	dt := resultType(x, y)
	if err := weakOverflow("where", dt, x, y); err != nil {
		return errArray(err)
	}
	return elementwise("where", dt, []*Array{cond, x, y}, "", func(p *pb, r []int32) int32 {
		return p.op(graph.OpWhere, dt, p.cast(r[0], graph.Bool), p.cast(r[1], dt), p.cast(r[2], dt))
	})
}

// ---- unary

func floatOf(dt graph.DType) graph.DType {
	switch dt {
	case graph.Float32, graph.Float64:
		return dt
	case graph.Bool:
		return graph.Float32 // NumPy gives float16; Blockwork's smallest float is float32
	}
	return graph.Float64
}

func mathUnary(name string, op graph.ElemOp, x *Array) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := floatOf(x.nd.dtype)
	return unaryNode(name, x.nd, dt, func(p *pb, r int32) int32 {
		return p.op(op, dt, p.cast(r, dt))
	})
}

// Sqrt is the elementwise square root (integers compute in float64).
func (x *Array) Sqrt() *Array { return mathUnary("sqrt", graph.OpSqrt, x) }

// Exp is e**x.
func (x *Array) Exp() *Array { return mathUnary("exp", graph.OpExp, x) }

// Log is the natural logarithm.
func (x *Array) Log() *Array { return mathUnary("log", graph.OpLog, x) }

// Sin is the sine.
func (x *Array) Sin() *Array { return mathUnary("sin", graph.OpSin, x) }

// Cos is the cosine.
func (x *Array) Cos() *Array { return mathUnary("cos", graph.OpCos, x) }

// Tanh is the hyperbolic tangent.
func (x *Array) Tanh() *Array { return mathUnary("tanh", graph.OpTanh, x) }

// Neg is -x (integers wrap). Negating bool is an error, as in NumPy.
func (x *Array) Neg() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if x.nd.dtype == graph.Bool {
		return errorf("negative", "the - operator is not supported on bool (shape %s); use LogicalNot", shapeStr(x.nd.shape))
	}
	dt := x.nd.dtype
	return unaryNode("negative", x.nd, dt, func(p *pb, r int32) int32 { return p.op(graph.OpNeg, dt, r) })
}

// Abs is |x| (keeps the dtype; the minimum integer wraps to itself).
func (x *Array) Abs() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	dt := x.nd.dtype
	if dt == graph.Bool {
		return x
	}
	return unaryNode("absolute", x.nd, dt, func(p *pb, r int32) int32 { return p.op(graph.OpAbs, dt, r) })
}

// Square is x*x.
func (x *Array) Square() *Array { return x.Mul(x) }

// Astype converts to dt (NumPy's unsafe casting: floats truncate toward
// zero into integers; anything to bool is != 0).
func (x *Array) Astype(dt graph.DType) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if !dt.Valid() {
		return errorf("astype", "unsupported dtype %v (shape %s)", dt, shapeStr(x.nd.shape))
	}
	if dt == x.nd.dtype {
		return x
	}
	return unaryNode("astype", x.nd, dt, func(p *pb, r int32) int32 { return p.cast(r, dt) })
}
