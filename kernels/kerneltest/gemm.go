package kerneltest

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// gemmDTypes are the dtypes graph.OpGemm is checked on.
var gemmDTypes = []graph.DType{graph.Float32, graph.Float64, graph.Int32, graph.Int64}

// checkGemm runs graph.OpGemm on random m×k @ k×n products (zero and one
// sized dimensions included, and some large enough to cross cache blocks)
// against the triple loop: float64 accumulation for floats, with a bound
// of (k+2)·eps·Σ|a||b| per element; wrapping int64 for integers, exact.
func checkGemm(t *testing.T, e *env) {
	dims := []int{0, 1, 1, 2, 3, 5, 8, 17, 33}
	for _, dt := range gemmDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			for trial := range e.trials + 2 {
				m, n, k := dims[e.rng.IntN(len(dims))], dims[e.rng.IntN(len(dims))], dims[e.rng.IntN(len(dims))]
				switch trial {
				case 0: // crosses blocks along k and n
					m, n, k = 3+e.rng.IntN(5), 260+e.rng.IntN(300), 130+e.rng.IntN(200)
				case 1:
					m, n, k = 64+e.rng.IntN(40), 64+e.rng.IntN(40), 64+e.rng.IntN(40)
				}
				e.gemmCase(t, dt, m, n, k, trial)
			}
		})
	}
}

func (e *env) gemmCase(t *testing.T, dt graph.DType, m, n, k, trial int) {
	t.Helper()
	a, b := newTensor(dt, []int{m, k}), newTensor(dt, []int{k, n})
	small := e.rng.IntN(2) == 0 // small integers, or the full range (wraps)
	for _, x := range []*tensor{a, b} {
		for i := range x.size() {
			switch {
			case dt.IsFloat():
				x.setF(i, 2*e.rng.Float64()-1)
			case small:
				x.setI(i, int64(e.rng.IntN(21)-10))
			default:
				_, v := e.randValue(dt)
				x.setI(i, v)
			}
		}
	}
	out := graph.Chunk{DType: dt, Shape: []int{m, n}}
	dst := e.alloc(t, out)
	what := fmt.Sprintf("trial %d: gemm %v[%d %d] @ [%d %d]", trial, dt, m, k, k, n)
	tk := task(graph.OpGemm, nil, 2, []graph.Chunk{out})
	err := e.launch(t, tk, []*device.Buffer{dst}, []*device.Buffer{e.put(t, a), e.put(t, b)}, []graph.Chunk{a.chunk(), b.chunk()})
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	got := load(dt, out.Shape, dst.Bytes())
	w := newTensor(dt, []int{1})
	bad := 0
	for i := range m {
		for j := range n {
			c := i*n + j
			if !dt.IsFloat() {
				var s int64
				for p := range k {
					s += a.i[i*k+p] * b.i[p*n+j]
				}
				w.setI(0, s)
				if got.i[c] != w.i[0] {
					if bad++; bad <= 5 {
						t.Errorf("%s: C[%d,%d] = %d, want %d", what, i, j, got.i[c], w.i[0])
					}
				}
				continue
			}
			var s, mag float64
			for p := range k {
				s += a.f[i*k+p] * b.f[p*n+j]
				mag += math.Abs(a.f[i*k+p] * b.f[p*n+j])
			}
			tol := float64(k+2)*eps(dt)*mag + math.SmallestNonzeroFloat64
			if !(math.Abs(got.f[c]-s) <= tol) {
				if bad++; bad <= 5 {
					t.Errorf("%s: C[%d,%d] = %v, want %v ± %.3g", what, i, j, got.f[c], s, tol)
				}
			}
		}
	}
}
