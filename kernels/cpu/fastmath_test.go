package cpu

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ---- a 200-bit reference (math/big)

const refPrec = 256

const piDigits = "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651328230664709384460955058223172535940812848111745028410270193852110555964462294895493038196"

func bigf() *big.Float { return new(big.Float).SetPrec(refPrec) }

var (
	bigPi, _, _ = big.ParseFloat(piDigits, 10, refPrec, big.ToNearestEven)
	bigPio2     = bigf().Quo(bigPi, big.NewFloat(2))
	bigLn2      = func() *big.Float { // 2 atanh(1/3)
		return bigAtanh2(bigf().Quo(big.NewFloat(1), big.NewFloat(3)))
	}()
)

// bigAtanh2 is 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...) for small |s|.
func bigAtanh2(s *big.Float) *big.Float {
	s2 := bigf().Mul(s, s)
	sum, p := bigf().Set(s), bigf().Set(s)
	for k := int64(3); ; k += 2 {
		p.Mul(p, s2)
		t := bigf().Quo(p, bigf().SetInt64(k))
		if t.Sign() == 0 || t.MantExp(nil)-sum.MantExp(nil) < -refPrec-4 {
			break
		}
		sum.Add(sum, t)
	}
	return sum.Mul(sum, big.NewFloat(2))
}

// bigSinCosSmall is sin or cos of a small r by Taylor series.
func bigSinCosSmall(r *big.Float, cosine bool) *big.Float {
	r2 := bigf().Mul(r, r)
	term := bigf().Set(r)
	k := int64(1)
	if cosine {
		term.SetInt64(1)
		k = 0
	}
	sum := bigf().Set(term)
	for i := 0; i < 200; i++ {
		term.Mul(term, r2)
		term.Quo(term, bigf().SetInt64(-(k+1)*(k+2)))
		k += 2
		if term.Sign() == 0 || term.MantExp(nil) < -refPrec-8 {
			break
		}
		sum.Add(sum, term)
	}
	return sum
}

func refSinCos(x float64, cosine bool) *big.Float {
	bx := bigf().SetFloat64(x)
	qf := bigf().Quo(bx, bigPio2)
	q, _ := qf.Float64()
	q = math.RoundToEven(q)
	r := bigf().Sub(bx, bigf().Mul(bigf().SetFloat64(q), bigPio2))
	n := int64(math.Mod(q, 4))
	if n < 0 {
		n += 4
	}
	if cosine {
		n++
	}
	v := bigSinCosSmall(r, n&1 == 1)
	if n&2 != 0 {
		v.Neg(v)
	}
	return v
}

func refExp(x float64) *big.Float {
	bx := bigf().SetFloat64(x)
	k := math.Round(x / math.Ln2)
	r := bigf().Sub(bx, bigf().Mul(bigf().SetFloat64(k), bigLn2))
	sum, term := bigf().SetInt64(1), bigf().SetInt64(1)
	for i := int64(1); i < 200; i++ {
		term.Mul(term, r)
		term.Quo(term, bigf().SetInt64(i))
		if term.Sign() == 0 || term.MantExp(nil) < -refPrec-8 {
			break
		}
		sum.Add(sum, term)
	}
	return sum.SetMantExp(sum, int(k))
}

func refLog(x float64) *big.Float {
	m, e := math.Frexp(x) // m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	bm := bigf().SetFloat64(m)
	s := bigf().Quo(bigf().Sub(bm, big.NewFloat(1)), bigf().Add(bm, big.NewFloat(1)))
	v := bigAtanh2(s)
	return v.Add(v, bigf().Mul(bigf().SetInt64(int64(e)), bigLn2))
}

func refTanh(x float64) *big.Float {
	if math.Abs(x) < 0x1p-20 { // x - x^3/3 + 2x^5/15
		bx := bigf().SetFloat64(x)
		x2 := bigf().Mul(bx, bx)
		t := bigf().Mul(x2, big.NewFloat(2))
		t.Quo(t, big.NewFloat(15))
		t.Sub(t, bigf().Quo(big.NewFloat(1), big.NewFloat(3)))
		t.Mul(t, x2)
		t.Add(t, big.NewFloat(1))
		return t.Mul(t, bx)
	}
	e := refExp(2 * math.Abs(x)) // exact doubling
	v := bigf().Quo(bigf().Sub(e, big.NewFloat(1)), bigf().Add(e, big.NewFloat(1)))
	if x < 0 {
		v.Neg(v)
	}
	return v
}

// ulpErr is |got - ref| in ulps of the float64 nearest ref.
func ulpErr(got float64, ref *big.Float) float64 {
	want, _ := ref.Float64()
	if math.IsInf(want, 0) || math.IsNaN(got) {
		if got == want {
			return 0
		}
		return math.Inf(1)
	}
	aw := math.Abs(want)
	ulp := math.Nextafter(aw, math.Inf(1)) - aw
	if aw == 0 {
		ulp = math.SmallestNonzeroFloat64
	}
	d := bigf().Sub(bigf().SetFloat64(got), ref)
	df, _ := d.Float64()
	return math.Abs(df) / ulp
}

// ---- the functions under test

type fastCase struct {
	name  string
	fast  func(dst, src []float64)
	math  func(float64) float64
	ref   func(float64) *big.Float
	bound float64 // ulps against the reference
	gen   func(r *rand.Rand) float64
}

func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return math.Exp2(lo + (hi-lo)*r.Float64())
}

func signed(r *rand.Rand, v float64) float64 {
	if r.IntN(2) == 0 {
		return -v
	}
	return v
}

// trigGen mixes a log-uniform sweep, a uniform band and the hard cases:
// float64 neighbours of multiples of π/2.
func trigGen(r *rand.Rand) float64 {
	switch r.IntN(4) {
	case 0:
		return signed(r, logUniform(r, -30, 28))
	case 1:
		return (r.Float64()*2 - 1) * 100
	case 2:
		k := float64(r.Int64N(1 << 20))
		x := k * math.Pi / 2
		for j := r.IntN(6) - 3; j != 0; {
			if j > 0 {
				x, j = math.Nextafter(x, math.Inf(1)), j-1
			} else {
				x, j = math.Nextafter(x, math.Inf(-1)), j+1
			}
		}
		return signed(r, x)
	default:
		return signed(r, logUniform(r, 0, 28))
	}
}

func fastCases() []fastCase {
	return []fastCase{
		{"sin", sinSlice, math.Sin, func(x float64) *big.Float { return refSinCos(x, false) }, 2, trigGen},
		{"cos", cosSlice, math.Cos, func(x float64) *big.Float { return refSinCos(x, true) }, 2, trigGen},
		{"exp", expSlice, math.Exp, refExp, 1, func(r *rand.Rand) float64 {
			switch r.IntN(3) {
			case 0:
				return signed(r, logUniform(r, -60, 9.47))
			case 1:
				return -745 + 1455*r.Float64()
			default:
				return (r.Float64()*2 - 1) * 2
			}
		}},
		{"log", logSlice, math.Log, refLog, 1, func(r *rand.Rand) float64 {
			switch r.IntN(3) {
			case 0:
				return logUniform(r, -1074, 1024)
			case 1:
				return 1 + signed(r, logUniform(r, -52, -1))
			default:
				return r.Float64() * 4
			}
		}},
		{"tanh", tanhSlice, math.Tanh, refTanh, 3, func(r *rand.Rand) float64 {
			switch r.IntN(3) {
			case 0:
				return signed(r, logUniform(r, -35, 5))
			case 1:
				return (r.Float64()*2 - 1) * 3
			default:
				return (r.Float64()*2 - 1) * 25
			}
		}},
	}
}

func fastSizes() (nRef, nMath int) {
	nRef, nMath = 40_000, 2_000_000
	if testing.Short() || raceEnabled {
		nRef, nMath = 2_000, 100_000
	}
	return
}

// TestFastMathAccuracy measures each function against the 256-bit reference
// on a sample, and against math.* on millions of inputs (where the two
// differ by more than 2 ulps, the reference decides).
func TestFastMathAccuracy(t *testing.T) {
	nRef, nMath := fastSizes()
	for _, c := range fastCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(c.name))))
			src := make([]float64, nRef)
			for i := range src {
				src[i] = c.gen(rng)
			}
			dst := make([]float64, len(src))
			c.fast(dst, src)
			worst, worstX := 0.0, 0.0
			mathWorst := 0.0
			for i, x := range src {
				e := ulpErr(dst[i], c.ref(x))
				if e > worst {
					worst, worstX = e, x
				}
				mathWorst = math.Max(mathWorst, ulpErr(c.math(x), c.ref(x)))
			}
			t.Logf("%s: max %.3f ulp at x=%v over %d reference points (math.%s: %.3f)", c.name, worst, worstX, nRef, c.name, mathWorst)
			if worst > c.bound {
				t.Errorf("%s: %.3f ulp at x=%v > %v", c.name, worst, worstX, c.bound)
			}

			src = make([]float64, nMath)
			for i := range src {
				src[i] = c.gen(rng)
			}
			dst = make([]float64, len(src))
			c.fast(dst, src)
			checked, vsMath := 0, 0.0
			for i, x := range src {
				want := c.math(x)
				d := ulpDiff(dst[i], want)
				vsMath = math.Max(vsMath, math.Min(d, 1e9))
				if d <= 2 {
					continue
				}
				checked++
				if e := ulpErr(dst[i], c.ref(x)); e > c.bound {
					t.Fatalf("%s(%v) = %v, math %v, %.3f ulp from the reference", c.name, x, dst[i], want, e)
				}
			}
			t.Logf("%s: %d inputs vs math.%s: max %.3g ulp apart, %d cases > 2 ulp settled by the reference", c.name, nMath, c.name, vsMath, checked)
		})
	}
}

// ulpDiff is |a - b| in ulps of b (0 when both are the same NaN or Inf).
func ulpDiff(a, b float64) float64 {
	if a == b || math.IsNaN(a) && math.IsNaN(b) {
		return 0
	}
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return math.Inf(1)
	}
	ab := math.Abs(b)
	ulp := math.Nextafter(ab, math.Inf(1)) - ab
	if ab == 0 || ulp == 0 {
		ulp = math.SmallestNonzeroFloat64
	}
	return math.Abs(a-b) / ulp
}

func TestFastMathSpecial(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	sub := math.SmallestNonzeroFloat64
	xs := []float64{0, math.Copysign(0, -1), inf, -inf, nan, sub, -sub, 0x1p-1022, -0x1p-1022, 0x1.8p-1030,
		1, -1, 0.5, 2, math.Pi, -math.Pi, math.Pi / 2, math.Pi / 4, 1e-300, 1e-20, 1e-9,
		trigMax, -trigMax, math.Nextafter(trigMax, inf), 1e10, -1e10, 0x1p29, 1e22, 1e300, math.MaxFloat64, -math.MaxFloat64,
		expMax, math.Nextafter(expMax, 0), expMin, math.Nextafter(expMin, 0), 709.78, 709.79, -745.13, -745.14, -1000, 1000,
		-708.4, -744, 22, math.Nextafter(22, 0), math.Nextafter(22, inf), 0x1p-28, 0x1.fffffp-29, 19.1, -19.1}
	for _, c := range fastCases() {
		for _, w := range []int{1, 4, 7} { // scalar tail and vector paths
			src := make([]float64, 0, len(xs)*w)
			for _, x := range xs {
				for j := 0; j < w; j++ {
					src = append(src, x)
				}
			}
			dst := make([]float64, len(src))
			c.fast(dst, src)
			for i, x := range src {
				got, want := dst[i], c.math(x)
				if c.name == "exp" && x > 709 && x < 710 {
					want, _ = refExp(x).Float64() // math.Exp on amd64 overflows early
				}
				switch {
				case math.IsNaN(want):
					if !math.IsNaN(got) {
						t.Errorf("%s(%v) = %v, want NaN", c.name, x, got)
					}
				case want == 0 || math.IsInf(want, 0) || math.Abs(want) == 1 || x == 0:
					if got != want || math.Signbit(got) != math.Signbit(want) {
						t.Errorf("%s(%v) = %v, want exactly %v", c.name, x, got, want)
					}
				case math.Abs(x) > trigMax && c.name[1:] != "xp" && c.name != "log" && c.name != "tanh":
					if got != want { // sin, cos: math's Payne-Hanek
						t.Errorf("%s(%v) = %v, want math's %v", c.name, x, got, want)
					}
				default:
					if e := ulpErr(got, c.ref(x)); e > c.bound {
						t.Errorf("%s(%v) = %v (math %v): %.3f ulp", c.name, x, got, want, e)
					}
				}
			}
		}
	}
	// log of 1 is +0; exp of ±0 is 1; exact powers of two under log
	var d [1]float64
	logSlice(d[:], []float64{1})
	if d[0] != 0 || math.Signbit(d[0]) {
		t.Errorf("log(1) = %v", d[0])
	}
	for e := -1074; e <= 1023; e++ {
		x := math.Ldexp(1, e)
		logSlice(d[:], []float64{x})
		if u := ulpErr(d[0], refLog(x)); u > 1 {
			t.Errorf("log(2^%d) = %v: %.3f ulp", e, d[0], u)
		}
	}
}

// TestFastMathFloat32 checks the float32 entry: computed in float64 and
// rounded once, so within an ulp of float32(math.F(x)).
func TestFastMathFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ops := []struct {
		op fastOp
		f  func(float64) float64
	}{{fastSin, math.Sin}, {fastCos, math.Cos}, {fastExp, math.Exp}, {fastLog, math.Log}, {fastTanh, math.Tanh}}
	src := make([]float32, 5000)
	for i := range src {
		src[i] = float32(signed(rng, logUniform(rng, -40, 8)))
	}
	src = append(src, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-45, 88.7, 89, -104)
	for _, o := range ops {
		dst := make([]float32, len(src))
		fastUnary(o.op, dst, src)
		for i, x := range src {
			want := float32(o.f(float64(x)))
			got := dst[i]
			if want != got && !(want != want && got != got) {
				aw := math.Abs(float64(want))
				ulp := float64(math.Nextafter32(float32(aw), float32(math.Inf(1)))) - aw
				if !(math.Abs(float64(got)-float64(want)) <= ulp) {
					t.Errorf("op %d float32(%v) = %v, want %v", o.op, x, got, want)
				}
			}
		}
	}
	// in place, and a generic instantiation on float64
	x := []float64{0.5, 1, 2}
	fastUnary(fastExp, x, x)
	for i, v := range []float64{0.5, 1, 2} {
		if x[i] != math.Exp(v) && ulpDiff(x[i], math.Exp(v)) > 1 {
			t.Errorf("in place exp(%v) = %v", v, x[i])
		}
	}
}

// ---- benchmarks: ns per element, one goroutine

func benchInputs(name string, n int) []float64 {
	rng := rand.New(rand.NewPCG(7, 8))
	x := make([]float64, n)
	for i := range x {
		switch name {
		case "Log":
			x[i] = logUniform(rng, -20, 20)
		case "Exp":
			x[i] = (rng.Float64()*2 - 1) * 50
		case "Tanh":
			x[i] = (rng.Float64()*2 - 1) * 5
		default:
			x[i] = (rng.Float64()*2 - 1) * 100
		}
	}
	return x
}

func benchFast(b *testing.B, name string, fast func(dst, src []float64), slow func(float64) float64) {
	const n = 4096
	src := benchInputs(name, n)
	dst := make([]float64, n)
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			fast(dst, src)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, x := range src {
				dst[i] = slow(x)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
	})
}

func BenchmarkSin(b *testing.B)  { benchFast(b, "Sin", sinSlice, math.Sin) }
func BenchmarkCos(b *testing.B)  { benchFast(b, "Cos", cosSlice, math.Cos) }
func BenchmarkExp(b *testing.B)  { benchFast(b, "Exp", expSlice, math.Exp) }
func BenchmarkLog(b *testing.B)  { benchFast(b, "Log", logSlice, math.Log) }
func BenchmarkTanh(b *testing.B) { benchFast(b, "Tanh", tanhSlice, math.Tanh) }
