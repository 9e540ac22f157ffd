package graph

import (
	"slices"
	"testing"
)

// siblingProgs are the layers' programs (shared by their blocks, as
// lowering does).
var siblingProgs = map[string]*Program{}

// sibling builds a fused task reducing a load of leaf x[blk] (4x6) over
// axes.
func sibling(layer string, blk int64, kind ReduceKind, axes ...int) Task {
	shape := []int{4, 6}
	prog := siblingProgs[layer]
	if prog == nil {
		prog = &Program{
			Instrs: []Instr{{Op: OpLoad, DType: Float64, Src: 0, Map: 0}},
			Reduce: &Reduce{Kind: kind, Axes: axes},
		}
		siblingProgs[layer] = prog
	}
	return Task{
		Key:     Key{layer, blk},
		Op:      Op{Name: OpFused, Params: &FusedParams{Prog: prog, Shape: shape, Maps: []Map{Identity(2, nil)}}},
		Inputs:  []Key{{"x", blk}},
		Outputs: prog.Outputs(shape),
		Devices: DeviceKinds(CPU),
	}
}

// TestFuseSiblings: reductions of the same blocks with the same pattern
// of reduced neighbouring axes merge into one task per block whose
// program has every result (instructions renumbered, outputs in order),
// each old key becoming a pick of its buffers; another pattern (all
// axes), an ArgMax and another block's reduction stay apart.
func TestFuseSiblings(t *testing.T) {
	g := &Graph{}
	for b := int64(0); b < 2; b++ {
		g.Leaves = append(g.Leaves, Leaf{Key: Key{"x", b}, Outputs: []Chunk{{Float64, []int{4, 6}}}})
		g.Tasks = append(g.Tasks,
			sibling("sum0", b, ReduceSum, 0),
			sibling("var1", b, ReduceMoments, 1),
			sibling("max0", b, ReduceMax, 0),
			sibling("sumall", b, ReduceSum, 0, 1),
			sibling("argmax0", b, ReduceArgMax, 0),
		)
	}
	out := FuseSiblings(g)
	if err := out.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != len(g.Tasks)+2 {
		t.Fatalf("%d tasks after, want %d (one merged task per block)", len(out.Tasks), len(g.Tasks)+2)
	}
	var progs []*Program
	for _, tk := range out.Tasks {
		switch tk.Key.Layer {
		case "sum0", "var1", "max0":
			if tk.Op.Name != OpPick || len(tk.Inputs) != 1 {
				t.Errorf("%v: op %s inputs %v, want a pick of the merged task", tk.Key, tk.Op.Name, tk.Inputs)
				continue
			}
			first := map[string]int{"sum0": 0, "var1": 1, "max0": 4}[tk.Key.Layer]
			if p := tk.Op.Params.(PickParams); p.First != first {
				t.Errorf("%v picks from buffer %d, want %d", tk.Key, p.First, first)
			}
		case "sumall", "argmax0":
			if tk.Op.Name != OpFused {
				t.Errorf("%v was changed to %s", tk.Key, tk.Op.Name)
			}
		default:
			p := tk.Op.Params.(*FusedParams)
			if len(p.Prog.More) != 2 || len(p.Prog.Instrs) != 3 || len(p.Maps) != 3 || !slices.Equal(tk.Inputs, []Key{{"x", tk.Key.Block}}) {
				t.Errorf("merged task %v: %d more results, %d instructions, %d maps, inputs %v", tk.Key, len(p.Prog.More), len(p.Prog.Instrs), len(p.Maps), tk.Inputs)
				continue
			}
			if p.Prog.Out != 0 || p.Prog.More[0].Out != 1 || p.Prog.More[1].Out != 2 || p.Prog.Instrs[2].Map != 2 {
				t.Errorf("merged program registers: out %d, more %+v, map of the third load %d", p.Prog.Out, p.Prog.More, p.Prog.Instrs[2].Map)
			}
			if want := p.Prog.Outputs(p.Shape); len(tk.Outputs) != 5 || len(want) != 5 {
				t.Errorf("merged outputs %v, program's %v", tk.Outputs, want)
			}
			progs = append(progs, p.Prog)
		}
	}
	if len(progs) != 2 || progs[0] != progs[1] {
		t.Errorf("the blocks' merged tasks share no program (%d merged)", len(progs))
	}
	// the input graph is unchanged
	if g.Tasks[0].Op.Name != OpFused {
		t.Errorf("FuseSiblings changed its input graph")
	}
}

// TestFuseIdentityCopy: a fused task that loads its one input unchanged
// (a slice that is the whole block) becomes an OpAlias; one that shifts,
// casts or reads a part does not.
func TestFuseIdentityCopy(t *testing.T) {
	leaf := Leaf{Key: Key{"x", 0}, Outputs: []Chunk{{Float64, []int{4, 6}}}}
	mk := func(name string, dt DType, shape []int, m Map) Task {
		prog := &Program{Instrs: []Instr{{Op: OpLoad, DType: Float64}}}
		if dt != Float64 {
			prog.Instrs = append(prog.Instrs, Instr{Op: OpCast, DType: dt, A: 0})
			prog.Out = 1
		}
		return Task{Key: Key{name, 0}, Op: Op{Name: OpFused, Params: &FusedParams{Prog: prog, Shape: shape, Maps: []Map{m}}},
			Inputs: []Key{leaf.Key}, Outputs: []Chunk{{dt, shape}}, Devices: DeviceKinds(CPU)}
	}
	g := &Graph{Leaves: []Leaf{leaf}, Tasks: []Task{
		mk("same", Float64, []int{4, 6}, Identity(2, nil)),
		mk("shifted", Float64, []int{3, 6}, Identity(2, []int{1, 0})),
		mk("cast", Float32, []int{4, 6}, Identity(2, nil)),
		mk("transposed", Float64, []int{6, 4}, Map{{Out: 1, Step: 1}, {Out: 0, Step: 1}}),
	}}
	var keep []Key
	for _, tk := range g.Tasks {
		keep = append(keep, tk.Key)
	}
	out := Fuse(g, keep)
	if err := out.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tk := range out.Tasks {
		if alias := tk.Op.Name == OpAlias; alias != (tk.Key.Layer == "same") {
			t.Errorf("%s: op %s", tk.Key.Layer, tk.Op.Name)
		}
	}
}
