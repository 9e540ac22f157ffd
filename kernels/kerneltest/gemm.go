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

// checkGemm runs graph.OpGemm on random sums of products A_0 @ B_0 + A_1
// @ B_1 + ... (inputs A_0, B_0, A_1, B_1, ...) of m×k_q @ k_q×n pairs:
// one pair or several (up to 9, beyond the 8 lowering groups), zero and
// one sized dimensions included, uneven k_q (some 0), and some products
// large enough to cross cache blocks. The reference is the triple loop
// over every pair: float64 accumulation for floats, with a bound of
// (Σk_q+2P+2)·eps·Σ|a||b| per element; wrapping int64 for integers, exact.
// The output is sometimes given as (m, n, 1), the partial product of a
// blocked matmul.
func checkGemm(t *testing.T, e *env) {
	dims := []int{0, 1, 1, 2, 3, 5, 8, 17, 33}
	dim := func() int { return dims[e.rng.IntN(len(dims))] }
	for _, dt := range gemmDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			for trial := range 2 * (e.trials + 2) {
				m, n := dim(), dim()
				var ks []int
				switch trial {
				case 0: // crosses blocks along k and n
					m, n = 3+e.rng.IntN(5), 260+e.rng.IntN(300)
					ks = []int{130 + e.rng.IntN(200)}
				case 1:
					m, n = 64+e.rng.IntN(40), 64+e.rng.IntN(40)
					ks = []int{64 + e.rng.IntN(40)}
				case 2: // several pairs, each crossing blocks
					m, n = 3+e.rng.IntN(30), 260+e.rng.IntN(100)
					ks = []int{130 + e.rng.IntN(100), 1 + e.rng.IntN(140), 130 + e.rng.IntN(100)}
				default:
					ks = make([]int, 1+e.rng.IntN(9))
					for q := range ks {
						ks[q] = dim()
					}
				}
				e.gemmCase(t, dt, m, n, ks, trial)
			}
		})
	}
}

func (e *env) gemmCase(t *testing.T, dt graph.DType, m, n int, ks []int, trial int) {
	t.Helper()
	small := e.rng.IntN(2) == 0 // small integers, or the full range (wraps)
	var as, bs []*tensor
	var src []*device.Buffer
	var meta []graph.Chunk
	ktot := 0
	for _, k := range ks {
		a, b := newTensor(dt, []int{m, k}), newTensor(dt, []int{k, n})
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
			src = append(src, e.put(t, x))
			meta = append(meta, x.chunk())
		}
		as, bs = append(as, a), append(bs, b)
		ktot += k
	}
	out := graph.Chunk{DType: dt, Shape: []int{m, n}}
	if e.rng.IntN(3) == 0 {
		out.Shape = append(out.Shape, 1)
	}
	dst := e.alloc(t, out)
	what := fmt.Sprintf("trial %d: gemm %v, %d pairs [%d k] @ [k %d] -> %v, k = %v", trial, dt, len(ks), m, n, out.Shape, ks)
	tk := task(graph.OpGemm, nil, len(src), []graph.Chunk{out})
	if err := e.launch(t, tk, []*device.Buffer{dst}, src, meta); err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	got := load(dt, []int{m, n}, dst.Bytes())
	w := newTensor(dt, []int{1})
	bad := 0
	for i := range m {
		for j := range n {
			c := i*n + j
			if !dt.IsFloat() {
				var s int64
				for q, k := range ks {
					for p := range k {
						s += as[q].i[i*k+p] * bs[q].i[p*n+j]
					}
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
			for q, k := range ks {
				for p := range k {
					v := as[q].f[i*k+p] * bs[q].f[p*n+j]
					s += v
					mag += math.Abs(v)
				}
			}
			tol := float64(ktot+2*len(ks)+2)*eps(dt)*mag + math.SmallestNonzeroFloat64
			if !(math.Abs(got.f[c]-s) <= tol) {
				if bad++; bad <= 5 {
					t.Errorf("%s: C[%d,%d] = %v, want %v ± %.3g", what, i, j, got.f[c], s, tol)
				}
			}
		}
	}
}
