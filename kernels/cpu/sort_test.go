package cpu

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// sortTestValue draws from a small set with heavy ties, NaN, ±Inf, -0.
func sortTestValue(r *rand.Rand) float64 {
	switch r.IntN(10) {
	case 0:
		return math.NaN()
	case 1:
		return []float64{math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0}[r.IntN(4)]
	}
	return float64(r.IntN(9) - 4)
}

// refLaneOrder is the stable order of vals (ascending, NaN last; or
// descending, NaN first) by sort.SliceStable.
func refLaneOrder(vals []float64, desc bool) []int {
	perm := make([]int, len(vals))
	for i := range perm {
		perm[i] = i
	}
	less := func(a, b float64) bool { return a < b || !math.IsNaN(a) && math.IsNaN(b) }
	sort.SliceStable(perm, func(i, j int) bool {
		a, b := vals[perm[i]], vals[perm[j]]
		if desc {
			return less(b, a)
		}
		return less(a, b)
	})
	return perm
}

// TestSortBlockRandom checks sort_block (full sorts and top-k partials,
// every output selection, float64 and int32) against refLaneOrder on
// random shapes and axes.
func TestSortBlockRandom(t *testing.T) {
	r := seededRand(t, 11)
	dev := device.NewHost()
	for c := 0; c < 300; c++ {
		nd := 1 + r.IntN(3)
		shape := make([]int, nd)
		for a := range shape {
			shape[a] = r.IntN(6)
		}
		ax := r.IntN(nd)
		if r.IntN(4) == 0 {
			shape[ax] = 20 + r.IntN(50)
		}
		dt := []graph.DType{graph.Float64, graph.Int32}[r.IntN(2)]
		in := graph.Chunk{DType: dt, Shape: shape}
		src := assembleAlloc(t, dev, in)
		vals := make([]float64, in.Size())
		for k := range vals {
			vals[k] = sortTestValue(r)
			if dt == graph.Int32 {
				if math.IsNaN(vals[k]) || math.IsInf(vals[k], 0) {
					vals[k] = 7
				}
				vals[k] += 0 // -0 becomes 0 as an int
				device.View[int32](src)[k] = int32(vals[k])
				vals[k] = float64(int32(vals[k]))
			} else {
				device.View[float64](src)[k] = vals[k]
			}
		}
		keep := shape[ax]
		if r.IntN(2) == 0 && keep > 0 {
			keep = r.IntN(keep + 1)
		}
		p := &graph.SortParams{Axis: ax, Desc: r.IntN(2) == 0, Out: graph.SortOutputs(1 + r.IntN(3)), Base: int64(r.IntN(100))}
		oshape := slices.Clone(shape)
		oshape[ax] = keep
		var outs []graph.Chunk
		if p.Out&graph.SortValues != 0 {
			outs = append(outs, graph.Chunk{DType: dt, Shape: oshape})
		}
		if p.Out&graph.SortIndices != 0 {
			outs = append(outs, graph.Chunk{DType: graph.Int64, Shape: oshape})
		}
		dst := make([]*device.Buffer, len(outs))
		for i, o := range outs {
			dst[i] = assembleAlloc(t, dev, o)
		}
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpSortBlock, Params: p}, Outputs: outs},
			Dst: dst, Src: []*device.Buffer{src}, SrcMeta: []graph.Chunk{in}}
		if err := (sortBlockKernel{}).Run(l); err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		outer, n, inner, _ := laneGeometry("", shape, ax)
		for o := 0; o < outer; o++ {
			for i := 0; i < inner; i++ {
				lane := make([]float64, n)
				for q := range lane {
					lane[q] = vals[(o*n+q)*inner+i]
				}
				perm := refLaneOrder(lane, p.Desc)
				for q := 0; q < keep; q++ {
					at := (o*keep+q)*inner + i
					d := 0
					if p.Out&graph.SortValues != 0 {
						var got float64
						if dt == graph.Int32 {
							got = float64(device.View[int32](dst[0])[at])
						} else {
							got = device.View[float64](dst[0])[at]
						}
						if w := lane[perm[q]]; math.Float64bits(got) != math.Float64bits(w) && !(math.IsNaN(got) && math.IsNaN(w)) {
							t.Fatalf("case %d: %v%v axis %d keep %d %+v: lane (%d,%d) value %d = %v, want %v (lane %v)", c, dt, shape, ax, keep, *p, o, i, q, got, w, lane)
						}
						d = 1
					}
					if p.Out&graph.SortIndices != 0 {
						if got, w := device.View[int64](dst[d])[at], p.Base+int64(perm[q]); got != w {
							t.Fatalf("case %d: %v%v axis %d keep %d %+v: lane (%d,%d) index %d = %d, want %d (lane %v)", c, dt, shape, ax, keep, *p, o, i, q, got, w, lane)
						}
					}
				}
			}
		}
	}
}

// TestSortMergeRandom cuts random lanes into blocks, sorts each block by
// the reference, and checks that sort_merge of the blocks gives ranks
// [Lo, Lo+L) of the whole lane's stable order, values and indices.
func TestSortMergeRandom(t *testing.T) {
	r := seededRand(t, 12)
	dev := device.NewHost()
	for c := 0; c < 300; c++ {
		other := r.IntN(3)
		ax := r.IntN(2)
		m := r.IntN(5)
		ns := make([]int, m)
		total := 0
		for j := range ns {
			ns[j] = r.IntN(8)
			if r.IntN(5) == 0 {
				ns[j] = 30
			}
			total += ns[j]
		}
		desc := r.IntN(2) == 0
		shapeOf := func(n int) []int {
			if ax == 0 {
				return []int{n, other}
			}
			return []int{other, n}
		}
		// whole lanes (one per position of the other axis) and their blocks
		whole := make([][]float64, other)
		for i := range whole {
			for range total {
				whole[i] = append(whole[i], sortTestValue(r))
			}
		}
		var srcs []*device.Buffer
		var metas []graph.Chunk
		start := 0
		for _, n := range ns {
			vm := graph.Chunk{DType: graph.Float64, Shape: shapeOf(n)}
			im := graph.Chunk{DType: graph.Int64, Shape: shapeOf(n)}
			vb, ib := assembleAlloc(t, dev, vm), assembleAlloc(t, dev, im)
			for i := 0; i < other; i++ {
				blk := whole[i][start : start+n]
				perm := refLaneOrder(blk, desc)
				for q, pq := range perm {
					at := q*other + i
					if ax == 1 {
						at = i*n + q
					}
					device.View[float64](vb)[at] = blk[pq]
					device.View[int64](ib)[at] = int64(start + pq)
				}
			}
			srcs = append(srcs, vb, ib)
			metas = append(metas, vm, im)
			start += n
		}
		lo := r.IntN(total + 1)
		L := r.IntN(total - lo + 1)
		p := &graph.SortParams{Axis: ax, Desc: desc, Out: graph.SortValues | graph.SortIndices, Lo: int64(lo), Indexed: true}
		outs := []graph.Chunk{{DType: graph.Float64, Shape: shapeOf(L)}, {DType: graph.Int64, Shape: shapeOf(L)}}
		dst := []*device.Buffer{assembleAlloc(t, dev, outs[0]), assembleAlloc(t, dev, outs[1])}
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpSortMerge, Params: p}, Outputs: outs},
			Dst: dst, Src: srcs, SrcMeta: metas}
		if err := (sortMergeKernel{}).Run(l); err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		for i := 0; i < other; i++ {
			perm := refLaneOrder(whole[i], desc)
			for q := 0; q < L; q++ {
				at := q*other + i
				if ax == 1 {
					at = i*L + q
				}
				gv, gi := device.View[float64](dst[0])[at], device.View[int64](dst[1])[at]
				wi := int64(perm[lo+q])
				wv := whole[i][wi]
				if gi != wi || math.Float64bits(gv) != math.Float64bits(wv) && !(math.IsNaN(gv) && math.IsNaN(wv)) {
					t.Fatalf("case %d: blocks %v desc %v ranks [%d,%d) axis %d lane %d: rank %d is %v@%d, want %v@%d", c, ns, desc, lo, lo+L, ax, i, lo+q, gv, gi, wv, wi)
				}
			}
		}
	}
}

// TestQuantileKernel checks the quantile kernel against a direct
// computation on a 2×3×4 input reduced over axes {0, 2}.
func TestQuantileKernel(t *testing.T) {
	dev := device.NewHost()
	in := graph.Chunk{DType: graph.Int32, Shape: []int{2, 3, 4}}
	src := assembleAlloc(t, dev, in)
	v := device.View[int32](src)
	for k := range v {
		v[k] = int32((k * 7) % 11)
	}
	q := []float64{0, 0.3, 0.5, 1}
	out := graph.Chunk{DType: graph.Float64, Shape: []int{len(q), 3}}
	dst := assembleAlloc(t, dev, out)
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpQuantile, Params: &graph.QuantileParams{Axes: []int{0, 2}, Q: q}}, Outputs: []graph.Chunk{out}},
		Dst: []*device.Buffer{dst}, Src: []*device.Buffer{src}, SrcMeta: []graph.Chunk{in}}
	if err := (quantileKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	for j := 0; j < 3; j++ {
		var s []float64
		for a := 0; a < 2; a++ {
			for c := 0; c < 4; c++ {
				s = append(s, float64(v[(a*3+j)*4+c]))
			}
		}
		slices.Sort(s)
		for qi, qv := range q {
			pos := qv * float64(len(s)-1)
			lo := int(math.Floor(pos))
			hi := min(lo+1, len(s)-1)
			want := s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
			if got := device.View[float64](dst)[qi*3+j]; math.Abs(got-want) > 1e-12 {
				t.Errorf("column %d q %v: got %v, want %v (values %v)", j, qv, got, want, s)
			}
		}
	}
	// a q outside [0, 1] and a mismatched output shape are errors
	l.Task.Op.Params = &graph.QuantileParams{Axes: []int{0, 2}, Q: []float64{0, 0.3, 0.5, 1.5}}
	if err := (quantileKernel{}).Run(l); err == nil || !strings.Contains(err.Error(), "outside [0, 1]") {
		t.Errorf("q 1.5: %v", err)
	}
	l.Task.Op.Params = &graph.QuantileParams{Axes: []int{0}, Q: q}
	if err := (quantileKernel{}).Run(l); err == nil || !strings.Contains(err.Error(), "want shape") {
		t.Errorf("axes {0}: %v", err)
	}
}

// TestSortKernelErrors: bad params and mismatched buffers are errors,
// not panics.
func TestSortKernelErrors(t *testing.T) {
	dev := device.NewHost()
	in := graph.Chunk{DType: graph.Float64, Shape: []int{4}}
	src := assembleAlloc(t, dev, in)
	for _, tc := range []struct {
		name string
		k    kernels.Kernel
		p    any
		outs []graph.Chunk
		want string
	}{
		{"block params", sortBlockKernel{}, &graph.TakeParams{}, []graph.Chunk{in}, "want *graph.SortParams"},
		{"block axis", sortBlockKernel{}, &graph.SortParams{Axis: 1, Out: graph.SortValues}, []graph.Chunk{in}, "axis 1"},
		{"block keep", sortBlockKernel{}, &graph.SortParams{Out: graph.SortValues}, []graph.Chunk{{DType: graph.Float64, Shape: []int{5}}}, "output"},
		{"block dtype", sortBlockKernel{}, &graph.SortParams{Out: graph.SortIndices}, []graph.Chunk{in}, "want int64"},
		{"block none", sortBlockKernel{}, &graph.SortParams{}, []graph.Chunk{in}, "selection"},
		{"merge ranks", sortMergeKernel{}, &graph.SortParams{Lo: 1, Out: graph.SortValues}, []graph.Chunk{in}, "ranks [1, 5)"},
		{"merge indices", sortMergeKernel{}, &graph.SortParams{Out: graph.SortIndices}, []graph.Chunk{{DType: graph.Int64, Shape: []int{4}}}, "indices wanted"},
	} {
		dst := make([]*device.Buffer, len(tc.outs))
		for i, o := range tc.outs {
			dst[i] = assembleAlloc(t, dev, o)
		}
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Params: tc.p}, Outputs: tc.outs}, Dst: dst, Src: []*device.Buffer{src}, SrcMeta: []graph.Chunk{in}}
		if err := tc.k.Run(l); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}
