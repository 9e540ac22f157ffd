package cpu

import (
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// TestCompress: both modes against hand-worked results, and a mask whose
// true count disagrees with the output's size is an error.
func TestCompress(t *testing.T) {
	dev := device.NewHost()
	xm := graph.Chunk{DType: graph.Int32, Shape: []int{2, 3}}
	x := assembleAlloc(t, dev, xm)
	copy(device.View[int32](x), []int32{1, 2, 3, 4, 5, 6})
	run := func(axis int, mask []byte, mshape, oshape []int) (string, error) {
		mm := graph.Chunk{DType: graph.Bool, Shape: mshape}
		m := assembleAlloc(t, dev, mm)
		copy(m.Bytes(), mask)
		om := graph.Chunk{DType: graph.Int32, Shape: oshape}
		dst := assembleAlloc(t, dev, om)
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpCompress, Params: &graph.CompressParams{Axis: axis}}, Outputs: []graph.Chunk{om}},
			Dst: []*device.Buffer{dst}, Src: []*device.Buffer{x, m}, SrcMeta: []graph.Chunk{xm, mm}}
		err := (compressKernel{}).Run(l)
		return fmt.Sprint(device.View[int32](dst)), err
	}
	if got, err := run(-1, []byte{1, 0, 1, 0, 0, 1}, []int{2, 3}, []int{3}); err != nil || got != "[1 3 6]" {
		t.Errorf("flat: %s, %v", got, err)
	}
	if got, err := run(1, []byte{0, 1, 1}, []int{3}, []int{2, 2}); err != nil || got != "[2 3 5 6]" {
		t.Errorf("axis 1: %s, %v", got, err)
	}
	if got, err := run(0, []byte{0, 1}, []int{2}, []int{1, 3}); err != nil || got != "[4 5 6]" {
		t.Errorf("axis 0: %s, %v", got, err)
	}
	if _, err := run(-1, []byte{1, 1, 1, 0, 0, 1}, []int{2, 3}, []int{3}); err == nil {
		t.Error("4 true for 3 outputs: no error")
	}
}
