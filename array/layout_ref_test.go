package array_test

// Plain reference implementations of the shape and layout operations
// (layout.go, layout_join.go, layout_tri.go), on the reference ndarray.

import (
	"github.com/blockwork-dev/blockwork/graph"
)

// reshaped is r's data under a new shape.
func (r *ref) reshaped(shape []int) *ref {
	o := newRef(shape, r.dt)
	copy(o.f, r.f)
	copy(o.i, r.i)
	return o
}

// setFill stores the constant v cast to o's dtype (NumPy's unsafe cast).
func (o *ref) setFill(k int, v float64) {
	switch {
	case isF(o.dt):
		o.setF(k, v)
	case o.dt == graph.Bool:
		o.i[k] = b2i(v != 0)
	default:
		o.setI(k, int64(v))
	}
}

// gatherRef makes an array of shape whose element idx is r at input
// coordinates src(a, idx[a]) per axis, or fill where any is < 0.
func gatherRef(r *ref, shape []int, src func(a, i int) int, fill float64) *ref {
	o := newRef(shape, r.dt)
	st := strides(r.shape)
	idx := make([]int, len(shape))
	for k := 0; k < o.n(); k++ {
		unravel(k, shape, idx)
		off := 0
		for a := range idx {
			s := src(a, idx[a])
			if s < 0 {
				off = -1
				break
			}
			off += s * st[a]
		}
		if off < 0 {
			o.setFill(k, fill)
			continue
		}
		o.copyFrom(k, r, off)
	}
	return o
}

func refConcat(xs []*ref, axis int) *ref {
	dt := xs[0].dt
	for _, x := range xs[1:] {
		dt = promote(dt, x.dt)
	}
	shape := append([]int{}, xs[0].shape...)
	shape[axis] = 0
	for _, x := range xs {
		shape[axis] += x.shape[axis]
	}
	cs := make([]*ref, len(xs))
	for q, x := range xs {
		cs[q] = x.astype(dt)
	}
	o := newRef(shape, dt)
	idx := make([]int, len(shape))
	for k := 0; k < o.n(); k++ {
		unravel(k, shape, idx)
		i := idx[axis]
		for q, x := range xs {
			if i < x.shape[axis] {
				c := cs[q]
				st := strides(x.shape)
				off := 0
				for a := range idx {
					p := idx[a]
					if a == axis {
						p = i
					}
					off += p * st[a]
				}
				o.copyFrom(k, c, off)
				break
			}
			i -= x.shape[axis]
		}
	}
	return o
}

func padSrc(mode string, n, before, i int) int {
	j := i - before
	switch mode {
	case "constant":
		if j < 0 || j >= n {
			return -1
		}
	case "edge":
		j = min(max(j, 0), n-1)
	case "wrap":
		j = ((j % n) + n) % n
	case "reflect":
		if n == 1 {
			return 0
		}
		for j < 0 || j >= n {
			if j < 0 {
				j = -j
			}
			if j >= n {
				j = 2*(n-1) - j
			}
		}
	case "symmetric": // mirror images that repeat the edge: -1 -> 0, n -> n-1
		for j < 0 || j >= n {
			if j < 0 {
				j = -1 - j
			}
			if j >= n {
				j = 2*n - 1 - j
			}
		}
	}
	return j
}

func refTri(r *ref, k int, lower bool) *ref {
	o := newRef(r.shape, r.dt)
	nd := len(r.shape)
	idx := make([]int, nd)
	for q := 0; q < o.n(); q++ {
		unravel(q, r.shape, idx)
		d := idx[nd-1] - idx[nd-2]
		if (lower && d <= k) || (!lower && d >= k) {
			o.copyFrom(q, r, q)
		}
	}
	return o
}

func refDiag(r *ref, k int) *ref {
	if len(r.shape) == 1 {
		n := r.shape[0]
		m := n + max(k, -k)
		o := newRef([]int{m, m}, r.dt)
		for i := 0; i < n; i++ {
			row, col := i, i+k
			if k < 0 {
				row, col = i-k, i
			}
			o.copyFrom(row*m+col, r, i)
		}
		return o
	}
	n0, n1 := r.shape[0], r.shape[1]
	var vals []int
	for i := 0; i < n0; i++ {
		if j := i + k; j >= 0 && j < n1 {
			vals = append(vals, i*n1+j)
		}
	}
	o := newRef([]int{len(vals)}, r.dt)
	for q, src := range vals {
		o.copyFrom(q, r, src)
	}
	return o
}
