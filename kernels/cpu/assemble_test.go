package cpu

import (
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

func assembleAlloc(t testing.TB, dev device.Device, c graph.Chunk) *device.Buffer {
	t.Helper()
	buf, err := dev.Alloc(c.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(buf.Release)
	return buf
}

// Concatenate two 2×2 blocks side by side into 2×4, and a 0-d piece.
func TestAssembleConcat(t *testing.T) {
	dev := device.NewHost()
	blk := graph.Chunk{DType: graph.Int32, Shape: []int{2, 2}}
	out := graph.Chunk{DType: graph.Int32, Shape: []int{2, 4}}
	a, b, dst := assembleAlloc(t, dev, blk), assembleAlloc(t, dev, blk), assembleAlloc(t, dev, out)
	copy(device.View[int32](a), []int32{1, 2, 5, 6})
	copy(device.View[int32](b), []int32{3, 4, 7, 8})
	l := &kernels.Launch{
		Task: &graph.Task{Op: graph.Op{Name: graph.OpAssemble, Params: &graph.AssembleParams{Pieces: []graph.Piece{
			{Src: 0, SrcStart: []int{0, 0}, DstStart: []int{0, 0}, Shape: []int{2, 2}},
			{Src: 1, SrcStart: []int{0, 0}, DstStart: []int{0, 2}, Shape: []int{2, 2}},
		}}}, Outputs: []graph.Chunk{out}},
		Dst: []*device.Buffer{dst}, Src: []*device.Buffer{a, b}, SrcMeta: []graph.Chunk{blk, blk},
	}
	if err := (assembleKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(device.View[int32](dst)), "[1 2 3 4 5 6 7 8]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}

	scalar := graph.Chunk{DType: graph.Float64}
	s, d := assembleAlloc(t, dev, scalar), assembleAlloc(t, dev, scalar)
	device.View[float64](s)[0] = 2.5
	l = &kernels.Launch{
		Task: &graph.Task{Op: graph.Op{Name: graph.OpAssemble, Params: &graph.AssembleParams{Pieces: []graph.Piece{{Src: 0}}}},
			Outputs: []graph.Chunk{scalar}},
		Dst: []*device.Buffer{d}, Src: []*device.Buffer{s}, SrcMeta: []graph.Chunk{scalar},
	}
	if err := (assembleKernel{}).Run(l); err != nil || device.View[float64](d)[0] != 2.5 {
		t.Errorf("0-d: got %v, %v", device.View[float64](d), err)
	}
}

// Rechunk: a 2048×2048 float64 output from four 1024×1024 quadrants
// (1024-element runs).
func BenchmarkAssemble(b *testing.B) {
	dev := device.NewHost()
	const n = 2048
	out := graph.Chunk{DType: graph.Float64, Shape: []int{n, n}}
	q := graph.Chunk{DType: graph.Float64, Shape: []int{n / 2, n / 2}}
	dst := assembleAlloc(b, dev, out)
	var src []*device.Buffer
	var pieces []graph.Piece
	for i := range 4 {
		src = append(src, assembleAlloc(b, dev, q))
		pieces = append(pieces, graph.Piece{Src: i, SrcStart: []int{0, 0}, DstStart: []int{i / 2 * n / 2, i % 2 * n / 2}, Shape: []int{n / 2, n / 2}})
	}
	l := &kernels.Launch{
		Task: &graph.Task{Op: graph.Op{Name: graph.OpAssemble, Params: &graph.AssembleParams{Pieces: pieces}}, Outputs: []graph.Chunk{out}},
		Dst:  []*device.Buffer{dst}, Src: src, SrcMeta: []graph.Chunk{q, q, q, q},
	}
	b.Run("quadrants", func(b *testing.B) {
		b.SetBytes(2 * out.Bytes())
		for b.Loop() {
			if err := (assembleKernel{}).Run(l); err != nil {
				b.Fatal(err)
			}
		}
	})
}
