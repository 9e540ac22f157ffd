package graph

import (
	"slices"
	"strings"
	"testing"
)

// pairProg is block (i, j) of (x + x.T).sum(axis=0) over 2x2 blocks of 3x3:
// a load of x(i,j), a transposed load of x(j,i), their sum reduced over
// axis 0 (one program for the layer, as lowering shares it).
var pairProg = &Program{
	Instrs: []Instr{
		{Op: OpLoad, DType: Float64, Src: 0, Map: 0},
		{Op: OpLoad, DType: Float64, Src: 1, Map: 1},
		{Op: OpAdd, DType: Float64, A: 0, B: 1},
	},
	Out:    2,
	Reduce: &Reduce{Kind: ReduceSum, Axes: []int{0}},
}

func pairTask(i, j int64) Task {
	shape := []int{3, 3}
	return Task{
		Key: Key{"t", 2*i + j},
		Op: Op{Name: OpFused, Params: &FusedParams{Prog: pairProg, Shape: shape, Maps: []Map{
			Identity(2, nil),
			{{Out: 1, Step: 1}, {Out: 0, Step: 1}},
		}}},
		Inputs:  []Key{{"x", 2*i + j}, {"x", 2*j + i}},
		Outputs: pairProg.Outputs(shape),
		Devices: DeviceKinds(CPU),
	}
}

// TestFusePairs: blocks (0,1) and (1,0) merge into one task over (0,1)'s
// domain whose second result reads through swapped maps and reduces the
// swapped axis; both old keys become picks; the diagonal blocks stay; the
// pass is deterministic.
func TestFusePairs(t *testing.T) {
	g := &Graph{}
	for b := int64(0); b < 4; b++ {
		g.Leaves = append(g.Leaves, Leaf{Key: Key{"x", b}, Outputs: []Chunk{{Float64, []int{3, 3}}}})
	}
	for i := int64(0); i < 2; i++ {
		for j := int64(0); j < 2; j++ {
			g.Tasks = append(g.Tasks, pairTask(i, j))
		}
	}
	out := FusePairs(g)
	if err := out.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 5 {
		t.Fatalf("%d tasks, want 5 (the merged one and the four old keys)", len(out.Tasks))
	}
	var m Task
	for _, tk := range out.Tasks {
		if tk.Op.Name == OpFused && strings.HasPrefix(tk.Key.Layer, "pairs-") {
			m = tk
		}
	}
	p, ok := m.Op.Params.(*FusedParams)
	if !ok || m.Op.Name != OpFused || len(p.Prog.More) != 1 {
		t.Fatalf("first task %v is not a merged fused task", m.Key)
	}
	if want := []Key{{"x", 1}, {"x", 2}}; !slices.Equal(m.Inputs, want) {
		t.Errorf("merged inputs %v, want %v", m.Inputs, want)
	}
	if got := p.Prog.More[0].Reduce.Axes; !slices.Equal(got, []int{1}) {
		t.Errorf("second result reduces axes %v, want [1] (axis 0 of its own domain, swapped)", got)
	}
	// the second member's loads: its x(1,0) (now input 1) through the
	// transposed map, its x(0,1) (input 0) through the identity
	in := p.Prog.Instrs
	if len(in) != 6 || in[3].Src != 1 || in[4].Src != 0 || !slices.Equal(p.Maps[in[3].Map], p.Maps[1]) || !slices.Equal(p.Maps[in[4].Map], p.Maps[0]) {
		t.Errorf("second member's loads %+v with maps %v", in[3:], p.Maps)
	}
	if len(m.Outputs) != 2 {
		t.Errorf("merged task has %d outputs, want 2", len(m.Outputs))
	}
	picks := map[int64]int{}
	for _, tk := range out.Tasks {
		if tk.Key == m.Key {
			continue
		}
		switch tk.Key.Block {
		case 0, 3:
			if tk.Op.Name != OpFused {
				t.Errorf("diagonal block %v became %s", tk.Key, tk.Op.Name)
			}
		default:
			pp, ok := tk.Op.Params.(PickParams)
			if tk.Op.Name != OpPick || !ok || len(tk.Inputs) != 1 || tk.Inputs[0] != m.Key {
				t.Errorf("block %v is %s of %v, want a pick of %v", tk.Key, tk.Op.Name, tk.Inputs, m.Key)
			}
			picks[tk.Key.Block] = pp.First
		}
	}
	if picks[1] != 0 || picks[2] != 1 {
		t.Errorf("picks %v, want block 1 at 0 and block 2 at 1", picks)
	}
	if again := FusePairs(g); !slices.EqualFunc(again.Tasks, out.Tasks, func(a, b Task) bool { return a.Key == b.Key }) {
		t.Errorf("a second run gives other keys or another order: not deterministic")
	}
}

// TestFusePairsBuffers: a load's Src counts buffers, not keys: with an
// input of two buffers (a pick of moments' partials, say) before the
// transposed blocks, the second member's loads are renumbered into the
// merged task's buffers; a reduction over no axis (it keeps both, laid
// out transposed) and an input of unknown buffers do not pair.
func TestFusePairsBuffers(t *testing.T) {
	prog := &Program{
		Instrs: []Instr{
			{Op: OpLoad, DType: Float64, Src: 1, Map: 0},
			{Op: OpLoad, DType: Float64, Src: 2, Map: 1},
			{Op: OpAdd, DType: Float64, A: 0, B: 1},
			{Op: OpLoad, DType: Float64, Src: 0, Map: 2},
			{Op: OpSub, DType: Float64, A: 2, B: 3},
		},
		Out:    4,
		Reduce: &Reduce{Kind: ReduceSum, Axes: []int{1}},
	}
	task := func(i, j int64, p *Program) Task {
		shape := []int{3, 3}
		return Task{
			Key: Key{"t", 2*i + j},
			Op: Op{Name: OpFused, Params: &FusedParams{Prog: p, Shape: shape, Maps: []Map{
				Identity(2, nil), {{Out: 1, Step: 1}, {Out: 0, Step: 1}}, {{Out: 0, Step: 1}},
			}}},
			// m(i) has two buffers; the load reads its second (Src 0 is
			// its first: the loads above read x at Src 1 and 2 only
			// because m's first buffer comes before them)
			Inputs:  []Key{{"m", i}, {"x", 2*i + j}, {"x", 2*j + i}},
			Outputs: p.Outputs(shape),
			Devices: DeviceKinds(CPU),
		}
	}
	// m's two buffers: the loads of x are then at Src 2 and 3
	prog.Instrs[0].Src, prog.Instrs[1].Src, prog.Instrs[3].Src = 2, 3, 1
	g := &Graph{}
	for b := int64(0); b < 4; b++ {
		g.Leaves = append(g.Leaves, Leaf{Key: Key{"x", b}, Outputs: []Chunk{{Float64, []int{3, 3}}}})
	}
	for b := int64(0); b < 2; b++ {
		g.Leaves = append(g.Leaves, Leaf{Key: Key{"m", b}, Outputs: []Chunk{{Float64, []int{3}}, {Float64, []int{3}}}})
	}
	g.Tasks = append(g.Tasks, task(0, 1, prog), task(1, 0, prog))
	out := FusePairs(g)
	if err := out.Validate(); err != nil {
		t.Fatal(err)
	}
	m := out.Tasks[0]
	p := m.Op.Params.(*FusedParams)
	if want := []Key{{"m", 0}, {"x", 1}, {"x", 2}, {"m", 1}}; !slices.Equal(m.Inputs, want) {
		t.Fatalf("merged inputs %v, want %v", m.Inputs, want)
	}
	// buffers: m0 #0, m0 #1, x1, x2, m1 #0, m1 #1; the second member reads
	// x2 (its own block), x1 (transposed) and m1's second buffer
	if in := p.Prog.Instrs[5:]; in[0].Src != 3 || in[1].Src != 2 || in[3].Src != 5 {
		t.Errorf("second member's loads read buffers %d, %d and %d, want 3, 2 and 5", in[0].Src, in[1].Src, in[3].Src)
	}
	// no pairs: a reduction over no axis, an input of unknown buffers
	none := &Program{Instrs: prog.Instrs, Out: 4, Reduce: &Reduce{Kind: ReduceSum, Axes: []int{}}}
	g2 := &Graph{Leaves: g.Leaves, Tasks: []Task{task(0, 1, none), task(1, 0, none)}}
	if n := len(FusePairs(g2).Tasks); n != 2 {
		t.Errorf("reductions over no axis: %d tasks, want 2 (not paired)", n)
	}
	g3 := &Graph{Leaves: g.Leaves[:4], Tasks: []Task{task(0, 1, prog), task(1, 0, prog)}}
	if n := len(FusePairs(g3).Tasks); n != 2 {
		t.Errorf("inputs of unknown buffers: %d tasks, want 2 (not paired)", n)
	}
}
