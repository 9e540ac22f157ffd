package cpu

import (
	"math"
	"testing"
)

// Known answers from Random123's kat_vectors (philox4x32 10 rounds).
func TestPhiloxKnownAnswers(t *testing.T) {
	cases := []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0},
			[4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	}
	for _, c := range cases {
		if got := Philox4x32(c.ctr, c.key); got != c.want {
			t.Errorf("Philox4x32(%08x, %08x) = %08x, want %08x", c.ctr, c.key, got, c.want)
		}
	}
}

// The fills must equal the definition through Philox4x32, element by element.
func TestPhiloxFillMatchesBlock(t *testing.T) {
	var seed, stream uint64 = 0x0123456789abcdef, 0xfedcba9876543210
	key := [2]uint32{uint32(seed), uint32(seed >> 32)}
	block := func(i int64) [4]uint32 {
		u := uint64(i)
		return Philox4x32([4]uint32{uint32(u), uint32(u >> 32), uint32(stream), uint32(stream >> 32)}, key)
	}
	for _, st := range []struct{ first, stride int64 }{{0, 1}, {1<<32 - 3, 1}, {100, -7}, {5, 0}, {-2, 1}} {
		n := 9
		u64 := make([]float64, n)
		u32 := make([]float32, n)
		n64 := make([]float64, n)
		n32 := make([]float32, n)
		i64 := make([]int64, n)
		i32 := make([]int32, n)
		RandUniform64(u64, seed, stream, st.first, st.stride)
		RandUniform32(u32, seed, stream, st.first, st.stride)
		RandNormal64(n64, seed, stream, st.first, st.stride)
		RandNormal32(n32, seed, stream, st.first, st.stride)
		RandInt64(i64, -5, 1000, seed, stream, st.first, st.stride)
		RandInt32(i32, -5, 1000, seed, stream, st.first, st.stride)
		for k := 0; k < n; k++ {
			o := block(st.first + int64(k)*st.stride)
			w64 := uint64(o[0]) | uint64(o[1])<<32
			if want := math.Ldexp(float64(w64>>11), -53); u64[k] != want {
				t.Errorf("%+v: uniform64[%d] = %v, want %v", st, k, u64[k], want)
			}
			if want := float32(math.Ldexp(float64(o[0]>>8), -24)); u32[k] != want {
				t.Errorf("%+v: uniform32[%d] = %v, want %v", st, k, u32[k], want)
			}
			u1 := 1 - math.Ldexp(float64(w64>>11), -53)
			u2 := math.Ldexp(float64((uint64(o[2])|uint64(o[3])<<32)>>11), -53)
			z := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
			if n64[k] != z || n32[k] != float32(z) {
				t.Errorf("%+v: normal[%d] = %v, %v, want %v", st, k, n64[k], n32[k], z)
			}
			// hi64(w64 * 1005) - 5 without bits.Mul64: split w64.
			hi := (w64>>32)*1005 + ((w64&0xffffffff)*1005)>>32
			if want := int64(hi>>32) - 5; i64[k] != want || int64(i32[k]) != want {
				t.Errorf("%+v: int[%d] = %d, %d, want %d", st, k, i64[k], i32[k], want)
			}
		}
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

func BenchmarkRandUniform64(b *testing.B) {
	dst := make([]float64, 1<<16)
	b.SetBytes(8 * int64(len(dst)))
	for i := 0; b.Loop(); i++ {
		RandUniform64(dst, 1, 0, int64(i)*int64(len(dst)), 1)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(dst)), "ns/elem")
}

func BenchmarkRandNormal64(b *testing.B) {
	dst := make([]float64, 1<<16)
	b.SetBytes(8 * int64(len(dst)))
	for i := 0; b.Loop(); i++ {
		RandNormal64(dst, 1, 0, int64(i)*int64(len(dst)), 1)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(dst)), "ns/elem")
}
