package cluster_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/cluster"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

var flakyCalls atomic.Int64

func f64s(b []byte) []float64 {
	out := make([]float64, len(b)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

func putF64s(dst []byte, xs []float64) {
	for i, x := range xs {
		binary.LittleEndian.PutUint64(dst[8*i:], math.Float64bits(x))
	}
}

func init() {
	// fill: args is a float64; dst[i] = args + i
	funcs.MustRegisterBlockFunc("clustertest.fill", func(_ context.Context, args []byte, out funcs.Block, dst []byte, _ []funcs.Block, _ [][]byte) error {
		v := f64s(args)[0]
		xs := make([]float64, out.Elems())
		for i := range xs {
			xs[i] = v + float64(i)
		}
		putF64s(dst, xs)
		return nil
	})
	// axpy: dst = src[0] * scalar src[1] + src[2]
	funcs.MustRegisterBlockFunc("clustertest.axpy", func(_ context.Context, _ []byte, out funcs.Block, dst []byte, _ []funcs.Block, src [][]byte) error {
		x, a, y := f64s(src[0]), f64s(src[1])[0], f64s(src[2])
		xs := make([]float64, len(x))
		for i := range xs {
			xs[i] = x[i]*a + y[i]
		}
		putF64s(dst, xs)
		return nil
	})
	// flaky fails while the shared counter is below args[0]
	funcs.MustRegisterBlockFunc("clustertest.flaky", func(_ context.Context, args []byte, out funcs.Block, dst []byte, _ []funcs.Block, _ [][]byte) error {
		if flakyCalls.Add(1) <= int64(args[0]) {
			return errors.New("flaky failure")
		}
		clear(dst)
		return nil
	})
	// wait blocks until its context ends
	funcs.MustRegisterBlockFunc("clustertest.wait", func(ctx context.Context, _ []byte, _ funcs.Block, _ []byte, _ []funcs.Block, _ [][]byte) error {
		<-ctx.Done()
		return ctx.Err()
	})
}

func f64arg(v float64) []byte {
	b := make([]byte, 8)
	putF64s(b, []float64{v})
	return b
}

func TestFutures(t *testing.T) {
	r := newRand(t)
	tc := startCluster(t, 3)
	ctx := context.Background()
	n := 1 + r.IntN(1000)
	meta := graph.Chunk{DType: graph.Float64, Shape: []int{n}}
	v, a := r.NormFloat64(), r.NormFloat64()
	x := tc.c.Submit(ctx, "clustertest.fill", f64arg(v), meta, nil)
	y := tc.c.Submit(ctx, "clustertest.fill", f64arg(-v), meta, nil)
	z := tc.c.Submit(ctx, "clustertest.axpy", nil, meta, []cluster.Input{x, cluster.Scalar(a), y})
	// a literal input too
	lit := make([]byte, 8*n)
	putF64s(lit, make([]float64, n))
	w := tc.c.Submit(ctx, "clustertest.axpy", nil, meta, []cluster.Input{z, cluster.Scalar(2), cluster.Chunk(lit, meta)})
	got, err := tc.c.Gather(ctx, z, w)
	if err != nil {
		t.Fatal(err)
	}
	zs, ws := f64s(got[0]), f64s(got[1])
	for i := range n {
		want := (v+float64(i))*a + (-v + float64(i))
		if zs[i] != want || ws[i] != 2*want {
			t.Fatalf("element %d: z %v w %v, want %v and %v", i, zs[i], ws[i], want, 2*want)
		}
	}
	for _, f := range []*cluster.Future{x, y, z, w} {
		f.Release()
	}
	tc.settle(t)
}

func TestFutureRetries(t *testing.T) {
	tc := startCluster(t, 2)
	ctx := context.Background()
	meta := graph.Chunk{DType: graph.Float64, Shape: []int{4}}
	flakyCalls.Store(0)
	f := tc.c.Submit(ctx, "clustertest.flaky", []byte{2}, meta, nil, cluster.Retries(2))
	if err := f.Err(ctx); err != nil {
		t.Fatalf("2 failures with 2 retries: %v", err)
	}
	f.Release()
	flakyCalls.Store(0)
	f = tc.c.Submit(ctx, "clustertest.flaky", []byte{3}, meta, nil, cluster.Retries(2))
	err := f.Err(ctx)
	if err == nil || !containsAll(err.Error(), "flaky failure", "clustertest.flaky") {
		t.Fatalf("3 failures with 2 retries: got %v", err)
	}
	if _, err := tc.c.Gather(ctx, f); err == nil {
		t.Fatal("gather of a failed future: no error")
	}
	tc.settle(t)
}

func TestFutureCancel(t *testing.T) {
	tc := startCluster(t, 1)
	ctx := context.Background()
	f := tc.c.Submit(ctx, "clustertest.wait", nil, graph.Chunk{DType: graph.Float64, Shape: []int{1 << 10}}, nil)
	time.Sleep(20 * time.Millisecond)
	done := make(chan struct{})
	go func() { f.Cancel(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Cancel did not return")
	}
	if err := f.Err(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled future: %v", err)
	}
	tc.settle(t)
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !contains(s, p) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
