package graph_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
	"github.com/blockwork-dev/blockwork/kernels/cpu"
)

// execute is a tiny executor: it runs g in topological order on the CPU
// kernels (leaf values are []float64) and returns the output bytes of
// keys.
func execute(t *testing.T, g *graph.Graph, keys []graph.Key) map[graph.Key][][]byte {
	t.Helper()
	reg := kernels.NewRegistry()
	cpu.Register(reg)
	dev := device.NewHost()
	defer devicetest.AssertNoLeaks(t, dev)
	bufs := map[graph.Key][]*device.Buffer{}
	meta := map[graph.Key][]graph.Chunk{}
	defer func() {
		for _, bs := range bufs {
			for _, b := range bs {
				b.Release()
			}
		}
	}()
	alloc := func(c graph.Chunk) *device.Buffer {
		b, err := dev.Alloc(c.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, l := range g.Leaves {
		b := alloc(l.Outputs[0])
		copy(device.View[float64](b), l.Value.([]float64))
		bufs[l.Key], meta[l.Key] = []*device.Buffer{b}, l.Outputs
	}
	order, err := g.Toposort()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range order {
		tk := &g.Tasks[i]
		l := &kernels.Launch{Task: tk}
		for _, in := range tk.Inputs {
			l.Src = append(l.Src, bufs[in]...)
			l.SrcMeta = append(l.SrcMeta, meta[in]...)
		}
		for _, c := range tk.Outputs {
			l.Dst = append(l.Dst, alloc(c))
		}
		bufs[tk.Key], meta[tk.Key] = l.Dst, tk.Outputs
		k, ok := reg.Lookup(tk, graph.CPU)
		if !ok {
			t.Fatalf("no kernel for %v", tk.Key)
		}
		if err := k.Run(l); err != nil {
			t.Fatalf("%v: %v", tk.Key, err)
		}
	}
	res := map[graph.Key][][]byte{}
	for _, k := range keys {
		for _, b := range bufs[k] {
			res[k] = append(res[k], bytes.Clone(b.Bytes()))
		}
	}
	return res
}

const fn = 5 // the square domain of the random fusion tests

// fuseCase is a random graph of fused tasks over one leaf.
type fuseCase struct {
	g         *graph.Graph
	keep      []graph.Key
	reduce    map[graph.Key]bool // tasks with a reduce stage
	readers   map[graph.Key]int
	producers []graph.Key // non-reduce tasks and the leaf, readable through any map
}

func (c *fuseCase) shapeOf(k graph.Key) []int {
	if c.reduce[k] {
		return []int{fn, 1}
	}
	return []int{fn, fn}
}

// randMapOnto draws a map from the [fn fn] domain onto a source of shape.
func randMapOnto(rng *rand.Rand, shape []int) graph.Map {
	if shape[1] == 1 {
		return graph.Map{{Out: rng.IntN(2), Step: 1}, {Out: -1}}
	}
	switch rng.IntN(5) {
	case 0:
		return graph.Map{{Out: 1, Step: 1}, {Out: 0, Step: 1}} // transposed
	case 1:
		return graph.Map{{Out: 0, Start: fn - 1, Step: -1}, {Out: 1, Step: 1}} // flipped
	case 2:
		return graph.Map{{Out: -1, Start: rng.IntN(fn)}, {Out: 1, Step: 1}} // one row, broadcast
	case 3:
		return graph.Map{{Out: 1, Step: 0, Start: rng.IntN(fn)}, {Out: 0, Start: fn - 1, Step: -1}}
	}
	return graph.Identity(2, nil)
}

func cF(v float64) graph.Instr {
	return graph.Instr{Op: graph.OpConst, DType: graph.Float64, Imm: math.Float64bits(v)}
}

func newFuseCase(rng *rand.Rand, n int) *fuseCase {
	x := make([]float64, fn*fn)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	c := &fuseCase{
		g:       &graph.Graph{Leaves: []graph.Leaf{{Key: key("x", 0), Outputs: f64(fn, fn), Value: x}}},
		reduce:  map[graph.Key]bool{},
		readers: map[graph.Key]int{},
	}
	c.producers = []graph.Key{key("x", 0)}
	var all []graph.Key
	for i := range n {
		k := key(fmt.Sprintf("t%d", i), 0)
		p := &graph.Program{}
		fp := &graph.FusedParams{Prog: p, Shape: []int{fn, fn}}
		var ins []graph.Key
		emit := func(in graph.Instr) int32 { p.Instrs = append(p.Instrs, in); return int32(len(p.Instrs) - 1) }
		switch r := rng.IntN(6); {
		case r == 0 || len(c.producers) == 0: // a generator
			fp.Maps = []graph.Map{graph.Identity(2, nil), randMapOnto(rng, []int{fn, fn})}
			p.Rands = []graph.RandSpec{{Kind: graph.RandUniform, Seed: rng.Uint64(), Shape: []int{fn, fn}}}
			a := emit(graph.Instr{Op: graph.OpIndex, DType: graph.Float64, Map: 0, Imm: uint64(rng.IntN(2))})
			b := emit(graph.Instr{Op: graph.OpRandom, DType: graph.Float64, Map: 1})
			h := emit(cF(0.5))
			m := emit(graph.Instr{Op: graph.OpMul, DType: graph.Float64, A: a, B: h})
			emit(graph.Instr{Op: graph.OpAdd, DType: graph.Float64, A: m, B: b})
		default: // reads one to three producers (or reduce outputs)
			var regs []int32
			for range 1 + rng.IntN(3) {
				var src graph.Key
				if len(all) > 0 && rng.IntN(4) == 0 {
					src = all[rng.IntN(len(all))]
				} else {
					src = c.producers[rng.IntN(len(c.producers))]
				}
				if !slices.Contains(ins, src) {
					c.readers[src]++ // a task reading src twice is one reader
				}
				ins = append(ins, src)
				fp.Maps = append(fp.Maps, randMapOnto(rng, c.shapeOf(src)))
				regs = append(regs, emit(graph.Instr{Op: graph.OpLoad, DType: graph.Float64, Src: int32(len(ins) - 1), Map: int32(len(fp.Maps) - 1)}))
				if rng.IntN(3) == 0 && len(fp.Maps) > 0 { // the same source again, through another map
					fp.Maps = append(fp.Maps, randMapOnto(rng, c.shapeOf(src)))
					regs = append(regs, emit(graph.Instr{Op: graph.OpLoad, DType: graph.Float64, Src: int32(len(ins) - 1), Map: int32(len(fp.Maps) - 1)}))
				}
			}
			acc := emit(graph.Instr{Op: graph.OpSin, DType: graph.Float64, A: regs[0]})
			for _, r := range regs[1:] {
				switch rng.IntN(3) {
				case 0:
					h := emit(cF(1.5))
					m := emit(graph.Instr{Op: graph.OpMul, DType: graph.Float64, A: r, B: h})
					acc = emit(graph.Instr{Op: graph.OpAdd, DType: graph.Float64, A: acc, B: m})
				case 1:
					lt := emit(graph.Instr{Op: graph.OpLt, DType: graph.Bool, A: acc, B: r})
					acc = emit(graph.Instr{Op: graph.OpWhere, DType: graph.Float64, A: lt, B: acc, C: r})
				default:
					acc = emit(graph.Instr{Op: graph.OpSub, DType: graph.Float64, A: r, B: acc})
				}
			}
		}
		p.Out = int32(len(p.Instrs) - 1)
		outs := f64(fn, fn)
		if rng.IntN(5) == 0 {
			p.Reduce = &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{1}}
			outs = f64(fn, 1)
			c.reduce[k] = true
		} else {
			c.producers = append(c.producers, k)
		}
		all = append(all, k)
		c.g.Tasks = append(c.g.Tasks, graph.Task{Key: k, Op: graph.Op{Name: graph.OpFused, Params: fp}, Inputs: ins, Outputs: outs, Devices: graph.DeviceKinds(graph.CPU)})
		if rng.IntN(6) == 0 {
			c.keep = append(c.keep, k)
		}
	}
	return c
}

// TestFuseRandom: on random graphs of fused tasks the fused graph
// validates, gives the same bits for every sink and kept key, inlines
// generators into all their readers, and never inlines a producer with
// two readers, a kept key or a task with a reduce stage.
func TestFuseRandom(t *testing.T) {
	rng := testRand(t)
	for trial := range 60 {
		c := newFuseCase(rng, 2+rng.IntN(9))
		if err := c.g.Validate(); err != nil {
			t.Fatal(err)
		}
		keepSet := map[graph.Key]bool{}
		for _, k := range c.keep {
			keepSet[k] = true
		}
		var want []graph.Key
		for _, tk := range c.g.Tasks {
			if c.readers[tk.Key] == 0 || keepSet[tk.Key] {
				want = append(want, tk.Key)
			}
		}
		f := graph.Fuse(c.g, c.keep)
		if err := f.Validate(); err != nil {
			t.Fatalf("trial %d: fused graph: %v", trial, err)
		}
		before, after := execute(t, c.g, want), execute(t, f, want)
		for _, k := range want {
			for b := range before[k] {
				if !bytes.Equal(before[k][b], after[k][b]) {
					t.Fatalf("trial %d: %v differs after fusion:\n%v\n%v", trial, k, device.ViewBytes[float64](before[k][b]), device.ViewBytes[float64](after[k][b]))
				}
			}
		}
		// generators, also those that read only generators (they read
		// nothing once those are inlined)
		gen := map[graph.Key]bool{}
		for _, tk := range c.g.Tasks { // tasks are in dependency order
			g := !c.reduce[tk.Key]
			for _, in := range tk.Inputs {
				g = g && gen[in] && !keepSet[in]
			}
			gen[tk.Key] = g
		}
		present := map[graph.Key]bool{}
		read := map[graph.Key]bool{}
		for _, tk := range f.Tasks {
			present[tk.Key] = true
			for _, in := range tk.Inputs {
				read[in] = true
			}
		}
		for _, tk := range c.g.Tasks {
			k := tk.Key
			switch {
			case keepSet[k] && !present[k]:
				t.Errorf("trial %d: kept key %v fused away", trial, k)
			case c.reduce[k] && !present[k]:
				t.Errorf("trial %d: reduce task %v inlined", trial, k)
			case gen[k] && c.readers[k] > 0 && !keepSet[k] && (present[k] || read[k]):
				t.Errorf("trial %d: generator %v not inlined into all its readers", trial, k)
			case !gen[k] && c.readers[k] >= 2 && !present[k]:
				t.Errorf("trial %d: %v has %d readers and was inlined", trial, k, c.readers[k])
			case c.readers[k] == 0 && !present[k]:
				t.Errorf("trial %d: sink %v dropped", trial, k)
			}
		}
	}
}

// TestFuseNothingToDo: a graph with nothing to inline and no identity
// copy (reductions of leaves, as task_overhead's 100000 partials) comes
// back as it is, not copied; one fusable pair in it makes a new graph.
func TestFuseNothingToDo(t *testing.T) {
	g := &graph.Graph{}
	for b := range 4 {
		k := graph.Key{Layer: "x", Block: int64(b)}
		g.Leaves = append(g.Leaves, graph.Leaf{Key: k, Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{3}}}, Value: []float64{1, 2, 3}})
		prog := &graph.Program{Instrs: []graph.Instr{{Op: graph.OpLoad, DType: graph.Float64}}, Reduce: &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0}}}
		g.Tasks = append(g.Tasks, graph.Task{Key: graph.Key{Layer: "s", Block: int64(b)}, Inputs: []graph.Key{k},
			Op:      graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: prog, Shape: []int{3}, Maps: []graph.Map{graph.Identity(1, nil)}}},
			Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}}, Devices: graph.DeviceKinds(graph.CPU)})
	}
	if f := graph.Fuse(g, nil); f != g {
		t.Fatal("nothing to fuse: Fuse returned a new graph")
	}
	// x0 + 1 read by one reduction: inlined
	add := &graph.Program{Instrs: []graph.Instr{{Op: graph.OpLoad, DType: graph.Float64},
		{Op: graph.OpConst, DType: graph.Float64, Imm: math.Float64bits(1)}, {Op: graph.OpAdd, DType: graph.Float64, A: 0, B: 1}}, Out: 2}
	h := &graph.Graph{Leaves: g.Leaves, Tasks: append([]graph.Task{{Key: graph.Key{Layer: "a", Block: 0}, Inputs: []graph.Key{g.Leaves[0].Key},
		Op:      graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: add, Shape: []int{3}, Maps: []graph.Map{graph.Identity(1, nil)}}},
		Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{3}}}, Devices: graph.DeviceKinds(graph.CPU)}}, g.Tasks...)}
	h.Tasks[1].Inputs = []graph.Key{{Layer: "a", Block: 0}}
	f := graph.Fuse(h, []graph.Key{{Layer: "s", Block: 0}})
	if f == h || len(f.Tasks) != len(g.Tasks) {
		t.Fatalf("a fusable pair: %d tasks (same graph: %v), want %d", len(f.Tasks), f == h, len(g.Tasks))
	}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
}
