package array

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
	"gonum.org/v1/gonum/mat"
)

// MatMul is the matrix product of two 2-d arrays. Block (i, j) of the
// result is the sum over l of A[i, l] @ B[l, j]: one gemm task per
// (i, j, l) and the sum as a tree (split_every 8), so the order of the
// additions is fixed by the graph. The contraction axes are rechunked to
// common chunks where they differ. Bool operands compute in int64 and
// give bool (any product true), as NumPy.
func (x *Array) MatMul(y *Array) *Array {
	if err := firstErr(x, y); err != nil {
		return errArray(err)
	}
	if len(x.nd.shape) != 2 || len(y.nd.shape) != 2 {
		return errorf("matmul", "only 2-d operands are supported, got shapes %s", shapesStr(x, y))
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
	m, nb, kb := len(an.chunks[0]), len(bn.chunks[1]), len(kc)
	// partial products: a layer with grid (m, n, k)
	pname := token("matmul-gemm", an, bn)
	pch := chunks.Chunks{an.chunks[0], bn.chunks[1], ones(kb)}
	part := &node{name: pname, shape: []int{an.shape[0], bn.shape[1], kb}, chunks: pch, dtype: cdt, nout: 1, inputs: []*node{an, bn}}
	part.lower = func(bd *builder) error {
		idx := []int{0, 0, 0}
		for flat := 0; flat < m*nb*kb; flat++ {
			if !bd.needs(flat) {
				continue
			}
			chunks.Unravel(flat, []int{m, nb, kb}, idx)
			i, j, l := idx[0], idx[1], idx[2]
			bd.g.Tasks = append(bd.g.Tasks, graph.Task{
				Key:     graph.Key{Layer: pname, Block: int64(flat)},
				Op:      graph.Op{Name: graph.OpGemm},
				Inputs:  []graph.Key{{Layer: an.name, Block: int64(i*kb + l)}, {Layer: bn.name, Block: int64(l*nb + j)}},
				Outputs: []graph.Chunk{{DType: cdt, Shape: []int{an.chunks[0][i], bn.chunks[1][j], 1}}},
				Devices: allDevices,
			})
			t := &bd.g.Tasks[len(bd.g.Tasks)-1]
			bd.mark(an, t.Inputs[0])
			bd.mark(bn, t.Inputs[1])
		}
		return nil
	}
	// a fake partial program so the tree knows the partial dtype
	fake := &pb{}
	part.elem = &elemLayer{prog: fake.finish(fake.konst(cdt, 0))}
	rch := chunks.Chunks{an.chunks[0], bn.chunks[1], []int{1}}
	tree := treeNode("matmul", graph.ReduceSum, part, rch, []int{an.shape[0], bn.shape[1], 1}, []bool{false, false, true}, DefaultSplitEvery)
	res := dt
	if isBool {
		res = cdt
	}
	out := finishReduction("matmul", tree, res, kb, ReduceOpts{}, []bool{false, false, true})
	if isBool {
		return out.Ne(Int(0))
	}
	return out
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
