package bench_test

import (
	"context"
	"fmt"

	"github.com/blockwork-dev/blockwork/bench"
)

// The demo workload at a small size, on the embedded executor.
func Example() {
	r, err := bench.Demo(bench.DemoInput(500, 128)).Compute(context.Background())
	if err != nil {
		panic(err)
	}
	v, _ := r.Scalar()
	// x + x.T has variance 2/12 for uniform x: std about 0.408
	fmt.Printf("%.2f %s\n", v, bench.FormatBytes(3<<30))
	// Output: 0.41 3.00 GiB
}
