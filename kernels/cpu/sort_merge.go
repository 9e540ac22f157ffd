package cpu

import (
	"fmt"
	"sort"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// sortMergeKernel runs graph.OpSortMerge: its m inputs hold lanes along
// Axis already in the order of SortParams (each input a values buffer,
// or with Indexed values and int64 indices); the merged order of a lane
// takes equal values from the lower-numbered input first and, within an
// input, in their order there (so merging the sorted blocks of a stable
// sort, in block order, gives the stable order of the whole). With L the
// output's length along Axis, for every lane (o, i):
//
//	merged = the m lanes src_j[o, :, i] merged as above
//	dstValues[o, p, i] = merged[Lo+p].value   for p < L
//	dstIndex[o, p, i]  = merged[Lo+p].index   (Indexed inputs only)
//
// The start of rank Lo in each input is found by k-way rank selection:
// a binary search over input j's positions, each probe counting by
// binary search the elements of every input that precede it (O(m² log²
// n) a lane); then the pieces are merged through a heap of the m input
// cursors. No memory beyond the destinations and O(m) words; inputs may
// be strided (inner axes) and are read in place.
type sortMergeKernel struct{}

func (sortMergeKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.SortParams)
	if !ok || p == nil {
		return fmt.Errorf("sort_merge: params are %T, want *graph.SortParams", l.Task.Op.Params)
	}
	per := 1
	if p.Indexed {
		per = 2
	}
	if len(l.Src)%per != 0 || len(l.SrcMeta) != len(l.Src) || len(l.Task.Outputs) == 0 {
		return fmt.Errorf("sort_merge: %d input buffers, %d outputs (indexed %v)", len(l.Src), len(l.Task.Outputs), p.Indexed)
	}
	m := len(l.Src) / per
	out0 := l.Task.Outputs[0]
	if p.Axis < 0 || p.Axis >= len(out0.Shape) {
		return fmt.Errorf("sort_merge: axis %d of a %d-d output", p.Axis, len(out0.Shape))
	}
	L := out0.Shape[p.Axis]
	outer, _, inner, _ := laneGeometry("sort_merge", out0.Shape, p.Axis)
	valDT := out0.DType
	if m > 0 {
		valDT = l.SrcMeta[0].DType
	}
	vi, ii, err := sortOutputs("sort_merge", l, p.Out, graph.Chunk{DType: valDT})
	if err != nil {
		return err
	}
	if ii >= 0 && !p.Indexed {
		return fmt.Errorf("sort_merge: indices wanted from inputs without them")
	}
	for _, o := range l.Task.Outputs {
		if !sameExceptAxis(o.Shape, out0.Shape, p.Axis) || o.Shape[p.Axis] != L {
			return fmt.Errorf("sort_merge: outputs %v disagree", l.Task.Outputs)
		}
	}
	ns := make([]int, m)
	total := int64(0)
	for j := 0; j < m; j++ {
		vm := l.SrcMeta[j*per]
		if vm.DType != valDT || !sameExceptAxis(vm.Shape, out0.Shape, p.Axis) {
			return fmt.Errorf("sort_merge: input %d is %v, output %v along axis %d", j, vm, out0, p.Axis)
		}
		if p.Indexed {
			if im := l.SrcMeta[j*per+1]; im.DType != graph.Int64 || !sameExceptAxis(im.Shape, vm.Shape, -1) {
				return fmt.Errorf("sort_merge: input %d has indices %v for values %v", j, im, vm)
			}
		}
		ns[j] = vm.Shape[p.Axis]
		total += int64(ns[j])
	}
	if L == 0 || outer*inner == 0 { // no lanes or nothing to write
		return nil
	}
	if p.Lo < 0 || p.Lo+int64(L) > total {
		return fmt.Errorf("sort_merge: ranks [%d, %d) of %d merged elements", p.Lo, p.Lo+int64(L), total)
	}
	idx := make([][]int64, m)
	vals := make([][]byte, m)
	for j := 0; j < m; j++ {
		vals[j] = l.Src[j*per].Bytes()
		if p.Indexed {
			idx[j] = device.View[int64](l.Src[j*per+1])
		}
	}
	var dv []byte
	var di []int64
	if vi >= 0 {
		dv = l.Dst[vi].Bytes()
	}
	if ii >= 0 {
		di = device.View[int64](l.Dst[ii])
	}
	g := mergeGeom{outer: outer, inner: inner, L: L, lo: p.Lo, desc: p.Desc, ns: ns}
	switch valDT {
	case graph.Float64:
		mergeLanes(g, viewAll[float64](vals), idx, device.ViewBytes[float64](dv), di)
	case graph.Float32:
		mergeLanes(g, viewAll[float32](vals), idx, device.ViewBytes[float32](dv), di)
	case graph.Int64:
		mergeLanes(g, viewAll[int64](vals), idx, device.ViewBytes[int64](dv), di)
	case graph.Int32:
		mergeLanes(g, viewAll[int32](vals), idx, device.ViewBytes[int32](dv), di)
	case graph.Bool:
		mergeLanes(g, viewAll[uint8](vals), idx, device.ViewBytes[uint8](dv), di)
	default:
		return fmt.Errorf("sort_merge: dtype %v is not supported", valDT)
	}
	return nil
}

func viewAll[T sortElem](bs [][]byte) [][]T {
	out := make([][]T, len(bs))
	for j, b := range bs {
		out[j] = device.ViewBytes[T](b)
	}
	return out
}

type mergeGeom struct {
	outer, inner, L int
	lo              int64
	desc            bool
	ns              []int
}

// mergeLanes is the typed body of sortMergeKernel.
func mergeLanes[T sortElem](g mergeGeom, src [][]T, idx [][]int64, dv []T, di []int64) {
	m := len(src)
	cur := make([]int, m)
	base := make([]int, m)
	heap := make([]mergeHead[T], 0, m)
	for o := 0; o < g.outer; o++ {
		for i := 0; i < g.inner; i++ {
			for j := 0; j < m; j++ {
				base[j] = o*g.ns[j]*g.inner + i
			}
			ln := lanes[T]{src: src, base: base, inner: g.inner, ns: g.ns, desc: g.desc}
			ln.cuts(g.lo, cur)
			// a heap of the inputs with elements left, keyed by their
			// next value (cached here) and input number; first on top
			heap = heap[:0]
			for j := 0; j < m; j++ {
				if cur[j] < g.ns[j] {
					heap = append(heap, mergeHead[T]{v: ln.at(j, cur[j]), j: int32(j)})
					for c := len(heap) - 1; c > 0; {
						p := (c - 1) / 2
						if !headFirst(heap[c], heap[p], g.desc) {
							break
						}
						heap[c], heap[p] = heap[p], heap[c]
						c = p
					}
				}
			}
			off := o*g.L*g.inner + i
			for q := 0; q < g.L; q++ {
				top := heap[0]
				j := int(top.j)
				if dv != nil {
					dv[off+q*g.inner] = top.v
				}
				if di != nil {
					di[off+q*g.inner] = idx[j][base[j]+cur[j]*g.inner]
				}
				cur[j]++
				if cur[j] == g.ns[j] {
					heap[0] = heap[len(heap)-1]
					heap = heap[:len(heap)-1]
					if len(heap) == 0 {
						break
					}
				} else {
					heap[0].v = src[j][base[j]+cur[j]*g.inner]
				}
				siftDown(heap, g.desc)
			}
		}
	}
}

// mergeHead is an input's next value in the merge heap.
type mergeHead[T sortElem] struct {
	v T
	j int32
}

// headFirst is whether a comes before b: its value first in the order,
// or equal values and a lower input.
func headFirst[T sortElem](a, b mergeHead[T], desc bool) bool {
	if valueBefore(a.v, b.v, desc) {
		return true
	}
	return a.j < b.j && !valueBefore(b.v, a.v, desc)
}

func siftDown[T sortElem](h []mergeHead[T], desc bool) {
	n := len(h)
	for p := 0; ; {
		c := 2*p + 1
		if c >= n {
			return
		}
		if c+1 < n && headFirst(h[c+1], h[c], desc) {
			c++
		}
		if !headFirst(h[c], h[p], desc) {
			return
		}
		h[c], h[p] = h[p], h[c]
		p = c
	}
}

// lanes is one lane of each of the m inputs.
type lanes[T sortElem] struct {
	src   [][]T
	base  []int
	inner int
	ns    []int
	desc  bool
}

func (l lanes[T]) at(j, p int) T { return l.src[j][l.base[j]+p*l.inner] }

// countBefore is the number of elements of input j that precede value v
// of input from: with ties, those of inputs before from precede it.
func (l lanes[T]) countBefore(j int, v T, from int) int {
	n := l.ns[j]
	if j < from { // elements equal to v count: first one strictly after v
		return sort.Search(n, func(p int) bool { return valueBefore(v, l.at(j, p), l.desc) })
	}
	// j > from: first element not strictly before v
	return sort.Search(n, func(p int) bool { return !valueBefore(l.at(j, p), v, l.desc) })
}

// rank is the merged rank of input j's element at p.
func (l lanes[T]) rank(j, p int) int64 {
	v := l.at(j, p)
	r := int64(p)
	for k := range l.ns {
		if k != j {
			r += int64(l.countBefore(k, v, j))
		}
	}
	return r
}

// cuts sets cut[j] to the number of input j's elements among the first
// r of the merged order.
func (l lanes[T]) cuts(r int64, cut []int) {
	for j := range l.ns {
		if r == 0 {
			cut[j] = 0
			continue
		}
		cut[j] = sort.Search(l.ns[j], func(p int) bool { return l.rank(j, p) >= r })
	}
}
