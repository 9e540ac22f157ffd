package cluster_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/graph"
	"google.golang.org/grpc/test/bufconn"
)

var seedFlag = flag.Uint64("seed", 0, "replay a random test with this seed")

func newRand(t testing.TB) *rand.Rand {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// testCluster is a scheduler and n workers in this process, on loopback.
type testCluster struct {
	s       *cluster.Scheduler
	workers []*cluster.Worker
	c       *cluster.Client
}

func startCluster(t testing.TB, n int, opts ...cluster.Option) *testCluster {
	t.Helper()
	ctx := context.Background()
	s, err := cluster.Listen("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCluster{s: s}
	for i := range n {
		w, err := cluster.StartWorker(ctx, s.Addr(), append([]cluster.Option{cluster.WithThreads(2), cluster.WithName("w" + string(rune('0'+i)))}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		tc.workers = append(tc.workers, w)
	}
	tc.c, err = cluster.Connect(ctx, s.Addr(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tc.close(t) })
	return tc
}

// close stops everything and checks that no worker holds a byte.
func (tc *testCluster) close(t testing.TB) {
	tc.c.Close()
	for _, w := range tc.workers {
		w.Close()
		if live := w.Host().Stats().LiveBytes; live != 0 {
			t.Errorf("worker %d: %d bytes live after close", w.ID(), live)
		}
	}
	tc.s.Close()
}

// settle waits until every worker holds nothing in memory or on disk
// (frees are asynchronous).
func (tc *testCluster) settle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var live int64
		for _, w := range tc.workers {
			_, disk := w.StoreBytes()
			live += w.Host().Stats().LiveBytes + disk
		}
		if live == 0 {
			return
		}
		if time.Now().After(deadline) {
			var per []string
			for _, w := range tc.workers {
				mem, disk := w.StoreBytes()
				per = append(per, fmt.Sprintf("worker %d: %d live, store %d in memory, %d on disk %v", w.ID(), w.Host().Stats().LiveBytes, mem, disk, cluster.StoreKeys(w)))
			}
			t.Fatalf("%d bytes still live on workers (%s)", live, strings.Join(per, "; "))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func localExec(t testing.TB) *local.Executor {
	e, err := local.New(local.Workers(2))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// sameBits fails unless the cluster's result equals the local executor's,
// bit for bit.
func sameBits(t *testing.T, name string, x *array.Array, c *cluster.Client, le *local.Executor) {
	t.Helper()
	ctx := context.Background()
	want, err := x.Compute(ctx, array.On(le))
	if err != nil {
		t.Fatalf("%s: local: %v", name, err)
	}
	got, err := x.Compute(ctx, array.On(c))
	if err != nil {
		t.Fatalf("%s: cluster: %v", name, err)
	}
	if got.DType != want.DType || !slicesEqual(got.Shape, want.Shape) || !bytes.Equal(got.Data, want.Data) {
		t.Fatalf("%s: cluster %v%v differs from local %v%v", name, got.DType, got.Shape, want.DType, want.Shape)
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// workloads are the local engine's, on random shapes and chunkings.
func workloads(r *rand.Rand) map[string]*array.Array {
	n := 40 + r.IntN(60)
	ch := 7 + r.IntN(20)
	rnd := array.NewRandom(r.Uint64())
	x := rnd.Uniform(-1, 1, []int{n, n}, graph.Float64, array.Chunked(ch))
	y := rnd.Normal(0, 1, []int{n, n}, graph.Float64, array.Chunked(ch+3))
	data := make([]float64, n)
	for i := range data {
		data[i] = r.NormFloat64()
	}
	lit := array.FromSlice(data, []int{n}, array.Chunked(ch))
	q, rr := array.QR(x)
	_, sv, _ := array.SVD(x.Slice(array.All(), array.Span(0, 9)))
	spd := y.MatMul(y.T()).Add(array.Eye(n, n, 0, graph.Float64).MulScalar(float64(n)))
	return map[string]*array.Array{
		"qr":            q.MatMul(rr.T()).Sum(0),                                                                     // the TSQR tree (graph.OpLinalg, picks)
		"linalg":        array.Concatenate([]*array.Array{sv, array.Solve(spd, lit), array.Cholesky(spd).Sum(0)}, 0), // SVD, LU solve, blocked Cholesky
		"transpose_sum": x.Add(x.T()).Sub(x.Mean(0)).Sum(),
		"transpose_std": x.Sub(x.T()).Std(0), // block pairs (graph.FusePairs), one reducing the other's axis
		"matmul":        x.MatMul(y).Sum(0),
		"fused_chain":   x.Sin().Mul(x.Sin()).Add(x.Cos().Mul(x.Cos())).MulScalar(3).SubScalar(1),
		"reductions":    x.Std(1).Add(y.Max(1)),
		"rechunk":       x.Rechunk(array.Chunked(n, 3)).Rechunk(array.Chunked(3, n)).Sum(0),
		"slicing":       x.Slice(array.Sl(0, n, 3), array.Sl(2, n-1, 1)).Sum(1),
		"literal":       x.Add(lit).Sum(0).Add(lit),
		"argmax":        y.ArgMax(0),
	}
}

func TestWorkloadsMatchLocal(t *testing.T) {
	r := newRand(t)
	tc := startCluster(t, 3)
	le := localExec(t)
	for name, x := range workloads(r) {
		sameBits(t, name, x, tc.c, le)
	}
	tc.settle(t)
}

func TestPersistAcrossComputations(t *testing.T) {
	r := newRand(t)
	tc := startCluster(t, 3)
	le := localExec(t)
	ctx := context.Background()
	n, ch := 30+r.IntN(40), 5+r.IntN(10)
	x := array.NewRandom(r.Uint64()).Uniform(0, 1, []int{n, n}, graph.Float64, array.Chunked(ch)).Exp()
	p, err := x.Persist(ctx, array.On(tc.c))
	if err != nil {
		t.Fatal(err)
	}
	var resident int64
	for _, w := range tc.workers {
		resident += w.Host().Stats().LiveBytes
	}
	if resident < int64(n*n*8) {
		t.Fatalf("persisted %d bytes, workers hold %d", n*n*8, resident)
	}
	// computed twice from the resident chunks, equal to local from scratch
	for range 2 {
		got, err := p.Array().T().Add(p.Array()).Sum(0).Compute(ctx, array.On(tc.c))
		if err != nil {
			t.Fatal(err)
		}
		want, err := x.T().Add(x).Sum(0).Compute(ctx, array.On(le))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, want.Data) {
			t.Fatal("persisted result differs from local")
		}
	}
	// literal data persisted, computed again (its handle carries the bytes)
	data := make([]float64, n)
	for i := range data {
		data[i] = r.NormFloat64()
	}
	lp, err := array.FromSlice(data, []int{n}, array.Chunked(ch)).Persist(ctx, array.On(tc.c))
	if err != nil {
		t.Fatal(err)
	}
	lg, err := lp.Array().Compute(ctx, array.On(tc.c))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range lg.Float64s() {
		if v != data[i] {
			t.Fatalf("persisted literal element %d: %v, want %v", i, v, data[i])
		}
	}
	lp.Release()
	// released while a computation reads it: freed when that one ends
	var once sync.Once
	got, err := p.Array().MatMul(p.Array()).Sum(0).Compute(ctx, array.On(tc.c), array.Progress(func(int, int, int64) { once.Do(p.Release) }))
	if err != nil {
		t.Fatal(err)
	}
	want, err := x.MatMul(x).Sum(0).Compute(ctx, array.On(le))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data, want.Data) {
		t.Fatal("result read from a chunk released meanwhile differs from local")
	}
	p.Release()
	if _, err := p.Array().Sum().Compute(ctx, array.On(tc.c)); err == nil {
		t.Fatal("a released persisted array computed without error")
	}
	tc.settle(t)
}

func TestTaskErrorNamesTask(t *testing.T) {
	tc := startCluster(t, 2)
	// an integer to a negative power is a task error
	x := array.Arange(0, 10, 1, graph.Int64, array.Chunked(3))
	_, err := x.Pow(array.Full([]int{10}, -1, graph.Int64, array.Chunked(3))).Sum().Compute(context.Background(), array.On(tc.c))
	if err == nil {
		t.Fatal("no error")
	}
	t.Logf("error: %v", err)
	tc.settle(t)
}

func TestCancel(t *testing.T) {
	tc := startCluster(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	x := array.NewRandom(1).Uniform(0, 1, []int{4000, 4000}, graph.Float64, array.Chunked(500))
	_, err := x.MatMul(x).MatMul(x).Sum().Compute(ctx, array.On(tc.c))
	if err == nil {
		t.Fatal("no error after the deadline")
	}
	tc.settle(t)
}

// cutProxy forwards connections to the scheduler and can cut them all.
type cutProxy struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (p *cutProxy) dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.conns = append(p.conns, c)
	p.mu.Unlock()
	return c, nil
}

func (p *cutProxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.conns)
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	return n
}

// A worker whose connection to the scheduler is cut mid-computation: the
// scheduler drops it (its chunks are recomputed), it registers again as a
// new worker, and the result is still right.
func TestConnectionCut(t *testing.T) {
	r := newRand(t)
	tc := startCluster(t, 2)
	p := &cutProxy{}
	w, err := cluster.StartWorker(context.Background(), tc.s.Addr(), cluster.WithThreads(1), cluster.WithDialer(p.dial))
	if err != nil {
		t.Fatal(err)
	}
	tc.workers = append(tc.workers, w)
	first := w.ID()
	le := localExec(t)
	x := array.NewRandom(r.Uint64()).Uniform(-1, 1, []int{600, 600}, graph.Float64, array.Chunked(60))
	z := x.MatMul(x.T()).Add(x).Exp().Sum(0)
	want, err := z.Compute(context.Background(), array.On(le))
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	got, err := z.Compute(context.Background(), array.On(tc.c), array.Progress(func(done, total int, _ int64) {
		if done*4 >= total {
			once.Do(func() {
				if p.cut() == 0 {
					t.Error("no connection to cut")
				}
			})
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data, want.Data) {
		t.Fatal("result after a cut differs from the local executor's")
	}
	deadline := time.Now().Add(10 * time.Second)
	for w.ID() == first {
		if time.Now().After(deadline) {
			t.Fatal("the cut worker did not register again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	tc.settle(t)
}

// Persisted chunks whose worker dies are made again from their lineage
// when a later computation reads them; also chunks persisted from other
// persisted chunks.
func TestPersistedRecovered(t *testing.T) {
	r := newRand(t)
	tc := startCluster(t, 3)
	le := localExec(t)
	ctx := context.Background()
	n, ch := 60+r.IntN(60), 7+r.IntN(10)
	x := array.NewRandom(r.Uint64()).Uniform(0, 1, []int{n, n}, graph.Float64, array.Chunked(ch)).Exp()
	p, err := x.Persist(ctx, array.On(tc.c))
	if err != nil {
		t.Fatal(err)
	}
	q, err := p.Array().Add(p.Array().T()).Persist(ctx, array.On(tc.c))
	if err != nil {
		t.Fatal(err)
	}
	var held []int64
	for _, w := range tc.workers {
		held = append(held, w.Host().Stats().LiveBytes)
	}
	victim := 0
	for i := range held {
		if held[i] > held[victim] {
			victim = i
		}
	}
	if held[victim] == 0 {
		t.Fatal("no worker holds persisted chunks")
	}
	tc.workers[victim].Close()
	tc.workers = append(tc.workers[:victim], tc.workers[victim+1:]...)
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := tc.c.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(info.Workers) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the closed worker is still registered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	got, err := q.Array().MatMul(p.Array()).Sum(0).Compute(ctx, array.On(tc.c))
	if err != nil {
		t.Fatal(err)
	}
	want, err := x.Add(x.T()).MatMul(x).Sum(0).Compute(ctx, array.On(le))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data, want.Data) {
		t.Fatal("result from persisted chunks remade after their worker died differs from local")
	}
	q.Release()
	p.Release()
	tc.settle(t)
}

// The control plane over an in-memory connection (bufconn): the scheduler
// serves a listener that is not TCP, so it wants a token; workers and the
// client reach it through their dialer. Chunks still go over loopback TCP.
func TestInMemoryControlPlane(t *testing.T) {
	r := newRand(t)
	ln := bufconn.Listen(1 << 20)
	if _, err := cluster.Serve(ln); !errors.Is(err, cluster.ErrNoToken) {
		t.Fatalf("serving a non-loopback listener without a token: %v, want ErrNoToken", err)
	}
	s, err := cluster.Serve(ln, cluster.WithToken("mem"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dial := cluster.WithDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) })
	ctx := context.Background()
	tc := &testCluster{s: s}
	for range 2 {
		w, err := cluster.StartWorker(ctx, "bufconn", dial, cluster.WithToken("mem"), cluster.WithThreads(1))
		if err != nil {
			t.Fatal(err)
		}
		tc.workers = append(tc.workers, w)
	}
	if tc.c, err = cluster.Connect(ctx, "bufconn", dial, cluster.WithToken("mem")); err != nil {
		t.Fatal(err)
	}
	defer tc.close(t)
	le := localExec(t)
	for name, x := range workloads(r) {
		sameBits(t, name, x, tc.c, le)
	}
	tc.settle(t)
}
