package array_test

import (
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

func TestReviewNanEmpty(t *testing.T) {
	x := array.FromSlice([]float64{}, []int{0, 3})
	v := newEnv(t)
	for name, y := range map[string]*array.Array{
		"nanmin all":    x.NanMin(),
		"nanargmin all": x.NanArgMin(),
		"nanmax ax0":    x.NanMax(0),
		"nanargmax ax0": x.NanArgMax(0),
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			if y.Err() == nil {
				_, err := v.compute([]*array.Array{y})
				if err == nil {
					t.Errorf("%s: no error for empty reduction", name)
				}
			}
		}()
	}
	_, got, _ := rvF(t, x.NanMean())
	rvEq(t, "nanmean empty", got, []float64{math.NaN()})
	_, got, _ = rvF(t, x.NanSum(1))
	rvEq(t, "nansum empty", got, []float64{})
	_, got, _ = rvF(t, x.NanArgMin(1))
	rvEq(t, "nanargmin ax1 of (0,3)", got, []float64{})
}

func TestReviewNanArgFlatAllNaN(t *testing.T) {
	n := math.NaN()
	x := array.FromSlice([]float64{n, n, n, n, n, n}, []int{2, 3}, array.Chunked(1, 2))
	v := newEnv(t)
	if _, err := v.compute([]*array.Array{x.NanArgMin()}); err == nil {
		t.Fatal("want All-NaN error (flat)")
	}
	y := array.FromSlice([]float64{n, 2, n, 1, n, n}, []int{2, 3}, array.Chunked(1, 2))
	_, got, _ := rvF(t, y.NanArgMin())
	rvEq(t, "flat", got, []float64{3})
}

func TestReviewNanArgKeepDims(t *testing.T) {
	n := math.NaN()
	y := array.FromSlice([]float64{n, 2, n, 1, n, 0}, []int{2, 3}, array.Chunked(1, 2))
	s, got, _ := rvF(t, y.NanArgWith("argmax", array.ReduceOpts{Axes: []int{1}, KeepDims: true}))
	if len(s) != 2 || s[0] != 2 || s[1] != 1 {
		t.Fatalf("shape %v", s)
	}
	rvEq(t, "keep", got, []float64{1, 0})
	_, got, _ = rvF(t, y.NanArgWith("argmin", array.ReduceOpts{Axes: []int{0}, SplitEvery: 2}))
	rvEq(t, "split", got, []float64{1, 0, 1})
}

func TestReviewElemMore(t *testing.T) {
	n := math.NaN()
	x := array.FromSlice([]float64{-2, 0.5, n, 9}, []int{4}, array.Chunked(3))
	_, got, _ := rvF(t, x.Clip(array.Float(0), array.Float(3)))
	rvEq(t, "clip", got, []float64{0, 0.5, n, 3})
	_, got, _ = rvF(t, x.Clip(array.Float(5), array.Float(1)))
	rvEq(t, "clip lo>hi", got, []float64{1, 1, n, 1})
	_, got, _ = rvF(t, x.Clip(array.Float(n), nil))
	rvEq(t, "clip nan lo", got, []float64{n, n, n, n})
	xi := array.FromSlice([]int32{-3, 2, 7}, []int{3})
	_, got, dt := rvF(t, xi.Clip(array.Float(0.5), nil))
	if dt != graph.Float64 {
		t.Errorf("clip int32 with float: %v, numpy float64", dt)
	}
	rvEq(t, "clip int float", got, []float64{0.5, 2, 7})
	b := array.FromSlice([]bool{true, false}, []int{2})
	v := newEnv(t)
	r := v.one("invert bool", b.Invert())
	if bs := r.Bools(); bs[0] != false || bs[1] != true || r.Data[0] > 1 || r.Data[1] > 1 {
		t.Errorf("invert bool: %v %v", bs, r.Data)
	}
	i32 := array.FromSlice([]int32{1, -1, -8, math.MinInt32}, []int{4})
	sh := array.FromSlice([]int32{32, 40, 1, -1}, []int{4})
	_, got, _ = rvF(t, i32.LeftShift(sh))
	rvEq(t, "shl", got, []float64{0, 0, -16, 0})
	_, got, _ = rvF(t, i32.RightShift(sh))
	rvEq(t, "shr", got, []float64{0, -1, -4, -1})
	_, got, _ = rvF(t, i32.Mod(array.FromSlice([]int32{0, 3, -3, -1}, []int{4})))
	rvEq(t, "mod int", got, []float64{0, 2, -2, 0})
	f := array.FromSlice([]float64{-1, 1, -1, 5, math.Inf(1), 0}, []int{6})
	g := array.FromSlice([]float64{3, math.Inf(-1), math.Inf(1), 0, 2, -3}, []int{6})
	_, got, _ = rvF(t, f.Mod(g))
	rvEq(t, "mod float", got, []float64{2, math.Inf(-1), math.Inf(1), n, n, math.Copysign(0, -1)})
	_, got, _ = rvF(t, f.FloorDiv(g))
	rvEq(t, "floordiv float", got, []float64{-1, -1, -1, math.Inf(1), n, math.Copysign(0, -1)})
	_, got, _ = rvF(t, i32.Reciprocal())
	rvEq(t, "recip", got, []float64{1, -1, 0, 0})
	z := array.FromSlice([]int32{0}, []int{1})
	_, got, _ = rvF(t, z.Reciprocal())
	rvEq(t, "recip0", got, []float64{math.MinInt32})
	_, got, _ = rvF(t, array.Hypot(array.Float(math.Inf(1)), array.Float(n)))
	rvEq(t, "hypot", got, []float64{math.Inf(1)})
	_, got, _ = rvF(t, array.Arctan2(array.Float(0), array.Float(math.Copysign(0, -1))))
	rvEq(t, "atan2", got, []float64{math.Pi})
	s := array.FromSlice([]float64{math.Copysign(0, -1), 0, n, -3}, []int{4})
	v2 := newEnv(t)
	r2 := v2.one("sign", s.Sign())
	fs := r2.Float64s()
	if math.Signbit(fs[0]) || !math.IsNaN(fs[2]) || fs[3] != -1 {
		t.Errorf("sign %v", fs)
	}
	_, got, dt = rvF(t, b.Round())
	if dt != graph.Float32 {
		t.Errorf("round bool dtype %v", dt)
	}
	rvEq(t, "round bool", got, []float64{1, 0})
	_, got, _ = rvF(t, array.FromSlice([]float64{0.5, 1.5, 2.5, -0.5}, []int{4}).Round())
	rvEq(t, "round", got, []float64{0, 2, 2, math.Copysign(0, -1)})
}
