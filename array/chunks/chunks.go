package chunks

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Chunks is the chunk sizes along each axis: Chunks[axis][block]. All sizes
// are >= 0 and every axis has at least one block; an axis of length 0 has
// one or more blocks of 0 (see [Validate]). A 0-d array has len(Chunks) == 0
// and one block.
type Chunks [][]int

// Shape returns the array shape: the sum of the block sizes along each axis.
func (c Chunks) Shape() []int {
	shape := make([]int, len(c))
	for ax, sizes := range c {
		for _, s := range sizes {
			shape[ax] += s
		}
	}
	return shape
}

// NumBlocks returns the number of blocks along each axis: the block grid.
func (c Chunks) NumBlocks() []int {
	grid := make([]int, len(c))
	for ax, sizes := range c {
		grid[ax] = len(sizes)
	}
	return grid
}

// Total returns the number of blocks, the product of [Chunks.NumBlocks]
// (1 for a 0-d array).
func (c Chunks) Total() int {
	n := 1
	for _, sizes := range c {
		n *= len(sizes)
	}
	return n
}

// Equal reports whether c and d have the same number of axes and the same
// block sizes on each.
func (c Chunks) Equal(d Chunks) bool {
	if len(c) != len(d) {
		return false
	}
	for ax := range c {
		if !slices.Equal(c[ax], d[ax]) {
			return false
		}
	}
	return true
}

// Clone returns a deep copy of c.
func (c Chunks) Clone() Chunks {
	if c == nil {
		return nil
	}
	d := make(Chunks, len(c))
	for ax, sizes := range c {
		d[ax] = append([]int(nil), sizes...)
	}
	return d
}

// BlockShape returns the shape of the block at N-d block index idx
// (len(idx) == len(c)). It panics, as slice indexing does, if idx is out of
// range.
func (c Chunks) BlockShape(idx []int) []int {
	shape := make([]int, len(c))
	for ax, sizes := range c {
		shape[ax] = sizes[idx[ax]]
	}
	return shape
}

// Origin returns the element offset of the block at idx along each axis.
// It costs O(idx[axis]) per axis; to place every block, use
// [Chunks.Offsets] once instead.
func (c Chunks) Origin(idx []int) []int {
	org := make([]int, len(c))
	for ax, sizes := range c {
		for _, s := range sizes[:idx[ax]] {
			org[ax] += s
		}
	}
	return org
}

// Offsets returns, per axis, the cumulative block starts: Offsets()[axis]
// has len(c[axis])+1 entries, starting at 0 and ending at the axis length,
// so block b spans [off[b], off[b+1]).
func (c Chunks) Offsets() [][]int {
	offs := make([][]int, len(c))
	for ax, sizes := range c {
		offs[ax] = offsets(sizes)
	}
	return offs
}

// String formats c as dask prints chunks: ((2, 2, 1), (3,)).
func (c Chunks) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for ax, sizes := range c {
		if ax > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ShapeString(sizes))
	}
	if len(c) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// ShapeString formats a shape (or one axis of chunks) as a Python tuple:
// (), (3,), (2, 3).
func ShapeString(shape []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, n := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(n))
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// Ravel returns the flat C-order position of block index idx in a grid of
// the given shape (last axis fastest). idx must lie inside grid.
func Ravel(idx, grid []int) int {
	flat := 0
	for ax, n := range grid {
		flat = flat*n + idx[ax]
	}
	return flat
}

// Unravel is the inverse of [Ravel]: it writes the N-d index of flat
// position flat in grid into idx, which must have len(grid) entries.
func Unravel(flat int, grid []int, idx []int) {
	for ax := len(grid) - 1; ax >= 0; ax-- {
		n := grid[ax]
		idx[ax] = flat % n
		flat /= n
	}
}

// Validate checks that c describes an array of the given shape: the same
// number of axes, at least one block per axis, no negative block sizes, and
// block sizes summing to the axis length. As in dask, zero-length blocks are
// allowed anywhere, so a zero-length axis may have one or several blocks of 0
// ([Normalize] always gives it exactly one).
func Validate(c Chunks, shape []int) error {
	if len(c) != len(shape) {
		return fmt.Errorf("chunks: chunks %v have %d axes but shape %s has %d", c, len(c), ShapeString(shape), len(shape))
	}
	for ax, sizes := range c {
		n := shape[ax]
		if n < 0 {
			return fmt.Errorf("chunks: shape %s has negative length on axis %d", ShapeString(shape), ax)
		}
		if len(sizes) == 0 {
			return fmt.Errorf("chunks: chunks %v have no blocks on axis %d (shape %s); a zero-length axis has one block of 0", c, ax, ShapeString(shape))
		}
		for b, s := range sizes {
			if s < 0 {
				return fmt.Errorf("chunks: chunks %v have negative size %d in block %d of axis %d", c, s, b, ax)
			}
		}
		if sum, ok := sumChecked(sizes); !ok || sum != n {
			return fmt.Errorf("chunks: chunks %v do not match shape %s: axis %d chunks %s sum to %s, want %d",
				c, ShapeString(shape), ax, ShapeString(sizes), sumString(sizes), n)
		}
	}
	return nil
}

// MaxBlockBytes returns the size in bytes of the largest block of c (the
// product of the largest block size along each axis, times elemSize). It
// saturates at math.MaxInt64 instead of overflowing.
func MaxBlockBytes(c Chunks, elemSize int) int64 {
	total := int64(elemSize)
	for _, sizes := range c {
		m := 0
		for _, s := range sizes {
			m = max(m, s)
		}
		total = mulSat(total, int64(m))
	}
	return total
}

// mulSat multiplies two non-negative int64s, saturating at math.MaxInt64.
func mulSat(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// offsets returns the cumulative starts of sizes, len(sizes)+1 entries.
func offsets(sizes []int) []int {
	off := make([]int, len(sizes)+1)
	for i, s := range sizes {
		off[i+1] = off[i] + s
	}
	return off
}

// sumString formats the sum of sizes for an error message, reporting
// overflow instead of a wrapped value.
func sumString(sizes []int) string {
	sum, ok := sumChecked(sizes)
	if !ok {
		return "more than the largest int"
	}
	return strconv.Itoa(sum)
}

// sumChecked returns the sum of non-negative sizes and false if it overflows.
func sumChecked(sizes []int) (int, bool) {
	sum := 0
	for _, s := range sizes {
		if s > 0 && sum > math.MaxInt-s {
			return 0, false
		}
		sum += s
	}
	return sum, true
}
