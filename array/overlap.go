package array

import (
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/graph"
)

// BoundaryMode says what MapOverlap's halos hold beyond the array's ends.
type BoundaryMode int

// The boundary modes, as Dask's map_overlap names them.
const (
	BoundaryNone     BoundaryMode = iota // no halo at the array's ends: edge blocks are smaller
	BoundaryReflect                      // mirrored, repeating the edge element (NumPy's "symmetric")
	BoundaryPeriodic                     // the other end of the axis
	BoundaryNearest                      // the edge element repeated
	BoundaryConstant                     // Boundary.Value
)

func (m BoundaryMode) String() string {
	switch m {
	case BoundaryNone:
		return "none"
	case BoundaryReflect:
		return "reflect"
	case BoundaryPeriodic:
		return "periodic"
	case BoundaryNearest:
		return "nearest"
	case BoundaryConstant:
		return "constant"
	}
	return "boundary?"
}

// Boundary is one axis's boundary: a mode, and the value of
// BoundaryConstant.
type Boundary struct {
	Mode  BoundaryMode
	Value float64
}

// MapOverlap is MapBlocks on blocks extended by depth[a] elements of
// their neighbours on both sides of each axis a (one depth, or one per
// axis), like Dask's map_overlap: at the array's ends the halo is filled
// as boundary says (one, or one per axis). The function sees each
// extended block with Start = the block's offset less its left halo (so
// it can be negative) and ArrayShape = x's shape; it must return a block
// of the extended shape, and the halos are trimmed off afterwards unless
// NoTrim is given. MapChunks needs NoTrim (trimming needs the extended
// shape back; the output blocks are then described by their own chunks);
// DropAxis and AddAxis are not supported. A halo may be
// deeper than a block: it reads as many neighbours as it needs.
func MapOverlap(fn string, args []byte, x *Array, depth []int, boundary []Boundary, opts ...MapOption) *Array {
	const op = "map_overlap"
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	var o mapOpts
	for _, f := range opts {
		f(&o)
	}
	if o.drop != nil || o.newAxes != nil {
		return errorf(op, "DropAxis and AddAxis are not supported (shape %s)", shapeStr(x.nd.shape))
	}
	if !o.noTrim && o.chunks != nil {
		return errorf(op, "output chunks need NoTrim (shape %s)", shapeStr(x.nd.shape))
	}
	nd := len(x.nd.shape)
	d, err := perAxis(op, "depth", depth, nd)
	if err != nil {
		return errArray(err)
	}
	bnd, err := perAxis(op, "boundary", boundary, nd)
	if err != nil {
		return errArray(err)
	}
	for a := 0; a < nd; a++ {
		if d[a] < 0 {
			return errorf(op, "negative depth %d on axis %d", d[a], a)
		}
		if bnd[a].Mode < BoundaryNone || bnd[a].Mode > BoundaryConstant {
			return errorf(op, "unknown boundary mode %d on axis %d", bnd[a].Mode, a)
		}
		if d[a] > 0 && x.nd.shape[a] == 0 && bnd[a].Mode != BoundaryNone && bnd[a].Mode != BoundaryConstant {
			return errorf(op, "can't extend empty axis %d with boundary %v", a, bnd[a].Mode)
		}
	}
	xc := x.nd.chunks
	// constant halos: pad first, then every window lies inside
	y := x
	for a := 0; a < nd; a++ {
		if d[a] > 0 && bnd[a].Mode == BoundaryConstant {
			w := make([][2]int, nd)
			w[a] = [2]int{d[a], d[a]}
			y = y.Pad(w, PadConstant, bnd[a].Value)
			if y.err != nil {
				return errorf(op, "%v", y.err)
			}
		}
	}
	segs := make([][]seg, nd)
	win := y.nd.chunks.Clone() // window chunks of the extended array
	left := make([][]int, nd)  // left halo of each block along each axis
	for a := 0; a < nd; a++ {
		left[a] = make([]int, len(xc[a]))
		if d[a] == 0 {
			win[a] = slices.Clone(xc[a])
			continue
		}
		n := x.nd.shape[a]
		win[a] = nil
		off := 0
		for i, c := range xc[a] {
			from, to := off-d[a], off+c+d[a]
			switch bnd[a].Mode {
			case BoundaryNone:
				from, to = max(from, 0), min(to, n)
			case BoundaryConstant:
				from, to = from+d[a], to+d[a] // in the padded array
			}
			left[a][i] = off - from
			if bnd[a].Mode == BoundaryConstant {
				left[a][i] = d[a]
			}
			switch bnd[a].Mode {
			case BoundaryNone, BoundaryConstant:
				if to > from {
					segs[a] = append(segs[a], seg{from, 1, to - from})
				}
			case BoundaryReflect:
				segs[a] = append(segs[a], rangeSegs(PadSymmetric, n, from, to)...)
			case BoundaryPeriodic:
				segs[a] = append(segs[a], rangeSegs(PadWrap, n, from, to)...)
			case BoundaryNearest:
				segs[a] = append(segs[a], rangeSegs(PadEdge, n, from, to)...)
			}
			win[a] = append(win[a], to-from)
			off += c
		}
	}
	ext := gather(op+"-halo", y.nd, segs, fmt.Sprint(d, bnd, [][]int(xc)))
	if ext.err != nil {
		return errorf(op, "%v", ext.err)
	}
	ext = rechunkTo(ext, win)
	if ext.err != nil {
		return errorf(op, "%v", ext.err)
	}
	pos := func(_ int, idx []int) graph.BlockPos {
		st := xc.Origin(idx)
		for a := range st {
			st[a] -= left[a][idx[a]]
		}
		return graph.BlockPos{Index: slices.Clone(idx), Start: st, ArrayShape: x.nd.shape}
	}
	m := mapBlocks(op, fn, args, []*Array{ext}, pos, opts)
	if m.err != nil || o.noTrim {
		return m
	}
	// trim: each extended block's own elements
	trim := make([][]seg, nd)
	for a := 0; a < nd; a++ {
		if d[a] == 0 {
			continue
		}
		off := 0
		for i, c := range xc[a] {
			trim[a] = append(trim[a], seg{off + left[a][i], 1, c})
			off += win[a][i]
		}
	}
	out := gather(op+"-trim", m.nd, trim, fmt.Sprint(d, [][]int(xc)))
	if out.err != nil {
		return errorf(op, "%v", out.err)
	}
	if !out.nd.chunks.Equal(xc) {
		out = rechunkTo(out, xc)
	}
	return out
}

// perAxis expands one value to nd axes, or checks there are nd.
func perAxis[T any](op, what string, v []T, nd int) ([]T, error) {
	switch {
	case len(v) == nd:
		return v, nil
	case len(v) == 1:
		out := make([]T, nd)
		for a := range out {
			out[a] = v[0]
		}
		return out, nil
	}
	return nil, fmt.Errorf("array: %s: %d %s values for %d axes", op, len(v), what, nd)
}
