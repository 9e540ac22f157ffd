package graph

import (
	"slices"
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
	m := out.Tasks[0]
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
	for _, tk := range out.Tasks[1:] {
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
	if again := FusePairs(g); again.Tasks[0].Key != m.Key {
		t.Errorf("merged key %v then %v: not deterministic", m.Key, again.Tasks[0].Key)
	}
}
