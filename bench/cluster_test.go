package bench

import (
	"context"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster"
)

// TestWorkloadsTinyCluster runs every workload and variant at size tiny
// on a cluster in this process (a scheduler, two workers of one thread,
// a counting client), as engine blockwork-cluster runs them with worker
// processes, and requires its check to pass.
func TestWorkloadsTinyCluster(t *testing.T) {
	ctx := context.Background()
	s, err := cluster.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var workers []*cluster.Worker
	for range 2 {
		w, err := cluster.StartWorker(ctx, s.Addr(), cluster.WithThreads(1))
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		workers = append(workers, w)
	}
	c, err := cluster.Connect(ctx, s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e := &CountingExecutor{Executor: c}
	dataDir := t.TempDir()
	for _, w := range Workloads {
		variants := []Variant{EndToEnd}
		if w.Persist {
			variants = append(variants, Persisted)
		}
		for _, v := range variants {
			t.Run(w.Name+"/"+string(v), func(t *testing.T) {
				var ran int64
				for _, wk := range workers {
					ran -= wk.TasksRun()
				}
				cfg := RunConfig{Engine: EngineBlockworkCluster, Opts: []array.ComputeOption{array.On(e)}, Tasks: e.TasksRun, Repeat: 1, Direct: true, DataDir: dataDir}
				rec, err := RunWorkload(ctx, w, Tiny, v, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if !rec.CheckOK {
					t.Fatalf("check failed: %s", rec.Check)
				}
				if rec.Engine != EngineBlockworkCluster || rec.Tasks <= 0 {
					t.Errorf("record %+v: want engine %s and tasks", rec, EngineBlockworkCluster)
				}
				// the counter agrees with the workers (no worker died)
				for _, wk := range workers {
					ran += wk.TasksRun()
				}
				if total := e.TasksRun(); ran > total {
					t.Errorf("workers ran %d tasks, the counter has %d in all", ran, total)
				}
			})
		}
	}
	// every persisted chunk released, every result freed
	deadline := time.Now().Add(5 * time.Second)
	for _, wk := range workers {
		for wk.Host().Stats().LiveBytes != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("worker %d holds %d bytes after the workloads", wk.ID(), wk.Host().Stats().LiveBytes)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestCountingExecutor: one computation's tasks, as the cluster ran them.
func TestCountingExecutor(t *testing.T) {
	ctx := context.Background()
	s, err := cluster.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := cluster.StartWorker(ctx, s.Addr(), cluster.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c, err := cluster.Connect(ctx, s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e := &CountingExecutor{Executor: c}
	var calls int
	if _, err := TaskOverhead(1000).Compute(ctx, array.On(e), array.Progress(func(done, total int, _ int64) { calls++ })); err != nil {
		t.Fatal(err)
	}
	if got, want := e.TasksRun(), w.TasksRun(); got != want || got < 1000 {
		t.Errorf("counted %d tasks, the worker ran %d (want them equal, >= 1000)", got, want)
	}
	if calls == 0 {
		t.Error("the caller's progress function was not called")
	}
}
