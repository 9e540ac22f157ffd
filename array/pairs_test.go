package array_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// pairTasks counts the tasks of xs's graph merged by graph.FusePairs.
func pairTasks(t *testing.T, xs ...*array.Array) int {
	t.Helper()
	return countTasks(t, func(task *graph.Task) bool { return strings.HasPrefix(task.Key.Layer, "pairs-") }, xs...)
}

// TestTransposePairs: reductions of expressions of x and x.T (block (i,j)
// and block (j,i) read the same two blocks, merged into one task by
// graph.FusePairs) equal a float64 reference over random square shapes,
// chunkings (uniform, so that blocks pair, or irregular) and sources
// (literal, drawn, persisted); extremes are bit for bit those of the
// graph without pairs, sums within rounding.
func TestTransposePairs(t *testing.T) {
	v := newEnv(t)
	exprs := []string{"sum(x+x.T)", "max|x-x.T|", "sum(x*x.T-mean0)", "std(x+x.T)", "mean(x.T-x)", "min(x.T*x)"}
	for c := 0; c < cases(12); c++ {
		n := 1 + v.r.IntN(24)
		shape := []int{n, n}
		var opt array.Option
		uniform := v.r.IntN(3) > 0
		if uniform {
			b := 1 + v.r.IntN(n)
			opt = array.Chunked(b, b)
		} else {
			opt = array.ExplicitChunks(v.chunks(shape))
		}
		src := []string{"literal", "random", "persisted"}[v.r.IntN(3)]
		var x *array.Array
		if src == "literal" {
			x = v.operand(shape, graph.Float64, vSmall).a.Rechunk(opt)
		} else {
			x = array.NewRandom(uint64(c)+1).Normal(1, 2, shape, graph.Float64, opt)
		}
		comp := v.compute
		if src == "persisted" {
			x, comp = v.persisted(x)
		}
		xres, err := comp([]*array.Array{x})
		if err != nil {
			t.Fatal(err)
		}
		xr := refOf(xres[0])
		xt := xr.transpose([]int{1, 0})
		e := exprs[v.r.IntN(len(exprs))]
		var axes []int
		switch v.r.IntN(3) {
		case 1:
			axes = []int{0}
		case 2:
			axes = []int{1}
		}
		var y *array.Array
		var kind string
		var yr = xr
		switch e {
		case "sum(x+x.T)":
			y, yr, kind = x.Add(x.T()), refArith("add", xr, xt), "sum"
		case "max|x-x.T|":
			y, yr, kind = x.Sub(x.T()).Abs(), refUnary("abs", refArith("sub", xr, xt)), "max"
		case "sum(x*x.T-mean0)":
			m, _ := refReduce("mean", xr, []int{0}, false, 0)
			y, yr, kind = x.Mul(x.T()).Sub(x.Mean(0)), refArith("sub", refArith("mul", xr, xt), m), "sum"
		case "std(x+x.T)":
			y, yr, kind = x.Add(x.T()), refArith("add", xr, xt), "std"
		case "mean(x.T-x)":
			y, yr, kind = x.T().Sub(x), refArith("sub", xt, xr), "mean"
		case "min(x.T*x)":
			y, yr, kind = x.T().Mul(x), refArith("mul", xt, xr), "min"
		}
		switch kind {
		case "sum":
			y = y.Sum(axes...)
		case "max":
			y = y.Max(axes...)
		case "min":
			y = y.Min(axes...)
		case "std":
			y = y.Std(axes...)
		case "mean":
			y = y.Mean(axes...)
		}
		desc := fmt.Sprintf("case %d: %s over %v of %s x %v chunks %v", c, e, axes, src, shape, x.Chunks())
		if (kind == "max" || kind == "min") && n == 0 {
			continue
		}
		want, scale := refReduce(kind, yr, axes, false, 0)
		got, err := comp([]*array.Array{y})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		unpaired, err := comp([]*array.Array{y}, array.NoPairs())
		if err != nil {
			t.Fatalf("%s: without pairs: %v", desc, err)
		}
		if kind == "max" || kind == "min" {
			exact(t, desc, got[0], want)
			sameResult(t, desc+": paired vs not", got[0], unpaired[0])
		} else {
			near(t, desc, got[0], want, scale, 64*relTol(graph.Float64, n*n))
			near(t, desc+": paired vs not", got[0], refOf(unpaired[0]), scale, 64*relTol(graph.Float64, n*n))
		}
		if nb := len(x.Chunks()[0]); uniform && nb >= 2 {
			if got, want := pairTasks(t, y), nb*(nb-1)/2; got != want {
				t.Errorf("%s: %d pair tasks, want %d (one per pair of blocks off the diagonal)", desc, got, want)
			}
		}
		if t.Failed() {
			return
		}
	}
}

// TestTransposePairsNot: no pairs where the two blocks differ (x + y.T),
// without a reduction (each block is written whole), or for an argmax.
func TestTransposePairsNot(t *testing.T) {
	x := array.NewRandom(1).Uniform(0, 1, []int{12, 12}, graph.Float64, array.Chunked(4, 4))
	y := array.NewRandom(2).Uniform(0, 1, []int{12, 12}, graph.Float64, array.Chunked(4, 4))
	if n := pairTasks(t, x.Add(x.T()).Sum()); n != 3 {
		t.Fatalf("x + x.T of 3x3 blocks: %d pair tasks, want 3", n)
	}
	for name, z := range map[string]*array.Array{
		"sum(x + y.T)":    x.Add(y.T()).Sum(),
		"x + x.T":         x.Add(x.T()),
		"argmax(x + x.T)": x.Add(x.T()).ArgMax(0),
	} {
		if n := pairTasks(t, z); n != 0 {
			t.Errorf("%s: %d pair tasks, want none", name, n)
		}
	}
}
