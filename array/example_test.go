package array_test

import (
	"context"
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// The README's example: a 2000 x 2000 random matrix in 16 chunks, added to
// its transpose and summed over the first axis, computed on the embedded
// executor.
func Example() {
	ctx := context.Background()
	x := array.NewRandom(42).Uniform(0, 1, []int{2000, 2000}, graph.Float64, array.Chunked(500))
	y := x.Add(x.T()).Sum(0)
	r, err := y.Compute(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	v := r.Float64s()
	total := 0.0
	for _, s := range v {
		total += s
	}
	fmt.Println(r.Shape, r.DType)
	// each column sums 2000 terms of mean 1: about 2000; the total about 4e6
	fmt.Println(math.Round(total/float64(len(v))/10) * 10)
	// Output:
	// [2000] float64
	// 2000
}
