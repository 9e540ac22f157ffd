package cpu

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// transposeSumProg is the per-block program of transpose_sum,
// (x + y.T - m).sum() over an n x n block: x walked row-major, y
// transposed, m a row broadcast down axis 0.
func transposeSumProg(n int, reduce bool) *graph.FusedParams {
	prog := &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0},
		{Op: graph.OpLoad, DType: graph.Float64, Src: 1, Map: 1},
		{Op: graph.OpAdd, DType: graph.Float64, A: 0, B: 1},
		{Op: graph.OpLoad, DType: graph.Float64, Src: 2, Map: 2},
		{Op: graph.OpSub, DType: graph.Float64, A: 2, B: 3},
	}, Out: 4}
	if reduce {
		prog.Reduce = &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0, 1}}
	}
	return &graph.FusedParams{Prog: prog, Shape: []int{n, n}, Maps: []graph.Map{
		graph.Identity(2, nil),
		{{Out: 1, Step: 1}, {Out: 0, Step: 1}},
		{{Out: 1, Step: 1}},
	}}
}

// BenchmarkFusedTransposeShare compares, on one goroutine over 2000 x 2000
// float64 (32 MB an operand): a Go triad a = b + s*c (24 bytes an
// element), the fused x + y with both row-major, x + x.T, and
// transpose_sum's block program with and without its sum (bytes: every
// operand read once plus the output written). Quote each as a share of
// the triad from the same run.
func BenchmarkFusedTransposeShare(b *testing.B) {
	const n = 2000
	x, y, m := iota64(n*n), iota64(n*n), iota64(n)
	b.Run("triad", func(b *testing.B) {
		a, bb, c := make([]float64, n*n), iota64(n*n), iota64(n*n)
		b.SetBytes(24 * n * n)
		for b.Loop() {
			for i := range a {
				a[i] = bb[i] + 3*c[i]
			}
		}
	})
	add := &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0},
		{Op: graph.OpLoad, DType: graph.Float64, Src: 1, Map: 1},
		{Op: graph.OpAdd, DType: graph.Float64, A: 0, B: 1},
	}, Out: 2}, Shape: []int{n, n}, Maps: []graph.Map{graph.Identity(2, nil), graph.Identity(2, nil)}}
	out := []graph.Chunk{{DType: graph.Float64, Shape: []int{n, n}}}
	one := []graph.Chunk{{DType: graph.Float64, Shape: []int{1, 1}}}
	b.Run("x+y", func(b *testing.B) {
		benchFused(b, add, [][]float64{x, y}, [][]int{{n, n}, {n, n}}, out, 24*n*n)
	})
	addT := transposeSumProg(n, false)
	addT.Prog = &graph.Program{Instrs: addT.Prog.Instrs[:3], Out: 2}
	b.Run("x+y.T", func(b *testing.B) {
		benchFused(b, addT, [][]float64{x, y}, [][]int{{n, n}, {n, n}}, out, 24*n*n)
	})
	b.Run("x+y.T-m", func(b *testing.B) {
		benchFused(b, transposeSumProg(n, false), [][]float64{x, y, m}, [][]int{{n, n}, {n, n}, {n}}, out, 24*n*n)
	})
	b.Run("sum(x+y.T-m)", func(b *testing.B) {
		benchFused(b, transposeSumProg(n, true), [][]float64{x, y, m}, [][]int{{n, n}, {n, n}, {n}}, one, 16*n*n)
	})
	// the same with every load copied or gathered per element and scalar
	// binary ops: the interpreter before views, bands and vector ops
	b.Run("sum(x+y.T-m)/plain", func(b *testing.B) {
		fastLoads, binaryVecOn = false, false
		defer func() { fastLoads, binaryVecOn = true, cpuHasAVX2() }()
		benchFused(b, transposeSumProg(n, true), [][]float64{x, y, m}, [][]int{{n, n}, {n, n}, {n}}, one, 16*n*n)
	})
}

// runFusedBytes runs p over sources of the given dtypes and shapes and
// returns the destination bytes.
func runFusedBytes(t *testing.T, p *graph.FusedParams, srcs [][]byte, metas []graph.Chunk, outs []graph.Chunk) [][]byte {
	t.Helper()
	dev := device.NewHost()
	defer devicetest.AssertNoLeaks(t, dev)
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: p}, Outputs: outs}, SrcMeta: metas}
	var release func()
	l.Src, release = hostSources(t, dev, srcs)
	defer release()
	for _, c := range outs {
		b, err := dev.Alloc(c.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		defer b.Release()
		l.Dst = append(l.Dst, b)
	}
	if err := (fusedKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	res := make([][]byte, len(l.Dst))
	for k, b := range l.Dst {
		res[k] = append([]byte(nil), b.Bytes()...)
	}
	return res
}

func randBytes(r *rand.Rand, dt graph.DType, n int) []byte {
	b := make([]byte, n*dt.Size())
	switch dt {
	case graph.Float64:
		for i, v := 0, device.ViewBytes[float64](b); i < n; i++ {
			v[i] = r.NormFloat64() * 1e3
		}
	case graph.Float32:
		for i, v := 0, device.ViewBytes[float32](b); i < n; i++ {
			v[i] = float32(r.NormFloat64() * 1e3)
		}
	case graph.Int32:
		for i, v := 0, device.ViewBytes[int32](b); i < n; i++ {
			v[i] = int32(r.Uint32())
		}
	default:
		for i := range b {
			b[i] = byte(r.IntN(2))
		}
	}
	return b
}

// TestFusedLoadModesBitIdentical: views of contiguous loads, bands of
// transposed ones and rows of broadcasts along the rows give the bytes of
// plain copies and strided gathers, for x + y.T - m - rw with and without
// reductions (all axes, each axis), over
// shapes that cut bands and tiles short, reversed and 3-d transposes, and
// float64, float32, int64 and int32.
func TestFusedLoadModesBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(name string, p *graph.FusedParams, srcs [][]byte, metas []graph.Chunk, outs []graph.Chunk) {
		t.Helper()
		fast := runFusedBytes(t, p, srcs, metas, outs)
		fastLoads = false
		slow := runFusedBytes(t, p, srcs, metas, outs)
		fastLoads = true
		for k := range fast {
			if !bytes.Equal(fast[k], slow[k]) {
				t.Fatalf("%s: output %d differs from the copying path", name, k)
			}
		}
	}
	for _, dt := range []graph.DType{graph.Float64, graph.Float32, graph.Int64, graph.Int32} {
		for _, n0 := range []int{1, 3, 8, 13, 17} {
			for _, n1 := range []int{1, 5, 9, 600, 1030} {
				// x is n0 x n1, y is n1 x n0 read transposed (or reversed
				// along its rows: y[::-1].T), m has n1 elements
				// and rw has n0, one per row (a broadcast along the rows)
				x, y, m, rw := randBytes(r, dt, n0*n1), randBytes(r, dt, n1*n0), randBytes(r, dt, n1), randBytes(r, dt, n0)
				metas := []graph.Chunk{{DType: dt, Shape: []int{n0, n1}}, {DType: dt, Shape: []int{n1, n0}}, {DType: dt, Shape: []int{n1}}, {DType: dt, Shape: []int{n0}}}
				for _, rev := range []bool{false, true} {
					yMap := graph.Map{{Out: 1, Step: 1}, {Out: 0, Step: 1}}
					if rev {
						yMap = graph.Map{{Out: 1, Start: n1 - 1, Step: -1}, {Out: 0, Step: 1}}
					}
					for _, axes := range [][]int{nil, {0, 1}, {0}, {1}} {
						prog := &graph.Program{Instrs: []graph.Instr{
							{Op: graph.OpLoad, DType: dt, Src: 0, Map: 0},
							{Op: graph.OpLoad, DType: dt, Src: 1, Map: 1},
							{Op: graph.OpAdd, DType: dt, A: 0, B: 1},
							{Op: graph.OpLoad, DType: dt, Src: 2, Map: 2},
							{Op: graph.OpSub, DType: dt, A: 2, B: 3},
							{Op: graph.OpLoad, DType: dt, Src: 3, Map: 3},
							{Op: graph.OpSub, DType: dt, A: 4, B: 5},
						}, Out: 6}
						ps := []int{n0, n1}
						outs := []graph.Chunk{{DType: dt, Shape: ps}}
						if axes != nil {
							prog.Reduce = &graph.Reduce{Kind: graph.ReduceSum, Axes: axes}
							ps = []int{n0, n1}
							for _, a := range axes {
								ps[a] = 1
							}
							outs = []graph.Chunk{{DType: graph.SumDType(dt), Shape: ps}}
						}
						p := &graph.FusedParams{Prog: prog, Shape: []int{n0, n1}, Maps: []graph.Map{graph.Identity(2, nil), yMap, {{Out: 1, Step: 1}}, {{Out: 0, Step: 1}}}}
						check(fmt.Sprintf("%v %dx%d rev=%v reduce %v", dt, n0, n1, rev, axes), p, [][]byte{x, y, m, rw}, metas, outs)
					}
					// the transposed load alone is the result
					p := &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{{Op: graph.OpLoad, DType: dt, Src: 0, Map: 0}}},
						Shape: []int{n0, n1}, Maps: []graph.Map{yMap}}
					check(fmt.Sprintf("%v %dx%d rev=%v y.T alone", dt, n0, n1, rev), p, [][]byte{y}, metas[1:2], []graph.Chunk{{DType: dt, Shape: []int{n0, n1}}})
					// the row broadcast alone is the result (written straight
					// to the destination)
					p = &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{{Op: graph.OpLoad, DType: dt, Src: 0, Map: 0}}},
						Shape: []int{n0, n1}, Maps: []graph.Map{{{Out: 0, Step: 1}}}}
					check(fmt.Sprintf("%v %dx%d rows alone", dt, n0, n1), p, [][]byte{rw}, metas[3:4], []graph.Chunk{{DType: dt, Shape: []int{n0, n1}}})
				}
			}
		}
	}
	// 3-d: z of shape (a, c, b) read as z.transpose(0, 2, 1) plus w (a, b, c)
	for _, sh := range [][3]int{{2, 9, 300}, {3, 17, 5}, {1, 8, 1100}} {
		a, b, c := sh[0], sh[1], sh[2]
		z, w := randBytes(r, graph.Float64, a*c*b), randBytes(r, graph.Float64, a*b*c)
		metas := []graph.Chunk{{DType: graph.Float64, Shape: []int{a, c, b}}, {DType: graph.Float64, Shape: []int{a, b, c}}}
		for _, red := range []bool{false, true} {
			prog := &graph.Program{Instrs: []graph.Instr{
				{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0},
				{Op: graph.OpLoad, DType: graph.Float64, Src: 1, Map: 1},
				{Op: graph.OpMul, DType: graph.Float64, A: 0, B: 1},
			}, Out: 2}
			outs := []graph.Chunk{{DType: graph.Float64, Shape: []int{a, b, c}}}
			if red {
				prog.Reduce = &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0, 1, 2}}
				outs = []graph.Chunk{{DType: graph.Float64, Shape: []int{1, 1, 1}}}
			}
			p := &graph.FusedParams{Prog: prog, Shape: []int{a, b, c}, Maps: []graph.Map{
				{{Out: 0, Step: 1}, {Out: 2, Step: 1}, {Out: 1, Step: 1}}, graph.Identity(3, nil)}}
			check(fmt.Sprintf("3-d %v reduce=%v", sh, red), p, [][]byte{z, w}, metas, outs)
		}
	}
}

// TestFusedInPlaceNoView: a destination that is a source exactly turns the
// views off, and the result is still the elementwise one.
func TestFusedInPlaceNoView(t *testing.T) {
	const n = 1500
	dev := device.NewHost()
	defer devicetest.AssertNoLeaks(t, dev)
	x := iota64(n)
	buf, err := dev.Alloc(8 * n)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Release()
	copy(device.View[float64](buf), x)
	prog := &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0},
		{Op: graph.OpMul, DType: graph.Float64, A: 0, B: 0},
		{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 1}, // reversed: reads what later tiles overwrite
		{Op: graph.OpAdd, DType: graph.Float64, A: 1, B: 2},
	}, Out: 3}
	p := &graph.FusedParams{Prog: prog, Shape: []int{n}, Maps: []graph.Map{graph.Identity(1, nil), {{Out: 0, Start: n - 1, Step: -1}}}}
	out := []graph.Chunk{{DType: graph.Float64, Shape: []int{n}}}
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: p}, Outputs: out},
		Src: []*device.Buffer{buf}, SrcMeta: []graph.Chunk{{DType: graph.Float64, Shape: []int{n}}}, Dst: []*device.Buffer{buf}}
	if !dstOverlapsSrc(l) {
		t.Fatal("dstOverlapsSrc: false for a destination that is the source")
	}
	if err := (fusedKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	// the first tile reads x before any write; check it
	got := device.View[float64](buf)
	for i := 0; i < TileLen; i++ {
		if want := x[i]*x[i] + x[n-1-i]; got[i] != want {
			t.Fatalf("out[%d] = %v, want %v", i, got[i], want)
		}
	}
}

// TestFusedLoadModesNoAllocs: views, bands and the vector column sum add
// no allocation to a launch once its scratch is pooled (checkProgram's
// two are there either way).
func TestFusedLoadModesNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	const n = 64
	dev := device.NewHost()
	defer devicetest.AssertNoLeaks(t, dev)
	p := transposeSumProg(n, true)
	p.Prog.Reduce.Axes = []int{0}
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: p}, Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1, n}}}}}
	for _, sz := range []int{n * n, n * n, n} {
		b, err := dev.Alloc(int64(8 * sz))
		if err != nil {
			t.Fatal(err)
		}
		defer b.Release()
		l.Src = append(l.Src, b)
	}
	l.SrcMeta = []graph.Chunk{{DType: graph.Float64, Shape: []int{n, n}}, {DType: graph.Float64, Shape: []int{n, n}}, {DType: graph.Float64, Shape: []int{n}}}
	d, err := dev.Alloc(8 * n)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	l.Dst = []*device.Buffer{d}
	fastAllocsNoMore(t, l, "views and bands")
}

// fastAllocsNoMore fails t when launch l of the fused kernel allocates
// more with the fast loads (views, bands) than without them.
func fastAllocsNoMore(t *testing.T, l *kernels.Launch, what string) {
	t.Helper()
	run := func() {
		if err := (fusedKernel{}).Run(l); err != nil {
			t.Fatal(err)
		}
	}
	run()
	fast := testing.AllocsPerRun(20, run)
	fastLoads = false
	plain := testing.AllocsPerRun(20, run)
	fastLoads = true
	if fast > plain {
		t.Errorf("%v allocations a launch with %s, %v without", fast, what, plain)
	}
}

// TestFusedColumnFoldsBatched: moments, and sums, maxima and minima
// beside other results, over outer axes of a float64 load read in place,
// whose rows the interpreter folds in batches (foldRows), give the bytes
// of the copying path, which folds row by row: over row counts that leave
// a short batch, rows that cross tiles, a middle axis (the partial's
// offset changes between rows), with NaNs, infinities and zeros of both
// signs among the values.
func TestFusedColumnFoldsBatched(t *testing.T) {
	r := seededRand(t, 8)
	for _, sh := range [][]int{{1, 7}, {8, 9}, {13, 600}, {17, 1030}, {3, 5, 700}, {2, 11, 40}} {
		nd := len(sh)
		total := 1
		for _, s := range sh {
			total *= s
		}
		x := randBytes(r, graph.Float64, total)
		xs := device.ViewBytes[float64](x)
		specials := []float64{math.NaN(), 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1)}
		// mostly zeros of both signs in every second shape, so that
		// extremes tie
		few := r.IntN(2) == 0
		for i := range xs {
			switch {
			case few:
				xs[i] = [...]float64{0, math.Copysign(0, -1), 0, math.Copysign(0, -1), 1, -1, math.NaN()}[r.IntN(7)]
			case r.IntN(200) == 0:
				xs[i] = specials[r.IntN(len(specials))]
			}
		}
		metas := []graph.Chunk{{DType: graph.Float64, Shape: sh}}
		axesSets := [][]int{{0}}
		if nd == 3 {
			axesSets = [][]int{{0}, {1}, {0, 1}}
		}
		for _, axes := range axesSets {
			// the first result's kind, then those of the others
			for _, kinds := range [][]graph.ReduceKind{{graph.ReduceMoments}, {graph.ReduceSum},
				{graph.ReduceMoments, graph.ReduceSum}, {graph.ReduceMax, graph.ReduceMin, graph.ReduceSum}} {
				ps := append([]int(nil), sh...)
				for _, a := range axes {
					ps[a] = 1
				}
				prog := &graph.Program{Instrs: []graph.Instr{{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0}},
					Out: 0, Reduce: &graph.Reduce{Kind: kinds[0], Axes: axes}}
				outs := kinds[0].PartialOutputs(graph.Float64, ps)
				for _, k := range kinds[1:] {
					prog.More = append(prog.More, graph.Result{Out: 0, Reduce: &graph.Reduce{Kind: k, Axes: axes}})
					outs = append(outs, k.PartialOutputs(graph.Float64, ps)...)
				}
				p := &graph.FusedParams{Prog: prog, Shape: sh, Maps: []graph.Map{graph.Identity(nd, nil)}}
				fast := runFusedBytes(t, p, [][]byte{x}, metas, outs)
				fastLoads = false
				slow := runFusedBytes(t, p, [][]byte{x}, metas, outs)
				fastLoads = true
				for k := range fast {
					if !bytes.Equal(fast[k], slow[k]) {
						t.Fatalf("%v axes %v %v: output %d differs from the row-by-row path", sh, axes, kinds, k)
					}
				}
			}
		}
	}
}

// TestFusedInnerSumShared: inner sums and moments of one register take
// the tile's sum once (runProgram's shareSum); every result must keep the
// bytes it has alone, including beside a second register's sum and
// moments and a max, on shapes whose rows end in a short tile.
func TestFusedInnerSumShared(t *testing.T) {
	r := seededRand(t, 12)
	for trial := 0; trial < 12; trial++ {
		sh := []int{1 + r.IntN(9), 1 + r.IntN(1500)}
		if trial%3 == 2 {
			sh = []int{1 + r.IntN(4), 1 + r.IntN(5), 1 + r.IntN(700)}
		}
		nd := len(sh)
		total := 1
		for _, s := range sh {
			total *= s
		}
		x := randBytes(r, graph.Float64, total)
		xs := device.ViewBytes[float64](x)
		for i := range xs {
			if r.IntN(300) == 0 {
				xs[i] = []float64{math.NaN(), math.Inf(1), 0, 1e300}[r.IntN(4)]
			}
		}
		metas := []graph.Chunk{{DType: graph.Float64, Shape: sh}}
		axes := []int{nd - 1}
		if nd == 3 && r.IntN(2) == 0 {
			axes = []int{1, 2}
		}
		ps := append([]int(nil), sh...)
		for _, a := range axes {
			ps[a] = 1
		}
		instrs := []graph.Instr{{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 0}, {Op: graph.OpNeg, DType: graph.Float64, A: 0}}
		type res struct {
			reg  int32
			kind graph.ReduceKind
		}
		all := []res{{0, graph.ReduceSum}, {1, graph.ReduceMoments}, {0, graph.ReduceMax}, {0, graph.ReduceMoments}, {1, graph.ReduceSum}}
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		build := func(rs []res) (*graph.FusedParams, []graph.Chunk) {
			prog := &graph.Program{Instrs: instrs, Out: rs[0].reg, Reduce: &graph.Reduce{Kind: rs[0].kind, Axes: axes}}
			outs := rs[0].kind.PartialOutputs(graph.Float64, ps)
			for _, q := range rs[1:] {
				prog.More = append(prog.More, graph.Result{Out: q.reg, Reduce: &graph.Reduce{Kind: q.kind, Axes: axes}})
				outs = append(outs, q.kind.PartialOutputs(graph.Float64, ps)...)
			}
			return &graph.FusedParams{Prog: prog, Shape: sh, Maps: []graph.Map{graph.Identity(nd, nil)}}, outs
		}
		p, outs := build(all)
		together := runFusedBytes(t, p, [][]byte{x}, metas, outs)
		k := 0
		for _, q := range all {
			p1, outs1 := build([]res{q})
			alone := runFusedBytes(t, p1, [][]byte{x}, metas, outs1)
			for j := range alone {
				if !bytes.Equal(alone[j], together[k]) {
					t.Fatalf("%v axes %v: %v of register %d, output %d: differs beside the others", sh, axes, q.kind, q.reg, j)
				}
				k++
			}
		}
	}
}

// TestFusedOutStrides: a program of one unreduced result written at
// OutStrides into a larger array (its block's place) gives the bytes of
// the chunk it writes otherwise, pasted there, and touches nothing else:
// over 1-, 2- and 3-d blocks, columns (a run of stride != 1), transposed
// and broadcast loads, float64 and int32; strides out of the destination,
// negative ones and a reduction are errors.
func TestFusedOutStrides(t *testing.T) {
	r := seededRand(t, 14)
	for trial := 0; trial < 60; trial++ {
		nd := 1 + r.IntN(3)
		shape := make([]int, nd) // the block
		full := make([]int, nd)  // the array it sits in
		origin := make([]int, nd)
		for k := range shape {
			shape[k] = 1 + r.IntN(9)
			if r.IntN(4) == 0 {
				shape[k] = 1
			}
			if k == nd-1 && r.IntN(3) == 0 {
				shape[k] = 600 + r.IntN(700) // several tiles
			}
			origin[k] = r.IntN(3)
			full[k] = origin[k] + shape[k] + r.IntN(3)
		}
		dt := []graph.DType{graph.Float64, graph.Int32}[r.IntN(2)]
		n := 1
		for _, s := range shape {
			n *= s
		}
		// x (the block's shape) plus y read reversed along every axis,
		// times a constant
		rev := make(graph.Map, nd)
		for k := range rev {
			rev[k] = graph.AxisMap{Out: k, Start: shape[k] - 1, Step: -1}
		}
		imm := math.Float64bits(3)
		if dt == graph.Int32 {
			imm = uint64(3)
		}
		p := &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{
			{Op: graph.OpLoad, DType: dt, Src: 0, Map: 0},
			{Op: graph.OpLoad, DType: dt, Src: 1, Map: 1},
			{Op: graph.OpConst, DType: dt, Imm: imm},
			{Op: graph.OpMul, DType: dt, A: 1, B: 2},
			{Op: graph.OpAdd, DType: dt, A: 0, B: 3},
		}, Out: 4}, Shape: shape, Maps: []graph.Map{graph.Identity(nd, nil), rev}}
		x, y := randBytes(r, dt, n), randBytes(r, dt, n)
		meta := graph.Chunk{DType: dt, Shape: shape}
		want := runFusedBytes(t, p, [][]byte{x, y}, []graph.Chunk{meta, meta}, []graph.Chunk{meta})[0]
		// the same into the array: its strides, the destination from the
		// block's first element
		es := dt.Size()
		st := graph.Strides(full)
		off := 0
		for k := range origin {
			off += origin[k] * st[k]
		}
		total := 1
		for _, s := range full {
			total *= s
		}
		arr := make([]byte, total*es)
		for i := range arr {
			arr[i] = 0xA5
		}
		ps := *p
		ps.OutStrides = st
		got := runFusedInto(t, &ps, [][]byte{x, y}, []graph.Chunk{meta, meta}, meta, arr[off*es:])
		copy(arr[off*es:], got)
		// every element of the block in its place, the rest untouched
		idx := make([]int, nd)
		inBlock := map[int]bool{}
		for k := 0; k < n; k++ {
			rem := k
			for a := nd - 1; a >= 0; a-- {
				idx[a] = rem % shape[a]
				rem /= shape[a]
			}
			o := off
			for a := range idx {
				o += idx[a] * st[a]
			}
			inBlock[o] = true
			if !bytes.Equal(arr[o*es:(o+1)*es], want[k*es:(k+1)*es]) {
				t.Fatalf("trial %d: block %v at %v of %v (%v): element %d differs", trial, shape, origin, full, dt, k)
			}
		}
		for o := 0; o < total; o++ {
			if !inBlock[o] && !bytes.Equal(arr[o*es:(o+1)*es], bytes.Repeat([]byte{0xA5}, es)) {
				t.Fatalf("trial %d: block %v at %v of %v: element %d outside the block was written", trial, shape, origin, full, o)
			}
		}
	}
	// errors: beyond the destination, negative, with a reduction
	meta := graph.Chunk{DType: graph.Float64, Shape: []int{2, 3}}
	p := &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{{Op: graph.OpLoad, DType: graph.Float64}}},
		Shape: []int{2, 3}, Maps: []graph.Map{graph.Identity(2, nil)}, OutStrides: []int{4, 1}}
	x := make([]byte, 48)
	for _, c := range []struct {
		name    string
		strides []int
		dst     int
		red     *graph.Reduce
	}{{"beyond", []int{4, 1}, 6 * 8, nil}, {"negative", []int{-4, 1}, 64, nil}, {"reduced", []int{4, 1}, 64, &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0}}}} {
		q := *p
		prog := *p.Prog
		prog.Reduce = c.red
		q.Prog, q.OutStrides = &prog, c.strides
		dev := device.NewHost()
		src, _ := dev.Alloc(48)
		copy(src.Bytes(), x)
		dst := device.NewBuffer(dev, make([]byte, c.dst), 0, int64(c.dst), nil)
		l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: &q}}, Src: []*device.Buffer{src}, SrcMeta: []graph.Chunk{meta}, Dst: []*device.Buffer{dst}}
		if err := (fusedKernel{}).Run(l); err == nil || !strings.Contains(err.Error(), "strides") {
			t.Errorf("%s: error %v, want one about the output strides", c.name, err)
		}
		src.Release()
	}
}

// hostSources returns host buffers holding srcs and a function that
// releases them (deferred after the caller's leak check, so it runs first).
func hostSources(t *testing.T, dev device.Device, srcs [][]byte) ([]*device.Buffer, func()) {
	t.Helper()
	var bufs []*device.Buffer
	release := func() {
		for _, b := range bufs {
			b.Release()
		}
	}
	for _, s := range srcs {
		b, err := dev.Alloc(int64(len(s)))
		if err != nil {
			release()
			t.Fatal(err)
		}
		copy(b.Bytes(), s)
		bufs = append(bufs, b)
	}
	return bufs, release
}

// runFusedInto runs p writing its one result into dst (a view of a
// larger array) and returns dst's bytes.
func runFusedInto(t *testing.T, p *graph.FusedParams, srcs [][]byte, metas []graph.Chunk, out graph.Chunk, dst []byte) []byte {
	t.Helper()
	dev := device.NewHost()
	defer devicetest.AssertNoLeaks(t, dev)
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: p}, Outputs: []graph.Chunk{out}}, SrcMeta: metas}
	var release func()
	l.Src, release = hostSources(t, dev, srcs)
	defer release()
	view := append([]byte(nil), dst...)
	l.Dst = []*device.Buffer{device.NewBuffer(dev, view, 0, int64(len(view)), nil)}
	if err := (fusedKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	return view
}
