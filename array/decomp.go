package array

import (
	"fmt"
	"math"
	"strings"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// The factorizations (QR, SVD, Cholesky) and solves (SolveTriangular,
// Solve, Inv, Lstsq) of NumPy's and Dask's linalg, lowered to graphs of
// graph.OpLinalg tasks on whole blocks (kernels/cpu/linalg.go), picks
// and the existing matmul and layout layers. They compute in float64:
// integer and bool inputs give float64, as NumPy; float32 inputs give
// float32 results computed in float64 (NumPy computes them in float32).

// laRef is block Block of the layer of nd, as a task's input.
type laRef struct {
	nd    *node
	block int
}

// laTask is one hand-built task of a layer: block i of the layer is
// task i.
type laTask struct {
	op   graph.Op
	ins  []laRef
	outs []graph.Chunk
	dev  graph.DeviceKinds
}

// taskLayer is a layer of the given tasks, block i made by tasks[i]: ch
// must have len(tasks) blocks (an internal layer of several buffers a
// block takes chunks{ones(len(tasks))}). salt names what the inputs do
// not (the kind, the grouping), so equal layers share a token.
func taskLayer(prefix string, shape []int, ch chunks.Chunks, nout int, tasks []laTask, inputs []*node, salt string) *node {
	parts := make([]any, 0, len(inputs)+1)
	for _, in := range inputs {
		parts = append(parts, in)
	}
	parts = append(parts, salt)
	name := token(prefix, parts...)
	nd := &node{name: name, shape: shape, chunks: ch, dtype: graph.Float64, nout: nout, inputs: inputs}
	nd.lower = func(b *builder) error {
		for i := range tasks {
			if !b.needs(i) {
				continue
			}
			t := &tasks[i]
			ins := make([]graph.Key, len(t.ins))
			for j, r := range t.ins {
				ins[j] = graph.Key{Layer: r.nd.name, Block: int64(r.block)}
				b.mark(r.nd, ins[j])
			}
			b.g.Tasks = append(b.g.Tasks, graph.Task{Key: graph.Key{Layer: name, Block: int64(i)}, Op: t.op,
				Inputs: ins, Outputs: t.outs, Devices: t.dev})
		}
		return nil
	}
	return nd
}

// internal is the shape and chunks of an internal layer of n tasks.
func internal(n int) ([]int, chunks.Chunks) { return []int{n}, chunks.Chunks{ones(n)} }

var cpuOnly = graph.DeviceKinds(graph.CPU)

func linalgOp(kind graph.LinalgKind) graph.Op {
	return graph.Op{Name: graph.OpLinalg, Params: &graph.LinalgParams{Kind: kind}}
}

func f64Chunk(shape ...int) graph.Chunk { return graph.Chunk{DType: graph.Float64, Shape: shape} }

// pickOne is a one-task layer handing on buffer first (of shape) of
// block block of src: an Array.
func pickOne(src *node, block, first int, shape []int) *node {
	t := laTask{op: graph.Op{Name: graph.OpPick, Params: graph.PickParams{First: first}},
		ins: []laRef{{src, block}}, outs: []graph.Chunk{f64Chunk(shape...)}, dev: allDevices}
	return taskLayer("pick", shape, whole(shape), 1, []laTask{t}, []*node{src}, fmt.Sprint(block, first, shape))
}

// tsqrItem is one factor of a level of the tall QR's tree: task block
// of layer nd, whose R (rows × n) is buffer rbuf.
type tsqrItem struct {
	nd         *node
	block      int
	rows, rbuf int
}

// tsqrGroup is one task of a level: the items it stacks.
type tsqrLevel struct {
	nd      *node
	members [][]int // members[g]: the indices (in the level below) of group g's items
}

// tsqr is the reduction tree of the QR of a float64 (m, n) layer with
// one column chunk: the leaves factor each row block (Q_i R_i), and each
// level stacks the R of up to DefaultSplitEvery factors and factors them
// again, until one R is left (Demmel, Grigori, Hoemmen, Langou:
// "Communication-optimal parallel and sequential QR and LU
// factorizations", 2008). Each task also gives the rows of its Q that
// belong to each member (W), and Q is the product of a leaf's Q with the
// Ws on its path to the root.
type tsqr struct {
	x      *node
	leaf   *node
	levels []tsqrLevel
	top    tsqrItem
	n      int
}

func newTSQR(xn *node) *tsqr {
	n := xn.shape[1]
	rows := xn.chunks[0]
	t := &tsqr{x: xn, n: n}
	tasks := make([]laTask, len(rows))
	items := make([]tsqrItem, len(rows))
	for i, mi := range rows {
		ri := min(mi, n)
		tasks[i] = laTask{op: linalgOp(graph.LinalgQR), ins: []laRef{{xn, i}},
			outs: []graph.Chunk{f64Chunk(mi, ri), f64Chunk(ri, n)}, dev: cpuOnly}
		items[i] = tsqrItem{rows: ri, rbuf: 1, block: i}
	}
	shape, ch := internal(len(rows))
	t.leaf = taskLayer("qr-leaf", shape, ch, 2, tasks, []*node{xn}, "")
	for i := range items {
		items[i].nd = t.leaf
	}
	for len(items) > 1 {
		// the Rs of this level, picked out of their tasks
		picks := make([]laTask, len(items))
		var srcs []*node
		for j, it := range items {
			picks[j] = laTask{op: graph.Op{Name: graph.OpPick, Params: graph.PickParams{First: it.rbuf}},
				ins: []laRef{{it.nd, it.block}}, outs: []graph.Chunk{f64Chunk(it.rows, n)}, dev: allDevices}
			if len(srcs) == 0 || srcs[len(srcs)-1] != it.nd {
				srcs = append(srcs, it.nd)
			}
		}
		shape, ch := internal(len(items))
		rp := taskLayer("qr-r", shape, ch, 1, picks, srcs, fmt.Sprint(len(t.levels)))
		ng := (len(items) + DefaultSplitEvery - 1) / DefaultSplitEvery
		lv := tsqrLevel{members: make([][]int, ng)}
		gtasks := make([]laTask, ng)
		next := make([]tsqrItem, ng)
		var salt strings.Builder
		for g := 0; g < ng; g++ {
			lo, hi := g*len(items)/ng, (g+1)*len(items)/ng
			tk := laTask{op: linalgOp(graph.LinalgQR), dev: cpuOnly}
			sum := 0
			for j := lo; j < hi; j++ {
				sum += items[j].rows
			}
			rg := min(sum, n)
			for j := lo; j < hi; j++ {
				lv.members[g] = append(lv.members[g], j)
				tk.ins = append(tk.ins, laRef{rp, j})
				tk.outs = append(tk.outs, f64Chunk(items[j].rows, rg))
			}
			tk.outs = append(tk.outs, f64Chunk(rg, n))
			gtasks[g] = tk
			next[g] = tsqrItem{block: g, rows: rg, rbuf: hi - lo}
			fmt.Fprint(&salt, lo, hi, ";")
		}
		shape, ch = internal(ng)
		lv.nd = taskLayer("qr-level", shape, ch, DefaultSplitEvery+1, gtasks, []*node{rp}, salt.String())
		for g := range next {
			next[g].nd = lv.nd
		}
		t.levels = append(t.levels, lv)
		items = next
	}
	t.top = items[0]
	return t
}

// r is the R factor (min(m, n) × n).
func (t *tsqr) r() *node {
	return pickOne(t.top.nd, t.top.block, t.top.rbuf, []int{t.top.rows, t.n})
}

// q is Q @ right (right a one-block float64 (min(m, n), p) layer), or Q
// without right (nil): an (m, p) layer with x's row chunks.
func (t *tsqr) q(right *node) *node {
	// cur[j]: the transform of item j of the level being walked down
	// (nil: the identity), starting from the root's
	cur := []*node{right}
	curBlock := []int{0}
	curCols := []int{0}
	if right != nil {
		curCols[0] = right.shape[1]
	}
	for l := len(t.levels) - 1; l >= 0; l-- {
		lv := t.levels[l]
		nitems := 0
		for _, mem := range lv.members {
			nitems += len(mem)
		}
		// W of every member, picked, then times its group's transform
		picks := make([]laTask, nitems)
		applies := make([]laTask, nitems)
		var inputs []*node
		for g, mem := range lv.members {
			for p, j := range mem {
				rows := 0
				if l == 0 {
					rows = min(t.x.chunks[0][j], t.n)
				} else {
					rows = t.levelRows(l-1, j)
				}
				cols := t.levelRows(l, g)
				picks[j] = laTask{op: graph.Op{Name: graph.OpPick, Params: graph.PickParams{First: p}},
					ins: []laRef{{lv.nd, g}}, outs: []graph.Chunk{f64Chunk(rows, cols)}, dev: allDevices}
				if cur[g] != nil {
					applies[j] = laTask{op: linalgOp(graph.LinalgApply), ins: []laRef{{nil, j}, {cur[g], curBlock[g]}},
						outs: []graph.Chunk{f64Chunk(rows, curCols[g])}, dev: cpuOnly}
				}
			}
		}
		shape, ch := internal(nitems)
		wp := taskLayer("qr-w", shape, ch, 1, picks, []*node{lv.nd}, fmt.Sprint(l))
		next := make([]*node, nitems)
		nextBlock := make([]int, nitems)
		nextCols := make([]int, nitems)
		for g, mem := range lv.members {
			for _, j := range mem {
				nextCols[j] = curCols[g]
				if cur[g] == nil {
					nextCols[j] = t.levelRows(l, g)
				}
			}
		}
		if cur[0] != nil {
			for j := range applies {
				applies[j].ins[0].nd = wp
			}
			inputs = append([]*node{wp}, uniqueNodes(cur)...)
			ap := taskLayer("qr-t", shape, ch, 1, applies, inputs, fmt.Sprint(l))
			for j := range next {
				next[j], nextBlock[j] = ap, j
			}
		} else {
			for j := range next {
				next[j], nextBlock[j] = wp, j
			}
		}
		cur, curBlock, curCols = next, nextBlock, nextCols
	}
	rows := t.x.chunks[0]
	k := len(rows)
	if cur[0] == nil {
		// one leaf and no right factor: Q is the leaf's own
		return pickOne(t.leaf, 0, 0, []int{t.x.shape[0], min(t.x.shape[0], t.n)})
	}
	p := curCols[0]
	tasks := make([]laTask, k)
	for i, mi := range rows {
		tasks[i] = laTask{op: linalgOp(graph.LinalgApply), ins: []laRef{{t.leaf, i}, {cur[i], curBlock[i]}},
			outs: []graph.Chunk{f64Chunk(mi, p)}, dev: cpuOnly}
	}
	inputs := append([]*node{t.leaf}, uniqueNodes(cur)...)
	return taskLayer("qr-q", []int{t.x.shape[0], p}, chunks.Chunks{rows, {p}}, 1, tasks, inputs, "")
}

// levelRows is the row count of the R of task g of level l.
func (t *tsqr) levelRows(l, g int) int {
	sum := 0
	for _, j := range t.levels[l].members[g] {
		if l == 0 {
			sum += min(t.x.chunks[0][j], t.n)
		} else {
			sum += t.levelRows(l-1, j)
		}
	}
	return min(sum, t.n)
}

func uniqueNodes(ns []*node) []*node {
	var out []*node
	seen := map[*node]bool{}
	for _, n := range ns {
		if n != nil && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// linalgInput checks that x is a 2-d array for op and returns it as
// float64, with the dtype the results take.
func linalgInput(op string, x *Array) (*Array, graph.DType, error) {
	if err := x.Err(); err != nil {
		return nil, 0, err
	}
	if len(x.nd.shape) != 2 {
		return nil, 0, fmt.Errorf("array: %s: want a 2-d array, got shape %s", op, shapeStr(x.nd.shape))
	}
	res := graph.Float64
	if x.nd.dtype == graph.Float32 {
		res = graph.Float32
	}
	return x.Astype(graph.Float64), res, nil
}

// QR factors a 2-d array (m, n) as Q R, NumPy's linalg.qr in its
// "reduced" mode: Q is (m, k) with orthonormal columns and R is (k, n)
// upper triangular, k = min(m, n). R's diagonal has no negative entry
// (NumPy leaves LAPACK's signs), so a matrix of full rank has one QR
// whatever its chunking.
//
// A tall matrix (m >= n) is factored by the TSQR tree (one task per row
// block, then up to DefaultSplitEvery Rs at a time), its columns first
// rechunked to one chunk; Q keeps x's row chunks and R is one block. A
// wide one (m < n) is rechunked to one row chunk: its first m columns
// are factored in one task (Q, m × m) and R's remaining columns are Qᵀ
// times x's (Dask's sfqr).
func QR(x *Array) (q, r *Array) {
	xf, res, err := linalgInput("qr", x)
	if err != nil {
		return errArray(err), errArray(err)
	}
	m, n := xf.nd.shape[0], xf.nd.shape[1]
	if m >= n {
		xf = rechunkTo(xf, chunks.Chunks{xf.nd.chunks[0], {n}})
		if err := xf.Err(); err != nil {
			return errArray(err), errArray(err)
		}
		t := newTSQR(xf.nd)
		return (&Array{nd: t.q(nil)}).Astype(res), (&Array{nd: t.r()}).Astype(res)
	}
	xf = rechunkTo(xf, chunks.Chunks{{m}, xf.nd.chunks[1]})
	left := rechunkTo(xf.Slice(All(), Span(0, m)), chunks.Chunks{{m}, {m}})
	if err := firstErr(xf, left); err != nil {
		return errArray(err), errArray(err)
	}
	t := newTSQR(left.nd)
	qa, r1 := &Array{nd: t.q(nil)}, &Array{nd: t.r()}
	rest := qa.T().MatMul(xf.Slice(All(), Span(m, n)))
	return qa.Astype(res), Concatenate([]*Array{r1, rest}, 1).Astype(res)
}

// SVD is the singular value decomposition of a 2-d array (m, n), NumPy's
// linalg.svd with full_matrices=False: x = U diag(S) Vt with U (m, k)
// and Vt (k, n) orthonormal, S (k) descending, k = min(m, n). A tall
// matrix goes through QR's tree and one SVD of R (U = Q U_R); a wide one
// is the transpose of its transpose's. As in NumPy, each pair of
// singular vectors is unique only up to its sign, and the signs here can
// differ from NumPy's (whose gesdd sees the whole matrix).
func SVD(x *Array) (u, s, vt *Array) {
	xf, res, err := linalgInput("svd", x)
	if err != nil {
		return errArray(err), errArray(err), errArray(err)
	}
	m, n := xf.nd.shape[0], xf.nd.shape[1]
	if m < n {
		ut, st, vtt := SVD(x.T())
		return vtt.T(), st, ut.T()
	}
	xf = rechunkTo(xf, chunks.Chunks{xf.nd.chunks[0], {n}})
	if err := xf.Err(); err != nil {
		return errArray(err), errArray(err), errArray(err)
	}
	t := newTSQR(xf.nd)
	rr := t.r()
	k := rr.shape[0]
	sv := laTask{op: linalgOp(graph.LinalgSVD), ins: []laRef{{rr, 0}},
		outs: []graph.Chunk{f64Chunk(k, k), f64Chunk(k), f64Chunk(k, n)}, dev: cpuOnly}
	shape, ch := internal(1)
	svd := taskLayer("svd-r", shape, ch, 3, []laTask{sv}, []*node{rr}, "")
	ur := pickOne(svd, 0, 0, []int{k, k})
	u = (&Array{nd: t.q(ur)}).Astype(res)
	return u, (&Array{nd: pickOne(svd, 0, 1, []int{k})}).Astype(res), (&Array{nd: pickOne(svd, 0, 2, []int{k, n})}).Astype(res)
}

// oneTask is a one-block float64 layer made by one OpLinalg task of kind
// p.Kind on the single blocks ins.
func oneTask(prefix string, p *graph.LinalgParams, shape []int, ins ...*node) *Array {
	t := laTask{op: graph.Op{Name: graph.OpLinalg, Params: p}, outs: []graph.Chunk{f64Chunk(shape...)}, dev: cpuOnly}
	for _, in := range ins {
		t.ins = append(t.ins, laRef{in, 0})
	}
	return &Array{nd: taskLayer(prefix, shape, whole(shape), 1, []laTask{t}, uniqueNodes(ins), fmt.Sprintf("%+v", *p))}
}

// oneBlock is x as one block.
func oneBlock(x *Array) *Array { return rechunkTo(x, whole(x.nd.shape)) }

// edges are the starts of the blocks of c, and its length last.
func edges(c []int) []int {
	off := make([]int, len(c)+1)
	for i, s := range c {
		off[i+1] = off[i] + s
	}
	return off
}

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

// NormOrd is the ord of Norm: the zero value is NumPy's None (the
// 2-norm of vectors, Frobenius of matrices), Ord(p) a number (1, 2,
// ±Inf, 0, -1, any p for vectors), and OrdFro and OrdNuc the matrix
// norms "fro" and "nuc".
type NormOrd struct {
	kind normKind
	p    float64
}

type normKind uint8

const (
	ordNone normKind = iota
	ordP
	ordFro
	ordNuc
)

// Ord is the norm order p.
func Ord(p float64) NormOrd { return NormOrd{kind: ordP, p: p} }

var (
	// OrdFro is the Frobenius norm of matrices.
	OrdFro = NormOrd{kind: ordFro}
	// OrdNuc is the nuclear norm of matrices (the sum of the singular
	// values).
	OrdNuc = NormOrd{kind: ordNuc}
)

func (o NormOrd) String() string {
	switch o.kind {
	case ordP:
		return fmt.Sprint(o.p)
	case ordFro:
		return "fro"
	case ordNuc:
		return "nuc"
	}
	return "None"
}

// Norm is NumPy's linalg.norm: over no axes, the 2-norm of the flattened
// array (ord None), or with an ord the vector norm of a 1-d array or the
// matrix norm of a 2-d one; over one axis, vector norms; over two,
// matrix norms (2, -2 and nuc, by the SVD, of a 2-d array only).
// Vector: None and 2 sqrt(Σ x²), ±Inf max / min |x|, 0 the count of
// non-zeros, 1 Σ|x|, other p (Σ|x|^p)^(1/p). Matrix: None and fro
// sqrt(Σ x²), 1 and -1 the max / min column sum of |x|, ±Inf the max /
// min row sum, 2 and -2 the largest / smallest singular value, nuc their
// sum. The result is float64, or float32 for float32 input.
func (x *Array) Norm(ord NormOrd, axes ...int) *Array {
	return x.NormWith(ord, ReduceOpts{Axes: axes})
}

// NormWith is Norm with options: Axes and KeepDims are used.
func (x *Array) NormWith(ord NormOrd, o ReduceOpts) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	res := graph.Float64
	if x.nd.dtype == graph.Float32 {
		res = graph.Float32
	}
	xf := x.Astype(graph.Float64)
	nd := len(x.nd.shape)
	keep := o.KeepDims
	if len(o.Axes) == 0 {
		switch {
		case ord.kind == ordNone:
			return xf.Mul(xf).SumWith(ReduceOpts{KeepDims: keep}).Sqrt().Astype(res)
		case nd == 1:
			o.Axes = []int{0}
		case nd == 2:
			o.Axes = []int{0, 1}
		default:
			return errorf("norm", "improper number of dimensions to norm: %d with ord %v", nd, ord)
		}
	}
	// in the caller's order: the first of two is the row axis (normAxes
	// would sort them)
	axes := make([]int, len(o.Axes))
	for i, a := range o.Axes {
		n, err := normAxis("norm", a, nd)
		if err != nil {
			return errArray(err)
		}
		if i == 1 && n == axes[0] {
			return errorf("norm", "duplicate axes given: %v", o.Axes)
		}
		axes[i] = n
	}
	sum := func(y *Array, ax ...int) *Array { return y.SumWith(ReduceOpts{Axes: ax, KeepDims: true}) }
	var out *Array
	switch len(axes) {
	case 1:
		a := axes[0]
		switch {
		case ord.kind == ordNone || ord.kind == ordP && ord.p == 2:
			out = sum(xf.Mul(xf), a).Sqrt()
		case ord.kind != ordP:
			return errorf("norm", "invalid norm order %v for vectors", ord)
		case math.IsInf(ord.p, 1):
			out = xf.Abs().MaxWith(ReduceOpts{Axes: axes, KeepDims: true})
		case math.IsInf(ord.p, -1):
			out = xf.Abs().MinWith(ReduceOpts{Axes: axes, KeepDims: true})
		case ord.p == 0:
			out = sum(xf.Ne(Float(0)).Astype(graph.Float64), a)
		case ord.p == 1:
			out = sum(xf.Abs(), a)
		default:
			out = sum(xf.Abs().PowScalar(ord.p), a).PowScalar(1 / ord.p)
		}
	case 2:
		r, c := axes[0], axes[1]
		switch {
		case ord.kind == ordNone || ord.kind == ordFro:
			out = sum(xf.Mul(xf), r, c).Sqrt()
		case ord.kind == ordNuc || ord.p == 2 || ord.p == -2:
			if nd != 2 {
				return errorf("norm", "ord %v over two axes of a %d-d array: only 2-d arrays", ord, nd)
			}
			_, s, _ := SVD(xf)
			switch {
			case ord.kind == ordNuc:
				out = s.Sum()
			case ord.p == 2:
				out = s.Max()
			default:
				out = s.Min()
			}
			out = out.Reshape(1, 1)
		case ord.p == 1:
			out = sum(xf.Abs(), r).MaxWith(ReduceOpts{Axes: []int{c}, KeepDims: true})
		case ord.p == -1:
			out = sum(xf.Abs(), r).MinWith(ReduceOpts{Axes: []int{c}, KeepDims: true})
		case math.IsInf(ord.p, 1):
			out = sum(xf.Abs(), c).MaxWith(ReduceOpts{Axes: []int{r}, KeepDims: true})
		case math.IsInf(ord.p, -1):
			out = sum(xf.Abs(), c).MinWith(ReduceOpts{Axes: []int{r}, KeepDims: true})
		default:
			return errorf("norm", "invalid norm order %v for matrices", ord)
		}
	default:
		return errorf("norm", "improper number of dimensions to norm: %d axes", len(axes))
	}
	if !keep {
		out = out.Squeeze(axes...)
	}
	return out.Astype(res)
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

// SVDCompressed is the rank-k approximation of x's SVD by randomized
// projection (Halko, Martinsson, Tropp: "Finding structure with
// randomness", 2011; Dask's svd_compressed): Y = x Ω for a Gaussian Ω of
// k + oversample columns (seed), iters power iterations Y = x (xᵀ Y),
// each re-orthonormalised by QR, Q of Y, then the small SVD of B = Qᵀ x,
// U = Q U_B. It returns U (m, k), S (k) and Vt (k, n). x may be chunked
// along both axes: every step is a blocked matmul or a tall QR. The
// result is exact when x's rank is at most k + oversample, and otherwise
// closer with more iterations (Dask's defaults: oversample 10, iters 0).
func SVDCompressed(x *Array, k, oversample, iters int, seed uint64) (u, s, vt *Array) {
	fail := func(err error) (u, s, vt *Array) { e := errArray(err); return e, e, e }
	xf, res, err := linalgInput("svd_compressed", x)
	if err != nil {
		return fail(err)
	}
	m, n := xf.nd.shape[0], xf.nd.shape[1]
	if k < 1 || oversample < 0 || iters < 0 {
		return fail(fmt.Errorf("array: svd_compressed: k %d, oversample %d, iters %d: want k >= 1 and the others >= 0", k, oversample, iters))
	}
	if k > min(m, n) {
		return fail(fmt.Errorf("array: svd_compressed: k %d is more than min(m, n) = %d", k, min(m, n)))
	}
	l := min(k+oversample, min(m, n))
	omega := NewRandom(seed).Normal(0, 1, []int{n, l}, graph.Float64, ExplicitChunks(chunks.Chunks{xf.nd.chunks[1], {l}}))
	q, _ := QR(xf.MatMul(omega))
	for range iters {
		z, _ := QR(xf.T().MatMul(q))
		q, _ = QR(xf.MatMul(z))
	}
	ub, sb, vtb := SVD(q.T().MatMul(xf))
	u = q.MatMul(ub).Slice(All(), Span(0, k))
	return u.Astype(res), sb.Slice(Span(0, k)).Astype(res), vtb.Slice(Span(0, k), All()).Astype(res)
}
