package array

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// Histogram counts x's elements (any shape, any dtype) in bins
// equal-width bins over [lo, hi], as np.histogram(x, bins, range=(lo,
// hi)): bin i is [e[i], e[i+1]) except the last, which also holds hi;
// values outside the range and NaNs are not counted. It returns the lazy
// int64 counts and the bins+1 edges (np.linspace(lo, hi, bins+1), rounded
// to float32 for float32 data as NumPy's are; lo == hi widens the range
// by 0.5 each way, as NumPy does). Each block counts
// its own elements in one task and the per-block counts are summed by a
// reduction tree.
func (x *Array) Histogram(bins int, lo, hi float64) (*Array, []float64) {
	if bins < 1 || bins > maxPositions {
		return errorf("histogram", "%d bins (shape %s): want 1 to %d", bins, shapeStr(x.Shape()), maxPositions), nil
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return errorf("histogram", "range [%v, %v] is not finite and increasing", lo, hi), nil
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	edges := make([]float64, bins+1)
	step := (hi - lo) / float64(bins)
	for i := range edges {
		edges[i] = lo + float64(i)*step
	}
	edges[bins] = hi
	if x.DType() == graph.Float32 {
		// NumPy makes the edges in the data's float dtype (linspace
		// computed in float64, then cast), and compares in it
		for i, e := range edges {
			edges[i] = float64(float32(e))
		}
	}
	return x.HistogramEdges(edges), edges
}

// HistogramEdges counts x's elements between the given increasing edges
// (np.histogram(x, bins=edges)): len(edges)-1 bins, the last closed.
func (x *Array) HistogramEdges(edges []float64) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if len(edges) < 2 || len(edges) > maxPositions+1 {
		return errorf("histogram", "%d edges: want 2 to %d", len(edges), maxPositions+1)
	}
	for i, e := range edges {
		if math.IsNaN(e) || (i > 0 && e < edges[i-1]) {
			return errorf("histogram", "edges must increase monotonically (edge %d = %v)", i, e)
		}
	}
	args := make([]byte, 8*len(edges))
	for i, e := range edges {
		binary.LittleEndian.PutUint64(args[8*i:], math.Float64bits(e))
	}
	return perBlockCounts("histogram", "array.histogram", args, []*Array{x}, len(edges)-1, graph.Int64)
}

// BinCount counts the occurrences of each value in the 1-d integer (or
// bool) array x, as np.bincount(x, minlength=minlength): the output has
// max(max(x)+1, minlength) elements. With minlength > 0 the length is
// taken to be minlength and known up front (a value at or above it is an
// error when the counts are computed); with minlength 0 it depends on
// the data, so the result has unknown size (ErrUnknownChunks) until
// ComputeChunkSizes (or Compute) finds max(x) in a pass of its own, as
// Dask's bincount without minlength has unknown chunks. Negative values
// are an error, as in NumPy.
func (x *Array) BinCount(minlength int) *Array {
	return binCount(x, nil, minlength)
}

// BinCountWeighted sums the weights w (same shape as x) by the value of
// x, as np.bincount(x, weights=w, minlength=minlength): float64 output.
func (x *Array) BinCountWeighted(w *Array, minlength int) *Array {
	if w == nil {
		return errorf("bincount", "nil weights")
	}
	return binCount(x, w, minlength)
}

func binCount(x, w *Array, minlength int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if x.NDim() != 1 || !(x.DType().IsInt() || x.DType() == graph.Bool) {
		return errorf("bincount", "x is %v%s: want a 1-d integer array", x.DType(), shapeStr(x.Shape()))
	}
	if minlength < 0 || minlength > maxPositions {
		return errorf("bincount", "minlength %d: want 0 to %d", minlength, maxPositions)
	}
	if minlength == 0 {
		return pendingArray("bincount", x.nd.shape, func(ctx context.Context, opts []ComputeOption) (*Array, error) {
			if x.Size() == 0 {
				return binCount(x, w, 1).Slice(Span(0, 0)), nil // np.bincount([]) is empty
			}
			r, err := Compute(ctx, []*Array{x.Max(), x.Min()}, opts...)
			if err != nil {
				return nil, err
			}
			hi, lo := r[0].Int64s()[0], r[1].Int64s()[0]
			if lo < 0 {
				return nil, fmt.Errorf("array: bincount: negative value %d", lo)
			}
			if hi >= maxPositions {
				return nil, fmt.Errorf("array: bincount: largest value %d makes too long an output", hi)
			}
			return binCount(x, w, int(hi)+1), nil
		})
	}
	xs := []*Array{x}
	dt := graph.Int64
	if w != nil {
		if err := w.Err(); err != nil {
			return errArray(err)
		}
		if !slices.Equal(w.Shape(), x.Shape()) {
			return errorf("bincount", "weights of shape %s for x of shape %s", shapeStr(w.Shape()), shapeStr(x.Shape()))
		}
		xs = append(xs, rechunkTo(w.Astype(graph.Float64), x.nd.chunks))
		dt = graph.Float64
	}
	return perBlockCounts("bincount", "array.bincount", nil, xs, minlength, dt)
}

// perBlockCounts runs block function fn on the blocks of xs, each
// making a vector of n counts, and sums them: the per-block array has
// the block grid's axes (one element each) plus the counts axis.
func perBlockCounts(op, fn string, args []byte, xs []*Array, n int, dt graph.DType) *Array {
	x := xs[0]
	nd := x.NDim()
	och := append(onesGrid(x.nd.chunks), []int{n})
	per := mapBlocks(op, fn, args, xs, nil, []MapOption{MapDType(dt), AddAxis(nd), MapChunks(och)})
	if per.err != nil {
		return per
	}
	axes := make([]int, nd)
	for a := range axes {
		axes[a] = a
	}
	if nd == 0 {
		return per
	}
	return per.Sum(axes...)
}

// elemAt reads element k of a block of dtype dt as float64.
func elemAt(b []byte, dt graph.DType, k int) float64 {
	switch dt {
	case graph.Float64:
		return math.Float64frombits(binary.LittleEndian.Uint64(b[8*k:]))
	case graph.Float32:
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*k:])))
	case graph.Int64:
		return float64(int64(binary.LittleEndian.Uint64(b[8*k:])))
	case graph.Int32:
		return float64(int32(binary.LittleEndian.Uint32(b[4*k:])))
	case graph.Bool:
		return float64(b[k])
	}
	return math.NaN()
}

// intAt reads element k of an integer or bool block.
func intAt(b []byte, dt graph.DType, k int) int64 {
	switch dt {
	case graph.Int64:
		return int64(binary.LittleEndian.Uint64(b[8*k:]))
	case graph.Int32:
		return int64(int32(binary.LittleEndian.Uint32(b[4*k:])))
	}
	return int64(b[k])
}

// histCounts adds to counts[i] the elements v of xs with edges[i] <= v <
// edges[i+1] (the last bin closed; NaNs and values outside not counted).
// Equal-width edges (Histogram's) take the bin from the value and then
// check it against the edges themselves, as np.histogram does, so a value
// on an edge goes where the edges say; other edges are searched.
func histCounts[T device.Number](xs []T, edges []float64, counts []int64) {
	nb := len(edges) - 1
	lo, hi := edges[0], edges[nb]
	scale := float64(nb) / (hi - lo)
	// (an infinite edge, or a span past the largest float64, takes the
	// search: its scale is 0 and (v-lo)*scale can be NaN)
	uniform := hi > lo && scale > 0 && !math.IsInf(scale, 0) && !math.IsInf(hi-lo, 0)
	for i := 1; uniform && i < nb; i++ {
		// each edge within a tenth of a bin of its equal-width place:
		// the guess below is then off by at most one bin
		uniform = math.Abs((edges[i]-lo)*scale-float64(i)) < 0.1
	}
	for _, x := range xs {
		v := float64(x)
		if !(v >= lo && v <= hi) { // NaN too
			continue
		}
		var i int
		if uniform {
			i = max(0, min(int((v-lo)*scale), nb-1))
			for i > 0 && v < edges[i] {
				i--
			}
			for i < nb-1 && v >= edges[i+1] {
				i++
			}
		} else {
			// the last edge <= v (np.searchsorted(edges, v, "right") -
			// 1), the top edge counting in the last bin
			a, b := 0, len(edges)
			for a < b {
				h := int(uint(a+b) >> 1)
				if edges[h] > v {
					b = h
				} else {
					a = h + 1
				}
			}
			i = min(a-1, nb-1)
		}
		counts[i]++
	}
}

func init() {
	funcs.MustRegisterBlockFunc("array.histogram", func(_ context.Context, args []byte, out funcs.Block, dst []byte, in []funcs.Block, src [][]byte) error {
		edges := make([]float64, len(args)/8)
		for i := range edges {
			edges[i] = math.Float64frombits(binary.LittleEndian.Uint64(args[8*i:]))
		}
		nb := len(edges) - 1
		if out.Elems() != nb || out.DType != graph.Int64 {
			return fmt.Errorf("histogram: output %v%v for %d bins", out.DType, out.Shape, nb)
		}
		counts := make([]int64, nb)
		switch b := src[0][:in[0].Elems()*in[0].DType.Size()]; in[0].DType {
		case graph.Float64:
			histCounts(device.ViewBytes[float64](b), edges, counts)
		case graph.Float32:
			histCounts(device.ViewBytes[float32](b), edges, counts)
		case graph.Int64:
			histCounts(device.ViewBytes[int64](b), edges, counts)
		case graph.Int32:
			histCounts(device.ViewBytes[int32](b), edges, counts)
		case graph.Bool:
			histCounts(b, edges, counts)
		}
		for i, c := range counts {
			binary.LittleEndian.PutUint64(dst[8*i:], uint64(c))
		}
		return nil
	})
	funcs.MustRegisterBlockFunc("array.bincount", func(_ context.Context, _ []byte, out funcs.Block, dst []byte, in []funcs.Block, src [][]byte) error {
		n := out.Elems()
		clear(dst)
		for k := 0; k < in[0].Elems(); k++ {
			v := intAt(src[0], in[0].DType, k)
			if v < 0 || v >= int64(n) {
				return fmt.Errorf("bincount: value %d outside [0, minlength %d)", v, n)
			}
			if len(src) == 1 {
				p := dst[8*v:]
				binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)+1)
			} else {
				p := dst[8*v:]
				wv := math.Float64frombits(binary.LittleEndian.Uint64(src[1][8*k:]))
				binary.LittleEndian.PutUint64(p, math.Float64bits(math.Float64frombits(binary.LittleEndian.Uint64(p))+wv))
			}
		}
		return nil
	})
}
