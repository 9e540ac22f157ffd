package graph_test

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
)

// Two fused tasks: a generator (a constant) and a reader that adds one to
// it. Fuse inlines the generator, so one task makes one pass; the result
// still validates, and Order gives the static priorities.
func Example() {
	all := graph.DeviceKinds(graph.CPU)
	chunk := []graph.Chunk{{DType: graph.Float64, Shape: []int{4}}}
	gen := &graph.Program{Instrs: []graph.Instr{{Op: graph.OpConst, DType: graph.Float64, Imm: graph.ConstBits(graph.Float64, 2)}}}
	add := &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0},
		{Op: graph.OpConst, DType: graph.Float64, Imm: graph.ConstBits(graph.Float64, 1)},
		{Op: graph.OpAdd, DType: graph.Float64, A: 0, B: 1},
	}, Out: 2}
	g := &graph.Graph{Tasks: []graph.Task{
		{Key: graph.Key{Layer: "two", Block: 0}, Op: graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: gen, Shape: []int{4}}}, Outputs: chunk, Devices: all},
		{Key: graph.Key{Layer: "plus1", Block: 0}, Op: graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: add, Shape: []int{4}, Maps: []graph.Map{graph.Identity(1, nil)}}},
			Inputs: []graph.Key{{Layer: "two", Block: 0}}, Outputs: chunk, Devices: all},
	}}
	keep := []graph.Key{{Layer: "plus1", Block: 0}}
	f := graph.Fuse(g, keep)
	fmt.Println(len(g.Tasks), "tasks before,", len(f.Tasks), "after; valid:", f.Validate() == nil)
	fmt.Println(f.Tasks[0].Key, len(f.Tasks[0].Inputs), "inputs,", len(f.Tasks[0].Op.Params.(*graph.FusedParams).Prog.Instrs), "instructions")
	fmt.Println(g.Order())
	// Output:
	// 2 tasks before, 1 after; valid: true
	// plus1[0] 0 inputs, 3 instructions
	// [0 1]
}
