package cpu

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// The order of the sort kernels. Ascending puts NaN after +Inf (NumPy's
// sort); descending (SortParams.Desc) is its reverse on values, NaN
// first. Equal values (-0 and +0 are equal, NaNs are equal) keep their
// original order in both directions: ties go to the lower index.

// sortElem is the Go element type of a sortable dtype (bool as uint8).
type sortElem interface {
	~uint8 | ~int32 | ~int64 | ~float32 | ~float64
}

// valueLess is a < b with NaN greatest.
func valueLess[T sortElem](a, b T) bool { return a < b || (b != b && a == a) }

// valueBefore is whether a comes strictly before b in the order's
// direction (ties are not before).
func valueBefore[T sortElem](a, b T, desc bool) bool {
	if desc {
		return valueLess(b, a)
	}
	return valueLess(a, b)
}

// sortBlockKernel runs graph.OpSortBlock: with a = Axis, n the input's
// length along a and L <= n the output's, for every lane (o, i) of the
// other axes, with perm the stable order of src[o, :, i] (SortParams):
//
//	dstValues[o, p, i] = src[o, perm[p], i]       for p < L
//	dstIndex[o, p, i]  = Base + perm[p]
//
// Any dtype of package graph; outputs per SortParams.Out (values, then
// int64 indices). Memory beyond the destinations: values alone,
// ascending, sort in place in the destination where lanes are
// contiguous (inner size 1) and through two lanes of n values where they
// are strided; every sort with positions or descending orders its
// (value, position) pairs side by side in n pairs of scratch (valueIndex),
// after gathering the lane into one lane of n values and n int64 unless
// it is contiguous and both outputs are wanted (then the destinations
// hold it). A partial order (L < n, top-k) keeps a heap of L values and L
// int64, whatever the layout. Scratch is allocated once per task.
type sortBlockKernel struct{}

func (sortBlockKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.SortParams)
	if !ok || p == nil {
		return fmt.Errorf("sort_block: params are %T, want *graph.SortParams", l.Task.Op.Params)
	}
	if len(l.Src) != 1 {
		return fmt.Errorf("sort_block: %d inputs, want 1", len(l.Src))
	}
	in := l.SrcMeta[0]
	outer, n, inner, err := laneGeometry("sort_block", in.Shape, p.Axis)
	if err != nil {
		return err
	}
	vi, ii, err := sortOutputs("sort_block", l, p.Out, in)
	if err != nil {
		return err
	}
	keep := l.Task.Outputs[0].Shape[p.Axis]
	for _, o := range l.Task.Outputs {
		if !sameExceptAxis(o.Shape, in.Shape, p.Axis) || o.Shape[p.Axis] != keep || keep > n {
			return fmt.Errorf("sort_block: output %v from input %v along axis %d", o, in, p.Axis)
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
	g := laneGeom{outer: outer, n: n, inner: inner, keep: keep, desc: p.Desc, base: p.Base}
	src := l.Src[0].Bytes()
	switch in.DType {
	case graph.Float64:
		sortBlock(g, device.ViewBytes[float64](src), device.ViewBytes[float64](dv), di, true)
	case graph.Float32:
		sortBlock(g, device.ViewBytes[float32](src), device.ViewBytes[float32](dv), di, true)
	case graph.Int64:
		sortBlock(g, device.ViewBytes[int64](src), device.ViewBytes[int64](dv), di, false)
	case graph.Int32:
		sortBlock(g, device.ViewBytes[int32](src), device.ViewBytes[int32](dv), di, false)
	case graph.Bool:
		sortBlock(g, device.ViewBytes[uint8](src), device.ViewBytes[uint8](dv), di, false)
	default:
		return fmt.Errorf("sort_block: dtype %v is not supported", in.DType)
	}
	return nil
}

// laneGeom is a block seen as outer × n × inner with lanes along n.
type laneGeom struct {
	outer, n, inner int
	keep            int // outputs per lane
	desc            bool
	base            int64
}

// laneGeometry splits shape around axis.
func laneGeometry(op string, shape []int, axis int) (outer, n, inner int, err error) {
	if axis < 0 || axis >= len(shape) {
		return 0, 0, 0, fmt.Errorf("%s: axis %d of a %d-d input", op, axis, len(shape))
	}
	outer, inner = 1, 1
	for a := 0; a < axis; a++ {
		outer *= shape[a]
	}
	for a := axis + 1; a < len(shape); a++ {
		inner *= shape[a]
	}
	return outer, shape[axis], inner, nil
}

func sameExceptAxis(a, b []int, axis int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if i != axis && a[i] != b[i] {
			return false
		}
	}
	return true
}

// sortOutputs checks the task's outputs against want and returns the
// positions of the values and indices outputs (-1: absent).
func sortOutputs(op string, l *kernels.Launch, want graph.SortOutputs, values graph.Chunk) (vi, ii int, err error) {
	vi, ii = -1, -1
	var dts []graph.DType
	if want&graph.SortValues != 0 {
		vi = len(dts)
		dts = append(dts, values.DType)
	}
	if want&graph.SortIndices != 0 {
		ii = len(dts)
		dts = append(dts, graph.Int64)
	}
	outs := l.Task.Outputs
	if len(dts) == 0 || len(outs) != len(dts) || len(l.Dst) != len(dts) {
		return 0, 0, fmt.Errorf("%s: outputs %v (%d buffers) for selection %d", op, outs, len(l.Dst), want)
	}
	for k, dt := range dts {
		if outs[k].DType != dt {
			return 0, 0, fmt.Errorf("%s: output %d is %v, want %v", op, k, outs[k].DType, dt)
		}
	}
	return vi, ii, nil
}

// sortBlock is the typed body of sortBlockKernel; dv or di is nil when
// that output is not wanted.
func sortBlock[T sortElem](g laneGeom, src, dv []T, di []int64, isFloat bool) {
	if g.n == 0 || g.keep == 0 {
		return
	}
	if g.keep == g.n && !g.desc && di == nil && g.inner == 1 {
		// values only, ascending, contiguous: sort in place in the
		// destination
		for o := 0; o < g.outer; o++ {
			sortValuesLane(dv[o*g.n:(o+1)*g.n], src[o*g.n:(o+1)*g.n], isFloat)
		}
		return
	}
	var buf []valueIndex[T] // sort scratch, reused lane to lane
	if g.keep < g.n {
		h := &laneHeap[T]{desc: g.desc, v: make([]T, 0, g.keep), ix: make([]int64, 0, g.keep)}
		for o := 0; o < g.outer; o++ {
			for i := 0; i < g.inner; i++ {
				off := o*g.n*g.inner + i
				h.reset()
				for q := 0; q < g.n; q++ {
					h.offer(src[off+q*g.inner], int64(q), g.keep)
				}
				ps := pairs[T]{v: h.v, ix: h.ix, desc: g.desc}
				buf = ps.sort(buf)
				writeLane(dv, di, o*g.keep*g.inner+i, g.inner, ps, g.base)
			}
		}
		return
	}
	if g.keep == g.n && !g.desc && di == nil {
		// values only, ascending, strided lanes: each lane gathered,
		// sorted as values, put back
		lane, sorted := make([]T, g.n), make([]T, g.n)
		for o := 0; o < g.outer; o++ {
			for i := 0; i < g.inner; i++ {
				off := o*g.n*g.inner + i
				for q := range lane {
					lane[q] = src[off+q*g.inner]
				}
				sortValuesLane(sorted, lane, isFloat)
				for q, v := range sorted {
					dv[off+q*g.inner] = v
				}
			}
		}
		return
	}
	var sv []T
	var si []int64
	contiguous := g.inner == 1 && dv != nil && di != nil
	if !contiguous {
		sv, si = make([]T, g.n), make([]int64, g.n)
	}
	for o := 0; o < g.outer; o++ {
		for i := 0; i < g.inner; i++ {
			off := o*g.n*g.inner + i
			if contiguous {
				sv, si = dv[off:off+g.n], di[off:off+g.n]
			}
			for q := 0; q < g.n; q++ {
				sv[q], si[q] = src[off+q*g.inner], int64(q)
			}
			ps := pairs[T]{v: sv, ix: si, desc: g.desc}
			buf = ps.sort(buf)
			if contiguous {
				for q := range si {
					si[q] += g.base
				}
				continue
			}
			writeLane(dv, di, off, g.inner, ps, g.base)
		}
	}
}

// writeLane stores a sorted lane at off with stride inner.
func writeLane[T sortElem](dv []T, di []int64, off, inner int, ps pairs[T], base int64) {
	for q := range ps.v {
		if dv != nil {
			dv[off+q*inner] = ps.v[q]
		}
		if di != nil {
			di[off+q*inner] = base + ps.ix[q]
		}
	}
}

// sortValuesLane writes src sorted ascending into dst (same length),
// stably: non-NaN values are copied first and NaNs after them in their
// order, the non-NaN prefix is sorted, and the run of zeros is rewritten
// with the zeros of src in their order (so -0 and +0 keep it).
func sortValuesLane[T sortElem](dst, src []T, isFloat bool) {
	if !isFloat {
		copy(dst, src)
		slices.Sort(dst)
		return
	}
	m := 0
	for _, v := range src {
		if v == v {
			dst[m] = v
			m++
		}
	}
	k := m
	for _, v := range src {
		if v != v {
			dst[k] = v
			k++
		}
	}
	pre := dst[:m]
	sortFloats(pre)
	z0, _ := slices.BinarySearch(pre, 0)
	z1 := z0
	for z1 < m && pre[z1] == 0 {
		z1++
	}
	if z1-z0 > 1 {
		w := z0
		for _, v := range src {
			if v == 0 {
				pre[w] = v
				w++
			}
		}
	}
}

// sortFloats sorts NaN-free floats ascending (-0 before +0) as integers:
// each value's bits b become b ^ (sign(b) ? 0x7ff..f : 0), which orders
// as the floats do when compared as signed integers, and back after
// (the map is its own inverse). In place; plain integer compares make
// pdqsort about twice as fast as cmp.Less on floats.
func sortFloats[T sortElem](pre []T) {
	switch f := any(pre).(type) {
	case []float64:
		k := device.ViewBytes[int64](device.AsBytes(f))
		for i, b := range k {
			k[i] = b ^ (b >> 63 & math.MaxInt64)
		}
		slices.Sort(k)
		for i, b := range k {
			k[i] = b ^ (b >> 63 & math.MaxInt64)
		}
	case []float32:
		k := device.ViewBytes[int32](device.AsBytes(f))
		for i, b := range k {
			k[i] = b ^ (b >> 31 & math.MaxInt32)
		}
		slices.Sort(k)
		for i, b := range k {
			k[i] = b ^ (b >> 31 & math.MaxInt32)
		}
	default:
		slices.Sort(pre)
	}
}

// pairs sorts values with their positions; ties go to the lower
// position, so an unstable sort gives the stable order.
type pairs[T sortElem] struct {
	v    []T
	ix   []int64
	desc bool
}

// valueIndex is a (value, position) pair of a lane being sorted.
type valueIndex[T sortElem] struct {
	v  T
	ix int64
}

// sort orders p (Less's order: the value in p's direction, then the
// position, so any sort gives the stable order) through buf, which it
// returns for reuse: the pairs side by side, sorted with slices.SortFunc
// (no interface calls), then written back.
func (p pairs[T]) sort(buf []valueIndex[T]) []valueIndex[T] {
	buf = buf[:0]
	for q, v := range p.v {
		buf = append(buf, valueIndex[T]{v, p.ix[q]})
	}
	desc := p.desc
	slices.SortFunc(buf, func(a, b valueIndex[T]) int {
		switch {
		case valueBefore(a.v, b.v, desc):
			return -1
		case valueBefore(b.v, a.v, desc):
			return 1
		}
		return cmp.Compare(a.ix, b.ix)
	})
	for q, e := range buf {
		p.v[q], p.ix[q] = e.v, e.ix
	}
	return buf
}

// laneHeap keeps the first k (value, position) pairs of the order seen so
// far: a binary heap whose top is the last of them.
type laneHeap[T sortElem] struct {
	desc bool
	v    []T
	ix   []int64
}

func (h *laneHeap[T]) reset() { h.v, h.ix = h.v[:0], h.ix[:0] }

// after is whether pair a comes after pair b in the order.
func (h *laneHeap[T]) after(a, b int) bool {
	va, vb := h.v[a], h.v[b]
	if valueBefore(vb, va, h.desc) {
		return true
	}
	if valueBefore(va, vb, h.desc) {
		return false
	}
	return h.ix[a] > h.ix[b]
}

// offer adds (v, ix); positions arrive increasing, so a value equal to
// the top's never displaces it.
func (h *laneHeap[T]) offer(v T, ix int64, k int) {
	if len(h.v) < k {
		h.v, h.ix = append(h.v, v), append(h.ix, ix)
		for c := len(h.v) - 1; c > 0; {
			p := (c - 1) / 2
			if !h.after(c, p) {
				break
			}
			h.swap(c, p)
			c = p
		}
		return
	}
	if !valueBefore(v, h.v[0], h.desc) {
		return
	}
	h.v[0], h.ix[0] = v, ix
	for p := 0; ; {
		c := 2*p + 1
		if c >= len(h.v) {
			break
		}
		if c+1 < len(h.v) && h.after(c+1, c) {
			c++
		}
		if !h.after(c, p) {
			break
		}
		h.swap(c, p)
		p = c
	}
}

func (h *laneHeap[T]) swap(a, b int) {
	h.v[a], h.v[b] = h.v[b], h.v[a]
	h.ix[a], h.ix[b] = h.ix[b], h.ix[a]
}
