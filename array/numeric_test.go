package array_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// refDiff is np.diff over axis a, n times, by loops.
func refDiff(x *ref, n, a int) *ref {
	for range n {
		if x.shape[a] == 0 {
			break
		}
		shape := append([]int{}, x.shape...)
		shape[a]--
		o := newRef(shape, x.dt)
		st := strides(x.shape)
		idx := make([]int, len(shape))
		for k := 0; k < o.n(); k++ {
			unravel(k, shape, idx)
			lo := 0
			for d, i := range idx {
				lo += i * st[d]
			}
			hi := lo + st[a]
			switch {
			case x.dt == graph.Bool:
				o.setI(k, b2i(x.i[hi] != x.i[lo]))
			case isF(x.dt):
				o.setF(k, x.f[hi]-x.f[lo])
			default:
				o.setI(k, x.i[hi]-x.i[lo])
			}
		}
		x = o
	}
	return x
}

// TestDiff: np.diff of random shapes, chunkings, dtypes, orders and axes
// (negative too) against loops; bool differs by !=; bad input is an error.
func TestDiff(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(15); c++ {
		shape := v.shape(1, 3)
		dt := v.dtype(graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64)
		x := v.operand(shape, dt, vWide)
		n := v.r.IntN(4)
		a := v.r.IntN(len(shape))
		ax := a
		if v.r.IntN(2) == 0 {
			ax -= len(shape)
		}
		desc := fmt.Sprintf("case %d: diff(%v, n=%d, axis=%d)", c, x, n, ax)
		exact(t, desc, v.one(desc, x.a.Diff(n, ax)), refDiff(x.ref, n, a))
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{3, 4}, graph.Float64)
	wantErr(t, "n < 0", x.Diff(-1, 0).Err(), "diff", "-1")
	wantErr(t, "axis 2", x.Diff(1, 2).Err(), "diff", "axis 2")
	wantErr(t, "0-d", array.Float(1).Diff(1, 0).Err(), "diff", "0-d")
}

// refIsClose is np.isclose of a and b (same shape) in dt by loops.
func refIsClose(a, b *ref, dt graph.DType, rtol, atol float64, equalNaN bool) *ref {
	o := newRef(a.shape, graph.Bool)
	rnd := func(v float64) float64 {
		if dt == graph.Float32 {
			return float64(float32(v))
		}
		return v
	}
	for k := 0; k < o.n(); k++ {
		x, y := rnd(a.fl(k)), rnd(b.fl(k))
		var c bool
		switch {
		case math.IsNaN(x) || math.IsNaN(y):
			c = equalNaN && math.IsNaN(x) && math.IsNaN(y)
		case math.IsInf(x, 0) || math.IsInf(y, 0):
			c = x == y
		default:
			c = rnd(math.Abs(rnd(x-y))) <= rnd(rnd(math.Abs(y)*rnd(rtol))+rnd(atol))
		}
		o.setI(k, b2i(c))
	}
	return o
}

// TestIsClose: np.isclose and np.allclose over random values with NaN,
// ±Inf and -0, pairs made close on purpose, tolerances and dtypes
// (integers as float64, float32 in float32), against loops; a negative
// tolerance is an error.
func TestIsClose(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(15); c++ {
		shape := v.shape(0, 3)
		dt := v.dtype(graph.Int64, graph.Float32, graph.Float64)
		a := v.values(shape, dt, vSpecial)
		b := v.values(shape, dt, vSpecial)
		for k := 0; k < a.n(); k++ {
			if isF(dt) && v.r.IntN(2) == 0 {
				// near a, within or beyond the tolerance, scaled by b
				// (not a: the test is not symmetric)
				u := []float64{1e-6, 0.5}[v.r.IntN(2)]
				b.setF(k, a.f[k]*(1+(v.r.Float64()-0.5)*u))
			}
		}
		rtol := []float64{0, 1e-5, 1e-3, 0.2}[v.r.IntN(4)]
		atol := []float64{0, 1e-8, 0.5}[v.r.IntN(3)]
		equalNaN := v.r.IntN(2) == 0
		ca, cb := v.chunks(shape), v.chunks(shape)
		xa, xb := arr(a, ca), arr(b, cb)
		cdt := graph.Float64
		if dt == graph.Float32 {
			cdt = graph.Float32
		}
		want := refIsClose(a, b, cdt, rtol, atol, equalNaN)
		desc := fmt.Sprintf("case %d: isclose(%v %v, rtol=%v, atol=%v, equal_nan=%v)", c, dt, shape, rtol, atol, equalNaN)
		exact(t, desc, v.one(desc, array.IsClose(xa, xb, rtol, atol, equalNaN)), want)
		all := int64(1)
		for k := 0; k < want.n(); k++ {
			all &= want.i[k]
		}
		wantAll := newRef(nil, graph.Bool)
		wantAll.i[0] = all
		exact(t, desc+" all", v.one(desc, array.AllClose(xa, xb, rtol, atol, equalNaN)), wantAll)
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{2}, graph.Float64)
	wantErr(t, "rtol < 0", array.IsClose(x, x, -1, 0, false).Err(), "isclose", "rtol")
}

// TestCountPtpTrace: count_nonzero and ptp over random axes, and trace
// at random offsets, against loops over random shapes, chunkings and
// dtypes; ptp of bool and trace of a non-matrix are errors.
func TestCountPtpTrace(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(15); c++ {
		shape := v.shape(1, 3)
		dt := v.dtype(graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64)
		x := v.operand(shape, dt, vSpecial)
		var axes []int
		for a := range shape {
			if v.r.IntN(2) == 0 {
				axes = append(axes, a)
			}
		}
		desc := fmt.Sprintf("case %d: %v over %v", c, x, axes)
		nz := newRef(x.ref.shape, graph.Int64)
		for k := 0; k < nz.n(); k++ {
			nz.i[k] = b2i(x.ref.truth(k))
		}
		want, _ := refReduce("sum", nz, axes, false, 0)
		exact(t, desc+" count_nonzero", v.one(desc, x.a.CountNonzero(axes...)), want)
		if dt != graph.Bool && size(shape) > 0 {
			mx, _ := refReduce("max", x.ref, axes, false, 0)
			mn, _ := refReduce("min", x.ref, axes, false, 0)
			exact(t, desc+" ptp", v.one(desc, x.a.Ptp(axes...)), refArith("sub", mx, mn))
		}
		if len(shape) == 2 {
			k := v.r.IntN(2*max(shape[0], shape[1])+1) - max(shape[0], shape[1])
			sdt := graph.Int64
			if isF(dt) {
				sdt = dt
			}
			tr := newRef(nil, sdt)
			var s float64
			var si int64
			for i := 0; i < shape[0]; i++ {
				if j := i + k; j >= 0 && j < shape[1] {
					if isF(dt) {
						s += x.ref.f[i*shape[1]+j]
					} else {
						si += x.ref.i[i*shape[1]+j]
					}
				}
			}
			if isF(dt) {
				tr.setF(0, s)
				near(t, fmt.Sprintf("%s trace(%d)", desc, k), v.one(desc, x.a.Trace(k)), tr, nil, 1e-5*float64(shape[0]+1))
			} else {
				tr.setI(0, si)
				exact(t, fmt.Sprintf("%s trace(%d)", desc, k), v.one(desc, x.a.Trace(k)), tr)
			}
		}
		if t.Failed() {
			return
		}
	}
	wantErr(t, "ptp of bool", array.Ones([]int{3}, graph.Bool).Ptp().Err(), "ptp", "bool")
	wantErr(t, "trace of 1-d", array.Ones([]int{3}, graph.Float64).Trace(0).Err(), "trace", "1-d")
}

// refTensordot is np.tensordot by loops over every output element and
// every summed position (float64).
func refTensordot(a, b *ref, sa, sb []int) *ref {
	var freeA, freeB, out []int
	in := func(ax int, s []int) int {
		for i, v := range s {
			if v == ax {
				return i
			}
		}
		return -1
	}
	for ax, s := range a.shape {
		if in(ax, sa) < 0 {
			freeA = append(freeA, ax)
			out = append(out, s)
		}
	}
	for ax, s := range b.shape {
		if in(ax, sb) < 0 {
			freeB = append(freeB, ax)
			out = append(out, s)
		}
	}
	sum := make([]int, len(sa))
	for i, ax := range sa {
		sum[i] = a.shape[ax]
	}
	o := newRef(out, graph.Float64)
	sta, stb := strides(a.shape), strides(b.shape)
	oi, si := make([]int, len(out)), make([]int, len(sum))
	for k := 0; k < o.n(); k++ {
		unravel(k, out, oi)
		var s float64
		for q := 0; q < size(sum); q++ {
			unravel(q, sum, si)
			pa, pb := 0, 0
			for i, ax := range freeA {
				pa += oi[i] * sta[ax]
			}
			for i, ax := range freeB {
				pb += oi[len(freeA)+i] * stb[ax]
			}
			for i := range sa {
				pa += si[i] * sta[sa[i]]
				pb += si[i] * stb[sb[i]]
			}
			s += a.f[pa] * b.f[pb]
		}
		o.f[k] = s
	}
	return o
}

// TestTensordotDotOuter: tensordot over random pairs of axes (in any
// order), dot of every rank pair NumPy defines, and outer, against loops
// over random shapes and chunkings; mismatched axes are an error.
func TestTensordotDotOuter(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(12); c++ {
		na, nb := 1+v.r.IntN(3), 1+v.r.IntN(3)
		sa, sb := v.shape(na, na), v.shape(nb, nb)
		nsum := v.r.IntN(min(na, nb) + 1)
		pa, pb := v.r.Perm(na)[:nsum], v.r.Perm(nb)[:nsum]
		for i := range pa {
			sb[pb[i]] = sa[pa[i]]
		}
		a, b := v.operand(sa, graph.Float64, vSmall), v.operand(sb, graph.Float64, vSmall)
		desc := fmt.Sprintf("case %d: tensordot(%v, %v, (%v, %v))", c, a, b, pa, pb)
		want := refTensordot(a.ref, b.ref, pa, pb)
		near(t, desc, v.one(desc, array.Tensordot(a.a, b.a, pa, pb)), want, nil, 1e-9)
		// dot: a's last axis with b's second-to-last (or only) one
		sd := v.shape(nb, nb)
		if na >= 1 && nb >= 1 {
			ax := nb - 2
			if nb == 1 {
				ax = 0
			}
			sd[ax] = sa[na-1]
			d := v.operand(sd, graph.Float64, vSmall)
			desc := fmt.Sprintf("case %d: dot(%v, %v)", c, a, d)
			near(t, desc, v.one(desc, array.Dot(a.a, d.a)), refTensordot(a.ref, d.ref, []int{na - 1}, []int{ax}), nil, 1e-9)
		}
		desc = fmt.Sprintf("case %d: outer(%v, %v)", c, a, b)
		ao, bo := *a.ref, *b.ref
		ao.shape, bo.shape = []int{a.ref.n()}, []int{b.ref.n()}
		o := newRef([]int{ao.n(), bo.n()}, graph.Float64)
		for i := 0; i < ao.n(); i++ {
			for j := 0; j < bo.n(); j++ {
				o.f[i*bo.n()+j] = ao.f[i] * bo.f[j]
			}
		}
		exact(t, desc, v.one(desc, array.Outer(a.a, b.a)), o)
		if t.Failed() {
			return
		}
	}
	x, y := array.Ones([]int{3, 4}, graph.Float64), array.Ones([]int{5, 3}, graph.Float64)
	wantErr(t, "lengths differ", array.Tensordot(x, y, []int{1}, []int{1}).Err(), "tensordot", "mismatch")
	wantErr(t, "axis repeats", array.Tensordot(x, x, []int{0, 0}, []int{0, 0}).Err(), "tensordot", "repeats")
	wantErr(t, "counts differ", array.Tensordot(x, y, []int{0}, nil).Err(), "tensordot", "as many")
	if got := array.Dot(array.Float(2), x); got.Err() != nil || len(got.Shape()) != 2 {
		t.Errorf("dot of a scalar and a matrix: %v %v", got.Shape(), got.Err())
	}
}

// TestAverageCovCorrcoef: np.average with weights of x's shape, 1-d along
// one axis, or none; np.cov over rows or columns with ddof 0 and 1, of
// 1-d and 2-d arrays; np.corrcoef — against float64 loops over random
// shapes and chunkings; mismatched weights and 3-d cov are errors.
func TestAverageCovCorrcoef(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(12); c++ {
		shape := v.shape(1, 3)
		for k := range shape {
			shape[k] = max(shape[k], 1)
		}
		x := v.operand(shape, v.dtype(graph.Int64, graph.Float32, graph.Float64), vSmall)
		// weights: positive, of x's shape or 1-d along one axis
		a := v.r.IntN(len(shape))
		full := v.r.IntN(2) == 0
		wshape := []int{shape[a]}
		if full {
			wshape = shape
		}
		w := v.operand(wshape, graph.Float64, vNear1)
		desc := fmt.Sprintf("case %d: average(%v, weights %v, axis %d)", c, x, w, a)
		st := strides(shape)
		oshape := append(append([]int{}, shape[:a]...), shape[a+1:]...)
		want := newRef(oshape, graph.Float64)
		idx := make([]int, len(oshape))
		for k := 0; k < want.n(); k++ {
			unravel(k, oshape, idx)
			base := 0
			for d, i := range idx {
				ax := d
				if d >= a {
					ax = d + 1
				}
				base += i * st[ax]
			}
			var s, sw float64
			for i := 0; i < shape[a]; i++ {
				p := base + i*st[a]
				wi := w.ref.f[i]
				if full {
					wi = w.ref.f[p]
				}
				s += x.ref.fl(p) * wi
				sw += wi
			}
			want.f[k] = s / sw
		}
		near(t, desc, v.one(desc, x.a.Average(w.a, a)), want, nil, 1e-5)
		mean, _ := refReduce("mean", x.ref, []int{a}, false, 0)
		if x.ref.dt != graph.Int64 {
			near(t, desc+" unweighted", v.one(desc, x.a.Average(nil, a)), mean, nil, 1e-5)
		}
		// cov and corrcoef of a 1-d or 2-d array
		if len(shape) <= 2 {
			rowvar := v.r.IntN(2) == 0
			ddof := v.r.IntN(2)
			m := x.ref
			if len(shape) == 1 {
				m = &ref{shape: []int{1, shape[0]}, dt: x.ref.dt, f: x.ref.f, i: x.ref.i}
			} else if !rowvar {
				m = x.ref.transpose([]int{1, 0})
			}
			nv, no := m.shape[0], m.shape[1]
			cov := newRef([]int{nv, nv}, graph.Float64)
			mu := make([]float64, nv)
			for i := range nv {
				for k := range no {
					mu[i] += m.fl(i*no + k)
				}
				mu[i] /= float64(no)
			}
			for i := range nv {
				for j := range nv {
					var s float64
					for k := range no {
						s += (m.fl(i*no+k) - mu[i]) * (m.fl(j*no+k) - mu[j])
					}
					cov.f[i*nv+j] = s / float64(no-ddof)
				}
			}
			corr := newRef([]int{nv, nv}, graph.Float64)
			for i := range nv {
				for j := range nv {
					r := cov.f[i*nv+j] / math.Sqrt(cov.f[i*nv+i]) / math.Sqrt(cov.f[j*nv+j])
					corr.f[i*nv+j] = math.Max(-1, math.Min(1, r))
				}
			}
			if nv == 1 {
				cov.shape, corr.shape = nil, nil
				corr.f[0] = cov.f[0] / cov.f[0]
			}
			d := fmt.Sprintf("case %d: cov(%v, rowvar=%v, ddof=%d)", c, x, rowvar, ddof)
			if no-ddof > 0 {
				near(t, d, v.one(d, x.a.Cov(rowvar, ddof)), cov, nil, 1e-9)
			}
			if no > 1 {
				near(t, d+" corrcoef", v.one(d, x.a.Corrcoef(rowvar)), corr, nil, 1e-9)
			}
		}
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{3, 4}, graph.Float64)
	wantErr(t, "weights 1-d over two axes", x.Average(array.Ones([]int{4}, graph.Float64), 0, 1).Err(), "average", "weights")
	wantErr(t, "weights of the wrong length", x.Average(array.Ones([]int{3}, graph.Float64), 1).Err(), "average", "3 weights")
	wantErr(t, "cov of 3-d", array.Ones([]int{2, 2, 2}, graph.Float64).Cov(true, 1).Err(), "cov", "3-d")
}
