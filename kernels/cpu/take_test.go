package cpu

import (
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// TestTakeRandom checks the take kernel against the element-by-element
// loop of its doc comment on random shapes, axes and positions.
func TestTakeRandom(t *testing.T) {
	r := seededRand(t, 7)
	dev := device.NewHost()
	for c := 0; c < 200; c++ {
		nd := 1 + r.IntN(3)
		shape := make([]int, nd)
		for a := range shape {
			shape[a] = 1 + r.IntN(4)
		}
		ax := r.IntN(nd)
		nin := 1 + r.IntN(3)
		metas := make([]graph.Chunk, nin)
		srcs := make([]*device.Buffer, nin)
		for i := range metas {
			s := slices.Clone(shape)
			s[ax] = 1 + r.IntN(5)
			metas[i] = graph.Chunk{DType: graph.Int64, Shape: s}
			srcs[i] = assembleAlloc(t, dev, metas[i])
			vals := device.View[int64](srcs[i])
			for k := range vals {
				vals[k] = r.Int64N(1000)
			}
		}
		out := graph.Chunk{DType: graph.Int64, Shape: slices.Clone(shape)}
		out.Shape[ax] = r.IntN(7)
		p := &graph.TakeParams{Axis: ax}
		for q := 0; q < out.Shape[ax]; q++ {
			s := r.IntN(nin)
			p.Src = append(p.Src, int32(s))
			p.Idx = append(p.Idx, int64(r.IntN(metas[s].Shape[ax])))
		}
		dst := assembleAlloc(t, dev, out)
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpTake, Params: p}, Outputs: []graph.Chunk{out}},
			Dst: []*device.Buffer{dst}, Src: srcs, SrcMeta: metas}
		if err := (takeKernel{}).Run(l); err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		got := device.View[int64](dst)
		idx := make([]int, nd)
		for k := 0; k < out.Size(); k++ {
			rem := k
			for a := nd - 1; a >= 0; a-- {
				idx[a] = rem % out.Shape[a]
				rem /= out.Shape[a]
			}
			q := idx[ax]
			sm := metas[p.Src[q]]
			off := 0
			for a := 0; a < nd; a++ {
				i := idx[a]
				if a == ax {
					i = int(p.Idx[q])
				}
				off = off*sm.Shape[a] + i
			}
			if want := device.View[int64](srcs[p.Src[q]])[off]; got[k] != want {
				t.Fatalf("case %d: shape %v axis %d: element %d = %d, want %d", c, out.Shape, ax, k, got[k], want)
			}
		}
	}
	// out-of-range positions are errors, and nothing is written
	blk := graph.Chunk{DType: graph.Int64, Shape: []int{2}}
	src, dst := assembleAlloc(t, dev, blk), assembleAlloc(t, dev, blk)
	for _, p := range []*graph.TakeParams{{Axis: 0, Src: []int32{0, 1}, Idx: []int64{0, 0}}, {Axis: 0, Src: []int32{0, 0}, Idx: []int64{0, 2}}, {Axis: 1, Src: []int32{0, 0}, Idx: []int64{0, 0}}} {
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpTake, Params: p}, Outputs: []graph.Chunk{blk}},
			Dst: []*device.Buffer{dst}, Src: []*device.Buffer{src}, SrcMeta: []graph.Chunk{blk}}
		if err := (takeKernel{}).Run(l); err == nil {
			t.Errorf("params %+v: no error", p)
		}
	}
}

// TestTakeMerged: with Merge 2 the input's first two axes are one axis
// of 6 positions (vindex).
func TestTakeMerged(t *testing.T) {
	dev := device.NewHost()
	in := graph.Chunk{DType: graph.Int64, Shape: []int{2, 3, 2}}
	out := graph.Chunk{DType: graph.Int64, Shape: []int{3, 2}}
	src, dst := assembleAlloc(t, dev, in), assembleAlloc(t, dev, out)
	for k := range device.View[int64](src) {
		device.View[int64](src)[k] = int64(k)
	}
	// points (1, 2), (0, 0), (1, 2): merged positions 5, 0, 5
	p := &graph.TakeParams{Axis: 0, Merge: 2, Src: []int32{0, 0, 0}, Idx: []int64{5, 0, 5}}
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpTake, Params: p}, Outputs: []graph.Chunk{out}},
		Dst: []*device.Buffer{dst}, Src: []*device.Buffer{src}, SrcMeta: []graph.Chunk{in}}
	if err := (takeKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	if got, want := device.View[int64](dst), []int64{10, 11, 0, 1, 10, 11}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	p.Idx[1] = 6
	if err := (takeKernel{}).Run(l); err == nil {
		t.Error("merged position 6 of 6: no error")
	}
}
