package cpu

import (
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// TestPatchRandom checks the patch kernel against its doc comment's loop
// (later writes winning) on random shapes and position lists.
func TestPatchRandom(t *testing.T) {
	r := seededRand(t, 11)
	dev := device.NewHost()
	for c := 0; c < 200; c++ {
		nd := r.IntN(4)
		out := graph.Chunk{DType: graph.Int32, Shape: make([]int, nd)}
		vm := graph.Chunk{DType: graph.Int32, Shape: make([]int, nd)}
		p := &graph.PatchParams{Pos: make([][]int, nd)}
		for a := 0; a < nd; a++ {
			out.Shape[a] = 1 + r.IntN(4)
			vm.Shape[a] = r.IntN(5)
			for j := 0; j < vm.Shape[a]; j++ {
				p.Pos[a] = append(p.Pos[a], r.IntN(out.Shape[a])) // repeats
			}
		}
		x, v, dst := assembleAlloc(t, dev, out), assembleAlloc(t, dev, vm), assembleAlloc(t, dev, out)
		xs, vs := device.View[int32](x), device.View[int32](v)
		for k := range xs {
			xs[k] = r.Int32N(100)
		}
		for k := range vs {
			vs[k] = 1000 + r.Int32N(100)
		}
		want := slices.Clone(xs)
		str := graph.Strides(out.Shape)
		j := make([]int, nd)
		for k := 0; k < vm.Size(); k++ {
			rem := k
			for a := nd - 1; a >= 0; a-- {
				j[a] = rem % vm.Shape[a]
				rem /= vm.Shape[a]
			}
			off := 0
			for a := 0; a < nd; a++ {
				off += p.Pos[a][j[a]] * str[a]
			}
			want[off] = vs[k]
		}
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpPatch, Params: p}, Outputs: []graph.Chunk{out}},
			Dst: []*device.Buffer{dst}, Src: []*device.Buffer{x, v}, SrcMeta: []graph.Chunk{out, vm}}
		if err := (patchKernel{}).Run(l); err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		if got := device.View[int32](dst); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("case %d: out %v values %v pos %v: got %v, want %v", c, out, vm, p.Pos, got, want)
		}
	}
	blk := graph.Chunk{DType: graph.Int32, Shape: []int{2}}
	x, dst := assembleAlloc(t, dev, blk), assembleAlloc(t, dev, blk)
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpPatch, Params: &graph.PatchParams{Pos: [][]int{{0, 2}}}}, Outputs: []graph.Chunk{blk}},
		Dst: []*device.Buffer{dst}, Src: []*device.Buffer{x, x}, SrcMeta: []graph.Chunk{blk, blk}}
	if err := (patchKernel{}).Run(l); err == nil {
		t.Error("a position outside the block: no error")
	}
}
