package array_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

func rvShow(t *testing.T, name string, x *array.Array) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Logf("%-40s PANIC %v", name, r)
		}
	}()
	if err := x.Err(); err != nil {
		t.Logf("%-40s ERR %v", name, err)
		return
	}
	r, err := x.Compute(context.Background())
	if err != nil {
		t.Logf("%-40s CERR %v", name, err)
		return
	}
	var v any
	if r.DType.IsInt() {
		v = r.Int64s()
	} else if r.DType == graph.Bool {
		v = r.Bools()
	} else {
		v = r.Float64s()
	}
	s := fmt.Sprint(v)
	if len(s) > 200 {
		s = s[:200]
	}
	t.Logf("%-40s %v %v %s", name, r.Shape, r.DType, s)
}

func TestReviewProbe(t *testing.T) {
	i64 := func(v ...int64) *array.Array { return array.FromSlice(v, []int{len(v)}, array.Chunked(2)) }
	f64 := func(v ...float64) *array.Array { return array.FromSlice(v, []int{len(v)}, array.Chunked(2)) }
	i32 := func(v ...int32) *array.Array { return array.FromSlice(v, []int{len(v)}, array.Chunked(2)) }
	f32 := func(v ...float32) *array.Array { return array.FromSlice(v, []int{len(v)}, array.Chunked(2)) }
	bl := func(v ...bool) *array.Array { return array.FromSlice(v, []int{len(v)}, array.Chunked(2)) }
	nan := math.NaN()
	rvShow(t, "floordiv [-7,7,-7,5]//[2,2,0,-2] want [-4 3 0 -3]", i64(-7, 7, -7, 5).FloorDiv(i64(2, 2, 0, -2)))
	rvShow(t, "int div by 0 -> float inf", i64(1, 0).Div(i64(0, 0)))
	rvShow(t, "int32 pow neg", i32(2, 3).Pow(i32(-1, 2)))
	rvShow(t, "int64 pow 0**0, 2**62", i64(0, 2).Pow(i64(0, 62)))
	rvShow(t, "bool+bool want [T T T F]", bl(true, true, false, false).Add(bl(true, false, true, false)))
	rvShow(t, "bool*bool", bl(true, true, false, false).Mul(bl(true, false, true, false)))
	rvShow(t, "i32+Float(2.5) want f64", i32(1, 2).Add(array.Float(2.5)))
	rvShow(t, "f32+Int(2) want f32", f32(1, 2).Add(array.Int(2)))
	rvShow(t, "bool+Int(1) want i64", bl(true, false).Add(array.Int(1)))
	rvShow(t, "i32+f32 want f64", i32(1).Add(f32(1.5)))
	rvShow(t, "i32+Int(1<<40) (numpy: OverflowError)", i32(1).Add(array.Int(1<<40)))
	rvShow(t, "Float(1)+Int(1) 0d", array.Float(1).Add(array.Int(1)))
	rvShow(t, "Int(3).Div(Int(2))", array.Int(3).Div(array.Int(2)))
	rvShow(t, "sum i32 want i64", i32(1, 2, 3).Sum())
	rvShow(t, "sum bool want i64", bl(true, true, false).Sum())
	rvShow(t, "prod bool want i64", bl(true, true).Prod())
	rvShow(t, "mean bool want f64", bl(true, false, false).Mean())
	rvShow(t, "var f32 want f32", f32(1, 2, 3).Var())
	rvShow(t, "min bool", bl(true, false).Min())
	rvShow(t, "max f64 nan", f64(1, 2, nan, 4, 5).Max())
	rvShow(t, "min f64 nan in last", f64(1, 2, 0, 4, nan).Min())
	rvShow(t, "argmin nan want 2", f64(1, 0, nan, 4, nan).ArgMin())
	rvShow(t, "argmax nan want 3", f64(1, 9, 0, nan, nan).ArgMax())
	rvShow(t, "argmin ties want 1", f64(3, 1, 1, 1, 5).ArgMin())
	rvShow(t, "argmax ties want 0", f64(9, 1, 9, 9, 5).ArgMax())
	rvShow(t, "argmin int ties", i64(3, 1, 5, 1, 1).ArgMin())
	rvShow(t, "argmax bool", bl(false, false, true, true).ArgMax())
	rvShow(t, "argmin -0/+0 want 0", f64(0, math.Copysign(0, -1)).ArgMin())
	rvShow(t, "argmax inf want 1", f64(1, math.Inf(1), math.Inf(1)).ArgMax())
	rvShow(t, "argmin -inf", f64(1, math.Inf(-1), math.Inf(-1)).ArgMin())
	rvShow(t, "var ddof=1 [1,2,3,4] want 1.6667", f64(1, 2, 3, 4).VarWith(array.ReduceOpts{Ddof: 1}))
	rvShow(t, "var ddof=4 n=4 want inf", f64(1, 2, 3, 4).VarWith(array.ReduceOpts{Ddof: 4}))
	rvShow(t, "var ddof=5 n=4 want inf (numpy max(n-ddof,0))", f64(1, 2, 3, 4).VarWith(array.ReduceOpts{Ddof: 5}))
	rvShow(t, "var ddof=-1", f64(1, 2, 3, 4).VarWith(array.ReduceOpts{Ddof: -1}))
	rvShow(t, "std ddof=1 int", i64(1, 2, 3, 4).StdWith(array.ReduceOpts{Ddof: 1}))
	rvShow(t, "var large offset want 1.25", f64(1e9+1, 1e9+2, 1e9+3, 1e9+4).Var())
	ar := array.Arange(0, 10, 1, graph.Int64, array.Chunked(3))
	rvShow(t, "arange[::-1]", ar.Slice(array.Sl(array.None, array.None, -1)))
	rvShow(t, "arange[8:1:-3] want 8 5 2", ar.Slice(array.Sl(8, 1, -3)))
	rvShow(t, "arange[-1:-11:-1]", ar.Slice(array.Sl(-1, -11, -1)))
	rvShow(t, "arange[-100:100:-1] want []", ar.Slice(array.Sl(-100, 100, -1)))
	rvShow(t, "arange[100:-100:-2] want 9 7 5 3 1", ar.Slice(array.Sl(100, -100, -2)))
	rvShow(t, "arange[5:5]", ar.Slice(array.Sl(5, 5, 1)))
	rvShow(t, "arange[::0]", ar.Slice(array.Sl(0, 5, 0)))
	rvShow(t, "arange[At(-1)]", ar.Slice(array.At(-1)))
	rvShow(t, "arange[At(-11)]", ar.Slice(array.At(-11)))
	rvShow(t, "arange[None, ..., None]", ar.Slice(array.NewAxis(), array.Ellipsis(), array.NewAxis()))
	rvShow(t, "arange[::-1][::-2].sum want 25", ar.Slice(array.Sl(array.None, array.None, -1)).Slice(array.Sl(array.None, array.None, -2)).Sum())
	rvShow(t, "arange[MinInt+1:]", ar.Slice(array.Sl(math.MinInt+1, array.None, 1)))
	rvShow(t, "arange[:MaxInt:MaxInt]", ar.Slice(array.Sl(array.None, math.MaxInt, math.MaxInt)))
	rvShow(t, "arange[::MinInt+1]", ar.Slice(array.Sl(array.None, array.None, math.MinInt+1)))
	z0 := array.Full([]int{}, 3, graph.Float64)
	rvShow(t, "0d full", z0)
	rvShow(t, "0d sum", z0.Sum())
	rvShow(t, "0d sum axis 0 (err)", z0.Sum(0))
	rvShow(t, "0d T", z0.T())
	rvShow(t, "0d [None]", z0.Slice(array.NewAxis()))
	rvShow(t, "0d [...]", z0.Slice(array.Ellipsis()))
	rvShow(t, "0d argmax", z0.ArgMax())
	rvShow(t, "0d var", z0.Var())
	rvShow(t, "0d matmul", z0.MatMul(z0))
	e := array.Zeros([]int{0, 3}, graph.Float64)
	rvShow(t, "(0,3).sum(0) want [0 0 0]", e.Sum(0))
	rvShow(t, "(0,3).sum(1) want []", e.Sum(1))
	rvShow(t, "(0,3).mean() want nan", e.Mean())
	rvShow(t, "(0,3).prod(0) want 1s", e.Prod(0))
	rvShow(t, "(0,3).any(0)", e.Any(0))
	rvShow(t, "(0,3).all(0)", e.All(0))
	rvShow(t, "(0,3).max(0) err", e.Max(0))
	rvShow(t, "(0,3).max(1) want [] (numpy ok)", e.Max(1))
	rvShow(t, "(0,3).argmax(1) (numpy ok -> [])", e.ArgMax(1))
	rvShow(t, "(0,3).var(0) nan", e.Var(0))
	rvShow(t, "(0,3)@(3,2) want (0,2)", e.MatMul(array.Ones([]int{3, 2}, graph.Float64)))
	rvShow(t, "(2,0)@(0,2) want zeros", array.Ones([]int{2, 0}, graph.Float64).MatMul(array.Ones([]int{0, 2}, graph.Float64)))
	rvShow(t, "(0,3).T", e.T())
	rvShow(t, "bcast (0,1)+(1,4)", array.Zeros([]int{0, 1}, graph.Float64).Add(array.Ones([]int{1, 4}, graph.Float64)))
	rvShow(t, "bcast (1,)+(0,)", array.Ones([]int{1}, graph.Float64).Add(array.Ones([]int{0}, graph.Float64)))
	rvShow(t, "bcast (2,)+(3,) err", array.Ones([]int{2}, graph.Float64).Add(array.Ones([]int{3}, graph.Float64)))
	rvShow(t, "bcast (3,1)+(4,) chunks", array.Arange(0, 3, 1, graph.Int64, array.Chunked(2)).Slice(array.All(), array.NewAxis()).Add(array.Arange(0, 4, 1, graph.Int64, array.Chunked(3))))
	rvShow(t, "arange 1e300", array.Arange(0, 1e300, 1, graph.Float64))
	rvShow(t, "arange 1e19 int", array.Arange(0, 1e19, 1, graph.Int64))
	rvShow(t, "arange nan", array.Arange(0, nan, 1, graph.Float64))
	rvShow(t, "arange bool", array.Arange(0, 3, 1, graph.Bool))
	rvShow(t, "arange(0.5,3,1,i64) numpy [0 1 2]", array.Arange(0.5, 3, 1, graph.Int64))
	rvShow(t, "arange(-3,3,1.5) f32", array.Arange(-3, 3, 1.5, graph.Float32))
	rvShow(t, "linspace(0,1,5)", array.Linspace(0, 1, 5, true, array.Chunked(2)))
	rvShow(t, "linspace(0,1,1)", array.Linspace(0, 1, 1, true))
	rvShow(t, "linspace(0,1,0)", array.Linspace(0, 1, 0, true))
	rvShow(t, "linspace(0,1,1,false)", array.Linspace(0, 1, 1, false))
	rvShow(t, "linspace(nan,1,3)", array.Linspace(nan, 1, 3, true))
	rvShow(t, "linspace(0,1,huge)", array.Linspace(0, 1, math.MaxInt, true))
	rvShow(t, "eye(-1)", array.Eye(-1, 3, 0, graph.Float64))
	rvShow(t, "eye(3,4,k=-1)", array.Eye(3, 4, -1, graph.Int32, array.Chunked(2)))
	rvShow(t, "eye(2,2,k=MinInt)", array.Eye(2, 2, math.MinInt, graph.Bool))
	rvShow(t, "zeros huge (1<<62)", array.Zeros([]int{1 << 62}, graph.Float64))
	rvShow(t, "zeros overflow 3x(1<<31)", array.Zeros([]int{1 << 31, 1 << 31, 1 << 31}, graph.Float64))
	rvShow(t, "zeros(1<<40) chunked 1<<20 sum", array.Zeros([]int{1 << 40}, graph.Float64, array.Chunked(1<<20)).Sum())
	rvShow(t, "chunked(0)", array.Zeros([]int{4}, graph.Float64, array.Chunked(0)))
	rvShow(t, "chunked(-3)", array.Zeros([]int{4}, graph.Float64, array.Chunked(-3)))
	rvShow(t, "chunked(1,2) 1-d", array.Zeros([]int{4}, graph.Float64, array.Chunked(1, 2)))
	rvShow(t, "chunkbytes(-1)", array.Zeros([]int{4}, graph.Float64, array.ChunkBytes(-1)))
	rvShow(t, "invalid dtype", array.Zeros([]int{4}, graph.DType(99)))
	rvShow(t, "astype invalid", f64(1).Astype(graph.DType(99)))
	rvShow(t, "astype nan->i32", f64(nan, 1e20, -1e20, 2.7, -2.7).Astype(graph.Int32))
	rvShow(t, "astype nan->bool want T", f64(nan, 0).Astype(graph.Bool))
	rvShow(t, "integers full range", array.NewRandom(1).Integers(math.MinInt64, math.MaxInt64, []int{4}, graph.Int64))
	rvShow(t, "integers i32", array.NewRandom(1).Integers(-5, 5, []int{6}, graph.Int32))
	rvShow(t, "abs minint", i64(math.MinInt64, -3).Abs())
	rvShow(t, "neg i32", i32(math.MinInt32, 3).Neg())
	rvShow(t, "sqrt bool (numpy f16)", bl(true).Sqrt())
	rvShow(t, "max f32 with f64", f32(1).Maximum(f64(2)))
	rvShow(t, "maximum nan", f64(nan, 1).Maximum(f64(1, nan)))
	rvShow(t, "where weak", array.Where(bl(true, false), f32(1, 2), array.Float(0.5)))
	rvShow(t, "where int cond", array.Where(i64(0, 3), f32(1, 2), i32(7, 8)))
	rvShow(t, "eq nan", f64(nan).Eq(f64(nan)))
	rvShow(t, "lt i64 vs f64 big", i64(1<<53+1).Gt(f64(1<<53)))
	rvShow(t, "matmul bool", bl(true, true).Slice(array.NewAxis()).MatMul(bl(true, true).Slice(array.All(), array.NewAxis())))
	rvShow(t, "matmul i32", i32(1, 2).Slice(array.NewAxis()).MatMul(i32(3, 4).Slice(array.All(), array.NewAxis())))
	rvShow(t, "matmul i32xf32 want f64", i32(1, 2).Slice(array.NewAxis()).MatMul(f32(3, 4).Slice(array.All(), array.NewAxis())))
	rvShow(t, "matmul shape err", f64(1, 2).Slice(array.NewAxis()).MatMul(f64(1, 2).Slice(array.NewAxis())))
	rvShow(t, "matmul 1d", f64(1, 2).MatMul(f64(1, 2)))
	rvShow(t, "transpose bad", f64(1, 2).Transpose(1))
	rvShow(t, "transpose dup", array.Zeros([]int{2, 2}, graph.Float64).Transpose(0, 0))
	rvShow(t, "sum axis dup", array.Zeros([]int{2, 2}, graph.Float64).Sum(0, -2))
	rvShow(t, "split_every 1", f64(1, 2).SumWith(array.ReduceOpts{SplitEvery: 1}))
	rvShow(t, "split_every -1", f64(1, 2).SumWith(array.ReduceOpts{SplitEvery: -1}))
	rvShow(t, "keepdims argmax", array.Ones([]int{2, 3}, graph.Float64).ArgWith("argmax", array.ReduceOpts{Axes: []int{1}, KeepDims: true}))
	rvShow(t, "rechunk(0)", f64(1, 2).Rechunk(array.Chunked(0)))
	rvShow(t, "fromslice mismatch", array.FromSlice([]float64{1}, []int{2}))
	rvShow(t, "fromslice overflow shape", array.FromSlice([]float64{}, []int{1 << 32, 1 << 32}))
	rvShow(t, "fromslice neg shape", array.FromSlice([]float64{}, []int{-1, 0}))
	var nilA *array.Array
	rvShow(t, "nil add", nilA.Add(f64(1)))
	rvShow(t, "add nil", f64(1).Add(nilA))
	rvShow(t, "and nil", f64(1).LogicalAnd(nilA))
	rvShow(t, "xor nil", nilA.LogicalXor(f64(1)))
	rvShow(t, "nil matmul", nilA.MatMul(f64(1)))
	rvShow(t, "nil T", nilA.T())
	rvShow(t, "nil rechunk", nilA.Rechunk(array.Chunked(1)))
	rvShow(t, "nil slice", nilA.Slice(array.At(0)))
	rvShow(t, "nil astype", nilA.Astype(graph.Int32))
	rvShow(t, "where nil", array.Where(nilA, f64(1), f64(1)))
	rvShow(t, "nil sum", nilA.Sum())
	rvShow(t, "nil random", (*array.Random)(nil).Uniform(0, 1, []int{2}, graph.Float64))
	rvShow(t, "from dense zero", array.FromDense(nil))
}
