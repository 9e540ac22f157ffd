package graph_test

import (
	"testing"

	. "github.com/blockwork-dev/blockwork/graph"
)

// TestPromote checks the table against NumPy's NEP 50 results, written
// out by hand (numpy >= 2: np.result_type of two arrays).
func TestPromote(t *testing.T) {
	b, i4, i8, f4, f8 := Bool, Int32, Int64, Float32, Float64
	want := map[[2]DType]DType{
		{b, b}: b, {b, i4}: i4, {b, i8}: i8, {b, f4}: f4, {b, f8}: f8,
		{i4, i4}: i4, {i4, i8}: i8, {i4, f4}: f8, {i4, f8}: f8,
		{i8, i8}: i8, {i8, f4}: f8, {i8, f8}: f8,
		{f4, f4}: f4, {f4, f8}: f8,
		{f8, f8}: f8,
	}
	for k, w := range want {
		if g := Promote(k[0], k[1]); g != w {
			t.Errorf("Promote(%v, %v) = %v, want %v", k[0], k[1], g, w)
		}
		if g := Promote(k[1], k[0]); g != w {
			t.Errorf("Promote(%v, %v) = %v, want %v", k[1], k[0], g, w)
		}
	}
	if Promote(Invalid, f8) != Invalid || Promote(f8, DType(99)) != Invalid {
		t.Error("Promote of an invalid dtype is not Invalid")
	}
}

// TestPromoteWeak: a Go scalar is weak (NEP 50): np.array(x, dt) + 2,
// + 2.5, + True.
func TestPromoteWeak(t *testing.T) {
	cases := []struct {
		a    DType
		k    ScalarKind
		want DType
	}{
		{Bool, BoolScalar, Bool}, {Bool, IntScalar, Int64}, {Bool, FloatScalar, Float64},
		{Int32, BoolScalar, Int32}, {Int32, IntScalar, Int32}, {Int32, FloatScalar, Float64},
		{Int64, IntScalar, Int64}, {Int64, FloatScalar, Float64},
		{Float32, BoolScalar, Float32}, {Float32, IntScalar, Float32}, {Float32, FloatScalar, Float32},
		{Float64, IntScalar, Float64}, {Float64, FloatScalar, Float64},
	}
	for _, c := range cases {
		if g := PromoteWeak(c.a, c.k); g != c.want {
			t.Errorf("PromoteWeak(%v, %d) = %v, want %v", c.a, c.k, g, c.want)
		}
	}
	// reductions: sum of bool and int32 is int64, mean of integers float64
	for d, w := range map[DType]DType{Bool: Int64, Int32: Int64, Int64: Int64, Float32: Float32, Float64: Float64} {
		if SumDType(d) != w {
			t.Errorf("SumDType(%v) = %v, want %v", d, SumDType(d), w)
		}
	}
	for d, w := range map[DType]DType{Bool: Float64, Int32: Float64, Int64: Float64, Float32: Float32, Float64: Float64} {
		if MeanDType(d) != w {
			t.Errorf("MeanDType(%v) = %v, want %v", d, MeanDType(d), w)
		}
	}
}
