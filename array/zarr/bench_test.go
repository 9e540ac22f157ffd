package zarr

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// 4000 x 4000 float64 (128 MB) of random numbers in chunks of 1000 x
// 1000, saved with the default compressor (blosc lz4) ...
func BenchmarkSave(b *testing.B) {
	ctx := context.Background()
	x := array.NewRandom(1).Uniform(0, 1, []int{4000, 4000}, graph.Float64, array.Chunked(1000))
	for b.Loop() {
		if err := Save(ctx, x, filepath.Join(b.TempDir(), "a.zarr")); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(4000 * 4000 * 8)
}

// ... and read back (in blocks of 500 rows, each from four stored
// chunks) and summed.
func BenchmarkOpen(b *testing.B) {
	ctx := context.Background()
	x := array.NewRandom(1).Uniform(0, 1, []int{4000, 4000}, graph.Float64, array.Chunked(1000))
	dir := filepath.Join(b.TempDir(), "a.zarr")
	if err := Save(ctx, x, dir); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		y, err := Open(ctx, dir, Chunks(array.Chunked(500, 4000)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := y.Sum().Compute(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(4000 * 4000 * 8)
}
