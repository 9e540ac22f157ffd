package array_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// refLanesOver gathers r's values (as float64) over the axes red, one group
// per position of the other axes in C order, and returns the kept shape.
func refLanesOver(r *ref, red []bool) ([][]float64, []int) {
	var kept []int
	for a, n := range r.shape {
		if !red[a] {
			kept = append(kept, n)
		}
	}
	groups := make([][]float64, size(kept))
	idx := make([]int, len(r.shape))
	for k := 0; k < r.n(); k++ {
		unravel(k, r.shape, idx)
		g := 0
		for a, n := range r.shape {
			if !red[a] {
				g = g*n + idx[a]
			}
		}
		groups[g] = append(groups[g], r.fl(k))
	}
	return groups, kept
}

// refMedian is NumPy's median of one group: sort (NaN last), NaN if the
// last is NaN, the middle or the mean of the two middles.
func refMedian(g []float64, dt graph.DType, skipNaN bool) float64 {
	s := refSorted(g, skipNaN)
	n := len(s)
	if n == 0 || math.IsNaN(s[n-1]) {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	if dt == graph.Float32 {
		return float64((float32(s[n/2-1]) + float32(s[n/2])) / 2)
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func refSorted(g []float64, skipNaN bool) []float64 {
	var s []float64
	for _, v := range g {
		if !(skipNaN && math.IsNaN(v)) {
			s = append(s, v)
		}
	}
	slices.SortStableFunc(s, func(a, b float64) int {
		switch {
		case math.IsNaN(a) && math.IsNaN(b):
			return 0
		case math.IsNaN(a):
			return 1
		case math.IsNaN(b):
			return -1
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	})
	return s
}

// refQuantile is numpy/lib/function_base.py (1.24) _quantile with the
// "linear" method, step by step: virtual index (n-1)*q, floor,
// clipping to -1 (the last) at the top and 0 at the bottom, gamma =
// virtual - previous, and _lerp.
func refQuantile(g []float64, q float64, skipNaN bool) float64 {
	s := refSorted(g, skipNaN)
	n := len(s)
	if n == 0 || math.IsNaN(s[n-1]) {
		return math.NaN()
	}
	virt := float64(n-1) * q
	prev := math.Floor(virt)
	next := prev + 1
	if virt >= float64(n-1) {
		prev, next = -1, -1
	}
	if virt < 0 {
		prev, next = 0, 0
	}
	gamma := virt - prev
	at := func(i float64) float64 {
		if i < 0 {
			return s[n+int(i)]
		}
		return s[int(i)]
	}
	a, b := at(prev), at(next)
	diff := b - a
	if gamma >= 0.5 {
		return b - diff*(1-gamma)
	}
	return a + diff*gamma
}

func TestMedian(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(20); c++ {
		shape := v.shape(0, 3)
		x := v.operand(shape, v.dtype(), []valueKind{vSpecial, vSmall, vWide}[v.r.IntN(3)])
		var axes []int
		red := make([]bool, len(shape))
		for a := range shape {
			if v.r.IntN(2) == 0 {
				red[a] = true
				ax := a
				if v.r.IntN(2) == 0 {
					ax -= len(shape)
				}
				axes = append(axes, ax)
			}
		}
		if len(axes) == 0 {
			for a := range red {
				red[a] = true
			}
		}
		odt := graph.Float64
		if x.ref.dt == graph.Float32 {
			odt = graph.Float32
		}
		groups, kept := refLanesOver(x.ref, red)
		want, wantNan := newRef(kept, odt), newRef(kept, odt)
		for k, g := range groups {
			want.setF(k, refMedian(g, x.ref.dt, false))
			wantNan.setF(k, refMedian(g, x.ref.dt, true))
		}
		desc := fmt.Sprintf("case %d: median(%v, axes %v)", c, x, axes)
		res, err := v.compute([]*array.Array{x.a.Median(axes...), x.a.NanMedian(axes...)})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		// which of -0 and 0 is the middle is unspecified (NumPy
		// partitions, where the two compare equal): compare zeros unsigned
		for _, r := range []*ref{want, wantNan} {
			for k := range r.f {
				r.f[k] += 0
			}
		}
		exact(t, desc, unsignZeros(t, res[0]), want)
		exact(t, "nan"+desc, unsignZeros(t, res[1]), wantNan)
		if t.Failed() {
			return
		}
	}
}

// unsignZeros rewrites -0 as 0 in a float result.
func unsignZeros(t *testing.T, nd *array.NDArray) *array.NDArray {
	t.Helper()
	vals := nd.Float64s()
	r := newRef(nd.Shape, nd.DType)
	for k, v := range vals {
		r.setF(k, v+0)
	}
	switch nd.DType {
	case graph.Float64:
		return &array.NDArray{Shape: nd.Shape, DType: nd.DType, Data: device.AsBytes(r.f)}
	case graph.Float32:
		f := make([]float32, len(r.f))
		for k, v := range r.f {
			f[k] = float32(v)
		}
		return &array.NDArray{Shape: nd.Shape, DType: nd.DType, Data: device.AsBytes(f)}
	}
	return nd
}

func TestPercentile(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(20); c++ {
		shape := v.shape(1, 3)
		ax := v.r.IntN(len(shape))
		x := v.operand(shape, v.dtype(graph.Int32, graph.Int64, graph.Float32, graph.Float64), []valueKind{vSpecial, vSmall, vWide}[v.r.IntN(3)])
		q := make([]float64, v.r.IntN(4))
		for i := range q {
			q[i] = []float64{0, 100, 50, 25, 100 * v.r.Float64(), float64(v.r.IntN(101))}[v.r.IntN(6)]
		}
		axis := ax
		if v.r.IntN(2) == 0 {
			axis -= len(shape)
		}
		red := make([]bool, len(shape))
		red[ax] = true
		groups, kept := refLanesOver(x.ref, red)
		oshape := append([]int{len(q)}, kept...)
		wp, wq, wnp := newRef(oshape, graph.Float64), newRef(oshape, graph.Float64), newRef(oshape, graph.Float64)
		for i, qv := range q {
			for k, g := range groups {
				wp.f[i*len(groups)+k] = refQuantile(g, qv/100, false)
				wq.f[i*len(groups)+k] = refQuantile(g, qv/100, false)
				wnp.f[i*len(groups)+k] = refQuantile(g, qv/100, true)
			}
		}
		fq := make([]float64, len(q))
		for i := range q {
			fq[i] = q[i] / 100
		}
		desc := fmt.Sprintf("case %d: percentile(%v, q %v, axis %d)", c, x, q, axis)
		res, err := v.compute([]*array.Array{x.a.Percentile(q, axis), x.a.Quantile(fq, axis), x.a.NanPercentile(q, axis), x.a.NanQuantile(fq, axis)})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		exact(t, desc, res[0], wp)
		exact(t, "quantile "+desc, res[1], wq)
		exact(t, "nan"+desc, res[2], wnp)
		exact(t, "nanquantile "+desc, res[3], wnp)
		if t.Failed() {
			return
		}
	}
}

func TestQuantileErrors(t *testing.T) {
	v := newEnv(t)
	x := array.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3}, array.Chunked(1, 2))
	b := array.FromSlice([]bool{true, false}, []int{2})
	for _, tc := range []struct {
		desc  string
		a     *array.Array
		parts []string
	}{
		{"median axis", x.Median(2), []string{"median", "axis 2"}},
		{"median repeated", x.Median(1, -1), []string{"median", "repeated axis"}},
		{"percentile > 100", x.Percentile([]float64{101}, 0), []string{"percentile", "q 101", "[0, 100]"}},
		{"quantile < 0", x.Quantile([]float64{0.5, -0.1}, 0), []string{"quantile", "q -0.1", "[0, 1]"}},
		{"quantile NaN", x.NanQuantile([]float64{math.NaN()}, 0), []string{"nanquantile", "q NaN"}},
		{"percentile bool", b.Percentile([]float64{50}, 0), []string{"percentile", "bool"}},
		{"quantile axis", x.Quantile([]float64{0.5}, -3), []string{"quantile", "axis -3"}},
	} {
		wantErr(t, tc.desc, tc.a.Err(), tc.parts...)
		if _, err := v.compute([]*array.Array{tc.a}); err == nil {
			t.Errorf("%s: compute succeeded", tc.desc)
		}
	}
}
