package array_test

// Tests of the operations in elementwise_more.go against reference loops
// written here with NumPy's semantics: exact rationals for floor division
// and remainder, the C99 tables for the special values.

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// roundF rounds v to dt's float precision.
func roundF(dt graph.DType, v float64) float64 {
	if dt == graph.Float32 {
		return float64(float32(v))
	}
	return v
}

// ratRound rounds an exact rational to dt (once: big.Float of dt's precision).
func ratRound(dt graph.DType, r *big.Rat) float64 {
	prec := uint(53)
	if dt == graph.Float32 {
		prec = 24
	}
	f, _ := new(big.Float).SetPrec(prec).SetRat(r).Float64()
	return f
}

// floorDivRef is NumPy's float floor_divide: the exact floor of x/y
// (quotients here stay far below 2^24), with the special values of
// NumPy's divmod.
func floorDivRef(dt graph.DType, x, y float64) float64 {
	switch {
	case y == 0:
		return roundF(dt, x/y)
	case x != x || y != y || math.IsInf(x, 0):
		return math.NaN()
	case math.IsInf(y, 0):
		if x != 0 && (x < 0) != (y < 0) {
			return -1
		}
		return math.Copysign(0, x/y)
	}
	q := new(big.Rat).Quo(new(big.Rat).SetFloat64(x), new(big.Rat).SetFloat64(y))
	fl := new(big.Int).Div(q.Num(), q.Denom()) // Euclidean; Denom > 0: the floor
	if fl.Sign() == 0 {
		return math.Copysign(0, x/y)
	}
	return ratRound(dt, new(big.Rat).SetInt(fl))
}

// remainderRef is NumPy's float remainder: x - floor(x/y)*y exactly,
// rounded once; a zero has y's sign.
func remainderRef(dt graph.DType, x, y float64) float64 {
	switch {
	case y == 0 || x != x || y != y || math.IsInf(x, 0):
		return math.NaN()
	case math.IsInf(y, 0):
		if x == 0 {
			return math.Copysign(0, y)
		}
		if (x < 0) != (y < 0) {
			return y
		}
		return x
	}
	rx, ry := new(big.Rat).SetFloat64(x), new(big.Rat).SetFloat64(y)
	q := new(big.Rat).Quo(rx, ry)
	fl := new(big.Int).Div(q.Num(), q.Denom())
	r := new(big.Rat).Sub(rx, new(big.Rat).Mul(new(big.Rat).SetInt(fl), ry))
	if r.Sign() == 0 {
		return math.Copysign(0, y)
	}
	return ratRound(dt, r)
}

func intFloorDiv(x, y int64) int64 {
	if y == 0 {
		return 0
	}
	q := x / y
	if q*y != x && (x < 0) != (y < 0) {
		q--
	}
	return q
}

func shiftRef(left bool, dt graph.DType, x, n int64) int64 {
	w := int64(64)
	if dt == graph.Int32 {
		w = 32
	}
	if n < 0 || n >= w {
		if left || x >= 0 {
			return 0
		}
		return -1
	}
	if left {
		return x << n
	}
	return x >> n
}

// refBinaryMore is x op y for mod, floordiv, bitwise and shifts (exact)
// and arctan2, hypot (float64 math, compared within a few ulps).
func refBinaryMore(op string, x, y *ref) *ref {
	dt := promote(x.dt, y.dt)
	switch {
	case (op == "mod" || op == "floordiv" || op == "shl" || op == "shr") && dt == graph.Bool:
		dt = graph.Int64
	case op == "arctan2" || op == "hypot":
		switch dt {
		case graph.Bool:
			dt = graph.Float32
		case graph.Int32, graph.Int64:
			dt = graph.Float64
		}
	}
	return mapN(dt, []*ref{x, y}, func(o *ref, k int, ks []int) {
		if isF(dt) {
			a, b := roundF(dt, x.fl(ks[0])), roundF(dt, y.fl(ks[1]))
			var v float64
			switch op {
			case "mod":
				v = remainderRef(dt, a, b)
			case "floordiv":
				v = floorDivRef(dt, a, b)
			case "arctan2":
				v = math.Atan2(a, b)
			case "hypot":
				v = math.Hypot(a, b)
			default:
				panic(op)
			}
			o.setF(k, v)
			return
		}
		a, b := x.i[ks[0]], y.i[ks[1]]
		var v int64
		switch op {
		case "mod":
			if b != 0 {
				v = a - intFloorDiv(a, b)*b
			}
		case "floordiv":
			v = intFloorDiv(a, b)
		case "and":
			v = a & b
		case "or":
			v = a | b
		case "xor":
			v = a ^ b
		case "shl", "shr":
			v = shiftRef(op == "shl", dt, a, b)
		default:
			panic(op)
		}
		o.setI(k, v)
	})
}

func binaryMore(op string, x, y *array.Array) *array.Array {
	switch op {
	case "mod":
		return x.Mod(y)
	case "floordiv":
		return x.FloorDiv(y)
	case "arctan2":
		return array.Arctan2(x, y)
	case "hypot":
		return array.Hypot(x, y)
	case "and":
		return x.BitwiseAnd(y)
	case "or":
		return x.BitwiseOr(y)
	case "xor":
		return x.BitwiseXor(y)
	case "shl":
		return x.LeftShift(y)
	case "shr":
		return x.RightShift(y)
	}
	panic(op)
}

// ulpTol is the relative tolerance of a few ulps of dt.
func ulpTol(dt graph.DType) float64 {
	if dt == graph.Float32 {
		return 4 * 0x1p-24
	}
	return 8 * 0x1p-53
}

func relScale(r *ref) []float64 {
	s := make([]float64, r.n())
	for k := range s {
		s[k] = math.Abs(r.f[k])
	}
	return s
}

func TestMoreBinary(t *testing.T) {
	v := newEnv(t)
	ops := []string{"mod", "floordiv", "arctan2", "hypot", "and", "or", "xor", "shl", "shr"}
	for c := 0; c < cases(400); c++ {
		op := ops[v.r.IntN(len(ops))]
		sh := v.bcastShapes(2)
		dx, dy := v.dtype(), v.dtype()
		bits := op == "and" || op == "or" || op == "xor" || op == "shl" || op == "shr"
		if bits {
			dx, dy = v.dtype(graph.Bool, graph.Int32, graph.Int64), v.dtype(graph.Bool, graph.Int32, graph.Int64)
		}
		kind := vSpecial
		if v.r.IntN(3) == 0 {
			kind = vWide
		}
		x := v.operand(sh[0], dx, kind)
		y := v.operand(sh[1], dy, kind)
		if (op == "shl" || op == "shr") && dy != graph.Bool && v.r.IntN(2) == 0 {
			for k := range y.ref.i { // counts around the widths, and negative
				y.ref.setI(k, int64(v.r.IntN(72)-4))
			}
			y.a = arr(y.ref, y.ch)
		}
		desc := fmt.Sprintf("case %d: %s(%v, %v)", c, op, x, y)
		want := refBinaryMore(op, x.ref, y.ref)
		z := binaryMore(op, x.a, y.a)
		got := v.one(desc, z)
		if op == "arctan2" || op == "hypot" || op == "floordiv" && isF(want.dt) {
			// floordiv: NumPy's divmod rounds (x - fmod(x, y)) / y, which
			// can be an ulp from the exact floor once the quotient
			// passes 2^53 (2^24); below that the tolerance is under one
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

// refUnaryMore applies a rounding, sign, reciprocal, predicate, invert or
// math function op with NumPy's dtype rules.
func refUnaryMore(op string, x *ref) *ref {
	n := x.n()
	switch op {
	case "isnan", "isinf", "isfinite":
		o := newRef(x.shape, graph.Bool)
		for k := 0; k < n; k++ {
			if !isF(x.dt) {
				o.i[k] = b2i(op == "isfinite")
				continue
			}
			f := x.f[k]
			o.i[k] = b2i(map[string]bool{"isnan": f != f, "isinf": math.IsInf(f, 0), "isfinite": f == f && !math.IsInf(f, 0)}[op])
		}
		return o
	case "invert":
		o := newRef(x.shape, x.dt)
		for k := 0; k < n; k++ {
			if x.dt == graph.Bool {
				o.i[k] = 1 - x.i[k]
			} else {
				o.setI(k, -x.i[k]-1)
			}
		}
		return o
	case "sign":
		dt := x.dt
		if dt == graph.Bool {
			dt = graph.Int64
		}
		o := newRef(x.shape, dt)
		for k := 0; k < n; k++ {
			if isF(dt) {
				f := x.f[k]
				switch {
				case f > 0:
					f = 1
				case f < 0:
					f = -1
				case f == 0:
					f = 0
				}
				o.f[k] = f
				continue
			}
			switch i := x.i[k]; {
			case i > 0:
				o.i[k] = 1
			case i < 0:
				o.i[k] = -1
			}
		}
		return o
	case "reciprocal":
		dt := x.dt
		if dt == graph.Bool {
			dt = graph.Int64
		}
		o := newRef(x.shape, dt)
		for k := 0; k < n; k++ {
			switch i := x.in(k); {
			case isF(dt):
				o.setF(k, 1/x.f[k])
			case i == 0 && dt == graph.Int32:
				o.i[k] = math.MinInt32
			case i == 0:
				o.i[k] = math.MinInt64
			case i == 1 || i == -1:
				o.i[k] = i
			}
		}
		return o
	case "floor", "ceil", "trunc", "round":
		if x.dt.IsInt() || x.dt == graph.Bool && op != "round" {
			return x
		}
		dt := x.dt
		if dt == graph.Bool {
			dt = graph.Float32
		}
		o := newRef(x.shape, dt)
		for k := 0; k < n; k++ {
			f := x.fl(k)
			switch op {
			case "floor":
				f = math.Floor(f)
			case "ceil":
				f = math.Ceil(f)
			case "trunc":
				f = math.Trunc(f)
			default: // halves to even, by hand
				if !math.IsInf(f, 0) && f == f {
					r := math.Floor(f)
					if d := f - r; d > 0.5 || d == 0.5 && math.Mod(r, 2) != 0 {
						r++
					}
					f = math.Copysign(r, f)
				}
			}
			o.f[k] = f
		}
		return o
	}
	dt := graph.Float64
	switch x.dt {
	case graph.Float32, graph.Bool:
		dt = graph.Float32
	}
	f := map[string]func(float64) float64{
		"log1p": math.Log1p, "expm1": math.Expm1, "tan": math.Tan, "arctan": math.Atan,
		"sinh": math.Sinh, "cosh": math.Cosh, "arcsinh": math.Asinh, "arccosh": math.Acosh, "arctanh": math.Atanh,
		"log2":  func(v float64) float64 { return math.Log(v) / math.Ln2 },
		"log10": func(v float64) float64 { return math.Log(v) / math.Ln10 },
		// fdlibm's reductions (math.Asin and Acos lose accuracy near ±1)
		"arcsin": func(v float64) float64 {
			if math.Abs(v) <= 0.5 || math.Abs(v) > 1 {
				return math.Asin(v)
			}
			return math.Copysign(math.Pi/2-2*math.Asin(math.Sqrt((1-math.Abs(v))/2)), v)
		},
		"arccos": func(v float64) float64 {
			switch {
			case v > 0.5 && v <= 1:
				return 2 * math.Asin(math.Sqrt((1-v)/2))
			case v < -0.5 && v >= -1:
				return math.Pi - 2*math.Asin(math.Sqrt((1+v)/2))
			}
			return math.Acos(v)
		},
	}[op]
	o := newRef(x.shape, dt)
	for k := 0; k < n; k++ {
		o.setF(k, f(roundF(dt, x.fl(k))))
	}
	return o
}

func unaryMore(op string, x *array.Array) *array.Array {
	return map[string]func() *array.Array{
		"isnan": x.IsNaN, "isinf": x.IsInf, "isfinite": x.IsFinite, "invert": x.Invert, "sign": x.Sign,
		"reciprocal": x.Reciprocal, "floor": x.Floor, "ceil": x.Ceil, "trunc": x.Trunc, "round": x.Round,
		"log1p": x.Log1p, "expm1": x.Expm1, "log2": x.Log2, "log10": x.Log10, "tan": x.Tan,
		"arcsin": x.Arcsin, "arccos": x.Arccos, "arctan": x.Arctan, "sinh": x.Sinh, "cosh": x.Cosh,
		"arcsinh": x.Arcsinh, "arccosh": x.Arccosh, "arctanh": x.Arctanh,
	}[op]()
}

var exactUnaryMore = map[string]bool{"isnan": true, "isinf": true, "isfinite": true, "invert": true, "sign": true,
	"reciprocal": true, "floor": true, "ceil": true, "trunc": true, "round": true}

func TestMoreUnary(t *testing.T) {
	v := newEnv(t)
	ops := []string{"isnan", "isinf", "isfinite", "invert", "sign", "reciprocal", "floor", "ceil", "trunc", "round",
		"log1p", "expm1", "log2", "log10", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh"}
	for c := 0; c < cases(400); c++ {
		op := ops[v.r.IntN(len(ops))]
		dt := v.dtype()
		if op == "invert" {
			dt = v.dtype(graph.Bool, graph.Int32, graph.Int64)
		}
		kind := vSpecial
		if v.r.IntN(3) == 0 {
			kind = vWide
		}
		x := v.operand(v.shape(0, 4), dt, kind)
		if isF(dt) && v.r.IntN(2) == 0 { // into (-1, 1), near ±1 too
			for k, f := range x.ref.f {
				x.ref.setF(k, math.Copysign(1-math.Abs(f)/(1+math.Abs(f))*math.Pow(10, -float64(v.r.IntN(8))), f))
			}
			x.a = arr(x.ref, x.ch)
		}
		desc := fmt.Sprintf("case %d: %s(%v)", c, op, x)
		want := refUnaryMore(op, x.ref)
		z := unaryMore(op, x.a)
		got := v.one(desc, z)
		if exactUnaryMore[op] {
			exact(t, desc, got, want)
		} else {
			near(t, desc, got, want, relScale(want), ulpTol(want.dt))
		}
		if c%4 == 0 {
			sameResult(t, desc+" NoFuse", got, v.one(desc, z, array.NoFuse()))
		}
		if t.Failed() {
			return
		}
	}
}

func TestClip(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(200); c++ {
		sh := v.bcastShapes(3)
		x := v.operand(sh[0], v.dtype(), vSpecial)
		lo := v.operand(sh[1], v.dtype(), vSpecial)
		hi := v.operand(sh[2], v.dtype(), vSpecial)
		desc := fmt.Sprintf("case %d: clip(%v, %v, %v)", c, x, lo, hi)
		var want *ref
		var z *array.Array
		switch v.r.IntN(4) {
		case 0:
			want = refArith("maximum", x.ref, lo.ref)
			z = x.a.Clip(lo.a, nil)
		case 1:
			want = refArith("minimum", x.ref, hi.ref)
			z = x.a.Clip(nil, hi.a)
		default:
			want = refArith("minimum", refArith("maximum", x.ref, lo.ref), hi.ref)
			z = x.a.Clip(lo.a, hi.a)
		}
		got := v.one(desc, z)
		exact(t, desc, got, want)
		if t.Failed() {
			return
		}
	}
}

// TestMoreEdgeCases pins values and dtypes NumPy documents or gives.
func TestMoreEdgeCases(t *testing.T) {
	v := newEnv(t)
	inf, nan, nz := math.Inf(1), math.NaN(), math.Copysign(0, -1)
	f64 := func(xs ...float64) *array.Array { return array.FromSlice(xs, []int{len(xs)}) }
	i64 := func(xs ...int64) *array.Array { return array.FromSlice(xs, []int{len(xs)}) }
	i32 := func(xs ...int32) *array.Array { return array.FromSlice(xs, []int{len(xs)}) }
	bl := func(xs ...bool) *array.Array { return array.FromSlice(xs, []int{len(xs)}) }
	for _, tc := range []struct {
		name string
		z    *array.Array
		dt   graph.DType
		want []float64
	}{
		{"floordiv floats", f64(1, -1, 0, 1, -1, inf, 1, -7, 7, nz, 0, nan).FloorDiv(f64(0, 0, 0, inf, inf, 1, 0.1, 2, -2, 1, -1, 1)),
			graph.Float64, []float64{inf, -inf, nan, 0, -1, nan, 9, -4, -4, nz, nz, nan}},
		{"remainder floats", f64(-1, 1, 1, 0, -7, 7, 5, inf, 1, -0.5).Mod(f64(inf, inf, -inf, -1, 2, -2, 0, 2, 0.1, 2)),
			graph.Float64, []float64{inf, 1, -inf, nz, 1, -1, nan, nan, 0.09999999999999995, 1.5}},
		{"floordiv ints", i64(-7, 7, 5, math.MinInt64).FloorDiv(i64(2, -2, 0, -1)), graph.Int64, []float64{-4, -4, 0, math.MinInt64}},
		{"remainder ints", i64(-7, 7, 5, math.MinInt64).Mod(i64(2, -2, 0, -1)), graph.Int64, []float64{1, -1, 0, 0}},
		{"remainder bool", bl(true, true, false).Mod(bl(true, false, true)), graph.Int64, []float64{0, 0, 0}},
		{"int32 floordiv by float scalar", i32(7, -7).FloorDiv(array.Float(2.5)), graph.Float64, []float64{2, -3}},
		{"left shift int64", i64(1, 1, 1, 3).LeftShift(i64(63, 64, -1, 2)), graph.Int64, []float64{math.MinInt64, 0, 0, 12}},
		{"right shift int64", i64(-8, -8, 8, -1).RightShift(i64(1, 64, 64, 100)), graph.Int64, []float64{-4, -1, 0, -1}},
		{"left shift int32 weak", i32(1, 1).LeftShift(array.Int(31)), graph.Int32, []float64{math.MinInt32, math.MinInt32}},
		{"left shift int32 past width", i32(1, -1).LeftShift(array.Int(32)), graph.Int32, []float64{0, 0}},
		{"shift bool", bl(true, false).LeftShift(bl(true, true)), graph.Int64, []float64{2, 0}},
		{"bitwise mixed", i32(12, -1).BitwiseAnd(i64(10, 5)), graph.Int64, []float64{8, 5}},
		{"bitwise bool", bl(true, true, false).BitwiseXor(bl(true, false, false)), graph.Bool, []float64{0, 1, 0}},
		{"invert", i32(0, -1, 5).Invert(), graph.Int32, []float64{-1, 0, -6}},
		{"invert bool", bl(true, false).Invert(), graph.Bool, []float64{0, 1}},
		{"round half even", f64(0.5, 1.5, 2.5, -0.5, -2.5, -1.5, nz, inf, nan).Round(), graph.Float64, []float64{0, 2, 2, nz, -2, -2, nz, inf, nan}},
		{"round bool", bl(true, false).Round(), graph.Float32, []float64{1, 0}},
		{"floor int32", i32(3, -3).Floor(), graph.Int32, []float64{3, -3}},
		{"ceil", f64(-0.5, 0.5, nz).Ceil(), graph.Float64, []float64{nz, 1, nz}},
		{"floor", f64(-0.5, 0.5, nz).Floor(), graph.Float64, []float64{-1, 0, nz}},
		{"trunc", f64(-1.5, 1.5, -0.2).Trunc(), graph.Float64, []float64{-1, 1, nz}},
		{"sign", f64(nan, nz, -3, 2, -inf).Sign(), graph.Float64, []float64{nan, 0, -1, 1, -1}},
		{"sign bool", bl(true, false).Sign(), graph.Int64, []float64{1, 0}},
		{"reciprocal int64", i64(0, 1, -1, 2, -3).Reciprocal(), graph.Int64, []float64{math.MinInt64, 1, -1, 0, 0}},
		{"reciprocal int32", i32(0, 1).Reciprocal(), graph.Int32, []float64{math.MinInt32, 1}},
		{"reciprocal float", f64(0, nz, 4).Reciprocal(), graph.Float64, []float64{inf, -inf, 0.25}},
		{"log10 exact", f64(1000, 1e-3, 1, 0, -1).Log10(), graph.Float64, []float64{3, -3, 0, -inf, nan}},
		{"log2 exact", f64(8, 0.25, 1).Log2(), graph.Float64, []float64{3, -2, 0}},
		{"log1p int32", i32(0, -1).Log1p(), graph.Float64, []float64{0, -inf}},
		{"arctanh poles", f64(1, -1, 2).Arctanh(), graph.Float64, []float64{inf, -inf, nan}},
		{"arcsin", f64(1, -1, nz, 1.5).Arcsin(), graph.Float64, []float64{math.Pi / 2, -math.Pi / 2, nz, nan}},
		{"arccos", f64(1, -1, 0).Arccos(), graph.Float64, []float64{0, math.Pi, math.Pi / 2}},
		{"arctan2 zeros", array.Arctan2(f64(0, nz, 1, 0, inf), f64(nz, nz, 0, 1, -inf)), graph.Float64, []float64{math.Pi, -math.Pi, math.Pi / 2, 0, 3 * math.Pi / 4}},
		{"arctan2 int32", array.Arctan2(i32(0), i32(-1)), graph.Float64, []float64{math.Pi}},
		{"hypot", array.Hypot(f64(3, inf, nan), f64(4, nan, 1)), graph.Float64, []float64{5, inf, nan}},
		{"hypot bool", array.Hypot(bl(true), bl(true)), graph.Float32, []float64{float64(float32(math.Sqrt2))}},
		{"isnan", f64(nan, inf, 0).IsNaN(), graph.Bool, []float64{1, 0, 0}},
		{"isinf", f64(nan, -inf, 0).IsInf(), graph.Bool, []float64{0, 1, 0}},
		{"isfinite", f64(nan, inf, 0).IsFinite(), graph.Bool, []float64{0, 0, 1}},
		{"isfinite int", i64(math.MinInt64).IsFinite(), graph.Bool, []float64{1}},
		{"clip nan", f64(nan, -5, 5, 0.5).Clip(array.Float(0), array.Float(1)), graph.Float64, []float64{nan, 0, 1, 0.5}},
		{"clip lo > hi", f64(-5, 5).Clip(array.Float(2), array.Float(1)), graph.Float64, []float64{1, 1}},
		{"clip float32 weak", array.FromSlice([]float32{-2, 2}, []int{2}).Clip(array.Float(-1), array.Float(1)), graph.Float32, []float64{-1, 1}},
		{"clip int32 weak int", i32(-9, 9).Clip(array.Int(-3), array.Int(3)), graph.Int32, []float64{-3, 3}},
		{"clip int32 weak float", i32(-9, 9).Clip(array.Float(-2.5), nil), graph.Float64, []float64{-2.5, 9}},
	} {
		if err := tc.z.Err(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		got := v.one(tc.name, tc.z)
		want := newRef([]int{len(tc.want)}, tc.dt)
		for k, w := range tc.want {
			if isF(tc.dt) {
				want.f[k] = w
			} else {
				want.i[k] = int64(w)
			}
		}
		exact(t, tc.name, got, want)
	}
	a := array.Ones([]int{2, 3}, graph.Float32)
	for _, tc := range []struct {
		name  string
		z     *array.Array
		parts []string
	}{
		{"float and", a.BitwiseAnd(a), []string{"bitwise_and", "float32", "(2, 3)"}},
		{"float xor int", a.BitwiseXor(array.Int(1)), []string{"bitwise_xor", "float32"}},
		{"float shift", array.Ones([]int{2}, graph.Int32).LeftShift(array.Float(1)), []string{"left_shift", "float64"}},
		{"float invert", a.Invert(), []string{"invert", "(2, 3)"}},
		{"clip without bounds", a.Clip(nil, nil), []string{"clip", "(2, 3)"}},
		{"clip broadcast", a.Clip(array.Ones([]int{4}, graph.Float32), nil), []string{"clip", "(2, 3)", "(4,)"}},
	} {
		wantErr(t, tc.name, tc.z.Err(), tc.parts...)
	}
}
