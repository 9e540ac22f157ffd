package array_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// bcastShapes returns k shapes that broadcast together: each a suffix of
// one shape with some axes set to 1.
func (v *env) bcastShapes(k int) [][]int {
	out := v.shape(0, 4)
	shapes := make([][]int, k)
	for i := range shapes {
		s := append([]int{}, out[v.r.IntN(len(out)+1):]...)
		if v.r.IntN(3) == 0 {
			s = append([]int{}, out...)
		}
		for a := range s {
			if v.r.IntN(4) == 0 {
				s[a] = 1
			}
		}
		shapes[i] = s
	}
	return shapes
}

func binaryArray(op string, x, y *array.Array) *array.Array {
	switch op {
	case "add":
		return x.Add(y)
	case "sub":
		return x.Sub(y)
	case "mul":
		return x.Mul(y)
	case "div":
		return x.Div(y)
	case "floordiv":
		return x.FloorDiv(y)
	case "pow":
		return x.Pow(y)
	case "maximum":
		return x.Maximum(y)
	case "minimum":
		return x.Minimum(y)
	case "eq":
		return x.Eq(y)
	case "ne":
		return x.Ne(y)
	case "lt":
		return x.Lt(y)
	case "le":
		return x.Le(y)
	case "gt":
		return x.Gt(y)
	case "ge":
		return x.Ge(y)
	case "and":
		return x.LogicalAnd(y)
	case "or":
		return x.LogicalOr(y)
	case "xor":
		return x.LogicalXor(y)
	}
	panic(op)
}

func TestArith(t *testing.T) {
	v := newEnv(t)
	ops := []string{"add", "sub", "mul", "div", "floordiv", "pow", "maximum", "minimum"}
	for c := 0; c < cases(600); c++ {
		op := ops[v.r.IntN(len(ops))]
		sh := v.bcastShapes(2)
		dx, dy := v.dtype(), v.dtype()
		dt := graph.Promote(dx, dy)
		switch {
		case op == "sub" && dt == graph.Bool:
			dx = graph.Int32
		case op == "floordiv" && dt.IsFloat():
			dx, dy = v.dtype(graph.Bool, graph.Int32, graph.Int64), v.dtype(graph.Int32, graph.Int64)
		}
		dt = graph.Promote(dx, dy)
		kind := vSpecial
		if dt.IsInt() && op != "pow" && v.r.IntN(3) == 0 {
			kind = vWide
		}
		x := v.operand(sh[0], dx, kind)
		var y operand
		if op == "pow" && !dt.IsFloat() {
			// integer powers: small non-negative exponents
			r := v.values(sh[1], dy, vSmall)
			for k := range r.i {
				r.i[k] = (r.i[k]%4 + 4) % 4
				if dy == graph.Bool {
					r.i[k] &= 1
				}
			}
			ch := v.chunks(sh[1])
			y = operand{r, ch, arr(r, ch)}
		} else {
			y = v.operand(sh[1], dy, kind)
		}
		desc := fmt.Sprintf("case %d: %s(%v, %v)", c, op, x, y)
		want := refArith(op, x.ref, y.ref)
		z := binaryArray(op, x.a, y.a)
		got := v.one(desc, z)
		if op == "pow" && isF(want.dt) {
			// the CPU's pow is within about half an ulp; math.Pow, the
			// reference, is often further off (kernels/cpu/pow_test.go)
			near(t, desc, got, want, relScale(want), ulpTol(want.dt))
		} else {
			exact(t, desc, got, want)
		}
		if c%4 == 0 {
			sameResult(t, desc+" NoFuse", got, v.one(desc, z, array.NoFuse()))
		}
		if t.Failed() {
			return
		}
	}
}

func TestCompareLogic(t *testing.T) {
	v := newEnv(t)
	ops := []string{"eq", "ne", "lt", "le", "gt", "ge", "and", "or", "xor", "where"}
	for c := 0; c < cases(500); c++ {
		op := ops[v.r.IntN(len(ops))]
		n := 2
		if op == "where" {
			n = 3
		}
		sh := v.bcastShapes(n)
		x := v.operand(sh[0], v.dtype(), vSpecial)
		y := v.operand(sh[1], v.dtype(), vSpecial)
		var want *ref
		var z *array.Array
		desc := fmt.Sprintf("case %d: %s(%v, %v)", c, op, x, y)
		switch op {
		case "and", "or", "xor":
			want = refLogic(op, x.ref, y.ref)
			z = binaryArray(op, x.a, y.a)
		case "where":
			cond := v.operand(sh[2], v.dtype(), vSpecial)
			desc = fmt.Sprintf("case %d: where(%v, %v, %v)", c, cond, x, y)
			want = refWhere(cond.ref, x.ref, y.ref)
			z = array.Where(cond.a, x.a, y.a)
		default:
			want = refCmp(op, x.ref, y.ref)
			z = binaryArray(op, x.a, y.a)
		}
		got := v.one(desc, z)
		exact(t, desc, got, want)
		if c%4 == 0 {
			sameResult(t, desc+" NoFuse", got, v.one(desc, z, array.NoFuse()))
		}
		if t.Failed() {
			return
		}
	}
}

func unaryArray(op string, x *array.Array) *array.Array {
	switch op {
	case "neg":
		return x.Neg()
	case "abs":
		return x.Abs()
	case "not":
		return x.LogicalNot()
	case "sqrt":
		return x.Sqrt()
	case "exp":
		return x.Exp()
	case "log":
		return x.Log()
	case "sin":
		return x.Sin()
	case "cos":
		return x.Cos()
	case "tanh":
		return x.Tanh()
	}
	panic(op)
}

func TestUnary(t *testing.T) {
	v := newEnv(t)
	ops := []string{"neg", "abs", "not", "sqrt", "exp", "log", "sin", "cos", "tanh"}
	for c := 0; c < cases(400); c++ {
		op := ops[v.r.IntN(len(ops))]
		dt := v.dtype()
		if op == "neg" && dt == graph.Bool {
			dt = graph.Int64
		}
		kind := vSpecial
		if dt.IsInt() && v.r.IntN(3) == 0 {
			kind = vWide
		}
		sh := v.shape(0, 4)
		x := v.operand(sh, dt, kind)
		desc := fmt.Sprintf("case %d: %s(%v)", c, op, x)
		got, want := v.one(desc, unaryArray(op, x.a)), refUnary(op, x.ref)
		switch op {
		case "exp", "log", "sin", "cos", "tanh":
			// the kernels' own polynomials: a few ulp from math.*, which
			// is itself not exact (kernels/cpu/fastmath_test.go)
			near(t, desc, got, want, relScale(want), ulpTol(want.dt))
		default:
			exact(t, desc, got, want)
		}
		if t.Failed() {
			return
		}
	}
}

func TestAstype(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(300); c++ {
		from, to := v.dtype(), v.dtype()
		kind := vSpecial
		if to.IsInt() {
			kind = vSmall // NaN and Inf into integers are undefined in NumPy
		}
		if from.IsInt() && v.r.IntN(2) == 0 {
			kind = vWide
		}
		x := v.operand(v.shape(0, 4), from, kind)
		if from.IsFloat() && to.IsInt() {
			for k := range x.ref.f {
				x.ref.setF(k, x.ref.f[k]*7.3) // fractions truncate toward zero
			}
			x.a = arr(x.ref, x.ch)
		}
		desc := fmt.Sprintf("case %d: astype(%v, %v)", c, x, to)
		exact(t, desc, v.one(desc, x.a.Astype(to)), x.ref.astype(to))
		if t.Failed() {
			return
		}
	}
	// NaN and out-of-range floats into int64 give the minimum int64 (x86 NumPy)
	x := array.FromSlice([]float64{math.NaN(), math.Inf(1), -1e300, -2.9, 2.9}, []int{5})
	got := v.one("astype specials", x.Astype(graph.Int64)).Int64s()
	want := []int64{math.MinInt64, math.MinInt64, math.MinInt64, -2, 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("astype specials: got %v want %v", got, want)
	}
}

// TestWeakScalars checks NEP 50: a Go scalar takes the array's dtype when
// its kind is no higher.
func TestWeakScalars(t *testing.T) {
	v := newEnv(t)
	for _, tc := range []struct {
		x    *array.Array
		s    *array.Array
		want graph.DType
	}{
		{array.Ones([]int{3}, graph.Float32), array.Float(2.5), graph.Float32},
		{array.Ones([]int{3}, graph.Int32), array.Float(2.5), graph.Float64},
		{array.Ones([]int{3}, graph.Int32), array.Int(7), graph.Int32},
		{array.Ones([]int{3}, graph.Bool), array.Int(7), graph.Int64},
		{array.Ones([]int{3}, graph.Bool), array.Bool(true), graph.Bool},
		{array.Ones([]int{3}, graph.Float64), array.Int(7), graph.Float64},
	} {
		z := tc.x.Add(tc.s)
		if z.DType() != tc.want {
			t.Errorf("%v + %v: dtype %v, want %v", tc.x.DType(), tc.s, z.DType(), tc.want)
		}
		got := v.one("weak scalar", z)
		if got.DType != tc.want || len(got.Float64s()) != 3 {
			t.Errorf("%v + %v: got %v%v", tc.x.DType(), tc.s, got.DType, got.Shape)
		}
	}
	// float32 + 2.5 rounds in float32; int32 + int wraps in int32
	got := v.one("f32", array.FromSlice([]float32{1.1, 16777216}, []int{2}).AddScalar(1))
	if f, _ := array.ToSlice[float32](got); f[0] != float32(1.1)+1 || f[1] != 16777216 {
		t.Errorf("float32 + 1 = %v", f)
	}
	got = v.one("i32", array.FromSlice([]int32{math.MaxInt32}, []int{1}).Add(array.Int(1)))
	if i, _ := array.ToSlice[int32](got); i[0] != math.MinInt32 {
		t.Errorf("int32 max + 1 = %v, want wrap", i)
	}
	got = v.one("scalars", array.Int(7).Div(array.Int(2)))
	if s, _ := got.Scalar(); s != 3.5 || got.DType != graph.Float64 {
		t.Errorf("7 / 2 = %v %v", s, got.DType)
	}
}
