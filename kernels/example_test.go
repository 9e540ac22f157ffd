package kernels_test

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// A backend registers kernels by (op, dtype, device kind); an executor
// looks them up per task and launches them with destinations first.
func Example() {
	r := kernels.NewRegistry()
	r.Register("double", graph.Float64, graph.CPU, kernels.Func(func(l *kernels.Launch) error {
		dst, src := device.View[float64](l.Dst[0]), device.View[float64](l.Src[0])
		for i := range dst {
			dst[i] = 2 * src[i]
		}
		return nil
	}))
	host := device.NewHost()
	t := &graph.Task{Op: graph.Op{Name: "double"}, Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{3}}}}
	k, ok := r.Lookup(t, graph.CPU)
	in, _ := host.Alloc(24)
	out, _ := host.Alloc(24)
	copy(device.View[float64](in), []float64{1, 2, 3})
	err := k.Run(&kernels.Launch{Task: t, Dst: []*device.Buffer{out}, Src: []*device.Buffer{in}, SrcMeta: t.Outputs})
	fmt.Println(ok, err, device.View[float64](out), r.Devices(t))
	in.Release()
	out.Release()
	fmt.Println(host.Stats().LiveBytes)
	// Output:
	// true <nil> [2 4 6] 1
	// 0
}
