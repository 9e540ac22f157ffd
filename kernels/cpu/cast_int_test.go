package cpu

import (
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

// Integer to integer casts are exact or wrap as NumPy's astype does; they
// must not pass through float64 (which rounds MaxInt64 up to 2^63).
func TestCastIntegersExact(t *testing.T) {
	src := []int64{math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, 1<<53 + 1, -(1<<53 + 1), 1 << 31, -1}
	d64 := make([]byte, 8*len(src))
	castFrom(d64, graph.Int64, src)
	for i, v := range view[int64](d64, len(src)) {
		if v != src[i] {
			t.Errorf("int64 %d -> int64 gave %d", src[i], v)
		}
	}
	d32 := make([]byte, 4*len(src))
	castFrom(d32, graph.Int32, src)
	for i, v := range view[int32](d32, len(src)) {
		if want := int32(src[i]); v != want {
			t.Errorf("int64 %d -> int32 gave %d, want %d (wrapped)", src[i], v, want)
		}
	}
	// floats still saturate to the minimum like NumPy on x86
	f := []float64{math.NaN(), 1e300, -1e300, 9.223372036854775807e18, 2.5, -2.5}
	castFrom(d64[:8*len(f)], graph.Int64, f)
	want := []int64{math.MinInt64, math.MinInt64, math.MinInt64, math.MinInt64, 2, -2}
	for i, v := range view[int64](d64, len(f)) {
		if v != want[i] {
			t.Errorf("float64 %v -> int64 gave %d, want %d", f[i], v, want[i])
		}
	}
}
