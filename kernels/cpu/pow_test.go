package cpu

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// refPow is x**y for finite nonzero x (x < 0 only with an integer y) and
// finite y, in refPrec bits: exp(y log|x|) with the sign of the parity.
func refPow(x, y float64) *big.Float {
	v := bigExp(bigf().Mul(refLog(math.Abs(x)), bigf().SetFloat64(y)))
	if x < 0 && isOddInt(y) {
		v.Neg(v)
	}
	return v
}

// powGen draws (x, y) from one of several families: x over the whole
// positive range with y·log2(x) over [-1100, 1050] (results that overflow,
// underflow, or land in the subnormals included); x near 1 with large y;
// ordinary x and y; negative x with integer y; small integer x and y
// (exact results); x with a halving or integer y.
func powGen(r *rand.Rand) (x, y float64) {
	switch r.IntN(7) {
	case 0:
		x = logUniform(r, -1074, 1024)
		y = (r.Float64()*2150 - 1100) / math.Log2(x)
	case 1:
		x = 1 + signed(r, logUniform(r, -53, -3))
		y = signed(r, logUniform(r, 0, 62))
	case 2:
		x, y = r.Float64()*10, (r.Float64()*2-1)*10
	case 3:
		x, y = -logUniform(r, -30, 30), float64(r.IntN(121)-60)
	case 4:
		x, y = float64(r.IntN(20)+1), float64(r.IntN(30)-10)
	case 5:
		x, y = logUniform(r, -40, 40), float64(r.IntN(41)-20)/2
	default:
		x, y = logUniform(r, -1074, 1024), signed(r, logUniform(r, -20, 8))
	}
	return x, y
}

// TestPowAccuracy measures pow against the 256-bit reference on a sample
// (normal and subnormal results apart), and against math.Pow on millions
// of pairs, the reference deciding (on one in 16) where the two differ by
// more than an ulp: about a third of them, as math.Pow loses many ulps on
// large integer parts of y (6e10 at x = 1+3.4e-11, y = 1.7e13) and is
// wholly wrong for subnormal x with a fractional y (pow(1.93e-322, -0.66)
// = 1.6e217, not 3.5e212).
func TestPowAccuracy(t *testing.T) {
	nRef, nMath := fastSizes()
	rng := rand.New(rand.NewPCG(vecSeed(t), 2))
	xs, ys := make([]float64, nRef), make([]float64, nRef)
	for i := range xs {
		xs[i], ys[i] = powGen(rng)
	}
	got := make([]float64, nRef)
	powSlice(got, xs, ys)
	worst, worstSub, mathWorst := 0.0, 0.0, 0.0
	var wx, wy float64
	for i, x := range xs {
		want := math.Pow(x, ys[i])
		if want == 0 || math.IsInf(want, 0) || math.IsNaN(want) {
			if got[i] != want && !(got[i] != got[i] && want != want) {
				ref, _ := refPow(x, ys[i]).Float64()
				if got[i] != ref {
					t.Errorf("pow(%v, %v) = %v, math.Pow %v, reference %v", x, ys[i], got[i], want, ref)
				}
			}
			continue
		}
		ref := refPow(x, ys[i])
		e := ulpErr(got[i], ref)
		if math.Abs(want) < 0x1p-1022 {
			worstSub = max(worstSub, e)
		} else if e > worst {
			worst, wx, wy = e, x, ys[i]
		}
		mathWorst = max(mathWorst, ulpErr(want, ref))
	}
	t.Logf("pow: max %.3f ulp at (%v, %v) over %d reference points (normal results), %.3f on subnormal results; math.Pow: %.3g",
		worst, wx, wy, nRef, worstSub, mathWorst)
	if worst > 0.53 || worstSub > 1 {
		t.Errorf("pow: %.3f ulp (normal results), %.3f (subnormal)", worst, worstSub)
	}

	xs, ys = make([]float64, nMath), make([]float64, nMath)
	for i := range xs {
		xs[i], ys[i] = powGen(rng)
	}
	got = make([]float64, nMath)
	powSlice(got, xs, ys)
	apart, checked := 0, 0
	for i, x := range xs {
		want := math.Pow(x, ys[i])
		if ulpDiff(got[i], want) <= 1 {
			continue
		}
		if apart++; apart%16 != 1 {
			continue // the reference is slow: one in 16
		}
		checked++
		ref := refPow(x, ys[i])
		if r, _ := ref.Float64(); r == 0 || math.IsInf(r, 0) {
			if got[i] != r {
				t.Fatalf("pow(%v, %v) = %v, math.Pow %v, reference %v", x, ys[i], got[i], want, r)
			}
			continue
		}
		if e := ulpErr(got[i], ref); e > 1 {
			t.Fatalf("pow(%v, %v) = %v, math.Pow %v: %.3f ulp from the reference", x, ys[i], got[i], want, e)
		}
	}
	t.Logf("pow: %d pairs vs math.Pow: %d more than an ulp apart, %d of them settled by the reference", nMath, apart, checked)
}

// powSpecials are the inputs of pow's special cases and their neighbours.
var powSpecials = []float64{0, math.Copysign(0, -1), 1, -1, 2, -2, 3, -3, 0.5, -0.5, 1.5, -1.5, 4, -4, 0.25,
	math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
	0x1p-1022, -0x1p-1022, math.MaxFloat64, -math.MaxFloat64, math.Nextafter(1, 0), math.Nextafter(1, 2),
	1 << 53, -(1 << 53), 1<<53 + 2, (1 << 53) - 1, -((1 << 53) - 1), 1e300, -1e300, 1e-300, 1074, -1075, 1025, 709.78, 0.1}

// TestPowSpecial: on every pair of special inputs pow is math.Pow exactly
// where math.Pow's result is 0, ±Inf or NaN, or x is ±1, or y is 0, and
// within an ulp of the reference elsewhere (math.Pow(1+2^-52, -0.5) is 1:
// pow gives the correctly rounded 1-2^-53); the same through powConst
// for its exponents.
func TestPowSpecial(t *testing.T) {
	var xs, ys []float64
	for _, x := range powSpecials {
		for _, y := range powSpecials {
			xs, ys = append(xs, x), append(ys, y)
		}
	}
	check := func(how string, x, y, got float64) {
		t.Helper()
		want := math.Pow(x, y)
		switch {
		case want != want:
			if got == got {
				t.Errorf("%s pow(%v, %v) = %v, want NaN", how, x, y, got)
			}
		case want == 0 || math.IsInf(want, 0) || y == 0 || math.Abs(x) == 1:
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("%s pow(%v, %v) = %v, want exactly %v", how, x, y, got, want)
			}
		default:
			if e := ulpErr(got, refPow(x, y)); e > 1 {
				t.Errorf("%s pow(%v, %v) = %v (math.Pow %v): %.3f ulp", how, x, y, got, want, e)
			}
		}
	}
	for _, l := range trigLevels() {
		withTrigLevel(l, func() {
			for _, w := range []int{1, 4, 8, 9} { // lone lanes and whole vectors
				var wx, wy []float64
				for i := range xs {
					for range w {
						wx, wy = append(wx, xs[i]), append(wy, ys[i])
					}
				}
				got := make([]float64, len(wx))
				powSlice(got, wx, wy)
				for i := range wx {
					check("powSlice", wx[i], wy[i], got[i])
				}
			}
		})
	}
	for _, y := range []float64{0, 1, 2, 3, 4, -1, -2, 0.5} {
		got := make([]float64, len(powSpecials))
		powConst(got, powSpecials, y)
		for i, x := range powSpecials {
			check("powConst", x, y, got[i])
		}
	}
}

// TestPowConst: the rewritten constant exponents are within half an ulp
// and a hair of the reference (pow's 0.51 where they fall back to it),
// exact where the result is a float, and
// x**2, x**-1 and x**0.5 are the correctly rounded x*x, 1/x and sqrt(x).
func TestPowConst(t *testing.T) {
	rng := rand.New(rand.NewPCG(vecSeed(t), 3))
	n, _ := fastSizes()
	xs := make([]float64, n)
	for i := range xs {
		switch rng.IntN(3) {
		case 0:
			xs[i] = signed(rng, logUniform(rng, -1074, 1024))
		case 1:
			xs[i] = signed(rng, logUniform(rng, -350, 350))
		default:
			xs[i] = float64(rng.IntN(2001) - 1000)
		}
	}
	got := make([]float64, n)
	for _, y := range []float64{2, -1, 0.5, 3, 4, -2} {
		powConst(got, xs, y)
		worst := 0.0
		for i, x := range xs {
			switch y {
			case 2:
				if got[i] != x*x {
					t.Fatalf("pow(%v, 2) = %v, want x*x = %v", x, got[i], x*x)
				}
			case -1:
				if got[i] != 1/x {
					t.Fatalf("pow(%v, -1) = %v, want 1/x = %v", x, got[i], 1/x)
				}
			case 0.5:
				if s := math.Sqrt(x); got[i] != s && !(s != s && got[i] != got[i]) {
					t.Fatalf("pow(%v, 0.5) = %v, want sqrt %v", x, got[i], s)
				}
			default:
				want := math.Pow(x, y)
				if want == 0 || math.IsInf(want, 0) || y > 0 && x == math.Trunc(x) && math.Abs(want) < 1<<53 {
					if got[i] != want {
						t.Fatalf("pow(%v, %v) = %v, want exactly %v", x, y, got[i], want)
					}
					continue
				}
				e := ulpErr(got[i], refPow(x, y))
				if math.Abs(want) >= 0x1p-1022 {
					worst = max(worst, e)
				}
				if e > 1 || e > 0.51 && math.Abs(want) >= 0x1p-1022 {
					t.Fatalf("pow(%v, %v) = %v: %.4f ulp", x, y, got[i], e)
				}
			}
		}
		if worst > 0 {
			t.Logf("pow(x, %v): max %.4f ulp on normal results", y, worst)
		}
	}
}

// TestPowExact: integer powers of small integers, and powers of two, come
// out exact on the general path too.
func TestPowExact(t *testing.T) {
	var xs, ys, want []float64
	for b := 1; b <= 30; b++ {
		for e := -10; e <= 30; e++ {
			v := math.Pow(float64(b), float64(e))
			if e >= 0 && v < 1<<53 || e < 0 && b&(b-1) == 0 {
				xs, ys, want = append(xs, float64(b)), append(ys, float64(e)), append(want, v)
				xs, ys, want = append(xs, -float64(b)), append(ys, float64(e)), append(want, math.Pow(-float64(b), float64(e)))
			}
		}
	}
	for _, c := range [][3]float64{{0.25, 0.5, 0.5}, {4, 0.5, 2}, {4, 1.5, 8}, {8, 1.0 / 3, 2}, {16, 0.25, 2}, {0x1p-1000, 0.5, 0x1p-500}, {2, -1074, math.SmallestNonzeroFloat64}, {2, 1023, 0x1p1023}} {
		xs, ys, want = append(xs, c[0]), append(ys, c[1]), append(want, c[2])
	}
	for _, l := range trigLevels() {
		withTrigLevel(l, func() {
			got := make([]float64, len(xs))
			powSlice(got, xs, ys)
			for i := range xs {
				if got[i] != want[i] {
					t.Errorf("level %d: pow(%v, %v) = %v, want %v", l, xs[i], ys[i], got[i], want[i])
				}
			}
		})
	}
}

// TestPowFloat32: float32 is computed in float64 and rounded once, so
// within a float32 ulp of float32(math.Pow); in place, for both entries.
func TestPowFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(vecSeed(t), 4))
	n := 5000
	xs, ys := make([]float32, n), make([]float32, n)
	for i := range xs {
		x, y := powGen(rng)
		xs[i], ys[i] = float32(x), float32(y)
	}
	for _, s := range powSpecials {
		xs, ys = append(xs, float32(s), 2.5), append(ys, 2.5, float32(s))
	}
	check := func(x, y, got float32) {
		t.Helper()
		want := float32(math.Pow(float64(x), float64(y)))
		if want == got || want != want && got != got {
			return
		}
		aw := math.Abs(float64(want))
		ulp := float64(math.Nextafter32(float32(aw), float32(math.Inf(1)))) - aw
		if !(math.Abs(float64(got)-float64(want)) <= ulp) {
			t.Errorf("float32 pow(%v, %v) = %v, want %v", x, y, got, want)
		}
	}
	got := append([]float32(nil), xs...)
	powFloat(got, got, ys)
	for i := range xs {
		check(xs[i], ys[i], got[i])
	}
	for _, y := range []float32{0, 1, 2, 3, 4, -1, -2, 0.5} {
		got := make([]float32, len(xs))
		powConstFloat(got, xs, float64(y))
		for i := range xs {
			check(xs[i], y, got[i])
		}
	}
}

// BenchmarkPow is pow per element over 4096 pairs (x log-uniform in
// [2^-20, 2^20], y uniform in [-4, 4]): powSlice, powGo, math.Pow, and
// powConst for x**3 and x**0.5 beside the general path's x**2.5.
func BenchmarkPow(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(7, 8))
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i], ys[i] = logUniform(rng, -20, 20), (rng.Float64()*2-1)*4
	}
	dst := make([]float64, n)
	run := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
		})
	}
	for _, l := range trigLevels() {
		withTrigLevel(l, func() {
			run("fast/"+[...]string{"go", "avx2", "avx512"}[l], func() { powSlice(dst, xs, ys) })
		})
	}
	run("math", func() {
		for i, x := range xs {
			dst[i] = math.Pow(x, ys[i])
		}
	})
	y25 := make([]float64, n)
	for i := range y25 {
		y25[i] = 2.5
	}
	run("scalar2.5/fast", func() { powSlice(dst, xs, y25) })
	run("scalar2.5/math", func() {
		for i, x := range xs {
			dst[i] = math.Pow(x, 2.5)
		}
	})
	run("const3", func() { powConst(dst, xs, 3) })
	run("const0.5", func() { powConst(dst, xs, 0.5) })
}

// TestPowVectorBitIdentical: the vector pow gives powGo's bits on millions
// of pairs over the whole float64 range (random bits), pow's families and
// its special inputs scattered among ordinary lanes, for every length up
// to 70 at every start offset, and in place (dst = x, dst = y).
func TestPowVectorBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(vecSeed(t), 5))
	gen := func() (float64, float64) {
		switch rng.IntN(4) {
		case 0:
			return anyBits(rng), anyBits(rng)
		case 1:
			return powSpecials[rng.IntN(len(powSpecials))], powSpecials[rng.IntN(len(powSpecials))]
		default:
			return powGen(rng)
		}
	}
	fill := func(n int, edgy bool) (xs, ys []float64) {
		xs, ys = make([]float64, n), make([]float64, n)
		for i := range xs {
			if edgy {
				xs[i], ys[i] = gen()
			} else {
				xs[i], ys[i] = powGen(rng)
			}
		}
		return xs, ys
	}
	bigX, bigY := fill(vecSize(), true)
	mixX, mixY := fill(4096, false)
	for i := range mixX {
		if rng.IntN(16) == 0 {
			mixX[i], mixY[i] = gen()
		}
	}
	ordX, ordY := make([]float64, 64), make([]float64, 64)
	for i := range ordX {
		ordX[i], ordY[i] = logUniform(rng, -20, 20), (rng.Float64()*2-1)*4
	}
	check := func(l int, xs, ys []float64) {
		t.Helper()
		want := make([]float64, len(xs))
		powGo(want, xs, ys)
		got := make([]float64, len(xs))
		powSlice(got, xs, ys)
		inX := append([]float64(nil), xs...)
		powSlice(inX, inX, ys)
		inY := append([]float64(nil), ys...)
		powSlice(inY, xs, inY)
		for i := range xs {
			if !sameBits(got[i], want[i]) || !sameBits(inX[i], want[i]) || !sameBits(inY[i], want[i]) {
				t.Fatalf("level %d: pow(%v, %v) at %d of %d = %v (in place %v, %v), powGo %v",
					l, xs[i], ys[i], i, len(xs), got[i], inX[i], inY[i], want[i])
			}
		}
	}
	for _, l := range trigLevels() {
		withTrigLevel(l, func() {
			if k, w := powVec(make([]float64, 64), ordX, ordY); l != vecNone && (w == 0 || k != 64) {
				t.Fatalf("level %d: the vector pow did %d of 64 ordinary pairs", l, k)
			}
			check(l, bigX, bigY)
			check(l, mixX, mixY)
			for ln := 0; ln <= 70; ln++ {
				for s := 0; s < 9; s++ {
					check(l, mixX[s:s+ln], mixY[s:s+ln])
				}
			}
		})
	}
}

// TestFusedPowConst: in a fused program, pow by a constant (a float
// constant, an integer constant cast to float, a float64 constant cast to
// float32) takes powConst for its exponents and the general path
// otherwise, with the bytes of calling them directly.
func TestFusedPowConst(t *testing.T) {
	const n = 1000
	rng := rand.New(rand.NewPCG(vecSeed(t), 6))
	x := make([]float64, n)
	for i := range x {
		x[i] = signed(rng, logUniform(rng, -30, 30))
		if i < len(powSpecials) {
			x[i] = powSpecials[i]
		}
	}
	ld := graph.Instr{Op: graph.OpLoad, DType: graph.Float64}
	for _, y := range []float64{0, 1, 2, 3, 4, -1, -2, 0.5, 2.5, -0.5, 7} {
		for form := range 3 {
			var ins []graph.Instr
			want64 := make([]float64, n)
			want32 := make([]float32, n)
			switch form {
			case 0: // float64 constant
				ins = []graph.Instr{ld, {Op: graph.OpConst, DType: graph.Float64, Imm: graph.ConstBits(graph.Float64, y)},
					{Op: graph.OpPow, DType: graph.Float64, A: 0, B: 1}}
			case 1: // an integer (or, for 2.5, float32) constant cast to float64
				c := graph.Instr{Op: graph.OpConst, DType: graph.Int64, Imm: graph.ConstIntBits(graph.Int64, int64(y))}
				if y != math.Trunc(y) {
					c = graph.Instr{Op: graph.OpConst, DType: graph.Float32, Imm: graph.ConstBits(graph.Float32, y)}
				}
				ins = []graph.Instr{ld, c, {Op: graph.OpCast, DType: graph.Float64, A: 1},
					{Op: graph.OpPow, DType: graph.Float64, A: 0, B: 2}}
			default: // float32: x and a float64 constant cast
				ins = []graph.Instr{ld, {Op: graph.OpCast, DType: graph.Float32, A: 0},
					{Op: graph.OpConst, DType: graph.Float64, Imm: graph.ConstBits(graph.Float64, y)},
					{Op: graph.OpCast, DType: graph.Float32, A: 2},
					{Op: graph.OpPow, DType: graph.Float32, A: 1, B: 3}}
			}
			if form < 2 {
				if powRewritten(y) {
					powConst(want64, x, y)
				} else {
					ys := make([]float64, n)
					for i := range ys {
						ys[i] = y
					}
					powSlice(want64, x, ys)
				}
			} else {
				x32, y32 := make([]float32, n), make([]float32, n)
				for i := range x32 {
					x32[i], y32[i] = float32(x[i]), float32(y)
				}
				if powRewritten(y) {
					powConstFloat(want32, x32, y)
				} else {
					powFloat(want32, x32, y32)
				}
			}
			prog := &graph.Program{Instrs: ins, Out: int32(len(ins) - 1)}
			dt := ins[len(ins)-1].DType
			if v, ok := constFloat(prog, ins[len(ins)-1].B); !ok || v != y {
				t.Fatalf("y=%v form %d: constFloat = %v, %v", y, form, v, ok)
			}
			p := &graph.FusedParams{Prog: prog, Shape: []int{n}, Maps: []graph.Map{graph.Identity(1, nil)}}
			got, err := fusedRun(t, p, [][]float64{x}, [][]int{{n}}, []graph.Chunk{{DType: dt, Shape: []int{n}}})
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				var g, w float64
				if dt == graph.Float64 {
					g, w = f64s(got[0])[i], want64[i]
				} else {
					g, w = float64(device.ViewBytes[float32](got[0])[i]), float64(want32[i])
				}
				if !sameBits(g, w) {
					t.Fatalf("y=%v form %d: pow(%v) = %v, want %v", y, form, x[i], g, w)
				}
			}
		}
	}
	if v, ok := constFloat(&graph.Program{Instrs: []graph.Instr{ld}}, 0); ok {
		t.Errorf("a load is the constant %v", v)
	}
}

// TestPowLog: powLog's double-double log(x) against the reference, over
// the whole positive range and near 1 (relative error; absolute where
// log(x) is 0).
func TestPowLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(vecSeed(t), 7))
	n, _ := fastSizes()
	worst, wx := 0.0, 0.0
	for i := range n {
		x := logUniform(rng, -1022, 1024)
		if i%2 == 0 {
			x = 1 + signed(rng, logUniform(rng, -52, -4))
		}
		hi, lo := powLog(math.Float64bits(x), 0)
		ref := refLog(x)
		d := bigf().Sub(bigf().Add(bigf().SetFloat64(hi), bigf().SetFloat64(lo)), ref)
		if ref.Sign() != 0 {
			d.Quo(d, ref)
		}
		e, _ := d.Float64()
		if math.Abs(e) > worst {
			worst, wx = math.Abs(e), x
		}
	}
	t.Logf("powLog: max relative error %.3g (2^%.1f) at x=%v over %d points", worst, math.Log2(worst), wx, n)
	if worst > 0x1p-64 {
		t.Errorf("powLog: relative error %g at x=%v", worst, wx)
	}
}
