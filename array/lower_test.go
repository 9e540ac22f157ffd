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
