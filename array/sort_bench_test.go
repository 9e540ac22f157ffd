package array_test

import (
	"context"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// BenchmarkSort2e8 sorts 2e8 uniform float64 (1.6 GB, 20 chunks of 1e7)
// generated inside the graph, on an executor limited to 4 GiB of chunks,
// and checks the result in the same graph: sorted[1:] >= sorted[:-1]
// everywhere, and the sum equals the input's. Run it by hand (about a
// minute on two cores):
//
//	go test -run '^$' -bench Sort2e8 -benchtime 1x ./array/
func BenchmarkSort2e8(b *testing.B) {
	const n, chunk = 200_000_000, 10_000_000
	host := device.NewHost()
	e, err := local.New(local.Device(host), local.MemoryLimit(4<<30))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		x := array.NewRandom(42).Uniform(0, 1, []int{n}, graph.Float64, array.Chunked(chunk))
		s := x.Sort(0)
		ok := s.Slice(array.Sl(1, array.None, 1)).Ge(s.Slice(array.Sl(0, -1, 1))).All()
		t0 := time.Now()
		res, err := array.Compute(context.Background(), []*array.Array{ok, s.Sum(), x.Sum()}, array.On(e))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "s/sort")
		if !res[0].Bools()[0] {
			b.Fatal("not sorted")
		}
		if a, c := res[1].Float64s()[0], res[2].Float64s()[0]; a-c > 1e-6*c || c-a > 1e-6*c {
			b.Fatalf("sum of sorted %v, of input %v", a, c)
		}
		b.ReportMetric(float64(host.Stats().PeakBytes)/1e9, "peak-GB")
	}
}
