package array_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
	"gonum.org/v1/gonum/mat"
)

func TestFullZerosOnes(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(200); c++ {
		sh, dt := v.shape(0, 4), v.dtype()
		ch := v.chunks(sh)
		val := []float64{0, 1, -3, 2.5, math.Inf(-1), math.NaN()}[v.r.IntN(6)]
		if !dt.IsFloat() {
			val = math.Trunc(val)
			if math.IsNaN(val) || math.IsInf(val, 0) {
				val = 7
			}
		}
		want := newRef(sh, dt)
		for k := 0; k < want.n(); k++ {
			if dt.IsFloat() {
				want.setF(k, val)
			} else {
				want.setI(k, int64(val))
			}
		}
		desc := fmt.Sprintf("case %d: full(%v, %v, %v, chunks %v)", c, sh, val, dt, ch)
		exact(t, desc, v.one(desc, array.Full(sh, val, dt, array.ExplicitChunks(ch))), want)
		zero, one := newRef(sh, dt), newRef(sh, dt)
		for k := 0; k < one.n(); k++ {
			if dt.IsFloat() {
				one.f[k] = 1
			} else {
				one.i[k] = 1
			}
		}
		exact(t, desc+" zeros", v.one(desc, array.Zeros(sh, dt, array.ExplicitChunks(ch))), zero)
		exact(t, desc+" ones", v.one(desc, array.Ones(sh, dt, array.ExplicitChunks(ch))), one)
		if t.Failed() {
			return
		}
	}
}

func TestArangeLinspaceEye(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(200); c++ {
		dt := v.dtype(graph.Int32, graph.Int64, graph.Float32, graph.Float64)
		start, stop := float64(v.r.IntN(21)-10), float64(v.r.IntN(21)-10)
		step := float64([]int{1, 2, 3, -1, -2}[v.r.IntN(5)])
		switch v.r.IntN(3) {
		case 0:
			start, step = start+0.25, step*0.75
		case 1: // steps not exact in binary, fractional for integer dtypes
			start, step = start+0.1, step*0.3
		}
		n := max(int(math.Ceil((stop-start)/step)), 0)
		// NumPy's fill: a[0] = start and a[1] = start+step cast to dt, then
		// a[i] = a[0] + i*(a[1]-a[0]) in dt's arithmetic
		want := newRef([]int{n}, dt)
		for i := 0; i < n; i++ {
			switch dt {
			case graph.Float64:
				a0, a1 := start, start+step
				want.setF(i, a0+float64(i)*(a1-a0))
				if i == 1 {
					want.setF(i, a1)
				}
			case graph.Float32:
				a0, a1 := float32(start), float32(start+step)
				d := a1 - a0
				want.setF(i, float64(a0+float32(float32(i)*d)))
				if i == 1 {
					want.setF(i, float64(a1))
				}
			default:
				a0 := int64(start)
				want.setI(i, a0+int64(i)*(int64(start+step)-a0))
			}
		}
		ch := v.chunks([]int{n})
		desc := fmt.Sprintf("case %d: arange(%v, %v, %v, %v, chunks %v)", c, start, stop, step, dt, ch)
		exact(t, desc, v.one(desc, array.Arange(start, stop, step, dt, array.ExplicitChunks(ch))), want)

		num := v.r.IntN(9)
		endpoint := v.r.IntN(2) == 0
		div := num
		if endpoint {
			div--
		}
		lw := newRef([]int{num}, graph.Float64)
		for i := 0; i < num; i++ {
			lw.f[i] = start
			if div > 0 {
				lw.f[i] = float64(i)*((stop-start)/float64(div)) + start
			}
		}
		if endpoint && num > 1 {
			lw.f[num-1] = stop
		}
		ch = v.chunks([]int{num})
		desc = fmt.Sprintf("case %d: linspace(%v, %v, %d, %v, chunks %v)", c, start, stop, num, endpoint, ch)
		exact(t, desc, v.one(desc, array.Linspace(start, stop, num, endpoint, array.ExplicitChunks(ch))), lw)

		rows, cols, k := v.axisLen(), v.axisLen(), v.r.IntN(7)-3
		edt := v.dtype()
		ew := newRef([]int{rows, cols}, edt)
		for i := 0; i < rows; i++ {
			if j := i + k; j >= 0 && j < cols {
				if edt.IsFloat() {
					ew.f[i*cols+j] = 1
				} else {
					ew.i[i*cols+j] = 1
				}
			}
		}
		ch = v.chunks([]int{rows, cols})
		desc = fmt.Sprintf("case %d: eye(%d, %d, %d, %v, chunks %v)", c, rows, cols, k, edt, ch)
		exact(t, desc, v.one(desc, array.Eye(rows, cols, k, edt, array.ExplicitChunks(ch))), ew)
		if t.Failed() {
			return
		}
	}
}

func roundTrip[T array.Element](t *testing.T, v *env, data []T, shape []int) {
	t.Helper()
	got := v.one("from_slice", array.FromSlice(data, shape, array.ExplicitChunks(v.chunks(shape))))
	back, err := array.ToSlice[T](got)
	if err != nil || !slices.Equal(back, data) || !slices.Equal(got.Shape, shape) {
		t.Errorf("round trip %T%v: got %v %v, %v", data, shape, got.Shape, back, err)
	}
	if _, ok := any(data).([]float64); ok {
		_, err = array.ToSlice[int32](got)
	} else {
		_, err = array.ToSlice[float64](got)
	}
	wantErr(t, "to_slice of the wrong type", err, "to_slice")
}

// TestArangeNumPyFill pins np.arange's documented fill, "the actual step
// value used to populate the array is dtype(start + step) - dtype(start)
// and not step": the values are NumPy 1.24's.
func TestArangeNumPyFill(t *testing.T) {
	v := newEnv(t)
	for _, c := range []struct {
		start, stop, step float64
		dt                graph.DType
		want              []float64
	}{
		// the numpy.arange docs' example: a step of int(-2.5) - int(-3) = 1
		{-3, 3, 0.5, graph.Int64, []float64{-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{-2.5, 4, 1.7, graph.Int32, []float64{-2, 0, 2, 4}},
		{2.9, -4, -1.5, graph.Int64, []float64{2, 1, 0, -1, -2}},
		// a step of (1+0.3)-1 = 0.30000000000000004
		{1, 2, 0.3, graph.Float64, []float64{1, 1.3, 1.6, 1.9000000000000001}},
		{1, 1.3, 0.1, graph.Float64, []float64{1, 1.1, 1.2000000000000002, 1.3000000000000003}},
		// 9 * float32(0.1) in float32 is float32(0.9) + 1 ulp
		{0, 1, 0.1, graph.Float32, []float64{0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645,
			0.5, 0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.9000000357627869}},
	} {
		desc := fmt.Sprintf("arange(%v, %v, %v, %v)", c.start, c.stop, c.step, c.dt)
		got := v.one(desc, array.Arange(c.start, c.stop, c.step, c.dt, array.Chunked(3)))
		if got.DType != c.dt || !slices.Equal(got.Float64s(), c.want) {
			t.Errorf("%s: got %v %v, want %v", desc, got.DType, got.Float64s(), c.want)
		}
	}
}

func TestFromSliceToSlice(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(40); c++ {
		sh := v.shape(0, 4)
		n := size(sh)
		f64, f32 := make([]float64, n), make([]float32, n)
		i64, i32, b := make([]int64, n), make([]int32, n), make([]bool, n)
		for k := 0; k < n; k++ {
			f64[k], f32[k] = v.r.NormFloat64(), float32(v.r.NormFloat64())
			i64[k], i32[k], b[k] = int64(v.r.Uint64()), int32(v.r.Uint32()), v.r.IntN(2) == 0
		}
		roundTrip(t, v, f64, sh)
		roundTrip(t, v, f32, sh)
		roundTrip(t, v, i64, sh)
		roundTrip(t, v, i32, sh)
		roundTrip(t, v, b, sh)
	}
	m := mat.NewDense(3, 4, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	x := array.FromDense(m, array.Chunked(2, 3))
	got := v.one("dense", x.T())
	d, err := got.Dense()
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(d, m.T()) {
		t.Errorf("FromDense / Dense: got %v", mat.Formatted(d))
	}
	_, err = v.one("empty dense", array.Zeros([]int{0, 3}, graph.Float64)).Dense()
	wantErr(t, "empty dense", err, "dense", "(0, 3)")
	_, err = v.one("1-d dense", array.Zeros([]int{3}, graph.Float64)).Dense()
	wantErr(t, "1-d dense", err, "dense", "(3,)")
}

// TestRandom: a seed gives the same bits whatever the chunking, a new
// stream per call, values in range and roughly the right distribution.
func TestRandom(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(60); c++ {
		sh := v.shape(0, 4)
		s := v.r.Uint64()
		dt := v.dtype(graph.Float32, graph.Float64)
		idt := v.dtype(graph.Int32, graph.Int64)
		mk := func(o array.Option) []*array.Array {
			r := array.NewRandom(s)
			return []*array.Array{
				r.Uniform(-1, 3, sh, dt, o),
				r.Normal(2, 0.5, sh, dt, o),
				r.Integers(-5, 9, sh, idt, o),
				r.Uniform(0, 1, sh, graph.Float64, o),
			}
		}
		c1, c2 := v.chunks(sh), v.chunks(sh)
		a, err := v.compute(mk(array.ExplicitChunks(c1)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := v.compute(mk(array.ExplicitChunks(c2)))
		if err != nil {
			t.Fatal(err)
		}
		desc := fmt.Sprintf("case %d: seed %d shape %v chunks %v vs %v", c, s, sh, c1, c2)
		for i := range a {
			sameResult(t, fmt.Sprintf("%s: array %d", desc, i), a[i], b[i])
		}
		for _, f := range a[0].Float64s() {
			if f < -1 || f >= 3 {
				t.Fatalf("%s: uniform value %v", desc, f)
			}
		}
		for _, k := range a[2].Int64s() {
			if k < -5 || k >= 9 {
				t.Fatalf("%s: integer value %v", desc, k)
			}
		}
		if size(sh) > 1 && slices.Equal(a[3].Float64s(), a[0].Float64s()) {
			t.Errorf("%s: two calls gave the same stream", desc)
		}
	}
	// distribution sanity on 10^5 values
	r := array.NewRandom(7)
	n := 100000
	u := r.Uniform(2, 5, []int{n}, graph.Float64, array.Chunked(30000))
	z := r.Normal(1, 2, []int{n}, graph.Float32, array.Chunked(30000))
	k := r.Integers(-3, 4, []int{n}, graph.Int64, array.Chunked(30000))
	res, err := v.compute([]*array.Array{u.Mean(), u.Var(), z.Mean(), z.Std(), u.Min(), u.Max(), k.Min(), k.Max(), k.Eq(array.Int(3)).Mean()})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float64, len(res))
	for i, x := range res {
		got[i], _ = x.Scalar()
	}
	for i, w := range []struct{ want, tol float64 }{
		{3.5, 0.02}, {0.75, 0.02}, {1, 0.03}, {2, 0.03}, {2, 0.001}, {5, 0.001}, {-3, 0}, {3, 0}, {1.0 / 7, 0.01},
	} {
		if math.Abs(got[i]-w.want) > w.tol {
			t.Errorf("distribution statistic %d = %v, want %v ± %v (all: %v)", i, got[i], w.want, w.tol, got)
		}
	}
}
