package cpu

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// quantileKernel runs graph.OpQuantile: for every position o of the
// input's axes not in Axes, with s the input's elements over Axes (as
// float64; bool as 0/1) sorted ascending and n = len(s) (NaNs dropped
// first with SkipNaN):
//
//	Median:  dst[o] = s[n/2]                       (n odd)
//	         dst[o] = (s[n/2-1] + s[n/2]) / 2      (n even, in the output dtype)
//	else:    dst[k, o] = lerp(s[lo], s[hi], g)     for each Q[k], NumPy's "linear":
//	         v = (n-1)*Q[k]; lo = floor(v), hi = lo+1, g = v-lo;
//	         lo = hi = n-1 (and g = v+1) when v >= n-1;
//	         lerp(a, b, g) = a + (b-a)*g, or b - (b-a)*(1-g) when g >= 0.5
//
// which is NumPy 1.24's formula to the bit (including its NaN for
// ±Inf at the top). A NaN among s (without SkipNaN), or n == 0, gives NaN.
// The output is float64, or float32 for the median of float32 (NumPy's
// mean of two float32 is float32). Memory beyond the destination: one
// lane of float64 scratch (n elements, the product of the reduced axes).
type quantileKernel struct{}

func (quantileKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.QuantileParams)
	if !ok || p == nil {
		return fmt.Errorf("quantile: params are %T, want *graph.QuantileParams", l.Task.Op.Params)
	}
	if len(l.Src) != 1 || len(l.Task.Outputs) != 1 || len(l.Dst) != 1 {
		return fmt.Errorf("quantile: %d inputs and %d outputs, want 1 and 1", len(l.Src), len(l.Task.Outputs))
	}
	in, out := l.SrcMeta[0], l.Task.Outputs[0]
	nd := len(in.Shape)
	red := make([]bool, nd)
	for _, a := range p.Axes {
		if a < 0 || a >= nd || red[a] {
			return fmt.Errorf("quantile: axes %v of a %d-d input", p.Axes, nd)
		}
		red[a] = true
	}
	var kept, redShape, keptStr, redStr []int
	strides := graph.Strides(in.Shape)
	for a := 0; a < nd; a++ {
		if red[a] {
			redShape, redStr = append(redShape, in.Shape[a]), append(redStr, strides[a])
		} else {
			kept, keptStr = append(kept, in.Shape[a]), append(keptStr, strides[a])
		}
	}
	want := kept
	nq := 1
	if !p.Median {
		nq = len(p.Q)
		want = append([]int{nq}, kept...)
		for _, q := range p.Q {
			if !(q >= 0 && q <= 1) {
				return fmt.Errorf("quantile: q %v is outside [0, 1]", q)
			}
		}
	}
	if !slices.Equal(out.Shape, want) {
		return fmt.Errorf("quantile: output %v from input %v over axes %v, want shape %v", out, in, p.Axes, want)
	}
	f32 := out.DType == graph.Float32
	if !(out.DType == graph.Float64 || f32 && p.Median && in.DType == graph.Float32) {
		return fmt.Errorf("quantile: output %v from input %v", out.DType, in.DType)
	}
	get, err := floatReader(in.DType, l.Src[0].Bytes())
	if err != nil {
		return fmt.Errorf("quantile: %w", err)
	}
	nk := prodInts(kept)
	nr := prodInts(redShape)
	scratch := make([]float64, 0, nr)
	var d64 []float64
	var d32 []float32
	if f32 {
		d32 = device.View[float32](l.Dst[0])
	} else {
		d64 = device.View[float64](l.Dst[0])
	}
	ko := make([]int, len(kept))
	ro := make([]int, len(redShape))
	var need []int
	for k := 0; k < nk; k++ {
		base := 0
		for a := range ko {
			base += ko[a] * keptStr[a]
		}
		scratch = scratch[:0]
		nan := false
		clear(ro)
		for r := 0; r < nr; r++ {
			off := base
			for a := range ro {
				off += ro[a] * redStr[a]
			}
			v := get(off)
			if v != v {
				nan = true
				if !p.SkipNaN {
					break
				}
			} else {
				scratch = append(scratch, v)
			}
			odometer(ro, redShape)
		}
		odometer(ko, kept)
		if nan && !p.SkipNaN || len(scratch) == 0 {
			for q := 0; q < nq; q++ {
				if f32 {
					d32[q*nk+k] = float32(math.NaN())
				} else {
					d64[q*nk+k] = math.NaN()
				}
			}
			continue
		}
		n := len(scratch)
		// only the order statistics read below are put in place
		need = need[:0]
		if p.Median {
			need = append(need, (n-1)/2, n/2)
		} else {
			for _, q := range p.Q {
				lo, hi := quantileIndices(n, q)
				need = append(need, lo, hi)
			}
		}
		selectOrder(scratch, need)
		if p.Median {
			a, b := scratch[n/2], scratch[n/2]
			if n%2 == 0 {
				a = scratch[n/2-1]
			}
			if f32 {
				if n%2 == 0 {
					d32[k] = (float32(a) + float32(b)) / 2
				} else {
					d32[k] = float32(a)
				}
			} else if n%2 == 0 {
				d64[k] = (a + b) / 2
			} else {
				d64[k] = a
			}
			continue
		}
		for qi, q := range p.Q {
			d64[qi*nk+k] = linearQuantile(scratch, q)
		}
	}
	return nil
}

// quantileIndices are the two order statistics of n values that
// linearQuantile reads for q.
func quantileIndices(n int, q float64) (lo, hi int) {
	v := float64(n-1) * q
	switch {
	case v >= float64(n-1):
		return n - 1, n - 1
	case v < 0:
		return 0, 0
	}
	lo = int(math.Floor(v))
	return lo, lo + 1
}

// selectOrder permutes s (no NaNs) so that s[k] holds the k-th smallest
// value for each k of ks, as a sort would put it, in expected linear
// time (np.partition's idea): quickselect on the part of s that holds the
// next index, sorting outright parts that are small or keep splitting
// badly. ks is sorted in place.
func selectOrder(s []float64, ks []int) {
	slices.Sort(ks)
	lo := 0 // s[:lo] is in place and at most s[lo:]
	for _, k := range ks {
		if k < lo {
			continue // already in place
		}
		nthElement(s[lo:], k-lo)
		lo = k + 1
	}
}

// nthElement permutes s so that s[k] is the value a sort would put
// there, with s[:k] <= s[k] <= s[k+1:].
func nthElement(s []float64, k int) {
	budget := 2 * bits.Len(uint(len(s)))
	for len(s) > 16 {
		if budget == 0 {
			slices.Sort(s)
			return
		}
		budget--
		// median of three as the pivot, then Hoare's partition
		m := len(s) / 2
		a, b, c := s[0], s[m], s[len(s)-1]
		piv := max(min(a, b), min(max(a, b), c))
		i, j := 0, len(s)-1
		for {
			for s[i] < piv {
				i++
			}
			for s[j] > piv {
				j--
			}
			if i >= j {
				break
			}
			s[i], s[j] = s[j], s[i]
			i++
			j--
		}
		// s[:j+1] <= piv <= s[j+1:]
		if k <= j {
			s = s[:j+1]
		} else {
			s, k = s[j+1:], k-j-1
		}
	}
	slices.Sort(s)
}

// linearQuantile is NumPy 1.24's "linear" quantile of s (no NaN, len(s)
// > 0) whose order statistics quantileIndices(len(s), q) are in place,
// formula for formula.
func linearQuantile(s []float64, q float64) float64 {
	n := len(s)
	v := float64(n-1) * q
	prev := math.Floor(v)
	if v >= float64(n-1) {
		prev = -1
	}
	if v < 0 {
		prev = 0
	}
	g := v - prev
	lo, hi := quantileIndices(n, q)
	a, b := s[lo], s[hi]
	d := b - a
	if g >= 0.5 {
		return b - d*(1-g)
	}
	return a + d*g
}

// floatReader returns element k of a buffer of dtype dt as float64.
func floatReader(dt graph.DType, b []byte) (func(k int) float64, error) {
	switch dt {
	case graph.Float64:
		s := device.ViewBytes[float64](b)
		return func(k int) float64 { return s[k] }, nil
	case graph.Float32:
		s := device.ViewBytes[float32](b)
		return func(k int) float64 { return float64(s[k]) }, nil
	case graph.Int64:
		s := device.ViewBytes[int64](b)
		return func(k int) float64 { return float64(s[k]) }, nil
	case graph.Int32:
		s := device.ViewBytes[int32](b)
		return func(k int) float64 { return float64(s[k]) }, nil
	case graph.Bool:
		s := device.ViewBytes[uint8](b)
		return func(k int) float64 { return float64(s[k]) }, nil
	}
	return nil, fmt.Errorf("dtype %v is not supported", dt)
}

// odometer advances the C-order coordinates c within shape.
func odometer(c, shape []int) {
	for a := len(c) - 1; a >= 0; a-- {
		c[a]++
		if c[a] < shape[a] {
			return
		}
		c[a] = 0
	}
}

func prodInts(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}
