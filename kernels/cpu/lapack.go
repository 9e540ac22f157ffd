package cpu

import (
	"fmt"
	"math"
)

// LAPACK from the BLAS library opened at run time (blas.go): OpenBLAS
// carries LAPACK (the reference Fortran routines, several of them
// replaced by its own blocked, vectorised ones), callable without cgo
// through purego like cblas_dgemm. linalg.go uses it when the library has
// every routine below, and gonum's pure Go LAPACK otherwise: the same
// factorizations (Householder QR, the SVD by divide and conquer or QR
// iteration, Cholesky, LU with partial pivoting) to rounding. Measured
// by BenchmarkLinalgQR on the project machine (one core, Q formed): a
// 4000 × 1000 block 26-30 GFLOP/s against gonum's 6-10, a 10 000 × 100
// block 7-10 against 7; a 100 000 × 100 block 3-4 both, its narrow
// panels (level-2 work, streamed from memory) taking the time.
//
// The routines are Fortran's: every argument by address, matrices
// column-major, and a character argument's length passed after the
// others (gfortran's convention; OpenBLAS's C replacements take no
// length and ignore the extra register). A row-major r × c block is the
// column-major c × r transpose, so each routine below either factors the
// transpose (QR as the LQ of aᵀ, the SVD of aᵀ, Cholesky's other
// triangle, LU of aᵀ solved transposed) or copies. Integers are 32-bit
// (LP64), as for cblas_dgemm: blocks past 2^31 elements a side go to
// gonum.

// lapackFuncs are the bound routines.
type lapackFuncs struct {
	dgelqf func(m, n *int32, a *float64, lda *int32, tau, work *float64, lwork, info *int32)
	dorglq func(m, n, k *int32, a *float64, lda *int32, tau, work *float64, lwork, info *int32)
	dgesdd func(jobz *byte, m, n *int32, a *float64, lda *int32, s, u *float64, ldu *int32,
		vt *float64, ldvt *int32, work *float64, lwork, iwork, info *int32, jobzLen uintptr)
	dpotrf func(uplo *byte, n *int32, a *float64, lda, info *int32, uploLen uintptr)
	dgetrf func(m, n *int32, a *float64, lda, ipiv, info *int32)
	dgetrs func(trans *byte, n, nrhs *int32, a *float64, lda, ipiv *int32, b *float64, ldb, info *int32, transLen uintptr)
	dtrsm  func(order, side, uplo, transA, diag, m, n int32, alpha float64, a *float64, lda int32, b *float64, ldb int32)
}

// lapackBind binds every routine through sym (the address of a symbol, 0
// when missing) and register (purego.RegisterFunc), or returns nil when
// one is missing.
func lapackBind(sym func(string) uintptr, register func(fptr any, cfn uintptr)) *lapackFuncs {
	f := &lapackFuncs{}
	for _, b := range []struct {
		name string
		fn   any
	}{
		{"dgelqf_", &f.dgelqf}, {"dorglq_", &f.dorglq}, {"dgesdd_", &f.dgesdd}, {"dpotrf_", &f.dpotrf},
		{"dgetrf_", &f.dgetrf}, {"dgetrs_", &f.dgetrs}, {"cblas_dtrsm", &f.dtrsm},
	} {
		p := sym(b.name)
		if p == 0 {
			return nil
		}
		register(b.fn, p)
	}
	return f
}

// lapackGet returns the library's routines for blocks whose every side
// is at most dims, or nil (no library, the gonum test hook, or a side
// past 32 bits).
func lapackGet(dims ...int) *lapackFuncs {
	if blasOff.Load() || !blasFits(dims...) {
		return nil
	}
	return blasGet().lapack
}

// lapackInfo turns a routine's info into an error: < 0 is an argument
// the caller got wrong (a bug), > 0 the routine's numerical failure,
// which fail describes (nil for a routine that has none).
func lapackInfo(routine string, info int32, fail func(int32) error) error {
	switch {
	case info < 0:
		return fmt.Errorf("%s: argument %d is invalid", routine, -info)
	case info > 0 && fail != nil:
		return fail(info)
	case info > 0:
		return fmt.Errorf("%s: info %d", routine, info)
	}
	return nil
}

// workSize reads the optimal length a workspace query wrote, at least
// least.
func workSize(w float64, least int) int {
	if math.IsNaN(w) || w < float64(least) {
		return least
	}
	return int(w)
}

// qrLapack is qrDense's factorization through the library, with no copy:
// the row-major a (m × n) is the column-major aᵀ, whose LQ factorization
// aᵀ = L Q' (dgelqf) is a's QR, R = Lᵀ and Q = Q'ᵀ. L's lower triangle
// read row-major is R's upper one, and Q' formed in place (dorglq) leaves
// Q in the first k columns of a's rows, as gonum's QR does (qrGonum).
func qrLapack(lp *lapackFuncs, a []float64, m, n int, q, rr []float64) error {
	k := min(m, n)
	mm, nn, kk, lda := int32(n), int32(m), int32(k), int32(max(1, n))
	tau := make([]float64, k)
	var query float64
	var info int32
	lwork := int32(-1)
	lp.dgelqf(&mm, &nn, &a[0], &lda, &tau[0], &query, &lwork, &info)
	work := make([]float64, workSize(query, max(1, n)))
	lwork = int32(len(work))
	lp.dgelqf(&mm, &nn, &a[0], &lda, &tau[0], &work[0], &lwork, &info)
	if err := lapackInfo("dgelqf", info, nil); err != nil {
		return err
	}
	for i := 0; i < k; i++ {
		copy(rr[i*n+i:(i+1)*n], a[i*n+i:(i+1)*n])
	}
	lwork = -1
	lp.dorglq(&kk, &nn, &kk, &a[0], &lda, &tau[0], &query, &lwork, &info)
	if need := workSize(query, max(1, k)); need > len(work) {
		work = make([]float64, need)
	}
	lwork = int32(len(work))
	lp.dorglq(&kk, &nn, &kk, &a[0], &lda, &tau[0], &work[0], &lwork, &info)
	if err := lapackInfo("dorglq", info, nil); err != nil {
		return err
	}
	for i := 0; i < m; i++ {
		copy(q[i*k:(i+1)*k], a[i*n:i*n+k])
	}
	return nil
}

// svdLapack is svdDense through the library (dgesdd, NumPy's choice):
// the row-major a is the column-major aᵀ = V S Uᵀ, so the routine's U
// and Vᵀ of aᵀ, read row-major, are Vt and U of a, with no copies.
func svdLapack(lp *lapackFuncs, a []float64, m, n int, u, s, vt []float64) error {
	k := min(m, n)
	// aᵀ is n × m column-major with lda n; its U is n × k (ldu n), which
	// read row-major is k × n: a's Vt; its Vᵀ is k × m (ldvt k), read
	// row-major m × k: a's U
	mm, nn := int32(n), int32(m)
	lda, ldu, ldvt := int32(max(1, n)), int32(max(1, n)), int32(max(1, k))
	jobz := byte('S')
	iwork := make([]int32, 8*k)
	var query float64
	var info int32
	lwork := int32(-1)
	lp.dgesdd(&jobz, &mm, &nn, &a[0], &lda, &s[0], &vt[0], &ldu, &u[0], &ldvt, &query, &lwork, &iwork[0], &info, 1)
	work := make([]float64, workSize(query, 1))
	lwork = int32(len(work))
	lp.dgesdd(&jobz, &mm, &nn, &a[0], &lda, &s[0], &vt[0], &ldu, &u[0], &ldvt, &work[0], &lwork, &iwork[0], &info, 1)
	return lapackInfo("dgesdd", info, func(int32) error { return fmt.Errorf("%w: SVD did not converge", errLinalg) })
}

// choleskyLapack factors the n × n l in place: its row-major lower
// triangle is the column-major upper one, whose dpotrf('U') factor U
// (A = UᵀU) read row-major is L (A = L Lᵀ). The other triangle is left
// as it was.
func choleskyLapack(lp *lapackFuncs, l []float64, n int) error {
	nn, lda := int32(n), int32(max(1, n))
	uplo := byte('U')
	var info int32
	lp.dpotrf(&uplo, &nn, &l[0], &lda, &info, 1)
	return lapackInfo("dpotrf", info, func(int32) error { return fmt.Errorf("%w: matrix is not positive definite", errLinalg) })
}

// solveLapack solves A X = B (row-major, A n × n, X n × p, holding B on
// entry): the row-major A is the column-major Aᵀ, so Aᵀ is factored
// (dgetrf) and the transposed system solved (dgetrs 'T') on a
// column-major copy of B.
func solveLapack(lp *lapackFuncs, a []float64, n int, x []float64, p int) error {
	lu := append([]float64(nil), a...)
	nn, pp, lda := int32(n), int32(p), int32(max(1, n))
	ipiv := make([]int32, n)
	var info int32
	lp.dgetrf(&nn, &nn, &lu[0], &lda, &ipiv[0], &info)
	if err := lapackInfo("dgetrf", info, func(int32) error { return fmt.Errorf("%w: singular matrix", errLinalg) }); err != nil {
		return err
	}
	cm := make([]float64, n*p)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			cm[i+j*n] = x[i*p+j]
		}
	}
	trans := byte('T')
	lp.dgetrs(&trans, &nn, &pp, &lu[0], &lda, &ipiv[0], &cm[0], &lda, &info, 1)
	if err := lapackInfo("dgetrs", info, nil); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			x[i*p+j] = cm[i+j*n]
		}
	}
	return nil
}

// CBLAS enums of cblas_dtrsm.
const (
	cblasTrans   = 112
	cblasUpper   = 121
	cblasLower   = 122
	cblasNonUnit = 131
	cblasLeft    = 141
	cblasRight   = 142
)
