package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// withPhiloxPath runs f with the vector Philox path on (when the CPU has
// one) or off, restoring the switch after.
func withPhiloxPath(vector bool, f func()) {
	saved := philoxSIMD
	philoxSIMD = saved && vector
	defer func() { philoxSIMD = saved }()
	f()
}

// philoxCases is random seeds, streams, firsts and strides, with firsts
// near the 2^32 and 2^64 wraps and strides 0, ±1 and large.
func philoxCases(r *rand.Rand) (seeds, streams []uint64, firsts, strides []int64) {
	seeds = []uint64{0, math.MaxUint64, r.Uint64(), r.Uint64()}
	streams = []uint64{0, math.MaxUint64, r.Uint64()}
	firsts = []int64{0, 1<<32 - 5, -3, math.MaxInt64 - 2, math.MinInt64, int64(r.Uint64())}
	strides = []int64{0, 1, -1, 2, 1 << 31, -(1 << 33) + 7, math.MaxInt64, math.MinInt64, int64(r.Uint64())}
	return
}

// philoxWords must equal philoxBlock at every index, with and without the
// vector path, for every length up to 70 and words 2 and 3 or not.
func TestPhiloxWordsMatchBlock(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	seeds, streams, firsts, strides := philoxCases(r)
	for _, vector := range []bool{true, false} {
		withPhiloxPath(vector, func() {
			for _, seed := range seeds {
				for _, stream := range streams {
					for _, first := range firsts {
						for _, stride := range strides {
							for n := 0; n <= 70; n++ {
								checkPhiloxWords(t, vector, n, seed, stream, first, stride)
							}
						}
					}
				}
			}
		})
	}
}

func checkPhiloxWords(t *testing.T, vector bool, n int, seed, stream uint64, first, stride int64) {
	t.Helper()
	k0, k1 := uint32(seed), uint32(seed>>32)
	s0, s1 := uint32(stream), uint32(stream>>32)
	var w [4][]uint32
	for j := range w {
		w[j] = make([]uint32, n)
	}
	x0, x1 := make([]uint32, n), make([]uint32, n)
	philoxWords(w[0], w[1], w[2], w[3], uint64(first), uint64(stride), s0, s1, k0, k1)
	philoxWords(x0, x1, nil, nil, uint64(first), uint64(stride), s0, s1, k0, k1)
	for k := 0; k < n; k++ {
		i := uint64(first) + uint64(k)*uint64(stride)
		a0, a1, a2, a3 := philoxBlock(uint32(i), uint32(i>>32), s0, s1, k0, k1)
		if got := [4]uint32{w[0][k], w[1][k], w[2][k], w[3][k]}; got != [4]uint32{a0, a1, a2, a3} {
			t.Fatalf("vector=%v n=%d seed=%#x stream=%#x first=%d stride=%d: words[%d] = %08x, want %08x",
				vector, n, seed, stream, first, stride, k, got, [4]uint32{a0, a1, a2, a3})
		}
		if x0[k] != a0 || x1[k] != a1 {
			t.Fatalf("vector=%v n=%d seed=%#x stream=%#x first=%d stride=%d: two words[%d] = %08x %08x, want %08x %08x",
				vector, n, seed, stream, first, stride, k, x0[k], x1[k], a0, a1)
		}
	}
}

// Every Rand* fill gives the same bits on the vector and the scalar path.
func TestPhiloxFillsVectorEqualsScalar(t *testing.T) {
	if !philoxSIMD {
		t.Log("no vector Philox path on this machine: comparing the scalar path with itself")
	}
	r := rand.New(rand.NewPCG(3, 4))
	seeds, streams, firsts, strides := philoxCases(r)
	type fills struct {
		u64, n64 []float64
		u32, n32 []float32
		i64      []int64
		i32      []int32
		f64      []int64 // full-range RandInt64
	}
	run := func(vector bool, n int, seed, stream uint64, first, stride int64) fills {
		f := fills{make([]float64, n), make([]float64, n), make([]float32, n), make([]float32, n),
			make([]int64, n), make([]int32, n), make([]int64, n)}
		withPhiloxPath(vector, func() {
			RandUniform64(f.u64, seed, stream, first, stride)
			RandNormal64(f.n64, seed, stream, first, stride)
			RandUniform32(f.u32, seed, stream, first, stride)
			RandNormal32(f.n32, seed, stream, first, stride)
			RandInt64(f.i64, -1000, 12345, seed, stream, first, stride)
			RandInt32(f.i32, math.MinInt32, math.MaxInt32, seed, stream, first, stride)
			RandInt64(f.f64, math.MinInt64, math.MaxInt64, seed, stream, first, stride)
		})
		return f
	}
	lengths := []int{0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 70, philoxChunk - 1, philoxChunk, philoxChunk + 9, 3*philoxChunk + 5}
	for _, seed := range seeds {
		for _, stream := range streams {
			for _, first := range firsts {
				for _, stride := range strides {
					for _, n := range lengths {
						v := run(true, n, seed, stream, first, stride)
						s := run(false, n, seed, stream, first, stride)
						for k := 0; k < n; k++ {
							if math.Float64bits(v.u64[k]) != math.Float64bits(s.u64[k]) ||
								math.Float64bits(v.n64[k]) != math.Float64bits(s.n64[k]) ||
								math.Float32bits(v.u32[k]) != math.Float32bits(s.u32[k]) ||
								math.Float32bits(v.n32[k]) != math.Float32bits(s.n32[k]) ||
								v.i64[k] != s.i64[k] || v.i32[k] != s.i32[k] || v.f64[k] != s.f64[k] {
								t.Fatalf("seed=%#x stream=%#x first=%d stride=%d n=%d: element %d differs: vector %v %v %v %v %v %v %v, scalar %v %v %v %v %v %v %v",
									seed, stream, first, stride, n, k,
									v.u64[k], v.n64[k], v.u32[k], v.n32[k], v.i64[k], v.i32[k], v.f64[k],
									s.u64[k], s.n64[k], s.u32[k], s.n32[k], s.i64[k], s.i32[k], s.f64[k])
							}
						}
					}
				}
			}
		}
	}
}

// The known answers and the fill definition hold on the scalar path too
// (the tests in philox_test.go run with the vector path where there is one).
func TestPhiloxScalarPathKnownAnswers(t *testing.T) {
	withPhiloxPath(false, func() {
		TestPhiloxKnownAnswers(t)
		TestPhiloxFillMatchesBlock(t)
	})
}

// BenchmarkRandUniform64Path is RandUniform64 on the vector and the scalar
// path (ns/elem).
func BenchmarkRandUniform64Path(b *testing.B) {
	for _, c := range []struct {
		name   string
		vector bool
	}{{"vector", true}, {"scalar", false}} {
		b.Run(c.name, func(b *testing.B) {
			if c.vector && !philoxSIMD {
				b.Skip("no vector Philox path on this machine")
			}
			withPhiloxPath(c.vector, func() {
				dst := make([]float64, 1<<16)
				b.SetBytes(8 * int64(len(dst)))
				for i := 0; b.Loop(); i++ {
					RandUniform64(dst, 1, 0, int64(i)*int64(len(dst)), 1)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(dst)), "ns/elem")
			})
		})
	}
}
