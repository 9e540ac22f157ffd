package array_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// randAxes picks a random subset of the axes of an nd-dim array (nil:
// all), each possibly negative, and the sorted normalised set.
func (v *env) randAxes(nd int) (given, norm []int) {
	if nd == 0 || v.r.IntN(4) == 0 {
		return nil, nil
	}
	for a := 0; a < nd; a++ {
		if v.r.IntN(2) == 0 {
			norm = append(norm, a)
		}
	}
	if norm == nil {
		norm = []int{v.r.IntN(nd)}
	}
	for _, a := range norm {
		if v.r.IntN(3) == 0 {
			a -= nd
		}
		given = append(given, a)
	}
	v.r.Shuffle(len(given), func(i, j int) { given[i], given[j] = given[j], given[i] })
	return given, norm
}

func reduceArray(kind string, x *array.Array, o array.ReduceOpts) *array.Array {
	switch kind {
	case "sum":
		return x.SumWith(o)
	case "prod":
		return x.ProdWith(o)
	case "mean":
		return x.MeanWith(o)
	case "var":
		return x.VarWith(o)
	case "std":
		return x.StdWith(o)
	case "min":
		return x.MinWith(o)
	case "max":
		return x.MaxWith(o)
	case "any":
		return x.AnyWith(o)
	case "all":
		return x.AllWith(o)
	case "argmin", "argmax":
		return x.ArgWith(kind, o)
	}
	panic(kind)
}

func reducedCount(shape, axes []int) int {
	n := 1
	for a, s := range shape {
		if axes == nil || slices.Contains(axes, a) {
			n *= s
		}
	}
	return n
}

func TestReductions(t *testing.T) {
	v := newEnv(t)
	kinds := []string{"sum", "prod", "mean", "var", "std", "min", "max", "any", "all", "argmin", "argmax"}
	for c := 0; c < cases(900); c++ {
		kind := kinds[v.r.IntN(len(kinds))]
		dt := v.dtype()
		sh := v.shape(0, 4)
		given, axes := v.randAxes(len(sh))
		if kind == "argmin" || kind == "argmax" {
			if len(axes) > 1 {
				given, axes = given[:1], []int{(given[0] + len(sh)) % len(sh)}
			}
		}
		if (kind == "min" || kind == "max" || kind == "argmin" || kind == "argmax") && reducedCount(sh, axes) == 0 {
			continue // no identity: TestErrors
		}
		vk := vSpecial
		switch {
		case kind == "prod":
			vk = vNear1
		case dt.IsInt() && (kind == "sum" || kind == "min" || kind == "max") && v.r.IntN(3) == 0:
			vk = vWide
		case kind == "var" || kind == "std" || kind == "mean" || kind == "sum":
			if v.r.IntN(2) == 0 {
				vk = vSmall
			}
		}
		x := v.operand(sh, dt, vk)
		o := array.ReduceOpts{Axes: given, KeepDims: v.r.IntN(3) == 0}
		if v.r.IntN(3) == 0 {
			o.SplitEvery = 2 + v.r.IntN(3)
		}
		if kind == "var" || kind == "std" {
			o.Ddof = v.r.IntN(2)
		}
		desc := fmt.Sprintf("case %d: %s(%v, axes=%v, keepdims=%v, split=%d, ddof=%d)", c, kind, x, given, o.KeepDims, o.SplitEvery, o.Ddof)
		want, scale := refReduce(kind, x.ref, axes, o.KeepDims, o.Ddof)
		z := reduceArray(kind, x.a, o)
		if err := z.Err(); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		got := v.one(desc, z)
		n := reducedCount(sh, axes)
		switch kind {
		case "var", "std":
			if n-o.Ddof <= 0 && n > 0 {
				// 0/0 or M2/0: NaN or Inf (NumPy warns); rounding decides which
				for k, f := range refOf(got).f {
					if !math.IsNaN(f) && !math.IsInf(f, 1) {
						t.Errorf("%s: [%d] = %v, want NaN or +Inf", desc, k, f)
					}
				}
				break
			}
			near(t, desc, got, want, scale, 8*relTol(dt, n))
		default:
			near(t, desc, got, want, scale, relTol(dt, n))
		}
		if t.Failed() {
			return
		}
	}
}

// TestReduceChunkings: the same values under two chunkings reduce to the
// same result within tolerance (and integers exactly).
func TestReduceChunkings(t *testing.T) {
	v := newEnv(t)
	kinds := []string{"sum", "mean", "var", "min", "argmax", "any"}
	for c := 0; c < cases(200); c++ {
		kind := kinds[v.r.IntN(len(kinds))]
		sh := v.shape(1, 4)
		dt := v.dtype()
		given, axes := v.randAxes(len(sh))
		if kind == "argmax" && len(axes) > 1 {
			given = given[:1]
		}
		if (kind == "min" || kind == "argmax") && reducedCount(sh, axes) == 0 {
			continue
		}
		r := v.values(sh, dt, vSmall)
		c1, c2 := v.chunks(sh), v.chunks(sh)
		o := array.ReduceOpts{Axes: given}
		desc := fmt.Sprintf("case %d: %s %v%v axes %v, chunks %v vs %v", c, kind, dt, sh, given, c1, c2)
		a := v.one(desc, reduceArray(kind, arr(r, c1), o))
		b := v.one(desc, reduceArray(kind, arr(r, c2), o))
		near(t, desc, a, refOf(b), nil, relTol(dt, r.n())*16)
		if t.Failed() {
			return
		}
	}
}

// TestReduceNaN pins NaN propagation and first-occurrence ties.
func TestReduceNaN(t *testing.T) {
	v := newEnv(t)
	nan := math.NaN()
	x := array.FromSlice([]float64{3, nan, 1, nan, 1, 0, 5, 0}, []int{2, 4}, array.Chunked(1, 3))
	for _, tc := range []struct {
		name string
		z    *array.Array
		want []float64
	}{
		{"min", x.Min(), []float64{nan}},
		{"max(1)", x.Max(1), []float64{nan, 5}},
		{"min(1)", x.Min(1), []float64{nan, 0}},
		{"argmin", x.ArgMin(), []float64{1}},
		{"argmax(1)", x.ArgMax(1), []float64{1, 2}},
		{"argmin(1)", x.ArgMin(1), []float64{1, 1}},
		{"argmax(0)", x.ArgMax(0), []float64{0, 0, 1, 0}},
		{"sum(1)", x.Sum(1), []float64{nan, 6}},
		{"minimum", x.Slice(array.At(0)).Minimum(x.Slice(array.At(1))), []float64{1, nan, 1, nan}},
	} {
		got := v.one(tc.name, tc.z).Float64s()
		for k := range tc.want {
			if k >= len(got) || !sameBits(got[k], tc.want[k]) {
				t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
	// dtypes of results follow NumPy
	for _, tc := range []struct {
		z    *array.Array
		want graph.DType
	}{
		{array.Ones([]int{2}, graph.Bool).Sum(), graph.Int64},
		{array.Ones([]int{2}, graph.Int32).Sum(), graph.Int64},
		{array.Ones([]int{2}, graph.Int32).Prod(), graph.Int64},
		{array.Ones([]int{2}, graph.Float32).Sum(), graph.Float32},
		{array.Ones([]int{2}, graph.Int32).Mean(), graph.Float64},
		{array.Ones([]int{2}, graph.Int64).Var(), graph.Float64},
		{array.Ones([]int{2}, graph.Float32).Std(), graph.Float32},
		{array.Ones([]int{2}, graph.Float32).ArgMax(), graph.Int64},
		{array.Ones([]int{2}, graph.Int32).Max(), graph.Int32},
		{array.Ones([]int{2}, graph.Float64).Any(), graph.Bool},
	} {
		if z := tc.z; z.DType() != tc.want {
			t.Errorf("%v: dtype %v, want %v", z, z.DType(), tc.want)
		}
	}
	// reductions over empty arrays with an identity
	e := array.Zeros([]int{0, 3}, graph.Int32, array.Chunked(1))
	for _, tc := range []struct {
		z    *array.Array
		want string
	}{
		{e.Sum(), "[0]"}, {e.Prod(), "[1]"}, {e.Any(), "[0]"}, {e.All(), "[1]"},
		{e.Sum(0), "[0 0 0]"}, {e.Mean(), "[NaN]"}, {e.Sum(1), "[]"},
	} {
		if got := fmt.Sprint(v.one(tc.want, tc.z).Float64s()); got != tc.want {
			t.Errorf("%v = %v, want %v", tc.z, got, tc.want)
		}
	}
}
