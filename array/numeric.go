package array

import (
	"slices"

	"github.com/blockwork-dev/blockwork/graph"
)

// Routines of NumPy's and Dask's numeric namespace built from the other
// operations (each lowers to what they lower to, so they fuse and run on
// every executor): Diff, IsClose, AllClose, CountNonzero, Ptp, Trace,
// Outer, Tensordot, Dot, Average, Cov and Corrcoef.

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

// Average is the weighted mean over axes (all when none), as
// np.average(x, axis, weights): sum(x*w)/sum(w), w of x's shape or, for
// one axis, 1-d along it; without weights it is Mean. Integers and bool
// average as float64; float32 stays float32 with float32 weights. Weights
// that sum to zero give NaN or ±Inf where NumPy raises (the sum is not
// known before the computation).
func (x *Array) Average(weights *Array, axes ...int) *Array {
	if weights == nil {
		return x.Mean(axes...)
	}
	if err := firstErr(x, weights); err != nil {
		return errArray(err)
	}
	nd := len(x.nd.shape)
	w := weights
	if !slices.Equal(w.nd.shape, x.nd.shape) {
		if len(axes) != 1 || len(w.nd.shape) != 1 {
			return errorf("average", "weights of shape %s for an array of shape %s over axes %v: want x's shape, or 1-d along one axis",
				shapeStr(w.nd.shape), shapeStr(x.nd.shape), axes)
		}
		a, err := normAxis("average", axes[0], nd)
		if err != nil {
			return errArray(err)
		}
		if w.nd.shape[0] != x.nd.shape[a] {
			return errorf("average", "%d weights along axis %d of length %d", w.nd.shape[0], a, x.nd.shape[a])
		}
		shape := make([]int, nd)
		for k := range shape {
			shape[k] = 1
		}
		shape[a] = w.nd.shape[0]
		w = w.Reshape(shape...)
	}
	dt := graph.Promote(x.nd.dtype, w.nd.dtype)
	if !dt.IsFloat() {
		dt = graph.Float64
	}
	xf, wf := x.Astype(dt), w.Astype(dt)
	if !slices.Equal(wf.nd.shape, x.nd.shape) {
		wf = wf.BroadcastTo(x.nd.shape...)
	}
	return xf.Mul(wf).Sum(axes...).Div(wf.Sum(axes...))
}

// Cov is the covariance matrix of the variables of x, as np.cov(x,
// rowvar, ddof): each row a variable and each column an observation
// (rowvar), or the other way round; a 1-d x is one variable. The
// deviations from each variable's mean are multiplied as one MatMul and
// scaled by 1/(observations - ddof) (NumPy's default ddof is 1), in
// float64, with axes of length 1 squeezed as NumPy squeezes them.
func (x *Array) Cov(rowvar bool, ddof int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	m := x
	switch len(x.nd.shape) {
	case 1:
		m = x.Reshape(1, x.nd.shape[0])
	case 2:
		if !rowvar {
			m = x.T()
		}
	default:
		return errorf("cov", "a %d-d array (shape %s): want 1-d or 2-d", len(x.nd.shape), shapeStr(x.nd.shape))
	}
	if m.nd.dtype != graph.Float64 {
		m = m.Astype(graph.Float64)
	}
	n := m.nd.shape[1]
	dev := m.Sub(m.MeanWith(ReduceOpts{Axes: []int{1}, KeepDims: true}))
	// times 1/(n - ddof), as NumPy scales it (a non-positive count: Inf)
	return dev.MatMul(dev.T()).Mul(Float(1 / float64(max(n-ddof, 0)))).Squeeze()
}

// Corrcoef is the matrix of Pearson correlation coefficients of the
// variables of x (rows when rowvar), as np.corrcoef: Cov divided by the
// standard deviations of its rows, then of its columns, clipped to
// [-1, 1], as NumPy computes it (one variable: c/c, 1 or NaN).
func (x *Array) Corrcoef(rowvar bool) *Array {
	c := x.Cov(rowvar, 1)
	if err := c.Err(); err != nil {
		return errArray(err)
	}
	if len(c.nd.shape) == 0 {
		return c.Div(c)
	}
	d := c.Diag(0).Sqrt()
	return c.Div(d.ExpandDims(1)).Div(d.ExpandDims(0)).Clip(Float(-1), Float(1))
}
