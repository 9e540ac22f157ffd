package local_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/scheduler"
)

// newExec returns an executor on a fresh host with the test kernels, and
// checks at the end of the test that nothing is left live.
func newExec(t testing.TB, opts ...local.Option) (*local.Executor, *recorder) {
	t.Helper()
	h := device.NewHost()
	rec := &recorder{host: h}
	e, err := local.New(append([]local.Option{local.Device(h), local.Registry(testRegistry(rec))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { devicetest.AssertNoLeaks(t, h) })
	return e, rec
}

// compute runs g for keys and returns each key's values.
func compute(ctx context.Context, e *local.Executor, g *graph.Graph, keys ...graph.Key) ([][]float64, error) {
	out := make([][]float64, len(keys))
	err := e.Compute(ctx, g, keys, func(i int, data []byte) error {
		if out[i] != nil {
			return fmt.Errorf("key %d delivered twice", i)
		}
		out[i] = floats(data)
		return nil
	}, nil)
	return out, err
}

func mustCompute(t *testing.T, e *local.Executor, g *graph.Graph, keys ...graph.Key) [][]float64 {
	t.Helper()
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := compute(context.Background(), e, g, keys...)
	if err != nil {
		t.Fatal(err)
	}
	devicetest.AssertNoLeaks(t, e.Host())
	return out
}

func wantAll(t *testing.T, what string, got []float64, n int, v float64) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%s: %d elements, want %d", what, len(got), n)
	}
	for i, x := range got {
		if x != v {
			t.Fatalf("%s[%d] = %v, want %v", what, i, x, v)
		}
	}
}

func TestChain(t *testing.T) {
	const n, m = 500, 1000
	chunk := int64(8 * m)
	for _, w := range []int{1, 2, 4} {
		t.Run(fmt.Sprint("workers=", w), func(t *testing.T) {
			e, rec := newExec(t, local.Workers(w))
			g, last := chain("c", n, m)
			out := mustCompute(t, e, g, last)
			wantAll(t, "chain", out[0], m, n)
			if got := e.TasksRun(); got != n+1 {
				t.Errorf("TasksRun = %d, want %d", got, n+1)
			}
			// each link's input is freed once it has run: at most the
			// input and the output of the running link are live
			if got := rec.maxLive(); got > 2*chunk {
				t.Errorf("max live bytes during the chain = %d, want <= %d (2 chunks)", got, 2*chunk)
			}
		})
	}
}

func TestDiamondAndDuplicateInputs(t *testing.T) {
	e, _ := newExec(t)
	g := &graph.Graph{Tasks: []graph.Task{
		task(key("a", 0), opConst, 1.0, 3),
		task(key("b", 0), opAdd, 1.0, 3, key("a", 0)),                           // 2
		task(key("b", 1), opAdd, 2.0, 3, key("a", 0)),                           // 3
		task(key("d", 0), opAdd, 0.0, 3, key("b", 0), key("b", 1)),              // 5
		task(key("e", 0), opAdd, 0.0, 3, key("a", 0), key("a", 0)),              // 2: one input twice
		task(key("f", 0), opAdd, 0.5, 3, key("d", 0), key("e", 0), key("d", 0)), // 12.5
	}}
	out := mustCompute(t, e, g, key("f", 0), key("d", 0), key("b", 1))
	wantAll(t, "f", out[0], 3, 12.5)
	wantAll(t, "d", out[1], 3, 5)
	wantAll(t, "b1", out[2], 3, 3)
}

func TestTasksInAnyOrder(t *testing.T) {
	// tasks listed consumers first: the executor must not assume a
	// topological order of g.Tasks
	e, _ := newExec(t)
	g, last := chain("rev", 50, 2)
	for i, j := 0, len(g.Tasks)-1; i < j; i, j = i+1, j-1 {
		g.Tasks[i], g.Tasks[j] = g.Tasks[j], g.Tasks[i]
	}
	wantAll(t, "rev", mustCompute(t, e, g, last)[0], 2, 50)
}

// fusedConst is a fused task of the CPU kernels: a Program of one
// constant over shape n, reduced by sum to one element.
func fusedConst(k graph.Key, v float64, n int) graph.Task {
	prog := &graph.Program{
		Instrs: []graph.Instr{{Op: graph.OpConst, DType: graph.Float64, Imm: graph.ConstBits(graph.Float64, v)}},
		Reduce: &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0}},
	}
	return graph.Task{
		Key:     k,
		Op:      graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: prog, Shape: []int{n}}},
		Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}},
		Devices: graph.DeviceKinds(graph.CPU),
	}
}

// treeSum builds leaves partials (fused tasks, or literal leaves when
// literal is set) of values 0, 1, 2, ... and combines them `every` at a
// time up to one root, whose key it returns. The root holds
// leaves*(leaves-1)/2.
func treeSum(leaves, every int, literal bool) (*graph.Graph, graph.Key) {
	g := &graph.Graph{}
	var level []graph.Key
	for i := range leaves {
		k := key("part", i)
		if literal {
			g.Leaves = append(g.Leaves, leaf(k, float64(i)))
		} else {
			g.Tasks = append(g.Tasks, fusedConst(k, float64(i), 1))
		}
		level = append(level, k)
	}
	for depth := 0; len(level) > 1; depth++ {
		var next []graph.Key
		for i := 0; i < len(level); i += every {
			k := key(fmt.Sprint("combine-", depth), i/every)
			g.Tasks = append(g.Tasks, graph.Task{
				Key:     k,
				Op:      graph.Op{Name: graph.OpCombine, Params: graph.CombineParams{Kind: graph.ReduceSum}},
				Inputs:  level[i:min(i+every, len(level))],
				Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}},
				Devices: graph.DeviceKinds(graph.CPU),
			})
			next = append(next, k)
		}
		level = next
	}
	return g, level[0]
}

func cpuExec(t testing.TB, opts ...local.Option) *local.Executor {
	t.Helper()
	h := device.NewHost()
	e, err := local.New(append([]local.Option{local.Device(h)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { devicetest.AssertNoLeaks(t, h) })
	return e
}

func TestTreeReduction(t *testing.T) {
	e := cpuExec(t)
	for _, literal := range []bool{false, true} {
		for _, n := range []int{1, 7, 8, 9, 1000} {
			g, root := treeSum(n, 8, literal)
			out := mustCompute(t, e, g, root)
			wantAll(t, fmt.Sprintf("tree of %d (literal %v)", n, literal), out[0], 1, float64(n*(n-1)/2))
		}
	}
}

func TestLeaves(t *testing.T) {
	e, rec := newExec(t)
	big := make([]float64, 1<<15) // 256 KiB, freed after its one consumer
	g := &graph.Graph{
		Leaves: []graph.Leaf{leaf(key("x", 0), 1, 2, 3), leaf(key("x", 1), 10, 20, 30), leaf(key("big", 0), big...)},
		Tasks: []graph.Task{
			task(key("y", 0), opAdd, 0.0, 3, key("x", 0), key("x", 0), key("x", 1)), // one leaf twice
			task(key("y", 1), opAdd, 1.0, 3, key("x", 0)),
			task(key("s", 0), opTotal, nil, 1, key("big", 0)),
		},
	}
	// the small chain after big's consumer must not see big live
	prev := key("s", 0)
	for i := 1; i <= 5; i++ {
		k := key("s", i)
		g.Tasks = append(g.Tasks, task(k, opAdd, 1.0, 1, prev))
		prev = k
	}
	out := mustCompute(t, e, g, key("y", 0), key("y", 1), key("x", 1), prev)
	if got, want := out[0], []float64{12, 24, 36}; !equal(got, want) {
		t.Errorf("y0 = %v, want %v", got, want)
	}
	if got, want := out[1], []float64{2, 3, 4}; !equal(got, want) {
		t.Errorf("y1 = %v, want %v", got, want)
	}
	if got, want := out[2], []float64{10, 20, 30}; !equal(got, want) {
		t.Errorf("wanted leaf x1 = %v, want %v", got, want)
	}
	wantAll(t, "s", out[3], 1, 5)
	rec.mu.Lock()
	for i, k := range rec.keys {
		if k.Layer == "s" && k.Block >= 2 && rec.live[i] >= int64(8*len(big)) {
			t.Errorf("at %v, %d bytes live: the big leaf was not freed after its last consumer", k, rec.live[i])
		}
	}
	rec.mu.Unlock()

	// only leaves wanted: no task runs
	before := e.TasksRun()
	out = mustCompute(t, e, &graph.Graph{Leaves: []graph.Leaf{leaf(key("x", 0), 4, 5)}}, key("x", 0), key("x", 0))
	if !equal(out[0], []float64{4, 5}) || !equal(out[1], []float64{4, 5}) {
		t.Errorf("leaf-only compute gave %v", out)
	}
	if e.TasksRun() != before {
		t.Errorf("leaf-only compute ran %d tasks", e.TasksRun()-before)
	}
	// an empty request
	if out := mustCompute(t, e, &graph.Graph{}); len(out) != 0 {
		t.Errorf("empty compute gave %v", out)
	}
}

func equal(a, b []float64) bool {
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

func TestAlias(t *testing.T) {
	e, _ := newExec(t)
	g := &graph.Graph{Tasks: []graph.Task{
		task(key("a", 0), opConst, 7.0, 4),
		{Key: key("b", 0), Op: graph.Op{Name: graph.OpAlias}, Inputs: []graph.Key{key("a", 0)},
			Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{2, 2}}}, Devices: graph.DeviceKinds(graph.CPU)},
		task(key("c", 0), opAdd, 1.0, 4, key("b", 0)),
	}}
	out := mustCompute(t, e, g, key("c", 0), key("b", 0))
	wantAll(t, "c", out[0], 4, 8)
	wantAll(t, "b", out[1], 4, 7)
}

func TestCancel(t *testing.T) {
	e, rec := newExec(t, local.Workers(2))
	g := &graph.Graph{}
	var keys []graph.Key
	for i := range 100 {
		k := key("slow", i)
		g.Tasks = append(g.Tasks, task(k, opSleep, 20*time.Millisecond, 1000))
		keys = append(keys, k)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := compute(ctx, e, g, keys...)
	took := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// cancel at 50ms; the running kernels end within 20ms more
	if took > 500*time.Millisecond {
		t.Errorf("Compute took %v after a cancel at 50ms", took)
	}
	if n := rec.runs(); n >= 50 {
		t.Errorf("%d tasks ran after cancel", n)
	}
	devicetest.AssertNoLeaks(t, e.Host())

	// a context already cancelled runs nothing
	before := rec.runs()
	if _, err := compute(ctx, e, g, keys...); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if rec.runs() != before {
		t.Errorf("a cancelled context ran %d tasks", rec.runs()-before)
	}

	// a deadline
	ctx, cancel2 := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel2()
	if _, err := compute(ctx, e, g, keys...); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestFirstErrorStops(t *testing.T) {
	e, rec := newExec(t, local.Workers(2))
	g, last := chain("c", 100, 10)
	g.Tasks[10] = task(key("c", 10), opFail, nil, 10, key("c", 9))
	_, err := compute(context.Background(), e, g, last)
	if !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want one wrapping errBoom", err)
	}
	for _, s := range []string{"c[10]", opFail} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %q", err, s)
		}
	}
	if n := rec.runs(); n != 11 {
		t.Errorf("%d tasks ran, want 11 (the chain stops at the failure)", n)
	}

	// a failure among many independent tasks: the others stop too
	g = &graph.Graph{}
	var keys []graph.Key
	for i := range 200 {
		k := key("w", i)
		op := opSleep
		var p any = time.Millisecond
		if i == 3 {
			op, p = opFail, nil
		}
		g.Tasks = append(g.Tasks, task(k, op, p, 100))
		keys = append(keys, k)
	}
	before := rec.runs()
	_, err = compute(context.Background(), e, g, keys...)
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "w[3]") {
		t.Fatalf("err = %v, want errBoom naming w[3]", err)
	}
	if n := rec.runs() - before; n > 20 {
		t.Errorf("%d of 200 tasks ran after an early failure", n)
	}
}

func TestKernelPanic(t *testing.T) {
	e, _ := newExec(t)
	g, last := chain("p", 5, 4)
	g.Tasks[3] = task(key("p", 3), opPanic, nil, 4, key("p", 2))
	_, err := compute(context.Background(), e, g, last)
	if err == nil {
		t.Fatal("no error from a panicking kernel")
	}
	for _, s := range []string{"p[3]", opPanic, "panic", "kaboom"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %q", err, s)
		}
	}
	// the executor still works
	g, last = chain("q", 5, 4)
	wantAll(t, "after panic", mustCompute(t, e, g, last)[0], 4, 5)
}

func TestDeliverError(t *testing.T) {
	e, _ := newExec(t)
	g, last := chain("d", 5, 4)
	errDeliver := errors.New("deliver failed")
	err := e.Compute(context.Background(), g, []graph.Key{last}, func(int, []byte) error { return errDeliver }, nil)
	if !errors.Is(err, errDeliver) {
		t.Fatalf("err = %v, want errDeliver", err)
	}
}

func TestBadGraphs(t *testing.T) {
	e, _ := newExec(t)
	missing := &graph.Graph{Tasks: []graph.Task{task(key("a", 0), opAdd, 0.0, 1, key("nope", 0))}}
	noInputs := &graph.Graph{Tasks: []graph.Task{task(key("a", 0), opConst, 0.0, 1)}}
	noKernel := &graph.Graph{Tasks: []graph.Task{task(key("a", 0), "no-such-op", nil, 1)}}
	gpuOnly := &graph.Graph{Tasks: []graph.Task{task(key("a", 0), opConst, 0.0, 1)}}
	gpuOnly.Tasks[0].Devices = graph.DeviceKinds(graph.GPU)
	badLeaf := &graph.Graph{Leaves: []graph.Leaf{{Key: key("l", 0), Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}}, Value: 3.0}},
		Tasks: []graph.Task{task(key("a", 0), opAdd, 0.0, 1, key("l", 0))}}
	for _, c := range []struct {
		name string
		g    *graph.Graph
		key  graph.Key
		want string
	}{
		{"missing input", missing, key("a", 0), "nope[0]"},
		{"missing wanted key", noInputs, key("zzz", 1), "zzz[1]"},
		{"no kernel", noKernel, key("a", 0), "no-such-op"},
		{"no cpu", gpuOnly, key("a", 0), "a[0]"},
		{"bad leaf", badLeaf, key("a", 0), "float64"},
	} {
		_, err := compute(context.Background(), e, c.g, c.key)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one naming %q", c.name, err, c.want)
		}
	}
}

func TestProgress(t *testing.T) {
	e, _ := newExec(t)
	g, last := chain("pr", 20, 1)
	var calls, lastDone, lastTotal int
	var peak int64
	err := e.Compute(context.Background(), g, []graph.Key{last}, func(int, []byte) error { return nil }, func(done, total int, resident int64) {
		if done < lastDone {
			t.Errorf("progress went back from %d to %d", lastDone, done)
		}
		if resident < 0 {
			t.Errorf("resident bytes %d", resident)
		}
		calls++
		lastDone, lastTotal = done, total
		peak = max(peak, resident)
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || lastDone != 21 || lastTotal != 21 {
		t.Errorf("progress: %d calls, last (%d, %d), want last (21, 21)", calls, lastDone, lastTotal)
	}
	if peak <= 0 {
		t.Errorf("progress never saw a resident chunk (peak %d bytes)", peak)
	}
}

func TestMemoryLimit(t *testing.T) {
	// 40 sources of 8000 bytes, each reduced to one element, summed at
	// the root: all sources are ready at once, but only a few fit
	const srcs, m = 40, 1000
	chunk := int64(8 * m)
	limit := 3*chunk + 1024
	e, rec := newExec(t, local.Workers(4), local.MemoryLimit(limit))
	g := &graph.Graph{}
	var totals []graph.Key
	for i := range srcs {
		g.Tasks = append(g.Tasks,
			task(key("src", i), opSleep, time.Millisecond, m),
			task(key("tot", i), opTotal, nil, 1, key("src", i)))
		totals = append(totals, key("tot", i))
	}
	g.Tasks = append(g.Tasks, task(key("root", 0), opAdd, 0.5, 1, totals...))
	wantAll(t, "root", mustCompute(t, e, g, key("root", 0))[0], 1, 0.5)
	if got := rec.maxLive(); got > limit {
		t.Errorf("max live bytes at kernel runs = %d, over the limit %d", got, limit)
	}
	if got := e.Host().Stats().PeakBytes; got > limit {
		t.Errorf("peak live bytes = %d, over the limit %d", got, limit)
	}
}

func TestMemoryLimitImpossible(t *testing.T) {
	e, rec := newExec(t, local.MemoryLimit(1000))
	g := &graph.Graph{Tasks: []graph.Task{
		task(key("small", 0), opConst, 1.0, 10),
		task(key("huge", 0), opAdd, 0.0, 1000, key("small", 0)), // 8000 bytes
	}}
	done := make(chan error, 1)
	go func() {
		_, err := compute(context.Background(), e, g, key("huge", 0))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, scheduler.ErrMemoryLimit) {
			t.Fatalf("err = %v, want one wrapping scheduler.ErrMemoryLimit", err)
		}
		if !strings.Contains(err.Error(), "8000") || !strings.Contains(err.Error(), "1000") {
			t.Errorf("error %q does not name the sizes (8000 asked, limit 1000)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Compute hung on a task that can never fit")
	}
	if n := rec.runs(); n != 1 {
		t.Errorf("%d tasks ran, want 1", n)
	}
}

func TestPersistRelease(t *testing.T) {
	e, _ := newExec(t)
	ctx := context.Background()
	g := &graph.Graph{Tasks: []graph.Task{
		task(key("p", 0), opConst, 2.0, 100),
		task(key("p", 1), opAdd, 1.0, 100, key("p", 0)),
	}}
	hs, err := e.Persist(ctx, g, []graph.Key{key("p", 0), key("p", 1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 {
		t.Fatalf("%d handles, want 2", len(hs))
	}
	if got := e.Host().Stats().LiveBytes; got != 2*800 {
		t.Errorf("%d bytes live with two persisted chunks, want 1600", got)
	}
	// the handles as leaves of a second graph, twice
	g2 := &graph.Graph{
		Leaves: []graph.Leaf{
			{Key: key("h", 0), Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{100}}}, Value: hs[0]},
			{Key: key("h", 1), Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{100}}}, Value: hs[1]},
		},
		Tasks: []graph.Task{task(key("s", 0), opAdd, 0.0, 100, key("h", 0), key("h", 1), key("h", 1))},
	}
	for range 2 {
		out, err := compute(ctx, e, g2, key("s", 0), key("h", 1))
		if err != nil {
			t.Fatal(err)
		}
		wantAll(t, "s", out[0], 100, 8)
		wantAll(t, "h1", out[1], 100, 3)
		if got := e.Host().Stats().LiveBytes; got != 2*800 {
			t.Errorf("%d bytes live after computing on persisted chunks, want 1600", got)
		}
	}
	// persisting a persisted leaf shares it
	hs2, err := e.Persist(ctx, g2, []graph.Key{key("h", 0)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.Release(hs)
	if got := e.Host().Stats().LiveBytes; got != 800 {
		t.Errorf("%d bytes live, want 800 (h0 persisted again)", got)
	}
	e.Release(hs2)
	devicetest.AssertNoLeaks(t, e.Host())
	e.Release(hs) // twice is harmless
	_, err = compute(ctx, e, g2, key("s", 0))
	if err == nil || !strings.Contains(err.Error(), "released") {
		t.Errorf("computing on released handles: err = %v, want one saying released", err)
	}

	// handles of another executor are refused
	other, _ := newExec(t)
	ho, err := other.Persist(ctx, g, []graph.Key{key("p", 0)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release(ho)
	g3 := &graph.Graph{Leaves: []graph.Leaf{{Key: key("h", 0), Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{100}}}, Value: ho[0]}}}
	if _, err := compute(ctx, e, g3, key("h", 0)); err == nil {
		t.Error("a handle of another executor was accepted")
	}
	// a failed persist keeps nothing
	bad, last := chain("bad", 3, 10)
	bad.Tasks[2].Op.Name = opFail
	if hs, err := e.Persist(ctx, bad, []graph.Key{last, key("bad", 0)}, nil); err == nil || hs != nil {
		t.Errorf("persist of a failing graph = %v, %v", hs, err)
	}
}

func TestConcurrentComputes(t *testing.T) {
	e := cpuExec(t, local.Workers(3))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 100 + 37*i
			g, root := treeSum(n, 4, i%2 == 0)
			out, err := compute(context.Background(), e, g, root)
			if err != nil {
				t.Error(err)
				return
			}
			if got, want := out[0][0], float64(n*(n-1)/2); got != want {
				t.Errorf("tree of %d = %v, want %v", n, got, want)
			}
		}()
	}
	wg.Wait()
}

func TestDeterminism(t *testing.T) {
	// a float sum whose value depends on the combining order
	g := &graph.Graph{}
	var parts []graph.Key
	x := 1.0
	for i := range 300 {
		x = math.Mod(x*7919.123, 1000.7) - 500
		k := key("v", i)
		g.Leaves = append(g.Leaves, leaf(k, x*math.Pow(10, float64(i%17-8))))
		parts = append(parts, k)
	}
	for i := 0; i < len(parts); i += 5 {
		k := key("c", i)
		g.Tasks = append(g.Tasks, graph.Task{Key: k, Op: graph.Op{Name: graph.OpCombine, Params: graph.CombineParams{Kind: graph.ReduceSum}},
			Inputs: parts[i : i+5], Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}}, Devices: graph.DeviceKinds(graph.CPU)})
	}
	var roots []graph.Key
	for i := 0; i < len(parts); i += 5 {
		roots = append(roots, key("c", i))
	}
	g.Tasks = append(g.Tasks, graph.Task{Key: key("root", 0), Op: graph.Op{Name: graph.OpCombine, Params: graph.CombineParams{Kind: graph.ReduceSum}},
		Inputs: roots, Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}}, Devices: graph.DeviceKinds(graph.CPU)})
	var first []byte
	for _, w := range []int{1, 2, 4, 1, 4} {
		e := cpuExec(t, local.Workers(w))
		var got []byte
		err := e.Compute(context.Background(), g, []graph.Key{key("root", 0)}, func(_ int, data []byte) error {
			got = append([]byte(nil), data...)
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = got
		} else if !bytes.Equal(got, first) {
			t.Errorf("workers=%d gave %x, first run %x", w, got, first)
		}
	}
}

func TestDuplicateWantedKeys(t *testing.T) {
	e, _ := newExec(t)
	g, last := chain("c", 3, 2)
	out := mustCompute(t, e, g, last, key("c", 1), last)
	wantAll(t, "first", out[0], 2, 3)
	wantAll(t, "middle", out[1], 2, 1)
	wantAll(t, "again", out[2], 2, 3)
	hs, err := e.Persist(context.Background(), g, []graph.Key{last, last}, nil)
	if err != nil || len(hs) != 2 {
		t.Fatalf("persist of a key twice = %v, %v", hs, err)
	}
	e.Release(hs)
}

func TestOnlyNeededTasksRun(t *testing.T) {
	// a slow task no wanted key needs is not run: the compute ends at
	// once and a cancel after the result cannot fail it
	e, rec := newExec(t)
	g, last := chain("c", 3, 2)
	g.Tasks = append(g.Tasks, task(key("unneeded", 0), opSleep, 2*time.Second, 10))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hs, err := e.Persist(ctx, g, []graph.Key{last}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.Release(hs)
	if n := rec.runs(); n != 4 {
		t.Errorf("%d tasks ran, want the 4 the key needs", n)
	}
}

func TestConcurrentComputesOfOneGraph(t *testing.T) {
	e := cpuExec(t, local.Workers(2))
	g, root := treeSum(500, 8, false)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := compute(context.Background(), e, g, root)
			if err != nil {
				t.Error(err)
				return
			}
			if got := out[0][0]; got != 500*499/2 {
				t.Errorf("sum = %v", got)
			}
		}()
	}
	wg.Wait()
}

func TestTupleLeaf(t *testing.T) {
	// a literal leaf of two outputs arrives as two buffers
	e := cpuExec(t)
	parts := []float64{1, 2, 3, 4, 5, 6} // (count, mean, M2) x 2 as moments partials
	var g graph.Graph
	for i := range 2 {
		g.Leaves = append(g.Leaves, graph.Leaf{Key: key("m", i),
			Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}, {DType: graph.Float64, Shape: []int{1}}, {DType: graph.Float64, Shape: []int{1}}},
			Value:   append([]byte(nil), device.AsBytes(parts[3*i:3*i+3])...)})
	}
	g.Tasks = append(g.Tasks, graph.Task{Key: key("c", 0), Op: graph.Op{Name: graph.OpCombine, Params: graph.CombineParams{Kind: graph.ReduceMoments}},
		Inputs: []graph.Key{key("m", 0), key("m", 1)}, Outputs: g.Leaves[0].Outputs, Devices: graph.DeviceKinds(graph.CPU)})
	var got []float64
	err := e.Compute(context.Background(), &g, []graph.Key{key("c", 0)}, func(_ int, data []byte) error {
		got = floats(data)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// deliver hands on the first buffer of the tuple: the count, 1 + 4
	if len(got) != 1 || got[0] != 5 {
		t.Errorf("combined count = %v, want 5", got)
	}
}

// After a failure the scheduler frees resident chunks at once; a kernel
// still reading one must keep it alive (it holds its own reference), or
// it would read freed memory (the race detector sees this).
func TestFailureWhileReaderRuns(t *testing.T) {
	e, _ := newExec(t, local.Workers(2))
	g := &graph.Graph{Tasks: []graph.Task{
		task(key("a", 0), opConst, 1.0, 1000),
		task(key("slow", 0), opSleep, 50*time.Millisecond, 1000, key("a", 0)),
		task(key("boom", 0), opFail, nil, 1000, key("a", 0)),
	}}
	_, err := compute(context.Background(), e, g, key("slow", 0), key("boom", 0))
	if !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want one wrapping errBoom", err)
	}
	devicetest.AssertNoLeaks(t, e.Host())
}

// Tasks with big outputs (16 MiB and more) are not queued behind busy
// workers: each source here waits until a worker is free, so the
// reduction of a finished source, ready first, runs before the next
// source starts. Two workers then hold two sources at most, where
// queueing two tasks per worker held four.
func TestBigOutputsWaitForAWorker(t *testing.T) {
	const srcs, m = 8, 2 << 20 // 16 MiB each
	e, _ := newExec(t, local.Workers(2))
	g := &graph.Graph{}
	var totals []graph.Key
	for i := range srcs {
		g.Tasks = append(g.Tasks,
			task(key("src", i), opConst, 1.0, m),
			task(key("tot", i), opTotal, nil, 1, key("src", i)))
		totals = append(totals, key("tot", i))
	}
	g.Tasks = append(g.Tasks, task(key("root", 0), opAdd, 0.0, 1, totals...))
	wantAll(t, "root", mustCompute(t, e, g, key("root", 0))[0], 1, srcs*m)
	if got, want := e.Host().Stats().PeakBytes, int64(2*8*m+(1<<20)); got > want {
		t.Errorf("peak live bytes %d, want at most two sources (%d)", got, want)
	}
}
