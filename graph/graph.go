package graph

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// Key names one task's output: the layer token (hashed once per array
// operation, readable prefix + hex hash) and the block's flat C-order index
// in that layer's block grid. Keys are comparable and cheap to copy.
type Key struct {
	Layer string
	Block int64
}

// String renders the key as "layer[block]".
func (k Key) String() string { return fmt.Sprintf("%s[%d]", k.Layer, k.Block) }

// Op is what a task does: a registered name and its typed params. Params
// are plain values (structs of this package, pointers to them, or nil):
// never closures, so a graph can be serialised and sent to a worker.
type Op struct {
	Name   string
	Params any
}

// Chunk is the metadata of one buffer: dtype and shape (C order).
type Chunk struct {
	DType DType
	Shape []int
}

// Size is the number of elements.
func (c Chunk) Size() int {
	n := 1
	for _, s := range c.Shape {
		n *= s
	}
	return n
}

// Bytes is the exact size of the buffer holding c.
func (c Chunk) Bytes() int64 { return int64(c.Size()) * int64(c.DType.Size()) }

// String renders "float64[3 4]".
func (c Chunk) String() string { return fmt.Sprintf("%v%v", c.DType, c.Shape) }

// Task is one node of the graph. Its output is a tuple of buffers whose
// exact metadata is Outputs (one buffer for most ops; ArgMin's partials are
// a value and an int64 index, Var's are count, mean and M2). A kernel sees
// the buffers of all Inputs flattened in order.
type Task struct {
	Key     Key
	Op      Op
	Inputs  []Key
	Outputs []Chunk
	// Devices is the set of device kinds that have a kernel for Op at the
	// dtypes involved; filled by lowering from the kernel registry.
	Devices DeviceKinds
}

// OutBytes is the total size of the task's output buffers.
func (t *Task) OutBytes() int64 {
	var n int64
	for _, c := range t.Outputs {
		n += c.Bytes()
	}
	return n
}

// Leaf is an external input: literal data or a persisted chunk. Leaves
// are never hashed; Value is opaque to graph and means something to the
// executor that runs the graph (host bytes, or a handle it gave out).
type Leaf struct {
	Key     Key
	Outputs []Chunk
	Value   any
}

// Graph is a set of tasks over a set of leaves. Passes return new
// graphs; a graph's Tasks and Leaves must not change once Index or
// LeafIndex has been called (the index is cached, safely for concurrent
// readers).
type Graph struct {
	Tasks  []Task
	Leaves []Leaf

	tidx, lidx atomic.Pointer[KeyIndex]
}

// KeyIndex finds positions by key: per layer, a dense table over block
// numbers (or a map for a sparse layer), so a lookup hashes the short
// layer string in a small map and indexes a slice, instead of hashing
// every key into one big map. Safe for concurrent use.
type KeyIndex struct {
	dense  map[string][]int32
	sparse map[Key]int32
}

func newKeyIndex(n int, key func(i int) Key) *KeyIndex {
	ix := &KeyIndex{dense: map[string][]int32{}}
	type ext struct{ max, count int64 }
	exts := map[string]*ext{}
	for i := 0; i < n; i++ {
		k := key(i)
		e := exts[k.Layer]
		if e == nil {
			e = &ext{max: -1}
			exts[k.Layer] = e
		}
		e.count++
		if k.Block > e.max {
			e.max = k.Block
		}
	}
	for l, e := range exts {
		if e.max+1 <= 4*e.count+64 {
			t := make([]int32, e.max+1)
			for j := range t {
				t[j] = -1
			}
			ix.dense[l] = t
		}
	}
	for i := 0; i < n; i++ {
		k := key(i)
		if t, ok := ix.dense[k.Layer]; ok && k.Block >= 0 {
			t[k.Block] = int32(i)
			continue
		}
		if ix.sparse == nil {
			ix.sparse = map[Key]int32{}
		}
		ix.sparse[k] = int32(i)
	}
	return ix
}

// Get returns the position of k.
func (ix *KeyIndex) Get(k Key) (int, bool) {
	if t, ok := ix.dense[k.Layer]; ok && k.Block >= 0 {
		// a negative block of a dense layer is in sparse
		if k.Block >= int64(len(t)) || t[k.Block] < 0 {
			return 0, false
		}
		return int(t[k.Block]), true
	}
	if i, ok := ix.sparse[k]; ok {
		return int(i), true
	}
	return 0, false
}

// Index returns the (cached) index of the tasks' keys.
func (g *Graph) Index() *KeyIndex {
	if ix := g.tidx.Load(); ix != nil {
		return ix
	}
	ix := newKeyIndex(len(g.Tasks), func(i int) Key { return g.Tasks[i].Key })
	g.tidx.CompareAndSwap(nil, ix)
	return g.tidx.Load()
}

// LeafIndex returns the (cached) index of the leaves' keys.
func (g *Graph) LeafIndex() *KeyIndex {
	if ix := g.lidx.Load(); ix != nil {
		return ix
	}
	ix := newKeyIndex(len(g.Leaves), func(i int) Key { return g.Leaves[i].Key })
	g.lidx.CompareAndSwap(nil, ix)
	return g.lidx.Load()
}

// Merge returns a graph holding the tasks and leaves of all gs, each key
// once (the first occurrence wins: keys are deterministic, so equal keys
// are equal tasks).
func Merge(gs ...*Graph) *Graph {
	out := &Graph{}
	seen := map[Key]bool{}
	for _, g := range gs {
		for _, l := range g.Leaves {
			if !seen[l.Key] {
				seen[l.Key] = true
				out.Leaves = append(out.Leaves, l)
			}
		}
		for _, t := range g.Tasks {
			if !seen[t.Key] {
				seen[t.Key] = true
				out.Tasks = append(out.Tasks, t)
			}
		}
	}
	return out
}

// ErrInvalid is wrapped by every error Validate returns.
var ErrInvalid = errors.New("graph: invalid")

// Validate checks that keys are unique, every input exists, metadata is
// well formed, and the graph has no cycle.
func (g *Graph) Validate() error {
	var errs []string
	fail := func(format string, a ...any) {
		if len(errs) < 10 {
			errs = append(errs, fmt.Sprintf(format, a...))
		}
	}
	known := make(map[Key]int, len(g.Tasks)+len(g.Leaves))
	for i, l := range g.Leaves {
		if _, dup := known[l.Key]; dup {
			fail("duplicate key %v", l.Key)
		}
		known[l.Key] = -1 - i
		checkOutputs(l.Key, l.Outputs, fail)
	}
	for i := range g.Tasks {
		t := &g.Tasks[i]
		if _, dup := known[t.Key]; dup {
			fail("duplicate key %v", t.Key)
		}
		known[t.Key] = i
		if t.Op.Name == "" {
			fail("task %v has no op", t.Key)
		}
		if t.Devices == 0 {
			fail("task %v (%s) can run on no device kind", t.Key, t.Op.Name)
		}
		checkOutputs(t.Key, t.Outputs, fail)
	}
	for i := range g.Tasks {
		t := &g.Tasks[i]
		for _, in := range t.Inputs {
			if _, ok := known[in]; !ok {
				fail("task %v (%s) reads missing key %v", t.Key, t.Op.Name, in)
			}
		}
	}
	if len(errs) == 0 {
		if _, err := g.Toposort(); err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
}

func checkOutputs(k Key, outs []Chunk, fail func(string, ...any)) {
	if len(outs) == 0 {
		fail("%v has no outputs", k)
	}
	for _, c := range outs {
		if !c.DType.Valid() {
			fail("%v has output of invalid dtype %v", k, c.DType)
		}
		for _, s := range c.Shape {
			if s < 0 {
				fail("%v has negative shape %v", k, c.Shape)
			}
		}
	}
}

// Toposort returns the task indices in an order where every task comes
// after the tasks it reads, or an error naming a task on a cycle.
func (g *Graph) Toposort() ([]int, error) {
	idx := g.Index()
	n := len(g.Tasks)
	indeg := make([]int32, n)
	// users in CSR form: two passes, three allocations
	start := make([]int32, n+1)
	for i := range g.Tasks {
		for _, in := range g.Tasks[i].Inputs {
			if j, ok := idx.Get(in); ok {
				indeg[i]++
				start[j+1]++
			}
		}
	}
	for i := 0; i < n; i++ {
		start[i+1] += start[i]
	}
	users := make([]int32, start[n])
	fill := append([]int32(nil), start[:n]...)
	for i := range g.Tasks {
		for _, in := range g.Tasks[i].Inputs {
			if j, ok := idx.Get(in); ok {
				users[fill[j]] = int32(i)
				fill[j]++
			}
		}
	}
	order := make([]int, 0, n)
	for i, d := range indeg {
		if d == 0 {
			order = append(order, i)
		}
	}
	for h := 0; h < len(order); h++ {
		t := order[h]
		for _, u := range users[start[t]:start[t+1]] {
			indeg[u]--
			if indeg[u] == 0 {
				order = append(order, int(u))
			}
		}
	}
	if len(order) != n {
		for i, d := range indeg {
			if d > 0 {
				return nil, fmt.Errorf("%w: cycle through task %v (%s)", ErrInvalid, g.Tasks[i].Key, g.Tasks[i].Op.Name)
			}
		}
	}
	return order, nil
}

// Cull returns the part of g that the keys need (tasks and leaves).
func (g *Graph) Cull(keys []Key) *Graph {
	idx := g.Index()
	lidx := g.LeafIndex()
	needT := make([]bool, len(g.Tasks))
	needL := make([]bool, len(g.Leaves))
	stack := append([]Key(nil), keys...)
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if i, ok := idx.Get(k); ok {
			if !needT[i] {
				needT[i] = true
				stack = append(stack, g.Tasks[i].Inputs...)
			}
		} else if i, ok := lidx.Get(k); ok {
			needL[i] = true
		}
	}
	nt, nl := 0, 0
	for _, b := range needT {
		if b {
			nt++
		}
	}
	for _, b := range needL {
		if b {
			nl++
		}
	}
	if nt == len(g.Tasks) && nl == len(g.Leaves) {
		out := &Graph{Tasks: g.Tasks, Leaves: g.Leaves}
		out.tidx.Store(g.tidx.Load())
		out.lidx.Store(g.lidx.Load())
		return out
	}
	out := &Graph{Tasks: make([]Task, 0, nt), Leaves: make([]Leaf, 0, nl)}
	for i := range g.Tasks {
		if needT[i] {
			out.Tasks = append(out.Tasks, g.Tasks[i])
		}
	}
	for i := range g.Leaves {
		if needL[i] {
			out.Leaves = append(out.Leaves, g.Leaves[i])
		}
	}
	return out
}
