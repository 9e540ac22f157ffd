package array

import (
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Median is the median over axes (all when none; NumPy's median): the
// middle element of the sorted values, or the mean of the two middle
// ones. A NaN in the values makes the result NaN; an empty set of values
// gives NaN. The result is float32 for float32 input, float64 otherwise
// (bool counts as 0 and 1), with the reduced axes dropped.
//
// Exact, as Dask's median: x is rechunked to one chunk along the reduced
// axes and each block is reduced by one task, which holds one lane of
// the reduced axes as float64 scratch. So a block of the rechunked array
// (the reduced axes whole) must fit in memory; chunk the other axes to
// bound it.
func (x *Array) Median(axes ...int) *Array {
	return quantileOf("median", x, axes, nil, 1, true, false)
}

// NanMedian is Median ignoring NaNs (NumPy's nanmedian); a slice of NaNs
// only gives NaN.
func (x *Array) NanMedian(axes ...int) *Array {
	return quantileOf("nanmedian", x, axes, nil, 1, true, true)
}

// Quantile returns the quantiles q (each in [0, 1]) of x along axis, by
// NumPy's default "linear" method (NumPy 1.24's formula to the bit). The
// result has a leading axis of len(q), then x's axes without axis, as
// NumPy's quantile with a list of q; it is float64 for every input dtype
// (as NumPy 1.24 with a float64 q); bool input is an error (as NumPy's).
// A NaN along the axis makes that result NaN; an empty axis gives NaN
// (where NumPy raises IndexError). Lowered as Median.
func (x *Array) Quantile(q []float64, axis int) *Array {
	return quantileOf("quantile", x, []int{axis}, q, 1, false, false)
}

// Percentile is Quantile with q in percent ([0, 100]; NumPy's percentile).
func (x *Array) Percentile(q []float64, axis int) *Array {
	return quantileOf("percentile", x, []int{axis}, q, 100, false, false)
}

// NanQuantile is Quantile ignoring NaNs (NumPy's nanquantile); a slice of
// NaNs only gives NaN.
func (x *Array) NanQuantile(q []float64, axis int) *Array {
	return quantileOf("nanquantile", x, []int{axis}, q, 1, false, true)
}

// NanPercentile is Percentile ignoring NaNs (NumPy's nanpercentile).
func (x *Array) NanPercentile(q []float64, axis int) *Array {
	return quantileOf("nanpercentile", x, []int{axis}, q, 100, false, true)
}

func quantileOf(op string, x *Array, axes []int, q []float64, scale float64, median, skipNaN bool) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	xn := x.nd
	nd := len(xn.shape)
	ax, err := normAxes(op, axes, nd)
	if err != nil {
		return errorf(op, "%v (shape %s)", err, shapeStr(xn.shape))
	}
	var fq []float64
	if !median {
		if xn.dtype == graph.Bool {
			return errorf(op, "bool input is not supported (NumPy has no boolean subtract; cast first) (shape %s)", shapeStr(xn.shape))
		}
		fq = make([]float64, len(q))
		for i, v := range q {
			if !(v >= 0 && v <= scale) {
				return errorf(op, "q %v must be in [0, %v]", v, scale)
			}
			fq[i] = v
			if scale != 1 {
				fq[i] = v / scale // NumPy's true_divide(q, 100)
			}
		}
	}
	odt := graph.Float64
	if median && xn.dtype == graph.Float32 {
		odt = graph.Float32
	}
	red := make([]bool, nd)
	want := xn.chunks.Clone()
	for _, a := range ax {
		red[a] = true
		want[a] = []int{xn.shape[a]}
	}
	in := rechunkTo(x, want)
	if in.err != nil {
		return in
	}
	inn := in.nd
	var och chunks.Chunks
	if !median {
		och = append(och, []int{len(fq)})
	}
	for a := 0; a < nd; a++ {
		if !red[a] {
			och = append(och, inn.chunks[a])
		}
	}
	if och == nil {
		och = chunks.Chunks{}
	}
	shape := och.Shape()
	params := &graph.QuantileParams{Axes: ax, Q: fq, Median: median, SkipNaN: skipNaN}
	name := token(op, inn, fmt.Sprint(ax), fmt.Sprint(qBits(fq)), median, skipNaN)
	out := &node{name: name, shape: shape, chunks: och, dtype: odt, nout: 1, inputs: []*node{inn}}
	out.lower = func(b *builder) error {
		grid := och.NumBlocks()
		ingrid := inn.chunks.NumBlocks()
		oi := make([]int, len(grid))
		ii := make([]int, nd)
		for flat := 0; flat < och.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, oi)
			k := 0
			if !median {
				k = 1
			}
			for a := 0; a < nd; a++ {
				ii[a] = 0
				if !red[a] {
					ii[a] = oi[k]
					k++
				}
			}
			key := graph.Key{Layer: inn.name, Block: int64(chunks.Ravel(ii, ingrid))}
			b.mark(inn, key)
			b.g.Tasks = append(b.g.Tasks, graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: graph.DeviceKinds(graph.CPU),
				Op: graph.Op{Name: graph.OpQuantile, Params: params}, Inputs: []graph.Key{key},
				Outputs: []graph.Chunk{{DType: odt, Shape: och.BlockShape(oi)}}})
		}
		return nil
	}
	return &Array{nd: out}
}

func qBits(q []float64) []uint64 {
	b := make([]uint64, len(q))
	for i, v := range q {
		b[i] = math.Float64bits(v)
	}
	return b
}
