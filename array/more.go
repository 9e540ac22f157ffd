package array

import (
	"math"

	"github.com/blockwork-dev/blockwork/graph"
)

// maxPositions bounds the index lists built in memory (RepeatEach, and
// the bins of Histogram and BinCount): 2^27 positions, 1 GiB of ints.
const maxPositions = 1 << 27

// RoundDecimals rounds to the given number of decimals, half to even,
// as np.round(x, decimals): for floats x*10^d is rounded and divided by
// 10^d (negative d: divided, rounded, multiplied), in x's dtype, as NumPy
// computes it, so the results match NumPy's bit for bit (2.675 rounds to
// 2.68 there and here, though 2.675 is stored as 2.67499...).
// Integers are unchanged for d >= 0 and rounded through float64 for d <
// 0 (np.round(1250, -2) = 1200), as NumPy does.
func (x *Array) RoundDecimals(d int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if d == 0 {
		return x.Round()
	}
	if d > 308 || d < -308 {
		return errorf("round", "%d decimals (shape %s): want |decimals| <= 308", d, shapeStr(x.nd.shape))
	}
	dt := x.nd.dtype
	if !dt.IsFloat() && d >= 0 {
		return x
	}
	f := Float(math.Pow(10, math.Abs(float64(d))))
	y := x
	if !dt.IsFloat() {
		y = x.Astype(graph.Float64)
	}
	if d > 0 {
		y = y.Mul(f).Round().Div(f)
	} else {
		y = y.Div(f).Round().Mul(f)
	}
	if !dt.IsFloat() {
		y = y.Astype(dt)
	}
	return y
}

// RepeatEach repeats element i of axis counts[i] times (np.repeat with
// an array of counts; len(counts) must be the axis's length, or 1). It is
// a Take of the repeated positions.
func (x *Array) RepeatEach(counts []int, axis int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	a, err := normAxis("repeat", axis, len(x.nd.shape))
	if err != nil {
		return errArray(err)
	}
	n := x.nd.shape[a]
	if len(counts) == 1 {
		return x.Repeat(counts[0], a)
	}
	if len(counts) != n {
		return errorf("repeat", "%d counts for axis %d of length %d (shape %s)", len(counts), axis, n, shapeStr(x.nd.shape))
	}
	total := 0
	for i, c := range counts {
		if c < 0 {
			return errorf("repeat", "negative count %d at %d (shape %s)", c, i, shapeStr(x.nd.shape))
		}
		if c > maxPositions-total {
			return errorf("repeat", "more than %d repeats in all: the positions are held in memory (shape %s)", maxPositions, shapeStr(x.nd.shape))
		}
		total += c
	}
	pos := make([]int, 0, total)
	for i, c := range counts {
		for range c {
			pos = append(pos, i)
		}
	}
	return x.Take(pos, a)
}

// RollEach rolls by shifts[i] along axes[i] (np.roll with sequences of
// shifts and axes; an axis given twice is rolled twice).
func (x *Array) RollEach(shifts, axes []int) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if len(shifts) != len(axes) {
		return errorf("roll", "%d shifts for %d axes (shape %s)", len(shifts), len(axes), shapeStr(x.nd.shape))
	}
	y := x
	for i := range shifts {
		y = y.Roll(shifts[i], axes[i])
	}
	return y
}

// CumSumAll is the cumulative sum of the flattened array
// (np.cumsum(x) with no axis).
func (x *Array) CumSumAll() *Array { return x.Ravel().CumSum(0) }

// CumProdAll is the cumulative product of the flattened array.
func (x *Array) CumProdAll() *Array { return x.Ravel().CumProd(0) }
