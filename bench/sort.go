package bench

import (
	"context"
	"fmt"

	"github.com/blockwork-dev/blockwork/array"
)

func init() {
	Workloads = append(Workloads, &Workload{
		Name:  "sort",
		Expr:  "sort(x) along its one chunked axis, x uniform; checked: sorted[1:] >= sorted[:-1] and sum(sorted) = sum(x)",
		Note:  "Dask has no sort (only topk): the peer is NumPy's np.sort (kind=stable) on the whole array",
		Sizes: map[Size]Dims{Tiny: {N: 10_000, Chunk: 1_500}, Small: {N: 20_000_000, Chunk: 2_000_000}, Medium: {N: 200_000_000, Chunk: 10_000_000}},
		Inputs: func(d Dims) []*array.Array {
			return []*array.Array{random([]int{d.N}, d.Chunk)}
		},
		// the outputs: the sum of the sorted array, the sum of the input
		// and sortedness, all in one graph (the sorted array itself is
		// not brought back: the check needs only these)
		Outputs: func(d Dims, in []*array.Array) []*array.Array {
			s := in[0].Sort(0)
			ok := s.Slice(array.Sl(1, array.None, 1)).Ge(s.Slice(array.Sl(0, -1, 1))).All()
			return []*array.Array{s.Sum(), in[0].Sum(), ok}
		},
		Value: scalar,
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			if !out[2].Bools()[0] {
				return fmt.Errorf("the result is not sorted")
			}
			a, _ := out[0].Scalar()
			b, _ := out[1].Scalar()
			if err := rel("sum of the sorted array vs the input's", a, b, 1e-9); err != nil {
				return err
			}
			return uniformSum("sum", a, float64(d.N))
		},
		Bytes: func(d Dims) float64 { return 8 * float64(d.N) },
	})
}
