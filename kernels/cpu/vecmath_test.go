package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// vecSeed is the seed of a random vector-math test: the package's -seed
// flag, or the clock; the test logs it so that a failure can be rerun.
func vecSeed(t testing.TB) uint64 {
	s := *conformanceSeed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return s
}

// vecSize is the length of the large random input of a bit-identity test.
func vecSize() int {
	if testing.Short() || raceEnabled {
		return 200_000
	}
	return 4_000_000
}

// anyBits is a float64 of uniformly random bits: every exponent, both
// signs, subnormals, ±Inf and NaNs with their payloads.
func anyBits(r *rand.Rand) float64 { return math.Float64frombits(r.Uint64()) }

// nearby is x moved by up to 3 ulps either way.
func nearby(r *rand.Rand, x float64) float64 {
	b := math.Float64bits(x)
	return math.Float64frombits(b + uint64(r.IntN(7)-3))
}

// sameBits reports whether a and b are the same float64 (any NaN equal to
// any NaN).
func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b
}

// checkUnarySame fails unless slice gives ref's bits on src (fresh and in
// place) on the current level.
func checkUnarySame(t *testing.T, name string, level int, ref, slice func(dst, src []float64), src []float64) {
	t.Helper()
	want := make([]float64, len(src))
	ref(want, src)
	got := make([]float64, len(src))
	slice(got, src)
	inPlace := append([]float64(nil), src...)
	slice(inPlace, inPlace)
	for i := range src {
		if !sameBits(got[i], want[i]) || !sameBits(inPlace[i], want[i]) {
			t.Fatalf("level %d: %s(%v) (%#x) at %d of %d = %v (in place %v), Go path %v (%#x)",
				level, name, src[i], math.Float64bits(src[i]), i, len(src), got[i], inPlace[i], want[i], math.Float64bits(want[i]))
		}
	}
}

// checkUnaryLevels runs checkUnarySame on every level this CPU has: a
// large random input, the edges alone, the edges scattered among ordinary
// lanes (so that single lanes take the Go path), and every length up to
// 70 at every start offset.
// vec must write all of ordinary, a run of fast-path inputs, on a vector
// level (else the comparison would test the Go path against itself).
func checkUnaryLevels(t *testing.T, name string, ref, slice func(dst, src []float64), vec func(dst, src []float64) (int, int),
	gen func(*rand.Rand) float64, ordinary, edges []float64) {
	rng := rand.New(rand.NewPCG(vecSeed(t), 1))
	big := make([]float64, vecSize())
	for i := range big {
		big[i] = gen(rng)
	}
	mixed := make([]float64, 4096)
	for i := range mixed {
		mixed[i] = gen(rng)
		if rng.IntN(16) == 0 {
			mixed[i] = edges[rng.IntN(len(edges))]
		}
	}
	for _, l := range trigLevels() {
		withTrigLevel(l, func() {
			if k, w := vec(make([]float64, len(ordinary)), ordinary); l != vecNone && (w == 0 || k != len(ordinary)) {
				t.Fatalf("level %d: the vector %s did %d of %d ordinary inputs", l, name, k, len(ordinary))
			}
			checkUnarySame(t, name, l, ref, slice, big)
			checkUnarySame(t, name, l, ref, slice, edges)
			checkUnarySame(t, name, l, ref, slice, mixed)
			for ln := 0; ln <= 70; ln++ {
				for s := 0; s < 9; s++ {
					checkUnarySame(t, name, l, ref, slice, mixed[s:s+ln])
					checkUnarySame(t, name, l, ref, slice, edges[s:s+min(ln, len(edges)-s)])
				}
			}
		})
	}
}

// TestLogVectorBitIdentical: the vector log gives logGo's bits on
// millions of inputs over the whole float64 range and near its edges.
func TestLogVectorBitIdentical(t *testing.T) {
	sub := math.SmallestNonzeroFloat64
	edges := []float64{0, math.Copysign(0, -1), sub, -sub, 0x1p-1022, math.Nextafter(0x1p-1022, 0),
		math.Nextafter(0x1p-1022, 1), -0x1p-1022, 1, math.Nextafter(1, 0), math.Nextafter(1, 2), -1, 2, 0.5,
		math.Sqrt2 / 2, math.Nextafter(math.Sqrt2/2, 0), math.Nextafter(math.Sqrt2/2, 1), math.Sqrt2,
		math.Float64frombits(0x3fe6a09e667f3bcd), math.Float64frombits(0x3fe6a09e667f3bcc),
		math.E, 10, 1e-300, 1e300, math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0x7ff8000000000001), math.Float64frombits(0xfff0000000000001)}
	gen := func(r *rand.Rand) float64 {
		switch r.IntN(5) {
		case 0:
			return anyBits(r)
		case 1:
			return logUniform(r, -1074, 1024)
		case 2:
			return 1 + signed(r, logUniform(r, -52, -1))
		case 3:
			return nearby(r, math.Ldexp(math.Sqrt2/2, r.IntN(2000)-1000))
		default:
			return r.Float64() * 4
		}
	}
	checkUnaryLevels(t, "log", logGo, logSlice, logVec, gen, benchInputs("Log", 64), edges)
}

// TestTanhVectorBitIdentical: the vector tanh gives tanhGo's bits on
// millions of inputs over the whole float64 range and near its edges.
func TestTanhVectorBitIdentical(t *testing.T) {
	sub := math.SmallestNonzeroFloat64
	edges := []float64{0, math.Copysign(0, -1), sub, -sub, 0x1p-1022, -0x1p-1022, 0x1p-28,
		math.Nextafter(0x1p-28, 0), math.Nextafter(0x1p-28, 1), -0x1p-28, 22, math.Nextafter(22, 0),
		math.Nextafter(22, 23), -22, 0.5, 1, -1, math.Ln2 / 2, 19.1, 1e-300, 1e300, math.MaxFloat64,
		-math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), math.Float64frombits(0xfff8000000000001)}
	gen := func(r *rand.Rand) float64 {
		switch r.IntN(5) {
		case 0:
			return anyBits(r)
		case 1:
			return signed(r, logUniform(r, -40, 5))
		case 2:
			return (r.Float64()*2 - 1) * 25
		case 3:
			return signed(r, nearby(r, []float64{0x1p-28, 22, 0.34657359027997264}[r.IntN(3)]))
		default:
			return (r.Float64()*2 - 1) * 3
		}
	}
	checkUnaryLevels(t, "tanh", tanhGo, tanhSlice, tanhVec, gen, benchInputs("Tanh", 64), edges)
}

func benchLevels(b *testing.B, name string, f func(dst, src []float64)) {
	src := benchInputs(name, TileLen)
	dst := make([]float64, TileLen)
	for _, l := range trigLevels() {
		b.Run([...]string{"go", "avx2", "avx512"}[l], func(b *testing.B) {
			withTrigLevel(l, func() {
				for b.Loop() {
					f(dst, src)
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/TileLen, "ns/elem")
		})
	}
}

// BenchmarkLogLevels is log per element over a tile on each vector level.
func BenchmarkLogLevels(b *testing.B) { benchLevels(b, "Log", logSlice) }

// BenchmarkTanhLevels is tanh per element over a tile on each vector level.
func BenchmarkTanhLevels(b *testing.B) { benchLevels(b, "Tanh", tanhSlice) }
