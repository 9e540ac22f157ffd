package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpVectorBitIdentical: the vector exp gives expGo's bits on millions
// of random inputs, on the edges of its fast path (alone and scattered
// among ordinary lanes), for every length up to 70 and start offset, and
// in place.
func TestExpVectorBitIdentical(t *testing.T) {
	n := 4_000_000
	if testing.Short() || raceEnabled {
		n = 200_000
	}
	rng := rand.New(rand.NewPCG(11, 12))
	gen := func() float64 {
		switch rng.IntN(3) {
		case 0:
			return signed(rng, logUniform(rng, -60, 9.47))
		case 1:
			return -745 + 1455*rng.Float64()
		default:
			return (rng.Float64()*2 - 1) * 2
		}
	}
	big := make([]float64, n)
	for i := range big {
		big[i] = gen()
	}
	edges := []float64{0, math.Copysign(0, -1), math.SmallestNonzeroFloat64, 1, -1, 0.5, math.Ln2, -math.Ln2,
		expMin, math.Nextafter(expMin, 0), math.Nextafter(expMin, -1000), expMax, math.Nextafter(expMax, 0),
		math.Nextafter(expMax, 1000), 709.78, 709.79, 710, -745.1, -746, -1000, 1000,
		math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, -math.MaxFloat64}
	mixed := make([]float64, 4096)
	for i := range mixed {
		mixed[i] = gen()
		if rng.IntN(16) == 0 {
			mixed[i] = edges[rng.IntN(len(edges))]
		}
	}
	check := func(l int, src []float64) {
		t.Helper()
		want := make([]float64, len(src))
		expGo(want, src)
		got := make([]float64, len(src))
		expSlice(got, src)
		inPlace := append([]float64(nil), src...)
		expSlice(inPlace, inPlace)
		for i := range src {
			w := math.Float64bits(want[i])
			if math.Float64bits(got[i]) != w && !(got[i] != got[i] && want[i] != want[i]) ||
				math.Float64bits(inPlace[i]) != w && !(inPlace[i] != inPlace[i] && want[i] != want[i]) {
				t.Fatalf("level %d: exp(%v) at %d of %d = %v (in place %v), expGo %v", l, src[i], i, len(src), got[i], inPlace[i], want[i])
			}
		}
	}
	for _, l := range trigLevels() {
		withTrigLevel(l, func() {
			check(l, big)
			check(l, edges)
			check(l, mixed)
			for ln := 0; ln <= 70; ln++ {
				for s := 0; s < 9; s++ {
					check(l, mixed[s:s+ln])
					check(l, edges[s:s+min(ln, len(edges)-s)])
				}
			}
		})
	}
}

// BenchmarkExpLevels is exp per element over a tile on each vector level.
func BenchmarkExpLevels(b *testing.B) {
	src := benchInputs("Exp", TileLen)
	dst := make([]float64, TileLen)
	for _, l := range trigLevels() {
		b.Run([...]string{"go", "avx2", "avx512"}[l], func(b *testing.B) {
			withTrigLevel(l, func() {
				for b.Loop() {
					expSlice(dst, src)
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/TileLen, "ns/elem")
		})
	}
}
