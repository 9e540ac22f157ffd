package cpu_test

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
	"github.com/blockwork-dev/blockwork/kernels/cpu"
)

// Register puts every CPU kernel in a registry; an executor looks them up
// by the task's op and first output dtype.
func Example() {
	r := kernels.NewRegistry()
	cpu.Register(r)
	t := &graph.Task{Op: graph.Op{Name: graph.OpGemm}, Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{2, 2}}}}
	_, ok := r.Lookup(t, graph.CPU)
	fmt.Println(ok, r.Devices(t).Has(graph.CPU), r.Devices(t).Has(graph.GPU))
	// Output: true true false
}
