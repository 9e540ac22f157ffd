package local

import (
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

func TestKeyIndex(t *testing.T) {
	g := &graph.Graph{
		Leaves: []graph.Leaf{{Key: graph.Key{Layer: "l", Block: 3}}, {Key: graph.Key{Layer: "far", Block: 1 << 40}}},
	}
	for _, b := range []int64{5, 6, 7, 9} { // dense, with a hole at 8
		g.Tasks = append(g.Tasks, graph.Task{Key: graph.Key{Layer: "d", Block: b}})
	}
	g.Tasks = append(g.Tasks, graph.Task{Key: graph.Key{Layer: "far", Block: -2}}, graph.Task{Key: graph.Key{Layer: "l", Block: 0}})
	ix := newKeyIndex(g)
	for _, c := range []struct {
		k  graph.Key
		r  ref
		ok bool
	}{
		{graph.Key{Layer: "l", Block: 3}, -1, true},
		{graph.Key{Layer: "l", Block: 0}, 5, true},
		{graph.Key{Layer: "l", Block: 1}, 0, false},
		{graph.Key{Layer: "far", Block: 1 << 40}, -2, true},
		{graph.Key{Layer: "far", Block: -2}, 4, true},
		{graph.Key{Layer: "far", Block: 0}, 0, false},
		{graph.Key{Layer: "d", Block: 5}, 0, true},
		{graph.Key{Layer: "d", Block: 9}, 3, true},
		{graph.Key{Layer: "d", Block: 8}, 0, false},
		{graph.Key{Layer: "d", Block: 4}, 0, false},
		{graph.Key{Layer: "d", Block: 10}, 0, false},
		{graph.Key{Layer: "none", Block: 0}, 0, false},
	} {
		r, ok := ix.get(c.k)
		if ok != c.ok || (ok && r != c.r) {
			t.Errorf("get(%v) = %d, %v; want %d, %v", c.k, r, ok, c.r, c.ok)
		}
	}
	if l := ix.layers["far"]; l.dense != nil {
		t.Errorf("layer far spans 2^40 blocks with 2 keys but got a dense table of %d", len(l.dense))
	}
}
