package local_test

import (
	"context"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
)

// BenchmarkOverhead100k is the per-task cost end to end: lowering,
// optimising and running array.Ones(100000, Chunked(1)).Sum(), 100,000
// one-element generator tasks combined 8 at a time up to a root.
func BenchmarkOverhead100k(b *testing.B) {
	e, err := local.New()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const n = 100_000
	var tasks int64
	var wall time.Duration
	for b.Loop() {
		before := e.TasksRun()
		start := time.Now()
		r, err := array.Ones([]int{n}, graph.Float64, array.Chunked(1)).Sum().Compute(ctx, array.On(e))
		wall += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if got := r.Float64s()[0]; got != n {
			b.Fatalf("sum = %v, want %d", got, n)
		}
		tasks += e.TasksRun() - before
	}
	b.ReportMetric(float64(wall.Microseconds())/float64(tasks), "us/task")
	b.ReportMetric(float64(tasks)/float64(b.N), "tasks/op")
	devicetest.AssertNoLeaks(b, e.Host())
}

// BenchmarkExecutor100k is the executor's share of BenchmarkOverhead100k:
// the same graph, lowered and optimised once, run by Compute alone.
func BenchmarkExecutor100k(b *testing.B) {
	e, err := local.New()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	g, keys, err := array.Graph([]*array.Array{array.Ones([]int{100_000}, graph.Float64, array.Chunked(1)).Sum()})
	if err != nil {
		b.Fatal(err)
	}
	deliver := func(int, []byte) error { return nil }
	var tasks int64
	var wall time.Duration
	for b.Loop() {
		before := e.TasksRun()
		start := time.Now()
		if err := e.Compute(ctx, g, keys[0], deliver, nil); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		tasks += e.TasksRun() - before
	}
	b.ReportMetric(float64(wall.Microseconds())/float64(tasks), "us/task")
	devicetest.AssertNoLeaks(b, e.Host())
}
