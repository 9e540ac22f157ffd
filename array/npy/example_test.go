package npy_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/npy"
	"github.com/blockwork-dev/blockwork/graph"
)

// Save an array as a .npy file (each block written by its own task) and
// load it back lazily in other chunks (each block read by its own task).
func Example() {
	dir, err := os.MkdirTemp("", "npy-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	path := filepath.Join(dir, "x.npy")

	x := array.Arange(0, 12, 1, graph.Float64, array.Chunked(5)).Reshape(3, 4)
	if err := npy.Save(ctx, x, path); err != nil {
		panic(err)
	}
	y, err := npy.Load(ctx, path, npy.Chunks(array.Chunked(2, 2)))
	if err != nil {
		panic(err)
	}
	s, err := y.Sum().Compute(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(y.Shape(), y.DType(), y.NumBlocks(), s.Float64s())
	// Output: [3 4] float64 4 [66]
}

// Write several arrays into one .npz archive, as np.savez does, and
// read them back by name.
func ExampleSaveNPZ() {
	dir, err := os.MkdirTemp("", "npz-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	path := filepath.Join(dir, "data.npz")

	err = npy.SaveNPZ(ctx, path, map[string]*array.Array{
		"weights": array.Ones([]int{2, 3}, graph.Float32),
		"labels":  array.FromSlice([]int32{3, 1, 4}, []int{3}),
	})
	if err != nil {
		panic(err)
	}
	xs, err := npy.LoadNPZ(ctx, path)
	if err != nil {
		panic(err)
	}
	labels, err := xs["labels"].Compute(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(xs), xs["weights"].Shape(), xs["weights"].DType(), labels.Int64s())
	// Output: 2 [2 3] float32 [3 1 4]
}
