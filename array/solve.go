package array

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Solves and the Cholesky factorization (decomp.go has the common
// machinery and QR, SVD).

// Cholesky is the lower-triangular L of a symmetric positive definite
// matrix, x = L Lᵀ (NumPy's linalg.cholesky; Dask's default is the upper
// factor, Lᵀ: take Cholesky(x).T()). Only x's lower triangle is read. A
// matrix that is not positive definite fails the computation with an
// error saying so.
//
// x is rechunked to square blocks (its row chunks on both axes) and
// factored block by block (right-looking): block (k, k) of L is the
// factor of A_kk - Σ_j<k L_kj L_kjᵀ (one task), and block (i, k) below it
// solves X L_kkᵀ = A_ik - Σ_j<k L_ij L_kjᵀ (one task per block); the sums
// are blocked matmuls. K blocks a side make about K³/6 products, each
// task on one block.
func Cholesky(x *Array) *Array {
	xf, res, err := linalgInput("cholesky", x)
	if err != nil {
		return errArray(err)
	}
	n := xf.nd.shape[0]
	if xf.nd.shape[1] != n {
		return errorf("cholesky", "want a square matrix, got shape %s", shapeStr(xf.nd.shape))
	}
	rows := nonEmpty(xf.nd.chunks[0])
	xf = rechunkTo(xf, chunks.Chunks{rows, rows})
	if err := xf.Err(); err != nil {
		return errArray(err)
	}
	off := edges(rows)
	blk := func(i, j int) *Array { return xf.Slice(Span(off[i], off[i+1]), Span(off[j], off[j+1])) }
	kb := len(rows)
	l := make([][]*Array, kb)
	for i := range l {
		l[i] = make([]*Array, kb)
	}
	for k := 0; k < kb; k++ {
		s := blk(k, k)
		var pk *Array
		if k > 0 {
			pk = Concatenate(l[k][:k], 1)
			s = s.Sub(pk.MatMul(pk.T()))
		}
		s = oneBlock(s)
		if err := s.Err(); err != nil {
			return errArray(err)
		}
		l[k][k] = oneTask("cholesky", &graph.LinalgParams{Kind: graph.LinalgCholesky}, []int{rows[k], rows[k]}, s.nd)
		for i := k + 1; i < kb; i++ {
			b := blk(i, k)
			if k > 0 {
				b = b.Sub(Concatenate(l[i][:k], 1).MatMul(pk.T()))
			}
			b = oneBlock(b)
			if err := b.Err(); err != nil {
				return errArray(err)
			}
			l[i][k] = oneTask("cholesky-panel", &graph.LinalgParams{Kind: graph.LinalgTriSolve, Trans: true, Right: true},
				[]int{rows[i], rows[k]}, l[k][k].nd, b.nd)
		}
	}
	if kb == 1 {
		return l[0][0].Astype(res)
	}
	for i := range l {
		for j := i + 1; j < kb; j++ {
			l[i][j] = Zeros([]int{rows[i], rows[j]}, graph.Float64, Chunked(rows[i], rows[j]))
		}
	}
	return Block(l).Astype(res)
}

// nonEmpty is c without its empty blocks (one empty block for an empty
// axis).
func nonEmpty(c []int) []int {
	var out []int
	for _, s := range c {
		if s > 0 {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = []int{0}
	}
	return out
}

// SolveTriangular solves a x = b for x, a square and triangular (lower,
// or upper when !lower; the other triangle is not read), b of shape (n,)
// or (n, k) (Dask's and SciPy's solve_triangular; their lower defaults
// to false). A zero on a's diagonal fails the computation.
//
// a is rechunked to square blocks (its row chunks) and b's rows to the
// same; block row i of x is one task per column block of b, solving
// a_ii x_i = b_i - Σ a_ij x_j over the blocks j already solved (a blocked
// matmul).
func SolveTriangular(a, b *Array, lower bool) *Array {
	af, bm, vec, res, err := linalgSystem("solve_triangular", a, b, true)
	if err != nil {
		return errArray(err)
	}
	rows := nonEmpty(af.nd.chunks[0])
	af = rechunkTo(af, chunks.Chunks{rows, rows})
	bf := rechunkTo(bm, chunks.Chunks{rows, nonEmpty(bm.nd.chunks[1])})
	if err := firstErr(af, bf); err != nil {
		return errArray(err)
	}
	off := edges(rows)
	kb := len(rows)
	xs := make([]*Array, kb)
	order := make([]int, kb)
	for i := range order {
		order[i] = i
		if !lower {
			order[i] = kb - 1 - i
		}
	}
	for s, i := range order {
		r := bf.Slice(Span(off[i], off[i+1]), All())
		if s > 0 {
			done := order[:s] // solved blocks, in the order solved
			ts := make([]*Array, len(done))
			xd := make([]*Array, len(done))
			for q, j := range done {
				ts[q] = af.Slice(Span(off[i], off[i+1]), Span(off[j], off[j+1]))
				xd[q] = xs[j]
			}
			r = r.Sub(Concatenate(ts, 1).MatMul(Concatenate(xd, 0)))
		}
		tii := oneBlock(af.Slice(Span(off[i], off[i+1]), Span(off[i], off[i+1])))
		xs[i] = triSolveCols(tii, r, &graph.LinalgParams{Kind: graph.LinalgTriSolve, Upper: !lower})
	}
	x := Concatenate(xs, 0)
	if vec {
		x = x.Squeeze(1)
	}
	return x.Astype(res)
}

// linalgSystem checks a system a x = b for op: a 2-d (square when
// square), b (m,) or (m, k) with a's m rows. It returns a as float64, b
// as a float64 matrix (a 1-d b as a column: vec), and the dtype of x
// (float32 only when both are float32).
func linalgSystem(op string, a, b *Array, square bool) (af, bm *Array, vec bool, res graph.DType, err error) {
	af, res, err = linalgInput(op, a)
	if err == nil {
		err = b.Err()
	}
	if err != nil {
		return nil, nil, false, 0, err
	}
	m := af.nd.shape[0]
	if square && af.nd.shape[1] != m {
		return nil, nil, false, 0, fmt.Errorf("array: %s: want a square matrix, got shape %s", op, shapeStr(af.nd.shape))
	}
	vec = len(b.nd.shape) == 1
	bm = b
	if vec {
		bm = b.ExpandDims(1)
	}
	if len(bm.nd.shape) != 2 || bm.nd.shape[0] != m {
		return nil, nil, false, 0, fmt.Errorf("array: %s: shapes %s and %s do not match: b must be (%d,) or (%d, k)", op, shapeStr(a.nd.shape), shapeStr(b.nd.shape), m, m)
	}
	if b.nd.dtype != graph.Float32 {
		res = graph.Float64
	}
	return af, bm.Astype(graph.Float64), vec, res, nil
}

// triSolveCols solves t x = r (t one block, r of t's rows) with one task
// per column block of r.
func triSolveCols(t, r *Array, p *graph.LinalgParams) *Array {
	if err := firstErr(t, r); err != nil {
		return errArray(err)
	}
	r = rechunkTo(r, chunks.Chunks{{r.nd.shape[0]}, r.nd.chunks[1]})
	if err := r.Err(); err != nil {
		return errArray(err)
	}
	cols := r.nd.chunks[1]
	tasks := make([]laTask, len(cols))
	for j, c := range cols {
		tasks[j] = laTask{op: graph.Op{Name: graph.OpLinalg, Params: p}, ins: []laRef{{t.nd, 0}, {r.nd, j}},
			outs: []graph.Chunk{f64Chunk(r.nd.shape[0], c)}, dev: cpuOnly}
	}
	return &Array{nd: taskLayer("trisolve", r.nd.shape, r.nd.chunks, 1, tasks, []*node{t.nd, r.nd}, fmt.Sprintf("%+v", *p))}
}

// Solve solves a x = b for x, a square and non-singular, b of shape (n,)
// or (n, k) (NumPy's linalg.solve for one matrix). A singular a fails the
// computation with an error saying so. a is factored whole, in one task
// (LU with partial pivoting) that also solves for all of b; x has a's
// column chunks for its rows and b's column chunks.
func Solve(a, b *Array) *Array {
	af, b2, vec, res, err := linalgSystem("solve", a, b, true)
	if err != nil {
		return errArray(err)
	}
	aw, bw := oneBlock(af), oneBlock(b2)
	if err := firstErr(aw, bw); err != nil {
		return errArray(err)
	}
	x := oneTask("solve", &graph.LinalgParams{Kind: graph.LinalgSolve}, bw.nd.shape, aw.nd, bw.nd)
	x = rechunkTo(x, chunks.Chunks{a.nd.chunks[1], b2.nd.chunks[1]})
	if vec {
		x = x.Squeeze(1)
	}
	return x.Astype(res)
}

// Inv is the inverse of a square non-singular matrix (NumPy's
// linalg.inv): Solve(x, I), chunked as x's transpose (its rows as x's
// columns, its columns as x's rows).
func Inv(x *Array) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if len(x.nd.shape) != 2 || x.nd.shape[0] != x.nd.shape[1] {
		return errorf("inv", "want a square matrix, got shape %s", shapeStr(x.nd.shape))
	}
	n := x.nd.shape[0]
	eye := Eye(n, n, 0, graph.Float64, ExplicitChunks(chunks.Chunks{x.nd.chunks[0], x.nd.chunks[0]}))
	inv := Solve(x, eye)
	if x.nd.dtype != graph.Float32 {
		return inv
	}
	return inv.Astype(graph.Float32)
}

// SolvePosDef solves a x = b for a symmetric positive definite a (only
// its lower triangle read) by its Cholesky factor, all blocked: a = L Lᵀ
// (Cholesky), L y = b and Lᵀ x = y (SolveTriangular): Dask's
// solve(a, b, sym_pos=True). Unlike Solve, no task holds the whole
// matrix. A matrix that is not positive definite fails the computation.
func SolvePosDef(a, b *Array) *Array {
	if _, _, _, _, err := linalgSystem("solve_posdef", a, b, true); err != nil {
		return errArray(err)
	}
	l := Cholesky(a)
	return SolveTriangular(l.T(), SolveTriangular(l, b, true), false)
}

// Lstsq is the least-squares solution of a x = b (NumPy's and Dask's
// linalg.lstsq): x minimises |b - a x|₂ column by column and, when a is
// rank deficient, has the least norm (NumPy's semantics, by a's SVD:
// singular values at most rcond·s_max, rcond = eps·max(m, n), count as
// zero). a is (m, n) of any shape, b (m,) or (m, k); x is (n,) or (n, k).
// residuals are the squared 2-norms of b - a x per column, (k,) or (1,)
// for a 1-d b, always computed (Dask's rule: NumPy returns an empty array
// when a is rank deficient or m <= n, a shape that would depend on the
// data); rank is a's rank as a 0-d int64 array and s its singular values
// in descending order.
func Lstsq(a, b *Array) (x, residuals, rank, s *Array) {
	fail := func(err error) (x, residuals, rank, s *Array) {
		e := errArray(err)
		return e, e, e, e
	}
	af, bf, vec, res, err := linalgSystem("lstsq", a, b, false)
	if err != nil {
		return fail(err)
	}
	m, n := af.nd.shape[0], af.nd.shape[1]
	kcols := bf.nd.shape[1]
	var xs *Array
	if min(m, n) == 0 {
		s = Zeros([]int{0}, graph.Float64)
		rank = Int(0).Astype(graph.Int64)
		xs = Zeros([]int{n, kcols}, graph.Float64)
	} else {
		var u, vt *Array
		u, s, vt = SVD(af)
		tol := s.Max().MulScalar(epsOf(res) * float64(max(m, n)))
		keep := s.Gt(tol)
		sinv := Where(keep, s.Reciprocal(), Float(0))
		rank = keep.Sum()
		xs = vt.T().MatMul(sinv.ExpandDims(1).Mul(u.T().MatMul(bf)))
	}
	r := bf.Sub(af.MatMul(xs))
	residuals = r.Mul(r).Sum(0)
	if vec {
		xs = xs.Squeeze(1)
	}
	return xs.Astype(res), residuals.Astype(res), rank, s.Astype(res)
}

// epsOf is the spacing of dt at 1 (NumPy's finfo(dt).eps): float32's
// for float32, float64's otherwise.
func epsOf(dt graph.DType) float64 {
	if dt == graph.Float32 {
		return 0x1p-23
	}
	return 0x1p-52
}

// MatrixRank is the rank of a 2-d array by its SVD (NumPy's
// linalg.matrix_rank with its default tolerance: singular values above
// s_max·max(m, n)·eps count, eps float32's for float32 input and
// float64's otherwise), or for a 0-d or 1-d array 1 unless it is all
// zeros: a 0-d int64 array.
func MatrixRank(x *Array) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	switch len(x.nd.shape) {
	case 0, 1:
		return x.Ne(Int(0)).Any().Astype(graph.Int64)
	case 2:
	default:
		return errorf("matrix_rank", "want at most 2 dimensions, got shape %s", shapeStr(x.nd.shape))
	}
	m, n := x.nd.shape[0], x.nd.shape[1]
	if min(m, n) == 0 {
		return Int(0).Astype(graph.Int64)
	}
	eps := epsOf(graph.Float64)
	if x.nd.dtype == graph.Float32 {
		eps = epsOf(graph.Float32)
	}
	_, s, _ := SVD(x.Astype(graph.Float64))
	return s.Gt(s.Max().MulScalar(eps * float64(max(m, n)))).Sum()
}

// Slogdet is the sign and the natural log of the absolute value of the
// determinant of a square matrix (NumPy's linalg.slogdet for one
// matrix): 0-d arrays, sign 1, -1 or 0 (singular, with logabsdet -Inf).
// The whole matrix is factored in one task (LU with partial pivoting).
func Slogdet(x *Array) (sign, logabsdet *Array) {
	d, res, err := detTask("slogdet", x)
	if err != nil {
		return errArray(err), errArray(err)
	}
	return d.Slice(At(0)).Astype(res), d.Slice(At(1)).Astype(res)
}

// Det is the determinant of a square matrix (NumPy's linalg.det for one
// matrix), the product of its LU factor's diagonal with the pivots'
// sign: a 0-d array. It overflows to ±Inf where Slogdet does not.
func Det(x *Array) *Array {
	d, res, err := detTask("det", x)
	if err != nil {
		return errArray(err)
	}
	return d.Slice(At(2)).Astype(res)
}

// detTask is the (3) block of sign, log|det| and det of x.
func detTask(op string, x *Array) (*Array, graph.DType, error) {
	xf, res, err := linalgInput(op, x)
	if err != nil {
		return nil, 0, err
	}
	if n := xf.nd.shape[0]; xf.nd.shape[1] != n {
		return nil, 0, fmt.Errorf("array: %s: want a square matrix, got shape %s", op, shapeStr(xf.nd.shape))
	}
	xw := oneBlock(xf)
	if err := xw.Err(); err != nil {
		return nil, 0, err
	}
	return oneTask(op, &graph.LinalgParams{Kind: graph.LinalgDet}, []int{3}, xw.nd), res, nil
}
