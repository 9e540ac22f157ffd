package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/graph"
)

func main() {
	ctx := context.Background()
	e, _ := local.New()
	n, c := 4000, 1000
	x0 := array.NewRandom(1).Uniform(0, 1, []int{n, n}, graph.Float64, array.Chunked(c))
	y0 := array.NewRandom(2).Uniform(0, 1, []int{n, n}, graph.Float64, array.Chunked(c))
	px, _ := x0.Persist(ctx, array.On(e))
	py, _ := y0.Persist(ctx, array.On(e))
	x, y := px.Array(), py.Array()
	v := x.Ravel()
	ops := []struct {
		name string
		f    func() *array.Array
	}{
		{"sum", func() *array.Array { return x.Sum() }},
		{"add", func() *array.Array { return x.Add(y) }},
		{"x+y.T sum0", func() *array.Array { return x.Add(y.T()).Sum(0) }},
		{"argmax0", func() *array.Array { return x.ArgMax(0) }},
		{"argmax1", func() *array.Array { return x.ArgMax(1) }},
		{"cumsum0", func() *array.Array { return x.CumSum(0) }},
		{"cumsum1", func() *array.Array { return x.CumSum(1) }},
		{"sort1", func() *array.Array { return x.Sort(1) }},
		{"where", func() *array.Array { return array.Where(x.Gt(y), x, y) }},
		{"exp", func() *array.Array { return x.Exp() }},
		{"log", func() *array.Array { return x.Log() }},
		{"sqrt", func() *array.Array { return x.Sqrt() }},
		{"tanh", func() *array.Array { return x.Tanh() }},
		{"pow2.5", func() *array.Array { return x.PowScalar(2.5) }},
		{"matmul x.T@x", func() *array.Array { return x.T().MatMul(x) }},
		{"var01", func() *array.Array { return x.Var(0, 1) }},
		{"median0", func() *array.Array { return x.Median(0) }},
		{"take rows", func() *array.Array { return x.Take([]int{5, 3000, 7, 1999, 3999, 0}, 0) }},
		{"fancy perm", func() *array.Array {
			p := make([]int, n)
			for i := range p {
				p[i] = (i * 7919) % n
			}
			return x.Slice(array.Ix(p...))
		}},
		{"concat", func() *array.Array { return array.Concatenate([]*array.Array{x, y}, 0) }},
		{"transpose copy", func() *array.Array { return x.T().Add(x.T()) }},
		{"reshape", func() *array.Array { return x.Reshape(n*2, n/2) }},
		{"rechunk", func() *array.Array { return x.Rechunk(array.Chunked(500, 4000)) }},
		{"unique-ish bincount", func() *array.Array { return x.MulScalar(100).Astype(graph.Int64).Ravel().BinCount(0) }},
		{"nanmean0", func() *array.Array { return x.NanMean(0) }},
		{"std1", func() *array.Array { return x.Std(1) }},
		{"diag", func() *array.Array { return x.Diag(0) }},
		{"histogram", func() *array.Array { h, _ := v.Histogram(100, 0, 1); return h }},
		{"quantile", func() *array.Array { return x.Quantile([]float64{0.5}, 0) }},
		{"topk", func() *array.Array { return v.TopK(10, 0) }},
		{"clip", func() *array.Array { return x.Clip(array.Float(0.2), array.Float(0.8)) }},
		{"mod", func() *array.Array { return x.Mod(y) }},
		{"abs-neg", func() *array.Array { return x.Neg().Abs() }},
		{"isnan any", func() *array.Array { return x.IsNaN().Any() }},
		{"sort0", func() *array.Array { return x.Sort(0) }},
		{"argsort1", func() *array.Array { return x.ArgSort(1) }},
		{"unique", func() *array.Array { u, _ := x.MulScalar(1000).Astype(graph.Int64).Unique(); return u }},
		{"cumprod1", func() *array.Array { return x.CumProd(1) }},
		{"std0", func() *array.Array { return x.Std(0) }},
		{"mean", func() *array.Array { return x.Mean() }},
		{"min1", func() *array.Array { return x.Min(1) }},
		{"nanstd1", func() *array.Array { return x.NanStd(1) }},
		{"nansum", func() *array.Array { return x.NanSum() }},
		{"tril", func() *array.Array { return x.Tril(0) }},
		{"flip", func() *array.Array { return x.Flip(0) }},
		{"roll", func() *array.Array { return x.Roll(7, 1) }},
		{"pad", func() *array.Array { return x.Pad([][2]int{{3, 3}, {3, 3}}, array.PadConstant, 0) }},
		{"tile", func() *array.Array { return x.Slice(array.Span(0, 1000)).Tile(2, 1) }},
		{"repeat", func() *array.Array { return x.Slice(array.Span(0, 1000)).Repeat(2, 0) }},
		{"gt count", func() *array.Array { return x.Gt(y).Sum() }},
		{"chain", func() *array.Array { return x.MulScalar(2).Add(y.MulScalar(3)).Sub(x.Mul(y)).Abs().Sqrt() }},
		{"where scalar", func() *array.Array { return array.Where(x.Gt(array.Float(0.5)), x, array.Float(0)) }},
		{"int add", func() *array.Array { return x.MulScalar(1000).Astype(graph.Int64).Add(y.MulScalar(1000).Astype(graph.Int64)) }},
		{"f32 sum", func() *array.Array { return x.Astype(graph.Float32).Sum(0) }},
		{"outer", func() *array.Array { a := v.Slice(array.Span(0, 4000)); return a.ExpandDims(1).Mul(a.ExpandDims(0)) }},
		{"vdot", func() *array.Array { return v.Mul(y.Ravel()).Sum() }},
		{"round", func() *array.Array { return x.MulScalar(100).Round() }},
		{"setitem", func() *array.Array { return x.Set([]array.Index{array.Span(10, 20)}, array.Float(0)) }},
		{"bool mask", func() *array.Array { return x.Extract(x.Gt(array.Float(0.9))) }},
		{"count_nonzero", func() *array.Array { return x.Gt(array.Float(0.5)).Astype(graph.Int64).Sum(1) }},
		{"percentile1", func() *array.Array { return x.Percentile([]float64{10, 90}, 1) }},
		{"var0 ddof", func() *array.Array { return x.VarWith(array.ReduceOpts{Axes: []int{0}, Ddof: 1}) }},
		{"linspace sum", func() *array.Array { return array.Linspace(0, 1, 16000000, true).Sum() }},
		{"arange sum", func() *array.Array { return array.Arange(0, 16000000, 1, graph.Float64).Sum() }},
		{"f32 add", func() *array.Array { return x.Astype(graph.Float32).Add(y.Astype(graph.Float32)) }},
	}
	for _, op := range ops {
		if len(os.Args) > 1 && os.Args[1] != op.name {
			continue
		}
		var ts []float64
		if pf := os.Getenv("PROF"); pf != "" {
			f, _ := os.Create(pf)
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		iters := 8
		if os.Getenv("ITER") != "" {
			iters = 2
		}
		for i := 0; i < iters; i++ {
			t0 := time.Now()
			_, err := op.f().Compute(ctx, array.On(e))
			if err != nil {
				fmt.Println(op.name, "error:", err)
				break
			}
			ts = append(ts, time.Since(t0).Seconds())
		}
		if len(ts) == 0 {
			continue
		}
		ts = ts[1:]
		sort.Float64s(ts)
		fmt.Printf("%-22s %8.4f s\n", op.name, ts[len(ts)/2])
	}
}
