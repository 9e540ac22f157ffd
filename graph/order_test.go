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
