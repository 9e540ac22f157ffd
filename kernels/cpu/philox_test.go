package cpu

import (
	"math"
	"testing"
)

// Known answers from Random123's kat_vectors (philox4x32 10 rounds);
// TestPhiloxKnownAnswersEveryLevel runs them through the fills' vector paths.
func TestPhiloxKnownAnswers(t *testing.T) {
	for _, c := range philoxKAT {
		if got := Philox4x32(c.ctr, c.key); got != c.want {
			t.Errorf("Philox4x32(%08x, %08x) = %08x, want %08x", c.ctr, c.key, got, c.want)
		}
	}
}

// The first values of seed 1, stream 0 pin the stream definition: a change
// of it shows here (and must be deliberate: it changes every random array).
// They were computed by an independent Python Philox4x32-10 that passes the
// known answers.
func TestPhiloxStoredValues(t *testing.T) {
	u64 := make([]float64, 4)
	u32 := make([]float32, 6)
	i64 := make([]int64, 4)
	RandUniform64(u64, 1, 0, 0, 1)
	RandUniform32(u32, 1, 0, 0, 1)
	RandInt64(i64, 0, 1000, 1, 0, 0, 1)
	if want := [4]uint64{0x3feca141d79c7d00, 0x3fe6c2b544f2be44, 0x3febf8b997d58102, 0x3fe4fecc126f380f}; [4]uint64{math.Float64bits(u64[0]), math.Float64bits(u64[1]),
		math.Float64bits(u64[2]), math.Float64bits(u64[3])} != want {
		t.Errorf("uniform64 = %v, want bits %x", u64, want)
	}
	if want := [6]uint32{0x3f63e806, 0x3f650a0e, 0x3f15f222, 0x3f3615aa, 0x3f2c0814, 0x3f5fc5cc}; [6]uint32{math.Float32bits(u32[0]), math.Float32bits(u32[1]), math.Float32bits(u32[2]),
		math.Float32bits(u32[3]), math.Float32bits(u32[4]), math.Float32bits(u32[5])} != want {
		t.Errorf("uniform32 = %v, want bits %x", u32, want)
	}
	if want := [4]int64{894, 711, 874, 656}; [4]int64(i64) != want {
		t.Errorf("int64 = %v, want %v", i64, want)
	}
}

func TestPhiloxChunkingIndependence(t *testing.T) {
	const n = 1001
	whole := make([]float64, n)
	RandNormal64(whole, 42, 7, 0, 1)
	for _, cut := range []int{0, 1, 500, 1000, n} {
		parts := make([]float64, n)
		RandNormal64(parts[:cut], 42, 7, 0, 1)
		RandNormal64(parts[cut:], 42, 7, int64(cut), 1)
		for i := range whole {
			if math.Float64bits(whole[i]) != math.Float64bits(parts[i]) {
				t.Fatalf("cut %d: element %d differs: %v vs %v", cut, i, whole[i], parts[i])
			}
		}
	}
	// A reversed run (stride -1) reads the same values backwards.
	rev := make([]float64, n)
	RandNormal64(rev, 42, 7, n-1, -1)
	for i := range rev {
		if rev[i] != whole[n-1-i] {
			t.Fatalf("reversed element %d differs", i)
		}
	}
	// Streams and seeds differ.
	other := make([]float64, n)
	RandNormal64(other, 42, 8, 0, 1)
	RandNormal64(rev, 43, 7, 0, 1)
	same, same2 := 0, 0
	for i := range whole {
		if other[i] == whole[i] {
			same++
		}
		if rev[i] == whole[i] {
			same2++
		}
	}
	if same > 0 || same2 > 0 {
		t.Errorf("other stream / seed repeat %d / %d values", same, same2)
	}
}

func philoxMeanVar(x []float64) (m, v float64) {
	for _, a := range x {
		m += a
	}
	m /= float64(len(x))
	for _, a := range x {
		v += (a - m) * (a - m)
	}
	return m, v / float64(len(x))
}

// within checks |got-want| <= 5 standard errors.
func philoxWithin(t *testing.T, what string, got, want, se float64) {
	t.Helper()
	if math.Abs(got-want) > 5*se {
		t.Errorf("%s = %v, want %v ± %v (5 sigma)", what, got, want, 5*se)
	}
}

func TestPhiloxUniformMoments(t *testing.T) {
	const n = 1_000_000
	x := make([]float64, n)
	RandUniform64(x, 1234, 0, 0, 1)
	for _, v := range x {
		if v < 0 || v >= 1 {
			t.Fatalf("uniform64 %v out of [0, 1)", v)
		}
	}
	m, v := philoxMeanVar(x)
	// Var of U(0,1) is 1/12; of the sample variance about (1/80 - 1/144)/n.
	philoxWithin(t, "uniform64 mean", m, 0.5, math.Sqrt(1.0/12/n))
	philoxWithin(t, "uniform64 var", v, 1.0/12, math.Sqrt((1.0/80-1.0/144)/n))

	y := make([]float32, n)
	RandUniform32(y, 1234, 1, 0, 1)
	for i, v := range y {
		if v < 0 || v >= 1 {
			t.Fatalf("uniform32 %v out of [0, 1)", v)
		}
		x[i] = float64(v)
	}
	m, v = philoxMeanVar(x)
	philoxWithin(t, "uniform32 mean", m, 0.5, math.Sqrt(1.0/12/n))
	philoxWithin(t, "uniform32 var", v, 1.0/12, math.Sqrt((1.0/80-1.0/144)/n))
}

func TestPhiloxNormalMoments(t *testing.T) {
	const n = 1_000_000
	x := make([]float64, n)
	RandNormal64(x, 99, 3, 0, 1)
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("normal64 gave %v", v)
		}
	}
	m, v := philoxMeanVar(x)
	philoxWithin(t, "normal64 mean", m, 0, math.Sqrt(1.0/n))
	philoxWithin(t, "normal64 var", v, 1, math.Sqrt(2.0/n))

	y := make([]float32, n)
	RandNormal32(y, 99, 4, 0, 1)
	for i, v := range y {
		x[i] = float64(v)
	}
	m, v = philoxMeanVar(x)
	philoxWithin(t, "normal32 mean", m, 0, math.Sqrt(1.0/n))
	philoxWithin(t, "normal32 var", v, 1, math.Sqrt(2.0/n))
}

func TestPhiloxNormalExtremes(t *testing.T) {
	// u1 is 1 - u on (0, 1]: the smallest u1 is 2^-53, never 0.
	if z := philoxNormal(0xffffffff, 0xffffffff, 0, 0); math.IsInf(z, 0) || math.IsNaN(z) || z < 8 {
		t.Errorf("largest normal = %v, want finite > 8", z)
	}
	if z := philoxNormal(0, 0, 0, 0); z != 0 {
		t.Errorf("u1 = 1 gives %v, want 0", z)
	}
}

func TestPhiloxIntegers(t *testing.T) {
	const n = 200_000
	const bins = 37
	x := make([]int64, n)
	RandInt64(x, -10, -10+bins, 5, 0, 0, 1)
	var count [bins]int
	for _, v := range x {
		if v < -10 || v >= -10+bins {
			t.Fatalf("int64 %d out of [-10, %d)", v, -10+bins)
		}
		count[v+10]++
	}
	chi := 0.0
	e := float64(n) / bins
	for _, c := range count {
		chi += (float64(c) - e) * (float64(c) - e) / e
	}
	// 36 degrees of freedom: mean 36, sd 8.5; 100 is beyond 7 sd.
	if chi > 100 {
		t.Errorf("int64 chi-square %v over %d bins, want < 100", chi, bins)
	}

	y := make([]int32, n)
	RandInt32(y, math.MinInt32, math.MaxInt32, 5, 1, 0, 1)
	neg := 0
	for _, v := range y {
		if v == math.MaxInt32 {
			t.Fatalf("int32 hit the excluded high")
		}
		if v < 0 {
			neg++
		}
	}
	philoxWithin(t, "int32 negative fraction", float64(neg)/n, 0.5, math.Sqrt(0.25/n))

	// The full int64 range (width 2^64 - 1) does not overflow.
	RandInt64(x[:1000], math.MinInt64, math.MaxInt64, 5, 2, 0, 1)
	neg = 0
	for _, v := range x[:1000] {
		if v < 0 {
			neg++
		}
	}
	if neg < 400 || neg > 600 {
		t.Errorf("full-range int64: %d of 1000 negative", neg)
	}
}

// benchRand reports ns/elem of fill on 1<<16 elements of size bytes.
func benchRand(b *testing.B, size int, fill func(first int64)) {
	const n = 1 << 16
	b.SetBytes(int64(size) * n)
	for i := 0; b.Loop(); i++ {
		fill(int64(i) * n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
}

func BenchmarkRandUniform64(b *testing.B) {
	dst := make([]float64, 1<<16)
	benchRand(b, 8, func(first int64) { RandUniform64(dst, 1, 0, first, 1) })
}

// BenchmarkRandUniform64Strided reads a transposed run (stride 4096).
func BenchmarkRandUniform64Strided(b *testing.B) {
	dst := make([]float64, 1<<16)
	benchRand(b, 8, func(first int64) { RandUniform64(dst, 1, 0, first, 4096) })
}

func BenchmarkRandUniform32(b *testing.B) {
	dst := make([]float32, 1<<16)
	benchRand(b, 4, func(first int64) { RandUniform32(dst, 1, 0, first, 1) })
}

func BenchmarkRandInt64(b *testing.B) {
	dst := make([]int64, 1<<16)
	benchRand(b, 8, func(first int64) { RandInt64(dst, 0, 1000, 1, 0, first, 1) })
}

func BenchmarkRandNormal64(b *testing.B) {
	dst := make([]float64, 1<<16)
	benchRand(b, 8, func(first int64) { RandNormal64(dst, 1, 0, first, 1) })
}
