package array

import (
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/array/chunks"
)

// T reverses the axes (x.T in NumPy).
func (x *Array) T() *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	n := len(x.nd.shape)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = n - 1 - i
	}
	return x.Transpose(perm...)
}

// Transpose permutes the axes: output axis i is input axis axes[i]
// (negative axes count from the end); no axes reverses them, as NumPy's
// transpose() and T. No data moves until a consumer reads it: the
// permutation is index arithmetic in the fused program.
func (x *Array) Transpose(axes ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	n := len(xn.shape)
	if len(axes) == 0 && n > 0 {
		return x.T()
	}
	if len(axes) != n {
		return errorf("transpose", "axes %v don't match array of shape %s", axes, shapeStr(xn.shape))
	}
	perm := make([]int, n)
	seen := make([]bool, n)
	for i, a := range axes {
		na, err := normAxis("transpose", a, n)
		if err != nil {
			return errArray(err)
		}
		if seen[na] {
			return errorf("transpose", "repeated axis in %v (shape %s)", axes, shapeStr(xn.shape))
		}
		seen[na] = true
		perm[i] = na
	}
	identity := true
	shape := make([]int, n)
	ch := make(chunks.Chunks, n)
	rels := make([]axisRel, n)
	for o, a := range perm {
		shape[o] = xn.shape[a]
		ch[o] = xn.chunks[a]
		rels[a] = axisRel{kind: relSame, out: o}
		identity = identity && o == a
	}
	if identity {
		return x
	}
	p := &pb{}
	prog := p.finish(p.load(0, 0, xn.dtype))
	name := token("transpose", xn, fmt.Sprint(perm))
	return &Array{nd: newElemNode(name, shape, ch, xn.dtype, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: xn, rels: rels}}})}
}

// None marks an omitted slice bound in Sl.
const None = math.MinInt

type indexKind uint8

const (
	idxSlice indexKind = iota
	idxInt
	idxNewAxis
	idxEllipsis
	idxList // integer-array index (Ix, Mask): handled by Take
)

// Index is one entry of a basic index: a slice, an integer, a new axis or
// an ellipsis.
type Index struct {
	kind              indexKind
	start, stop, step int
	i                 int
	list              []int // idxList: positions
	mask              int   // idxList from Mask: the mask's length
	isMask            bool
}

// Sl is start:stop:step; None omits a bound (step None is 1).
func Sl(start, stop, step int) Index {
	if step == None {
		step = 1
	}
	return Index{kind: idxSlice, start: start, stop: stop, step: step}
}

// Span is start:stop.
func Span(start, stop int) Index { return Sl(start, stop, 1) }

// All is ":" (the whole axis).
func All() Index { return Sl(None, None, 1) }

// At is an integer index (the axis is dropped); negative counts from the end.
func At(i int) Index { return Index{kind: idxInt, i: i} }

// NewAxis inserts an axis of length 1.
func NewAxis() Index { return Index{kind: idxNewAxis} }

// Ellipsis stands for as many ":" as needed.
func Ellipsis() Index { return Index{kind: idxEllipsis} }

func (ix Index) String() string {
	b := func(v int) string {
		if v == None {
			return ""
		}
		return fmt.Sprint(v)
	}
	switch ix.kind {
	case idxInt:
		return fmt.Sprint(ix.i)
	case idxNewAxis:
		return "None"
	case idxEllipsis:
		return "..."
	case idxList:
		if len(ix.list) > 8 {
			return fmt.Sprintf("[%d positions]", len(ix.list))
		}
		return fmt.Sprint(ix.list)
	}
	return fmt.Sprintf("%s:%s:%d", b(ix.start), b(ix.stop), ix.step)
}

// Slice applies a NumPy index (x[...]). Basic indices (Sl, Span, All, At,
// NewAxis, Ellipsis) keep the input's chunk boundaries (each output block
// comes from one input block), and the selection is index arithmetic in
// the fused program, not a copy. One integer-array index (Ix, or Mask)
// may be added: that axis is gathered by Take.
func (x *Array) Slice(index ...Index) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	n := len(xn.shape)
	// expand the ellipsis
	consumes := 0
	ell := -1
	for i, ix := range index {
		switch ix.kind {
		case idxSlice, idxInt, idxList:
			consumes++
		case idxEllipsis:
			if ell >= 0 {
				return errorf("getitem", "an index can only have a single ellipsis (shape %s)", shapeStr(xn.shape))
			}
			ell = i
		}
	}
	if consumes > n {
		return errorf("getitem", "too many indices for array: array is %d-dimensional, but %d were indexed (index %v)", n, consumes, index)
	}
	var full []Index
	for i, ix := range index {
		if i == ell {
			for k := 0; k < n-consumes; k++ {
				full = append(full, All())
			}
			continue
		}
		full = append(full, ix)
	}
	if ell < 0 {
		for k := consumes; k < n; k++ {
			full = append(full, All())
		}
	}
	for _, ix := range full {
		if ix.kind == idxList {
			return x.takeIndex(full)
		}
	}
	rels := make([]axisRel, n)
	var shape []int
	var ch chunks.Chunks
	a := 0
	trivial := true
	for _, ix := range full {
		switch ix.kind {
		case idxNewAxis:
			shape = append(shape, 1)
			ch = append(ch, []int{1})
			trivial = false
		case idxInt:
			i, err := chunks.NormalizeIndex(ix.i, xn.shape[a])
			if err != nil {
				return errorf("getitem", "index %d is out of bounds for axis %d with size %d (shape %s)", ix.i, a, xn.shape[a], shapeStr(xn.shape))
			}
			blk, local := locate(xn.chunks[a], i)
			rels[a] = axisRel{kind: relFixed, block: blk, index: local}
			a++
			trivial = false
		case idxSlice:
			s, e, st, _, err := chunks.NormalizeSlice(xn.shape[a], ix.start, ix.start != None, ix.stop, ix.stop != None, ix.step)
			if err != nil {
				return errorf("getitem", "%v (axis %d, shape %s)", err, a, shapeStr(xn.shape))
			}
			oc, parts := chunks.Slice1D(xn.chunks[a], s, e, st)
			rels[a] = axisRel{kind: relSlice, out: len(shape), parts: parts}
			shape = append(shape, sumInts(oc))
			ch = append(ch, oc)
			if !(s == 0 && st == 1 && e == xn.shape[a]) {
				trivial = false
			}
			a++
		}
	}
	if trivial {
		return x
	}
	if shape == nil {
		shape = []int{}
		ch = chunks.Chunks{}
	}
	p := &pb{}
	prog := p.finish(p.load(0, 0, xn.dtype))
	name := token("getitem", xn, fmt.Sprint(full))
	return &Array{nd: newElemNode(name, shape, ch, xn.dtype, &elemLayer{prog: prog, slots: p.slots, ins: []elemInput{{nd: xn, rels: rels}}})}
}

// locate finds the block holding global index i along an axis.
func locate(sizes []int, i int) (block, local int) {
	for b, s := range sizes {
		if i < s {
			return b, i
		}
		i -= s
	}
	return len(sizes) - 1, i
}

func sumInts(s []int) int {
	n := 0
	for _, v := range s {
		n += v
	}
	return n
}
