package chunks

import "fmt"

// Refine returns the common refinement of two chunkings a and b of the same
// axis (dask's unify_chunks for one axis): the blocks between the union of
// their block boundaries, so that every result block lies inside exactly one
// block of a and one block of b. Zero-length blocks disappear (they add no
// boundary), except that a zero-length axis gives [0]. Each must have at
// least one block, sizes must be >= 0 and the totals equal; otherwise the error names both chunkings.
func Refine(a, b []int) ([]int, error) {
	if err := sameTotal("refine", a, b); err != nil {
		return nil, err
	}
	var out []int
	i, j := 0, 0
	ra, rb := 0, 0 // what is left of a[i-1], b[j-1]
	for {
		for ra == 0 && i < len(a) {
			ra = a[i]
			i++
		}
		for rb == 0 && j < len(b) {
			rb = b[j]
			j++
		}
		if ra == 0 || rb == 0 { // both exhausted, since totals match
			break
		}
		step := min(ra, rb)
		out = append(out, step)
		ra -= step
		rb -= step
	}
	if len(out) == 0 {
		out = []int{0}
	}
	return out, nil
}

// Piece1D is one piece of a rechunk along one axis: Len elements starting
// at InStart within input block InBlock land at OutStart within the output
// block.
type Piece1D struct {
	InBlock, InStart, OutStart, Len int
}

// Intersect1D plans a rechunk along one axis from blocks in to blocks out
// (same total): result[o] lists, in order, the pieces of input blocks that
// tile output block o, so their Len sum to out[o] and each OutStart is the
// sum of the Lens before it. Zero-length input blocks never give a piece. A
// zero-length output block gets one piece of Len 0 at its position in the
// input: in the first input block that still has elements there, or at the
// end of the last input block when none has; so every output block has at
// least one input, as [Slice1D] gives for an empty slice. in and out must
// each have at least one block.
func Intersect1D(in, out []int) ([][]Piece1D, error) {
	if err := sameTotal("intersect", in, out); err != nil {
		return nil, err
	}
	res := make([][]Piece1D, len(out))
	i, inPos := 0, 0 // the cursor: position inPos within input block i
	for o, size := range out {
		// Move off exhausted (and zero-length) input blocks, but never past
		// the last one, so an empty output block at the end has a source.
		for inPos == in[i] && i+1 < len(in) {
			i++
			inPos = 0
		}
		if size == 0 {
			res[o] = []Piece1D{{InBlock: i, InStart: inPos}}
			continue
		}
		outPos := 0
		for outPos < size {
			for inPos == in[i] { // totals match, so a later block has elements
				i++
				inPos = 0
			}
			n := min(in[i]-inPos, size-outPos)
			res[o] = append(res[o], Piece1D{InBlock: i, InStart: inPos, OutStart: outPos, Len: n})
			inPos += n
			outPos += n
		}
	}
	return res, nil
}

// sameTotal checks that a and b have blocks, no negative sizes and equal sums.
func sameTotal(op string, a, b []int) error {
	if len(a) == 0 || len(b) == 0 {
		return fmt.Errorf("chunks: %s %s with %s: an axis has at least one block", op, ShapeString(a), ShapeString(b))
	}
	for _, xs := range [][]int{a, b} {
		for k, s := range xs {
			if s < 0 {
				return fmt.Errorf("chunks: %s %s with %s: negative size %d in block %d of %s",
					op, ShapeString(a), ShapeString(b), s, k, ShapeString(xs))
			}
		}
	}
	sa, sb := sumString(a), sumString(b)
	if _, ok := sumChecked(a); !ok || sa != sb {
		return fmt.Errorf("chunks: %s %s with %s: totals differ (%s and %s)", op, ShapeString(a), ShapeString(b), sa, sb)
	}
	return nil
}
