package arrowio_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/arrowio"
	"github.com/blockwork-dev/blockwork/graph"
)

// Write a chunked array to an Arrow IPC file and a Parquet file band by
// band, then open both lazily (one load task per record batch / row
// group) and reduce them.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "arrowio-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// 1000 x 4 float64, in blocks of 300 rows (the last one partial)
	x := array.Arange(0, 4000, 1, graph.Float64, array.Chunked(4000)).Reshape(1000, 4).Rechunk(array.Chunked(300, 4))

	ipcPath := filepath.Join(dir, "x.arrow")
	if err := arrowio.WriteIPCFile(ctx, x, ipcPath); err != nil {
		fmt.Println(err)
		return
	}
	y, err := arrowio.ReadIPCFile(ctx, ipcPath)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Shape(), y.DType(), y.Chunks())

	pqPath := filepath.Join(dir, "x.parquet")
	if err := arrowio.WriteParquet(ctx, x, pqPath, arrowio.Columns("a", "b", "c", "d")); err != nil {
		fmt.Println(err)
		return
	}
	z, err := arrowio.ReadParquet(ctx, pqPath, arrowio.Columns("d", "a"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(z.Shape(), z.DType(), z.Chunks())

	s, err := array.Compute(ctx, []*array.Array{y.Sum(), z.Sum(0)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s[0].Float64s(), s[1].Float64s())
	// Output:
	// [1000 4] float64 ((300, 300, 300, 100), (4,))
	// [1000 2] float64 ((300, 300, 300, 100), (2,))
	// [7.998e+06] [2.001e+06 1.998e+06]
}
