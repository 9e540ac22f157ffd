package array_test

// Tests of ufuncs_more.go against loops transcribing NumPy's scalar
// functions (npy_logaddexp, npy_heaviside, the fmax loop, np.sinc's
// formula, nan_to_num's replacements) with math.*.

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// ufloat is the dtype of a float-only ufunc of dt: integers float64, bool
// float32 (NumPy's float16), floats themselves.
func ufloat(dt graph.DType) graph.DType {
	switch dt {
	case graph.Float32, graph.Bool:
		return graph.Float32
	}
	return graph.Float64
}

// sprinkle overwrites about a third of r's float elements with NaN, ±Inf
// and ±0, so that pairs of special values meet.
func (v *env) sprinkle(r *ref) {
	if !isF(r.dt) {
		return
	}
	sp := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)}
	for k := range r.f {
		if v.r.IntN(3) == 0 {
			r.f[k] = sp[v.r.IntN(len(sp))]
		}
	}
}

// refUfuncUnary is op of x by loops (nan_to_num with its three values).
func refUfuncUnary(op string, x *ref, nan, posinf, neginf float64) *ref {
	switch op {
	case "signbit":
		o := newRef(x.shape, graph.Bool)
		for k := 0; k < x.n(); k++ {
			o.i[k] = b2i(x.dt != graph.Bool && math.Signbit(x.fl(k)))
		}
		return o
	case "nan_to_num":
		if !isF(x.dt) {
			return x
		}
		o := newRef(x.shape, x.dt)
		for k := 0; k < x.n(); k++ {
			f := x.f[k]
			switch {
			case math.IsNaN(f):
				f = nan
			case math.IsInf(f, 1):
				f = posinf
			case math.IsInf(f, -1):
				f = neginf
			}
			o.setF(k, f)
		}
		return o
	}
	dt := ufloat(x.dt)
	if op == "sinc" && x.dt == graph.Bool {
		dt = graph.Float64
	}
	o := newRef(x.shape, dt)
	for k := 0; k < x.n(); k++ {
		a := roundF(dt, x.fl(k))
		var f float64
		switch op {
		case "deg2rad", "radians":
			f = a * roundF(dt, math.Pi/180)
		case "rad2deg", "degrees":
			// NumPy's RAD2DEG: 180/π in float64; in float32 the float32
			// division 180.0f/NPY_PIf, which np.rad2deg(np.float32(1))
			// prints as 57.295776
			k := 180 / math.Pi
			if dt == graph.Float32 {
				k = 57.295776
			}
			f = a * roundF(dt, k)
		case "exp2":
			f = math.Exp2(a)
		case "sinc": // np.sinc: y = pi * where(x == 0, 1e-20, x); sin(y)/y
			if a == 0 {
				a = 1e-20
			}
			y := roundF(dt, math.Pi*a)
			f = roundF(dt, math.Sin(y)) / y
		default:
			panic(op)
		}
		o.setF(k, f)
	}
	return o
}

func ufuncUnary(op string, x *array.Array, nan, posinf, neginf float64) *array.Array {
	switch op {
	case "nan_to_num":
		return x.NanToNum(nan, posinf, neginf)
	}
	return map[string]func() *array.Array{
		"deg2rad": x.Deg2rad, "radians": x.Radians, "rad2deg": x.Rad2deg, "degrees": x.Degrees,
		"exp2": x.Exp2, "sinc": x.Sinc, "signbit": x.Signbit,
	}[op]()
}

// TestUfuncsMoreUnary: deg2rad, rad2deg and their aliases, exp2, sinc,
// signbit and nan_to_num over random shapes, chunkings, dtypes and values
// with NaN, ±Inf and -0, against loops; the conversions, signbit and
// nan_to_num bit for bit, exp2 within a few ulps, sinc within an absolute
// few ulps (sin(πx) near the integers is a cancellation).
func TestUfuncsMoreUnary(t *testing.T) {
	v := newEnv(t)
	ops := []string{"deg2rad", "radians", "rad2deg", "degrees", "exp2", "sinc", "signbit", "nan_to_num"}
	for c := 0; c < cases(40); c++ {
		op := ops[v.r.IntN(len(ops))]
		shape := v.shape(0, 3)
		dt := v.dtype()
		kind := vSpecial
		if v.r.IntN(4) == 0 {
			kind = vWide
		}
		r := v.values(shape, dt, kind)
		v.sprinkle(r)
		ch := v.chunks(shape)
		x := operand{r, ch, arr(r, ch)}
		nan, posinf, neginf := 0.0, math.Inf(1), math.Inf(-1)
		wantPos, wantNeg := math.MaxFloat64, -math.MaxFloat64
		if dt == graph.Float32 {
			wantPos, wantNeg = math.MaxFloat32, -math.MaxFloat32
		}
		if op == "nan_to_num" && v.r.IntN(2) == 0 {
			nan = []float64{-1.5, 7, math.Inf(-1)}[v.r.IntN(3)]
			posinf = []float64{3, 1e300, math.Inf(-1), math.NaN()}[v.r.IntN(4)]
			neginf = []float64{-3, -1e300, math.Inf(1)}[v.r.IntN(3)]
			wantPos, wantNeg = posinf, neginf
		}
		desc := fmt.Sprintf("case %d: %s(%v)", c, op, x)
		if op == "nan_to_num" {
			desc += fmt.Sprintf(" nan=%v posinf=%v neginf=%v", nan, posinf, neginf)
		}
		want := refUfuncUnary(op, x.ref, nan, wantPos, wantNeg)
		got := v.one(desc, ufuncUnary(op, x.a, nan, posinf, neginf))
		switch op {
		case "exp2":
			near(t, desc, got, want, relScale(want), ulpTol(want.dt))
		case "sinc":
			near(t, desc, got, want, nil, 4*ulpTol(want.dt))
		default:
			exact(t, desc, got, want)
		}
		if t.Failed() {
			return
		}
	}
	wantErr(t, "error passes through", array.Errored(fmt.Errorf("boom")).Sinc().Err(), "boom")
}

// refUfuncBinary is op(x, y) broadcast, by loops transcribing NumPy's
// scalar code.
func refUfuncBinary(op string, x, y *ref) *ref {
	dt := promote(x.dt, y.dt)
	if op != "fmax" && op != "fmin" {
		dt = ufloat(dt)
	}
	return mapN(dt, []*ref{x, y}, func(o *ref, k int, ks []int) {
		if !isF(dt) { // fmax, fmin of integers and bool
			a, b := x.i[ks[0]], y.i[ks[1]]
			if op == "fmax" {
				o.setI(k, max(a, b))
			} else {
				o.setI(k, min(a, b))
			}
			return
		}
		a, b := roundF(dt, x.fl(ks[0])), roundF(dt, y.fl(ks[1]))
		var f float64
		switch op {
		case "logaddexp", "logaddexp2": // npy_logaddexp, npy_logaddexp2
			two := op == "logaddexp2"
			log1pexp := func(d float64) float64 {
				if two {
					return math.Log2E * math.Log1p(math.Exp2(d))
				}
				return math.Log1p(math.Exp(d))
			}
			switch tmp := a - b; {
			case a == b && two:
				f = a + 1
			case a == b:
				f = a + math.Ln2
			case tmp > 0:
				f = a + log1pexp(-tmp)
			case tmp <= 0:
				f = b + log1pexp(tmp)
			default:
				f = tmp
			}
		case "heaviside": // npy_heaviside
			switch {
			case math.IsNaN(a):
				f = math.NaN()
			case a == 0:
				f = b
			case a < 0:
				f = 0
			default:
				f = 1
			}
		case "fmax": // in1 >= in2 || isnan(in2) ? in1 : in2
			f = b
			if a >= b || math.IsNaN(b) {
				f = a
			}
		case "fmin":
			f = b
			if a <= b || math.IsNaN(b) {
				f = a
			}
		case "copysign":
			f = math.Copysign(a, b)
		default:
			panic(op)
		}
		o.setF(k, f)
	})
}

func ufuncBinary(op string, x, y *array.Array) *array.Array {
	return map[string]func(x, y *array.Array) *array.Array{
		"logaddexp": array.Logaddexp, "logaddexp2": array.Logaddexp2, "heaviside": array.Heaviside,
		"fmax": array.Fmax, "fmin": array.Fmin, "copysign": array.CopySign,
	}[op](x, y)
}

// TestUfuncsMoreBinary: logaddexp, logaddexp2, heaviside, fmax, fmin and
// copysign over random broadcast shapes, chunkings, dtype pairs and values
// with NaN, ±Inf and ±0 in every pairing, against loops (the log-sum-exps
// within a few ulps of the result's size, the others bit for bit); the
// dtypes of weak Go scalars (NEP 50).
func TestUfuncsMoreBinary(t *testing.T) {
	v := newEnv(t)
	ops := []string{"logaddexp", "logaddexp2", "heaviside", "fmax", "fmin", "copysign"}
	for c := 0; c < cases(60); c++ {
		op := ops[v.r.IntN(len(ops))]
		sh := v.bcastShapes(2)
		var xs [2]operand
		for i := range xs {
			dt := v.dtype()
			kind := vSpecial
			if v.r.IntN(4) == 0 {
				kind = vWide
			}
			r := v.values(sh[i], dt, kind)
			v.sprinkle(r)
			ch := v.chunks(sh[i])
			xs[i] = operand{r, ch, arr(r, ch)}
		}
		desc := fmt.Sprintf("case %d: %s(%v, %v)", c, op, xs[0], xs[1])
		want := refUfuncBinary(op, xs[0].ref, xs[1].ref)
		got := v.one(desc, ufuncBinary(op, xs[0].a, xs[1].a))
		if op == "logaddexp" || op == "logaddexp2" {
			scale := make([]float64, want.n())
			for k := range scale {
				scale[k] = math.Abs(want.f[k]) + 1
			}
			near(t, desc, got, want, scale, 4*ulpTol(want.dt))
		} else {
			exact(t, desc, got, want)
		}
		if t.Failed() {
			return
		}
	}
	f32 := array.Ones([]int{2}, graph.Float32)
	i32 := array.Ones([]int{2}, graph.Int32)
	for _, tc := range []struct {
		name string
		x    *array.Array
		want graph.DType
	}{
		{"logaddexp(f32, Float)", array.Logaddexp(f32, array.Float(0)), graph.Float32},
		{"logaddexp2(i32, Int)", array.Logaddexp2(i32, array.Int(1)), graph.Float64},
		{"heaviside(i32, Float)", array.Heaviside(i32, array.Float(0.5)), graph.Float64},
		{"heaviside(bool, bool)", array.Heaviside(array.Ones([]int{2}, graph.Bool), array.Ones([]int{2}, graph.Bool)), graph.Float32},
		{"fmax(i32, Int)", array.Fmax(i32, array.Int(3)), graph.Int32},
		{"fmin(f32, i32)", array.Fmin(f32, i32), graph.Float64},
		{"copysign(f32, Float)", array.CopySign(f32, array.Float(-1)), graph.Float32},
		{"copysign(i32, i32)", array.CopySign(i32, i32), graph.Float64},
	} {
		if err := tc.x.Err(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if tc.x.DType() != tc.want {
			t.Errorf("%s: dtype %v, want %v", tc.name, tc.x.DType(), tc.want)
		}
	}
	x := array.Ones([]int{3}, graph.Float64)
	y := array.Ones([]int{4}, graph.Float64)
	for _, op := range ops {
		wantErr(t, op+" shapes", ufuncBinary(op, x, y).Err(), op, "broadcast", "(3,)", "(4,)")
	}
	wantErr(t, "fmax overflow", array.Fmax(i32, array.Int(1<<40)).Err(), "fmax", "out of bounds")
}
