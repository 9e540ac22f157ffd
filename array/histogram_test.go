package array_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// refHistogram counts by the definition: bin i holds e[i] <= v < e[i+1],
// the last bin also v == e[last]; the bin found by a linear scan.
func refHistogram(vals []float64, edges []float64) []int64 {
	nb := len(edges) - 1
	out := make([]int64, nb)
	for _, v := range vals {
		if math.IsNaN(v) || v < edges[0] || v > edges[nb] {
			continue
		}
		b := -1
		for i := 0; i < nb; i++ {
			if edges[i] <= v && v < edges[i+1] {
				b = i
			}
		}
		if b < 0 { // v == the top edge (or only in empty bins below it)
			b = nb - 1
			for b > 0 && edges[b] > v {
				b--
			}
		}
		out[b]++
	}
	return out
}

func TestHistogram(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(10); c++ {
		x := v.operand(v.shape(0, 3), v.dtype(), vSpecial)
		vals := x.ref.f
		if !isF(x.ref.dt) {
			vals = make([]float64, x.ref.n())
			for k, i := range x.ref.i {
				vals[k] = float64(i)
			}
		}
		bins := 1 + v.r.IntN(6)
		lo := float64(v.r.IntN(9) - 6)
		hi := lo + float64(v.r.IntN(8))
		desc := fmt.Sprintf("case %d: histogram(%v, %d, [%v, %v])", c, x, bins, lo, hi)
		h, edges := x.a.Histogram(bins, lo, hi)
		if len(edges) != bins+1 || edges[bins] != math.Max(hi, lo+0.5) && lo != hi {
			t.Errorf("%s: edges %v", desc, edges)
		}
		want := newRef([]int{bins}, graph.Int64)
		copy(want.i, refHistogram(vals, edges))
		exact(t, desc, v.one(desc, h), want)
		// explicit edges, with a repeated one
		e2 := []float64{-2, -0.5, -0.5, 1, 3.25}
		want2 := newRef([]int{4}, graph.Int64)
		copy(want2.i, refHistogram(vals, e2))
		desc = fmt.Sprintf("case %d: histogram(%v, edges %v)", c, x, e2)
		exact(t, desc, v.one(desc, x.a.HistogramEdges(e2)), want2)
		if t.Failed() {
			return
		}
	}
	// infinite edges, and a span past the largest float64 (its width
	// overflows): the values are searched for, as NumPy counts them
	xs := []float64{-1e308, -1, 0, 2.5, 1e308, math.Inf(1), math.Inf(-1), math.NaN()}
	for _, e := range [][]float64{{math.Inf(-1), math.Inf(1)}, {-1e308, 1e308}, {math.Inf(-1), 0, math.Inf(1)}, {-1e308, 0, 1e308}} {
		desc := fmt.Sprintf("histogram(%v, edges %v)", xs, e)
		want := newRef([]int{len(e) - 1}, graph.Int64)
		copy(want.i, refHistogram(xs, e))
		exact(t, desc, v.one(desc, array.FromSlice(xs, []int{len(xs)}, array.Chunked(3)).HistogramEdges(e)), want)
	}
	x := v.operand([]int{5}, graph.Float64, vSmall).a
	wantErr(t, "zero bins", func() error { h, _ := x.Histogram(0, 0, 1); return h.Err() }(), "histogram", "0 bins")
	wantErr(t, "bad range", func() error { h, _ := x.Histogram(3, 1, 0); return h.Err() }(), "histogram", "range")
	wantErr(t, "bad edges", x.HistogramEdges([]float64{0, 2, 1}).Err(), "histogram", "monoton")
}

func TestBinCount(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(10); c++ {
		n := v.axisLen() * 3
		x := v.operand([]int{n}, v.dtype(graph.Int32, graph.Int64, graph.Bool), vSmall)
		// values 0..m-1
		m := 1 + v.r.IntN(9)
		if x.ref.dt == graph.Bool {
			m = 2
		}
		for k := range x.ref.i {
			if x.ref.dt == graph.Bool {
				x.ref.i[k] = int64(v.r.IntN(2))
			} else {
				x.ref.i[k] = int64(v.r.IntN(m))
			}
		}
		xa := arr(x.ref, x.ch)
		minlength := m + v.r.IntN(3)
		want := newRef([]int{minlength}, graph.Int64)
		for _, i := range x.ref.i {
			want.i[i]++
		}
		desc := fmt.Sprintf("case %d: bincount(%v, minlength %d)", c, x, minlength)
		exact(t, desc, v.one(desc, xa.BinCount(minlength)), want)
		w := v.operand([]int{n}, graph.Float64, vSmall)
		wantW := newRef([]int{minlength}, graph.Float64)
		for k, i := range x.ref.i {
			wantW.f[i] += w.ref.f[k]
		}
		desc += " weighted"
		near(t, desc, v.one(desc, xa.BinCountWeighted(w.a, minlength)), wantW, nil, 1e-12)
		if t.Failed() {
			return
		}
	}
	x := v.operand([]int{4}, graph.Int64, vSmall)
	for k := range x.ref.i {
		x.ref.i[k] = int64(k)
	}
	_, err := v.compute([]*array.Array{arr(x.ref, x.ch).BinCount(3)})
	wantErr(t, "value above minlength", err, "bincount", "value 3")
	wantErr(t, "float input", v.operand([]int{4}, graph.Float64, vSmall).a.BinCount(3).Err(), "bincount", "integer")
	wantErr(t, "minlength -1", arr(x.ref, x.ch).BinCount(-1).Err(), "bincount", "minlength")
	// minlength 0: the length is max(x)+1, found by a pass of its own
	for c := 0; c < cases(4); c++ {
		n := v.r.IntN(20)
		y := v.operand([]int{n}, graph.Int64, vSmall)
		top := int64(-1)
		for k := range y.ref.i {
			y.ref.i[k] = int64(v.r.IntN(7))
			top = max(top, y.ref.i[k])
		}
		want := newRef([]int{int(top + 1)}, graph.Int64)
		for _, i := range y.ref.i {
			want.i[i]++
		}
		b := arr(y.ref, y.ch).BinCount(0)
		if !errors.Is(b.Err(), array.ErrUnknownChunks) {
			t.Errorf("bincount without minlength: %v, want unknown size", b.Err())
		}
		exact(t, fmt.Sprintf("case %d: bincount(%v)", c, y), v.one("bincount", b), want)
	}
	neg := arr(x.ref, x.ch).Sub(array.Int(5)).BinCount(0)
	_, err = v.compute([]*array.Array{neg})
	wantErr(t, "negative value", err, "bincount", "negative")
}

// TestHistogramNumPy compares counts and edges with np.histogram on
// float32, float64 and int64 data with values placed on the edges, in
// one Python run.
func TestHistogramNumPy(t *testing.T) {
	v := newEnv(t)
	type tc struct {
		DT    string    `json:"dt"`
		Bins  int       `json:"bins"`
		Range []float64 `json:"range"`
		Vals  []float64 `json:"vals"`
	}
	var cs []tc
	for c := 0; c < 18; c++ {
		dt := []string{"float32", "float64", "int64"}[c%3]
		bins := 1 + v.r.IntN(7)
		lo := float64(v.r.IntN(5)) / 10
		hi := lo + float64(1+v.r.IntN(9))/10
		var vals []float64
		for i := 0; i <= bins; i++ { // the edges themselves, and around them
			e := lo + float64(i)*(hi-lo)/float64(bins)
			vals = append(vals, e, float64(float32(e)), math.Nextafter(e, 2), math.Nextafter(e, -2))
		}
		for range 20 {
			vals = append(vals, lo-0.2+v.r.Float64()*(hi-lo+0.4))
		}
		if dt == "int64" {
			for i := range vals {
				vals[i] = math.Round(vals[i] * 10)
			}
			lo, hi = lo*10, hi*10
		}
		if dt == "float32" {
			for i := range vals {
				vals[i] = float64(float32(vals[i]))
			}
		}
		cs = append(cs, tc{DT: dt, Bins: bins, Range: []float64{lo, hi}, Vals: vals})
	}
	in, _ := json.Marshal(cs)
	script := `import json, sys
import numpy as np
out = []
for c in json.loads(sys.argv[1]):
    h, e = np.histogram(np.array(c["vals"], dtype=c["dt"]), bins=c["bins"], range=tuple(c["range"]))
    out.append([h.tolist(), e.astype(float).tolist()])
print(json.dumps(out))`
	outb, err := exec.Command("/usr/bin/python3", "-c", script, string(in)).Output()
	if err != nil {
		t.Fatalf("numpy (run make deps): %v", err)
	}
	var want [][2][]float64
	if err := json.Unmarshal(outb, &want); err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		var x *array.Array
		switch c.DT {
		case "float32":
			f := make([]float32, len(c.Vals))
			for k, v := range c.Vals {
				f[k] = float32(v)
			}
			x = array.FromSlice(f, []int{len(f)}, array.Chunked(9))
		case "float64":
			x = array.FromSlice(c.Vals, []int{len(c.Vals)}, array.Chunked(9))
		default:
			n := make([]int64, len(c.Vals))
			for k, v := range c.Vals {
				n[k] = int64(v)
			}
			x = array.FromSlice(n, []int{len(n)}, array.Chunked(9))
		}
		h, edges := x.Histogram(c.Bins, c.Range[0], c.Range[1])
		got := v.one("histogram", h).Int64s()
		for k := range got {
			if float64(got[k]) != want[i][0][k] {
				t.Errorf("case %d (%s, %d bins over %v): counts %v, NumPy %v", i, c.DT, c.Bins, c.Range, got, want[i][0])
				break
			}
		}
		for k := range edges {
			if edges[k] != want[i][1][k] {
				t.Errorf("case %d (%s): edges %v, NumPy %v", i, c.DT, edges, want[i][1])
				break
			}
		}
	}
}
