package array_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// refScan is NumPy's cumsum / cumprod of r along axis: bool and int32
// give int64 (wrapping), floats keep their dtype and are accumulated one
// element at a time in it. It also returns the rounding scale per element
// (the running sum of |x|, or |running product|).
func refScan(prod bool, r *ref, axis int) (*ref, []float64) {
	dt := graph.SumDType(r.dt)
	o := newRef(r.shape, dt)
	scale := make([]float64, r.n())
	st := strides(r.shape)
	for k := 0; k < r.n(); k++ {
		first := (k/st[axis])%r.shape[axis] == 0
		p := k - st[axis]
		switch {
		case isF(dt) && first:
			o.setF(k, r.f[k])
			scale[k] = math.Abs(r.f[k])
		case isF(dt) && prod:
			o.setF(k, o.f[p]*r.f[k])
			scale[k] = math.Abs(o.f[k])
		case isF(dt):
			o.setF(k, o.f[p]+r.f[k])
			scale[k] = scale[p] + math.Abs(r.f[k])
		case first:
			o.setI(k, r.i[k])
		case prod:
			o.setI(k, o.i[p]*r.i[k])
		default:
			o.setI(k, o.i[p]+r.i[k])
		}
	}
	return o, scale
}

func TestCumulative(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(60); c++ {
		prod := v.r.IntN(2) == 0
		dt := v.dtype()
		sh := v.shape(1, 4)
		axis := v.r.IntN(len(sh))
		given := axis
		if v.r.IntN(3) == 0 {
			given -= len(sh)
		}
		vk := vSpecial
		switch {
		case prod && v.r.IntN(4) != 0:
			vk = vNear1
		case !prod && v.r.IntN(4) == 0:
			vk = vWide
		}
		x := v.operand(sh, dt, vk)
		name := "cumsum"
		z := x.a.CumSum(given)
		if prod {
			name = "cumprod"
			z = x.a.CumProd(given)
		}
		want, scale := refScan(prod, x.ref, axis)
		twice := v.r.IntN(4) == 0 // a consumer, so the carry add fuses into it
		if twice {
			z = z.Add(z)
			for k := range scale {
				scale[k] *= 2
				if isF(want.dt) {
					want.setF(k, want.f[k]*2)
				} else {
					want.setI(k, want.i[k]*2)
				}
			}
		}
		var opts []array.ComputeOption
		if v.r.IntN(5) == 0 {
			opts = append(opts, array.NoFuse())
		}
		desc := fmt.Sprintf("case %d: %s(%v, axis=%d) twice=%v nofuse=%v", c, name, x, given, twice, len(opts) > 0)
		if err := z.Err(); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		got := v.one(desc, z, opts...)
		near(t, desc, got, want, scale, 4*relTol(want.dt, sh[axis]))
		if t.Failed() {
			return
		}
	}
}

// TestCumulativeGraph: every block is scanned once and the carries form
// one chain per row of blocks along the axis; blocks before the first
// non-empty one are aliases.
func TestCumulativeGraph(t *testing.T) {
	v := newEnv(t)
	x := array.Arange(1, 13, 1, graph.Float64, array.Chunked(4)) // 3 blocks
	z := x.CumSum(0)
	g, _, err := array.Graph([]*array.Array{z})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	for _, tk := range g.Tasks {
		ops[tk.Op.Name]++
	}
	if ops[graph.OpScan] != 3 || ops[graph.OpCombine] != 1 {
		t.Errorf("ops %v, want 3 scans and 1 combine", ops)
	}
	got := v.one("cumsum", z).Float64s()
	for k, f := range got {
		if want := float64((k + 1) * (k + 2) / 2); f != want {
			t.Fatalf("cumsum = %v", got)
		}
	}
	// dtypes (NumPy on 64-bit Linux)
	for _, tc := range []struct {
		in, out graph.DType
	}{{graph.Bool, graph.Int64}, {graph.Int32, graph.Int64}, {graph.Int64, graph.Int64}, {graph.Float32, graph.Float32}, {graph.Float64, graph.Float64}} {
		if d := array.Ones([]int{2}, tc.in).CumProd(0).DType(); d != tc.out {
			t.Errorf("cumprod of %v is %v, want %v", tc.in, d, tc.out)
		}
	}
}

func TestCumulativeErrors(t *testing.T) {
	a23 := array.Ones([]int{2, 3}, graph.Float64)
	for _, tc := range []struct {
		name  string
		x     *array.Array
		parts []string
	}{
		{"cumsum axis", a23.CumSum(2), []string{"cumsum", "axis 2", "(2, 3)"}},
		{"cumprod negative axis", a23.CumProd(-3), []string{"cumprod", "-3", "(2, 3)"}},
		{"cumsum 0-d", array.Float(1).Astype(graph.Float64).CumSum(0), []string{"cumsum", "dimension 0", "()"}},
		{"sticky", a23.CumSum(7).Mul(a23), []string{"cumsum", "(2, 3)"}},
	} {
		wantErr(t, tc.name, tc.x.Err(), tc.parts...)
	}
}
