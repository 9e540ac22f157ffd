package array_test

import (
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Each op on x chunked with empty blocks must equal the op on one block.
func TestReviewEmptyBlocks(t *testing.T) {
	data := iota64(24)
	odd := array.FromSlice(data, []int{4, 6}, array.ExplicitChunks(chunks.Chunks{{0, 1, 0, 3, 0}, {2, 0, 3, 1, 0}}))
	one := array.FromSlice(data, []int{4, 6})
	v1 := array.FromSlice(iota64(5), []int{5}, array.ExplicitChunks(chunks.Chunks{{0, 2, 0, 3, 0}}))
	v1w := array.FromSlice(iota64(5), []int{5})
	ops := map[string]func(x, v *array.Array) *array.Array{
		"reshape merge": func(x, v *array.Array) *array.Array { return x.Reshape(24) },
		"reshape split": func(x, v *array.Array) *array.Array { return x.Reshape(2, 2, 3, 2) },
		"reshape ones":  func(x, v *array.Array) *array.Array { return x.Reshape(4, 1, 6, 1) },
		"reshape -1":    func(x, v *array.Array) *array.Array { return x.Reshape(-1, 3) },
		"diag0":         func(x, v *array.Array) *array.Array { return x.Diag(0) },
		"diag2":         func(x, v *array.Array) *array.Array { return x.Diag(2) },
		"diag-1":        func(x, v *array.Array) *array.Array { return x.Diag(-1) },
		"diag1d":        func(x, v *array.Array) *array.Array { return v.Diag(-2) },
		"diag1d+":       func(x, v *array.Array) *array.Array { return v.Diag(1) },
		"tile":          func(x, v *array.Array) *array.Array { return x.Tile(2, 1, 2) },
		"roll":          func(x, v *array.Array) *array.Array { return x.Roll(-3, 1, 0) },
		"rollflat":      func(x, v *array.Array) *array.Array { return x.Roll(5) },
		"pad reflect":   func(x, v *array.Array) *array.Array { return x.Pad([][2]int{{5, 3}, {7, 8}}, array.PadReflect, 0) },
		"pad wrap":      func(x, v *array.Array) *array.Array { return x.Pad([][2]int{{5, 3}, {7, 8}}, array.PadWrap, 0) },
		"pad edge":      func(x, v *array.Array) *array.Array { return x.Pad([][2]int{{5, 3}, {7, 8}}, array.PadEdge, 0) },
		"pad const":     func(x, v *array.Array) *array.Array { return x.Pad([][2]int{{1, 2}}, array.PadConstant, -1) },
		"repeat0":       func(x, v *array.Array) *array.Array { return x.Repeat(3, 0) },
		"repeat1":       func(x, v *array.Array) *array.Array { return x.Repeat(2, 1) },
		"repeatflat":    func(x, v *array.Array) *array.Array { return x.Repeat(2) },
		"cumsum0":       func(x, v *array.Array) *array.Array { return x.CumSum(0) },
		"cumprod1":      func(x, v *array.Array) *array.Array { return x.AddScalar(1).CumProd(1) },
		"concat": func(x, v *array.Array) *array.Array {
			return array.Concatenate([]*array.Array{x, x.T().Reshape(4, 6), x}, 1)
		},
		"stack":          func(x, v *array.Array) *array.Array { return array.Stack([]*array.Array{x, x.MulScalar(2)}, 1) },
		"block":          func(x, v *array.Array) *array.Array { return array.Block([][]*array.Array{{x, x}, {x, x}}) },
		"tril":           func(x, v *array.Array) *array.Array { return x.Tril(-1) },
		"triu":           func(x, v *array.Array) *array.Array { return x.Triu(2) },
		"flip":           func(x, v *array.Array) *array.Array { return x.Flip(1) },
		"moveaxis":       func(x, v *array.Array) *array.Array { return x.Reshape(2, 2, 6).MoveAxis(0, -1) },
		"bcast":          func(x, v *array.Array) *array.Array { return v.Slice(array.NewAxis(), array.All()).BroadcastTo(3, 5) },
		"bcastwith":      func(x, v *array.Array) *array.Array { return v.BroadcastToWith([]int{3, 5}, array.Chunked(2, 2)) },
		"nanvar":         func(x, v *array.Array) *array.Array { return x.NanVar(1) },
		"nanargmax":      func(x, v *array.Array) *array.Array { return x.NanArgMax(0) },
		"nanargmin flat": func(x, v *array.Array) *array.Array { return x.NanArgMin() },
		"nanmin keep": func(x, v *array.Array) *array.Array {
			return x.NanMinWith(array.ReduceOpts{Axes: []int{1}, KeepDims: true})
		},
		"squeeze": func(x, v *array.Array) *array.Array { return x.Reshape(4, 1, 6).Squeeze(1) },
	}
	for name, f := range ops {
		t.Run(name, func(t *testing.T) {
			a, b := f(odd, v1), f(one, v1w)
			if err := a.Err(); err != nil {
				t.Fatalf("build: %v", err)
			}
			v := newEnv(t)
			var ra, rb *array.NDArray
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic: %v", r)
					}
				}()
				ra = v.one(name, a)
				rb = v.one(name, b)
			}()
			rn := v.one(name+" nofuse", a, array.NoFuse())
			if fmt.Sprint(ra.Shape, ra.Float64s()) != fmt.Sprint(rb.Shape, rb.Float64s()) {
				t.Errorf("odd chunks %v %v\n one block %v %v", ra.Shape, ra.Float64s(), rb.Shape, rb.Float64s())
			}
			if fmt.Sprint(rn.Float64s()) != fmt.Sprint(rb.Float64s()) {
				t.Errorf("nofuse %v", rn.Float64s())
			}
		})
	}
	_ = graph.Float64
}
