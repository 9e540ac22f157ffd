package cluster_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster"
	"github.com/blockwork-dev/blockwork/graph"
)

// Workers whose memory budget is a fraction of the data spill chunks to
// disk and read them back: results equal the local executor's, memory
// stays under the spill share once nothing runs, and nothing is left on
// disk afterwards.
func TestSpill(t *testing.T) {
	r := newRand(t)
	dir := t.TempDir()
	const limit = 2 << 20
	tc := startCluster(t, 2, cluster.WithMemoryLimit(limit), cluster.WithSpillDir(dir))
	le := localExec(t)
	ctx := context.Background()
	n := 1024
	x := array.NewRandom(r.Uint64()).Uniform(-1, 1, []int{n, n}, graph.Float64, array.Chunked(128)) // 8 MiB, 64 chunks
	p, err := x.Persist(ctx, array.On(tc.c))
	if err != nil {
		t.Fatal(err)
	}
	var mem, disk int64
	for _, w := range tc.workers {
		m, d := w.StoreBytes()
		if m > 6*limit/10 {
			t.Errorf("worker %d holds %d bytes in memory, over the spill share of %d", w.ID(), m, limit)
		}
		mem += m
		disk += d
	}
	if mem+disk != int64(n*n*8) || disk == 0 {
		t.Fatalf("workers hold %d in memory and %d on disk, want %d in all, some spilled", mem, disk, n*n*8)
	}
	for name, z := range map[string]struct{ cluster, local *array.Array }{
		"persisted": {p.Array().T().Add(p.Array()).Sum(0), x.T().Add(x).Sum(0)},
		"matmul":    {p.Array().MatMul(p.Array()).Std(1), x.MatMul(x).Std(1)},
	} {
		got, err := z.cluster.Compute(ctx, array.On(tc.c))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := z.local.Compute(ctx, array.On(le))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, want.Data) {
			t.Fatalf("%s: result with spilling differs from local", name)
		}
	}
	p.Release()
	tc.settle(t)
	for _, w := range tc.workers {
		if m, d := w.StoreBytes(); m != 0 || d != 0 {
			t.Errorf("worker %d still holds %d in memory, %d on disk", w.ID(), m, d)
		}
	}
	tc.close(t)
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d entries left in the spill directory", len(ents))
	}
}
