package bench

import (
	"context"
	"flag"
	"math"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
)

var demoN = flag.Int("demo-n", 20000, "side of the demo array in BenchmarkDemo")

// TestDemoAgreesWithDirect checks the demo's result against a direct
// float64 computation of (x + x.T - x.mean(axis=0)).std() from x's values.
func TestDemoAgreesWithDirect(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ n, chunk int }{{300, 70}, {257, 0}, {64, 64}, {1, 1}} {
		e, err := local.New(local.Device(device.NewHost()))
		if err != nil {
			t.Fatal(err)
		}
		x := DemoInput(c.n, c.chunk)
		got, err := Demo(x).Compute(ctx, array.On(e))
		if err != nil {
			t.Fatal(err)
		}
		xv, err := x.Compute(ctx, array.On(e))
		if err != nil {
			t.Fatal(err)
		}
		devicetest.AssertNoLeaks(t, e.Host())
		v := xv.Float64s()
		n := c.n
		mean := make([]float64, n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				mean[j] += v[i*n+j]
			}
		}
		for j := range mean {
			mean[j] /= float64(n)
		}
		var s, ss float64
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				z := v[i*n+j] + v[j*n+i] - mean[j]
				s += z
			}
		}
		mu := s / float64(n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				z := v[i*n+j] + v[j*n+i] - mean[j] - mu
				ss += z * z
			}
		}
		want := math.Sqrt(ss / float64(n*n))
		g, _ := got.Scalar()
		if math.Abs(g-want) > 1e-12*math.Max(1, want) {
			t.Errorf("n=%d chunk=%d: demo gives %.17g, direct %.17g", c.n, c.chunk, g, want)
		}
	}
}

// BenchmarkTaskOverhead: Ones(100000, chunks 1).Sum(), microseconds per
// task run including lowering and optimising.
func BenchmarkTaskOverhead(b *testing.B) {
	ctx := context.Background()
	e, err := local.New()
	if err != nil {
		b.Fatal(err)
	}
	const n = 100000
	var tasks int64
	var wall time.Duration
	for i := 0; i < b.N; i++ {
		t0 := e.TasksRun()
		start := time.Now()
		r, err := TaskOverhead(n).Compute(ctx, array.On(e))
		if err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		tasks += e.TasksRun() - t0
		if v, _ := r.Scalar(); v != n {
			b.Fatalf("sum = %v, want %d", v, n)
		}
	}
	b.ReportMetric(float64(wall.Microseconds())/float64(tasks), "us/task")
	b.ReportMetric(float64(tasks)/float64(b.N), "tasks")
}

// BenchmarkDemo runs the demo workload at -demo-n (default 20000: 3.2 GB).
func BenchmarkDemo(b *testing.B) {
	ctx := context.Background()
	e, err := local.New()
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		res, err := Run(ctx, "demo", Demo(DemoInput(*demoN, 0)), e.TasksRun, array.On(e))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Tasks), "tasks")
		b.ReportMetric(float64(e.Host().Stats().PeakBytes)/(1<<20), "peak-chunk-MiB")
		b.ReportMetric(float64(res.PeakRSS)/(1<<20), "peak-rss-MiB")
		n := float64(*demoN)
		b.ReportMetric(n*n*8/res.Wall.Seconds()/1e9, "GB/s-of-x")
	}
}
