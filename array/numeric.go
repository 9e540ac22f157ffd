package array

import (
	"slices"

	"github.com/blockwork-dev/blockwork/graph"
)

// Routines of NumPy's and Dask's numeric namespace built from the other
// operations (each lowers to what they lower to, so they fuse and run on
// every executor): Diff, IsClose, AllClose, CountNonzero, Ptp, Trace,
// Outer, Tensordot and Dot.

// Diff is the n-th discrete difference along axis, as np.diff(x, n,
// axis): x[1:] - x[:-1] along the axis, n times (n == 0 gives x); the axis
// gets n shorter (never below 0). Booleans differ as x[1:] != x[:-1], as
// NumPy's do.
func (x *Array) Diff(n, axis int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	nd := len(x.nd.shape)
	if nd == 0 {
		return errorf("diff", "a 0-d array: diff needs at least one axis")
	}
	if n < 0 {
		return errorf("diff", "order %d (shape %s): want n >= 0", n, shapeStr(x.nd.shape))
	}
	a, err := normAxis("diff", axis, nd)
	if err != nil {
		return errArray(err)
	}
	y := x
	for range n {
		if y.nd.shape[a] == 0 {
			break
		}
		hi, lo := make([]Index, nd), make([]Index, nd)
		for k := range hi {
			hi[k], lo[k] = All(), All()
		}
		hi[a], lo[a] = Sl(1, None, 1), Sl(None, -1, 1)
		if y.nd.dtype == graph.Bool {
			y = y.Slice(hi...).Ne(y.Slice(lo...))
		} else {
			y = y.Slice(hi...).Sub(y.Slice(lo...))
		}
	}
	return y
}

// IsClose reports, elementwise and broadcast, whether a and b are equal
// within a tolerance, as np.isclose: |a - b| <= atol + rtol*|b| where both
// are finite (b scaled: not symmetric), else a == b (equal infinities);
// two NaNs are close only with equalNaN. Integers compare as float64;
// float32 stays float32, as in NumPy.
func IsClose(a, b *Array, rtol, atol float64, equalNaN bool) *Array {
	if err := firstErr(a, b); err != nil {
		return errArray(err)
	}
	if rtol < 0 || atol < 0 || rtol != rtol || atol != atol {
		return errorf("isclose", "rtol %v and atol %v: want both >= 0", rtol, atol)
	}
	if !b.nd.dtype.IsFloat() {
		b = b.Astype(graph.Float64)
	}
	if !a.nd.dtype.IsFloat() {
		a = a.Astype(graph.Float64)
	}
	close := a.Sub(b).Abs().Le(b.Abs().Mul(Float(rtol)).Add(Float(atol)))
	r := Where(a.IsFinite().LogicalAnd(b.IsFinite()), close, a.Eq(b))
	if equalNaN {
		r = r.LogicalOr(a.IsNaN().LogicalAnd(b.IsNaN()))
	}
	return r
}

// AllClose is whether every element of a and b is close (IsClose), as
// np.allclose and da.allclose: a 0-d bool array.
func AllClose(a, b *Array, rtol, atol float64, equalNaN bool) *Array {
	return IsClose(a, b, rtol, atol, equalNaN).All()
}

// CountNonzero counts the nonzero elements over axes (all when none), as
// np.count_nonzero: an int64 count (NaN is nonzero).
func (x *Array) CountNonzero(axes ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if x.nd.dtype == graph.Bool {
		return x.Sum(axes...)
	}
	return x.Ne(Int(0)).Sum(axes...)
}

// Ptp is the range max - min over axes (all when none), as np.ptp, in
// x's dtype (integers wrap as NumPy's do); NaN propagates. Booleans are an
// error, as in NumPy (no boolean subtraction).
func (x *Array) Ptp(axes ...int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if x.nd.dtype == graph.Bool {
		return errorf("ptp", "a bool array (shape %s): NumPy has no boolean subtract", shapeStr(x.nd.shape))
	}
	return x.Max(axes...).Sub(x.Min(axes...))
}

// Trace is the sum of the diagonal at offset k of a 2-d array, as
// np.trace(x, k) (bool and int32 sum as int64, as Sum does).
func (x *Array) Trace(k int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if len(x.nd.shape) != 2 {
		return errorf("trace", "a %d-d array (shape %s): want 2-d", len(x.nd.shape), shapeStr(x.nd.shape))
	}
	return x.Diag(k).Sum()
}

// Outer is the outer product of a and b flattened, as np.outer: out[i,
// j] = a.ravel()[i] * b.ravel()[j].
func Outer(a, b *Array) *Array {
	if err := firstErr(a, b); err != nil {
		return errArray(err)
	}
	return a.Ravel().ExpandDims(1).Mul(b.Ravel().ExpandDims(0))
}

// Tensordot sums the products of a and b over axesA of a and axesB of b
// (pairwise, of equal lengths), as np.tensordot(a, b, (axesA, axesB)):
// the result's axes are a's others then b's others, in order. It is one
// MatMul of a with its summed axes moved last and b with its moved first,
// each reshaped to a matrix.
func Tensordot(a, b *Array, axesA, axesB []int) *Array {
	if err := firstErr(a, b); err != nil {
		return errArray(err)
	}
	if len(axesA) != len(axesB) {
		return errorf("tensordot", "%d axes of a and %d of b: want as many", len(axesA), len(axesB))
	}
	na, nb := len(a.nd.shape), len(b.nd.shape)
	sumA, sumB := make([]int, len(axesA)), make([]int, len(axesB))
	for i := range axesA {
		var err error
		if sumA[i], err = normAxis("tensordot", axesA[i], na); err != nil {
			return errArray(err)
		}
		if sumB[i], err = normAxis("tensordot", axesB[i], nb); err != nil {
			return errArray(err)
		}
		if a.nd.shape[sumA[i]] != b.nd.shape[sumB[i]] {
			return errorf("tensordot", "axis %d of a (length %d) and axis %d of b (length %d): shape mismatch for sum",
				sumA[i], a.nd.shape[sumA[i]], sumB[i], b.nd.shape[sumB[i]])
		}
	}
	if dupAxis(sumA) || dupAxis(sumB) {
		return errorf("tensordot", "axes %v of a and %v of b: an axis repeats", axesA, axesB)
	}
	var freeA, freeB, outShape []int
	m, k, n := 1, 1, 1
	for ax, s := range a.nd.shape {
		if !slices.Contains(sumA, ax) {
			freeA = append(freeA, ax)
			outShape = append(outShape, s)
			m *= s
		}
	}
	for _, ax := range sumA {
		k *= a.nd.shape[ax]
	}
	for ax, s := range b.nd.shape {
		if !slices.Contains(sumB, ax) {
			freeB = append(freeB, ax)
			outShape = append(outShape, s)
			n *= s
		}
	}
	am := a.Transpose(append(slices.Clone(freeA), sumA...)...).Reshape(m, k)
	bm := b.Transpose(append(slices.Clone(sumB), freeB...)...).Reshape(k, n)
	return am.MatMul(bm).Reshape(outShape...)
}

// Dot is np.dot: the inner product of two 1-d arrays (0-d), a matrix
// product of 2-d ones, and otherwise a sum over a's last axis and b's
// second-to-last (b's only axis when it is 1-d); a 0-d operand
// multiplies.
func Dot(a, b *Array) *Array {
	if err := firstErr(a, b); err != nil {
		return errArray(err)
	}
	na, nb := len(a.nd.shape), len(b.nd.shape)
	switch {
	case na == 0 || nb == 0:
		return a.Mul(b)
	case nb == 1:
		return Tensordot(a, b, []int{na - 1}, []int{0})
	}
	return Tensordot(a, b, []int{na - 1}, []int{nb - 2})
}

func dupAxis(axes []int) bool {
	for i := range axes {
		if slices.Contains(axes[i+1:], axes[i]) {
			return true
		}
	}
	return false
}
