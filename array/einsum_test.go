package array_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// refEinsum is the Einstein sum by loops over every assignment of the
// labels (explicit subscripts of letters, no "..."): out[o] = Σ over the
// other labels of the product of the operands, in float64 (bool: any of
// the products; the caller rounds to the dtype).
func refEinsum(subs string, ops []*ref, size map[rune]int) *ref {
	lhs, rhs, _ := strings.Cut(subs, "->")
	parts := strings.Split(lhs, ",")
	var all []rune
	for _, p := range parts {
		for _, l := range p {
			if !slices.Contains(all, l) {
				all = append(all, l)
			}
		}
	}
	out := []rune(rhs)
	oshape := make([]int, len(out))
	for i, l := range out {
		oshape[i] = size[l]
	}
	o := newRef(oshape, graph.Float64)
	val := map[rune]int{}
	var rec func(i int)
	rec = func(i int) {
		if i == len(all) {
			prod := 1.0
			for k, p := range parts {
				idx := 0
				for a, l := range p {
					n := ops[k].shape[a]
					v := val[l]
					if n == 1 {
						v = 0 // broadcast
					}
					idx = idx*n + v
				}
				prod *= ops[k].fl(idx)
			}
			oi := 0
			for a, l := range out {
				oi = oi*oshape[a] + val[l]
			}
			o.f[oi] += prod
			return
		}
		for v := 0; v < size[all[i]]; v++ {
			val[all[i]] = v
			rec(i + 1)
		}
	}
	rec(0)
	return o
}

// TestEinsum: NumPy's einsum patterns (products, diagonals, traces,
// transposes, batched and three-operand contractions, length-1
// broadcasting, implicit outputs) on random lengths, chunkings and
// dtypes against the loops; "..." against the same subscripts spelled
// out; bad subscripts are errors.
func TestEinsum(t *testing.T) {
	v := newEnv(t)
	pats := []string{"ij,jk->ik", "ij,jk", "ii->i", "ii", "ij->ji", "ij->", "i,i", "i,j->ij", "bij,bjk->bik",
		"ijk,ikl->jl", "ij,ij->ij", "ij,ji->", "ba", "abc,cd,de->abe", "i,i,i->", "aab,bc->ac", "ijk->kij", "ij,kj->ikj", "Ab,bA"}
	for c := 0; c < cases(3); c++ {
		for _, pat := range pats {
			size := map[rune]int{}
			for _, l := range strings.ReplaceAll(strings.ReplaceAll(pat, ",", ""), "->", "") {
				if _, ok := size[l]; !ok {
					size[l] = 1 + v.r.IntN(4)
					if v.r.IntN(12) == 0 {
						size[l] = 0
					}
				}
			}
			lhs, _, explicit := strings.Cut(pat, "->")
			parts := strings.Split(lhs, ",")
			full := pat
			if !explicit {
				counts := map[rune]int{}
				for _, l := range lhs {
					counts[l]++
				}
				var once []rune
				for l, n := range counts {
					if n == 1 && l != ',' {
						once = append(once, l)
					}
				}
				slices.Sort(once)
				full = pat + "->" + string(once)
			}
			// each operand of its own dtype (the result is their result
			// type, computed in it as NumPy does)
			var ops []*array.Array
			var refs []*ref
			var descs []string
			for _, p := range parts {
				shape := make([]int, 0, len(p))
				ones := map[rune]bool{} // labels of length 1 here (broadcast)
				for _, l := range p {
					if _, ok := ones[l]; !ok {
						ones[l] = v.r.IntN(6) == 0
					}
					n := size[l]
					if ones[l] {
						n = 1
					}
					shape = append(shape, n)
				}
				r := v.values(shape, v.dtype(graph.Float64, graph.Float32, graph.Int64, graph.Int32, graph.Int64), vSmall)
				ch := v.chunks(shape)
				ops = append(ops, arr(r, ch))
				refs = append(refs, r)
				descs = append(descs, fmt.Sprintf("%v %v", shape, ch))
			}
			// a label's length: any other than 1 (the 1s broadcast)
			clear(size)
			for k, p := range parts {
				for a, l := range p {
					if s, ok := size[l]; !ok || s == 1 {
						size[l] = refs[k].shape[a]
					}
				}
			}
			dt, err := array.ResultType(ops...)
			if err != nil {
				t.Fatal(err)
			}
			desc := fmt.Sprintf("case %d: einsum(%q, %v) into %v", c, pat, descs, dt)
			want := refEinsum(full, refs, size)
			if dt == graph.Float32 {
				w := newRef(want.shape, dt)
				for k, f := range want.f {
					w.setF(k, f)
				}
				want = w
			}
			if dt.IsInt() {
				w := newRef(want.shape, dt)
				for k, f := range want.f {
					w.setI(k, int64(f))
				}
				want = w
			}
			got := v.one(desc, array.Einsum(pat, ops...))
			scale := make([]float64, want.n())
			for k := range scale {
				scale[k] = max(1, math.Abs(want.fl(k)))
			}
			near(t, desc, got, want, scale, relTol(dt, 8))
			if t.Failed() {
				return
			}
		}
	}
	// "..." against the loops of the same subscripts spelled out
	r := v.values([]int{2, 3, 4, 5}, graph.Float64, vSmall)
	q := v.values([]int{3, 5, 2}, graph.Float64, vSmall)
	sq := v.values([]int{2, 4, 4}, graph.Float64, vSmall)
	e := v.values([]int{0, 3}, graph.Float64, vSmall)
	o := v.values([]int{1, 3}, graph.Float64, vSmall)
	for _, c := range []struct {
		subs, full string
		ops        []*ref
	}{
		{"...ij,...jk->...ik", "abij,bjk->abik", []*ref{r, q}},
		{"...ij,...jk", "abij,bjk->abik", []*ref{r, q}},
		{"i...->...", "iabc->abc", []*ref{r}},
		{"...jj->...j", "ajj->aj", []*ref{sq}},
		{"...i,...i->...", "ai,ai->a", []*ref{e, o}}, // length 0 against 1
	} {
		var ops []*array.Array
		size := map[rune]int{}
		lhs, _, _ := strings.Cut(c.full, "->")
		for k, x := range c.ops {
			ops = append(ops, arr(x, v.chunks(x.shape)))
			for a, l := range strings.Split(lhs, ",")[k] {
				if s, ok := size[l]; !ok || s == 1 {
					size[l] = x.shape[a]
				}
			}
		}
		got := v.one(c.subs, array.Einsum(c.subs, ops...))
		near(t, c.subs, got, refEinsum(c.full, c.ops, size), nil, 1e-12)
	}
	z := array.Ones([]int{3, 3}, graph.Float64)
	wantErr(t, "operand count", array.Einsum("ij,jk->ik", z).Err(), "einsum", "2 operands")
	wantErr(t, "axis count", array.Einsum("ijk->i", z).Err(), "einsum", "2 axes")
	wantErr(t, "length mismatch", array.Einsum("ij,jk->ik", z, array.Ones([]int{4, 2}, graph.Float64)).Err(), "einsum", "length")
	wantErr(t, "unknown output label", array.Einsum("ij->k", z).Err(), "einsum", "not in any operand")
	wantErr(t, "repeated output label", array.Einsum("ij->ii", z).Err(), "einsum", "repeated")
	wantErr(t, "not a letter", array.Einsum("i1->i", z).Err(), "einsum", "not a letter")
	wantErr(t, "ellipsis dropped", array.Einsum("...i->i", array.Ones([]int{2, 3}, graph.Float64)).Err(), "einsum", "broadcast")
	wantErr(t, "diagonal of unequal axes", array.Einsum("ii->i", array.Ones([]int{3, 1}, graph.Float64)).Err(), "einsum", "repeated")
}
