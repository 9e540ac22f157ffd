package array_test

import (
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Review findings of this session's additions: each was a panic or a
// silently wrong result.
func TestReviewF(t *testing.T) {
	v := newEnv(t)
	x := array.Ones([]int{3, 4}, graph.Float64, array.ExplicitChunks(chunks.Chunks{{3}, {2, 2}}))
	// MapOverlap with axis changes: refused, not a panic while lowering
	wantErr(t, "overlap drop axis", array.MapOverlap("array_test.boxsum", []byte{0}, x, []int{1}, []array.Boundary{{}}, array.NoTrim(), array.DropAxis(0)).Err(), "map_overlap", "DropAxis")
	// with NoTrim and its own chunks, the function sees the output's own
	// block positions
	z := array.MapOverlap("array_test.position", nil, array.Ones([]int{6}, graph.Float64, array.Chunked(3)), []int{1}, []array.Boundary{{Mode: array.BoundaryNone}},
		array.NoTrim(), array.MapChunks(chunks.Chunks{{4, 4}}))
	if _, err := v.compute([]*array.Array{z}); err == nil {
		t.Error("position function given mismatched blocks: no error (it checks the input's and output's positions agree)")
	}
	// RepeatEach whose counts overflow: an error
	wantErr(t, "repeat overflow", array.Zeros([]int{2}, graph.Float64).RepeatEach([]int{10, math.MaxInt}, 0).Err(), "repeat", "more than")
	// Histogram with absurd bins: an error
	h, _ := array.Zeros([]int{2}, graph.Float64).Histogram(math.MaxInt, 0, 1)
	wantErr(t, "histogram bins", h.Err(), "histogram", "bins")
	// MapBlocks: a one-block input of another length does not broadcast
	a := array.Ones([]int{10}, graph.Float64, array.Chunked(5))
	b := array.Ones([]int{3}, graph.Float64)
	wantErr(t, "map_blocks lengths", array.MapBlocks("array_test.affine", nil, []*array.Array{a, b}).Err(), "map_blocks", "line up")
	// Set with an empty selection still checks the values' shape
	wantErr(t, "set empty mask", a.Set([]array.Index{array.Mask(make([]bool, 10))}, array.Ones([]int{3}, graph.Float64)).Err(), "setitem", "broadcast")
	wantErr(t, "set empty list", a.Set([]array.Index{array.Ix()}, array.Ones([]int{3}, graph.Float64)).Err(), "setitem", "broadcast")
}

// TestTriOneD: NumPy's tril/triu of a 1-d m are N x N (m's rows masked).
func TestTriOneD(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(4); c++ {
		x := v.operand(v.shape(1, 1), v.dtype(), vSpecial)
		n := x.ref.shape[0]
		sq := newRef([]int{n, n}, x.ref.dt)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				sq.copyFrom(i*n+j, x.ref, j)
			}
		}
		k := v.r.IntN(5) - 2
		exact(t, "tril 1-d", v.one("tril", x.a.Tril(k)), refTri(sq, k, true))
		exact(t, "triu 1-d", v.one("triu", x.a.Triu(k)), refTri(sq, k, false))
	}
	wantErr(t, "0-d", array.Ones([]int{}, graph.Float64).Tril(0).Err(), "tril", "1-d")
}
