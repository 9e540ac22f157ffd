package array_test

import (
	"context"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// BenchmarkMathSum1e7 is f(x).Sum() computed with array.Compute on the
// local executor, x a persisted 1e7 float64 array (10 chunks of 1e6,
// uniform in [0.5, 2]): the vector math of kernels/cpu through the whole
// array path, one fused task per chunk. ns/elem is the compute's time per
// element (all of the executor's goroutines together).
//
//	go test -run '^$' -bench MathSum1e7 ./array/
func BenchmarkMathSum1e7(b *testing.B) {
	const n, chunk = 10_000_000, 1_000_000
	ctx := context.Background()
	e, err := local.New(local.Device(device.NewHost()))
	if err != nil {
		b.Fatal(err)
	}
	p, err := array.NewRandom(42).Uniform(0.5, 2, []int{n}, graph.Float64, array.Chunked(chunk)).Persist(ctx, array.On(e))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Release()
	x := p.Array()
	for _, c := range []struct {
		name string
		f    func(*array.Array) *array.Array
	}{
		{"sum", func(x *array.Array) *array.Array { return x }},
		{"log", (*array.Array).Log},
		{"exp", (*array.Array).Exp},
		{"tanh", (*array.Array).Tanh},
		{"pow2.5", func(x *array.Array) *array.Array { return x.PowScalar(2.5) }},
		{"pow3", func(x *array.Array) *array.Array { return x.Pow(array.Int(3)) }},
		{"powxx", func(x *array.Array) *array.Array { return x.Pow(x) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.f(x).Sum().Compute(ctx, array.On(e)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
		})
	}
}
