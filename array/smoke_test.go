package array_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	x := array.Arange(0, 12, 1, graph.Float64, array.Chunked(5)).Slice(array.Sl(1, 11, 2))
	r, err := x.Compute(ctx)
	fmt.Println(r.Float64s(), err)
	y := array.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3}, array.Chunked(1, 2))
	r, err = y.Add(y.T().T()).Sum(0).Compute(ctx)
	fmt.Println(r.Shape, r.Float64s(), err)
	r, err = y.T().Compute(ctx)
	fmt.Println(r.Shape, r.Float64s(), err)
	r, err = y.Mean().Compute(ctx)
	fmt.Println(r.Shape, r.Float64s(), err)
	r, err = y.Std(1).Compute(ctx)
	fmt.Println(r.Shape, r.Float64s(), err)
	r, err = y.ArgMax(1).Compute(ctx)
	fmt.Println(r.Shape, r.Int64s(), err)
	r, err = y.MatMul(y.T()).Compute(ctx)
	if err != nil { t.Fatal(err) }
	fmt.Println(r.Shape, r.Float64s(), err)
	rng := array.NewRandom(1)
	u := rng.Uniform(0, 1, []int{1000, 1000}, graph.Float64, array.Chunked(300))
	r, err = u.Mean().Compute(ctx)
	fmt.Println(r.Shape, r.Float64s(), err)
}
