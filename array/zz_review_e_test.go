package array_test

import (
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
)

// numpy.roll(arange(5), (maxint, maxint), axis=(0, 0)) shifts by
// 2*maxint mod 5 == 4 (Python ints); the int sum wraps to -2 here.
func TestReviewRollShiftOverflow(t *testing.T) {
	x := array.FromSlice(iota64(5), []int{5}, array.Chunked(2))
	_, got, _ := rvF(t, x.Roll(math.MaxInt, 0, 0))
	rvEq(t, "roll overflow", got, []float64{1, 2, 3, 4, 0})
}
