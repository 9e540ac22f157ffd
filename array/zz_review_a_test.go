package array_test

import (
	"math"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

func rvF(t *testing.T, x *array.Array, opts ...array.ComputeOption) ([]int, []float64, graph.DType) {
	t.Helper()
	v := newEnv(t)
	if err := x.Err(); err != nil {
		t.Fatalf("build: %v", err)
	}
	r := v.one("x", x, opts...)
	return r.Shape, r.Float64s(), r.DType
}

func rvEq(t *testing.T, desc string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v want %v", desc, got, want)
	}
	for i := range got {
		if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Fatalf("%s: got %v want %v", desc, got, want)
		}
	}
}

func iota64(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i)
	}
	return s
}

func TestReviewPadReflectLarge(t *testing.T) {
	x := array.FromSlice([]float64{1, 2, 3}, []int{3}, array.Chunked(2))
	_, got, _ := rvF(t, x.Pad([][2]int{{5, 5}}, array.PadReflect, 0))
	// numpy.pad([1,2,3], 5, 'reflect')
	rvEq(t, "reflect", got, []float64{2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2})
}

func TestReviewPadWrapLarge(t *testing.T) {
	x := array.FromSlice([]float64{1, 2, 3}, []int{3}, array.Chunked(2))
	_, got, _ := rvF(t, x.Pad([][2]int{{4, 5}}, array.PadWrap, 0))
	rvEq(t, "wrap", got, []float64{3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2})
}

func TestReviewPadEdge2D(t *testing.T) {
	x := array.FromSlice(iota64(6), []int{2, 3}, array.Chunked(1, 2))
	s, got, _ := rvF(t, x.Pad([][2]int{{1, 2}, {0, 1}}, array.PadEdge, 0))
	if !slices.Equal(s, []int{5, 4}) {
		t.Fatal(s)
	}
	rvEq(t, "edge", got, []float64{0, 1, 2, 2, 0, 1, 2, 2, 3, 4, 5, 5, 3, 4, 5, 5, 3, 4, 5, 5})
}

func TestReviewRoll(t *testing.T) {
	x := array.FromSlice(iota64(5), []int{5}, array.Chunked(2))
	_, got, _ := rvF(t, x.Roll(-7, 0))
	rvEq(t, "roll -7", got, []float64{2, 3, 4, 0, 1})
	_, got, _ = rvF(t, x.Roll(12))
	rvEq(t, "roll 12", got, []float64{3, 4, 0, 1, 2})
	y := array.FromSlice(iota64(6), []int{2, 3}, array.Chunked(1, 2))
	_, got, _ = rvF(t, y.Roll(1))
	rvEq(t, "roll flat", got, []float64{5, 0, 1, 2, 3, 4})
	_, got, _ = rvF(t, y.Roll(-1, 1, 1))
	rvEq(t, "roll twice", got, []float64{2, 0, 1, 5, 3, 4})
}

func TestReviewRepeatEmpty(t *testing.T) {
	x := array.FromSlice([]float64{}, []int{0, 3})
	s, got, _ := rvF(t, x.Repeat(2, 0))
	if !slices.Equal(s, []int{0, 3}) || len(got) != 0 {
		t.Fatal(s, got)
	}
	y := array.FromSlice(iota64(6), []int{2, 3}, array.Chunked(1, 2))
	s, got, _ = rvF(t, y.Repeat(0, 1))
	if !slices.Equal(s, []int{2, 0}) || len(got) != 0 {
		t.Fatal(s, got)
	}
	s, got, _ = rvF(t, y.Repeat(2, 1))
	if !slices.Equal(s, []int{2, 6}) {
		t.Fatal(s)
	}
	rvEq(t, "repeat", got, []float64{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5})
	s, got, _ = rvF(t, y.Repeat(2))
	if !slices.Equal(s, []int{12}) {
		t.Fatal(s)
	}
	rvEq(t, "repeat flat", got, []float64{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5})
}

func TestReviewReshape(t *testing.T) {
	x := array.FromSlice([]float64{}, []int{2, 0})
	s, _, _ := rvF(t, x.Reshape(-1, 5))
	if !slices.Equal(s, []int{0, 5}) {
		t.Fatal(s)
	}
	y := array.FromSlice(iota64(24), []int{4, 6}, array.Chunked(3, 4))
	s, got, _ := rvF(t, y.Reshape(2, -1, 3))
	if !slices.Equal(s, []int{2, 4, 3}) {
		t.Fatal(s)
	}
	rvEq(t, "reshape", got, iota64(24))
	y2 := array.FromSlice(iota64(24), []int{2, 3, 4}, array.Chunked(1, 2, 3))
	_, got, _ = rvF(t, y2.Reshape(6, 4))
	rvEq(t, "reshape merge", got, iota64(24))
	_, got, _ = rvF(t, y2.Reshape(1, 2, 12, 1))
	rvEq(t, "reshape merge2", got, iota64(24))
	_, got, _ = rvF(t, y2.Reshape(4, 1, 6))
	rvEq(t, "reshape odd", got, iota64(24))
	y3 := array.FromSlice(iota64(24), []int{24}, array.Chunked(5))
	_, got, _ = rvF(t, y3.Reshape(2, 1, 3, 4))
	rvEq(t, "reshape split", got, iota64(24))
}

func TestReviewConcatPromote(t *testing.T) {
	a := array.FromSlice([]int32{1, 2}, []int{2})
	b := array.FromSlice([]float32{0.5}, []int{1})
	_, got, dt := rvF(t, array.Concatenate([]*array.Array{a, b}, 0))
	if dt != graph.Float64 {
		t.Errorf("dtype %v want float64 (numpy int32+float32)", dt)
	}
	rvEq(t, "cat", got, []float64{1, 2, 0.5})
	c := array.FromSlice([]bool{true}, []int{1})
	_, _, dt = rvF(t, array.Concatenate([]*array.Array{c, a}, 0))
	if dt != graph.Int32 {
		t.Errorf("dtype %v want int32", dt)
	}
	e := array.FromSlice([]float64{}, []int{0})
	_, got, _ = rvF(t, array.Concatenate([]*array.Array{e, a, e}, 0))
	rvEq(t, "cat empty", got, []float64{1, 2})
}

func TestReviewDiag(t *testing.T) {
	x := array.FromSlice(iota64(12), []int{3, 4}, array.Chunked(2, 3))
	for _, tc := range []struct {
		k    int
		want []float64
	}{{0, []float64{0, 5, 10}}, {1, []float64{1, 6, 11}}, {2, []float64{2, 7}}, {-1, []float64{4, 9}}, {-2, []float64{8}}, {4, nil}, {9, nil}, {-3, nil}, {-9, nil}} {
		s, got, _ := rvF(t, x.Diag(tc.k))
		if len(tc.want) == 0 && s[0] == 0 {
			continue
		}
		rvEq(t, "diag", got, tc.want)
	}
	v := array.FromSlice([]float64{1, 2}, []int{2})
	s, got, _ := rvF(t, v.Diag(-1))
	if !slices.Equal(s, []int{3, 3}) {
		t.Fatal(s)
	}
	rvEq(t, "diag1 -1", got, []float64{0, 0, 0, 1, 0, 0, 0, 2, 0})
	s, got, _ = rvF(t, v.Diag(2))
	if !slices.Equal(s, []int{4, 4}) {
		t.Fatal(s)
	}
	rvEq(t, "diag1 2", got, []float64{0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0})
}

func TestReviewTril(t *testing.T) {
	x := array.FromSlice(iota64(8), []int{2, 4}, array.Chunked(1, 3))
	_, got, _ := rvF(t, x.Tril(1))
	rvEq(t, "tril", got, []float64{0, 1, 0, 0, 4, 5, 6, 0})
	_, got, _ = rvF(t, x.Triu(-1))
	rvEq(t, "triu", got, []float64{0, 1, 2, 3, 4, 5, 6, 7})
	_, got, _ = rvF(t, x.Triu(2))
	rvEq(t, "triu2", got, []float64{0, 0, 2, 3, 0, 0, 0, 7})
}

func TestReviewNanVar(t *testing.T) {
	n := math.NaN()
	x := array.FromSlice([]float64{1, n, 3, n, n, n, 5, 5, 5}, []int{3, 3}, array.Chunked(2, 2))
	_, got, _ := rvF(t, x.NanVarWith(array.ReduceOpts{Axes: []int{1}, Ddof: 1}))
	rvEq(t, "nanvar", got, []float64{2, n, 0})
	_, got, _ = rvF(t, x.NanVarWith(array.ReduceOpts{Axes: []int{1}, Ddof: 2}))
	rvEq(t, "nanvar ddof2", got, []float64{n, n, 0})
	_, got, _ = rvF(t, x.NanStdWith(array.ReduceOpts{Axes: []int{0}}))
	rvEq(t, "nanstd", got, []float64{2, 0, 1})
}

func TestReviewNanArgAllNaN(t *testing.T) {
	n := math.NaN()
	x := array.FromSlice([]float64{1, n, n, n}, []int{2, 2}, array.Chunked(1, 1))
	v := newEnv(t)
	_, err := v.compute([]*array.Array{x.NanArgMin(1)})
	if err == nil {
		t.Fatal("want All-NaN error")
	}
	_, err = v.compute([]*array.Array{x.NanArgMax()})
	if err != nil {
		t.Fatal(err)
	}
	_, got, _ := rvF(t, x.NanArgMax())
	rvEq(t, "nanargmax flat", got, []float64{0})
}

func TestReviewCumsum(t *testing.T) {
	x := array.FromSlice([]bool{true, false, true, true}, []int{4}, array.Chunked(3))
	_, got, dt := rvF(t, x.CumSum(0))
	if dt != graph.Int64 {
		t.Errorf("dtype %v", dt)
	}
	rvEq(t, "cumsum bool", got, []float64{1, 1, 2, 3})
	y := array.FromSlice([]int32{math.MaxInt32, 1, 1}, []int{3}, array.Chunked(1))
	_, got, dt = rvF(t, y.CumSum(0))
	if dt != graph.Int64 {
		t.Errorf("dtype %v", dt)
	}
	rvEq(t, "cumsum int32", got, []float64{math.MaxInt32, math.MaxInt32 + 1, math.MaxInt32 + 2})
	z := array.FromSlice([]int64{}, []int{0, 3}, array.ExplicitChunks(chunks.Chunks{{0}, {1, 2}}))
	s, _, _ := rvF(t, z.CumSum(0))
	if !slices.Equal(s, []int{0, 3}) {
		t.Fatal(s)
	}
	s, _, _ = rvF(t, z.CumProd(1))
	if !slices.Equal(s, []int{0, 3}) {
		t.Fatal(s)
	}
	w := array.FromSlice([]int64{1 << 40, 1 << 30, 4}, []int{3}, array.Chunked(1))
	v := newEnv(t)
	r := v.one("cumprod", w.CumProd(0))
	if g := r.Int64s(); g[1] != 0 || g[2] != 0 {
		t.Fatalf("cumprod wrap: %v", g)
	}
	ee := array.FromSlice([]float64{1, 2, 3, 4, 5}, []int{5}, array.ExplicitChunks(chunks.Chunks{{0, 2, 0, 0, 3, 0}}))
	_, got, _ = rvF(t, ee.CumSum(-1))
	rvEq(t, "cumsum empties", got, []float64{1, 3, 6, 10, 15})
}
