package array

import (
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
	"gonum.org/v1/gonum/mat"
)

// MatMul is the matrix product of two 2-d arrays. As NumPy's matmul, a
// 1-d x is taken as a row and a 1-d y as a column, and that axis is
// dropped from the result (two 1-d operands give their 0-d dot product);
// an operand of 3 or more axes is a stack of matrices in its last two,
// and the leading (batch) axes of x and y broadcast against each other:
// (9, 5, 7, 4) @ (9, 5, 4, 3) is (9, 5, 7, 3), (2, 1, 3, 4) @ (5, 4, 2)
// is (2, 5, 3, 2). Each matrix of a stack is a 2-d product of its own
// (at most MaxStack of them), stacked along the batch axes.
//
// Block (i, j) of the result is the sum over l of A[i, l] @ B[l, j]. The
// k blocks are split into groups of at most DefaultSplitEvery (as even as
// can be: 9 blocks are groups of 5 and 4, not 8 and 1, so the tasks take
// about as long), and one graph.OpGemm task sums a group's products
// itself, in order of l. With one group (at most 8 k blocks) that task
// makes block (i, j) and there is no tree; otherwise the groups' sums are
// added by the reduction tree (split_every 8). Either way the order of the
// additions is fixed by the graph. The contraction axes are rechunked to
// common chunks where they differ. Bool operands compute in int64 and
// give bool (any product true), as NumPy.
// MaxStack is the most matrices a stacked MatMul makes (each is a graph
// of its own).
const MaxStack = 1 << 14

func (x *Array) MatMul(y *Array) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	if nx, ny := len(x.nd.shape), len(y.nd.shape); (nx == 1 || ny == 1) && nx*ny > 0 && nx <= 2 && ny <= 2 {
		x2, y2, drop := x, y, []int{}
		if nx == 1 {
			x2, drop = x.ExpandDims(0), append(drop, 0)
		}
		if ny == 1 {
			y2, drop = y.ExpandDims(1), append(drop, 1)
		}
		if x2.nd.shape[1] != y2.nd.shape[0] {
			return errorf("matmul", "shapes %s not aligned: %d (dim %d) != %d (dim 0)", shapesStr(x, y), x2.nd.shape[1], nx-1, y2.nd.shape[0])
		}
		return x2.MatMul(y2).Squeeze(drop...)
	}
	if len(x.nd.shape) == 0 || len(y.nd.shape) == 0 {
		return errorf("matmul", "operands must have at least one axis, got shapes %s", shapesStr(x, y))
	}
	if len(x.nd.shape) > 2 || len(y.nd.shape) > 2 {
		return matmulStack(x, y)
	}
	if x.nd.shape[1] != y.nd.shape[0] {
		return errorf("matmul", "shapes %s not aligned: %d (dim 1) != %d (dim 0)", shapesStr(x, y), x.nd.shape[1], y.nd.shape[0])
	}
	dt := resultType(x, y)
	isBool := dt == graph.Bool
	// bool and int32 compute in int64, as the partial sums of the tree
	// do (graph.SumDType); int32 wraps back to int32 at the end, which
	// equals NumPy's int32 accumulation modulo 2^32
	cdt := graph.SumDType(dt)
	a, b := x.Astype(cdt), y.Astype(cdt)
	if x.nd.weak || y.nd.weak {
		return errorf("matmul", "operands must be arrays, got a scalar (shapes %s)", shapesStr(x, y))
	}
	kc, err := chunks.Refine(a.nd.chunks[1], b.nd.chunks[0])
	if err != nil {
		return errorf("matmul", "%v", err)
	}
	a = rechunkTo(a, chunks.Chunks{a.nd.chunks[0], kc})
	b = rechunkTo(b, chunks.Chunks{kc, b.nd.chunks[1]})
	if err := firstErr(a, b); err != nil {
		return errArray(err)
	}
	an, bn := a.nd, b.nd
	kb := len(kc)
	ng := (kb + DefaultSplitEvery - 1) / DefaultSplitEvery
	bounds := make([]int, ng+1)
	for g := range bounds {
		bounds[g] = g * kb / ng
	}
	res := dt
	if isBool {
		res = cdt
	}
	var out *Array
	if ng == 1 {
		out = &Array{nd: gemmLayer(an, bn, cdt, bounds, false)}
		out = out.Astype(res)
	} else {
		part := gemmLayer(an, bn, cdt, bounds, true)
		// a fake partial program so the tree knows the partial dtype
		fake := &pb{}
		part.elem = &elemLayer{prog: fake.finish(fake.konst(cdt, 0))}
		rch := chunks.Chunks{an.chunks[0], bn.chunks[1], []int{1}}
		tree := treeNode("matmul", graph.ReduceSum, part, rch, []int{an.shape[0], bn.shape[1], 1}, []bool{false, false, true}, DefaultSplitEvery)
		out = finishReduction("matmul", tree, res, kb, ReduceOpts{}, []bool{false, false, true})
	}
	if isBool {
		return out.Ne(Int(0))
	}
	return out
}

// gemmLayer is the graph.OpGemm layer of A @ B (an: m×k blocks, bn: k×n,
// common chunks along k) of dtype dt: the task of output block (i, j) and
// group g sums A[i, l] @ B[l, j] for bounds[g] <= l < bounds[g+1], with
// inputs A[i, l], B[l, j] in order of l. With partial, the layer has a
// third axis of one element per group, summed by the caller's tree;
// without, bounds must be one group and the layer is the 2-d product.
func gemmLayer(an, bn *node, dt graph.DType, bounds []int, partial bool) *node {
	ng := len(bounds) - 1
	m, nb, kb := len(an.chunks[0]), len(bn.chunks[1]), len(an.chunks[1])
	name := token("matmul-gemm", an, bn, fmt.Sprint(bounds), partial)
	grid := []int{m, nb, ng}
	shape := []int{an.shape[0], bn.shape[1], ng}
	ch := chunks.Chunks{an.chunks[0], bn.chunks[1], ones(ng)}
	if !partial {
		grid, shape, ch = grid[:2], shape[:2], ch[:2]
	}
	nd := &node{name: name, shape: shape, chunks: ch, dtype: dt, nout: 1, inputs: []*node{an, bn}}
	nd.lower = func(bd *builder) error {
		idx := make([]int, len(grid))
		for flat := 0; flat < prod(grid); flat++ {
			if !bd.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, idx)
			i, j, g := idx[0], idx[1], 0
			oshape := []int{an.chunks[0][i], bn.chunks[1][j]}
			if partial {
				g = idx[2]
				oshape = append(oshape, 1)
			}
			ins := make([]graph.Key, 0, 2*(bounds[g+1]-bounds[g]))
			for l := bounds[g]; l < bounds[g+1]; l++ {
				ak := graph.Key{Layer: an.name, Block: int64(i*kb + l)}
				bk := graph.Key{Layer: bn.name, Block: int64(l*nb + j)}
				ins = append(ins, ak, bk)
				bd.mark(an, ak)
				bd.mark(bn, bk)
			}
			bd.g.Tasks = append(bd.g.Tasks, graph.Task{
				Key:     graph.Key{Layer: name, Block: int64(flat)},
				Op:      graph.Op{Name: graph.OpGemm},
				Inputs:  ins,
				Outputs: []graph.Chunk{{DType: dt, Shape: oshape}},
				Devices: allDevices,
			})
		}
		return nil
	}
	return nd
}

// FromDense makes a float64 array from a gonum matrix (copied).
func FromDense(m *mat.Dense, opts ...Option) *Array {
	if m == nil {
		return errorf("from_dense", "nil matrix")
	}
	r, c := m.Dims()
	data := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		data = append(data, m.RawRowView(i)...)
	}
	return FromSlice(data, []int{r, c}, opts...)
}

// Dense returns a 2-d result as a gonum matrix (converted to float64).
func (a *NDArray) Dense() (*mat.Dense, error) {
	if len(a.Shape) != 2 {
		return nil, fmt.Errorf("array: dense: need a 2-d array, have shape %s", shapeStr(a.Shape))
	}
	if a.Shape[0] == 0 || a.Shape[1] == 0 {
		return nil, fmt.Errorf("array: dense: gonum matrices cannot be empty (shape %s)", shapeStr(a.Shape))
	}
	return mat.NewDense(a.Shape[0], a.Shape[1], a.Float64s()), nil
}

// matmulStack is MatMul where x or y has 3 or more axes: a 1-d operand
// becomes a matrix (and its axis leaves the result), the batch axes
// broadcast, and each matrix pair is a 2-d MatMul.
func matmulStack(x, y *Array) *Array {
	dropX, dropY := x.NDim() == 1, y.NDim() == 1
	if dropX {
		x = x.ExpandDims(0)
	}
	if dropY {
		y = y.ExpandDims(1)
	}
	xs, ys := x.nd.shape, y.nd.shape
	nx, ny := len(xs), len(ys)
	if xs[nx-1] != ys[ny-2] {
		return errorf("matmul", "shapes %s not aligned: %d (dim %d) != %d (dim %d)", shapesStr(x, y), xs[nx-1], nx-1, ys[ny-2], ny-2)
	}
	nb := max(nx, ny) - 2
	batch := make([]int, nb)
	total := 1
	for i := range batch {
		dx, dy := 1, 1
		if k := i - (nb - (nx - 2)); k >= 0 {
			dx = xs[k]
		}
		if k := i - (nb - (ny - 2)); k >= 0 {
			dy = ys[k]
		}
		switch {
		case dx == dy || dy == 1:
			batch[i] = dx
		case dx == 1:
			batch[i] = dy
		default:
			return errorf("matmul", "batch axes of shapes %s do not broadcast", shapesStr(x, y))
		}
		total *= batch[i]
	}
	if total > MaxStack {
		return errorf("matmul", "%d matrices in the stack of shapes %s: at most %d", total, shapesStr(x, y), MaxStack)
	}
	outShape := append(slices.Clone(batch), xs[nx-2], ys[ny-1])
	var out *Array
	if total == 0 {
		dt, err := ResultType(x, y)
		if err != nil {
			return errArray(err)
		}
		out = Zeros(outShape, dt)
	} else {
		a := x.BroadcastTo(append(slices.Clone(batch), xs[nx-2:]...)...)
		b := y.BroadcastTo(append(slices.Clone(batch), ys[ny-2:]...)...)
		var stack func(a, b *Array) *Array
		stack = func(a, b *Array) *Array {
			if a.NDim() == 2 {
				return a.MatMul(b)
			}
			parts := make([]*Array, a.nd.shape[0])
			for i := range parts {
				parts[i] = stack(a.Slice(At(i)), b.Slice(At(i)))
			}
			return Stack(parts, 0)
		}
		out = stack(a, b)
	}
	if dropY {
		out = out.Squeeze(out.NDim() - 1)
	}
	if dropX {
		out = out.Squeeze(out.NDim() - 2)
	}
	return out
}
