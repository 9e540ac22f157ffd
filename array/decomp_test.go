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
