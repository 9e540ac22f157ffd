package arrowio

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

var benchRows = flag.Int("arrowio.benchrows", 1<<24, "rows of the benchmark files (8 float64 columns: 1<<24 rows is 1 GiB)")

// benchFile writes the benchmark array (benchRows x 8 float64, uniform
// random, blocks of 1<<20 rows = 64 MiB) once per benchmark with write
// and logs the write rate.
func benchFile(b *testing.B, name string, write func(context.Context, *array.Array, string, ...Option) error) (string, int64) {
	b.Helper()
	ctx := context.Background()
	rows := *benchRows
	x := array.NewRandom(7).Uniform(0, 1, []int{rows, 8}, graph.Float64, array.Chunked(1<<20, 8))
	p := filepath.Join(b.TempDir(), name)
	t0 := time.Now()
	if err := write(ctx, x, p); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	n := int64(rows) * 64
	b.Logf("%s: wrote %d MB (file %d MB) in %v: %.0f MB/s", name, n>>20, st.Size()>>20, time.Since(t0).Round(time.Millisecond), float64(n)/1e6/time.Since(t0).Seconds())
	return p, n
}

// Read a ~1 GiB Parquet file's 8 float64 columns (16 row groups of 64
// MiB) and sum them: one load task per row group. MB/s is of the 8-byte
// values. Run by hand:
//
//	go test -run '^$' -bench ReadSum -benchtime 3x ./array/arrowio/
func BenchmarkParquetReadSum(b *testing.B) {
	p, n := benchFile(b, "bench.parquet", WriteParquet)
	benchReadSum(b, n, func(ctx context.Context) (*array.Array, error) { return ReadParquet(ctx, p) })
}

// The same array as an Arrow IPC file (record batches of 64 MiB).
func BenchmarkIPCReadSum(b *testing.B) {
	p, n := benchFile(b, "bench.arrow", WriteIPCFile)
	benchReadSum(b, n, func(ctx context.Context) (*array.Array, error) { return ReadIPCFile(ctx, p) })
}

func benchReadSum(b *testing.B, n int64, open func(context.Context) (*array.Array, error)) {
	ctx := context.Background()
	b.SetBytes(n)
	b.ResetTimer()
	for range b.N {
		y, err := open(ctx)
		if err != nil {
			b.Fatal(err)
		}
		nd, err := y.Sum().Compute(ctx)
		if err != nil {
			b.Fatal(err)
		}
		// uniform [0, 1): the sum is about half the count
		if s, want := nd.Float64s()[0], float64(n/8)/2; s < 0.99*want || s > 1.01*want {
			b.Fatalf("sum %v, want about %v", s, want)
		}
	}
}
