package array_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

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

// refDet is the determinant by Gaussian elimination with partial
// pivoting (a loop): the pivots' product, negated per row swap.
func refDet(a mx) float64 {
	n := a.r
	a = mx{n, n, slices.Clone(a.v)}
	det := 1.0
	for p := 0; p < n; p++ {
		piv := p
		for i := p + 1; i < n; i++ {
			if math.Abs(a.at(i, p)) > math.Abs(a.at(piv, p)) {
				piv = i
			}
		}
		if a.at(piv, p) == 0 {
			return 0
		}
		if piv != p {
			det = -det
			for j := 0; j < n; j++ {
				a.v[p*n+j], a.v[piv*n+j] = a.v[piv*n+j], a.v[p*n+j]
			}
		}
		det *= a.at(p, p)
		for i := p + 1; i < n; i++ {
			f := a.at(i, p) / a.at(p, p)
			for j := p; j < n; j++ {
				a.v[i*n+j] -= f * a.at(p, j)
			}
		}
	}
	return det
}

// TestDet: Det and Slogdet of random, singular and empty matrices of
// several dtypes and chunkings against elimination.
func TestDet(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(3); c++ {
		n := v.r.IntN(10)
		dt := v.dtype(graph.Float64, graph.Float32, graph.Int64)
		a := v.normal(dt, n, n)
		if n >= 2 && v.r.IntN(4) == 0 { // singular: a repeated row
			for j := 0; j < n; j++ {
				if dt.IsInt() {
					a.setI(n+j, a.i[j])
				} else {
					a.setF(n+j, a.f[j])
				}
			}
		}
		ch := v.randChunks([]int{n, n})
		desc := fmt.Sprintf("case %d: det of %v %dx%d chunks %v", c, dt, n, n, ch)
		x := arr(a, ch)
		sign, logdet := array.Slogdet(x)
		res, err := v.compute([]*array.Array{array.Det(x), sign, logdet})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		want := refDet(refMx(a))
		wantDT := graph.Float64
		if dt == graph.Float32 {
			wantDT = graph.Float32
		}
		for i, r := range res {
			if len(r.Shape) != 0 || r.DType != wantDT {
				t.Fatalf("%s: result %d is %v%v, want a 0-d %v", desc, i, r.DType, r.Shape, wantDT)
			}
		}
		d, s, l := res[0].Float64s()[0], res[1].Float64s()[0], res[2].Float64s()[0]
		tol := tolOf(dt) * 100
		if want == 0 {
			// singular: the LU's rounding may leave a tiny pivot for an
			// exact zero, as NumPy's does
			if math.Abs(d) > 1e-9 || (s == 0) != math.IsInf(l, -1) || (s != 0 && l > math.Log(1e-9)) {
				t.Errorf("%s: det %v, sign %v, logabsdet %v of a singular matrix", desc, d, s, l)
			}
		} else {
			if math.Abs(d-want) > tol*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: det %v, want %v", desc, d, want)
			}
			if s != math.Copysign(1, want) {
				t.Errorf("%s: sign %v, want that of %v", desc, s, want)
			}
			if wl := math.Log(math.Abs(want)); math.Abs(l-wl) > tol*math.Max(1, math.Abs(wl)) {
				t.Errorf("%s: logabsdet %v, want %v", desc, l, wl)
			}
		}
		if t.Failed() {
			return
		}
	}
	// an exact zero pivot: sign 0, log -Inf, det 0
	sign, logdet := array.Slogdet(mxArr(mx{3, 3, []float64{1, 2, 0, 3, 4, 0, 5, 6, 0}}, chunks.Chunks{{2, 1}, {3}}))
	res, err := v.compute([]*array.Array{sign, logdet})
	if err != nil {
		t.Fatal(err)
	}
	if s, l := res[0].Float64s()[0], res[1].Float64s()[0]; s != 0 || !math.IsInf(l, -1) {
		t.Errorf("slogdet with a zero column: %v, %v, want 0, -Inf", s, l)
	}
	wantErr(t, "non-square", array.Det(array.Ones([]int{2, 3}, graph.Float64)).Err(), "det", "square")
}
