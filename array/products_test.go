package array_test

// Tests of products.go against loops: every output element of kron,
// cross, vdot, inner and diagonal from its definition, matrix powers as
// repeated products (and a Gauss-Jordan inverse).

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// smallShape is a random shape of minDims to maxDims axes of at most
// most elements each.
func (v *env) smallShape(minDims, maxDims, most int) []int {
	s := v.shape(minDims, maxDims)
	for a := range s {
		s[a] = min(s[a], most)
	}
	return s
}

// mulRef is a*b in dt (bool: and; ints wrap; floats rounded to dt).
func mulRef(o *ref, k int, a *ref, ka int, b *ref, kb int) {
	switch {
	case o.dt == graph.Bool:
		o.i[k] = a.i[ka] & b.i[kb]
	case isF(o.dt):
		o.setF(k, roundF(o.dt, a.fl(ka))*roundF(o.dt, b.fl(kb)))
	default:
		o.setI(k, a.i[ka]*b.i[kb])
	}
}

// refKron is np.kron by loops: both shapes padded to one length, out[i]
// = a[i / bs] * b[i % bs] along every axis.
func refKron(a, b *ref) *ref {
	n := max(len(a.shape), len(b.shape))
	pad := func(s []int) []int { return append(slices.Repeat([]int{1}, n-len(s)), s...) }
	as, bs := pad(a.shape), pad(b.shape)
	out := make([]int, n)
	for k := range out {
		out[k] = as[k] * bs[k]
	}
	o := newRef(out, promote(a.dt, b.dt))
	sta, stb := strides(as), strides(bs)
	idx := make([]int, n)
	for k := 0; k < o.n(); k++ {
		unravel(k, out, idx)
		ka, kb := 0, 0
		for d := range idx {
			ka += idx[d] / bs[d] * sta[d]
			kb += idx[d] % bs[d] * stb[d]
		}
		mulRef(o, k, a, ka, b, kb)
	}
	return o
}

// TestKron: np.kron of random shapes of equal and different numbers of
// axes (0-d too), chunkings and dtypes, bit for bit against loops.
func TestKron(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(20); c++ {
		a := v.operand(v.smallShape(0, 3, 4), v.dtype(), vSpecial)
		b := v.operand(v.smallShape(0, 3, 4), v.dtype(), vSpecial)
		desc := fmt.Sprintf("case %d: kron(%v, %v)", c, a, b)
		exact(t, desc, v.one(desc, array.Kron(a.a, b.a)), refKron(a.ref, b.ref))
		if t.Failed() {
			return
		}
	}
	wantErr(t, "error passes through", array.Kron(array.Errored(fmt.Errorf("boom")), array.Float(1)).Err(), "boom")
}

// refCross is np.cross over the last axes by loops: the components
// NumPy computes, each product rounded to dt, with a missing z as 0
// (and -(p) where NumPy negates a product); two 2-vectors give z alone.
func refCross(a, b *ref) (want, scale *ref) {
	la, lb := a.shape[len(a.shape)-1], b.shape[len(b.shape)-1]
	batch, err := bcastShape(a.shape[:len(a.shape)-1], b.shape[:len(b.shape)-1])
	if err != nil {
		panic(err)
	}
	dt := promote(a.dt, b.dt)
	nc := 3
	shape := append(slices.Clone(batch), 3)
	if la == 2 && lb == 2 {
		nc, shape = 1, batch
	}
	want, scale = newRef(shape, dt), newRef(shape, graph.Float64)
	ab := &ref{shape: a.shape[:len(a.shape)-1]}
	bb := &ref{shape: b.shape[:len(b.shape)-1]}
	idx := make([]int, len(batch))
	for k := 0; k < size(batch); k++ {
		unravel(k, batch, idx)
		ka, kb := ab.bcastIndex(idx)*la, bb.bcastIndex(idx)*lb
		// component i of a as float64 and int64; 0 past its length
		fa := func(i int) float64 {
			if i >= la {
				return 0
			}
			return roundF(dt, a.fl(ka+i))
		}
		fb := func(i int) float64 {
			if i >= lb {
				return 0
			}
			return roundF(dt, b.fl(kb+i))
		}
		ia := func(i int) int64 {
			if i >= la || isF(a.dt) {
				return 0
			}
			return a.i[ka+i]
		}
		ib := func(i int) int64 {
			if i >= lb || isF(b.dt) {
				return 0
			}
			return b.i[kb+i]
		}
		// component c = p(i, j) - p(j', i') in NumPy's form
		comps := [3][4]int{{1, 2, 2, 1}, {2, 0, 0, 2}, {0, 1, 1, 0}}
		for c := 0; c < nc; c++ {
			cc := c
			if nc == 1 {
				cc = 2
			}
			q := comps[cc]
			o := k*nc + c
			if isF(dt) {
				p1 := roundF(dt, fa(q[0])*fb(q[1]))
				p2 := roundF(dt, fa(q[2])*fb(q[3]))
				var f float64
				switch {
				case cc == 0 && la == 2: // a1*b2
					f = p1
				case cc == 1 && la == 2: // -(a0*b2)
					f = -p2
				case cc == 0 && lb == 2: // -(a2*b1)
					f = -p2
				case cc == 1 && lb == 2: // a2*b0
					f = p1
				default:
					f = p1 - p2
				}
				want.setF(o, f)
				scale.f[o] = math.Abs(p1) + math.Abs(p2)
			} else {
				want.setI(o, ia(q[0])*ib(q[1])-ia(q[2])*ib(q[3]))
			}
		}
	}
	return want, scale
}

// TestCross: np.cross of 3- and 2-vectors in every pairing over
// broadcast leading axes, random chunkings and dtypes (integers wrap),
// against loops (floats within an ulp of the products' size, the signs
// of zeros as NumPy's); bad lengths, bool and 0-d are errors.
func TestCross(t *testing.T) {
	v := newEnv(t)
	num := []graph.DType{graph.Int32, graph.Int64, graph.Float32, graph.Float64}
	for c := 0; c < cases(25); c++ {
		sh := v.bcastShapes(2)
		var xs [2]operand
		for i := range xs {
			s := append(slices.Clone(sh[i]), 2+v.r.IntN(2))
			if v.r.IntN(3) > 0 {
				s[len(s)-1] = 3
			}
			kind := vSpecial
			if v.r.IntN(4) == 0 {
				kind = vWide
			}
			xs[i] = v.operand(s, v.dtype(num...), kind)
		}
		desc := fmt.Sprintf("case %d: cross(%v, %v)", c, xs[0], xs[1])
		want, scale := refCross(xs[0].ref, xs[1].ref)
		got := v.one(desc, array.Cross(xs[0].a, xs[1].a))
		if isF(want.dt) {
			near(t, desc, got, want, scale.f, ulpTol(want.dt))
			// the sign of a zero is NumPy's too
			g := refOf(got)
			for k := range want.f {
				if want.f[k] == 0 && g.f[k] == 0 && math.Signbit(want.f[k]) != math.Signbit(g.f[k]) {
					t.Errorf("%s: [%d] got %v want %v", desc, k, g.f[k], want.f[k])
					break
				}
			}
		} else {
			exact(t, desc, got, want)
		}
		if t.Failed() {
			return
		}
	}
	f := func(s ...int) *array.Array { return array.Ones(s, graph.Float64) }
	wantErr(t, "length 4", array.Cross(f(2, 4), f(2, 3)).Err(), "cross", "4", "2 or 3")
	wantErr(t, "0-d", array.Cross(array.Float(1), f(3)).Err(), "cross", "0-d")
	wantErr(t, "bool", array.Cross(array.Ones([]int{3}, graph.Bool), array.Ones([]int{3}, graph.Bool)).Err(), "cross", "bool")
	wantErr(t, "batch", array.Cross(f(2, 3), f(4, 3)).Err(), "cross", "(2, 3)", "(4, 3)", "broadcast")
}

// refInner is the sum over the last axes of a (m..., k) and b (n..., k)
// by loops, of shape m... + n..., in the promoted dtype (bool: any
// product true; floats summed in float64, with the sum of |products| as
// the scale).
func refInner(a, b *ref) (want, scale *ref) {
	kk := a.shape[len(a.shape)-1]
	ma, mb := a.shape[:len(a.shape)-1], b.shape[:len(b.shape)-1]
	dt := promote(a.dt, b.dt)
	out := append(slices.Clone(ma), mb...)
	want, scale = newRef(out, dt), newRef(out, graph.Float64)
	nb := size(mb)
	for k := 0; k < want.n(); k++ {
		i, j := k/max(nb, 1), k%max(nb, 1)
		var s, sa float64
		var si int64
		for l := 0; l < kk; l++ {
			x, y := a.fl(i*kk+l), b.fl(j*kk+l)
			s += x * y
			sa += math.Abs(x * y)
			if !isF(dt) {
				si += a.i[i*kk+l] * b.i[j*kk+l]
			}
		}
		if isF(dt) {
			want.setF(k, s)
			scale.f[k] = sa
		} else {
			want.setI(k, si)
		}
	}
	return want, scale
}

// TestVdotInner: np.vdot of random arrays of one size and different
// shapes, np.inner of random shapes with a common last axis (a 0-d
// operand multiplies), over random chunkings and dtypes, against loops;
// mismatched sizes and last axes are errors.
func TestVdotInner(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(20); c++ {
		dta, dtb := v.dtype(), v.dtype()
		sa := v.smallShape(0, 3, 5)
		sb := v.smallShape(0, 3, 5)
		if len(sa) > 0 && len(sb) > 0 {
			sb[len(sb)-1] = sa[len(sa)-1]
		}
		a, b := v.operand(sa, dta, vNear1), v.operand(sb, dtb, vNear1)
		desc := fmt.Sprintf("case %d: inner(%v, %v)", c, a, b)
		var want, scale *ref
		if len(sa) == 0 || len(sb) == 0 {
			want = refArith("mul", a.ref, b.ref)
		} else {
			want, scale = refInner(a.ref, b.ref)
		}
		got := v.one(desc, array.Inner(a.a, b.a))
		if isF(want.dt) && scale != nil {
			near(t, desc, got, want, scale.f, relTol(want.dt, 4*sa[len(sa)-1]))
		} else {
			exact(t, desc, got, want)
		}
		// vdot: b's values in the reversed shape of a's
		rev := slices.Clone(sa)
		slices.Reverse(rev)
		b2 := v.operand(rev, dtb, vNear1)
		desc = fmt.Sprintf("case %d: vdot(%v, %v)", c, a, b2)
		fa, fb := *a.ref, *b2.ref
		fa.shape, fb.shape = []int{a.ref.n()}, []int{a.ref.n()}
		want, scale = refInner(&fa, &fb)
		got = v.one(desc, array.Vdot(a.a, b2.a))
		if isF(want.dt) {
			near(t, desc, got, want, scale.f, relTol(want.dt, 4*a.ref.n()))
		} else {
			exact(t, desc, got, want)
		}
		if t.Failed() {
			return
		}
	}
	f := func(s ...int) *array.Array { return array.Ones(s, graph.Float64) }
	wantErr(t, "vdot sizes", array.Vdot(f(2, 3), f(5)).Err(), "vdot", "6", "5")
	wantErr(t, "inner last axes", array.Inner(f(2, 3), f(3, 2)).Err(), "inner", "(2, 3)", "(3, 2)")
}

// refDiagonal is np.diagonal by loops: the other axes in order, then i
// along the diagonal, reading x[..., i+r0 at a1, ..., i+c0 at a2, ...].
func refDiagonal(x *ref, off, a1, a2 int) *ref {
	r0, c0 := max(-off, 0), max(off, 0)
	n := max(0, min(x.shape[a1]-r0, x.shape[a2]-c0))
	var rest []int
	var shape []int
	for a, s := range x.shape {
		if a != a1 && a != a2 {
			rest = append(rest, a)
			shape = append(shape, s)
		}
	}
	shape = append(shape, n)
	o := newRef(shape, x.dt)
	st := strides(x.shape)
	idx := make([]int, len(shape))
	for k := 0; k < o.n(); k++ {
		unravel(k, shape, idx)
		i := idx[len(idx)-1]
		src := (i+r0)*st[a1] + (i+c0)*st[a2]
		for q, a := range rest {
			src += idx[q] * st[a]
		}
		o.copyFrom(k, x, src)
	}
	return o
}

// TestDiagonal: np.diagonal of 2- to 4-d random arrays at random offsets
// (past either end too) and random pairs of axes in either order, given
// negative or not, over random chunkings and dtypes, bit for bit against
// loops; bad axes are errors.
func TestDiagonal(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(25); c++ {
		shape := v.smallShape(2, 4, 6)
		nd := len(shape)
		x := v.operand(shape, v.dtype(), vSpecial)
		a1 := v.r.IntN(nd)
		a2 := (a1 + 1 + v.r.IntN(nd-1)) % nd
		off := v.r.IntN(15) - 7
		g1, g2 := a1, a2
		if v.r.IntN(2) == 0 {
			g1 -= nd
		}
		if v.r.IntN(2) == 0 {
			g2 -= nd
		}
		desc := fmt.Sprintf("case %d: diagonal(%v, offset=%d, axis1=%d, axis2=%d)", c, x, off, g1, g2)
		exact(t, desc, v.one(desc, x.a.Diagonal(off, g1, g2)), refDiagonal(x.ref, off, a1, a2))
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{2, 3, 4}, graph.Float64)
	wantErr(t, "1-d", array.Ones([]int{3}, graph.Float64).Diagonal(0, 0, 1).Err(), "diagonal", "1-d")
	wantErr(t, "same axis", x.Diagonal(0, 1, -2).Err(), "diagonal", "same axis")
	wantErr(t, "axis out of range", x.Diagonal(0, 0, 3).Err(), "diagonal", "axis 3")
}

// gaussJordan inverts the n x n matrix m (row-major float64) with partial
// pivoting.
func gaussJordan(m []float64, n int) []float64 {
	a := slices.Clone(m)
	inv := make([]float64, n*n)
	for i := range n {
		inv[i*n+i] = 1
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r*n+c]) > math.Abs(a[p*n+c]) {
				p = r
			}
		}
		for j := range n {
			a[c*n+j], a[p*n+j] = a[p*n+j], a[c*n+j]
			inv[c*n+j], inv[p*n+j] = inv[p*n+j], inv[c*n+j]
		}
		d := a[c*n+c]
		for j := range n {
			a[c*n+j] /= d
			inv[c*n+j] /= d
		}
		for r := range n {
			if r != c {
				f := a[r*n+c]
				for j := range n {
					a[r*n+j] -= f * a[c*n+j]
					inv[r*n+j] -= f * inv[c*n+j]
				}
			}
		}
	}
	return inv
}

// refMatrixPower is x (a stack of m x m matrices) to the power p by
// loops: the identity, p-1 products with x, or for p < 0 the same with
// x's inverse (in float64, float32 for float32); abs gives |x|'s (|x⁻¹|'s)
// power, the scale of the rounding.
func refMatrixPower(x *ref, p int, abs bool) *ref {
	nd := len(x.shape)
	m := x.shape[nd-1]
	dt := x.dt
	if p < 0 && dt != graph.Float32 {
		dt = graph.Float64
	}
	batch := size(x.shape[:nd-2])
	o := newRef(x.shape, dt)
	for s := 0; s < batch; s++ {
		mat := newRef([]int{m, m}, x.dt)
		for k := 0; k < m*m; k++ {
			mat.copyFrom(k, x, s*m*m+k)
		}
		if p < 0 {
			f := make([]float64, m*m)
			for k := range f {
				f[k] = mat.fl(k)
			}
			inv := newRef([]int{m, m}, dt)
			for k, v := range gaussJordan(f, m) {
				inv.setF(k, v)
			}
			mat = inv
		}
		if abs {
			for k := range mat.f {
				mat.f[k] = math.Abs(mat.f[k])
			}
		}
		res := newRef([]int{m, m}, dt)
		for i := range m {
			if isF(dt) {
				res.f[i*m+i] = 1
			} else {
				res.i[i*m+i] = 1
			}
		}
		for range max(p, -p) {
			res = refMatMul(res, mat)
		}
		for k := 0; k < m*m; k++ {
			o.copyFrom(s*m*m+k, res, k)
		}
	}
	return o
}

// TestMatrixPower: np.linalg.matrix_power of random (stacks of) square
// matrices over random chunkings and dtypes, for powers -3 to 9 (the
// repeated squaring's every branch), against repeated products by loops
// (integers and the identity bit for bit, floats within rounding of |x|'s
// power); negative powers of diagonally dominant matrices against a
// Gauss-Jordan inverse; bad shapes are errors.
func TestMatrixPower(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(20); c++ {
		m := min(v.axisLen(), 5)
		shape := append(v.smallShape(0, 1, 3), m, m)
		p := v.r.IntN(13) - 3
		dts := allDTypes
		if p < 0 {
			dts = []graph.DType{graph.Int32, graph.Int64, graph.Float32, graph.Float64}
		}
		r := v.values(shape, v.dtype(dts...), vNear1)
		if p < 0 { // diagonally dominant
			for k := 0; k < r.n(); k++ {
				if i := k % (m * m); i/m == i%m {
					if isF(r.dt) {
						r.setF(k, r.f[k]+float64(m)+1)
					} else {
						r.setI(k, r.i[k]+int64(2*m)+1)
					}
				}
			}
		}
		ch := v.chunks(shape)
		x := operand{r, ch, arr(r, ch)}
		desc := fmt.Sprintf("case %d: matrix_power(%v, %d)", c, x, p)
		want := refMatrixPower(x.ref, p, false)
		got := v.one(desc, array.MatrixPower(x.a, p))
		if isF(want.dt) && p != 0 {
			near(t, desc, got, want, refMatrixPower(x.ref, p, true).f, relTol(want.dt, 8*m*max(p, -p)))
		} else {
			exact(t, desc, got, want)
		}
		if t.Failed() {
			return
		}
	}
	for _, shape := range [][]int{{0, 2, 2}, {2, 0, 0}, {0, 0}} { // no matrices, or 0 x 0
		for _, dt := range []graph.DType{graph.Int32, graph.Float32} {
			desc := fmt.Sprintf("matrix_power(%v%v, -2)", dt, shape)
			exact(t, desc, v.one(desc, array.MatrixPower(array.Ones(shape, dt), -2)), newRef(shape, ufloat(dt)))
		}
	}
	f := func(s ...int) *array.Array { return array.Ones(s, graph.Float64) }
	wantErr(t, "stack too large", array.MatrixPower(f(array.MaxStack+1, 1, 1), -1).Err(), "matrix_power", "at most")
	wantErr(t, "1-d", array.MatrixPower(f(3), 2).Err(), "matrix_power", "1-d")
	wantErr(t, "not square", array.MatrixPower(f(2, 3, 4), 2).Err(), "matrix_power", "(2, 3, 4)", "square")
}
