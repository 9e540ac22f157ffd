package cpu

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// randBandDraws are the draws a band speeds up, with the integer ranges
// the conformance suite's fills use.
var randBandDraws = []struct {
	spec graph.RandSpec
	dt   graph.DType
}{
	{graph.RandSpec{Kind: graph.RandUniform}, graph.Float64},
	{graph.RandSpec{Kind: graph.RandUniform}, graph.Float32},
	{graph.RandSpec{Kind: graph.RandInteger, Low: -1000, High: 12345}, graph.Int64},
	{graph.RandSpec{Kind: graph.RandInteger, Low: math.MinInt64, High: math.MaxInt64}, graph.Int64},
	{graph.RandSpec{Kind: graph.RandInteger, Low: -7, High: 1 << 20}, graph.Int32},
}

// withTransposeRunsVec runs f with the assembly transposes on or off.
func withTransposeRunsVec(on bool, f func()) {
	saved := transposeRunsVec
	transposeRunsVec = on && saved
	defer func() { transposeRunsVec = saved }()
	f()
}

// fillRandBand's rows are randFill's strided rows, bit for bit, on every
// Philox level with and without the assembly transposes: positive and
// negative strides, odd and even, multiples of 4 and not; bases at every
// offset in a block; inner lengths around the transposes' groups and the
// chunk; partial bands.
func TestRandBandMatchesStrided(t *testing.T) {
	r := philoxTestRand(t)
	type bandCase struct {
		base, stride, inner, rb int
	}
	var cases []bandCase
	strides := []int{8, 9, 10, 12, 16, 17, 20000, 20001, 1 << 20, 1<<20 + 3}
	inners := []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, randRunsChunk - 1, randRunsChunk, randRunsChunk + 5, 2*randRunsChunk + 12}
	for len(cases) < 400 {
		c := bandCase{
			stride: strides[r.IntN(len(strides))],
			inner:  inners[r.IntN(len(inners))],
			rb:     1 + r.IntN(bandRows),
		}
		if r.IntN(3) == 0 {
			c.rb = bandRows
		}
		if r.IntN(4) == 0 {
			c.stride = bandMinStride + r.IntN(3000)
		}
		c.base = r.IntN(1 << 16)
		if r.IntN(2) == 0 {
			c.stride = -c.stride
			c.base += (c.inner - 1) * -c.stride // every index stays >= 0
		}
		cases = append(cases, c)
	}
	runs := make([]uint64, randRunsLen)
	for _, l := range philoxLevels() {
		for _, vec := range []bool{true, false} {
			name := fmt.Sprintf("%s/vec=%v", philoxLevelNames[l], vec)
			t.Run(name, func(t *testing.T) {
				withPhiloxLevel(l, func() {
					withTransposeRunsVec(vec, func() {
						for _, c := range cases {
							for _, d := range randBandDraws {
								spec := d.spec
								spec.Seed, spec.Stream = r.Uint64(), r.Uint64()%5
								es := d.dt.Size()
								buf := make([]byte, randBandRows*c.inner*es)
								row0, err := fillRandBand(&spec, d.dt, buf, c.base, c.stride, c.inner, c.rb, runs)
								if err != nil {
									t.Fatal(err)
								}
								band := buf[row0*c.inner*es:]
								want := make([]byte, c.inner*es)
								for j := 0; j < c.rb; j++ {
									if err := randFill(&spec, d.dt, want, c.base+j, c.stride, c.inner); err != nil {
										t.Fatal(err)
									}
									if got := band[j*c.inner*es : (j+1)*c.inner*es]; !bytes.Equal(got, want) {
										k := 0
										for k < c.inner && bytes.Equal(got[k*es:(k+1)*es], want[k*es:(k+1)*es]) {
											k++
										}
										t.Fatalf("%v %v seed=%#x stream=%d base=%d stride=%d inner=%d rb=%d: row %d differs from the strided fill first at %d",
											spec.Kind, d.dt, spec.Seed, spec.Stream, c.base, c.stride, c.inner, c.rb, j, k)
									}
								}
							}
						}
					})
				})
			})
		}
	}
}

// The transposes' assembly equals their Go loop for every q pattern.
func TestTransposeRunsAsmMatchesGo(t *testing.T) {
	if !transposeRunsVec {
		t.Skip("no AVX2")
	}
	r := philoxTestRand(t)
	runs := make([]uint64, randRunsLen)
	for i := range runs {
		runs[i] = r.Uint64()
	}
	for _, m := range []int{1, 3, 4, 7, 8, 9, 16, 31, 100, randRunsChunk} {
		for trial := 0; trial < 20; trial++ {
			var q [4]int
			for c := range q {
				q[c] = r.IntN(4)
			}
			inner, k0 := m+r.IntN(20), 0
			k0 = r.IntN(inner - m + 1)
			var got, want [2][]uint64
			for v, on := range []bool{true, false} {
				withTransposeRunsVec(on, func() {
					b64 := make([]uint64, bandRows*inner)
					transposeRuns64(b64, inner, k0, runs, m, &q)
					b32 := make([]uint32, bandRows*inner)
					transposeRuns32(b32, inner, k0, runs32(runs), m, &q)
					got[v] = b64
					want[v] = make([]uint64, len(b32))
					for i, x := range b32 {
						want[v][i] = uint64(x)
					}
				})
			}
			for i := range got[0] {
				if got[0][i] != got[1][i] {
					t.Fatalf("m=%d inner=%d k0=%d q=%v: 64-bit element %d: asm %#x, Go %#x", m, inner, k0, q, i, got[0][i], got[1][i])
				}
				if want[0][i] != want[1][i] {
					t.Fatalf("m=%d inner=%d k0=%d q=%v: 32-bit element %d: asm %#x, Go %#x", m, inner, k0, q, i, want[0][i], want[1][i])
				}
			}
		}
	}
}

// randTransposeProg is x.T + x drawn from one stream, (x.T - x) * x.T
// with a second draw of the transposed stream (a repeat, findRepeats),
// over an n0 x n1 window of the stream's array: maps 0 (transposed) and
// 1 (identity).
func randTransposeProg(dt graph.DType, spec graph.RandSpec) *graph.Program {
	return &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpRandom, DType: dt, Map: 0, Imm: 0},
		{Op: graph.OpRandom, DType: dt, Map: 1, Imm: 0},
		{Op: graph.OpSub, DType: dt, A: 0, B: 1},
		{Op: graph.OpRandom, DType: dt, Map: 0, Imm: 1},
		{Op: graph.OpMul, DType: dt, A: 2, B: 3},
	}, Out: 4, Rands: []graph.RandSpec{spec, spec}}
}

// TestFusedRandomBandBitIdentical: fused programs drawing a random array
// transposed (banded) and straight give the bytes of the same programs
// with every draw strided (fastLoads off), elementwise and reduced, for
// float64 and float32 uniforms and int64 and int32 integers, windows at
// odd and even offsets, reversed rows (a negative inner stride), row
// counts that cut the last band short and inner lengths that are no
// multiple of the vector widths.
func TestFusedRandomBandBitIdentical(t *testing.T) {
	r := philoxTestRand(t)
	check := func(name string, p *graph.FusedParams, outs []graph.Chunk) {
		t.Helper()
		fast := runFusedBytes(t, p, nil, nil, outs)
		fastLoads = false
		slow := runFusedBytes(t, p, nil, nil, outs)
		fastLoads = true
		for k := range fast {
			if !bytes.Equal(fast[k], slow[k]) {
				t.Fatalf("%s: output %d differs from the strided draws", name, k)
			}
		}
	}
	banded := 0
	for _, d := range randBandDraws {
		for _, sh := range [][2]int{{1, 9}, {3, 8}, {8, 3}, {9, 40}, {13, 17}, {16, 300}, {17, 601}, {24, 1030}} {
			n0, n1 := sh[0], sh[1]
			for _, rev := range []bool{false, true} {
				// the stream's array is R x C, the program's domain (n0,
				// n1): x.T reads its rows o1 ... o1+n1-1 (or backwards)
				// and columns o0 ... o0+n0-1, x rows o1 ... o1+n0-1 and
				// columns o0 ... o0+n1-1
				o0, o1 := r.IntN(5), r.IntN(5)
				R, C := max(n0, n1)+o1+r.IntN(3), max(n0, n1)+o0+r.IntN(3)
				if r.IntN(2) == 0 {
					C += 3 * r.IntN(4) // odd row lengths too
				}
				C = max(C, bandMinStride)
				spec := d.spec
				spec.Seed, spec.Stream, spec.Shape = r.Uint64(), uint64(r.IntN(3)), []int{R, C}
				tr := graph.Map{{Out: 1, Start: o1, Step: 1}, {Out: 0, Start: o0, Step: 1}}
				if rev {
					tr = graph.Map{{Out: 1, Start: o1 + n1 - 1, Step: -1}, {Out: 0, Start: o0, Step: 1}}
				}
				id := graph.Map{{Out: 0, Start: o1, Step: 1}, {Out: 1, Start: o0, Step: 1}}
				for _, axes := range [][]int{nil, {0, 1}, {0}, {1}} {
					prog := randTransposeProg(d.dt, spec)
					outs := []graph.Chunk{{DType: d.dt, Shape: []int{n0, n1}}}
					if axes != nil {
						prog.Reduce = &graph.Reduce{Kind: graph.ReduceSum, Axes: axes}
						outs = []graph.Chunk{{DType: graph.SumDType(d.dt), Shape: reducedShape([]int{n0, n1}, axes)}}
					}
					p := &graph.FusedParams{Prog: prog, Shape: []int{n0, n1}, Maps: []graph.Map{tr, id}}
					if isBanded(t, p, len(outs), 0) {
						banded++
					}
					check(fmt.Sprintf("%v %v seed=%#x %dx%d of %v rev=%v reduce %v", spec.Kind, d.dt, spec.Seed, n0, n1, spec.Shape, rev, axes), p, outs)
				}
			}
		}
	}
	if banded == 0 {
		t.Fatal("no program drew a band: the test compares strided draws with strided draws")
	}
	// 3-d: z of shape (a, c, b) drawn as z.transpose(0, 2, 1)
	for _, sh := range [][3]int{{2, 9, 300}, {3, 17, 5}, {1, 8, 1100}} {
		a, b, c := sh[0], sh[1], sh[2]
		spec := graph.RandSpec{Kind: graph.RandUniform, Seed: r.Uint64(), Shape: []int{a, c, b}}
		prog := &graph.Program{Instrs: []graph.Instr{
			{Op: graph.OpRandom, DType: graph.Float64, Map: 0, Imm: 0},
		}, Rands: []graph.RandSpec{spec}}
		p := &graph.FusedParams{Prog: prog, Shape: []int{a, b, c}, Maps: []graph.Map{
			{{Out: 0, Step: 1}, {Out: 2, Step: 1}, {Out: 1, Step: 1}}}}
		check(fmt.Sprintf("3-d %v", sh), p, []graph.Chunk{{DType: graph.Float64, Shape: []int{a, b, c}}})
	}
}

// isBanded reports whether instruction i of p (a program without loads,
// of outs results) gets a band.
func isBanded(t *testing.T, p *graph.FusedParams, outs, i int) bool {
	t.Helper()
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: p}}}
	for range outs {
		l.Dst = append(l.Dst, &device.Buffer{}) // no bytes: overlaps nothing
	}
	pl := makePlan(p, l)
	defer func() {
		for r := range pl.res {
			pl.res[r].dst = nil
		}
		planPool.Put(pl)
	}()
	modes := make([]loadMode, len(p.Prog.Instrs))
	setLoadModes(p.Prog, pl, l, modes)
	return modes[i] == loadBand
}

// Normals gain nothing from a band (a whole block an element): they stay
// strided.
func TestRandomNormalNotBanded(t *testing.T) {
	spec := graph.RandSpec{Kind: graph.RandNormal, Seed: 1, Shape: []int{64, 64}}
	tr := graph.Map{{Out: 1, Step: 1}, {Out: 0, Step: 1}}
	for _, dt := range []graph.DType{graph.Float64, graph.Float32} {
		p := &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{{Op: graph.OpRandom, DType: dt, Map: 0}},
			Rands: []graph.RandSpec{spec}}, Shape: []int{64, 64}, Maps: []graph.Map{tr}}
		if isBanded(t, p, 1, 0) {
			t.Errorf("a transposed %v normal draw got a band", dt)
		}
		spec.Kind = graph.RandUniform
		p.Prog.Rands[0] = spec
		if !isBanded(t, p, 1, 0) {
			t.Errorf("a transposed %v uniform draw got no band", dt)
		}
		spec.Kind = graph.RandNormal
	}
}

// A launch with banded draws allocates nothing once its scratch is
// pooled, as without bands.
func TestFusedRandomBandNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	const n = 64
	dev := device.NewHost()
	defer devicetest.AssertNoLeaks(t, dev)
	spec := graph.RandSpec{Kind: graph.RandUniform, Seed: 5, Shape: []int{n, n}}
	prog := randTransposeProg(graph.Float64, spec)
	prog.Reduce = &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0}}
	p := &graph.FusedParams{Prog: prog, Shape: []int{n, n}, Maps: []graph.Map{
		{{Out: 1, Step: 1}, {Out: 0, Step: 1}}, graph.Identity(2, nil)}}
	d, err := dev.Alloc(8 * n)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpFused, Params: p}, Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1, n}}}},
		Dst: []*device.Buffer{d}}
	fastAllocsNoMore(t, l, "banded draws")
}

// BenchmarkRandBand is a band of 8 rows of a transposed draw, inner 2000
// positions apart by stride 20000 (transpose_sum's medium blocks: the
// rows path of floats) or 20001 (the runs path): the strided fill of each
// row (the path without bands) against fillRandBand, in ns an element,
// next to the contiguous fill of as many elements.
func BenchmarkRandBand(b *testing.B) {
	const inner, base = 2000, 4000
	const n = bandRows * inner
	runs := make([]uint64, randRunsLen)
	for _, c := range []struct {
		name   string
		draw   int // of randBandDraws
		stride int
	}{
		{"uniform64", 0, 20000}, {"uniform64/odd", 0, 20001},
		{"uniform32", 1, 20000}, {"uniform32/odd", 1, 20001},
		{"int64", 2, 20000}, {"int32", 4, 20000},
	} {
		d := randBandDraws[c.draw]
		spec := d.spec
		spec.Seed = 1
		es := d.dt.Size()
		buf := make([]byte, randBandRows*inner*es)
		report := func(b *testing.B) {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
		}
		b.Run(c.name+"/contiguous", func(b *testing.B) {
			for b.Loop() {
				if err := randFill(&spec, d.dt, buf, base, 1, n); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
		b.Run(c.name+"/strided", func(b *testing.B) {
			for b.Loop() {
				if err := randFillRows(&spec, d.dt, buf, base, c.stride, inner, 0, bandRows); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
		b.Run(c.name+"/band", func(b *testing.B) {
			for b.Loop() {
				if _, err := fillRandBand(&spec, d.dt, buf, base, c.stride, inner, bandRows, runs); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
	}
}

// BenchmarkFusedRandomTranspose is transpose_sum's block program on a
// generated x, sum(x + x.T - m) over a 2000 x 2000 window of a
// 20000 x 20000 stream, with the transposed draw banded and strided.
func BenchmarkFusedRandomTranspose(b *testing.B) {
	const n, N = 2000, 20000
	spec := graph.RandSpec{Kind: graph.RandUniform, Seed: 1, Shape: []int{N, N}}
	prog := &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpRandom, DType: graph.Float64, Map: 0, Imm: 0},
		{Op: graph.OpRandom, DType: graph.Float64, Map: 1, Imm: 0},
		{Op: graph.OpAdd, DType: graph.Float64, A: 0, B: 1},
		{Op: graph.OpLoad, DType: graph.Float64, Src: 0, Map: 2},
		{Op: graph.OpSub, DType: graph.Float64, A: 2, B: 3},
	}, Out: 4, Reduce: &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{0, 1}}, Rands: []graph.RandSpec{spec}}
	p := &graph.FusedParams{Prog: prog, Shape: []int{n, n}, Maps: []graph.Map{
		{{Out: 0, Start: 2 * n, Step: 1}, {Out: 1, Start: 4 * n, Step: 1}},
		{{Out: 1, Start: 4 * n, Step: 1}, {Out: 0, Start: 2 * n, Step: 1}},
		{{Out: 1, Step: 1}},
	}}
	one := []graph.Chunk{{DType: graph.Float64, Shape: []int{1, 1}}}
	for _, fast := range []bool{true, false} {
		name := "band"
		if !fast {
			name = "strided"
		}
		b.Run(name, func(b *testing.B) {
			fastLoads = fast
			defer func() { fastLoads = true }()
			benchFused(b, p, [][]float64{iota64(n)}, [][]int{{n}}, one, 8*n*n)
		})
	}
}
