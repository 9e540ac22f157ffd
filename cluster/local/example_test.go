package local_test

import (
	"context"
	"fmt"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/graph"
)

// An executor of its own (two workers, a 1 GiB limit on resident chunks),
// used by a computation instead of the embedded default.
func Example() {
	e, err := local.New(local.Workers(2), local.MemoryLimit(1<<30))
	if err != nil {
		panic(err)
	}
	x := array.Arange(0, 10, 1, graph.Int64, array.Chunked(3))
	r, err := x.Mul(x).Sum().Compute(context.Background(), array.On(e))
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Int64s(), e.Host().Stats().LiveBytes)
	// Output: [285] 0
}
