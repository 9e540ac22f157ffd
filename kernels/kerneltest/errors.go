package kerneltest

import (
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// checkErrors runs kernels on launches that do not fit their op (wrong
// buffer counts, shapes, params, bounds): each must return an error, and
// never panic (e.launch turns a panic into a failure).
func checkErrors(t *testing.T, e *env) {
	f64 := func(shape ...int) graph.Chunk { return graph.Chunk{DType: graph.Float64, Shape: shape} }
	buf := func(c graph.Chunk) *device.Buffer { return e.alloc(t, c) }
	shared := buf(f64(2, 2)) // a gemm's destination and one of its sources
	cases := []struct {
		name string
		task *graph.Task
		dst  []*device.Buffer
		src  []*device.Buffer
		meta []graph.Chunk
	}{
		{
			name: "gemm inner dimensions differ",
			task: task(graph.OpGemm, nil, 2, []graph.Chunk{f64(2, 4)}),
			dst:  []*device.Buffer{buf(f64(2, 4))},
			src:  []*device.Buffer{buf(f64(2, 3)), buf(f64(2, 4))},
			meta: []graph.Chunk{f64(2, 3), f64(2, 4)},
		},
		{
			name: "gemm with one source",
			task: task(graph.OpGemm, nil, 1, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{buf(f64(2, 2))},
			src:  []*device.Buffer{buf(f64(2, 2))},
			meta: []graph.Chunk{f64(2, 2)},
		},
		{
			name: "gemm with three sources",
			task: task(graph.OpGemm, nil, 3, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{buf(f64(2, 2))},
			src:  []*device.Buffer{buf(f64(2, 3)), buf(f64(3, 2)), buf(f64(2, 3))},
			meta: []graph.Chunk{f64(2, 3), f64(3, 2), f64(2, 3)},
		},
		{
			name: "gemm second pair's inner dimensions differ",
			task: task(graph.OpGemm, nil, 4, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{buf(f64(2, 2))},
			src:  []*device.Buffer{buf(f64(2, 3)), buf(f64(3, 2)), buf(f64(2, 4)), buf(f64(3, 2))},
			meta: []graph.Chunk{f64(2, 3), f64(3, 2), f64(2, 4), f64(3, 2)},
		},
		{
			name: "gemm second pair has other rows",
			task: task(graph.OpGemm, nil, 4, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{buf(f64(2, 2))},
			src:  []*device.Buffer{buf(f64(2, 3)), buf(f64(3, 2)), buf(f64(3, 3)), buf(f64(3, 2))},
			meta: []graph.Chunk{f64(2, 3), f64(3, 2), f64(3, 3), f64(3, 2)},
		},
		{
			name: "gemm second pair has other columns",
			task: task(graph.OpGemm, nil, 4, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{buf(f64(2, 2))},
			src:  []*device.Buffer{buf(f64(2, 3)), buf(f64(3, 2)), buf(f64(2, 3)), buf(f64(3, 3))},
			meta: []graph.Chunk{f64(2, 3), f64(3, 2), f64(2, 3), f64(3, 3)},
		},
		{
			name: "gemm second pair of another dtype",
			task: task(graph.OpGemm, nil, 4, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{buf(f64(2, 2))},
			src: []*device.Buffer{buf(f64(2, 3)), buf(f64(3, 2)),
				buf(graph.Chunk{DType: graph.Int64, Shape: []int{2, 3}}), buf(f64(3, 2))},
			meta: []graph.Chunk{f64(2, 3), f64(3, 2), {DType: graph.Int64, Shape: []int{2, 3}}, f64(3, 2)},
		},
		{
			name: "gemm source smaller than its meta",
			task: task(graph.OpGemm, nil, 4, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{buf(f64(2, 2))},
			src:  []*device.Buffer{buf(f64(2, 3)), buf(f64(3, 2)), buf(f64(2, 3)), buf(f64(2, 2))},
			meta: []graph.Chunk{f64(2, 3), f64(3, 2), f64(2, 3), f64(3, 2)},
		},
		{
			name: "gemm destination is a later source",
			task: task(graph.OpGemm, nil, 4, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{shared},
			src:  []*device.Buffer{buf(f64(2, 2)), buf(f64(2, 2)), buf(f64(2, 2)), shared},
			meta: []graph.Chunk{f64(2, 2), f64(2, 2), f64(2, 2), f64(2, 2)},
		},
		{
			name: "combine argmin with half a tuple",
			task: task(graph.OpCombine, graph.CombineParams{Kind: graph.ReduceArgMin}, 2,
				graph.ReduceArgMin.PartialOutputs(graph.Float64, []int{3})),
			dst:  []*device.Buffer{buf(f64(3)), buf(graph.Chunk{DType: graph.Int64, Shape: []int{3}})},
			src:  []*device.Buffer{buf(f64(3)), buf(graph.Chunk{DType: graph.Int64, Shape: []int{3}}), buf(f64(3))},
			meta: []graph.Chunk{f64(3), {DType: graph.Int64, Shape: []int{3}}, f64(3)},
		},
		{
			name: "combine without params",
			task: task(graph.OpCombine, nil, 1, []graph.Chunk{f64(3)}),
			dst:  []*device.Buffer{buf(f64(3))},
			src:  []*device.Buffer{buf(f64(3))},
			meta: []graph.Chunk{f64(3)},
		},
		{
			name: "combine any of float64",
			task: task(graph.OpCombine, graph.CombineParams{Kind: graph.ReduceAny}, 1, []graph.Chunk{f64(3)}),
			dst:  []*device.Buffer{buf(f64(3))},
			src:  []*device.Buffer{buf(f64(3))},
			meta: []graph.Chunk{f64(3)},
		},
		{
			name: "combine of partials with other sizes",
			task: task(graph.OpCombine, graph.CombineParams{Kind: graph.ReduceSum}, 2, []graph.Chunk{f64(3)}),
			dst:  []*device.Buffer{buf(f64(3))},
			src:  []*device.Buffer{buf(f64(3)), buf(f64(4))},
			meta: []graph.Chunk{f64(3), f64(4)},
		},
		{
			name: "assemble piece out of bounds",
			task: task(graph.OpAssemble, &graph.AssembleParams{Pieces: []graph.Piece{
				{Src: 0, SrcStart: []int{1, 0}, DstStart: []int{0, 0}, Shape: []int{2, 2}},
			}}, 1, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{buf(f64(2, 2))},
			src:  []*device.Buffer{buf(f64(2, 2))},
			meta: []graph.Chunk{f64(2, 2)},
		},
		{
			name: "assemble piece of another rank",
			task: task(graph.OpAssemble, &graph.AssembleParams{Pieces: []graph.Piece{
				{Src: 0, SrcStart: []int{0}, DstStart: []int{0, 0}, Shape: []int{2}},
			}}, 1, []graph.Chunk{f64(2, 2)}),
			dst:  []*device.Buffer{buf(f64(2, 2))},
			src:  []*device.Buffer{buf(f64(4))},
			meta: []graph.Chunk{f64(4)},
		},
		{
			name: "assemble from a missing source",
			task: task(graph.OpAssemble, &graph.AssembleParams{Pieces: []graph.Piece{
				{Src: 1, SrcStart: []int{0}, DstStart: []int{0}, Shape: []int{2}},
			}}, 1, []graph.Chunk{f64(2)}),
			dst:  []*device.Buffer{buf(f64(2))},
			src:  []*device.Buffer{buf(f64(2))},
			meta: []graph.Chunk{f64(2)},
		},
	}
	for _, c := range cases {
		if err := e.launch(t, c.task, c.dst, c.src, c.meta); err == nil {
			t.Errorf("%s: no error", c.name)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
}
