package array_test

import (
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// TestErrors: bad input never panics; the sticky error names the op and
// the shapes, survives further operations, and Compute returns it.
func TestErrors(t *testing.T) {
	v := newEnv(t)
	a23 := array.Ones([]int{2, 3}, graph.Float64, array.Chunked(1))
	a4 := array.Ones([]int{4}, graph.Float64)
	a1 := array.Ones([]int{3}, graph.Float64)
	empty := array.Zeros([]int{0, 3}, graph.Float64)
	for _, tc := range []struct {
		name  string
		x     *array.Array
		parts []string
	}{
		{"add shapes", a23.Add(a4), []string{"add", "(2, 3)", "(4,)"}},
		{"where shapes", array.Where(a4.Gt(array.Float(0)), a23, a23), []string{"where", "(4,)", "(2, 3)"}},
		{"sum axis", a23.Sum(2), []string{"sum", "axis 2", "(2, 3)"}},
		{"sum negative axis", a23.Sum(-3), []string{"sum", "-3", "(2, 3)"}},
		{"sum repeated axis", a23.Sum(1, -1), []string{"sum", "repeated", "(2, 3)"}},
		{"transpose axis", a23.Transpose(0, 2), []string{"transpose", "2"}},
		{"transpose count", a23.Transpose(0), []string{"transpose", "(2, 3)"}},
		{"transpose repeated", a23.Transpose(1, 1), []string{"transpose", "repeated", "(2, 3)"}},
		{"bad chunks", array.Ones([]int{5}, graph.Float64, array.ExplicitChunks(chunks.Chunks{{2, 2}})), []string{"full", "(5,)", "chunks"}},
		{"bad chunk axes", array.FromSlice([]float64{1, 2}, []int{2}, array.ExplicitChunks(chunks.Chunks{{1, 1}, {1}})), []string{"from_slice", "(2,)"}},
		{"rechunk bad", a23.Rechunk(array.ExplicitChunks(chunks.Chunks{{2}, {2}})), []string{"rechunk", "(2, 3)"}},
		{"negative regular chunk", array.Ones([]int{5}, graph.Float64, array.Chunked(0)), []string{"full", "(5,)"}},
		{"invalid dtype", array.Zeros([]int{2, 3}, graph.Invalid), []string{"full", "dtype", "(2, 3)"}},
		{"invalid astype", a23.Astype(graph.DType(99)), []string{"astype", "(2, 3)"}},
		{"negative shape", array.Zeros([]int{2, -1}, graph.Float64), []string{"full", "(2, -1)"}},
		{"from_slice size", array.FromSlice([]int32{1, 2, 3}, []int{2, 2}), []string{"from_slice", "(2, 2)"}},
		{"at out of range", a23.Slice(array.At(2)), []string{"getitem", "index 2", "(2, 3)"}},
		{"at negative out of range", a23.Slice(array.All(), array.At(-4)), []string{"getitem", "-4", "(2, 3)"}},
		{"step 0", a23.Slice(array.Sl(0, 2, 0)), []string{"getitem", "(2, 3)"}},
		{"too many indices", a23.Slice(array.At(0), array.At(0), array.At(0)), []string{"getitem", "too many indices", "2-dimensional"}},
		{"two ellipses", a23.Slice(array.Ellipsis(), array.Ellipsis()), []string{"getitem", "ellipsis", "(2, 3)"}},
		{"matmul 1-d misaligned", a1.MatMul(a23), []string{"matmul", "(3,)", "(2, 3)", "aligned"}},
		{"matmul stack batch", array.Stack([]*array.Array{a23, a23}, 0).MatMul(array.Stack([]*array.Array{a23.T(), a23.T(), a23.T()}, 0)), []string{"matmul", "(2, 2, 3)", "(3, 3, 2)", "broadcast"}},
		{"matmul stack misaligned", a23.ExpandDims(0).MatMul(a23), []string{"matmul", "(1, 2, 3)", "(2, 3)", "aligned"}},
		{"matmul misaligned", a23.MatMul(a23), []string{"matmul", "(2, 3)", "aligned"}},
		{"matmul scalar", array.Float(2).MatMul(a23), []string{"matmul", "(2, 3)"}},
		{"argmin two axes", a23.ArgWith("argmin", array.ReduceOpts{Axes: []int{0, 1}}), []string{"argmin", "(2, 3)"}},
		{"argmax two axes", a23.ArgMax(0, 1), []string{"argmax", "(2, 3)"}},
		{"min of empty", empty.Min(), []string{"min", "zero-size", "(0, 3)"}},
		{"argmax of empty axis", empty.ArgMax(0), []string{"argmax", "zero-size", "(0, 3)"}},
		{"max of empty axis", empty.Max(0), []string{"max", "(0, 3)"}},
		{"split_every", a23.SumWith(array.ReduceOpts{SplitEvery: 1}), []string{"sum", "split_every"}},
		{"bool subtract", array.Ones([]int{2}, graph.Bool).Sub(array.Ones([]int{2}, graph.Bool)), []string{"sub", "(2,)"}},
		{"bool negative", array.Ones([]int{2}, graph.Bool).Neg(), []string{"negative", "(2,)"}},
		{"float bitwise_and", a23.BitwiseAnd(a23), []string{"bitwise_and", "(2, 3)"}},
		{"uniform int", array.NewRandom(1).Uniform(0, 1, []int{2}, graph.Int64), []string{"uniform", "(2,)"}},
		{"integers bounds", array.NewRandom(1).Integers(3, 3, []int{2}, graph.Int64), []string{"integers", "3"}},
		{"arange step 0", array.Arange(0, 3, 0, graph.Int64), []string{"arange", "step=0"}},
		{"linspace num", array.Linspace(0, 1, -1, true), []string{"linspace", "-1"}},
		{"unknown arg kind", a23.ArgWith("argfoo", array.ReduceOpts{}), []string{"argfoo"}},
	} {
		x := tc.x
		err := x.Err()
		wantErr(t, tc.name, err, tc.parts...)
		if err == nil {
			continue
		}
		if !strings.HasPrefix(err.Error(), "array: ") {
			t.Errorf("%s: error %q does not start with \"array: \"", tc.name, err)
		}
		// sticky through further operations, and from Compute
		y := x.Add(a23).Sum().T().Slice(array.NewAxis()).Astype(graph.Int64)
		if y.Err() == nil || y.Err().Error() != err.Error() {
			t.Errorf("%s: after more operations the error is %v, want %v", tc.name, y.Err(), err)
		}
		if z := a23.Add(x); z.Err() == nil || z.Err().Error() != err.Error() {
			t.Errorf("%s: as an operand the error is %v, want %v", tc.name, z.Err(), err)
		}
		if _, cerr := v.compute([]*array.Array{a23, y}); cerr == nil || cerr.Error() != err.Error() {
			t.Errorf("%s: Compute returned %v, want %v", tc.name, cerr, err)
		}
		if _, perr := y.Persist(v.ctx, array.On(v.e)); perr == nil {
			t.Errorf("%s: Persist returned no error", tc.name)
		}
		// the accessors of a failed array do not panic
		_ = []any{x.Shape(), x.NDim(), x.Size(), x.DType(), x.Chunks(), x.NumBlocks(), x.Name(), x.String()}
		if _, _, gerr := array.Graph([]*array.Array{x}); gerr == nil {
			t.Errorf("%s: Graph returned no error", tc.name)
		}
	}
	// a nil array is an error too
	var nilArr *array.Array
	if nilArr.Err() == nil {
		t.Error("nil array: no error")
	}
	if _, err := v.compute([]*array.Array{nilArr}); err == nil {
		t.Error("Compute of a nil array: no error")
	}
	// a failure at run time (integer to a negative power) is an error
	// naming the task, and leaks nothing
	ip := array.Arange(0, 6, 1, graph.Int64, array.Chunked(2))
	_, err := v.compute([]*array.Array{ip.Pow(ip.Sub(array.Int(3)))})
	wantErr(t, "negative integer power", err, "pow", "negative")
}
