package graph

import "fmt"

// OpLinalg runs one dense factorization or solve on whole blocks (the
// block steps of array's QR, SVD, Cholesky, Solve and Lstsq; float64
// only). Params: *LinalgParams. Each kind takes and makes:
//
//	LinalgQR:    inputs A_0..A_{k-1} (one buffer each, r_i × n), stacked
//	             by rows into A (M × n, M = Σ r_i); A = Q R with
//	             Householder reflections, r = min(M, n). Outputs: Q's
//	             rows split as the inputs (r_i × r each), then R (r × n,
//	             upper triangular).
//	LinalgSVD:   the same inputs; A = U diag(S) Vt, S descending, r =
//	             min(M, n). Outputs: U's rows split as the inputs (r_i ×
//	             r each), then S (r), then Vt (r × n).
//	LinalgApply: inputs X (one or more buffers; its first, m × p, is
//	             used) and W (one buffer, p × q). Output X[0] @ W (m ×
//	             q): the leaf Q of a tall QR times its share of the root's Q.
//	LinalgCholesky: input A (n × n, symmetric positive definite; only its
//	             lower triangle is read). Output L lower with A = L Lᵀ, or
//	             with Upper U = Lᵀ. A matrix that is not positive definite
//	             is an error.
//	LinalgTriSolve: inputs T (n × n triangular: Upper says which
//	             triangle; the other is not read) and B. Output X with op(T)
//	             X = B (B n × p), or with Right X op(T) = B (B p × n);
//	             op(T) is Tᵀ with Trans. A zero on T's diagonal is an error.
//	LinalgSolve: inputs A (n × n) and B (n × p). Output X with A X = B, by
//	             LU with partial pivoting. A singular A is an error.
//	LinalgDet:   input A (n × n). Output (3): the sign of det A (0 when
//	             singular), log |det A| (-Inf when singular) and det A, the
//	             product of LU's diagonal and the permutation's sign.
type LinalgParams struct {
	Kind  LinalgKind
	Upper bool
	Trans bool
	Right bool
}

// LinalgKind selects the work of an OpLinalg task.
type LinalgKind uint8

const (
	LinalgQR LinalgKind = iota + 1
	LinalgSVD
	LinalgApply
	LinalgCholesky
	LinalgTriSolve
	LinalgSolve
	LinalgDet
)

// OpLinalg's op name.
const OpLinalg = "linalg"

var linalgNames = [...]string{"", "qr", "svd", "apply", "cholesky", "trisolve", "solve", "det"}

func (k LinalgKind) String() string {
	if int(k) < len(linalgNames) && k > 0 {
		return linalgNames[k]
	}
	return fmt.Sprintf("LinalgKind(%d)", uint8(k))
}

// Valid reports whether k is one of the kinds above.
func (k LinalgKind) Valid() bool { return k >= LinalgQR && k <= LinalgDet }
