package array_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// refNorm is np.linalg.norm by loops, of a 1-d or 2-d x over all of it.
func refNorm(x mx, vec bool, ord string) float64 {
	abs := func(i, j int) float64 { return math.Abs(x.at(i, j)) }
	if vec {
		var s float64
		switch ord {
		case "None", "2":
			for _, a := range x.v {
				s += a * a
			}
			return math.Sqrt(s)
		case "inf", "-inf":
			s = math.Abs(x.v[0])
			for _, a := range x.v {
				if ord == "inf" {
					s = math.Max(s, math.Abs(a))
				} else {
					s = math.Min(s, math.Abs(a))
				}
			}
			return s
		case "0":
			for _, a := range x.v {
				if a != 0 {
					s++
				}
			}
			return s
		case "1":
			for _, a := range x.v {
				s += math.Abs(a)
			}
			return s
		case "3":
			for _, a := range x.v {
				s += math.Pow(math.Abs(a), 3)
			}
			return math.Pow(s, 1.0/3)
		}
		panic(ord)
	}
	colSums := make([]float64, x.c)
	rowSums := make([]float64, x.r)
	var fro float64
	for i := 0; i < x.r; i++ {
		for j := 0; j < x.c; j++ {
			colSums[j] += abs(i, j)
			rowSums[i] += abs(i, j)
			fro += x.at(i, j) * x.at(i, j)
		}
	}
	sv := refSingular(x)
	switch ord {
	case "None", "fro":
		return math.Sqrt(fro)
	case "1":
		return slices.Max(colSums)
	case "-1":
		return slices.Min(colSums)
	case "inf":
		return slices.Max(rowSums)
	case "-inf":
		return slices.Min(rowSums)
	case "2":
		return sv[0]
	case "-2":
		return sv[len(sv)-1]
	case "nuc":
		var s float64
		for _, v := range sv {
			s += v
		}
		return s
	}
	panic(ord)
}

func TestNorm(t *testing.T) {
	v := newEnv(t)
	ords := map[string]array.NormOrd{"None": {}, "2": array.Ord(2), "1": array.Ord(1), "inf": array.Ord(math.Inf(1)),
		"-inf": array.Ord(math.Inf(-1)), "0": array.Ord(0), "3": array.Ord(3), "fro": array.OrdFro, "nuc": array.OrdNuc,
		"-1": array.Ord(-1), "-2": array.Ord(-2)}
	vecOrds := []string{"None", "2", "1", "inf", "-inf", "0", "3"}
	matOrds := []string{"None", "fro", "1", "-1", "inf", "-inf", "2", "-2", "nuc"}
	for c := 0; c < cases(4); c++ {
		m, n := 1+v.r.IntN(9), 1+v.r.IntN(9)
		dt := v.dtype(graph.Float64, graph.Float32, graph.Int64)
		a := v.normal(dt, m, n)
		if v.r.IntN(4) == 0 && !dt.IsInt() {
			a.setF(0, 0) // a zero for ord 0
		}
		ch := v.randChunks([]int{m, n})
		x := arr(a, ch)
		am := refMx(a)
		tol := 1e-12
		if dt == graph.Float32 {
			tol = 1e-5
		}
		// matrix norms over (0, 1) or (1, 0) (rows and columns swapped),
		// keepdims or not
		ord := matOrds[v.r.IntN(len(matOrds))]
		keep := v.r.IntN(2) == 0
		var axes []int
		switch v.r.IntN(3) {
		case 1:
			axes = []int{0, -1}
		case 2:
			axes = []int{1, 0}
			am = am.t()
		}
		desc := fmt.Sprintf("case %d: norm(%v %dx%d chunks %v, ord %s, axes %v, keepdims %v)", c, dt, m, n, ch, ord, axes, keep)
		got := v.one(desc, x.NormWith(ords[ord], array.ReduceOpts{Axes: axes, KeepDims: keep}))
		wantShape := []int{}
		if keep {
			wantShape = []int{1, 1}
		}
		wantDT := graph.Float64
		if dt == graph.Float32 {
			wantDT = graph.Float32
		}
		if !slices.Equal(got.Shape, wantShape) || got.DType != wantDT {
			t.Fatalf("%s: got %v%v, want %v%v", desc, got.DType, got.Shape, wantDT, wantShape)
		}
		w := refNorm(am, false, ord)
		if g := got.Float64s()[0]; math.Abs(g-w) > tol*math.Max(1, math.Abs(w))*float64(m+n) {
			t.Errorf("%s: %v, want %v", desc, g, w)
		}
		am = refMx(a)
		// vector norms along one axis (negative sometimes)
		vord := vecOrds[v.r.IntN(len(vecOrds))]
		ax := v.r.IntN(2)
		axArg := ax
		if v.r.IntN(2) == 0 {
			axArg -= 2
		}
		desc = fmt.Sprintf("case %d: norm(%v %dx%d chunks %v, ord %s, axis %d)", c, dt, m, n, ch, vord, axArg)
		got = v.one(desc, x.Norm(ords[vord], axArg))
		lanes := n
		if ax == 1 {
			lanes = m
		}
		if !slices.Equal(got.Shape, []int{lanes}) {
			t.Fatalf("%s: shape %v, want [%d]", desc, got.Shape, lanes)
		}
		for l := 0; l < lanes; l++ {
			var lane mx
			if ax == 0 {
				lane = mx{m, 1, nil}
				for i := 0; i < m; i++ {
					lane.v = append(lane.v, am.at(i, l))
				}
			} else {
				lane = mx{n, 1, am.v[l*n : (l+1)*n]}
			}
			w := refNorm(lane, true, vord)
			if g := got.Float64s()[l]; math.Abs(g-w) > tol*math.Max(1, math.Abs(w))*float64(m+n) {
				t.Errorf("%s: lane %d: %v, want %v", desc, l, g, w)
			}
		}
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{2, 3, 4}, graph.Float64)
	wantErr(t, "3-d with ord", x.Norm(array.Ord(1)).Err(), "norm", "dimensions")
	wantErr(t, "fro of a vector", x.Norm(array.OrdFro, 1).Err(), "norm", "fro", "vectors")
	wantErr(t, "ord 3 of a matrix", x.Norm(array.Ord(3), 0, 1).Err(), "norm", "matrices")
	wantErr(t, "nuc over 3-d", x.Norm(array.OrdNuc, 0, 1).Err(), "norm", "2-d")
	got := v.one("norm of 3-d, ord None", x.Norm(array.NormOrd{}))
	if g := got.Float64s()[0]; math.Abs(g-math.Sqrt(24)) > 1e-15 {
		t.Errorf("norm of ones(2,3,4) = %v, want sqrt(24)", g)
	}
}

// TestMatrixRank: full, deficient and zero matrices, and vectors.
func TestMatrixRank(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(2); c++ {
		m, n := 1+v.r.IntN(12), 1+v.r.IntN(6)
		r := v.r.IntN(min(m, n) + 1)
		// a rank-r product of (m, r) and (r, n)
		a := refMx(v.normal(graph.Float64, m, max(r, 1))).mul(refMx(v.normal(graph.Float64, max(r, 1), n)))
		if r == 0 {
			clear(a.v)
		}
		ch := v.randChunks([]int{m, n})
		desc := fmt.Sprintf("case %d: matrix_rank of a rank-%d %dx%d, chunks %v", c, r, m, n, ch)
		got := v.one(desc, array.MatrixRank(mxArr(a, ch)))
		if g := got.Int64s(); len(got.Shape) != 0 || g[0] != int64(r) {
			t.Errorf("%s: %v%v, want %d", desc, got.Shape, g, r)
		}
	}
	got := v.one("vector", array.MatrixRank(array.Zeros([]int{4}, graph.Float64)))
	if got.Int64s()[0] != 0 {
		t.Errorf("rank of a zero vector: %v", got.Int64s())
	}
	if got := v.one("0-d", array.MatrixRank(array.Float(3))); got.Int64s()[0] != 1 {
		t.Errorf("rank of a non-zero scalar: %v", got.Int64s())
	}
	// a float32 rank-1 product: its rounding leaves singular values near
	// 1e-8 that float32's eps (NumPy's tolerance for float32) ignores
	d := make([]float32, 36)
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			d[i*6+j] = float32(0.1*float64(i+1)) * float32(0.3*float64(j+1)) / 7
		}
	}
	f32 := array.FromSlice(d, []int{6, 6}, array.Chunked(4, 3))
	if got := v.one("float32 rank 1", array.MatrixRank(f32)); got.Int64s()[0] != 1 {
		t.Errorf("rank of a float32 rank-1 product: %v, want 1", got.Int64s())
	}
	if _, _, rank, _ := array.Lstsq(f32, array.Ones([]int{6}, graph.Float32)); v.one("lstsq rank", rank).Int64s()[0] != 1 {
		t.Errorf("lstsq rank of a float32 rank-1 product, want 1")
	}
}
