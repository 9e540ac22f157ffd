package cpu

import (
	"errors"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// fusedRun runs p over float64 sources (shapes in metas) into fresh
// destinations of outs and returns their host bytes (copied) or the
// kernel's error.
func fusedRun(t testing.TB, p *graph.FusedParams, srcs [][]float64, metas [][]int, outs []graph.Chunk) ([][]byte, error) {
	t.Helper()
	dev := device.NewHost()
	defer devicetest.AssertNoLeaks(t, dev)
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: p}, Outputs: outs}}
	for k, s := range srcs {
		b, err := dev.Alloc(int64(8 * len(s)))
		if err != nil {
			t.Fatal(err)
		}
		defer b.Release()
		copy(device.View[float64](b), s)
		l.Src = append(l.Src, b)
		l.SrcMeta = append(l.SrcMeta, graph.Chunk{DType: graph.Float64, Shape: metas[k]})
	}
	for _, c := range outs {
		b, err := dev.Alloc(c.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		defer b.Release()
		for i := range b.Bytes() {
			b.Bytes()[i] = 0xA5
		}
		l.Dst = append(l.Dst, b)
	}
	err := fusedKernel{}.Run(l)
	res := make([][]byte, len(l.Dst))
	for k, b := range l.Dst {
		res[k] = append([]byte(nil), b.Bytes()...)
	}
	return res, err
}

func f64s(p []byte) []float64 { return device.ViewBytes[float64](p) }

func iota64(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)*0.25 - 3
	}
	return x
}

// axpy1 is the program 2*x + y over two float64 loads (maps 0 and 1).
func axpy1() *graph.Program {
	return &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0},
		{Op: graph.OpLoad, DType: graph.Float64, Src: 1, Map: 1},
		{Op: graph.OpConst, DType: graph.Float64, Imm: math.Float64bits(2)},
		{Op: graph.OpMul, DType: graph.Float64, A: 2, B: 0},
		{Op: graph.OpAdd, DType: graph.Float64, A: 3, B: 1},
	}, Out: 4}
}

// TestFusedTileBoundaries runs inner runs around and across TileLen, with
// one input read backwards, elementwise and summed.
func TestFusedTileBoundaries(t *testing.T) {
	for _, n := range []int{1, TileLen - 1, TileLen, TileLen + 1, 2*TileLen + 3, 5000} {
		x, y := iota64(n), iota64(n)
		for i := range y {
			y[i] = math.Sin(float64(i))
		}
		maps := []graph.Map{{{Out: 0, Step: 1}}, {{Out: 0, Start: n - 1, Step: -1}}}
		want := make([]float64, n)
		var sum float64
		for i := range want {
			want[i] = 2*x[i] + y[n-1-i]
			sum += want[i]
		}
		got, err := fusedRun(t, &graph.FusedParams{Prog: axpy1(), Shape: []int{n}, Maps: maps}, [][]float64{x, y}, [][]int{{n}, {n}},
			[]graph.Chunk{{DType: graph.Float64, Shape: []int{n}}})
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range f64s(got[0]) {
			if v != want[i] {
				t.Fatalf("n=%d: element %d: got %v, want %v", n, i, v, want[i])
			}
		}
		prog := axpy1()
		prog.Reduce = &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0}}
		got, err = fusedRun(t, &graph.FusedParams{Prog: prog, Shape: []int{n}, Maps: maps}, [][]float64{x, y}, [][]int{{n}, {n}},
			[]graph.Chunk{{DType: graph.Float64, Shape: []int{1}}})
		if err != nil {
			t.Fatal(err)
		}
		if g := f64s(got[0])[0]; math.Abs(g-sum) > 1e-12*float64(n)*(math.Abs(sum)+float64(n)) {
			t.Errorf("n=%d: sum %v, want %v", n, g, sum)
		}
	}
}

// TestFusedAxisMerging computes 2*x + y over a 3-d domain with y read
// contiguously, transposed, broadcast along an axis and as a strided
// slice: each must equal the plain indexed loop (merged and unmerged
// axes alike).
func TestFusedAxisMerging(t *testing.T) {
	shape := []int{3, 4, 130}
	n := 3 * 4 * 130
	x := iota64(n)
	idx := func(c []int) int { return (c[0]*4+c[1])*130 + c[2] }
	cases := []struct {
		name  string
		ymap  graph.Map
		yshp  []int
		yflat func(c []int) int
	}{
		{"contiguous", graph.Identity(3, nil), []int{3, 4, 130}, idx},
		{"transposed", graph.Map{{Out: 2, Step: 1}, {Out: 1, Step: 1}, {Out: 0, Step: 1}}, []int{130, 4, 3},
			func(c []int) int { return (c[2]*4+c[1])*3 + c[0] }},
		{"broadcast middle", graph.Map{{Out: 0, Step: 1}, {Out: 1, Step: 0}, {Out: 2, Step: 1}}, []int{3, 1, 130},
			func(c []int) int { return c[0]*130 + c[2] }},
		{"broadcast lower rank", graph.Map{{Out: 2, Step: 1}}, []int{130}, func(c []int) int { return c[2] }},
		{"sliced", graph.Map{{Out: 0, Start: 2, Step: -1}, {Out: 1, Start: 1, Step: 2}, {Out: 2, Start: 3, Step: 1}}, []int{3, 9, 140},
			func(c []int) int { return ((2-c[0])*9+1+2*c[1])*140 + 3 + c[2] }},
		{"fixed", graph.Map{{Out: -1, Start: 1}, {Out: 1, Step: 1}, {Out: 2, Step: 1}}, []int{2, 4, 130},
			func(c []int) int { return (1*4+c[1])*130 + c[2] }},
	}
	for _, c := range cases {
		ny := 1
		for _, s := range c.yshp {
			ny *= s
		}
		y := iota64(ny)
		for i := range y {
			y[i] = float64(i%17) * 0.5
		}
		p := &graph.FusedParams{Prog: axpy1(), Shape: shape, Maps: []graph.Map{graph.Identity(3, nil), c.ymap}}
		got, err := fusedRun(t, p, [][]float64{x, y}, [][]int{shape, c.yshp}, []graph.Chunk{{DType: graph.Float64, Shape: shape}})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		g := f64s(got[0])
		for i := range 3 {
			for j := range 4 {
				for k := range 130 {
					co := []int{i, j, k}
					if want := 2*x[idx(co)] + y[c.yflat(co)]; g[idx(co)] != want {
						t.Fatalf("%s: element %v: got %v, want %v", c.name, co, g[idx(co)], want)
					}
				}
			}
		}
	}
}

// TestFused0D runs a program over a 0-d domain, elementwise and reduced.
func TestFused0D(t *testing.T) {
	prog := axpy1()
	p := &graph.FusedParams{Prog: prog, Shape: []int{}, Maps: []graph.Map{{}, {}}}
	scalar := graph.Chunk{DType: graph.Float64, Shape: []int{}}
	got, err := fusedRun(t, p, [][]float64{{1.5}, {-4}}, [][]int{{}, {}}, []graph.Chunk{scalar})
	if err != nil || f64s(got[0])[0] != -1 {
		t.Fatalf("0-d: got %v, %v; want -1", f64s(got[0]), err)
	}
	prog = axpy1()
	prog.Reduce = &graph.Reduce{Kind: graph.ReduceMoments}
	p.Prog = prog
	got, err = fusedRun(t, p, [][]float64{{1.5}, {-4}}, [][]int{{}, {}}, graph.ReduceMoments.PartialOutputs(graph.Float64, []int{}))
	if err != nil || f64s(got[0])[0] != 1 || f64s(got[1])[0] != -1 || f64s(got[2])[0] != 0 {
		t.Fatalf("0-d moments: got %v %v %v, %v", f64s(got[0]), f64s(got[1]), f64s(got[2]), err)
	}
}

// TestFusedEmptyReduce reduces a size-0 domain: every partial is its
// kind's identity.
func TestFusedEmptyReduce(t *testing.T) {
	for _, c := range []struct {
		kind graph.ReduceKind
		want []float64 // first element of each partial buffer, as float64
	}{
		{graph.ReduceSum, []float64{0}},
		{graph.ReduceProd, []float64{1}},
		{graph.ReduceMin, []float64{math.Inf(1)}},
		{graph.ReduceMax, []float64{math.Inf(-1)}},
		{graph.ReduceArgMin, []float64{0, -1}},
		{graph.ReduceArgMax, []float64{0, -1}},
		{graph.ReduceMoments, []float64{0, 0, 0}},
	} {
		prog := axpy1()
		prog.Reduce = &graph.Reduce{Kind: c.kind, Axes: []int{1}}
		p := &graph.FusedParams{Prog: prog, Shape: []int{3, 0}, Maps: []graph.Map{graph.Identity(2, nil), graph.Identity(2, nil)},
			ArgMap: graph.Affine{Coef: []int{0, 1}}}
		outs := c.kind.PartialOutputs(graph.Float64, []int{3, 1})
		got, err := fusedRun(t, p, [][]float64{nil, nil}, [][]int{{3, 0}, {3, 0}}, outs)
		if err != nil {
			t.Fatalf("%v: %v", c.kind, err)
		}
		for k, w := range c.want {
			for i := range 3 {
				var g float64
				if outs[k].DType == graph.Int64 {
					g = float64(device.ViewBytes[int64](got[k])[i])
				} else {
					g = f64s(got[k])[i]
				}
				if g != w {
					t.Errorf("%v: buffer %d element %d: got %v, want %v", c.kind, k, i, g, w)
				}
			}
		}
	}
}

// TestFusedNegativePower: an integer to a negative power is an error
// wrapping ErrNegativePower, not a panic.
func TestFusedNegativePower(t *testing.T) {
	prog := &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpIndex, DType: graph.Int64, Map: 0},
		{Op: graph.OpConst, DType: graph.Int64, Imm: graph.ConstIntBits(graph.Int64, 600)},
		{Op: graph.OpSub, DType: graph.Int64, A: 0, B: 1}, // negative from element 0 to 599
		{Op: graph.OpPow, DType: graph.Int64, A: 1, B: 2},
	}, Out: 3}
	p := &graph.FusedParams{Prog: prog, Shape: []int{2000}, Maps: []graph.Map{graph.Identity(1, nil)}}
	_, err := fusedRun(t, p, nil, nil, []graph.Chunk{{DType: graph.Int64, Shape: []int{2000}}})
	if !errors.Is(err, ErrNegativePower) {
		t.Fatalf("got %v, want ErrNegativePower", err)
	}
}

// TestFusedBadParams: params of the wrong type or shape are errors.
func TestFusedBadParams(t *testing.T) {
	out := []graph.Chunk{{DType: graph.Float64, Shape: []int{4}}}
	for _, params := range []any{nil, (*graph.FusedParams)(nil), graph.FusedParams{}, &graph.FusedParams{}, 3,
		&graph.FusedParams{Prog: &graph.Program{}, Shape: []int{4}},
		&graph.FusedParams{Prog: axpy1(), Shape: []int{-4}},
	} {
		dev := device.NewHost()
		b, _ := dev.Alloc(32)
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: params}, Outputs: out}, Dst: []*device.Buffer{b}}
		if err := (fusedKernel{}).Run(l); err == nil {
			t.Errorf("params %#v: no error", params)
		}
		b.Release()
	}
}

func benchFused(b *testing.B, p *graph.FusedParams, srcs [][]float64, metas [][]int, outs []graph.Chunk, bytes int64) {
	dev := device.NewHost()
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: p}, Outputs: outs}}
	for k, s := range srcs {
		buf, _ := dev.Alloc(int64(8 * len(s)))
		copy(device.View[float64](buf), s)
		l.Src = append(l.Src, buf)
		l.SrcMeta = append(l.SrcMeta, graph.Chunk{DType: graph.Float64, Shape: metas[k]})
	}
	for _, c := range outs {
		buf, _ := dev.Alloc(c.Bytes())
		l.Dst = append(l.Dst, buf)
	}
	b.SetBytes(bytes)
	b.ResetTimer()
	for b.Loop() {
		if err := (fusedKernel{}).Run(l); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for _, buf := range append(l.Src, l.Dst...) {
		buf.Release()
	}
}

// BenchmarkFusedChain is (sin(x)^2 + cos(x)^2) * 3 - 1 summed over 1e6
// float64 in one task (bytes: the input read).
func BenchmarkFusedChain(b *testing.B) {
	const n = 1_000_000
	c := func(v float64) graph.Instr {
		return graph.Instr{Op: graph.OpConst, DType: graph.Float64, Imm: math.Float64bits(v)}
	}
	prog := &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpLoad, DType: graph.Float64},
		{Op: graph.OpSin, DType: graph.Float64, A: 0},
		{Op: graph.OpCos, DType: graph.Float64, A: 0},
		{Op: graph.OpMul, DType: graph.Float64, A: 1, B: 1},
		{Op: graph.OpMul, DType: graph.Float64, A: 2, B: 2},
		{Op: graph.OpAdd, DType: graph.Float64, A: 3, B: 4},
		c(3),
		{Op: graph.OpMul, DType: graph.Float64, A: 5, B: 6},
		c(1),
		{Op: graph.OpSub, DType: graph.Float64, A: 7, B: 8},
	}, Out: 9, Reduce: &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0}}}
	p := &graph.FusedParams{Prog: prog, Shape: []int{n}, Maps: []graph.Map{graph.Identity(1, nil)}}
	benchFused(b, p, [][]float64{iota64(n)}, [][]int{{n}}, []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}}, 8*n)
}

// BenchmarkFusedAddTranspose is x + x.T over 2000x2000 float64 (bytes:
// x read twice plus the result written).
func BenchmarkFusedAddTranspose(b *testing.B) {
	const n = 2000
	prog := &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpLoad, DType: graph.Float64, Map: 0},
		{Op: graph.OpLoad, DType: graph.Float64, Map: 1},
		{Op: graph.OpAdd, DType: graph.Float64, A: 0, B: 1},
	}, Out: 2}
	p := &graph.FusedParams{Prog: prog, Shape: []int{n, n}, Maps: []graph.Map{graph.Identity(2, nil), {{Out: 1, Step: 1}, {Out: 0, Step: 1}}}}
	benchFused(b, p, [][]float64{iota64(n * n)}, [][]int{{n, n}}, []graph.Chunk{{DType: graph.Float64, Shape: []int{n, n}}}, 3*8*n*n)
}
