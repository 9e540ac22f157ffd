package array_test

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// mx is a dense row-major float64 matrix of the references.
type mx struct {
	r, c int
	v    []float64
}

func (m mx) at(i, j int) float64 { return m.v[i*m.c+j] }

func (m mx) t() mx {
	o := mx{m.c, m.r, make([]float64, len(m.v))}
	for i := 0; i < m.r; i++ {
		for j := 0; j < m.c; j++ {
			o.v[j*m.r+i] = m.at(i, j)
		}
	}
	return o
}

// mul is a @ b by the triple loop.
func (m mx) mul(b mx) mx {
	o := mx{m.r, b.c, make([]float64, m.r*b.c)}
	for i := 0; i < m.r; i++ {
		for j := 0; j < b.c; j++ {
			var s float64
			for p := 0; p < m.c; p++ {
				s += m.at(i, p) * b.at(p, j)
			}
			o.v[i*b.c+j] = s
		}
	}
	return o
}

func eye(n int) mx {
	o := mx{n, n, make([]float64, n*n)}
	for i := 0; i < n; i++ {
		o.v[i*n+i] = 1
	}
	return o
}

// mxOf is a computed 2-d (or 1-d, as a column) result.
func mxOf(nd *array.NDArray) mx {
	v := nd.Float64s()
	switch len(nd.Shape) {
	case 1:
		return mx{nd.Shape[0], 1, v}
	case 2:
		return mx{nd.Shape[0], nd.Shape[1], v}
	}
	panic(fmt.Sprint("mxOf: shape ", nd.Shape))
}

// normal fills a ref of shape (and dtype dt) with N(0, 1) values (ints:
// in [-9, 9]), rounded to dt.
func (v *env) normal(dt graph.DType, shape ...int) *ref {
	r := newRef(shape, dt)
	for k := 0; k < r.n(); k++ {
		if dt.IsInt() {
			r.setI(k, int64(v.r.IntN(19))-9)
		} else {
			r.setF(k, v.r.NormFloat64())
		}
	}
	return r
}

func refMx(r *ref) mx {
	o := mx{r.shape[0], 1, make([]float64, r.n())}
	if len(r.shape) == 2 {
		o.c = r.shape[1]
	}
	for k := range o.v {
		o.v[k] = r.fl(k)
	}
	return o
}

// closeMx reports whether |a - b| <= tol·max(1, max|b|) elementwise, with
// a description of the worst element otherwise.
func closeMx(a, b mx, tol float64) (bool, string) {
	if a.r != b.r || a.c != b.c {
		return false, fmt.Sprintf("shape %dx%d, want %dx%d", a.r, a.c, b.r, b.c)
	}
	scale := 1.0
	for _, x := range b.v {
		scale = math.Max(scale, math.Abs(x))
	}
	worst, at := 0.0, -1
	for k := range b.v {
		d := math.Abs(a.v[k] - b.v[k])
		if !(d <= worst) {
			worst, at = d, k
		}
	}
	if at >= 0 && !(worst <= tol*scale) {
		return false, fmt.Sprintf("[%d] %v vs %v (|d| %g, scale %g)", at, a.v[at], b.v[at], worst, scale)
	}
	return true, ""
}

func checkClose(t *testing.T, desc, what string, a, b mx, tol float64) {
	t.Helper()
	if ok, why := closeMx(a, b, tol); !ok {
		t.Errorf("%s: %s: %s", desc, what, why)
	}
}

// jacobiEig is the eigen-decomposition of a symmetric matrix by cyclic
// Jacobi rotations: eigenvalues descending and the eigenvectors as the
// columns of v.
func jacobiEig(a mx) ([]float64, mx) {
	n := a.r
	a = mx{n, n, slices.Clone(a.v)}
	v := eye(n)
	for sweep := 0; sweep < 100; sweep++ {
		off := 0.0
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				off += a.at(i, j) * a.at(i, j)
			}
		}
		if off < 1e-30 {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				apq := a.at(p, q)
				if apq == 0 {
					continue
				}
				theta := (a.at(q, q) - a.at(p, p)) / (2 * apq)
				tt := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(tt*tt+1)
				s := tt * c
				for k := 0; k < n; k++ {
					akp, akq := a.at(k, p), a.at(k, q)
					a.v[k*n+p], a.v[k*n+q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := 0; k < n; k++ {
					apk, aqk := a.at(p, k), a.at(q, k)
					a.v[p*n+k], a.v[q*n+k] = c*apk-s*aqk, s*apk+c*aqk
				}
				for k := 0; k < n; k++ {
					vkp, vkq := v.at(k, p), v.at(k, q)
					v.v[k*n+p], v.v[k*n+q] = c*vkp-s*vkq, s*vkp+c*vkq
				}
			}
		}
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(x, y int) bool { return a.at(idx[x], idx[x]) > a.at(idx[y], idx[y]) })
	ev := make([]float64, n)
	vs := mx{n, n, make([]float64, n*n)}
	for k, i := range idx {
		ev[k] = a.at(i, i)
		for r := 0; r < n; r++ {
			vs.v[r*n+k] = v.at(r, i)
		}
	}
	return ev, vs
}

// refSingular is the singular values of a (descending, min(m, n) of
// them) from the eigenvalues of the smaller Gram matrix.
func refSingular(a mx) []float64 {
	g := a.t().mul(a)
	if a.r < a.c {
		g = a.mul(a.t())
	}
	ev, _ := jacobiEig(g)
	for i, e := range ev {
		ev[i] = math.Sqrt(math.Max(e, 0))
	}
	return ev
}

// randChunks is a random chunking of shape, sometimes one block, sometimes
// blocks of one or two rows (a deep tree).
func (v *env) randChunks(shape []int) chunks.Chunks {
	ch := v.chunks(shape)
	if v.r.IntN(4) == 0 && shape[0] > 0 {
		sz := 1 + v.r.IntN(2)
		ch[0] = nil
		for left := shape[0]; left > 0; left -= sz {
			ch[0] = append(ch[0], min(sz, left))
		}
	}
	return ch
}

func tolOf(dt graph.DType) float64 {
	if dt == graph.Float32 {
		return 2e-5
	}
	return 1e-11
}

// TestQR: random tall and wide matrices of float64, float32 and int64,
// random chunkings (blocks of one or two rows too: a tree of two levels;
// TestQRChunkingFree has three): QR
// = A, QᵀQ = I, R upper triangular with a non-negative diagonal, and for
// full rank Q and R equal modified Gram-Schmidt's (a loop), the one QR
// with that diagonal.
func TestQR(t *testing.T) {
	v := newEnv(t)
	levels := false
	for c := 0; c < cases(4); c++ {
		var m, n int
		if v.r.IntN(3) > 0 {
			n = v.r.IntN(7)
			m = n + v.r.IntN(40)
		} else {
			m = v.r.IntN(6)
			n = m + 1 + v.r.IntN(12)
		}
		dt := v.dtype(graph.Float64, graph.Float64, graph.Float32, graph.Int64)
		a := v.normal(dt, m, n)
		ch := v.randChunks([]int{m, n})
		desc := fmt.Sprintf("case %d: qr of %v %dx%d chunks %v", c, dt, m, n, ch)
		q, r := array.QR(arr(a, ch))
		res, err := v.compute([]*array.Array{q, r})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		k := min(m, n)
		want := graph.Float64
		if dt == graph.Float32 {
			want = graph.Float32
		}
		if !slices.Equal(res[0].Shape, []int{m, k}) || !slices.Equal(res[1].Shape, []int{k, n}) || res[0].DType != want || res[1].DType != want {
			t.Fatalf("%s: Q %v%v and R %v%v, want %v (%d, %d) and (%d, %d)", desc, res[0].DType, res[0].Shape, res[1].DType, res[1].Shape, want, m, k, k, n)
		}
		qm, rm, am := mxOf(res[0]), mxOf(res[1]), refMx(a)
		tol := tolOf(dt)
		checkClose(t, desc, "Q R vs A", qm.mul(rm), am, tol*float64(n+1))
		checkClose(t, desc, "QᵀQ vs I", qm.t().mul(qm), eye(k), tol*float64(m+1))
		for i := 0; i < k; i++ {
			if rm.at(i, i) < 0 {
				t.Errorf("%s: R[%d,%d] = %v < 0", desc, i, i, rm.at(i, i))
			}
			for j := 0; j < i; j++ {
				if rm.at(i, j) != 0 {
					t.Errorf("%s: R[%d,%d] = %v below the diagonal", desc, i, j, rm.at(i, j))
				}
			}
		}
		if dt != graph.Int64 && m >= n && n > 0 {
			mq, mr := mgsRef(am)
			checkClose(t, desc, "R vs Gram-Schmidt", rm, mr, 1e3*tol)
			checkClose(t, desc, "Q vs Gram-Schmidt", qm, mq, 1e3*tol)
		}
		if nb := len(nonEmptyBlocks(ch[0])); m >= n && nb > 8 {
			levels = true
			leafAndTree := countTasks(t, func(tk *graph.Task) bool {
				p, ok := tk.Op.Params.(*graph.LinalgParams)
				return ok && p.Kind == graph.LinalgQR
			}, r)
			if leafAndTree <= len(ch[0]) {
				t.Errorf("%s: %d QR tasks for %d row blocks: no tree", desc, leafAndTree, len(ch[0]))
			}
		}
		if t.Failed() {
			return
		}
	}
	if !levels {
		t.Log("no case had more than 8 row blocks")
	}
	wantErr(t, "1-d", func() error { q, _ := array.QR(array.Ones([]int{3}, graph.Float64)); return q.Err() }(), "qr", "2-d")
}

func nonEmptyBlocks(c []int) []int {
	var o []int
	for _, s := range c {
		if s > 0 {
			o = append(o, s)
		}
	}
	return o
}

// mgsRef is the QR of a full-rank tall a by modified Gram-Schmidt.
func mgsRef(a mx) (q, r mx) {
	m, n := a.r, a.c
	q = mx{m, n, slices.Clone(a.v)}
	r = mx{n, n, make([]float64, n*n)}
	for j := 0; j < n; j++ {
		var s float64
		for i := 0; i < m; i++ {
			s += q.at(i, j) * q.at(i, j)
		}
		r.v[j*n+j] = math.Sqrt(s)
		for i := 0; i < m; i++ {
			q.v[i*n+j] /= r.v[j*n+j]
		}
		for k := j + 1; k < n; k++ {
			var d float64
			for i := 0; i < m; i++ {
				d += q.at(i, j) * q.at(i, k)
			}
			r.v[j*n+k] = d
			for i := 0; i < m; i++ {
				q.v[i*n+k] -= d * q.at(i, j)
			}
		}
	}
	return q, r
}

// TestQRChunkingFree: a full-rank matrix has the same QR (to rounding)
// in one block and in 90 (a tree of three levels), and the same singular
// values, with U S Vt = A through the three levels.
func TestQRChunkingFree(t *testing.T) {
	v := newEnv(t)
	a := v.normal(graph.Float64, 90, 6)
	one, many := arr(a, chunks.Chunks{{90}, {6}}), arr(a, chunks.Chunks{slices.Repeat([]int{1}, 90), {2, 4}})
	q1, r1 := array.QR(one)
	q2, r2 := array.QR(many)
	_, s1, _ := array.SVD(one)
	u2, s2, vt2 := array.SVD(many)
	levels := countTasks(t, func(tk *graph.Task) bool {
		p, ok := tk.Op.Params.(*graph.LinalgParams)
		return ok && p.Kind == graph.LinalgQR
	}, r2)
	if levels != 90+12+2+1 {
		t.Errorf("%d QR tasks for 90 row blocks, want 90 + 12 + 2 + 1 (three levels)", levels)
	}
	res, err := v.compute([]*array.Array{q1, r1, q2, r2, s1, u2, s2, vt2})
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "one block vs 90", "Q", mxOf(res[2]), mxOf(res[0]), 1e-12)
	checkClose(t, "one block vs 90", "R", mxOf(res[3]), mxOf(res[1]), 1e-12)
	checkClose(t, "one block vs 90", "S", mxOf(res[6]), mxOf(res[4]), 1e-12)
	us := mxOf(res[5])
	for i := 0; i < us.r; i++ {
		for j := 0; j < us.c; j++ {
			us.v[i*us.c+j] *= res[6].Float64s()[j]
		}
	}
	checkClose(t, "90 blocks", "U S Vt vs A", us.mul(mxOf(res[7])), refMx(a), 1e-12)
}

// TestSVD: U diag(S) Vt = A, orthonormal U and V, S descending and equal
// to the square roots of the Gram matrix's eigenvalues (Jacobi, a loop).
func TestSVD(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(4); c++ {
		m, n := v.r.IntN(30), v.r.IntN(8)
		if v.r.IntN(2) == 0 {
			m, n = n, m
		}
		dt := v.dtype(graph.Float64, graph.Float32, graph.Int32)
		a := v.normal(dt, m, n)
		ch := v.randChunks([]int{m, n})
		desc := fmt.Sprintf("case %d: svd of %v %dx%d chunks %v", c, dt, m, n, ch)
		u, s, vt := array.SVD(arr(a, ch))
		res, err := v.compute([]*array.Array{u, s, vt})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		k := min(m, n)
		if !slices.Equal(res[0].Shape, []int{m, k}) || !slices.Equal(res[1].Shape, []int{k}) || !slices.Equal(res[2].Shape, []int{k, n}) {
			t.Fatalf("%s: shapes %v %v %v", desc, res[0].Shape, res[1].Shape, res[2].Shape)
		}
		um, sv, vm, am := mxOf(res[0]), res[1].Float64s(), mxOf(res[2]), refMx(a)
		us := mx{m, k, slices.Clone(um.v)}
		for i := 0; i < m; i++ {
			for j := 0; j < k; j++ {
				us.v[i*k+j] *= sv[j]
			}
		}
		tol := tolOf(dt)
		checkClose(t, desc, "U S Vt vs A", us.mul(vm), am, tol*float64(max(m, n)+1))
		checkClose(t, desc, "UᵀU vs I", um.t().mul(um), eye(k), tol*float64(m+1))
		checkClose(t, desc, "V Vᵀ vs I", vm.mul(vm.t()), eye(k), tol*float64(n+1))
		ref := refSingular(am)
		checkClose(t, desc, "S vs Jacobi", mx{k, 1, sv}, mx{k, 1, ref[:k]}, 1e3*tol)
		for j := 1; j < k; j++ {
			if sv[j] > sv[j-1] || sv[j] < 0 {
				t.Errorf("%s: S = %v not descending and non-negative", desc, sv)
				break
			}
		}
		if t.Failed() {
			return
		}
	}
}

// refCholesky is the lower factor by the Cholesky-Banachiewicz loop
// (false when a is not positive definite).
func refCholesky(a mx) (mx, bool) {
	n := a.r
	l := mx{n, n, make([]float64, n*n)}
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := a.at(i, j)
			for k := 0; k < j; k++ {
				s -= l.at(i, k) * l.at(j, k)
			}
			if i == j {
				if s <= 0 {
					return l, false
				}
				l.v[i*n+i] = math.Sqrt(s)
			} else {
				l.v[i*n+j] = s / l.at(j, j)
			}
		}
	}
	return l, true
}

// spd is a random symmetric positive definite matrix, its upper triangle
// overwritten by noise when noisy (Cholesky must not read it).
func (v *env) spd(n int, noisy bool) (clean, given mx) {
	g := refMx(v.normal(graph.Float64, n, n))
	clean = g.mul(g.t())
	for i := 0; i < n; i++ {
		clean.v[i*n+i] += float64(n)
	}
	given = mx{n, n, slices.Clone(clean.v)}
	if noisy {
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				given.v[i*n+j] = 1e3 * v.r.NormFloat64()
			}
		}
	}
	return clean, given
}

func mxArr(m mx, ch chunks.Chunks) *array.Array {
	return array.FromSlice(slices.Clone(m.v), []int{m.r, m.c}, array.ExplicitChunks(ch))
}

// TestCholesky: blocked Cholesky of random SPD matrices under random
// chunkings against the loop; its upper triangle is never read; an
// indefinite matrix is an error.
func TestCholesky(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(3); c++ {
		n := v.r.IntN(24)
		clean, given := v.spd(n, true)
		ch := v.randChunks([]int{n, n})
		desc := fmt.Sprintf("case %d: cholesky %dx%d chunks %v", c, n, n, ch)
		got := v.one(desc, array.Cholesky(mxArr(given, ch)))
		want, _ := refCholesky(clean)
		checkClose(t, desc, "L vs loop", mxOf(got), want, 1e-12)
		if t.Failed() {
			return
		}
	}
	bad := mx{3, 3, []float64{4, 2, 0, 2, 1, 5, 0, 5, 3}}
	_, err := v.compute([]*array.Array{array.Cholesky(mxArr(bad, chunks.Chunks{{2, 1}, {1, 2}}))})
	wantErr(t, "indefinite", err, "not positive definite")
	wantErr(t, "non-square", array.Cholesky(array.Ones([]int{3, 4}, graph.Float64)).Err(), "cholesky", "square")
}

// refTriSolve solves t x = b by substitution (lower or upper triangle).
func refTriSolve(tm, b mx, lower bool) mx {
	n := tm.r
	x := mx{b.r, b.c, make([]float64, len(b.v))}
	for col := 0; col < b.c; col++ {
		for s := 0; s < n; s++ {
			i := s
			if !lower {
				i = n - 1 - s
			}
			acc := b.at(i, col)
			for j := 0; j < n; j++ {
				if (lower && j < i) || (!lower && j > i) {
					acc -= tm.at(i, j) * x.at(j, col)
				}
			}
			x.v[i*b.c+col] = acc / tm.at(i, i)
		}
	}
	return x
}

func TestSolveTriangular(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(4); c++ {
		n, k := v.r.IntN(20), v.r.IntN(5)
		lower := v.r.IntN(2) == 0
		tm := refMx(v.normal(graph.Float64, n, n))
		for i := 0; i < n; i++ {
			tm.v[i*n+i] = 3 + v.r.Float64()
		}
		vec := v.r.IntN(3) == 0
		bshape := []int{n, k}
		if vec {
			bshape = bshape[:1]
		}
		b := v.normal(graph.Float64, bshape...)
		tch, bch := v.randChunks([]int{n, n}), v.randChunks(bshape)
		desc := fmt.Sprintf("case %d: solve_triangular(lower %v) %dx%d chunks %v, b %v chunks %v", c, lower, n, n, tch, bshape, bch)
		got := v.one(desc, array.SolveTriangular(mxArr(tm, tch), arr(b, bch), lower))
		if !slices.Equal(got.Shape, bshape) {
			t.Fatalf("%s: shape %v", desc, got.Shape)
		}
		checkClose(t, desc, "x vs substitution", mxOf(got), refTriSolve(tm, refMx(b), lower), 1e-11)
		if t.Failed() {
			return
		}
	}
	z := mx{2, 2, []float64{1, 0, 5, 0}}
	_, err := v.compute([]*array.Array{array.SolveTriangular(mxArr(z, chunks.Chunks{{2}, {2}}), array.Ones([]int{2}, graph.Float64), true)})
	wantErr(t, "zero diagonal", err, "singular")
	wantErr(t, "mismatch", array.SolveTriangular(array.Eye(3, 3, 0, graph.Float64), array.Ones([]int{4}, graph.Float64), true).Err(), "solve_triangular", "(3,)")
}

// refSolve solves a x = b by Gaussian elimination with partial pivoting.
func refSolve(a, b mx) mx {
	n := a.r
	a = mx{n, n, slices.Clone(a.v)}
	x := mx{b.r, b.c, slices.Clone(b.v)}
	for p := 0; p < n; p++ {
		piv := p
		for i := p + 1; i < n; i++ {
			if math.Abs(a.at(i, p)) > math.Abs(a.at(piv, p)) {
				piv = i
			}
		}
		for j := 0; j < n; j++ {
			a.v[p*n+j], a.v[piv*n+j] = a.v[piv*n+j], a.v[p*n+j]
		}
		for j := 0; j < x.c; j++ {
			x.v[p*x.c+j], x.v[piv*x.c+j] = x.v[piv*x.c+j], x.v[p*x.c+j]
		}
		for i := p + 1; i < n; i++ {
			f := a.at(i, p) / a.at(p, p)
			for j := p; j < n; j++ {
				a.v[i*n+j] -= f * a.at(p, j)
			}
			for j := 0; j < x.c; j++ {
				x.v[i*x.c+j] -= f * x.at(p, j)
			}
		}
	}
	return refTriSolve(a, x, false)
}

func TestSolveInv(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(3); c++ {
		n, k := v.r.IntN(16), v.r.IntN(4)
		dt := v.dtype(graph.Float64, graph.Float32, graph.Int64)
		a := v.normal(dt, n, n)
		for i := 0; i < n; i++ {
			if dt.IsInt() {
				a.setI(i*n+i, int64(10*n+1))
			} else {
				a.setF(i*n+i, a.fl(i*n+i)+float64(2*n))
			}
		}
		vec := v.r.IntN(3) == 0
		bshape := []int{n, k}
		if vec {
			bshape = bshape[:1]
		}
		bdt := v.dtype(graph.Float64, graph.Float32)
		b := v.normal(bdt, bshape...)
		ach, bch := v.randChunks([]int{n, n}), v.randChunks(bshape)
		desc := fmt.Sprintf("case %d: solve %v %dx%d chunks %v, b %v %v chunks %v", c, dt, n, n, ach, bdt, bshape, bch)
		x := array.Solve(arr(a, ach), arr(b, bch))
		inv := array.Inv(arr(a, ach))
		res, err := v.compute([]*array.Array{x, inv})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		wantInv, wantX := graph.Float64, graph.Float64
		if dt == graph.Float32 {
			wantInv = graph.Float32
			if bdt == graph.Float32 {
				wantX = graph.Float32
			}
		}
		if !slices.Equal(res[0].Shape, bshape) || res[0].DType != wantX {
			t.Fatalf("%s: x is %v%v, want %v%v", desc, res[0].DType, res[0].Shape, wantX, bshape)
		}
		if want := (chunks.Chunks{ach[1], ach[0]}); !inv.Chunks().Equal(want) {
			t.Errorf("%s: inv's chunks %v, want %v (the transpose's)", desc, inv.Chunks(), want)
		}
		if res[1].DType != wantInv {
			t.Errorf("%s: inv is %v, want %v", desc, res[1].DType, wantInv)
		}
		am := refMx(a)
		checkClose(t, desc, "x vs elimination", mxOf(res[0]), refSolve(am, refMx(b)), tolOf(wantX))
		checkClose(t, desc, "inv vs elimination", mxOf(res[1]), refSolve(am, eye(n)), tolOf(dt))
		if t.Failed() {
			return
		}
	}
	sing := mx{3, 3, []float64{1, 2, 3, 2, 4, 6, 1, 0, 1}}
	_, err := v.compute([]*array.Array{array.Inv(mxArr(sing, chunks.Chunks{{1, 2}, {3}}))})
	wantErr(t, "singular", err, "singular")
	wantErr(t, "non-square", array.Solve(array.Ones([]int{2, 3}, graph.Float64), array.Ones([]int{2}, graph.Float64)).Err(), "solve", "square")
	wantErr(t, "mismatch", array.Solve(array.Eye(3, 3, 0, graph.Float64), array.Ones([]int{2, 2}, graph.Float64)).Err(), "solve", "(3, k)")
}

// refLstsq is the least-norm least-squares solution by the
// eigen-decomposition of AᵀA (Jacobi), dropping the directions whose
// singular value is below 1e-6·s_max (the Gram matrix's rounding leaves
// about sqrt(eps)·s_max where a is exactly deficient; the test's
// matrices are either that or far from it).
func refLstsq(a, b mx) (x mx, rank int, s []float64) {
	ev, vecs := jacobiEig(a.t().mul(a))
	s = refSingular(a)
	tol := 0.0
	if len(s) > 0 {
		tol = s[0] * 1e-6
	}
	atb := a.t().mul(b)
	x = mx{a.c, b.c, make([]float64, a.c*b.c)}
	for k, e := range ev {
		if math.Sqrt(math.Max(e, 0)) <= tol {
			continue
		}
		rank++
		for col := 0; col < b.c; col++ {
			var d float64
			for i := 0; i < a.c; i++ {
				d += vecs.at(i, k) * atb.at(i, col)
			}
			for i := 0; i < a.c; i++ {
				x.v[i*b.c+col] += vecs.at(i, k) * d / e
			}
		}
	}
	return x, rank, s
}

func TestLstsq(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(3); c++ {
		m, n, k := 1+v.r.IntN(25), 1+v.r.IntN(6), 1+v.r.IntN(3)
		a := refMx(v.normal(graph.Float64, m, n))
		deficient := n >= 2 && v.r.IntN(3) == 0
		if deficient {
			for i := 0; i < m; i++ {
				a.v[i*n+n-1] = 2 * a.at(i, 0) // a repeated direction
			}
		}
		vec := v.r.IntN(3) == 0
		bshape := []int{m, k}
		if vec {
			bshape = bshape[:1]
		}
		b := v.normal(graph.Float64, bshape...)
		ach, bch := v.randChunks([]int{m, n}), v.randChunks(bshape)
		desc := fmt.Sprintf("case %d: lstsq %dx%d (deficient %v) chunks %v, b %v chunks %v", c, m, n, deficient, ach, bshape, bch)
		x, resid, rank, s := array.Lstsq(mxArr(a, ach), arr(b, bch))
		res, err := v.compute([]*array.Array{x, resid, rank, s})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		bm := refMx(b)
		wx, wrank, ws := refLstsq(a, bm)
		checkClose(t, desc, "x vs least-norm loop", mxOf(res[0]), wx, 1e-9)
		if got := res[2].Int64s(); len(res[2].Shape) != 0 || got[0] != int64(wrank) {
			t.Errorf("%s: rank %v%v, want %d", desc, res[2].Shape, got, wrank)
		}
		// the Gram matrix's rounding leaves about sqrt(eps)·s_max in place
		// of an exact zero
		checkClose(t, desc, "s vs Jacobi", mxOf(res[3]), mx{len(ws), 1, ws[:min(m, n)]}, 1e-7)
		r := a.mul(wx)
		want := make([]float64, bm.c)
		for i := 0; i < m; i++ {
			for j := 0; j < bm.c; j++ {
				d := bm.at(i, j) - r.at(i, j)
				want[j] += d * d
			}
		}
		checkClose(t, desc, "residuals", mxOf(res[1]), mx{len(want), 1, want}, 1e-9)
		if t.Failed() {
			return
		}
	}
}

// refNorm is np.linalg.norm by loops, of a 1-d or 2-d x over all of it.
func refNorm(x mx, vec bool, ord string) float64 {
	abs := func(i, j int) float64 { return math.Abs(x.at(i, j)) }
	if vec {
		var s float64
		switch ord {
		case "None", "2":
			for _, a := range x.v {
				s += a * a
			}
			return math.Sqrt(s)
		case "inf", "-inf":
			s = math.Abs(x.v[0])
			for _, a := range x.v {
				if ord == "inf" {
					s = math.Max(s, math.Abs(a))
				} else {
					s = math.Min(s, math.Abs(a))
				}
			}
			return s
		case "0":
			for _, a := range x.v {
				if a != 0 {
					s++
				}
			}
			return s
		case "1":
			for _, a := range x.v {
				s += math.Abs(a)
			}
			return s
		case "3":
			for _, a := range x.v {
				s += math.Pow(math.Abs(a), 3)
			}
			return math.Pow(s, 1.0/3)
		}
		panic(ord)
	}
	colSums := make([]float64, x.c)
	rowSums := make([]float64, x.r)
	var fro float64
	for i := 0; i < x.r; i++ {
		for j := 0; j < x.c; j++ {
			colSums[j] += abs(i, j)
			rowSums[i] += abs(i, j)
			fro += x.at(i, j) * x.at(i, j)
		}
	}
	sv := refSingular(x)
	switch ord {
	case "None", "fro":
		return math.Sqrt(fro)
	case "1":
		return slices.Max(colSums)
	case "-1":
		return slices.Min(colSums)
	case "inf":
		return slices.Max(rowSums)
	case "-inf":
		return slices.Min(rowSums)
	case "2":
		return sv[0]
	case "-2":
		return sv[len(sv)-1]
	case "nuc":
		var s float64
		for _, v := range sv {
			s += v
		}
		return s
	}
	panic(ord)
}

func TestNorm(t *testing.T) {
	v := newEnv(t)
	ords := map[string]array.NormOrd{"None": {}, "2": array.Ord(2), "1": array.Ord(1), "inf": array.Ord(math.Inf(1)),
		"-inf": array.Ord(math.Inf(-1)), "0": array.Ord(0), "3": array.Ord(3), "fro": array.OrdFro, "nuc": array.OrdNuc,
		"-1": array.Ord(-1), "-2": array.Ord(-2)}
	vecOrds := []string{"None", "2", "1", "inf", "-inf", "0", "3"}
	matOrds := []string{"None", "fro", "1", "-1", "inf", "-inf", "2", "-2", "nuc"}
	for c := 0; c < cases(4); c++ {
		m, n := 1+v.r.IntN(9), 1+v.r.IntN(9)
		dt := v.dtype(graph.Float64, graph.Float32, graph.Int64)
		a := v.normal(dt, m, n)
		if v.r.IntN(4) == 0 && !dt.IsInt() {
			a.setF(0, 0) // a zero for ord 0
		}
		ch := v.randChunks([]int{m, n})
		x := arr(a, ch)
		am := refMx(a)
		tol := 1e-12
		if dt == graph.Float32 {
			tol = 1e-5
		}
		// matrix norms over (0, 1) or (1, 0) (rows and columns swapped),
		// keepdims or not
		ord := matOrds[v.r.IntN(len(matOrds))]
		keep := v.r.IntN(2) == 0
		var axes []int
		switch v.r.IntN(3) {
		case 1:
			axes = []int{0, -1}
		case 2:
			axes = []int{1, 0}
			am = am.t()
		}
		desc := fmt.Sprintf("case %d: norm(%v %dx%d chunks %v, ord %s, axes %v, keepdims %v)", c, dt, m, n, ch, ord, axes, keep)
		got := v.one(desc, x.NormWith(ords[ord], array.ReduceOpts{Axes: axes, KeepDims: keep}))
		wantShape := []int{}
		if keep {
			wantShape = []int{1, 1}
		}
		wantDT := graph.Float64
		if dt == graph.Float32 {
			wantDT = graph.Float32
		}
		if !slices.Equal(got.Shape, wantShape) || got.DType != wantDT {
			t.Fatalf("%s: got %v%v, want %v%v", desc, got.DType, got.Shape, wantDT, wantShape)
		}
		w := refNorm(am, false, ord)
		if g := got.Float64s()[0]; math.Abs(g-w) > tol*math.Max(1, math.Abs(w))*float64(m+n) {
			t.Errorf("%s: %v, want %v", desc, g, w)
		}
		am = refMx(a)
		// vector norms along one axis (negative sometimes)
		vord := vecOrds[v.r.IntN(len(vecOrds))]
		ax := v.r.IntN(2)
		axArg := ax
		if v.r.IntN(2) == 0 {
			axArg -= 2
		}
		desc = fmt.Sprintf("case %d: norm(%v %dx%d chunks %v, ord %s, axis %d)", c, dt, m, n, ch, vord, axArg)
		got = v.one(desc, x.Norm(ords[vord], axArg))
		lanes := n
		if ax == 1 {
			lanes = m
		}
		if !slices.Equal(got.Shape, []int{lanes}) {
			t.Fatalf("%s: shape %v, want [%d]", desc, got.Shape, lanes)
		}
		for l := 0; l < lanes; l++ {
			var lane mx
			if ax == 0 {
				lane = mx{m, 1, nil}
				for i := 0; i < m; i++ {
					lane.v = append(lane.v, am.at(i, l))
				}
			} else {
				lane = mx{n, 1, am.v[l*n : (l+1)*n]}
			}
			w := refNorm(lane, true, vord)
			if g := got.Float64s()[l]; math.Abs(g-w) > tol*math.Max(1, math.Abs(w))*float64(m+n) {
				t.Errorf("%s: lane %d: %v, want %v", desc, l, g, w)
			}
		}
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{2, 3, 4}, graph.Float64)
	wantErr(t, "3-d with ord", x.Norm(array.Ord(1)).Err(), "norm", "dimensions")
	wantErr(t, "fro of a vector", x.Norm(array.OrdFro, 1).Err(), "norm", "fro", "vectors")
	wantErr(t, "ord 3 of a matrix", x.Norm(array.Ord(3), 0, 1).Err(), "norm", "matrices")
	wantErr(t, "nuc over 3-d", x.Norm(array.OrdNuc, 0, 1).Err(), "norm", "2-d")
	got := v.one("norm of 3-d, ord None", x.Norm(array.NormOrd{}))
	if g := got.Float64s()[0]; math.Abs(g-math.Sqrt(24)) > 1e-15 {
		t.Errorf("norm of ones(2,3,4) = %v, want sqrt(24)", g)
	}
}

// TestMatrixRank: full, deficient and zero matrices, and vectors.
func TestMatrixRank(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(2); c++ {
		m, n := 1+v.r.IntN(12), 1+v.r.IntN(6)
		r := v.r.IntN(min(m, n) + 1)
		// a rank-r product of (m, r) and (r, n)
		a := refMx(v.normal(graph.Float64, m, max(r, 1))).mul(refMx(v.normal(graph.Float64, max(r, 1), n)))
		if r == 0 {
			clear(a.v)
		}
		ch := v.randChunks([]int{m, n})
		desc := fmt.Sprintf("case %d: matrix_rank of a rank-%d %dx%d, chunks %v", c, r, m, n, ch)
		got := v.one(desc, array.MatrixRank(mxArr(a, ch)))
		if g := got.Int64s(); len(got.Shape) != 0 || g[0] != int64(r) {
			t.Errorf("%s: %v%v, want %d", desc, got.Shape, g, r)
		}
	}
	got := v.one("vector", array.MatrixRank(array.Zeros([]int{4}, graph.Float64)))
	if got.Int64s()[0] != 0 {
		t.Errorf("rank of a zero vector: %v", got.Int64s())
	}
	if got := v.one("0-d", array.MatrixRank(array.Float(3))); got.Int64s()[0] != 1 {
		t.Errorf("rank of a non-zero scalar: %v", got.Int64s())
	}
	// a float32 rank-1 product: its rounding leaves singular values near
	// 1e-8 that float32's eps (NumPy's tolerance for float32) ignores
	d := make([]float32, 36)
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			d[i*6+j] = float32(0.1*float64(i+1)) * float32(0.3*float64(j+1)) / 7
		}
	}
	f32 := array.FromSlice(d, []int{6, 6}, array.Chunked(4, 3))
	if got := v.one("float32 rank 1", array.MatrixRank(f32)); got.Int64s()[0] != 1 {
		t.Errorf("rank of a float32 rank-1 product: %v, want 1", got.Int64s())
	}
	if _, _, rank, _ := array.Lstsq(f32, array.Ones([]int{6}, graph.Float32)); v.one("lstsq rank", rank).Int64s()[0] != 1 {
		t.Errorf("lstsq rank of a float32 rank-1 product, want 1")
	}
}

// TestSolvePosDef: blocked Cholesky solves of random SPD systems against
// elimination; an indefinite matrix is an error.
func TestSolvePosDef(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(2); c++ {
		n, k := 1+v.r.IntN(20), 1+v.r.IntN(3)
		clean, given := v.spd(n, true)
		vec := v.r.IntN(3) == 0
		bshape := []int{n, k}
		if vec {
			bshape = bshape[:1]
		}
		b := v.normal(graph.Float64, bshape...)
		ach, bch := v.randChunks([]int{n, n}), v.randChunks(bshape)
		desc := fmt.Sprintf("case %d: solve_posdef %dx%d chunks %v, b %v chunks %v", c, n, n, ach, bshape, bch)
		got := v.one(desc, array.SolvePosDef(mxArr(given, ach), arr(b, bch)))
		if !slices.Equal(got.Shape, bshape) {
			t.Fatalf("%s: shape %v", desc, got.Shape)
		}
		checkClose(t, desc, "x vs elimination", mxOf(got), refSolve(clean, refMx(b)), 1e-11)
		if t.Failed() {
			return
		}
	}
	bad := mx{2, 2, []float64{1, 2, 2, 1}}
	_, err := v.compute([]*array.Array{array.SolvePosDef(mxArr(bad, chunks.Chunks{{1, 1}, {2}}), array.Ones([]int{2}, graph.Float64))})
	wantErr(t, "indefinite", err, "not positive definite")
	wantErr(t, "non-square", array.SolvePosDef(array.Ones([]int{2, 3}, graph.Float64), array.Ones([]int{2}, graph.Float64)).Err(), "square")
}

// TestSVDCompressed: a matrix of rank r <= k has its exact SVD (Jacobi's
// singular values, U S Vt = x, orthonormal U and V) from the randomized
// projection, chunked along both axes; bad k is an error.
func TestSVDCompressed(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(2); c++ {
		m, n := 5+v.r.IntN(40), 5+v.r.IntN(12)
		r := 1 + v.r.IntN(min(m, n)-1)
		k := r + v.r.IntN(min(m, n)-r+1)
		a := refMx(v.normal(graph.Float64, m, r)).mul(refMx(v.normal(graph.Float64, r, n)))
		ch := v.randChunks([]int{m, n})
		iters := v.r.IntN(3)
		desc := fmt.Sprintf("case %d: svd_compressed(k=%d, iters=%d) of a rank-%d %dx%d, chunks %v", c, k, iters, r, m, n, ch)
		u, s, vt := array.SVDCompressed(mxArr(a, ch), k, 10, iters, uint64(c))
		res, err := v.compute([]*array.Array{u, s, vt})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		if !slices.Equal(res[0].Shape, []int{m, k}) || !slices.Equal(res[1].Shape, []int{k}) || !slices.Equal(res[2].Shape, []int{k, n}) {
			t.Fatalf("%s: shapes %v %v %v", desc, res[0].Shape, res[1].Shape, res[2].Shape)
		}
		um, sv, vm := mxOf(res[0]), res[1].Float64s(), mxOf(res[2])
		ref := refSingular(a)
		// the top r are the matrix's; the rest are rounding (Jacobi's
		// sqrt(eps)·s_max in place of zeros)
		checkClose(t, desc, "S vs Jacobi", mx{r, 1, sv[:r]}, mx{r, 1, ref[:r]}, 1e-9)
		for j := r; j < k; j++ {
			if sv[j] > 1e-9*sv[0] {
				t.Errorf("%s: S[%d] = %g for a rank-%d matrix", desc, j, sv[j], r)
			}
		}
		us := mx{m, k, slices.Clone(um.v)}
		for i := 0; i < m; i++ {
			for j := 0; j < k; j++ {
				us.v[i*k+j] *= sv[j]
			}
		}
		checkClose(t, desc, "U S Vt vs x", us.mul(vm), a, 1e-10)
		checkClose(t, desc, "U_rᵀU_r vs I", mx{m, k, um.v}.t().mul(um), eye(k), 1e-9)
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{6, 4}, graph.Float64)
	u, _, _ := array.SVDCompressed(x, 5, 2, 0, 1)
	wantErr(t, "k > min", u.Err(), "svd_compressed", "min(m, n)")
	u, _, _ = array.SVDCompressed(x, 0, 2, 0, 1)
	wantErr(t, "k = 0", u.Err(), "svd_compressed", "k >= 1")
}
