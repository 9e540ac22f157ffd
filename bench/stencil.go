package bench

import (
	"context"
	"fmt"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/funcs"
)

// laplace5 is the 5-point Laplacian of a 2-d float64 block extended by a
// halo of one: out = up + down + left + right - 4*centre inside, 0 on
// the halo (trimmed off by MapOverlap).
func laplace5(_ context.Context, _ []byte, out funcs.Block, dst []float64, _ []funcs.Block, src [][]float64) error {
	if len(out.Shape) != 2 {
		return fmt.Errorf("laplace5: a %d-d block, want 2-d", len(out.Shape))
	}
	r, c := out.Shape[0], out.Shape[1]
	x := src[0]
	if r < 3 || c < 3 {
		clear(dst)
		return nil
	}
	clear(dst[:c])
	clear(dst[(r-1)*c:])
	for i := 1; i < r-1; i++ {
		row, o := x[i*c:(i+1)*c], dst[i*c:(i+1)*c]
		o[0], o[c-1] = 0, 0
		// equal-length views, so the loop runs without bounds checks
		oo := o[1 : c-1]
		n := len(oo)
		up, down := x[(i-1)*c+1:][:n], x[(i+1)*c+1:][:n]
		left, mid, right := row[:n], row[1:][:n], row[2:][:n]
		for j := range oo {
			oo[j] = up[j] + down[j] + left[j] + right[j] - 4*mid[j]
		}
	}
	return nil
}

func init() {
	funcs.MustRegisterBlockFunc("bench.laplace5", funcs.Typed(laplace5))
	Workloads = append(Workloads, &Workload{
		Name: "stencil", Direct: true, Persist: true,
		Expr:  "y = x.map_overlap(laplace5, depth=1, boundary='periodic'); (y*y).mean()",
		Sizes: map[Size]Dims{Tiny: {N: 300, Chunk: 70}, Small: {N: 4000, Chunk: 1000}, Medium: {N: 16000, Chunk: 2000}},
		Inputs: func(d Dims) []*array.Array {
			return []*array.Array{random([]int{d.N, d.N}, d.Chunk)}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array {
			y := array.MapOverlap("bench.laplace5", nil, in[0], []int{1}, []array.Boundary{{Mode: array.BoundaryPeriodic}})
			return []*array.Array{y.Mul(y).Mean()}
		},
		Value: scalar,
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			got := scalar(out)
			if direct {
				xv, err := c.Compute(ctx, random([]int{d.N, d.N}, d.Chunk))
				if err != nil {
					return err
				}
				v, n := xv[0].Float64s(), d.N
				at := func(i, j int) float64 { return v[((i+n)%n)*n+(j+n)%n] }
				s := 0.0
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						l := at(i-1, j) + at(i+1, j) + at(i, j-1) + at(i, j+1) - 4*at(i, j)
						s += l * l
					}
				}
				if err := rel("direct", got, s/sq(n), 1e-9); err != nil {
					return err
				}
			}
			// iid uniform inputs: E[(Lx)^2] = (1+1+1+1+16) Var(x) = 20/12
			return near("mean (Lx)^2", got, 20.0/12, 30/float64(d.N))
		},
		Bytes: func(d Dims) float64 { return 8 * sq(d.N) },
	})
}
