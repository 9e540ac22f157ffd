package cpu

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

// trigLevels is every vector level this CPU runs, best first, then none.
func trigLevels() []int {
	var ls []int
	for l := trigLevelMax; l >= vecNone; l-- {
		ls = append(ls, l)
	}
	return ls
}

// withTrigLevel runs f with trigSlice on vector level l.
func withTrigLevel(l int, f func()) {
	saved := trigLevel
	trigLevel = l
	defer func() { trigLevel = saved }()
	f()
}

func trigEdgeInputs() []float64 {
	sub := math.Float64frombits(1)
	xs := []float64{0, math.Copysign(0, -1), sub, -sub, 0x1p-1022, -0x1p-1022, 1e-300, 0x1p-30,
		math.Pi / 4, -math.Pi / 4, math.Pi / 2, math.Pi, 3 * math.Pi / 2, 2 * math.Pi, 1, -1, 100,
		0x1p27, 0x1p28, -0x1p28, math.Nextafter(0x1p28, 0), math.Nextafter(0x1p28, math.Inf(1)), 0x1p28 + 2,
		1e9, 1e22, 1e300, math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0x7ff8000000000001), math.Float64frombits(0xfff0000000000001)}
	for k := 1; k < 64; k++ { // neighbours of multiples of π/2
		x := float64(k) * math.Pi / 2
		xs = append(xs, x, math.Nextafter(x, 0), math.Nextafter(x, math.Inf(1)), -x)
	}
	return xs
}

// checkTrigSame fails unless trigSlice's bits equal trigGo's for src,
// also in place.
func checkTrigSame(t *testing.T, level int, src []float64) {
	t.Helper()
	for off := uint64(0); off < 2; off++ {
		want := make([]float64, len(src))
		trigGo(want, src, off)
		got := make([]float64, len(src))
		trigSlice(got, src, off)
		inPlace := append([]float64(nil), src...)
		trigSlice(inPlace, inPlace, off)
		for i := range src {
			w := math.Float64bits(want[i])
			if g := math.Float64bits(got[i]); g != w && !(want[i] != want[i] && got[i] != got[i]) {
				t.Fatalf("level %d off %d: x=%v (%#x) at %d of %d: got %v (%#x), trigGo %v (%#x)",
					level, off, src[i], math.Float64bits(src[i]), i, len(src), got[i], g, want[i], w)
			}
			if g := math.Float64bits(inPlace[i]); g != w && !(want[i] != want[i] && inPlace[i] != inPlace[i]) {
				t.Fatalf("level %d off %d in place: x=%v at %d: got %v, trigGo %v", level, off, src[i], i, inPlace[i], want[i])
			}
		}
	}
}

// TestTrigVectorBitIdentical: the vector sin and cos give trigGo's bits on
// millions of random inputs of the fast path, on the edge cases (alone and
// scattered among ordinary lanes, so single lanes take the fallback), for
// every length up to 70 and every start offset.
func TestTrigVectorBitIdentical(t *testing.T) {
	n := 4_000_000
	if testing.Short() || raceEnabled {
		n = 200_000
	}
	rng := rand.New(rand.NewPCG(3, 4))
	big := make([]float64, n)
	for i := range big {
		big[i] = trigGen(rng)
	}
	edges := trigEdgeInputs()
	mixed := make([]float64, 4096)
	for i := range mixed {
		mixed[i] = (rng.Float64()*2 - 1) * 1000
		if rng.IntN(16) == 0 {
			mixed[i] = edges[rng.IntN(len(edges))]
		}
	}
	for _, l := range trigLevels() {
		withTrigLevel(l, func() {
			checkTrigSame(t, l, big)
			checkTrigSame(t, l, edges)
			checkTrigSame(t, l, mixed)
			for ln := 0; ln <= 70; ln++ {
				for s := 0; s < 9; s++ {
					checkTrigSame(t, l, mixed[s:s+ln])
					checkTrigSame(t, l, edges[s:s+ln])
				}
			}
		})
	}
	t.Logf("levels checked: %v (best on this CPU: %d)", trigLevels(), trigLevelMax)
}

// TestTrigVectorAccuracy runs the accuracy checks of fastmath_test.go for
// sin and cos on every vector level.
func TestTrigVectorAccuracy(t *testing.T) {
	for _, l := range trigLevels() {
		withTrigLevel(l, func() {
			TestFastMathSpecial(t)
			TestReviewFastmathEdges(t)
		})
	}
}

// BenchmarkSinCosSquares is sin(x)^2 + cos(x)^2 per element over a tile of
// TileLen, as the fused interpreter runs it (three tile passes), on each
// vector level and with math.Sin/math.Cos.
func BenchmarkSinCosSquares(b *testing.B) {
	const n = TileLen
	src := benchInputs("Sin", n)
	s, c, d := make([]float64, n), make([]float64, n), make([]float64, n)
	for _, l := range trigLevels() {
		name := [...]string{"go", "avx2", "avx512"}[l]
		b.Run(name, func(b *testing.B) {
			withTrigLevel(l, func() {
				for b.Loop() {
					sinSlice(s, src)
					cosSlice(c, src)
					for i := range d {
						d[i] = s[i]*s[i] + c[i]*c[i]
					}
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
		})
	}
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, x := range src {
				sx, cx := math.Sin(x), math.Cos(x)
				d[i] = sx*sx + cx*cx
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
	})
}

// BenchmarkFusedChainLevels is BenchmarkFusedChain on each vector level of
// sin and cos.
func BenchmarkFusedChainLevels(b *testing.B) {
	for _, l := range trigLevels() {
		b.Run([...]string{"go", "avx2", "avx512"}[l], func(b *testing.B) {
			withTrigLevel(l, func() { BenchmarkFusedChain(b) })
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/elem")
		})
	}
}

// TestSinCosVectorBitIdentical: sincosSlice gives trigGo's sin and cos
// bits on every level, for random inputs, edges and every short length.
func TestSinCosVectorBitIdentical(t *testing.T) {
	n := 1_000_000
	if testing.Short() || raceEnabled {
		n = 100_000
	}
	rng := rand.New(rand.NewPCG(13, 14))
	big := make([]float64, n)
	for i := range big {
		big[i] = trigGen(rng)
	}
	edges := trigEdgeInputs()
	check := func(l int, src []float64) {
		t.Helper()
		ws, wc := make([]float64, len(src)), make([]float64, len(src))
		trigGo(ws, src, 0)
		trigGo(wc, src, 1)
		gs, gc := make([]float64, len(src)), make([]float64, len(src))
		sincosSlice(gs, gc, src)
		same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b }
		for i := range src {
			if !same(gs[i], ws[i]) || !same(gc[i], wc[i]) {
				t.Fatalf("level %d: sincos(%v) at %d of %d = %v, %v; trigGo %v, %v", l, src[i], i, len(src), gs[i], gc[i], ws[i], wc[i])
			}
		}
	}
	for _, l := range trigLevels() {
		withTrigLevel(l, func() {
			check(l, big)
			check(l, edges)
			for ln := 0; ln <= 70; ln++ {
				for s := 0; s < 9; s++ {
					check(l, edges[s:s+ln])
				}
			}
		})
	}
}

// TestFusedSinCosPaired: a program whose sin and cos read one register
// (cos the result, cos read by later instructions, two sins and one cos)
// gives the bytes of the unpaired scalar path.
func TestFusedSinCosPaired(t *testing.T) {
	const n = 1300
	rng := rand.New(rand.NewPCG(15, 16))
	x := make([]float64, n)
	for i := range x {
		x[i] = trigGen(rng)
	}
	ld := graph.Instr{Op: graph.OpLoad, DType: graph.Float64}
	progs := []*graph.Program{
		{Instrs: []graph.Instr{ld, {Op: graph.OpSin, DType: graph.Float64, A: 0}, {Op: graph.OpCos, DType: graph.Float64, A: 0}}, Out: 2},
		{Instrs: []graph.Instr{ld, {Op: graph.OpSin, DType: graph.Float64, A: 0}, {Op: graph.OpCos, DType: graph.Float64, A: 0},
			{Op: graph.OpMul, DType: graph.Float64, A: 1, B: 2}}, Out: 3},
		{Instrs: []graph.Instr{ld, {Op: graph.OpSin, DType: graph.Float64, A: 0}, {Op: graph.OpSin, DType: graph.Float64, A: 0},
			{Op: graph.OpCos, DType: graph.Float64, A: 0}, {Op: graph.OpSub, DType: graph.Float64, A: 1, B: 3},
			{Op: graph.OpAdd, DType: graph.Float64, A: 4, B: 2}}, Out: 5, Reduce: &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0}}},
	}
	for k, prog := range progs {
		p := &graph.FusedParams{Prog: prog, Shape: []int{n}, Maps: []graph.Map{graph.Identity(1, nil)}}
		out := []graph.Chunk{{DType: graph.Float64, Shape: []int{n}}}
		if prog.Reduce != nil {
			out = []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}}
		}
		got, err := fusedRun(t, p, [][]float64{x}, [][]int{{n}}, out)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]byte
		withTrigLevel(vecNone, func() {
			want, err = fusedRun(t, p, [][]float64{x}, [][]int{{n}}, out)
		})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[0], want[0]) {
			t.Errorf("program %d: paired sin/cos differ from the scalar path", k)
		}
	}
}
