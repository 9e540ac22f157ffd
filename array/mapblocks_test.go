package array_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// flatIn is the C-order flat index of element k of block b in b's array.
func flatIn(b funcs.Block, k int, idx []int) int {
	unravel(k, b.Shape, idx)
	off := 0
	for a := range idx {
		off = off*b.ArrayShape[a] + b.Start[a] + idx[a]
	}
	return off
}

func init() {
	// out = 2*x + y + 1000*position of the element in the output array
	funcs.MustRegisterBlockFunc("array_test.affine", funcs.Typed(func(ctx context.Context, args []byte, out funcs.Block, dst []float64, in []funcs.Block, src [][]float64) error {
		if len(src) != 2 {
			return fmt.Errorf("want 2 inputs, got %d", len(src))
		}
		idx := make([]int, len(out.Shape))
		for k := range dst {
			// inputs broadcast by blocks: a one-element block is a scalar
			x, y := src[0][k%len(src[0])], src[1][k%len(src[1])]
			dst[k] = 2*x + y + 1000*float64(flatIn(out, k, idx))
		}
		return nil
	}))
	// sum over axis 0 of the block (the caller drops axis 0)
	funcs.MustRegisterBlockFunc("array_test.colsum", funcs.Typed(func(ctx context.Context, args []byte, out funcs.Block, dst []float64, in []funcs.Block, src [][]float64) error {
		rows := in[0].Shape[0]
		clear(dst)
		for i := 0; i < rows; i++ {
			for j := range dst {
				dst[j] += src[0][i*len(dst)+j]
			}
		}
		return nil
	}))
	// box sum of radius args[0] over the block's own elements (neighbours
	// outside the block count 0)
	funcs.MustRegisterBlockFunc("array_test.boxsum", funcs.Typed(func(ctx context.Context, args []byte, out funcs.Block, dst []float64, in []funcs.Block, src [][]float64) error {
		r := int(args[0])
		sh := in[0].Shape
		if !slices.Equal(sh, out.Shape) {
			return fmt.Errorf("output %v, input %v", out.Shape, sh)
		}
		idx := make([]int, len(sh))
		nb := make([]int, len(sh))
		st := strides(sh)
		for k := range dst {
			unravel(k, sh, idx)
			s := 0.0
			boxWalk(len(sh), r, func(e []int) {
				off := 0
				for a := range e {
					nb[a] = idx[a] + e[a]
					if nb[a] < 0 || nb[a] >= sh[a] {
						return
					}
					off += nb[a] * st[a]
				}
				s += src[0][off]
			})
			dst[k] = s
		}
		return nil
	}))
	funcs.MustRegisterBlockFunc("array_test.fail", func(context.Context, []byte, funcs.Block, []byte, []funcs.Block, [][]byte) error {
		return errTestLoader
	})
}

// boxWalk calls f for every offset in [-r, r]^nd.
func boxWalk(nd, r int, f func(e []int)) {
	e := make([]int, nd)
	for a := range e {
		e[a] = -r
	}
	for {
		f(e)
		a := nd - 1
		for ; a >= 0; a-- {
			e[a]++
			if e[a] <= r {
				break
			}
			e[a] = -r
		}
		if a < 0 {
			return
		}
	}
}

func TestMapBlocks(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(8); c++ {
		shape := v.shape(1, 3)
		x := v.operand(shape, graph.Float64, vSmall)
		// y: the same shape in other chunks (rechunked to x's) or a
		// one-element array of the same ndim (broadcast block)
		var y operand
		one := v.r.IntN(3) == 0
		if one {
			r := v.values(onesInts(len(shape)), graph.Float64, vSmall)
			ch := make(chunks.Chunks, len(shape))
			for a := range ch {
				ch[a] = []int{1}
			}
			y = operand{r, ch, arr(r, ch)}
		} else {
			y = v.operand(shape, graph.Float64, vSmall)
		}
		desc := fmt.Sprintf("case %d: map_blocks(%v, %v)", c, x, y)
		z := array.MapBlocks("array_test.affine", nil, []*array.Array{x.a, y.a})
		want := newRef(shape, graph.Float64)
		for k := 0; k < want.n(); k++ {
			yk := y.ref.f[0]
			if !one {
				yk = y.ref.f[k]
			}
			want.f[k] = 2*x.ref.f[k] + yk + 1000*float64(k)
		}
		exact(t, desc, v.one(desc, z), want)
		if t.Failed() {
			return
		}
	}
}

func TestMapBlocksAxes(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(4); c++ {
		rows, cols := 1+v.r.IntN(5), 1+v.r.IntN(9)
		x := v.operand([]int{rows, cols}, graph.Float64, vSmall)
		xa := x.a.Rechunk(array.ChunkSpec(chunks.Whole(), chunks.Regular(1+v.r.IntN(4))))
		desc := fmt.Sprintf("case %d: %v", c, x)
		want := newRef([]int{cols}, graph.Float64)
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				want.f[j] += x.ref.f[i*cols+j]
			}
		}
		s := array.MapBlocks("array_test.colsum", nil, []*array.Array{xa}, array.DropAxis(0))
		near(t, desc+" drop axis 0", v.one(desc, s), want, nil, 1e-12)
		// the same with a new leading axis of one element
		n := array.MapBlocks("array_test.colsum", nil, []*array.Array{xa}, array.DropAxis(0), array.AddAxis(0))
		want.shape = []int{1, cols}
		near(t, desc+" drop 0, add 0", v.one(desc, n), want, nil, 1e-12)
	}
	wantErr(t, "drop a chunked axis", array.MapBlocks("array_test.colsum", nil, []*array.Array{array.Ones([]int{4, 4}, graph.Float64, array.Chunked(2, 2))}, array.DropAxis(0)).Err(), "map_blocks", "drop axis 0")
	wantErr(t, "unknown function", array.MapBlocks("no.such", nil, []*array.Array{array.Ones([]int{4}, graph.Float64)}).Err(), "map_blocks", "no.such")
	wantErr(t, "ndim", array.MapBlocks("array_test.affine", nil, []*array.Array{array.Ones([]int{4}, graph.Float64), array.Ones([]int{4, 1}, graph.Float64)}).Err(), "map_blocks", "axes")
	wantErr(t, "chunks grid", array.MapBlocks("array_test.colsum", nil, []*array.Array{array.Ones([]int{4}, graph.Float64, array.Chunked(2))}, array.MapChunks(chunks.Chunks{{4}})).Err(), "map_blocks", "blocks")
	_, err := v.compute([]*array.Array{array.MapBlocks("array_test.fail", nil, []*array.Array{array.Ones([]int{4}, graph.Float64, array.Chunked(2))})})
	wantErr(t, "failing function", err, "map_blocks", "array_test.fail", errTestLoader.Error())
	_, err = v.compute([]*array.Array{array.MapBlocks("array_test.affine", nil, []*array.Array{array.Ones([]int{4}, graph.Int64, array.Chunked(2)), array.Ones([]int{4}, graph.Int64)})})
	wantErr(t, "dtype mismatch", err, "map_blocks", "int64", "float64")
}

// overlapSrc maps position i of an axis of length n to the element a
// halo reads under boundary mode m, or -1 for none/constant outside.
func overlapSrc(m array.BoundaryMode, n, i int) int {
	if i >= 0 && i < n {
		return i
	}
	switch m {
	case array.BoundaryReflect:
		return padSrc("symmetric", n, 0, i)
	case array.BoundaryPeriodic:
		return padSrc("wrap", n, 0, i)
	case array.BoundaryNearest:
		return padSrc("edge", n, 0, i)
	}
	return -1
}

func TestMapOverlap(t *testing.T) {
	v := newEnv(t)
	modes := []array.BoundaryMode{array.BoundaryNone, array.BoundaryReflect, array.BoundaryPeriodic, array.BoundaryNearest, array.BoundaryConstant}
	for c := 0; c < cases(10); c++ {
		var shape []int
		for _, n := range v.shape(1, 3) {
			shape = append(shape, max(n, 1))
		}
		nd := len(shape)
		x := v.operand(shape, graph.Float64, vSmall)
		r := v.r.IntN(3) // stencil radius
		depth := make([]int, nd)
		bnd := make([]array.Boundary, nd)
		for a := range depth {
			depth[a] = r + v.r.IntN(3) // halos may be deeper than blocks
			bnd[a] = array.Boundary{Mode: modes[v.r.IntN(len(modes))], Value: float64(v.r.IntN(5) - 2)}
		}
		desc := fmt.Sprintf("case %d: map_overlap(boxsum r=%d, %v, depth %v, boundary %v)", c, r, x, depth, bnd)
		z := array.MapOverlap("array_test.boxsum", []byte{byte(r)}, x.a, depth, bnd)
		near(t, desc, v.one(desc, z), boxRef(x.ref, r, bnd), nil, 1e-12)
		if t.Failed() {
			return
		}
	}
	wantErr(t, "depth count", array.MapOverlap("array_test.boxsum", []byte{1}, array.Ones([]int{4, 4}, graph.Float64), []int{1, 1, 1}, []array.Boundary{{}}).Err(), "map_overlap", "depth")
	wantErr(t, "negative depth", array.MapOverlap("array_test.boxsum", []byte{1}, array.Ones([]int{4}, graph.Float64), []int{-1}, []array.Boundary{{}}).Err(), "map_overlap", "negative")
	wantErr(t, "chunks need NoTrim", array.MapOverlap("array_test.boxsum", []byte{1}, array.Ones([]int{4}, graph.Float64), []int{1}, []array.Boundary{{}}, array.MapChunks(chunks.Chunks{{4}})).Err(), "map_overlap", "NoTrim")
}

// boxRef is the box sum of radius r over x extended by the boundaries
// (none: missing neighbours count 0; constant: the value, the last
// axis's where several are outside).
func boxRef(x *ref, r int, bnd []array.Boundary) *ref {
	shape := x.shape
	nd := len(shape)
	out := newRef(shape, graph.Float64)
	idx := make([]int, nd)
	st := strides(shape)
	for k := 0; k < out.n(); k++ {
		unravel(k, shape, idx)
		s := 0.0
		boxWalk(nd, r, func(e []int) {
			off := 0
			konst, val := false, 0.0
			for a := range e {
				q := overlapSrc(bnd[a].Mode, shape[a], idx[a]+e[a])
				if q < 0 {
					if bnd[a].Mode == array.BoundaryNone {
						return
					}
					// halos are added axis by axis: a corner holds the
					// last constant axis's value (as Dask's)
					konst, val = true, bnd[a].Value
					continue
				}
				off += q * st[a]
			}
			if konst {
				s += val
			} else {
				s += x.f[off]
			}
		})
		out.f[k] = s
	}
	return out
}

func init() {
	// each element's position in the whole array, from the block info
	funcs.MustRegisterBlockFunc("array_test.position", funcs.Typed(func(ctx context.Context, args []byte, out funcs.Block, dst []float64, in []funcs.Block, src [][]float64) error {
		if !slices.Equal(in[0].Start, out.Start) || !slices.Equal(in[0].ArrayShape, out.ArrayShape) {
			return fmt.Errorf("input block at %v of %v, output at %v of %v", in[0].Start, in[0].ArrayShape, out.Start, out.ArrayShape)
		}
		for k := range dst {
			dst[k] = float64(in[0].Start[0] + k)
		}
		return nil
	}))
}

// TestMapOverlapBlockInfo: with NoTrim the extended blocks come back
// whole, and the function saw each one's offset less its halo.
func TestMapOverlapBlockInfo(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(4); c++ {
		n := 1 + v.r.IntN(12)
		x := v.operand([]int{n}, graph.Float64, vSmall)
		d := v.r.IntN(4)
		mode := []array.BoundaryMode{array.BoundaryNone, array.BoundaryPeriodic, array.BoundaryConstant}[v.r.IntN(3)]
		desc := fmt.Sprintf("case %d: %v depth %d %v", c, x, d, mode)
		z := array.MapOverlap("array_test.position", nil, x.a, []int{d}, []array.Boundary{{Mode: mode}}, array.NoTrim())
		var want []float64
		off := 0
		for _, cs := range x.ch[0] {
			from, to := off-d, off+cs+d
			if mode == array.BoundaryNone {
				from, to = max(from, 0), min(to, n)
			}
			for p := from; p < to; p++ {
				want = append(want, float64(p))
			}
			off += cs
		}
		if got := v.one(desc, z).Float64s(); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", desc, got, want)
		}
	}
}
