package cpu

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// linalgKernel runs graph.OpLinalg on float64 blocks (graph/linalg.go
// says what each kind takes and makes). The factorizations are the
// LAPACK of the BLAS library opened at run time (lapack.go: OpenBLAS's)
// when it has them, else gonum's pure Go LAPACK, on a copy of the
// inputs; the product of LinalgApply goes to gemmPair (OpenBLAS when
// found). Each kind equals
// its textbook definition, which linalg_test.go checks against plain
// loops: Q R = A with QᵀQ = I and R upper triangular, U diag(S) Vt = A,
// L Lᵀ = A, T X = B, A X = B.
//
// QR's R has a diagonal of no negative number (a row of R and the column
// of Q with it are negated where LAPACK's is negative), so a full-rank A
// has one QR whatever its chunking: the reduction tree of a tall QR
// (array.QR) then gives what one task would, up to rounding.
type linalgKernel struct{}

// errLinalg wraps the numerical failures (not positive definite,
// singular), which are the input's fault, not the engine's.
var errLinalg = errors.New("LinAlgError")

func (linalgKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.LinalgParams)
	if !ok {
		return fmt.Errorf("linalg: params are %T, want *graph.LinalgParams", l.Task.Op.Params)
	}
	if len(l.Dst) != len(l.Task.Outputs) || len(l.Src) != len(l.SrcMeta) {
		return fmt.Errorf("linalg %v: %d destinations for %d outputs, %d sources for %d metadata", p.Kind, len(l.Dst), len(l.Task.Outputs), len(l.Src), len(l.SrcMeta))
	}
	for i, c := range l.SrcMeta {
		if c.DType != graph.Float64 || l.Src[i] == nil || l.Src[i].Len() != c.Bytes() {
			return fmt.Errorf("linalg %v: source %d is %v, want a float64 host buffer", p.Kind, i, c)
		}
	}
	for i, c := range l.Task.Outputs {
		if c.DType != graph.Float64 || l.Dst[i] == nil || l.Dst[i].Len() != c.Bytes() {
			return fmt.Errorf("linalg %v: output %d is %v, want a float64 host buffer", p.Kind, i, c)
		}
	}
	src := make([]mat64, len(l.Src))
	for i, c := range l.SrcMeta {
		src[i] = matOf(l.Src[i], c)
	}
	dst := make([]mat64, len(l.Dst))
	for i, c := range l.Task.Outputs {
		dst[i] = matOf(l.Dst[i], c)
	}
	var err error
	switch p.Kind {
	case graph.LinalgQR, graph.LinalgSVD:
		err = linalgStack(p.Kind, dst, src)
	case graph.LinalgApply:
		err = linalgApply(dst, src)
	case graph.LinalgCholesky:
		err = linalgCholesky(dst, src, p.Upper)
	case graph.LinalgTriSolve:
		err = linalgTriSolve(dst, src, p)
	case graph.LinalgSolve:
		err = linalgSolve(dst, src)
	case graph.LinalgDet:
		err = linalgDet(dst, src)
	default:
		err = fmt.Errorf("unknown kind %v", p.Kind)
	}
	if err != nil {
		return fmt.Errorf("linalg %v: %w", p.Kind, err)
	}
	return nil
}

// mat64 is a row-major float64 block: a matrix of r × c, or a vector of
// r elements (c = 1, vec set).
type mat64 struct {
	r, c int
	vec  bool
	data []float64
}

func matOf(b *device.Buffer, c graph.Chunk) mat64 {
	m := mat64{data: device.View[float64](b)}
	switch len(c.Shape) {
	case 1:
		m.r, m.c, m.vec = c.Shape[0], 1, true
	case 2:
		m.r, m.c = c.Shape[0], c.Shape[1]
	default:
		m.r, m.c = -1, -1
	}
	return m
}

func (m mat64) general() blas64.General {
	return blas64.General{Rows: m.r, Cols: m.c, Stride: max(1, m.c), Data: m.data}
}

func (m mat64) is(r, c int) bool { return !m.vec && m.r == r && m.c == c }

func (m mat64) String() string {
	if m.vec {
		return fmt.Sprintf("(%d)", m.r)
	}
	return fmt.Sprintf("(%d, %d)", m.r, m.c)
}

// linalgStack is LinalgQR and LinalgSVD: the inputs stacked by rows,
// factored, and the left factor's rows handed back split as the inputs.
func linalgStack(kind graph.LinalgKind, dst, src []mat64) error {
	if len(src) == 0 {
		return fmt.Errorf("no inputs")
	}
	n := src[0].c
	m := 0
	for i, s := range src {
		if s.vec || s.r < 0 || s.c != n {
			return fmt.Errorf("input %d is %v, want a matrix of %d columns", i, s, n)
		}
		m += s.r
	}
	r := min(m, n)
	want := len(src) + 1
	if kind == graph.LinalgSVD {
		want++
	}
	if len(dst) != want {
		return fmt.Errorf("%d outputs for %d inputs, want %d", len(dst), len(src), want)
	}
	for i, s := range src {
		if !dst[i].is(s.r, r) {
			return fmt.Errorf("output %d is %v, want (%d, %d)", i, dst[i], s.r, r)
		}
	}
	// the inputs stacked, factored in place; Q of one tall block (the
	// leaves of a tall QR) in its output, which has the input's size
	var a, left []float64
	inPlace := kind == graph.LinalgQR && len(src) == 1 && m >= n
	if inPlace {
		a, left = dst[0].data, dst[0].data
		copy(a, src[0].data)
	} else {
		a, left = make([]float64, m*n), make([]float64, m*r)
		off := 0
		for _, s := range src {
			copy(a[off:], s.data[:s.r*n])
			off += s.r * n
		}
	}
	if kind == graph.LinalgQR {
		if !dst[len(src)].is(r, n) {
			return fmt.Errorf("output R is %v, want (%d, %d)", dst[len(src)], r, n)
		}
		var err error
		if inPlace {
			err = qrTall(a, m, n, dst[1].data)
		} else {
			err = qrDense(a, m, n, left, dst[len(src)].data)
		}
		if err != nil {
			return err
		}
	} else {
		s, vt := dst[len(src)], dst[len(src)+1]
		if !s.vec || s.r != r || !vt.is(r, n) {
			return fmt.Errorf("outputs S and Vt are %v and %v, want (%d) and (%d, %d)", s, vt, r, r, n)
		}
		if err := svdDense(a, m, n, left, s.data, vt.data); err != nil {
			return err
		}
	}
	if inPlace {
		return nil
	}
	off := 0
	for i, s := range src {
		copy(dst[i].data, left[off:off+s.r*r])
		off += s.r * r
	}
	return nil
}

// qrDense factors the m × n row-major a (overwritten) as Q R: q gets Q
// (m × min(m, n); q may be a itself when n <= m), rr gets R (min(m, n) ×
// n, zeros below the diagonal),
// each row of R with its diagonal made non-negative (and Q's column
// with it).
func qrDense(a []float64, m, n int, q, rr []float64) error {
	k := min(m, n)
	clear(rr)
	if k == 0 {
		clear(q)
		return nil
	}
	if lp := lapackGet(m, n); lp != nil {
		if err := qrLapack(lp, a, m, n, q, rr); err != nil {
			return err
		}
	} else {
		qrGonum(a, m, n, q, rr)
	}
	for j := 0; j < k; j++ {
		if rr[j*n+j] >= 0 {
			continue
		}
		for c := j; c < n; c++ {
			rr[j*n+c] = -rr[j*n+c]
		}
		for i := 0; i < m; i++ {
			q[i*k+j] = -q[i*k+j]
		}
	}
	return nil
}

// qrGonum is qrDense's factorization by gonum's LAPACK.
func qrGonum(a []float64, m, n int, q, rr []float64) {
	k := min(m, n)
	g := blas64.General{Rows: m, Cols: n, Stride: n, Data: a}
	tau := make([]float64, k)
	work := []float64{0}
	lapack64.Geqrf(g, tau, work, -1)
	work = make([]float64, max(int(work[0]), n))
	lapack64.Geqrf(g, tau, work, len(work))
	for i := 0; i < k; i++ {
		copy(rr[i*n+i:(i+1)*n], a[i*n+i:(i+1)*n])
	}
	qg := blas64.General{Rows: m, Cols: k, Stride: n, Data: a}
	lapack64.Orgqr(qg, tau, work[:1], -1)
	if int(work[0]) > len(work) {
		work = make([]float64, int(work[0]))
	}
	lapack64.Orgqr(qg, tau, work, len(work))
	for i := 0; i < m; i++ {
		copy(q[i*k:(i+1)*k], a[i*n:i*n+k])
	}
}

// qrPanelRows is the most rows qrTall factors at once: a panel of n
// columns of about 1 MiB, whose Householder sweeps (level-2 BLAS over the
// panel's rows) then run from cache, not memory (BenchmarkLinalgQRTall:
// panels of 128 KiB to 4 MiB all within 30% of each other, 1 MiB the
// fastest).
func qrPanelRows(n int) int { return max(4*n, qrPanelBytes/8/max(n, 1)) }

// qrPanelBytes is the size of qrTall's panels.
var qrPanelBytes = 1 << 20

// qrTall is qrDense of a tall a (m >= n) with Q left in a, by a TSQR of
// its own when a is much taller than a panel (and no wider than 256
// columns, where LAPACK's blocked updates are not yet the bulk): each
// panel of rows is factored in place, the panels' Rs stacked and
// factored (R), and each panel's Q multiplied by its rows of that Q. A
// 100 000 × 100 block takes 0.53 s against 1.76 s for one dgeqrf and
// dorgqr over the whole of it (BenchmarkLinalgQRTall, OpenBLAS), whose
// sweeps stream the block from memory once per column: a third of the
// time for half again the flops (the products).
func qrTall(a []float64, m, n int, rr []float64) error {
	p := qrPanelRows(n)
	np := m / p
	if n > 256 || np < 4 {
		return qrDense(a, m, n, a, rr)
	}
	// np panels of p rows, the last one taking the remainder (each has at
	// least n rows, so each Q is in place)
	rows := func(s int) (int, int) {
		if s == np-1 {
			return s * p, m
		}
		return s * p, (s + 1) * p
	}
	stack := make([]float64, np*n*n)
	for s := 0; s < np; s++ {
		lo, hi := rows(s)
		pa := a[lo*n : hi*n]
		if err := qrDense(pa, hi-lo, n, pa, stack[s*n*n:(s+1)*n*n]); err != nil {
			return err
		}
	}
	q2 := make([]float64, np*n*n)
	if err := qrDense(stack, np*n, n, q2, rr); err != nil {
		return err
	}
	tmp := make([]float64, (m-(np-1)*p)*n)
	for s := 0; s < np; s++ {
		lo, hi := rows(s)
		pa := a[lo*n : hi*n]
		t := tmp[:len(pa)]
		gemmPair(graph.Float64, device.AsBytes(t), device.AsBytes(pa), device.AsBytes(q2[s*n*n:(s+1)*n*n]), hi-lo, n, n, false)
		copy(pa, t)
	}
	return nil
}

// svdDense factors the m × n row-major a (overwritten) as U diag(s) Vt
// with k = min(m, n) singular values in descending order: u is m × k, vt
// k × n.
func svdDense(a []float64, m, n int, u, s, vt []float64) error {
	k := min(m, n)
	if k == 0 {
		clear(u)
		clear(vt)
		return nil
	}
	if lp := lapackGet(m, n); lp != nil {
		return svdLapack(lp, a, m, n, u, s, vt)
	}
	g := blas64.General{Rows: m, Cols: n, Stride: n, Data: a}
	ug := blas64.General{Rows: m, Cols: k, Stride: k, Data: u}
	vg := blas64.General{Rows: k, Cols: n, Stride: n, Data: vt}
	work := []float64{0}
	lapack64.Gesvd(lapack.SVDStore, lapack.SVDStore, g, ug, vg, s, work, -1)
	work = make([]float64, max(int(work[0]), 5*k+max(m, n)))
	if !lapack64.Gesvd(lapack.SVDStore, lapack.SVDStore, g, ug, vg, s, work, len(work)) {
		return fmt.Errorf("%w: SVD did not converge", errLinalg)
	}
	return nil
}

// linalgApply is X[0] @ W.
func linalgApply(dst, src []mat64) error {
	if len(src) < 2 || len(dst) != 1 {
		return fmt.Errorf("%d sources and %d outputs, want at least 2 and 1", len(src), len(dst))
	}
	x, w := src[0], src[len(src)-1]
	if x.vec || w.vec || x.c != w.r || !dst[0].is(x.r, w.c) {
		return fmt.Errorf("shapes %v @ %v -> %v do not match", x, w, dst[0])
	}
	if x.r == 0 || w.c == 0 {
		return nil
	}
	if x.c == 0 {
		clear(dst[0].data)
		return nil
	}
	gemmPair(graph.Float64, device.AsBytes(dst[0].data), device.AsBytes(x.data), device.AsBytes(w.data), x.r, w.c, x.c, false)
	return nil
}

// linalgCholesky factors the lower triangle of A as L Lᵀ.
func linalgCholesky(dst, src []mat64, upper bool) error {
	if len(src) != 1 || len(dst) != 1 {
		return fmt.Errorf("%d sources and %d outputs, want 1 and 1", len(src), len(dst))
	}
	a := src[0]
	n := a.r
	if a.vec || a.c != n || !dst[0].is(n, n) {
		return fmt.Errorf("input %v and output %v, want one square shape", a, dst[0])
	}
	if n == 0 {
		return nil
	}
	l := dst[0].data
	clear(l)
	for i := 0; i < n; i++ {
		copy(l[i*n:i*n+i+1], a.data[i*n:i*n+i+1])
	}
	if lp := lapackGet(n); lp != nil {
		if err := choleskyLapack(lp, l, n); err != nil {
			return err
		}
	} else if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Lower, N: n, Stride: n, Data: l}); !ok {
		return fmt.Errorf("%w: matrix is not positive definite", errLinalg)
	}
	if upper {
		for i := 0; i < n; i++ {
			for j := 0; j < i; j++ {
				l[j*n+i], l[i*n+j] = l[i*n+j], 0
			}
		}
	}
	return nil
}

// linalgTriSolve solves op(T) X = B (or X op(T) = B with p.Right).
func linalgTriSolve(dst, src []mat64, p *graph.LinalgParams) error {
	if len(src) != 2 || len(dst) != 1 {
		return fmt.Errorf("%d sources and %d outputs, want 2 and 1", len(src), len(dst))
	}
	t, b := src[0], src[1]
	n := t.r
	if t.vec || t.c != n || b.vec {
		return fmt.Errorf("inputs T %v and B %v: want a square T and a matrix B", t, b)
	}
	if (!p.Right && b.r != n) || (p.Right && b.c != n) || !dst[0].is(b.r, b.c) {
		return fmt.Errorf("shapes T %v, B %v and X %v do not match", t, b, dst[0])
	}
	for i := 0; i < n; i++ {
		if t.data[i*n+i] == 0 {
			return fmt.Errorf("%w: singular matrix: a zero on the diagonal", errLinalg)
		}
	}
	x := dst[0]
	copy(x.data, b.data)
	if b.r == 0 || b.c == 0 {
		return nil
	}
	if lp := lapackGet(n, b.r, b.c); lp != nil {
		uplo, side, tr := int32(cblasLower), int32(cblasLeft), int32(cblasNoTrans)
		if p.Upper {
			uplo = cblasUpper
		}
		if p.Right {
			side = cblasRight
		}
		if p.Trans {
			tr = cblasTrans
		}
		lp.dtrsm(cblasRowMajor, side, uplo, tr, cblasNonUnit, int32(b.r), int32(b.c), 1, &t.data[0], int32(n), &x.data[0], int32(b.c))
		return nil
	}
	uplo, side, tr := blas.Lower, blas.Left, blas.NoTrans
	if p.Upper {
		uplo = blas.Upper
	}
	if p.Right {
		side = blas.Right
	}
	if p.Trans {
		tr = blas.Trans
	}
	blas64.Trsm(side, tr, 1, blas64.Triangular{Uplo: uplo, Diag: blas.NonUnit, N: n, Stride: n, Data: t.data}, x.general())
	return nil
}

// linalgSolve solves A X = B by LU with partial pivoting.
func linalgSolve(dst, src []mat64) error {
	if len(src) != 2 || len(dst) != 1 {
		return fmt.Errorf("%d sources and %d outputs, want 2 and 1", len(src), len(dst))
	}
	a, b := src[0], src[1]
	n := a.r
	if a.vec || a.c != n || b.vec || b.r != n || !dst[0].is(b.r, b.c) {
		return fmt.Errorf("shapes A %v, B %v and X %v do not match", a, b, dst[0])
	}
	x := dst[0]
	copy(x.data, b.data)
	if n == 0 || b.c == 0 {
		return nil
	}
	if lp := lapackGet(n, b.c); lp != nil {
		return solveLapack(lp, a.data, n, x.data, b.c)
	}
	lu := append([]float64(nil), a.data...)
	ipiv := make([]int, n)
	g := blas64.General{Rows: n, Cols: n, Stride: n, Data: lu}
	if !lapack64.Getrf(g, ipiv) {
		return fmt.Errorf("%w: singular matrix", errLinalg)
	}
	lapack64.Getrs(blas.NoTrans, g, x.general(), ipiv)
	return nil
}

// linalgDet writes (sign, log|det|, det) of A from its LU factorization
// with partial pivoting: det = ±Π u_ii, the sign flipping once per row
// swap (NumPy's slogdet and det).
func linalgDet(dst, src []mat64) error {
	if len(src) != 1 || len(dst) != 1 {
		return fmt.Errorf("%d sources and %d outputs, want 1 and 1", len(src), len(dst))
	}
	a := src[0]
	n := a.r
	if a.vec || a.c != n || !dst[0].vec || dst[0].r != 3 {
		return fmt.Errorf("input %v and output %v: want a square matrix and (3)", a, dst[0])
	}
	out := dst[0].data
	if n == 0 {
		out[0], out[1], out[2] = 1, 0, 1
		return nil
	}
	lu := append([]float64(nil), a.data...)
	ipiv := make([]int, n)
	// gonum's LU (one task's O(n³), rarely the bulk of a computation)
	lapack64.Getrf(blas64.General{Rows: n, Cols: n, Stride: n, Data: lu}, ipiv)
	sign, logdet, det := 1.0, 0.0, 1.0
	for i := 0; i < n; i++ {
		if ipiv[i] != i {
			sign, det = -sign, -det
		}
		u := lu[i*n+i]
		if u == 0 {
			out[0], out[1], out[2] = 0, math.Inf(-1), 0
			return nil
		}
		if u < 0 {
			sign = -sign
		}
		logdet += math.Log(math.Abs(u))
		det *= u
	}
	out[0], out[1], out[2] = sign, logdet, det
	return nil
}
