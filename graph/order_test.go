package graph_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

func checkOrder(t *testing.T, g *graph.Graph) []int32 {
	t.Helper()
	prio := g.Order()
	if !slices.Equal(prio, g.Order()) {
		t.Fatal("Order is not deterministic")
	}
	sorted := slices.Clone(prio)
	slices.Sort(sorted)
	for i, p := range sorted {
		if p != int32(i) {
			t.Fatalf("priorities %v are not a permutation of 0..%d", prio, len(prio)-1)
		}
	}
	idx := g.Index()
	for i, tk := range g.Tasks {
		for _, in := range tk.Inputs {
			if j, ok := idx.Get(in); ok && prio[j] >= prio[i] {
				t.Fatalf("%v (priority %d) runs before its input %v (%d)", tk.Key, prio[i], in, prio[j])
			}
		}
	}
	return prio
}

func TestOrderRandom(t *testing.T) {
	rng := testRand(t)
	for range 50 {
		checkOrder(t, randomDAG(rng, 1+rng.IntN(40)))
	}
}

// TestOrderTreeReduction: on a binary tree reduction of 16 blocks, the
// order finishes one subtree before it starts the next, so partials are
// consumed (and freed) soon after they are made.
func TestOrderTreeReduction(t *testing.T) {
	g := &graph.Graph{}
	level := 0
	var prev []graph.Key
	for i := range 16 {
		k := key("blk", i)
		g.Tasks = append(g.Tasks, plainTask(k))
		prev = append(prev, k)
	}
	sub := map[graph.Key][]graph.Key{} // each tree task's subtree
	for _, k := range prev {
		sub[k] = []graph.Key{k}
	}
	for len(prev) > 1 {
		level++
		var next []graph.Key
		for i := 0; i < len(prev); i += 2 {
			k := key(fmt.Sprintf("sum%d", level), i/2)
			g.Tasks = append(g.Tasks, plainTask(k, prev[i], prev[i+1]))
			sub[k] = append(append([]graph.Key{k}, sub[prev[i]]...), sub[prev[i+1]]...)
			next = append(next, k)
		}
		prev = next
	}
	prio := checkOrder(t, g)
	idx := g.Index()
	span := func(k graph.Key) (lo, hi int32) {
		lo, hi = 1<<30, -1
		for _, s := range sub[k] {
			j, _ := idx.Get(s)
			p := prio[j]
			lo, hi = min(lo, p), max(hi, p)
		}
		return lo, hi
	}
	for k := range sub {
		lo, hi := span(k)
		if int(hi-lo+1) != len(sub[k]) {
			t.Errorf("subtree of %v runs interleaved: priorities %d..%d for %d tasks", k, lo, hi, len(sub[k]))
		}
	}
}

// TestOrderSharedChunkConsumed: 8 chunks each read by three reductions
// (partials smaller than the chunk) that feed three separate sinks: every
// chunk's partials run right after it, so at most one chunk is resident
// at a time (the sinks' depth-first walk alone would keep the chunks
// until each sink reached them).
func TestOrderSharedChunkConsumed(t *testing.T) {
	g := &graph.Graph{}
	big := []graph.Chunk{{DType: graph.Float64, Shape: []int{1000}}}
	const n, readers = 8, 3
	parts := make([][]graph.Key, readers)
	for i := range n {
		x := key("x", i)
		g.Tasks = append(g.Tasks, graph.Task{Key: x, Op: graph.Op{Name: "gen"}, Outputs: big, Devices: graph.DeviceKinds(graph.CPU)})
		for r := range readers {
			p := key(fmt.Sprintf("part%d", r), i)
			g.Tasks = append(g.Tasks, plainTask(p, x))
			parts[r] = append(parts[r], p)
		}
	}
	for r := range readers {
		g.Tasks = append(g.Tasks, plainTask(key(fmt.Sprintf("sink%d", r), 0), parts[r]...))
	}
	prio := checkOrder(t, g)
	// run in priority order; a chunk of x is freed when its readers ran
	order := make([]int, len(prio))
	for i, p := range prio {
		order[p] = i
	}
	left := map[graph.Key]int{}
	resident, peak := 0, 0
	for _, i := range order {
		tk := g.Tasks[i]
		if tk.Key.Layer == "x" {
			left[tk.Key] = readers
			resident++
			peak = max(peak, resident)
		}
		for _, in := range tk.Inputs {
			if in.Layer == "x" {
				if left[in]--; left[in] == 0 {
					resident--
				}
			}
		}
	}
	if peak != 1 {
		t.Errorf("up to %d chunks of x resident at once, want 1", peak)
	}
}

// BenchmarkOrderWide: n large chunks, each read by a small partial and
// all of them by one task (the shape that made the ready-users pass
// quadratic when it rescanned inputs: 40,000 chunks took 639 ms against
// 41 ms before it).
//
//	go test -run '^$' -bench OrderWide ./graph/
func BenchmarkOrderWide(b *testing.B) {
	const n = 40000
	g := &graph.Graph{}
	big := []graph.Chunk{{DType: graph.Float64, Shape: []int{1000}}}
	var all []graph.Key
	for i := range n {
		x := key("x", i)
		g.Tasks = append(g.Tasks, graph.Task{Key: x, Op: graph.Op{Name: "gen"}, Outputs: big, Devices: graph.DeviceKinds(graph.CPU)},
			plainTask(key("part", i), x))
		all = append(all, x)
	}
	g.Tasks = append(g.Tasks, graph.Task{Key: key("all", 0), Op: graph.Op{Name: "op"}, Inputs: all, Outputs: big, Devices: graph.DeviceKinds(graph.CPU)})
	b.ResetTimer()
	for range b.N {
		g.Order()
	}
}
