package chunks_test

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array/chunks"
)

func ExampleNormalize() {
	// float64 20000x20000 with the default 128 MiB per chunk.
	c, err := chunks.Normalize([]chunks.AxisSpec{chunks.Auto()}, []int{20000, 20000}, 8, 0)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.NumBlocks(), c[0][0], c[1][0], chunks.MaxBlockBytes(c, 8)>>20, "MiB")

	c, err = chunks.Normalize([]chunks.AxisSpec{chunks.Regular(2), chunks.Whole()}, []int{5, 3}, 8, 0)
	fmt.Println(c, err)

	_, err = chunks.Normalize([]chunks.AxisSpec{chunks.Explicit(2, 2)}, []int{5}, 8, 0)
	fmt.Println(err)
	// Output:
	// [5 5] 4096 4096 128 MiB
	// ((2, 2, 1), (3,)) <nil>
	// chunks: axis 0 of shape (5,): explicit(2, 2): sizes sum to 4, want the axis length 5
}

func ExampleSlice1D() {
	// x[::-2] on an axis of 5 chunked (2, 2, 1).
	s, e, st, n, _ := chunks.NormalizeSlice(5, 0, false, 0, false, -2)
	out, parts := chunks.Slice1D([]int{2, 2, 1}, s, e, st)
	fmt.Println(s, e, st, n)
	fmt.Println(out)
	for _, p := range parts {
		fmt.Printf("%+v\n", p)
	}
	// Output:
	// 4 -1 -2 3
	// [1 1 1]
	// {Block:2 Start:0 Step:-2 Count:1}
	// {Block:1 Start:0 Step:-2 Count:1}
	// {Block:0 Start:0 Step:-2 Count:1}
}

func ExampleIntersect1D() {
	// Rechunk an axis from (2, 3) to (3, 2).
	plan, _ := chunks.Intersect1D([]int{2, 3}, []int{3, 2})
	for o, pieces := range plan {
		fmt.Println(o, pieces)
	}
	// Output:
	// 0 [{0 0 0 2} {1 0 2 1}]
	// 1 [{1 1 0 2}]
}
