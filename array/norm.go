package array

import (
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/graph"
)

// NormOrd is the ord of Norm: the zero value is NumPy's None (the
// 2-norm of vectors, Frobenius of matrices), Ord(p) a number (1, 2,
// ±Inf, 0, -1, any p for vectors), and OrdFro and OrdNuc the matrix
// norms "fro" and "nuc".
type NormOrd struct {
	kind normKind
	p    float64
}

type normKind uint8

const (
	ordNone normKind = iota
	ordP
	ordFro
	ordNuc
)

// Ord is the norm order p.
func Ord(p float64) NormOrd { return NormOrd{kind: ordP, p: p} }

var (
	// OrdFro is the Frobenius norm of matrices.
	OrdFro = NormOrd{kind: ordFro}
	// OrdNuc is the nuclear norm of matrices (the sum of the singular
	// values).
	OrdNuc = NormOrd{kind: ordNuc}
)

func (o NormOrd) String() string {
	switch o.kind {
	case ordP:
		return fmt.Sprint(o.p)
	case ordFro:
		return "fro"
	case ordNuc:
		return "nuc"
	}
	return "None"
}

// Norm is NumPy's linalg.norm: over no axes, the 2-norm of the flattened
// array (ord None), or with an ord the vector norm of a 1-d array or the
// matrix norm of a 2-d one; over one axis, vector norms; over two,
// matrix norms (2, -2 and nuc, by the SVD, of a 2-d array only).
// Vector: None and 2 sqrt(Σ x²), ±Inf max / min |x|, 0 the count of
// non-zeros, 1 Σ|x|, other p (Σ|x|^p)^(1/p). Matrix: None and fro
// sqrt(Σ x²), 1 and -1 the max / min column sum of |x|, ±Inf the max /
// min row sum, 2 and -2 the largest / smallest singular value, nuc their
// sum. The result is float64, or float32 for float32 input.
func (x *Array) Norm(ord NormOrd, axes ...int) *Array {
	return x.NormWith(ord, ReduceOpts{Axes: axes})
}

// NormWith is Norm with options: Axes and KeepDims are used.
func (x *Array) NormWith(ord NormOrd, o ReduceOpts) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	res := graph.Float64
	if x.nd.dtype == graph.Float32 {
		res = graph.Float32
	}
	xf := x.Astype(graph.Float64)
	nd := len(x.nd.shape)
	keep := o.KeepDims
	if len(o.Axes) == 0 {
		switch {
		case ord.kind == ordNone:
			return xf.Mul(xf).SumWith(ReduceOpts{KeepDims: keep}).Sqrt().Astype(res)
		case nd == 1:
			o.Axes = []int{0}
		case nd == 2:
			o.Axes = []int{0, 1}
		default:
			return errorf("norm", "improper number of dimensions to norm: %d with ord %v", nd, ord)
		}
	}
	// in the caller's order: the first of two is the row axis (normAxes
	// would sort them)
	axes := make([]int, len(o.Axes))
	for i, a := range o.Axes {
		n, err := normAxis("norm", a, nd)
		if err != nil {
			return errArray(err)
		}
		if i == 1 && n == axes[0] {
			return errorf("norm", "duplicate axes given: %v", o.Axes)
		}
		axes[i] = n
	}
	sum := func(y *Array, ax ...int) *Array { return y.SumWith(ReduceOpts{Axes: ax, KeepDims: true}) }
	var out *Array
	switch len(axes) {
	case 1:
		a := axes[0]
		switch {
		case ord.kind == ordNone || ord.kind == ordP && ord.p == 2:
			out = sum(xf.Mul(xf), a).Sqrt()
		case ord.kind != ordP:
			return errorf("norm", "invalid norm order %v for vectors", ord)
		case math.IsInf(ord.p, 1):
			out = xf.Abs().MaxWith(ReduceOpts{Axes: axes, KeepDims: true})
		case math.IsInf(ord.p, -1):
			out = xf.Abs().MinWith(ReduceOpts{Axes: axes, KeepDims: true})
		case ord.p == 0:
			out = sum(xf.Ne(Float(0)).Astype(graph.Float64), a)
		case ord.p == 1:
			out = sum(xf.Abs(), a)
		default:
			out = sum(xf.Abs().PowScalar(ord.p), a).PowScalar(1 / ord.p)
		}
	case 2:
		r, c := axes[0], axes[1]
		switch {
		case ord.kind == ordNone || ord.kind == ordFro:
			out = sum(xf.Mul(xf), r, c).Sqrt()
		case ord.kind == ordNuc || ord.p == 2 || ord.p == -2:
			if nd != 2 {
				return errorf("norm", "ord %v over two axes of a %d-d array: only 2-d arrays", ord, nd)
			}
			_, s, _ := SVD(xf)
			switch {
			case ord.kind == ordNuc:
				out = s.Sum()
			case ord.p == 2:
				out = s.Max()
			default:
				out = s.Min()
			}
			out = out.Reshape(1, 1)
		case ord.p == 1:
			out = sum(xf.Abs(), r).MaxWith(ReduceOpts{Axes: []int{c}, KeepDims: true})
		case ord.p == -1:
			out = sum(xf.Abs(), r).MinWith(ReduceOpts{Axes: []int{c}, KeepDims: true})
		case math.IsInf(ord.p, 1):
			out = sum(xf.Abs(), c).MaxWith(ReduceOpts{Axes: []int{r}, KeepDims: true})
		case math.IsInf(ord.p, -1):
			out = sum(xf.Abs(), c).MinWith(ReduceOpts{Axes: []int{r}, KeepDims: true})
		default:
			return errorf("norm", "invalid norm order %v for matrices", ord)
		}
	default:
		return errorf("norm", "improper number of dimensions to norm: %d axes", len(axes))
	}
	if !keep {
		out = out.Squeeze(axes...)
	}
	return out.Astype(res)
}
