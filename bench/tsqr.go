package bench

import (
	"context"
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/array"
)

// tsqr is the QR of a tall-and-skinny random matrix (N × Cols, row
// chunks of Chunk): Dask's tsqr, NumPy's linalg.qr. Q is reduced, not
// gathered, so the run measures the factorization: sum|R|, sum R² and
// the squared norm of each column of Q. R is unique up to the signs of
// its rows, which |R| and R² do not see, so every engine gives the same
// values.
func init() {
	Workloads = append(Workloads, &Workload{
		Name: "tsqr", Direct: true, Persist: true,
		Expr: "q, r = qr(x); abs(r).sum(), (r*r).sum(), (q*q).sum(axis=0)",
		Sizes: map[Size]Dims{
			Tiny:   {N: 3000, Cols: 20, Chunk: 250},
			Small:  {N: 200_000, Cols: 100, Chunk: 20_000},
			Medium: {N: 2_000_000, Cols: 100, Chunk: 100_000},
		},
		Inputs: func(d Dims) []*array.Array {
			return []*array.Array{random([]int{d.N, d.Cols}, d.Chunk, d.Cols)}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array {
			q, r := array.QR(in[0])
			return []*array.Array{r.Abs().Sum(), r.Mul(r).Sum(), q.Mul(q).Sum(0)}
		},
		Value: scalar,
		Check: checkTSQR,
		// the QR of the whole matrix, Q formed: dgeqrf's and dorgqr's
		// 2mn² - 2n³/3 each
		Flops: func(d Dims) float64 {
			m, n := float64(d.N), float64(d.Cols)
			return 4*m*n*n - 4*n*n*n/3
		},
	})
}

// checkTSQR: R's squared Frobenius norm is x's (RᵀR = xᵀx), every column
// of Q has norm 1, and directly R equals the Cholesky factor of xᵀx
// (loops), the one R with a positive diagonal, up to the signs of its
// rows.
func checkTSQR(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
	absR, _ := out[0].Scalar()
	r2, _ := out[1].Scalar()
	x := random([]int{d.N, d.Cols}, d.Chunk, d.Cols)
	v, err := c.Compute(ctx, x.Mul(x).Sum())
	if err != nil {
		return err
	}
	x2, _ := v[0].Scalar()
	if err := rel("sum R² vs sum x²", r2, x2, 1e-9); err != nil {
		return err
	}
	for j, s := range out[2].Float64s() {
		if err := near(fmt.Sprintf("|Q[:, %d]|²", j), s, 1, 1e-9); err != nil {
			return err
		}
	}
	if direct {
		xv, err := c.Compute(ctx, x)
		if err != nil {
			return err
		}
		a, m, n := xv[0].Float64s(), d.N, d.Cols
		g := make([]float64, n*n) // xᵀx
		for i := 0; i < m; i++ {
			row := a[i*n : (i+1)*n]
			for p, vp := range row {
				for q := p; q < n; q++ {
					g[p*n+q] += vp * row[q]
				}
			}
		}
		// g = Rᵀ R, R upper (Cholesky, row by row)
		var want float64
		r := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				s := g[i*n+j]
				for k := 0; k < i; k++ {
					s -= r[k*n+i] * r[k*n+j]
				}
				if i == j {
					if s <= 0 {
						return fmt.Errorf("xᵀx is not positive definite at %d", i)
					}
					r[i*n+i] = math.Sqrt(s)
				} else {
					r[i*n+j] = s / r[i*n+i]
				}
				want += math.Abs(r[i*n+j])
			}
		}
		if err := rel("sum|R| vs the Cholesky factor of xᵀx", absR, want, 1e-9); err != nil {
			return err
		}
	}
	// E[sum x²] = m n / 3 for U(0, 1)
	return rel("sum x² vs its expectation mn/3", x2, float64(d.N)*float64(d.Cols)/3, 0.01)
}
