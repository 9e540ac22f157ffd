package array_test

import (
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// siblingTasks counts the tasks that compute several results (merged by
// graph.FuseSiblings) and the pick tasks that hand them on.
func siblingTasks(t *testing.T, xs ...*array.Array) (multi, picks int) {
	t.Helper()
	g, _, err := array.Graph(xs)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range g.Tasks {
		if p, ok := task.Op.Params.(*graph.FusedParams); ok && len(p.Prog.More) > 0 {
			multi++
		}
		if task.Op.Name == graph.OpPick {
			picks++
		}
	}
	return multi, picks
}

// TestSiblingReductions: several reductions of one array computed
// together (one pass per block over the array, or one draw of a random
// one) equal a float64 reference, and are bit for bit what each computes
// alone and what the unfused graph computes; reductions over the same
// pattern of axes of a many-block array are merged.
func TestSiblingReductions(t *testing.T) {
	v := newEnv(t)
	kinds := []string{"sum", "mean", "std", "var", "max", "min"}
	for c := 0; c < cases(40); c++ {
		shape := v.shape(1, 3)
		ch := v.chunks(shape)
		var x *array.Array
		src := []string{"literal", "random", "persisted"}[v.r.IntN(3)]
		switch src {
		case "literal":
			x = v.operand(shape, graph.Float64, vSmall).a.Rechunk(array.ExplicitChunks(ch))
		default:
			x = array.NewRandom(uint64(c)+1).Normal(1, 2, shape, graph.Float64, array.ExplicitChunks(ch))
		}
		// a persisted array lives on an executor of its own (v.persisted)
		comp := v.compute
		if src == "persisted" {
			x, comp = v.persisted(x)
		}
		one := func(y *array.Array) *array.NDArray {
			r, err := comp([]*array.Array{y})
			if err != nil {
				t.Fatal(err)
			}
			return r[0]
		}
		xr := refOf(one(x))
		type red struct {
			kind string
			axes []int
		}
		var reds []red
		var xs []*array.Array
		for range 2 + v.r.IntN(5) {
			k := kinds[v.r.IntN(len(kinds))]
			if size(shape) == 0 && (k == "max" || k == "min") {
				k = "sum" // no identity: an error on an empty array, as NumPy
			}
			var axes []int
			for a := range shape {
				if v.r.IntN(2) == 0 {
					axes = append(axes, a)
				}
			}
			if len(axes) == 0 && v.r.IntN(2) == 0 {
				axes = nil // all axes
			}
			var y *array.Array
			switch k {
			case "sum":
				y = x.Sum(axes...)
			case "mean":
				y = x.Mean(axes...)
			case "std":
				y = x.Std(axes...)
			case "var":
				y = x.Var(axes...)
			case "max":
				y = x.Max(axes...)
			case "min":
				y = x.Min(axes...)
			}
			reds = append(reds, red{k, axes})
			xs = append(xs, y)
		}
		desc := fmt.Sprintf("case %d (%s x %v chunks %v)", c, src, shape, [][]int(ch))
		all, err := comp(xs)
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		unfused, err := comp(xs, array.NoFuse())
		if err != nil {
			t.Fatalf("%s: unfused: %v", desc, err)
		}
		for i, y := range xs {
			d := fmt.Sprintf("%s: %s over %v", desc, reds[i].kind, reds[i].axes)
			want, scale := refReduce(reds[i].kind, xr, reds[i].axes, false, 0)
			n := xr.n()
			if reds[i].kind == "max" || reds[i].kind == "min" {
				exact(t, d, all[i], want)
			} else {
				near(t, d, all[i], want, scale, 16*relTol(graph.Float64, n))
			}
			if src != "random" {
				// a random array read by several reductions may be
				// materialised (array/inline.go), and a block loaded
				// from memory is summed in another grouping than one
				// drawn in place: within the tolerance above, not the
				// same bits
				sameResult(t, d+" together vs alone", all[i], one(y))
			}
			sameResult(t, d+" together vs unfused", all[i], unfused[i])
		}
		if t.Failed() {
			return
		}
	}
}

// TestSiblingMerge: the six reductions of the benchmark's reductions
// workload over a random array run as one task per block (each drawing
// the block once) with a pick per result; a reduction over all axes has
// another iteration (its axes merge) and joins only its own kind of
// sibling; reductions of two different arrays are not merged.
func TestSiblingMerge(t *testing.T) {
	v := newEnv(t)
	x := array.NewRandom(9).Uniform(0, 1, []int{40, 30}, graph.Float64, array.Chunked(10, 10))
	blocks := x.NumBlocks()
	six := []*array.Array{x.Mean(0), x.Std(0), x.Max(0), x.Mean(1), x.Std(1), x.Max(1)}
	if multi, picks := siblingTasks(t, six...); multi != blocks || picks != 6*blocks {
		t.Errorf("six reductions of %d blocks: %d merged tasks and %d picks, want %d and %d", blocks, multi, picks, blocks, 6*blocks)
	}
	if n := randomTasks(t, six...); n != blocks {
		t.Errorf("six reductions: %d tasks draw random numbers, want %d (one per block)", n, blocks)
	}
	mixed := []*array.Array{x.Mean(0), x.Sum(), x.Max(1), x.Std()}
	if multi, picks := siblingTasks(t, mixed...); multi != 2*blocks || picks != 4*blocks {
		t.Errorf("two axis patterns: %d merged tasks and %d picks, want %d and %d", multi, picks, 2*blocks, 4*blocks)
	}
	y := array.NewRandom(10).Uniform(0, 1, []int{40, 30}, graph.Float64, array.Chunked(10, 10))
	if multi, picks := siblingTasks(t, x.Sum(0), y.Sum(0)); multi != 0 || picks != 0 {
		t.Errorf("reductions of two arrays: %d merged tasks and %d picks, want none", multi, picks)
	}
	if multi, _ := siblingTasks(t, x.ArgMax(0), x.Max(0)); multi != 0 {
		t.Errorf("an argmax was merged (%d tasks)", multi)
	}
	res, err := v.compute(six)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := v.compute(six, array.NoFuse())
	if err != nil {
		t.Fatal(err)
	}
	for i := range six {
		sameResult(t, fmt.Sprintf("reduction %d", i), res[i], ref[i])
	}
}
