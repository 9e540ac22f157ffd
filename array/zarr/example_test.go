package zarr_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/zarr"
)

// Save a chunked array as a Zarr v2 store (blosc lz4, chunks of 2 x 3),
// open it lazily with other chunks, and compute a column sum: each load
// task reads only the stored chunks its block overlaps.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "zarr-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	store := filepath.Join(dir, "data.zarr")

	x := array.FromSlice([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, []int{4, 3}, array.Chunked(2, 3))
	if err := zarr.Save(ctx, x, store, zarr.Path("measurements/a")); err != nil {
		fmt.Println(err)
		return
	}

	y, err := zarr.Open(ctx, store, zarr.Path("measurements/a"), zarr.Chunks(array.Chunked(3, 1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Shape(), y.DType(), y.Chunks())
	s, err := y.Sum(0).Compute(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Float64s())
	// Output:
	// [4 3] float64 ((3, 1), (1, 1, 1))
	// [22 26 30]
}
