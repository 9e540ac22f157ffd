package array

import (
	"slices"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Products of NumPy's numeric and linalg namespaces built from the other
// operations, as numeric.go's are: Kron (broadcast Mul and a Reshape),
// Cross (slices, Mul, Sub, Stack), Vdot and Inner (Tensordot), Diagonal
// (Diag, or VIndex for more than two axes) and MatrixPower (MatMul, Inv).

// Kron is the Kronecker product, as np.kron: the operand with fewer axes
// is first given leading axes of length 1, and out[i*m + j] = a[i] * b[j]
// along every axis (m is b's length), so the result's shape is the
// product of the two shapes. It is a with a new axis after each of its
// axes times b with one before each of its (a broadcast Mul), reshaped;
// the dtype is Mul's (bool: logical and).
func Kron(a, b *Array) *Array {
	if err := firstErr(a, b); err != nil {
		return errArray(err)
	}
	na, nb := len(a.nd.shape), len(b.nd.shape)
	n := max(na, nb)
	if n == 0 {
		return a.Mul(b)
	}
	// a's axis j (padded: n-na+j) at position 2(n-na+j), b's at
	// 2(n-nb+j)+1; every other position of the 2n-d product is new
	var newA, newB []int
	for q := 0; q < 2*n; q++ {
		if q%2 == 1 || q/2 < n-na {
			newA = append(newA, q)
		}
		if q%2 == 0 || q/2 < n-nb {
			newB = append(newB, q)
		}
	}
	out := make([]int, n)
	for k := range out {
		sa, sb := 1, 1
		if j := k - (n - na); j >= 0 {
			sa = a.nd.shape[j]
		}
		if j := k - (n - nb); j >= 0 {
			sb = b.nd.shape[j]
		}
		out[k] = sa * sb
	}
	return a.ExpandDims(newA...).Mul(b.ExpandDims(newB...)).Reshape(out...)
}

// Cross is the cross product of vectors along the last axis of a and b,
// as np.cross(a, b): the other axes broadcast; vectors of length 3 give
// vectors of length 3, two of length 2 give the z component alone (the
// last axis is dropped), and a 2-vector with a 3-vector is taken with a
// zero z (NumPy 2 deprecates the 2-vectors; they are kept here). The
// components are NumPy's products and differences (a₁b₂ - a₂b₁, ...,
// -(a₀b₂) where a₂ is absent) in the promoted dtype (integers wrap);
// bool is an error, as NumPy's boolean subtract.
func Cross(a, b *Array) *Array {
	if err := firstErr(a, b); err != nil {
		return errArray(err)
	}
	na, nb := len(a.nd.shape), len(b.nd.shape)
	if na == 0 || nb == 0 {
		return errorf("cross", "a 0-d operand (shapes %s): want vectors along the last axis", shapesStr(a, b))
	}
	la, lb := a.nd.shape[na-1], b.nd.shape[nb-1]
	if (la != 2 && la != 3) || (lb != 2 && lb != 3) {
		return errorf("cross", "incompatible dimensions for cross product: last axes of lengths %d and %d (shapes %s), want 2 or 3",
			la, lb, shapesStr(a, b))
	}
	if resultType(a, b) == graph.Bool {
		return errorf("cross", "bool operands (shapes %s): NumPy has no boolean subtract", shapesStr(a, b))
	}
	if _, err := chunks.BroadcastShapes(a.nd.shape[:na-1], b.nd.shape[:nb-1]); err != nil {
		return errorf("cross", "the leading axes of shapes %s do not broadcast", shapesStr(a, b))
	}
	at := func(x *Array, i int) *Array { return x.Slice(Ellipsis(), At(i)) }
	a0, a1, b0, b1 := at(a, 0), at(a, 1), at(b, 0), at(b, 1)
	z := a0.Mul(b1).Sub(a1.Mul(b0))
	var c0, c1 *Array
	switch {
	case la == 2 && lb == 2:
		return z
	case la == 2:
		b2 := at(b, 2)
		c0, c1 = a1.Mul(b2), a0.Mul(b2).Neg()
	case lb == 2:
		a2 := at(a, 2)
		c0, c1 = a2.Mul(b1).Neg(), a2.Mul(b0)
	default:
		a2, b2 := at(a, 2), at(b, 2)
		c0, c1 = a1.Mul(b2).Sub(a2.Mul(b1)), a2.Mul(b0).Sub(a0.Mul(b2))
	}
	return Stack([]*Array{c0, c1, z}, -1)
}

// Vdot is the dot product of a and b flattened, as np.vdot (no complex
// numbers, so no conjugate): a 0-d array of Dot's dtype (bool: any
// product true). a and b may have any shapes of one size.
func Vdot(a, b *Array) *Array {
	if err := firstErr(a, b); err != nil {
		return errArray(err)
	}
	if sa, sb := prod(a.nd.shape), prod(b.nd.shape); sa != sb {
		return errorf("vdot", "sizes %d and %d differ (shapes %s)", sa, sb, shapesStr(a, b))
	}
	return Dot(a.Ravel(), b.Ravel())
}

// Inner is np.inner: the sum of products over the last axes of a and b,
// of shape a.shape[:-1] + b.shape[:-1] (Tensordot over the two last
// axes); a 0-d operand multiplies.
func Inner(a, b *Array) *Array {
	if err := firstErr(a, b); err != nil {
		return errArray(err)
	}
	na, nb := len(a.nd.shape), len(b.nd.shape)
	if na == 0 || nb == 0 {
		return a.Mul(b)
	}
	if a.nd.shape[na-1] != b.nd.shape[nb-1] {
		return errorf("inner", "shapes %s not aligned: last axes of lengths %d and %d", shapesStr(a, b), a.nd.shape[na-1], b.nd.shape[nb-1])
	}
	return Tensordot(a, b, []int{na - 1}, []int{nb - 1})
}

// Diagonal is np.diagonal(x, offset, axis1, axis2): the elements
// x[..., i, ..., i+offset, ...] of axes axis1 and axis2 (negative counts
// from the end), which leave the result, their diagonal becoming its last
// axis (the others keep their order). A 2-d x is Diag of x or of its
// transpose (an index map); more axes move axis1 and axis2 first and take
// the diagonal's points with VIndex (a copy; NumPy returns a read-only
// view).
func (x *Array) Diagonal(offset, axis1, axis2 int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	nd := len(x.nd.shape)
	if nd < 2 {
		return errorf("diagonal", "a %d-d array (shape %s): want at least 2 axes", nd, shapeStr(x.nd.shape))
	}
	a1, err := normAxis("diagonal", axis1, nd)
	if err != nil {
		return errArray(err)
	}
	a2, err := normAxis("diagonal", axis2, nd)
	if err != nil {
		return errArray(err)
	}
	if a1 == a2 {
		return errorf("diagonal", "axis1 %d and axis2 %d are the same axis (shape %s)", axis1, axis2, shapeStr(x.nd.shape))
	}
	if nd == 2 {
		if a1 == 1 {
			return x.T().Diag(offset)
		}
		return x.Diag(offset)
	}
	perm := []int{a1, a2}
	for a := range nd {
		if a != a1 && a != a2 {
			perm = append(perm, a)
		}
	}
	y := x.Transpose(perm...)
	r0, c0 := max(-offset, 0), max(offset, 0)
	n := max(0, min(y.nd.shape[0]-r0, y.nd.shape[1]-c0))
	rows, cols := make([]int, n), make([]int, n)
	for i := range rows {
		rows[i], cols[i] = r0+i, c0+i
	}
	return y.VIndex(rows, cols).MoveAxis(0, -1)
}

// MatrixPower raises a square matrix, or each of a stack of them (the
// last two axes), to the integer power n, as np.linalg.matrix_power: n ==
// 0 gives the identity in x's dtype (broadcast over the stack), n > 0
// products by repeated squaring in NumPy's order (x·x, x·x·x, then the
// binary decomposition of n), each a MatMul, and n < 0 the power -n of
// Inv(x) (float64, float32 for float32; a singular matrix fails the
// computation where NumPy raises). Integers wrap, bool gives bool.
func MatrixPower(x *Array, n int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	nd := len(x.nd.shape)
	if nd < 2 {
		return errorf("matrix_power", "a %d-d array (shape %s): want at least 2 axes", nd, shapeStr(x.nd.shape))
	}
	m := x.nd.shape[nd-1]
	if x.nd.shape[nd-2] != m {
		return errorf("matrix_power", "last 2 axes of shape %s are not square", shapeStr(x.nd.shape))
	}
	switch {
	case n == 0:
		eye := Eye(m, m, 0, x.nd.dtype, ExplicitChunks(chunks.Chunks{x.nd.chunks[nd-2], x.nd.chunks[nd-1]}))
		if nd == 2 {
			return eye
		}
		return eye.BroadcastTo(x.nd.shape...)
	case n < 0:
		x = invStack(x)
		if x.err != nil {
			return x
		}
		n = -n
	}
	switch n {
	case 1:
		return x
	case 2:
		return x.MatMul(x)
	case 3:
		return x.MatMul(x).MatMul(x)
	}
	var z, res *Array
	for ; n > 0; n /= 2 {
		if z == nil {
			z = x
		} else {
			z = z.MatMul(z)
		}
		if n%2 == 1 {
			if res == nil {
				res = z
			} else {
				res = res.MatMul(z)
			}
		}
	}
	return res
}

// invStack is Inv of each matrix of a stack (the last two axes), stacked
// as MatMul stacks its products (at most MaxStack).
func invStack(x *Array) *Array {
	nd := len(x.nd.shape)
	if nd == 2 {
		return Inv(x)
	}
	if total := prod(x.nd.shape[:nd-2]); total > MaxStack {
		return errorf("matrix_power", "%d matrices in the stack of shape %s: at most %d", total, shapeStr(x.nd.shape), MaxStack)
	}
	if x.nd.shape[0] == 0 {
		dt := graph.Float64
		if x.nd.dtype == graph.Float32 {
			dt = graph.Float32
		}
		return Zeros(slices.Clone(x.nd.shape), dt)
	}
	parts := make([]*Array, x.nd.shape[0])
	for i := range parts {
		parts[i] = invStack(x.Slice(At(i)))
	}
	return Stack(parts, 0)
}
