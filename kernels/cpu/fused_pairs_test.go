package cpu

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

// TestFusedPairsMerged runs what graph.FusePairs makes of blocks (0,1)
// (3x5) and (1,0) (5x3) of (x + x.T - m) reduced over each axis and both,
// m a key of two buffers (moments' partials, say) of which the program
// reads the second: the merged task's results are each member's alone,
// the first bit for bit, the second within rounding (it is summed in
// another order).
func TestFusedPairsMerged(t *testing.T) {
	r := seededRand(t, 13)
	x01, x10 := graph.Key{Layer: "x", Block: 1}, graph.Key{Layer: "x", Block: 2}
	m1, m0 := graph.Key{Layer: "m", Block: 1}, graph.Key{Layer: "m", Block: 0}
	c35, c53 := graph.Chunk{DType: graph.Float64, Shape: []int{3, 5}}, graph.Chunk{DType: graph.Float64, Shape: []int{5, 3}}
	v5, v3 := graph.Chunk{DType: graph.Float64, Shape: []int{5}}, graph.Chunk{DType: graph.Float64, Shape: []int{3}}
	leaves := []graph.Leaf{
		{Key: x01, Outputs: []graph.Chunk{c35}}, {Key: x10, Outputs: []graph.Chunk{c53}},
		{Key: m1, Outputs: []graph.Chunk{v5, v5}}, {Key: m0, Outputs: []graph.Chunk{v3, v3}},
	}
	data := map[graph.Key][][]byte{
		x01: {randBytes(r, graph.Float64, 15)}, x10: {randBytes(r, graph.Float64, 15)},
		m1: {randBytes(r, graph.Float64, 5), randBytes(r, graph.Float64, 5)},
		m0: {randBytes(r, graph.Float64, 3), randBytes(r, graph.Float64, 3)},
	}
	meta := map[graph.Key][]graph.Chunk{}
	for _, l := range leaves {
		meta[l.Key] = l.Outputs
	}
	srcs := func(keys []graph.Key) ([][]byte, []graph.Chunk) {
		var s [][]byte
		var m []graph.Chunk
		for _, k := range keys {
			s, m = append(s, data[k]...), append(m, meta[k]...)
		}
		return s, m
	}
	for _, kind := range []graph.ReduceKind{graph.ReduceSum, graph.ReduceMax, graph.ReduceMoments} {
		for _, axes := range [][]int{{0}, {1}, {0, 1}} {
			prog := &graph.Program{Instrs: []graph.Instr{
				{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0},
				{Op: graph.OpLoad, DType: graph.Float64, Src: 1, Map: 1},
				{Op: graph.OpAdd, DType: graph.Float64, A: 0, B: 1},
				{Op: graph.OpLoad, DType: graph.Float64, Src: 3, Map: 2}, // m's second buffer
				{Op: graph.OpSub, DType: graph.Float64, A: 2, B: 3},
			}, Out: 4, Reduce: &graph.Reduce{Kind: kind, Axes: axes}}
			mk := func(blk int64, shape []int, ins []graph.Key) graph.Task {
				return graph.Task{Key: graph.Key{Layer: "t", Block: blk}, Inputs: ins,
					Op: graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: prog, Shape: shape, Maps: []graph.Map{
						graph.Identity(2, nil), {{Out: 1, Step: 1}, {Out: 0, Step: 1}}, {{Out: 1, Step: 1}}}}},
					Outputs: prog.Outputs(shape), Devices: graph.DeviceKinds(graph.CPU)}
			}
			a, b := mk(1, []int{3, 5}, []graph.Key{x01, x10, m1}), mk(2, []int{5, 3}, []graph.Key{x10, x01, m0})
			g := graph.FusePairs(&graph.Graph{Leaves: leaves, Tasks: []graph.Task{a, b}})
			if len(g.Tasks) != 3 || g.Tasks[0].Op.Name != graph.OpFused {
				t.Fatalf("%v over %v: blocks (0,1) and (1,0) not paired", kind, axes)
			}
			m := g.Tasks[0]
			s, md := srcs(m.Inputs)
			merged := runFusedBytes(t, m.Op.Params.(*graph.FusedParams), s, md, m.Outputs)
			s, md = srcs(a.Inputs)
			wantA := runFusedBytes(t, a.Op.Params.(*graph.FusedParams), s, md, a.Outputs)
			s, md = srcs(b.Inputs)
			wantB := runFusedBytes(t, b.Op.Params.(*graph.FusedParams), s, md, b.Outputs)
			if len(merged) != len(wantA)+len(wantB) {
				t.Fatalf("%v over %v: %d outputs, want %d", kind, axes, len(merged), len(wantA)+len(wantB))
			}
			for k := range merged {
				want, exact := wantB[max(0, k-len(wantA))], false
				if k < len(wantA) {
					want, exact = wantA[k], true
				}
				got, w := f64s(merged[k]), f64s(want)
				for i := range w {
					ok := math.Float64bits(got[i]) == math.Float64bits(w[i])
					if !exact && !ok {
						ok = math.Abs(got[i]-w[i]) <= 1e-12*math.Max(1, math.Abs(w[i]))
					}
					if !ok {
						t.Fatalf("%s: output %d element %d: merged %v, alone %v", fmt.Sprintf("%v over %v", kind, axes), k, i, got[i], w[i])
					}
				}
			}
		}
	}
}
