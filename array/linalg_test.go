package array_test

import (
	"fmt"

	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// TestMatMulKGroups: products whose contraction axis has 1, 8 (one gemm
// task per output block, no tree), 9, 16, 17, 20 or a random number of
// blocks (gemm tasks over groups of at most 8 blocks, summed by the
// tree), with uneven blocks, the k blocks of B sometimes coarser than A's
// (rechunked to the common ones), and every dtype pair, against a float64
// (or wrapping int64) reference. It also counts the gemm tasks and their
// inputs and the combine tasks in the graph.
func TestMatMulKGroups(t *testing.T) {
	v := newEnv(t)
	kbs := []int{1, 8, 9, 16, 17, 20}
	for c := 0; c < cases(12); c++ {
		kb := 1 + v.r.IntN(40)
		if c < 2*len(kbs) {
			kb = kbs[c%len(kbs)]
		}
		kc := make([]int, kb)
		k := 0
		for l := range kc {
			kc[l] = 1 + v.r.IntN(3)
			k += kc[l]
		}
		// B's k blocks: A's, or pairs of them merged (the refinement is
		// still A's)
		bkc := kc
		if v.r.IntN(3) == 0 {
			bkc = nil
			for l := 0; l < kb; l += 2 {
				s := kc[l]
				if l+1 < kb {
					s += kc[l+1]
				}
				bkc = append(bkc, s)
			}
		}
		m, n := 1+v.r.IntN(6), 1+v.r.IntN(6)
		mc, nc := v.axisChunks(m), v.axisChunks(n)
		dx, dy := v.dtype(), v.dtype()
		xr, yr := v.values([]int{m, k}, dx, vSmall), v.values([]int{k, n}, dy, vSmall)
		x, y := arr(xr, chunks.Chunks{mc, kc}), arr(yr, chunks.Chunks{bkc, nc})
		desc := fmt.Sprintf("case %d: matmul(%v%v chunks %v, %v%v chunks %v), %d k blocks",
			c, dx, xr.shape, [][]int{mc, kc}, dy, yr.shape, [][]int{bkc, nc}, kb)
		z := x.MatMul(y)
		if err := z.Err(); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		checkGemmTasks(t, desc, z, len(mc)*len(nc), kb)
		want := refMatMul(xr, yr)
		scale := make([]float64, want.n())
		for i := range m {
			for j := range n {
				for l := range k {
					scale[i*n+j] += abs(xr.fl(i*k+l) * yr.fl(l*n+j))
				}
			}
		}
		near(t, desc, v.one(desc, z), want, scale, relTol(want.dt, k))
		if t.Failed() {
			return
		}
	}
}

// checkGemmTasks checks z's graph: blocks × ⌈kb/8⌉ gemm tasks, each of
// an even number of inputs (2 to 16, the group sizes differing by at most
// one block), all kb blocks summed once per output block, and no combine
// task when kb <= 8.
func checkGemmTasks(t *testing.T, desc string, z *array.Array, blocks, kb int) {
	t.Helper()
	g, _, err := array.Graph([]*array.Array{z})
	if err != nil {
		t.Fatalf("%s: graph: %v", desc, err)
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("%s: graph: %v", desc, err)
	}
	groups := (kb + array.DefaultSplitEvery - 1) / array.DefaultSplitEvery
	gemms, combines, pairs := 0, 0, 0
	minIn, maxIn := 1<<30, 0
	for _, tk := range g.Tasks {
		switch tk.Op.Name {
		case graph.OpGemm:
			gemms++
			in := len(tk.Inputs)
			if in%2 != 0 {
				t.Errorf("%s: gemm task with %d inputs", desc, in)
			}
			pairs += in / 2
			minIn, maxIn = min(minIn, in), max(maxIn, in)
		case graph.OpCombine:
			combines++
		}
	}
	if gemms != blocks*groups || pairs != blocks*kb {
		t.Errorf("%s: %d gemm tasks of %d products in all, want %d of %d", desc, gemms, pairs, blocks*groups, blocks*kb)
	}
	if gemms > 0 && (maxIn > 2*array.DefaultSplitEvery || maxIn-minIn > 2) {
		t.Errorf("%s: gemm tasks have %d to %d inputs", desc, minIn, maxIn)
	}
	if groups == 1 && combines != 0 {
		t.Errorf("%s: %d combine tasks with one group of k blocks", desc, combines)
	}
}
