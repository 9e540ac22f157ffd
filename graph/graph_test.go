package graph_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

func key(layer string, b int) graph.Key { return graph.Key{Layer: layer, Block: int64(b)} }

func f64(shape ...int) []graph.Chunk { return []graph.Chunk{{DType: graph.Float64, Shape: shape}} }

// plainTask is a task of a made-up op over inputs.
func plainTask(k graph.Key, ins ...graph.Key) graph.Task {
	return graph.Task{Key: k, Op: graph.Op{Name: "op"}, Inputs: ins, Outputs: f64(2), Devices: graph.DeviceKinds(graph.CPU)}
}

// randomDAG draws n tasks over two leaves, each reading 0-3 earlier tasks
// or leaves, in a shuffled task order.
func randomDAG(rng *rand.Rand, n int) *graph.Graph {
	g := &graph.Graph{Leaves: []graph.Leaf{{Key: key("leaf", 0), Outputs: f64(2)}, {Key: key("leaf", 1), Outputs: f64(2)}}}
	for i := range n {
		var ins []graph.Key
		for range rng.IntN(4) {
			if j := rng.IntN(i + 2); j < 2 {
				ins = append(ins, key("leaf", j))
			} else {
				ins = append(ins, key("t", j-2))
			}
		}
		g.Tasks = append(g.Tasks, plainTask(key("t", i), ins...))
	}
	rng.Shuffle(len(g.Tasks), func(a, b int) { g.Tasks[a], g.Tasks[b] = g.Tasks[b], g.Tasks[a] })
	return g
}

func TestValidate(t *testing.T) {
	ok := &graph.Graph{Leaves: []graph.Leaf{{Key: key("x", 0), Outputs: f64(3)}},
		Tasks: []graph.Task{plainTask(key("a", 0), key("x", 0)), plainTask(key("b", 0), key("a", 0), key("x", 0))}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid graph: %v", err)
	}
	bad := map[string]func(g *graph.Graph){
		"duplicate task key":     func(g *graph.Graph) { g.Tasks = append(g.Tasks, plainTask(key("a", 0))) },
		"task key of a leaf":     func(g *graph.Graph) { g.Tasks = append(g.Tasks, plainTask(key("x", 0))) },
		"duplicate leaf":         func(g *graph.Graph) { g.Leaves = append(g.Leaves, graph.Leaf{Key: key("x", 0), Outputs: f64(3)}) },
		"missing input":          func(g *graph.Graph) { g.Tasks[1].Inputs = append(g.Tasks[1].Inputs, key("nope", 1)) },
		"cycle":                  func(g *graph.Graph) { g.Tasks[0].Inputs = []graph.Key{key("b", 0)} },
		"self loop":              func(g *graph.Graph) { g.Tasks[0].Inputs = []graph.Key{key("a", 0)} },
		"no op":                  func(g *graph.Graph) { g.Tasks[0].Op.Name = "" },
		"no device":              func(g *graph.Graph) { g.Tasks[0].Devices = 0 },
		"no outputs":             func(g *graph.Graph) { g.Tasks[0].Outputs = nil },
		"invalid dtype":          func(g *graph.Graph) { g.Tasks[0].Outputs = []graph.Chunk{{DType: graph.Invalid, Shape: []int{2}}} },
		"negative shape":         func(g *graph.Graph) { g.Tasks[1].Outputs = []graph.Chunk{{DType: graph.Int32, Shape: []int{2, -1}}} },
		"leaf of invalid dtype":  func(g *graph.Graph) { g.Leaves[0].Outputs = []graph.Chunk{{DType: graph.DType(77)}} },
		"leaf without an output": func(g *graph.Graph) { g.Leaves[0].Outputs = nil },
	}
	for name, spoil := range bad {
		g := &graph.Graph{Leaves: slices.Clone(ok.Leaves), Tasks: slices.Clone(ok.Tasks)}
		for i := range g.Tasks {
			g.Tasks[i].Inputs = slices.Clone(g.Tasks[i].Inputs)
		}
		spoil(g)
		if err := g.Validate(); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("%s: Validate = %v, want ErrInvalid", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestToposortAndCull(t *testing.T) {
	rng := testRand(t)
	for range 50 {
		g := randomDAG(rng, 1+rng.IntN(30))
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		order, err := g.Toposort()
		if err != nil {
			t.Fatal(err)
		}
		idx := g.Index()
		pos := make([]int, len(g.Tasks))
		seen := make([]bool, len(g.Tasks))
		for p, i := range order {
			if seen[i] {
				t.Fatalf("task %d twice in %v", i, order)
			}
			seen[i], pos[i] = true, p
		}
		if len(order) != len(g.Tasks) {
			t.Fatalf("order of %d tasks for %d", len(order), len(g.Tasks))
		}
		for i, tk := range g.Tasks {
			for _, in := range tk.Inputs {
				if j, ok := idx.Get(in); ok && pos[j] >= pos[i] {
					t.Fatalf("%v before its input %v", tk.Key, in)
				}
			}
		}
		// Cull keeps exactly the ancestors of the keys (and the keys)
		var keys []graph.Key
		for range 1 + rng.IntN(3) {
			keys = append(keys, g.Tasks[rng.IntN(len(g.Tasks))].Key)
		}
		want := map[graph.Key]bool{}
		var walk func(k graph.Key)
		walk = func(k graph.Key) {
			if want[k] {
				return
			}
			want[k] = true
			if i, ok := idx.Get(k); ok {
				for _, in := range g.Tasks[i].Inputs {
					walk(in)
				}
			}
		}
		for _, k := range keys {
			walk(k)
		}
		c := g.Cull(keys)
		if err := c.Validate(); err != nil {
			t.Fatalf("culled graph: %v", err)
		}
		got := map[graph.Key]bool{}
		for _, tk := range c.Tasks {
			got[tk.Key] = true
		}
		for _, l := range c.Leaves {
			got[l.Key] = true
		}
		if len(got) != len(want) {
			t.Fatalf("Cull(%v) kept %d keys, want %d", keys, len(got), len(want))
		}
		for k := range want {
			if !got[k] {
				t.Fatalf("Cull(%v) dropped %v", keys, k)
			}
		}
	}
}

func TestToposortCycle(t *testing.T) {
	g := &graph.Graph{Tasks: []graph.Task{plainTask(key("a", 0), key("c", 0)), plainTask(key("b", 0), key("a", 0)), plainTask(key("c", 0), key("b", 0)), plainTask(key("d", 0))}}
	if _, err := g.Toposort(); !errors.Is(err, graph.ErrInvalid) {
		t.Fatalf("Toposort of a cycle: %v", err)
	}
}

func TestMerge(t *testing.T) {
	a := &graph.Graph{Leaves: []graph.Leaf{{Key: key("x", 0), Outputs: f64(1)}}, Tasks: []graph.Task{plainTask(key("a", 0), key("x", 0))}}
	b := &graph.Graph{Leaves: []graph.Leaf{{Key: key("x", 0), Outputs: f64(1)}}, Tasks: []graph.Task{plainTask(key("a", 0), key("x", 0)), plainTask(key("b", 0), key("a", 0))}}
	m := graph.Merge(a, b)
	if len(m.Leaves) != 1 || len(m.Tasks) != 2 {
		t.Fatalf("Merge: %d leaves, %d tasks; want 1, 2", len(m.Leaves), len(m.Tasks))
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestIndexNegativeBlocks: keys with negative block numbers are found
// beside the dense blocks of their layer.
func TestIndexNegativeBlocks(t *testing.T) {
	g := &graph.Graph{Tasks: []graph.Task{plainTask(key("a", -1)), plainTask(key("a", 0)), plainTask(key("a", 3)), plainTask(key("b", -7))}}
	idx := g.Index()
	for i, tk := range g.Tasks {
		if j, ok := idx.Get(tk.Key); !ok || j != i {
			t.Errorf("Get(%v) = %d, %v; want %d", tk.Key, j, ok, i)
		}
	}
	for _, k := range []graph.Key{key("a", 1), key("a", -2), key("a", 99), key("c", 0)} {
		if _, ok := idx.Get(k); ok {
			t.Errorf("Get(%v) found a missing key", k)
		}
	}
	if err := g.Validate(); err != nil {
		t.Error(err)
	}
}
