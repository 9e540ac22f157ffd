package array_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
)

// TestReduceOfTake: a reduction over axes a Take leaves alone is lowered
// as the reduction of the taken-from array followed by the take; it must
// give exactly what the same reduction gives on the taken values loaded
// as a plain array with the same chunks (no take behind it), for every
// kind, with and without keepdims, and with the take axis reduced too
// (no rewrite there).
func TestReduceOfTake(t *testing.T) {
	v := newEnv(t)
	kinds := []struct {
		name string
		f    func(x *array.Array, o array.ReduceOpts) *array.Array
	}{
		{"sum", (*array.Array).SumWith},
		{"prod", (*array.Array).ProdWith},
		{"mean", (*array.Array).MeanWith},
		{"max", (*array.Array).MaxWith},
		{"min", (*array.Array).MinWith},
		{"std", (*array.Array).StdWith},
		{"var", func(x *array.Array, o array.ReduceOpts) *array.Array { o.Ddof = 1; return x.VarWith(o) }},
		{"any", (*array.Array).AnyWith},
		{"argmax", func(x *array.Array, o array.ReduceOpts) *array.Array { return x.ArgWith("argmax", o) }},
	}
	for c := 0; c < cases(40); c++ {
		shape := v.shape(2, 4)
		ax := v.r.IntN(len(shape))
		if shape[ax] == 0 {
			shape[ax] = 1 + v.r.IntN(5)
		}
		for a := range shape {
			if shape[a] == 0 {
				shape[a] = 1 + v.r.IntN(4) // min/max/arg need values
			}
		}
		x := v.operand(shape, v.dtype(), vSpecial)
		idx, _ := v.randIdx(shape[ax], 1+v.r.IntN(2*shape[ax]))
		z := x.a.Take(idx, ax)
		zv := v.one("take", z)
		plain := arr(refOf(zv), z.Chunks())
		k := kinds[v.r.IntN(len(kinds))]
		// reduce one other axis, or two, or the take axis with another
		var axes []int
		for a := range shape {
			if a != ax && v.r.IntN(2) == 0 {
				axes = append(axes, a)
			}
		}
		if len(axes) == 0 {
			axes = []int{(ax + 1) % len(shape)}
		}
		if v.r.IntN(5) == 0 {
			axes = append(axes, ax)
		}
		if k.name == "argmax" {
			axes = axes[:1]
		}
		o := array.ReduceOpts{Axes: axes, KeepDims: v.r.IntN(2) == 0}
		desc := fmt.Sprintf("case %d: %s(take(%v, %v, axis %d), %+v)", c, k.name, x, idx, ax, o)
		want := refOf(v.one(desc+" on the plain array", k.f(plain, o)))
		got := v.one(desc, k.f(z, o))
		// the partials' loops may run the reduced axes in another order
		// (a trailing axis of length 1 merges away): sums and moments
		// agree to rounding, comparisons exactly
		n := 1
		for _, a := range axes {
			n *= shape[a]
		}
		switch k.name {
		case "sum", "mean":
			scale := refOf(v.one(desc+" scale", k.f(plain.Abs(), o))).f
			near(t, desc, got, want, scale, relTol(want.dt, n))
		case "prod", "std", "var":
			scale := make([]float64, want.n())
			for i := range scale {
				if isF(want.dt) {
					scale[i] = max(1, math.Abs(want.f[i]))
				}
			}
			near(t, desc, got, want, scale, 10*relTol(want.dt, n))
		default:
			exact(t, desc, got, want)
		}
		if t.Failed() {
			return
		}
	}
}
