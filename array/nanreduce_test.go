package array_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

func nanReduceArray(kind string, x *array.Array, o array.ReduceOpts) *array.Array {
	switch kind {
	case "nansum":
		return x.NanSumWith(o)
	case "nanprod":
		return x.NanProdWith(o)
	case "nanmean":
		return x.NanMeanWith(o)
	case "nanvar":
		return x.NanVarWith(o)
	case "nanstd":
		return x.NanStdWith(o)
	case "nanmin":
		return x.NanMinWith(o)
	case "nanmax":
		return x.NanMaxWith(o)
	case "nanargmin":
		return x.NanArgWith("argmin", o)
	case "nanargmax":
		return x.NanArgWith("argmax", o)
	}
	panic(kind)
}

// refNanReduce is NumPy's nan reduction of kind over axes of a float r:
// NaNs dropped from each group, all-NaN groups NaN (min, max, mean, var,
// std) or an error (argmin, argmax: allNaN is set). Integers and bool are
// the plain reduction (refReduce). It also returns the rounding scale per
// output element, as refReduce.
func refNanReduce(kind string, r *ref, axes []int, keepdims bool, ddof int) (out *ref, scale []float64, allNaN bool) {
	plain := strings.TrimPrefix(kind, "nan")
	if !isF(r.dt) {
		o, s := refReduce(plain, r, axes, keepdims, ddof)
		return o, s, false
	}
	// refReduce gives the output's shape and dtype; each group (one per
	// output element) is then refilled by hand without its NaNs
	o, _ := refReduce(plain, r, axes, keepdims, ddof)
	groups := refGroups(r, axes)
	scale = make([]float64, len(groups))
	for g, ks := range groups {
		var vals []float64 // the non-NaN values in C order
		for _, k := range ks {
			if f := r.f[k]; f == f {
				vals = append(vals, f)
			}
		}
		n := float64(len(vals))
		switch plain {
		case "sum", "mean":
			s, a := 0.0, 0.0
			for _, f := range vals {
				s += f
				a += math.Abs(f)
			}
			if plain == "mean" {
				s, a = s/n, a/math.Max(n, 1)
			}
			o.setF(g, s)
			scale[g] = a
		case "prod":
			p := 1.0
			for _, f := range vals {
				p *= f
			}
			o.setF(g, p)
			scale[g] = math.Abs(p)
		case "var", "std":
			m := 0.0
			for _, f := range vals {
				m += f
			}
			m /= n
			m2, sq := 0.0, 0.0
			for _, f := range vals {
				m2 += (f - m) * (f - m)
				sq += f * f
			}
			v := math.NaN()
			if dof := n - float64(ddof); dof > 0 {
				v = m2 / dof
				scale[g] = sq / dof
			}
			if plain == "std" {
				v, scale[g] = math.Sqrt(v), math.Sqrt(scale[g])
			}
			o.setF(g, v)
		case "min", "max", "argmin", "argmax":
			if len(vals) == 0 {
				if plain == "argmin" || plain == "argmax" {
					allNaN = true
				} else {
					o.setF(g, math.NaN())
				}
				continue
			}
			// NumPy replaces NaN by +Inf (min) or -Inf (max) and takes
			// the first best
			isMax := plain == "max" || plain == "argmax"
			fill := math.Inf(1)
			if isMax {
				fill = math.Inf(-1)
			}
			at, best := 0, 0.0
			for p, k := range ks {
				f := r.f[k]
				if f != f {
					f = fill
				}
				if p == 0 || (isMax && f > best) || (!isMax && f < best) {
					at, best = p, f
				}
			}
			if plain == "argmin" || plain == "argmax" {
				o.i[g] = int64(at)
			} else {
				o.setF(g, best)
			}
		}
	}
	return o, scale, allNaN
}

// refGroups lists, per output element of a reduction over axes (all when
// nil), the flat indices of r it reduces, in C order.
func refGroups(r *ref, axes []int) [][]int {
	nd := len(r.shape)
	red := make([]bool, nd)
	for _, a := range axes {
		red[a] = true
	}
	if axes == nil {
		for a := range red {
			red[a] = true
		}
	}
	gshape := make([]int, nd)
	for a, n := range r.shape {
		gshape[a] = n
		if red[a] {
			gshape[a] = 1
		}
	}
	groups := make([][]int, size(gshape))
	gst := strides(gshape)
	idx := make([]int, nd)
	for k := 0; k < r.n(); k++ {
		unravel(k, r.shape, idx)
		g := 0
		for a := range idx {
			if !red[a] {
				g += idx[a] * gst[a]
			}
		}
		groups[g] = append(groups[g], k)
	}
	return groups
}

// nanValues draws values of dt with a random share of NaNs (none, some,
// most), so all-NaN slices are common.
func (v *env) nanValues(shape []int, dt graph.DType, kind valueKind) *ref {
	r := v.values(shape, dt, kind)
	if !isF(dt) {
		return r
	}
	p := []float64{0, 0.3, 0.85}[v.r.IntN(3)]
	for k := range r.f {
		if v.r.Float64() < p {
			r.f[k] = math.NaN()
		}
	}
	return r
}

func TestNanReductions(t *testing.T) {
	v := newEnv(t)
	kinds := []string{"nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmin", "nanmax", "nanargmin", "nanargmax"}
	for c := 0; c < cases(60); c++ {
		kind := kinds[v.r.IntN(len(kinds))]
		dt := v.dtype(graph.Float32, graph.Float64, graph.Float64, graph.Int32, graph.Int64, graph.Bool)
		sh := v.shape(0, 4)
		given, axes := v.randAxes(len(sh))
		isArg := kind == "nanargmin" || kind == "nanargmax"
		if isArg && len(axes) > 1 {
			given, axes = given[:1], []int{(given[0] + len(sh)) % len(sh)}
		}
		if (isArg || kind == "nanmin" || kind == "nanmax") && reducedCount(sh, axes) == 0 {
			continue // no identity: TestNanReduceErrors
		}
		vk := vSpecial
		if kind == "nanprod" {
			vk = vNear1
		} else if v.r.IntN(2) == 0 {
			vk = vSmall
		}
		r := v.nanValues(sh, dt, vk)
		ch := v.chunks(sh)
		o := array.ReduceOpts{Axes: given, KeepDims: v.r.IntN(3) == 0}
		if v.r.IntN(3) == 0 {
			o.SplitEvery = 2 + v.r.IntN(3)
		}
		if kind == "nanvar" || kind == "nanstd" {
			o.Ddof = v.r.IntN(3)
		}
		desc := fmt.Sprintf("case %d: %s(%v%v chunks %v, axes=%v, keepdims=%v, split=%d, ddof=%d)", c, kind, dt, sh, ch, given, o.KeepDims, o.SplitEvery, o.Ddof)
		if r.n() <= 16 {
			desc += fmt.Sprintf(" values %v", r.vals())
		}
		want, scale, allNaN := refNanReduce(kind, r, axes, o.KeepDims, o.Ddof)
		z := nanReduceArray(kind, arr(r, ch), o)
		if err := z.Err(); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		res, err := v.compute([]*array.Array{z})
		if allNaN {
			wantErr(t, desc, err, "All-NaN slice encountered", kind)
			continue
		}
		if err != nil {
			t.Fatalf("%s: compute: %v", desc, err)
		}
		n := reducedCount(sh, axes)
		tol := relTol(dt, n)
		if kind == "nanvar" || kind == "nanstd" {
			tol *= 8
		}
		if !isF(dt) && (kind == "nanvar" || kind == "nanstd") {
			if n-o.Ddof <= 0 {
				continue // the plain Var's M2/0 (TestReductions pins it)
			}
		}
		near(t, desc, res[0], want, scale, tol)
		if t.Failed() {
			return
		}
	}
}

// TestNanReducePinned pins NumPy's answers on small cases.
func TestNanReducePinned(t *testing.T) {
	v := newEnv(t)
	nan, inf := math.NaN(), math.Inf(1)
	x := array.FromSlice([]float64{nan, 2, nan, 4, nan, nan, 1, 3, nan}, []int{3, 3}, array.Chunked(2, 2))
	y := array.FromSlice([]float32{float32(nan), float32(inf), 1, float32(-inf)}, []int{4}, array.Chunked(1))
	for _, tc := range []struct {
		name string
		z    *array.Array
		want []float64
		dt   graph.DType
	}{
		{"nansum", x.NanSum(), []float64{10}, graph.Float64},
		{"nansum(1)", x.NanSum(1), []float64{2, 4, 4}, graph.Float64},
		{"nanprod(0)", x.NanProd(0), []float64{4, 6, 1}, graph.Float64},
		{"nanmin(0)", x.NanMin(0), []float64{1, 2, nan}, graph.Float64},
		{"nanmax(1)", x.NanMax(1), []float64{2, 4, 3}, graph.Float64},
		{"nanmean(1)", x.NanMean(1), []float64{2, 4, 2}, graph.Float64},
		{"nanmean(0)", x.NanMean(0), []float64{2.5, 2.5, nan}, graph.Float64},
		{"nanvar(0)", x.NanVar(0), []float64{2.25, 0.25, nan}, graph.Float64},
		{"nanvar(0) ddof 1", x.NanVarWith(array.ReduceOpts{Axes: []int{0}, Ddof: 1}), []float64{4.5, 0.5, nan}, graph.Float64},
		{"nanstd(1)", x.NanStd(1), []float64{0, 0, 1}, graph.Float64},
		{"nanargmax", x.NanArgMax(), []float64{3}, graph.Int64},
		{"nanargmin(1)", x.NanArgMin(1), []float64{1, 0, 0}, graph.Int64},
		{"nanmin f32", y.NanMin(), []float64{-inf}, graph.Float32},
		{"nanargmin f32", y.NanArgMin(), []float64{3}, graph.Int64},
		{"nanmean f32", y.Slice(array.Span(0, 3)).NanMean(), []float64{inf}, graph.Float32},
		{"nanargmin [nan, inf]", array.FromSlice([]float64{nan, inf}, []int{2}).NanArgMin(), []float64{0}, graph.Int64},
		{"nanmax all-nan", array.FromSlice([]float64{nan, nan}, []int{2}, array.Chunked(1)).NanMax(), []float64{nan}, graph.Float64},
		{"nansum empty", array.Zeros([]int{0, 2}, graph.Float32).NanSum(0), []float64{0, 0}, graph.Float32},
		{"nanmean empty", array.Zeros([]int{0}, graph.Float64).NanMean(), []float64{nan}, graph.Float64},
		{"nansum int32", array.FromSlice([]int32{1, 2, 3}, []int{3}).NanSum(), []float64{6}, graph.Int64},
		{"nanmean int", array.FromSlice([]int64{1, 2}, []int{2}).NanMean(), []float64{1.5}, graph.Float64},
	} {
		got := v.one(tc.name, tc.z)
		if tc.dt != graph.Int64 && got.DType != tc.dt {
			t.Errorf("%s: dtype %v, want %v", tc.name, got.DType, tc.dt)
		}
		fs := got.Float64s()
		if len(fs) != len(tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, fs, tc.want)
			continue
		}
		for k := range tc.want {
			if !sameBits(fs[k], tc.want[k]) && math.Abs(fs[k]-tc.want[k]) > 1e-12 {
				t.Errorf("%s = %v, want %v", tc.name, fs, tc.want)
				break
			}
		}
	}
	// an all-NaN slice is a compute error, not a panic, and not a construction error
	z := x.NanArgMin(0)
	if err := z.Err(); err != nil {
		t.Fatalf("nanargmin(0): %v", err)
	}
	_, err := v.compute([]*array.Array{z})
	wantErr(t, "nanargmin(0) of an all-NaN column", err, "All-NaN slice encountered", "nanargmin")
}

func TestNanReduceErrors(t *testing.T) {
	a23 := array.Ones([]int{2, 3}, graph.Float64)
	empty := array.Zeros([]int{0, 3}, graph.Float32)
	for _, tc := range []struct {
		name  string
		x     *array.Array
		parts []string
	}{
		{"nansum axis", a23.NanSum(2), []string{"nansum", "axis 2", "(2, 3)"}},
		{"nanmean repeated", a23.NanMean(1, -1), []string{"nanmean", "repeated", "(2, 3)"}},
		{"nanvar split", a23.NanVarWith(array.ReduceOpts{SplitEvery: 1}), []string{"nanvar", "split_every", "(2, 3)"}},
		{"nanargmin two axes", a23.NanArgWith("argmin", array.ReduceOpts{Axes: []int{0, 1}}), []string{"nanargmin", "(2, 3)"}},
		{"nanargmax kind", a23.NanArgWith("median", array.ReduceOpts{}), []string{"nanmedian", "unknown"}},
		{"nanmin empty", empty.NanMin(), []string{"nanmin", "zero-size", "(0, 3)"}},
		{"nanargmax empty axis", empty.NanArgMax(0), []string{"nanargmax", "zero-size", "(0, 3)"}},
		{"nanmax int empty", array.Zeros([]int{0}, graph.Int32).NanMax(), []string{"nanmax", "(0,)"}},
		{"sticky", a23.NanSum(5).Add(a23), []string{"nansum", "(2, 3)"}},
	} {
		wantErr(t, tc.name, tc.x.Err(), tc.parts...)
	}
}
