package cpu

import (
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// TestFoldMomentsAndExtremes folds random rows into Moments, Max and Min
// partials, outer (one partial per column, columns with uneven counts
// included: a row can span columns that earlier rows covered unevenly)
// and inner (one partial per row), and checks them against two-pass
// float64 references computed by plain loops over the same values.
func TestFoldMomentsAndExtremes(t *testing.T) {
	r := seededRand(t, 7)
	dev := device.NewHost()
	alloc := func(n int) *device.Buffer {
		b, err := dev.Alloc(int64(8 * n))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for trial := 0; trial < 50; trial++ {
		cols := 1 + r.IntN(90)
		rows := 1 + r.IntN(40)
		shift := r.NormFloat64() * 1e3
		val := func() float64 {
			v := shift + r.NormFloat64()*math.Exp2(float64(r.IntN(20)-10))
			if r.IntN(500) == 0 {
				return math.NaN()
			}
			return v
		}
		mom := []*device.Buffer{alloc(cols), alloc(cols), alloc(cols)}
		mx, mn := []*device.Buffer{alloc(cols)}, []*device.Buffer{alloc(cols)}
		initPartials(graph.ReduceMoments, graph.Float64, mom)
		initPartials(graph.ReduceMax, graph.Float64, mx)
		initPartials(graph.ReduceMin, graph.Float64, mn)
		seen := make([][]float64, cols)
		for k := 0; k < rows; k++ {
			// a random run of columns: counts end up uneven
			lo := r.IntN(cols)
			hi := lo + 1 + r.IntN(cols-lo)
			x := make([]float64, hi-lo)
			for i := range x {
				x[i] = val()
				seen[lo+i] = append(seen[lo+i], x[i])
			}
			b := device.AsBytes(x)
			tmp := make([]byte, len(b))
			reduceTile(graph.ReduceMoments, graph.Float64, mom, lo, false, b, tmp, len(x), 0, 0)
			reduceTile(graph.ReduceMax, graph.Float64, mx, lo, false, b, tmp, len(x), 0, 0)
			reduceTile(graph.ReduceMin, graph.Float64, mn, lo, false, b, tmp, len(x), 0, 0)
		}
		cnt, mean, m2 := device.View[float64](mom[0]), device.View[float64](mom[1]), device.View[float64](mom[2])
		for c, vs := range seen {
			checkMoments(t, "outer", c, vs, cnt[c], mean[c], m2[c])
			checkExtreme(t, "outer max", c, vs, device.View[float64](mx[0])[c], true)
			checkExtreme(t, "outer min", c, vs, device.View[float64](mn[0])[c], false)
		}
		// inner: one partial, rows of any length folded in
		im := []*device.Buffer{alloc(1), alloc(1), alloc(1)}
		imx := []*device.Buffer{alloc(1)}
		initPartials(graph.ReduceMoments, graph.Float64, im)
		initPartials(graph.ReduceMax, graph.Float64, imx)
		var all []float64
		for k := 0; k < 1+r.IntN(5); k++ {
			x := make([]float64, r.IntN(300))
			for i := range x {
				x[i] = val()
			}
			all = append(all, x...)
			b := device.AsBytes(x)
			tmp := make([]byte, len(b))
			if len(x) == 0 {
				continue
			}
			reduceTile(graph.ReduceMoments, graph.Float64, im, 0, true, b, tmp, len(x), 0, 0)
			reduceTile(graph.ReduceMax, graph.Float64, imx, 0, true, b, tmp, len(x), 0, 0)
		}
		checkMoments(t, "inner", 0, all, device.View[float64](im[0])[0], device.View[float64](im[1])[0], device.View[float64](im[2])[0])
		if len(all) > 0 {
			checkExtreme(t, "inner max", 0, all, device.View[float64](imx[0])[0], true)
		}
	}
}

func checkMoments(t *testing.T, what string, c int, vs []float64, n, mean, m2 float64) {
	t.Helper()
	if n != float64(len(vs)) {
		t.Fatalf("%s column %d: count %v, want %d", what, c, n, len(vs))
	}
	if len(vs) == 0 {
		return
	}
	var s float64
	nan := false
	for _, v := range vs {
		s += v
		nan = nan || v != v
	}
	if nan {
		if mean == mean {
			t.Fatalf("%s column %d: mean %v, want NaN", what, c, mean)
		}
		return
	}
	mu := s / float64(len(vs))
	var q, mag float64
	for _, v := range vs {
		q += (v - mu) * (v - mu)
		mag = max(mag, math.Abs(v))
	}
	if math.Abs(mean-mu) > 1e-12*mag {
		t.Fatalf("%s column %d: mean %v, want %v", what, c, mean, mu)
	}
	if math.Abs(m2-q) > 1e-9*q+1e-12*mag*mag*float64(len(vs)) {
		t.Fatalf("%s column %d: M2 %v, want %v", what, c, m2, q)
	}
}

func checkExtreme(t *testing.T, what string, c int, vs []float64, got float64, isMax bool) {
	t.Helper()
	if len(vs) == 0 {
		return
	}
	want := vs[0]
	for _, v := range vs {
		if want != want {
			break
		}
		if v != v || (isMax && v > want) || (!isMax && v < want) {
			want = v
		}
	}
	if math.Float64bits(got) != math.Float64bits(want) && !(got != got && want != want) {
		t.Fatalf("%s column %d: %v, want %v", what, c, got, want)
	}
}

// TestFoldVectorBitIdentical: the vector paths of the Moments, Max and Min
// folds give the scalar loops' bits, rows of every length up to 70 at
// every offset, uneven counts included.
func TestFoldVectorBitIdentical(t *testing.T) {
	r := seededRand(t, 8)
	dev := device.NewHost()
	const cols = 90
	rows := make([][]float64, 40)
	offs := make([]int, len(rows))
	for k := range rows {
		offs[k] = r.IntN(20)
		if r.IntN(4) == 0 {
			offs[k] = 0
		}
		rows[k] = make([]float64, r.IntN(71))
		for i := range rows[k] {
			rows[k][i] = r.NormFloat64() * 100
			if r.IntN(300) == 0 {
				rows[k][i] = math.NaN()
			}
		}
	}
	run := func(level int) [][]float64 {
		binLevel(level)
		defer binLevel(2)
		var out [][]float64
		for _, kind := range []graph.ReduceKind{graph.ReduceMoments, graph.ReduceMax, graph.ReduceMin} {
			for _, inner := range []bool{false, true} {
				np := 1
				if kind == graph.ReduceMoments {
					np = 3
				}
				bufs := make([]*device.Buffer, np)
				for i := range bufs {
					b, err := dev.Alloc(8 * cols)
					if err != nil {
						t.Fatal(err)
					}
					bufs[i] = b
				}
				initPartials(kind, graph.Float64, bufs)
				for k, x := range rows {
					if len(x) == 0 {
						continue
					}
					b := device.AsBytes(x)
					off := offs[k]
					if inner {
						off = k % 3
					}
					reduceTile(kind, graph.Float64, bufs, off, inner, b, make([]byte, len(b)), len(x), 0, 0)
				}
				for _, b := range bufs {
					out = append(out, append([]float64(nil), device.View[float64](b)...))
				}
			}
		}
		return out
	}
	want := run(0)
	for level := 1; level <= 2; level++ {
		got := run(level)
		for i := range want {
			for j := range want[i] {
				if math.Float64bits(want[i][j]) != math.Float64bits(got[i][j]) {
					t.Fatalf("level %d partial %d element %d: vector %v, scalar %v", level, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
}

// binLevel sets the vector levels binaryFloat and binaryConstFloat use: 0
// scalar, 1 AVX2, 2 AVX-512 (where the CPU has them).
func binLevel(l int) {
	binaryVecOn = l >= 1 && cpuHasAVX2()
	vec512On = l >= 2 && cpuHasAVX512F()
}

// TestMomentsRowsBitIdentical: momentsRows over up to foldBatch rows
// gives the bits of moments called row by row, on every vector level,
// with columns whose counts are not in step with the first (the
// division path) and NaNs.
func TestMomentsRowsBitIdentical(t *testing.T) {
	r := seededRand(t, 3)
	dev := device.NewHost()
	defer binLevel(2)
	for trial := 0; trial < 300; trial++ {
		n := r.IntN(150) // up to 18 blocks of 8: the 4-block path, then single blocks
		nrows := 1 + r.IntN(foldBatch)
		odd := []int{0, 10, 60}[r.IntN(3)] // 1 in odd columns out of step (0: none)
		off := r.IntN(5)
		rows := make([][]float64, nrows)
		for k := range rows {
			rows[k] = make([]float64, n)
			for i := range rows[k] {
				rows[k][i] = r.NormFloat64()*100 + 1e3
				if r.IntN(500) == 0 {
					rows[k][i] = math.NaN()
				}
			}
		}
		init := make([][]float64, 3)
		for p := range init {
			init[p] = make([]float64, off+n)
		}
		c0 := float64(r.IntN(4))
		for i := range init[0] {
			init[0][i] = c0
			if odd > 0 && r.IntN(odd) == 0 && i != off {
				init[0][i] = c0 + 1 + float64(r.IntN(3))
			}
			if init[0][i] > 0 {
				init[1][i], init[2][i] = r.NormFloat64(), r.Float64()*10
			}
		}
		bufs := func() []*device.Buffer {
			out := make([]*device.Buffer, 3)
			for p := range out {
				b, err := dev.Alloc(int64(8 * len(init[p])))
				if err != nil {
					t.Fatal(err)
				}
				copy(device.View[float64](b), init[p])
				out[p] = b
			}
			return out
		}
		binLevel(0)
		want := bufs()
		for _, x := range rows {
			moments(want, off, false, x)
		}
		for level := 0; level <= 2; level++ {
			binLevel(level)
			got := bufs()
			momentsRows(got, off, rows)
			for p := range got {
				w, g := device.View[float64](want[p]), device.View[float64](got[p])
				for i := range w {
					if math.Float64bits(w[i]) != math.Float64bits(g[i]) && !(w[i] != w[i] && g[i] != g[i]) {
						t.Fatalf("trial %d level %d rows %d n %d: partial %d column %d: %v, row by row %v", trial, level, nrows, n, p, i, g[i], w[i])
					}
				}
			}
		}
	}
}
