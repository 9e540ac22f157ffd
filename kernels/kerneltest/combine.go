package kerneltest

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// combineKinds are the reduce kinds combine merges, with the value dtypes
// (before PartialOutputs) each is checked on.
var combineKinds = []struct {
	kind graph.ReduceKind
	dts  []graph.DType
}{
	{graph.ReduceSum, valueDTypes},
	{graph.ReduceProd, valueDTypes},
	{graph.ReduceMin, valueDTypes},
	{graph.ReduceMax, valueDTypes},
	{graph.ReduceArgMin, valueDTypes},
	{graph.ReduceArgMax, valueDTypes},
	{graph.ReduceAny, []graph.DType{graph.Bool}},
	{graph.ReduceAll, []graph.DType{graph.Bool}},
	{graph.ReduceMoments, []graph.DType{graph.Float64}},
}

// checkCombine runs graph.OpCombine on k random partials of every kind
// and partial dtype, sometimes with the destination aliasing the first or
// last partial's buffers, against the reference merge loops below.
func checkCombine(t *testing.T, e *env) {
	for _, kd := range combineKinds {
		for _, vd := range kd.dts {
			t.Run(fmt.Sprintf("%v/%v", kd.kind, vd), func(t *testing.T) {
				for trial := range e.trials {
					e.combineCase(t, kd.kind, vd, trial)
				}
			})
		}
	}
}

// combineSamples are the raw values behind one Moments partial element.
type combineSamples [][]float64 // [element][sample]

func (e *env) combineCase(t *testing.T, kind graph.ReduceKind, vd graph.DType, trial int) {
	t.Helper()
	shape := e.randShape(3, 6)
	outs := kind.PartialOutputs(vd, shape)
	nbuf := len(outs)
	k := 1 + e.rng.IntN(5)
	n := outs[0].Size()
	parts := make([][]*tensor, k)
	raw := make([]combineSamples, k) // Moments only
	for j := range parts {
		parts[j] = make([]*tensor, nbuf)
		for b, c := range outs {
			parts[j][b] = newTensor(c.DType, c.Shape)
		}
		if kind == graph.ReduceMoments {
			raw[j] = e.combineMomentParts(parts[j], j)
			continue
		}
		for i := range n {
			e.combineValue(kind, parts[j][0], i)
			if nbuf == 2 { // ArgMin, ArgMax: an index naming partial and element
				parts[j][1].i[i] = int64(j)<<32 | int64(i)
			}
		}
	}
	src := make([]*device.Buffer, 0, k*nbuf)
	meta := make([]graph.Chunk, 0, k*nbuf)
	for j := range parts {
		for b := range nbuf {
			src = append(src, e.put(t, parts[j][b]))
			meta = append(meta, outs[b])
		}
	}
	alias := e.rng.IntN(3) // 0: fresh dst, 1: dst is partial 0, 2: dst is partial k-1
	dst := make([]*device.Buffer, nbuf)
	for b := range dst {
		switch alias {
		case 0:
			dst[b] = e.alloc(t, outs[b])
		case 1:
			dst[b] = src[b]
		case 2:
			dst[b] = src[(k-1)*nbuf+b]
		}
	}
	what := fmt.Sprintf("trial %d: combine %v of %d partials %v (alias mode %d)", trial, kind, k, outs, alias)
	tk := task(graph.OpCombine, graph.CombineParams{Kind: kind}, k, outs)
	if err := e.launch(t, tk, dst, src, meta); err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	got := make([]*tensor, nbuf)
	for b := range got {
		got[b] = load(outs[b].DType, outs[b].Shape, dst[b].Bytes())
	}
	bad := 0
	fail := func(i int, format string, a ...any) {
		if bad++; bad <= 5 {
			t.Errorf("%s: element %d: %s", what, i, fmt.Sprintf(format, a...))
		}
	}
	for i := range n {
		switch kind {
		case graph.ReduceMoments:
			combineCheckMoments(raw, got, i, fail)
		case graph.ReduceArgMin, graph.ReduceArgMax:
			w := combineRefArg(parts, i, kind == graph.ReduceArgMax)
			if !sameFloat(got[0].get(i), parts[w][0].get(i)) || got[1].i[i] != parts[w][1].i[i] ||
				(got[0].i != nil && got[0].i[i] != parts[w][0].i[i]) {
				fail(i, "got (%v, %#x), want partial %d's (%v, %#x)", got[0].get(i), got[1].i[i], w, parts[w][0].get(i), parts[w][1].i[i])
			}
		default:
			combineCheckValue(kind, parts, got[0], i, fail)
		}
	}
}

// get reads element i as float64 (integers converted; for comparisons of
// values that are exact in float64, as Min/Max of small integers are).
func (x *tensor) get(i int) float64 {
	if x.f != nil {
		return x.f[i]
	}
	return float64(x.i[i])
}

// combineValue draws element i of a partial's value buffer for kind.
func (e *env) combineValue(kind graph.ReduceKind, x *tensor, i int) {
	dt := x.dt
	switch kind {
	case graph.ReduceSum:
		f, v := e.randValue(dt)
		x.setF(i, f)
		if !dt.IsFloat() {
			x.setI(i, v)
		}
	case graph.ReduceProd:
		switch {
		case dt.IsFloat():
			s := 1.0
			if e.rng.IntN(2) == 0 {
				s = -1
			}
			x.setF(i, s*(0.5+1.5*e.rng.Float64()))
		case e.rng.IntN(4) == 0:
			_, v := e.randValue(dt)
			x.setI(i, v) // full range: products wrap
		default:
			x.setI(i, int64(e.rng.IntN(7)-3))
		}
	case graph.ReduceMin, graph.ReduceMax, graph.ReduceArgMin, graph.ReduceArgMax:
		// Few distinct values, so ties are common; NaNs in floats.
		switch {
		case dt.IsFloat() && e.rng.IntN(8) == 0:
			x.setF(i, math.NaN())
		case dt == graph.Bool:
			x.setI(i, int64(e.rng.IntN(2)))
		case e.rng.IntN(6) == 0:
			f, v := e.randValue(dt)
			if dt.IsFloat() {
				x.setF(i, f)
			} else {
				x.setI(i, v)
			}
		default:
			x.setI(i, int64(e.rng.IntN(5)-2))
		}
	case graph.ReduceAny:
		x.setI(i, b2i(e.rng.IntN(5) == 0))
	case graph.ReduceAll:
		x.setI(i, b2i(e.rng.IntN(5) != 0))
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// combineCheckValue compares a Sum, Prod, Min, Max, Any or All result.
func combineCheckValue(kind graph.ReduceKind, parts [][]*tensor, got *tensor, i int, fail func(int, string, ...any)) {
	dt := got.dt
	if !dt.IsFloat() {
		var want int64
		for j, p := range parts {
			v := p[0].i[i]
			if j == 0 {
				want = v
				continue
			}
			switch kind {
			case graph.ReduceSum:
				want += v
			case graph.ReduceProd:
				want *= v
			case graph.ReduceMin:
				want = min(want, v)
			case graph.ReduceMax:
				want = max(want, v)
			case graph.ReduceAny:
				want = b2i(want != 0 || v != 0)
			case graph.ReduceAll:
				want = b2i(want != 0 && v != 0)
			}
		}
		w := newTensor(dt, []int{1})
		w.setI(0, want) // wrap to the dtype
		if got.i[i] != w.i[0] {
			fail(i, "got %d, want %d", got.i[i], w.i[0])
		}
		return
	}
	var want, mag float64
	for j, p := range parts {
		v := p[0].f[i]
		if j == 0 {
			want, mag = v, math.Abs(v)
			continue
		}
		switch kind {
		case graph.ReduceSum:
			want += v
			mag += math.Abs(v)
		case graph.ReduceProd:
			want *= v
			mag = math.Abs(want)
		case graph.ReduceMin:
			if math.IsNaN(v) || v < want {
				if !math.IsNaN(want) {
					want = v
				}
			}
		case graph.ReduceMax:
			if math.IsNaN(v) || v > want {
				if !math.IsNaN(want) {
					want = v
				}
			}
		}
	}
	g := got.f[i]
	switch kind {
	case graph.ReduceSum, graph.ReduceProd:
		tol := 2*float64(len(parts)+1)*eps(dt)*mag + math.SmallestNonzeroFloat32
		if !(math.Abs(g-want) <= tol) {
			fail(i, "got %v, want %v ± %.3g", g, want, tol)
		}
	default:
		if !sameFloat(g, want) {
			fail(i, "got %v, want %v", g, want)
		}
	}
}

// combineRefArg is the reference ArgMin / ArgMax merge at element i: it
// returns which partial wins. A later partial wins only if strictly
// better; NaN beats any number and the first NaN stays. Integers compare
// as int64 (exact), floats as float64.
func combineRefArg(parts [][]*tensor, i int, isMax bool) int {
	win := 0
	for j := 1; j < len(parts); j++ {
		a, b := parts[win][0], parts[j][0]
		var better bool
		if a.f != nil {
			v, w := a.f[i], b.f[i]
			if math.IsNaN(v) {
				break
			}
			better = math.IsNaN(w) || (isMax && w > v) || (!isMax && w < v)
		} else {
			v, w := a.i[i], b.i[i]
			better = (isMax && w > v) || (!isMax && w < v)
		}
		if better {
			win = j
		}
	}
	return win
}

// combineMomentParts fills one Moments partial (count, mean, M2) from
// fresh raw samples, computed two-pass, and returns the samples.
func (e *env) combineMomentParts(p []*tensor, j int) combineSamples {
	n := p[0].size()
	raw := make(combineSamples, n)
	for i := range n {
		c := []int{0, 0, 1, 1, 2, 3, 7}[e.rng.IntN(7)]
		centre := float64(i%5) * math.Pow(10, float64(j%4))
		xs := make([]float64, c)
		var s float64
		for q := range xs {
			xs[q] = centre + e.rng.NormFloat64()
			s += xs[q]
		}
		raw[i] = xs
		if c == 0 {
			p[0].f[i], p[1].f[i], p[2].f[i] = 0, 0, 0
			continue
		}
		m := s / float64(c)
		var m2 float64
		for _, x := range xs {
			m2 += (x - m) * (x - m)
		}
		p[0].f[i], p[1].f[i], p[2].f[i] = float64(c), m, m2
	}
	return raw
}

// combineCheckMoments compares a merged (count, mean, M2) with the
// two-pass moments of all raw samples at element i.
func combineCheckMoments(raw []combineSamples, got []*tensor, i int, fail func(int, string, ...any)) {
	var all []float64
	for _, r := range raw {
		all = append(all, r[i]...)
	}
	gn, gm, g2 := got[0].f[i], got[1].f[i], got[2].f[i]
	if len(all) == 0 {
		if gn != 0 || gm != 0 || g2 != 0 {
			fail(i, "no samples: got (%v, %v, %v), want zeros", gn, gm, g2)
		}
		return
	}
	var s float64
	for _, x := range all {
		s += x
	}
	n := float64(len(all))
	m := s / n
	var m2, spread float64
	for _, x := range all {
		m2 += (x - m) * (x - m)
		spread = max(spread, math.Abs(x-m))
	}
	tol := 32 * 0x1p-53 * float64(len(raw)+len(all))
	if gn != n || !(math.Abs(gm-m) <= tol*(math.Abs(m)+spread)) || !(math.Abs(g2-m2) <= tol*(m2+n*spread*spread)) {
		fail(i, "got (%v, %v, %v), want (%v, %v, %v)", gn, gm, g2, n, m, m2)
	}
}
