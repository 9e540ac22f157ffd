package array

import (
	"fmt"
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

// tsqrLevel is one level of the tree: a task per group of the items of
// the level below, stacking their Rs.
type tsqrLevel struct {
	nd        *node
	members   [][]int // members[g]: the indices (in the level below) of group g's items
	rows      []int   // rows[j]: the rows of the R of item j of the level below
	groupRows []int   // groupRows[g]: the rows of group g's R
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
		lv := tsqrLevel{members: make([][]int, ng), groupRows: make([]int, ng)}
		for _, it := range items {
			lv.rows = append(lv.rows, it.rows)
		}
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
			lv.groupRows[g] = rg
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
	p := t.top.rows // Q's columns
	if right != nil {
		p = right.shape[1]
	}
	// tr: the transform of each item of the level being walked down, from
	// the root's (right, or nil for the identity); item j's is block j of
	// tr, but the root's is block 0 of right
	tr, root := right, true
	block := func(j int) int {
		if root {
			return 0
		}
		return j
	}
	for l := len(t.levels) - 1; l >= 0; l-- {
		lv := t.levels[l]
		// W of every member, picked, then times its group's transform
		picks := make([]laTask, len(lv.rows))
		applies := make([]laTask, len(lv.rows))
		for g, mem := range lv.members {
			for pos, j := range mem {
				picks[j] = laTask{op: graph.Op{Name: graph.OpPick, Params: graph.PickParams{First: pos}},
					ins: []laRef{{lv.nd, g}}, outs: []graph.Chunk{f64Chunk(lv.rows[j], lv.groupRows[g])}, dev: allDevices}
				applies[j] = laTask{op: linalgOp(graph.LinalgApply), ins: []laRef{{nil, j}, {tr, block(g)}},
					outs: []graph.Chunk{f64Chunk(lv.rows[j], p)}, dev: cpuOnly}
			}
		}
		shape, ch := internal(len(lv.rows))
		wp := taskLayer("qr-w", shape, ch, 1, picks, []*node{lv.nd}, fmt.Sprint(l))
		if tr == nil {
			tr = wp
		} else {
			for j := range applies {
				applies[j].ins[0].nd = wp
			}
			tr = taskLayer("qr-t", shape, ch, 1, applies, []*node{wp, tr}, fmt.Sprint(l))
		}
		root = false
	}
	rows := t.x.chunks[0]
	if tr == nil {
		// one leaf and no right factor: Q is the leaf's own
		return pickOne(t.leaf, 0, 0, []int{t.x.shape[0], p})
	}
	tasks := make([]laTask, len(rows))
	for i, mi := range rows {
		tasks[i] = laTask{op: linalgOp(graph.LinalgApply), ins: []laRef{{t.leaf, i}, {tr, block(i)}},
			outs: []graph.Chunk{f64Chunk(mi, p)}, dev: cpuOnly}
	}
	return taskLayer("qr-q", []int{t.x.shape[0], p}, chunks.Chunks{rows, {p}}, 1, tasks, []*node{t.leaf, tr}, "")
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
