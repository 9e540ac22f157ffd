package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// TestFusedRepeatedLoads runs programs that read one buffer through two
// sources (what fusion makes of sin(x)**2 + cos(x)**2): with the same
// buffer behind both sources the kernel computes the repeats once (and
// pairs the sin with the cos); with two copies of the buffer it cannot.
// Both must give the same bits, elementwise and reduced, for identity,
// reversed and transposed (band) maps, repeated or not.
func TestFusedRepeatedLoads(t *testing.T) {
	r := seededRand(t, 11)
	const n = 40 // square domain n x n
	x := make([]float64, n*n)
	for i := range x {
		x[i] = (r.Float64() - 0.5) * 200
	}
	id := graph.Map{{Out: 0, Step: 1}, {Out: 1, Step: 1}}
	tr := graph.Map{{Out: 1, Step: 1}, {Out: 0, Step: 1}}
	rev := graph.Map{{Out: 0, Step: 1}, {Out: 1, Start: n - 1, Step: -1}}
	// ((sin(a)**2 + cos(b)**2) * 3 - sin(b)) with a, b two loads
	prog := func(red *graph.Reduce) *graph.Program {
		return &graph.Program{Instrs: []graph.Instr{
			{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0},
			{Op: graph.OpSin, DType: graph.Float64, A: 0},
			{Op: graph.OpMul, DType: graph.Float64, A: 1, B: 1},
			{Op: graph.OpLoad, DType: graph.Float64, Src: 1, Map: 1},
			{Op: graph.OpCos, DType: graph.Float64, A: 3},
			{Op: graph.OpMul, DType: graph.Float64, A: 4, B: 4},
			{Op: graph.OpAdd, DType: graph.Float64, A: 2, B: 5},
			{Op: graph.OpConst, DType: graph.Float64, Imm: math.Float64bits(3)},
			{Op: graph.OpMul, DType: graph.Float64, A: 6, B: 7},
			{Op: graph.OpSin, DType: graph.Float64, A: 3},
			{Op: graph.OpSub, DType: graph.Float64, A: 8, B: 9},
		}, Out: 10, Reduce: red}
	}
	dev := device.NewHost()
	run := func(p *graph.FusedParams, outs []graph.Chunk, shared bool) [][]byte {
		a, err := dev.Alloc(int64(8 * len(x)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Release()
		copy(device.View[float64](a), x)
		b := a
		if !shared {
			if b, err = dev.Alloc(int64(8 * len(x))); err != nil {
				t.Fatal(err)
			}
			defer b.Release()
			copy(device.View[float64](b), x)
		}
		meta := graph.Chunk{DType: graph.Float64, Shape: []int{n, n}}
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: p}, Outputs: outs},
			Src: []*device.Buffer{a, b}, SrcMeta: []graph.Chunk{meta, meta}}
		for _, c := range outs {
			d, err := dev.Alloc(c.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			defer d.Release()
			l.Dst = append(l.Dst, d)
		}
		if err := (fusedKernel{}).Run(l); err != nil {
			t.Fatal(err)
		}
		var res [][]byte
		for _, d := range l.Dst {
			res = append(res, append([]byte(nil), d.Bytes()...))
		}
		return res
	}
	for _, maps := range [][]graph.Map{{id, id}, {tr, tr}, {rev, rev}, {id, tr}, {tr, id}, {id, rev}} {
		for _, red := range []*graph.Reduce{nil, {Kind: graph.ReduceSum, Axes: []int{0, 1}}, {Kind: graph.ReduceMax, Axes: []int{1}}} {
			p := &graph.FusedParams{Prog: prog(red), Shape: []int{n, n}, Maps: maps}
			outs := []graph.Chunk{{DType: graph.Float64, Shape: []int{n, n}}}
			if red != nil {
				outs = red.Kind.PartialOutputs(graph.Float64, reducedShape([]int{n, n}, red.Axes))
			}
			got, want := run(p, outs, true), run(p, outs, false)
			for k := range want {
				g, w := f64s(got[k]), f64s(want[k])
				for i := range w {
					if math.Float64bits(g[i]) != math.Float64bits(w[i]) {
						t.Fatalf("maps %v reduce %v: output %d element %d = %v with one buffer, %v with two", maps, red, k, i, g[i], w[i])
					}
				}
			}
			// and against the plain loop
			if red == nil {
				g := f64s(got[0])
				at := func(m graph.Map, i, j int) float64 {
					c := [2]int{i, j}
					var f [2]int
					for a, am := range m {
						f[a] = am.Start + am.Step*c[am.Out]
					}
					return x[f[0]*n+f[1]]
				}
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						va, vb := at(maps[0], i, j), at(maps[1], i, j)
						s, c := math.Sin(va), math.Cos(vb)
						w := (s*s+c*c)*3 - math.Sin(vb)
						if math.Abs(g[i*n+j]-w) > 1e-13*math.Max(1, math.Abs(w)) {
							t.Fatalf("maps %v at (%d, %d): %v, want %v", maps, i, j, g[i*n+j], w)
						}
					}
				}
			}
		}
	}
}

func reducedShape(shape, axes []int) []int {
	out := append([]int(nil), shape...)
	for _, a := range axes {
		out[a] = 1
	}
	return out
}

// TestFusedRepeatedRandom: two draws of equal random streams at the same
// offsets are generated once; the program must equal the same program
// loading the stream's values from two buffers (RandUniform64 fills
// them), bit for bit, for draws at the same and at different offsets.
func TestFusedRepeatedRandom(t *testing.T) {
	seed := *conformanceSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (rerun with -seed=%d)", seed, seed)
	const n = 36
	spec := graph.RandSpec{Kind: graph.RandUniform, Seed: seed, Stream: 3, Shape: []int{n, n}}
	vals := make([]float64, n*n)
	RandUniform64(vals, spec.Seed, spec.Stream, 0, 1)
	id := graph.Map{{Out: 0, Step: 1}, {Out: 1, Step: 1}}
	tr := graph.Map{{Out: 1, Step: 1}, {Out: 0, Step: 1}}
	// each draw scaled by its own constants, as Uniform(-100, 100) makes
	// them: (200*r0 - 100), (200*r1 - 100), then sin**2 + cos**2 - r1
	c := func(v float64) graph.Instr {
		return graph.Instr{Op: graph.OpConst, DType: graph.Float64, Imm: math.Float64bits(v)}
	}
	body := []graph.Instr{
		c(200), // 2
		{Op: graph.OpMul, DType: graph.Float64, A: 2, B: 0}, // 3
		c(-100), // 4
		{Op: graph.OpAdd, DType: graph.Float64, A: 4, B: 3}, // 5
		c(200), // 6
		{Op: graph.OpMul, DType: graph.Float64, A: 6, B: 1}, // 7
		c(-100), // 8
		{Op: graph.OpAdd, DType: graph.Float64, A: 8, B: 7}, // 9
		{Op: graph.OpSin, DType: graph.Float64, A: 5},       // 10
		{Op: graph.OpMul, DType: graph.Float64, A: 10, B: 10},
		{Op: graph.OpCos, DType: graph.Float64, A: 9}, // 12
		{Op: graph.OpMul, DType: graph.Float64, A: 12, B: 12},
		{Op: graph.OpAdd, DType: graph.Float64, A: 11, B: 13}, // 14
		{Op: graph.OpSub, DType: graph.Float64, A: 14, B: 1},  // 15
	}
	dev := device.NewHost()
	run := func(prog *graph.Program, maps []graph.Map, srcs [][]float64) []float64 {
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: prog, Shape: []int{n, n}, Maps: maps}},
			Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{n, n}}}}}
		for _, s := range srcs {
			b, err := dev.Alloc(int64(8 * len(s)))
			if err != nil {
				t.Fatal(err)
			}
			defer b.Release()
			copy(device.View[float64](b), s)
			l.Src = append(l.Src, b)
			l.SrcMeta = append(l.SrcMeta, graph.Chunk{DType: graph.Float64, Shape: []int{n, n}})
		}
		d, err := dev.Alloc(8 * n * n)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Release()
		l.Dst = []*device.Buffer{d}
		if err := (fusedKernel{}).Run(l); err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), device.View[float64](d)...)
	}
	for _, maps := range [][]graph.Map{{id, id}, {tr, tr}, {id, tr}} {
		drawn := &graph.Program{Instrs: append([]graph.Instr{
			{Op: graph.OpRandom, DType: graph.Float64, Map: 0, Imm: 0},
			{Op: graph.OpRandom, DType: graph.Float64, Map: 1, Imm: 1},
		}, body...), Out: 15, Rands: []graph.RandSpec{spec, spec}}
		loaded := &graph.Program{Instrs: append([]graph.Instr{
			{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0},
			{Op: graph.OpLoad, DType: graph.Float64, Src: 1, Map: 1},
		}, body...), Out: 15}
		got, want := run(drawn, maps, nil), run(loaded, maps, [][]float64{vals, append([]float64(nil), vals...)})
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("maps %v element %d: drawn %v, loaded %v", maps, i, got[i], want[i])
			}
		}
	}
}

// TestFusedCommutedRepeat: a + b after b + a (and a * b after b * a) is a
// repeat, computed once; a - b after b - a, and a max or min with its
// operands swapped (a tie of ±0 or two NaNs keeps the first), are not;
// and the program's values are the plain loop's.
func TestFusedCommutedRepeat(t *testing.T) {
	c := func(v float64) graph.Instr {
		return graph.Instr{Op: graph.OpConst, DType: graph.Float64, Imm: math.Float64bits(v)}
	}
	bin := func(op graph.ElemOp, a, b int32) graph.Instr {
		return graph.Instr{Op: op, DType: graph.Float64, A: a, B: b}
	}
	prog := &graph.Program{Instrs: []graph.Instr{
		c(2), c(3),
		bin(graph.OpAdd, 0, 1), bin(graph.OpAdd, 1, 0),
		bin(graph.OpMul, 0, 1), bin(graph.OpMul, 1, 0),
		bin(graph.OpSub, 0, 1), bin(graph.OpSub, 1, 0),
		bin(graph.OpMax, 0, 1), bin(graph.OpMax, 1, 0),
		bin(graph.OpMin, 0, 1), bin(graph.OpMin, 1, 0),
	}}
	n := len(prog.Instrs)
	pl := &plan{has: make([]bool, n), acc: make([]affine, n)}
	same := make([]int32, n)
	findRepeats(prog, pl, &kernels.Launch{}, make([]loadMode, n), same)
	want := []int32{0, 1, 2, 2, 4, 4, 6, 7, 8, 9, 10, 11}
	for i := range want {
		if same[i] != want[i] {
			t.Errorf("instruction %d (%v) repeats %d, want %d", i, prog.Instrs[i].Op, same[i], want[i])
		}
	}
	// x*y + (y+x) - (x+y)*(y*x) over loads, against the plain loop
	r := seededRand(t, 12)
	const m = 1100
	x, y := randBytes(r, graph.Float64, m), randBytes(r, graph.Float64, m)
	ld := func(src int32) graph.Instr {
		return graph.Instr{Op: graph.OpLoad, DType: graph.Float64, Src: src, Map: src}
	}
	p := &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{
		ld(0), ld(1),
		bin(graph.OpMul, 0, 1), bin(graph.OpAdd, 1, 0), bin(graph.OpAdd, 2, 3),
		bin(graph.OpAdd, 0, 1), bin(graph.OpMul, 1, 0), bin(graph.OpMul, 5, 6),
		bin(graph.OpSub, 4, 7),
	}, Out: 8}, Shape: []int{m}, Maps: []graph.Map{graph.Identity(1, nil), graph.Identity(1, nil)}}
	meta := graph.Chunk{DType: graph.Float64, Shape: []int{m}}
	got := f64s(runFusedBytes(t, p, [][]byte{x, y}, []graph.Chunk{meta, meta}, []graph.Chunk{meta})[0])
	xs, ys := f64s(x), f64s(y)
	for i := range got {
		a, b := xs[i], ys[i]
		if w := (a*b + (b + a)) - (a+b)*(b*a); math.Float64bits(got[i]) != math.Float64bits(w) {
			t.Fatalf("element %d: %v, want %v", i, got[i], w)
		}
	}
}
