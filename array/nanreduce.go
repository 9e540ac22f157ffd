package array

import (
	"math"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// NaN-ignoring reductions (NumPy's nansum ... nanargmax). Each is built
// from the plain reductions and elementwise ops, so the NaN handling fuses
// into the reduction's per-block pass:
//
//	NanSum, NanProd   Sum / Prod of Where(IsNaN(x), 0 or 1, x)
//	NanMin, NanMax    Min / Max of Where(IsNaN(x), +Inf or -Inf, x), and NaN
//	                  where All(IsNaN(x)) (an all-NaN slice)
//	NanArgMin/Max     ArgMin / ArgMax of the same Where, then a check task
//	                  (graph.OpAssertNone) that fails the compute with "All-NaN
//	                  slice encountered" where All(IsNaN(x)); ties and the
//	                  replaced NaNs follow NumPy (nanargmin([NaN, Inf]) is 0)
//	NanMean           Sum(Where(IsNaN(x), 0, x)) / Sum(!IsNaN(x)), summed in
//	                  float64; 0/0 = NaN for an all-NaN or empty slice
//	NanVar, NanStd    two passes over x, numerically sound: the mean m of the
//	                  non-NaN values (as NanMean, kept dims), then
//	                  Sum(Where(IsNaN(x), 0, (x-m)²)) / (count - ddof), in
//	                  float64; NaN where count - ddof <= 0 (NumPy)
//
// Results have the plain reductions' dtypes (NanMean, NanVar and NanStd of
// float32 are float32, computed in float64). Integers and bool have no
// NaN: each is exactly its plain reduction. Errors name the nan op.

// NanSum is Sum treating NaN as 0.
func (x *Array) NanSum(axes ...int) *Array { return x.NanSumWith(ReduceOpts{Axes: axes}) }

// NanSumWith is NanSum with options.
func (x *Array) NanSumWith(o ReduceOpts) *Array {
	return nanReduce("nansum", x, o, func(x *Array) *Array {
		if !x.nd.dtype.IsFloat() {
			return x.SumWith(o)
		}
		return nanFill(x, 0).SumWith(o)
	})
}

// NanProd is Prod treating NaN as 1.
func (x *Array) NanProd(axes ...int) *Array { return x.NanProdWith(ReduceOpts{Axes: axes}) }

// NanProdWith is NanProd with options.
func (x *Array) NanProdWith(o ReduceOpts) *Array {
	return nanReduce("nanprod", x, o, func(x *Array) *Array {
		if !x.nd.dtype.IsFloat() {
			return x.ProdWith(o)
		}
		return nanFill(x, 1).ProdWith(o)
	})
}

// NanMin is Min ignoring NaN; an all-NaN slice gives NaN.
func (x *Array) NanMin(axes ...int) *Array { return x.NanMinWith(ReduceOpts{Axes: axes}) }

// NanMinWith is NanMin with options.
func (x *Array) NanMinWith(o ReduceOpts) *Array { return nanMinMax("nanmin", x, o, false) }

// NanMax is Max ignoring NaN; an all-NaN slice gives NaN.
func (x *Array) NanMax(axes ...int) *Array { return x.NanMaxWith(ReduceOpts{Axes: axes}) }

// NanMaxWith is NanMax with options.
func (x *Array) NanMaxWith(o ReduceOpts) *Array { return nanMinMax("nanmax", x, o, true) }

// NanArgMin is ArgMin ignoring NaN (one axis or none). An all-NaN slice
// fails the compute with "All-NaN slice encountered".
func (x *Array) NanArgMin(axis ...int) *Array { return x.NanArgWith("argmin", ReduceOpts{Axes: axis}) }

// NanArgMax is ArgMax ignoring NaN (see NanArgMin).
func (x *Array) NanArgMax(axis ...int) *Array { return x.NanArgWith("argmax", ReduceOpts{Axes: axis}) }

// NanArgWith is NanArgMin or NanArgMax (kind "argmin"/"argmax") with
// options.
func (x *Array) NanArgWith(kind string, o ReduceOpts) *Array {
	var op string
	var fill float64
	switch kind {
	case "argmin":
		op, fill = "nanargmin", math.Inf(1)
	case "argmax":
		op, fill = "nanargmax", math.Inf(-1)
	default:
		return errorf("nan"+kind, "unknown arg reduction")
	}
	return nanReduce(op, x, o, func(x *Array) *Array {
		if !x.nd.dtype.IsFloat() {
			return x.ArgWith(kind, o)
		}
		idx := nanFill(x, fill).ArgWith(kind, o)
		allNaN := x.IsNaN().AllWith(ReduceOpts{Axes: o.Axes, KeepDims: o.KeepDims, SplitEvery: o.SplitEvery})
		return assertNone(op, idx, allNaN, "All-NaN slice encountered in "+op+" of shape "+shapeStr(x.nd.shape))
	})
}

// NanMean is Mean ignoring NaN; an all-NaN slice gives NaN.
func (x *Array) NanMean(axes ...int) *Array { return x.NanMeanWith(ReduceOpts{Axes: axes}) }

// NanMeanWith is NanMean with options.
func (x *Array) NanMeanWith(o ReduceOpts) *Array {
	return nanReduce("nanmean", x, o, func(x *Array) *Array {
		if !x.nd.dtype.IsFloat() {
			return x.MeanWith(o)
		}
		return nanMean(x, o).Astype(graph.MeanDType(x.nd.dtype))
	})
}

// NanVar is Var ignoring NaN, with o.Ddof (see the two-pass note above).
func (x *Array) NanVar(axes ...int) *Array { return x.NanVarWith(ReduceOpts{Axes: axes}) }

// NanVarWith is NanVar with options.
func (x *Array) NanVarWith(o ReduceOpts) *Array {
	return nanReduce("nanvar", x, o, func(x *Array) *Array {
		if !x.nd.dtype.IsFloat() {
			return x.VarWith(o)
		}
		return nanVar(x, o).Astype(graph.MeanDType(x.nd.dtype))
	})
}

// NanStd is the square root of NanVar.
func (x *Array) NanStd(axes ...int) *Array { return x.NanStdWith(ReduceOpts{Axes: axes}) }

// NanStdWith is NanStd with options.
func (x *Array) NanStdWith(o ReduceOpts) *Array {
	return nanReduce("nanstd", x, o, func(x *Array) *Array {
		if !x.nd.dtype.IsFloat() {
			return x.StdWith(o)
		}
		return nanVar(x, o).Sqrt().Astype(graph.MeanDType(x.nd.dtype))
	})
}

// nanReduce checks x and o with the nan op's name (so that an error never
// names the plain reduction underneath), then builds the result.
func nanReduce(op string, x *Array, o ReduceOpts, build func(x *Array) *Array) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	isArg := op == "nanargmin" || op == "nanargmax"
	if isArg && len(o.Axes) > 1 {
		return errorf(op, "takes one axis or none, got %v (shape %s)", o.Axes, shapeStr(xn.shape))
	}
	axes, err := normAxes(op, o.Axes, len(xn.shape))
	if err != nil {
		return errorf(op, "%v (shape %s)", err, shapeStr(xn.shape))
	}
	if o.SplitEvery != 0 && o.SplitEvery < 2 {
		return errorf(op, "split_every %d must be at least 2 (shape %s)", o.SplitEvery, shapeStr(xn.shape))
	}
	count := 1
	for _, a := range axes {
		count *= xn.shape[a]
	}
	if count == 0 && (isArg || op == "nanmin" || op == "nanmax") {
		return errorf(op, "zero-size array to reduction operation %s which has no identity (shape %s, axes %v)", op, shapeStr(xn.shape), axes)
	}
	return build(x)
}

// nanFill replaces NaN by v (in x's dtype).
func nanFill(x *Array, v float64) *Array { return Where(x.IsNaN(), Float(v), x) }

func nanMinMax(op string, x *Array, o ReduceOpts, isMax bool) *Array {
	return nanReduce(op, x, o, func(x *Array) *Array {
		if !x.nd.dtype.IsFloat() {
			if isMax {
				return x.MaxWith(o)
			}
			return x.MinWith(o)
		}
		var m *Array
		if isMax {
			m = nanFill(x, math.Inf(-1)).MaxWith(o)
		} else {
			m = nanFill(x, math.Inf(1)).MinWith(o)
		}
		allNaN := x.IsNaN().AllWith(ReduceOpts{Axes: o.Axes, KeepDims: o.KeepDims, SplitEvery: o.SplitEvery})
		return Where(allNaN, Float(math.NaN()), m)
	})
}

// nanCount is the int64 number of non-NaN elements over o's axes.
func nanCount(x *Array, o ReduceOpts) *Array {
	return x.IsNaN().LogicalNot().SumWith(o)
}

// nanMean is the float64 mean of the non-NaN elements over o's axes.
func nanMean(x *Array, o ReduceOpts) *Array {
	s := nanFill(x.Astype(graph.Float64), 0).SumWith(o)
	return s.Div(nanCount(x, o))
}

// nanVar is the float64 variance of the non-NaN elements over o's axes
// with o.Ddof: the mean first (kept dims, broadcast back over x), then
// the sum of squared deviations, so no cancellation of large sums.
func nanVar(x *Array, o ReduceOpts) *Array {
	keep := ReduceOpts{Axes: o.Axes, KeepDims: true, SplitEvery: o.SplitEvery}
	xf := x.Astype(graph.Float64)
	d := xf.Sub(nanMean(x, keep))
	m2 := Where(x.IsNaN(), Float(0), d.Mul(d)).SumWith(o)
	dof := nanCount(x, o).Astype(graph.Float64).Sub(Float(float64(o.Ddof)))
	return Where(dof.Le(Float(0)), Float(math.NaN()), m2.Div(dof))
}

// assertNone is v, computed only where no element of cond is true; a
// true element fails the compute with msg. v and cond have the same shape
// (cond is rechunked to v's chunks where they differ).
func assertNone(op string, v, cond *Array, msg string) *Array {
	if err := firstErr(v, cond); err != nil {
		return errArray(err)
	}
	if !cond.nd.chunks.Equal(v.nd.chunks) {
		// elementwise ops may drop 0-length blocks: align cond with v
		if cond = rechunkTo(cond, v.nd.chunks); cond.Err() != nil {
			return errArray(cond.Err())
		}
	}
	vn, cn := v.nd, cond.nd
	if !vn.chunks.Equal(cn.chunks) || vn.nout != 1 || cn.nout != 1 {
		return errorf(op, "internal: check of %v over %v", vn.chunks, cn.chunks)
	}
	params := &graph.AssertParams{Message: msg}
	name := token(op+"-check", vn, cn, msg)
	nd := &node{name: name, shape: vn.shape, chunks: vn.chunks, dtype: vn.dtype, nout: 1, inputs: []*node{vn, cn}}
	nd.lower = func(b *builder) error {
		grid := vn.chunks.NumBlocks()
		bo := make([]int, len(grid))
		for flat := 0; flat < vn.chunks.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bo)
			vk := graph.Key{Layer: vn.name, Block: int64(flat)}
			ck := graph.Key{Layer: cn.name, Block: int64(flat)}
			b.mark(vn, vk)
			b.mark(cn, ck)
			b.g.Tasks = append(b.g.Tasks, graph.Task{
				Key:     graph.Key{Layer: name, Block: int64(flat)},
				Op:      graph.Op{Name: graph.OpAssertNone, Params: params},
				Inputs:  []graph.Key{vk, ck},
				Outputs: []graph.Chunk{{DType: vn.dtype, Shape: vn.chunks.BlockShape(bo)}},
				Devices: allDevices,
			})
		}
		return nil
	}
	return &Array{nd: nd}
}
