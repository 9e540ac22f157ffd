package array_test

import (
	"math"

	"github.com/blockwork-dev/blockwork/graph"
)

// refReduce reduces r over axes (sorted, non-negative; all when nil) with
// NumPy's semantics for kind (sum prod mean var std min max argmin argmax
// any all). It also returns, per output element, the scale an accumulated
// float rounding error is measured against (the sum of |x|, of x², or
// |product|).
func refReduce(kind string, r *ref, axes []int, keepdims bool, ddof int) (*ref, []float64) {
	nd := len(r.shape)
	if axes == nil {
		for a := 0; a < nd; a++ {
			axes = append(axes, a)
		}
	}
	red := make([]bool, nd)
	for _, a := range axes {
		red[a] = true
	}
	var gshape, oshape []int // group shape keeps reduced axes as 1
	for a, n := range r.shape {
		if red[a] {
			gshape = append(gshape, 1)
			if keepdims {
				oshape = append(oshape, 1)
			}
		} else {
			gshape = append(gshape, n)
			oshape = append(oshape, n)
		}
	}
	if oshape == nil {
		oshape = []int{}
	}
	ng := size(gshape)
	groups := make([][]int, ng)
	gst := strides(gshape)
	idx := make([]int, nd)
	for k := 0; k < r.n(); k++ {
		unravel(k, r.shape, idx)
		g := 0
		for a := range idx {
			if !red[a] {
				g += idx[a] * gst[a]
			}
		}
		groups[g] = append(groups[g], k)
	}
	var dt graph.DType
	switch kind {
	case "sum", "prod":
		dt = graph.SumDType(r.dt)
	case "mean", "var", "std":
		dt = graph.MeanDType(r.dt)
	case "any", "all":
		dt = graph.Bool
	case "argmin", "argmax":
		dt = graph.Int64
	default:
		dt = r.dt
	}
	o := newRef(oshape, dt)
	scale := make([]float64, ng)
	for g, ks := range groups {
		switch kind {
		case "sum", "mean":
			if isF(r.dt) || kind == "mean" {
				s, a := 0.0, 0.0
				for _, k := range ks {
					s += r.fl(k)
					a += math.Abs(r.fl(k))
				}
				scale[g] = a
				if kind == "mean" {
					s /= float64(len(ks))
					scale[g] /= float64(len(ks))
				}
				o.setF(g, s)
			} else {
				var s int64
				for _, k := range ks {
					s += r.i[k]
				}
				o.setI(g, s)
			}
		case "prod":
			if isF(r.dt) {
				p := 1.0
				for _, k := range ks {
					p *= r.fl(k)
				}
				scale[g] = math.Abs(p)
				o.setF(g, p)
			} else {
				p := int64(1)
				for _, k := range ks {
					p *= r.i[k]
				}
				o.setI(g, p)
			}
		case "var", "std":
			n := float64(len(ks))
			m, sq := 0.0, 0.0
			for _, k := range ks {
				m += r.fl(k)
				sq += r.fl(k) * r.fl(k)
			}
			m /= n
			m2 := 0.0
			for _, k := range ks {
				d := r.fl(k) - m
				m2 += d * d
			}
			v := m2 / math.Max(n-float64(ddof), 0)
			scale[g] = sq / math.Max(n-float64(ddof), 1)
			if kind == "std" {
				v = math.Sqrt(v)
				scale[g] = math.Sqrt(scale[g])
			}
			o.setF(g, v)
		case "min", "max", "argmin", "argmax":
			best := 0
			for p := 1; p < len(ks); p++ {
				if isF(r.dt) {
					b, v := r.f[ks[best]], r.f[ks[p]]
					if b != b {
						break
					}
					if v != v || (kind == "min" || kind == "argmin") && v < b || (kind == "max" || kind == "argmax") && v > b {
						best = p
					}
				} else {
					b, v := r.i[ks[best]], r.i[ks[p]]
					if (kind == "min" || kind == "argmin") && v < b || (kind == "max" || kind == "argmax") && v > b {
						best = p
					}
				}
			}
			if kind == "argmin" || kind == "argmax" {
				o.i[g] = int64(best)
			} else {
				o.copyFrom(g, r, ks[best])
			}
		case "any", "all":
			v := kind == "all"
			for _, k := range ks {
				if r.truth(k) != v {
					v = !v
					break
				}
			}
			o.i[g] = b2i(v)
		}
	}
	return o, scale
}
