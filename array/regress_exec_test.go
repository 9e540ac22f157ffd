package array_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/graph"
)

func rvLive(t *testing.T, e *local.Executor, what string) {
	t.Helper()
	if s := e.Host().Stats(); s.LiveBytes != 0 || s.LiveBuffers != 0 {
		t.Errorf("%s: live bytes %d buffers %d after compute", what, s.LiveBytes, s.LiveBuffers)
	}
}

// A task whose output alone exceeds the memory limit must fail with an
// error naming the task and sizes, never hang.
func TestRegress_MemoryLimitTooSmall(t *testing.T) {
	e, _ := local.New(local.MemoryLimit(1000), local.Workers(2))
	x := array.Ones([]int{4000}, graph.Float64, array.Chunked(2000)).AddScalar(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// persisted: the chunks stay in the executor (computed, x's blocks
	// would go straight into the result, using no executor memory)
	_, err := x.Persist(ctx, array.On(e))
	t.Logf("err=%v", err)
	if err == nil || err == context.DeadlineExceeded || ctx.Err() != nil {
		t.Errorf("want an error naming the task and sizes, got %v (ctx %v)", err, ctx.Err())
	}
	rvLive(t, e, "memlimit")
	// computed, the blocks go straight into the result: within the limit
	r, err := x.Compute(ctx, array.On(e))
	if err != nil {
		t.Fatalf("compute under the limit: %v", err)
	}
	for i, v := range r.Float64s() {
		if v != 2 {
			t.Fatalf("element %d = %v, want 2", i, v)
		}
	}
	rvLive(t, e, "memlimit compute")
}

func TestRegress_TaskErrorLeak(t *testing.T) {
	e, _ := local.New(local.Workers(2))
	a := array.Arange(0, 100, 1, graph.Int64, array.Chunked(7))
	x := a.Add(a.T()).Pow(array.Int(-1)).Sum()
	_, err := x.Compute(context.Background(), array.On(e))
	t.Logf("err=%v", err)
	rvLive(t, e, "task error")
	_, err = x.Compute(context.Background(), array.On(e), array.NoFuse())
	t.Logf("err nofuse=%v", err)
	rvLive(t, e, "task error nofuse")
}

func TestRegress_Cancel(t *testing.T) {
	e, _ := local.New(local.Workers(2))
	x := array.NewRandom(1).Normal(0, 1, []int{4000, 4000}, graph.Float64, array.Chunked(500))
	y := x.MatMul(x.T()).Sum()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	t0 := time.Now()
	_, err := y.Compute(ctx, array.On(e))
	t.Logf("err=%v after %v", err, time.Since(t0))
	if time.Since(t0) > 3*time.Second {
		t.Errorf("cancel took %v", time.Since(t0))
	}
	rvLive(t, e, "cancel")
}

func TestRegress_DeterminismWorkers(t *testing.T) {
	r := array.NewRandom(7)
	x := r.Normal(0, 1, []int{300, 200}, graph.Float64, array.Chunked(37, 23))
	exprs := map[string]*array.Array{
		"sum":    x.Sum(),
		"var":    x.Var(0),
		"matmul": x.MatMul(x.T()).Sum(1),
		"std":    x.Add(x.Slice(array.Sl(array.None, array.None, -1))).Std(),
	}
	for name, y := range exprs {
		var prev []float64
		for _, w := range []int{1, 2, 3, 8} {
			e, _ := local.New(local.Workers(w))
			for _, nf := range []bool{false, true} {
				opts := []array.ComputeOption{array.On(e)}
				if nf {
					opts = append(opts, array.NoFuse())
				}
				res, err := y.Compute(context.Background(), opts...)
				if err != nil {
					t.Fatal(err)
				}
				v := res.Float64s()
				if prev != nil && !nf {
					for i := range v {
						if math.Float64bits(v[i]) != math.Float64bits(prev[i]) {
							t.Errorf("%s: workers=%d nofuse=%v: bits differ at %d: %v vs %v", name, w, nf, i, v[i], prev[i])
							break
						}
					}
				}
				if !nf {
					prev = v
				}
			}
			rvLive(t, e, name)
		}
	}
}

// random values must not depend on chunking
func TestRegress_RandomChunking(t *testing.T) {
	for _, dt := range []graph.DType{graph.Float64, graph.Float32} {
		a, _ := array.NewRandom(3).Normal(0, 1, []int{37, 41}, dt, array.Chunked(5, 7)).Compute(context.Background())
		b, _ := array.NewRandom(3).Normal(0, 1, []int{37, 41}, dt, array.Chunked(-1)).Compute(context.Background())
		c, _ := array.NewRandom(3).Normal(0, 1, []int{37, 41}, dt, array.Chunked(37, 41)).Slice(array.Sl(array.None, array.None, 1)).Compute(context.Background())
		for i := range a.Data {
			if a.Data[i] != b.Data[i] || a.Data[i] != c.Data[i] {
				t.Fatalf("%v: differ at byte %d", dt, i)
			}
		}
	}
}

// fusion corner cases compared against the unfused graph
func TestRegress_FusionVsUnfused(t *testing.T) {
	r := array.NewRandom(11)
	g := r.Uniform(0, 1, []int{40, 30}, graph.Float64, array.Chunked(7, 11))
	h := g.Mul(g).Add(g.Sin()).Sub(g.Exp())
	m := g.Mean(0)
	cases := map[string]*array.Array{
		"many readers":     g.Add(g).Mul(g).Sub(g.T().T()).Add(g.Slice(array.Sl(array.None, array.None, -1))),
		"reduce after T":   h.T().Sum(1),
		"reduce after T 2": h.T().Var(0),
		"slice fused":      h.Slice(array.Sl(3, 38, 4), array.Sl(29, 0, -3)),
		"slice fused int":  h.Slice(array.At(5)).Sum(),
		"bcast mean":       g.Sub(m).Std(),
		"demo":             g.Slice(array.Span(0, 30)).Add(g.Slice(array.Span(0, 30)).T()).Sub(g.Slice(array.Span(0, 30)).Mean(0)).Std(),
		"newaxis":          h.Slice(array.NewAxis(), array.All(), array.NewAxis()).Sum(0, 2),
		"argmax after T":   h.T().ArgMax(0),
		"rechunk fused":    h.Rechunk(array.Chunked(13, 4)).Add(g).Sum(0),
		"matmul fused":     h.MatMul(h.T().Slice(array.Span(0, 30))).Max(),
		"astype":           h.MulScalar(100).Astype(graph.Int32).Sum(1),
	}
	for name, y := range cases {
		a, err := y.Compute(context.Background())
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		b, err := y.Compute(context.Background(), array.NoFuse())
		if err != nil {
			t.Errorf("%s nofuse: %v", name, err)
			continue
		}
		av, bv := a.Float64s(), b.Float64s()
		for i := range av {
			if math.Abs(av[i]-bv[i]) > 1e-12*math.Max(1, math.Abs(bv[i])) {
				t.Errorf("%s: fused %v vs unfused %v at %d", name, av[i], bv[i], i)
				break
			}
		}
	}
}

func TestRegress_PersistLeak(t *testing.T) {
	e, _ := local.New(local.Workers(2))
	x := array.NewRandom(1).Uniform(0, 1, []int{100, 100}, graph.Float64, array.Chunked(30))
	p, err := x.Persist(context.Background(), array.On(e))
	if err != nil {
		t.Fatal(err)
	}
	y := p.Array().Add(p.Array().T()).Sum()
	if _, err := y.Compute(context.Background(), array.On(e)); err != nil {
		t.Fatal(err)
	}
	// failing compute reading persisted chunks
	bad := p.Array().Astype(graph.Int64).Pow(array.Int(-1)).Sum()
	_, err = bad.Compute(context.Background(), array.On(e))
	t.Logf("bad: %v", err)
	// cancelled compute reading persisted chunks
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = y.Compute(ctx, array.On(e))
	t.Logf("cancelled: %v", err)
	p.Release()
	rvLive(t, e, "persist")
	_, err = y.Compute(context.Background(), array.On(e))
	t.Logf("after release: %v", err)
	rvLive(t, e, "after release")
}

// The memory limit must bound peak memory (ready tasks wait).
func TestRegress_MemoryLimitPeak(t *testing.T) {
	const chunk = 8 * 10000
	e, _ := local.New(local.MemoryLimit(6*chunk), local.Workers(2))
	x := array.NewRandom(1).Uniform(0, 1, []int{200000}, graph.Float64, array.Chunked(10000))
	y := x.Add(x.Slice(array.Sl(array.None, array.None, -1))).Rechunk(array.Chunked(20000)).Sum()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e.Host().ResetPeak()
	_, err := y.Compute(ctx, array.On(e))
	t.Logf("err=%v peak=%d limit=%d", err, e.Host().Stats().PeakBytes, 6*chunk)
	if err == nil && e.Host().Stats().PeakBytes > 6*chunk {
		t.Errorf("peak %d over limit %d", e.Host().Stats().PeakBytes, 6*chunk)
	}
	rvLive(t, e, "memlimit peak")
}
