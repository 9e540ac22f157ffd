package array_test

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// refOrder is the stable order of lane (positions into r's flat data) by
// value, ascending with NaN greatest, or descending (NaN first); ties
// keep the lane's order. Written with sort.SliceStable, independently of
// the kernels' pair sort and merge.
func refOrder(r *ref, lane []int, desc bool) []int {
	perm := make([]int, len(lane))
	for q := range perm {
		perm[q] = q
	}
	key := func(q int) (float64, int64, bool) { // value, int value, is NaN
		k := lane[q]
		if isF(r.dt) {
			return r.f[k], 0, math.IsNaN(r.f[k])
		}
		return 0, r.i[k], false
	}
	less := func(a, b int) bool { // strictly ascending, NaN greatest
		fa, ia, na := key(a)
		fb, ib, nb := key(b)
		switch {
		case na || nb:
			return !na && nb
		case isF(r.dt):
			return fa < fb
		default:
			return ia < ib
		}
	}
	sort.SliceStable(perm, func(a, b int) bool {
		if desc {
			return less(perm[b], perm[a])
		}
		return less(perm[a], perm[b])
	})
	return perm
}

// lanesOf lists, for each lane along ax in C order of the other axes,
// the flat positions of its elements; outShape is r's shape with m
// along ax, and laneOut(l, q) the flat position of element q of lane l
// in an array of outShape.
func lanesOf(shape []int, ax, m int) (lanes [][]int, laneOut func(l, q int) int) {
	outer, inner := 1, 1
	for a := 0; a < ax; a++ {
		outer *= shape[a]
	}
	for a := ax + 1; a < len(shape); a++ {
		inner *= shape[a]
	}
	n := shape[ax]
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			lane := make([]int, n)
			for q := range lane {
				lane[q] = (o*n+q)*inner + i
			}
			lanes = append(lanes, lane)
		}
	}
	return lanes, func(l, q int) int {
		o, i := l/inner, l%inner
		return (o*m+q)*inner + i
	}
}

// refSort is Sort (values) or ArgSort (indices) along ax, keeping the
// first keep of each lane's order (keep = the axis for a sort).
func refSort(r *ref, ax, keep int, desc, arg bool) *ref {
	shape := slices.Clone(r.shape)
	shape[ax] = keep
	dt := r.dt
	if arg {
		dt = graph.Int64
	}
	out := newRef(shape, dt)
	lanes, at := lanesOf(r.shape, ax, keep)
	for l, lane := range lanes {
		perm := refOrder(r, lane, desc)
		for q := 0; q < keep; q++ {
			if arg {
				out.i[at(l, q)] = int64(perm[q])
			} else {
				out.copyFrom(at(l, q), r, lane[perm[q]])
			}
		}
	}
	return out
}

// sortCase is a random operand for the order statistics: sometimes a
// long axis cut into many small blocks (more than DefaultSplitEvery), so
// the merges and the top-k tree have depth.
func (v *env) sortCase() (operand, int) {
	shape := v.shape(1, 3)
	ax := v.r.IntN(len(shape))
	var ch chunks.Chunks
	if v.r.IntN(3) == 0 {
		shape[ax] = 10 + v.r.IntN(40)
		ch = v.chunks(shape)
		ch[ax] = nil
		for left := shape[ax]; left > 0; {
			c := min(left, 1+v.r.IntN(5))
			ch[ax] = append(ch[ax], c)
			left -= c
		}
	}
	x := v.operand(shape, v.dtype(), []valueKind{vSpecial, vSmall, vWide}[v.r.IntN(3)])
	if ch != nil {
		x.ch = ch
		x.a = arr(x.ref, ch)
	}
	return x, ax
}

func TestSort(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(25); c++ {
		x, ax := v.sortCase()
		axis := ax
		if v.r.IntN(2) == 0 {
			axis -= len(x.ref.shape)
		}
		desc := fmt.Sprintf("case %d: sort(%v, axis %d)", c, x, axis)
		res, err := v.compute([]*array.Array{x.a.Sort(axis), x.a.ArgSort(axis)})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		exact(t, desc, res[0], refSort(x.ref, ax, x.ref.shape[ax], false, false))
		exact(t, "arg"+desc, res[1], refSort(x.ref, ax, x.ref.shape[ax], false, true))
		if got := x.a.Sort(axis).Chunks(); !got.Equal(x.ch) {
			t.Errorf("%s: chunks %v, want the input's %v", desc, got, x.ch)
		}
		if t.Failed() {
			return
		}
	}
}

func TestTopK(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(25); c++ {
		x, ax := v.sortCase()
		n := x.ref.shape[ax]
		if n == 0 {
			continue
		}
		k := 1 + v.r.IntN(n)
		if v.r.IntN(2) == 0 {
			k = -k
		}
		axis := ax
		if v.r.IntN(2) == 0 {
			axis -= len(x.ref.shape)
		}
		desc := fmt.Sprintf("case %d: topk(%v, k %d, axis %d)", c, x, k, axis)
		res, err := v.compute([]*array.Array{x.a.TopK(k, axis), x.a.ArgTopK(k, axis)})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		kk := max(k, -k)
		exact(t, desc, res[0], refSort(x.ref, ax, kk, k > 0, false))
		exact(t, "arg"+desc, res[1], refSort(x.ref, ax, kk, k > 0, true))
		if t.Failed() {
			return
		}
	}
}

// TestSortLongAxis sorts lanes of hundreds of elements in many blocks,
// with heavy ties, through the distributed path.
func TestSortLongAxis(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(2); c++ {
		n := 200 + v.r.IntN(300)
		shape := []int{n, 1 + v.r.IntN(3)}
		x := v.operand(shape, v.dtype(graph.Float64, graph.Int32), vSpecial)
		var ch []int
		for left := n; left > 0; {
			s := min(left, 1+v.r.IntN(60))
			ch = append(ch, s)
			left -= s
		}
		x.ch = chunks.Chunks{ch, {shape[1]}}
		x.a = arr(x.ref, x.ch)
		desc := fmt.Sprintf("case %d: %v%v chunks %v", c, x.ref.dt, shape, x.ch)
		res, err := v.compute([]*array.Array{x.a.Sort(0), x.a.ArgSort(0), x.a.TopK(17, 0), x.a.ArgTopK(-17, 0)})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		exact(t, desc+" sort", res[0], refSort(x.ref, 0, n, false, false))
		exact(t, desc+" argsort", res[1], refSort(x.ref, 0, n, false, true))
		exact(t, desc+" topk", res[2], refSort(x.ref, 0, 17, true, false))
		exact(t, desc+" argtopk", res[3], refSort(x.ref, 0, 17, false, true))
	}
}

func TestSortErrors(t *testing.T) {
	v := newEnv(t)
	x := array.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3}, array.Chunked(1, 2))
	for _, tc := range []struct {
		desc  string
		a     *array.Array
		parts []string
	}{
		{"sort axis 2", x.Sort(2), []string{"sort", "axis 2", "(2, 3)"}},
		{"argsort axis -3", x.ArgSort(-3), []string{"argsort", "axis -3"}},
		{"sort 0-d", array.FromSlice([]float64{1}, []int{}).Sort(-1), []string{"sort", "dimension 0"}},
		{"topk 0", x.TopK(0, 1), []string{"topk", "k=0"}},
		{"topk too many", x.TopK(4, 1), []string{"topk", "k=4", "length 3"}},
		{"argtopk too many", x.ArgTopK(-3, 0), []string{"argtopk", "k=-3", "length 2"}},
		{"topk axis", x.TopK(1, 5), []string{"topk", "axis 5"}},
	} {
		wantErr(t, tc.desc, tc.a.Err(), tc.parts...)
		if _, err := v.compute([]*array.Array{tc.a}); err == nil {
			t.Errorf("%s: compute succeeded", tc.desc)
		}
	}
}
