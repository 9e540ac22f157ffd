package array_test

import (
	"context"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// Lowering walks back from the wanted blocks: one block of a slice of a
// 2^20-block array is one task, not 2^20 lowered and culled.
func TestLowerOnlyNeeded(t *testing.T) {
	x := array.Ones([]int{1 << 20, 4}, graph.Float64, array.Chunked(1, 4))
	y := x.AddScalar(1).Slice(array.At(5))
	g, _, err := array.Graph([]*array.Array{y})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Tasks) != 1 {
		t.Errorf("%d tasks for one block of a slice, want 1", len(g.Tasks))
	}
	r, err := y.Compute(context.Background())
	if err != nil || r.Float64s()[0] != 2 {
		t.Fatal(r, err)
	}
}

// A generator that only feeds elementwise work is inlined where its
// reader is built: Ones(8, chunks 2).Sum() lowers to 4 fused partials
// with no inputs and the tree, and no task of the Ones layer at all.
func TestGeneratorsInlinedAtLayerLevel(t *testing.T) {
	ones := array.Ones([]int{8}, graph.Float64, array.Chunked(2))
	g, _, err := array.Graph([]*array.Array{ones.Sum()}, array.NoFuse())
	if err != nil {
		t.Fatal(err)
	}
	partials := 0
	for _, task := range g.Tasks {
		if task.Key.Layer == ones.Name() {
			t.Errorf("task %v of the generator layer was lowered", task.Key)
		}
		if task.Op.Name == graph.OpFused && len(task.Inputs) == 0 {
			partials++
		}
	}
	if partials != 4 {
		t.Errorf("%d input-free fused tasks, want 4", partials)
	}
	// and transposed or sliced readers see the generator's own coordinates
	x := array.NewRandom(3).Uniform(0, 1, []int{5, 7}, graph.Float64, array.Chunked(2, 3))
	direct, err := x.Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	y, err := x.T().Slice(array.Sl(array.None, array.None, -2), array.At(-1)).Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{direct.At(4, 6), direct.At(4, 4), direct.At(4, 2), direct.At(4, 0)}
	for i, v := range y.Float64s() {
		if v != want[i] {
			t.Errorf("x.T[::-2, -1][%d] = %v, want %v", i, v, want[i])
		}
	}
}
