package cpu

import "testing"

// The fused interpreter fills one tile (TileLen elements) at a time, so a
// fill must not allocate: a heap-escaping word buffer once made the demo
// three times slower while the large-slice benchmark hid it.
func TestRandFillsDoNotAllocate(t *testing.T) {
	f64 := make([]float64, TileLen)
	f32 := make([]float32, TileLen)
	i64 := make([]int64, TileLen)
	i32 := make([]int32, TileLen)
	for name, fill := range map[string]func(){
		"uniform64": func() { RandUniform64(f64, 1, 2, 3, 1) },
		"uniform32": func() { RandUniform32(f32, 1, 2, 3, 1) },
		"normal64":  func() { RandNormal64(f64, 1, 2, 3, 1) },
		"normal32":  func() { RandNormal32(f32, 1, 2, 3, 1) },
		"int64":     func() { RandInt64(i64, -5, 9, 1, 2, 3, 1) },
		"int32":     func() { RandInt32(i32, -5, 9, 1, 2, 3, 1) },
	} {
		if n := testing.AllocsPerRun(20, fill); n != 0 {
			t.Errorf("%s: %v allocations per fill of %d elements, want 0", name, n, TileLen)
		}
	}
}
