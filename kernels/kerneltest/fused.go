package kerneltest

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// checkFused runs random fused Programs (a random DAG of instructions over
// 1-3 sources of random dtypes and shapes, read through identity,
// broadcast, transposed, sliced and fixed-index maps, with constants,
// casts, Index and Random leaves and an optional reduce stage) through
// graph.OpFused, and compares with the reference interpreter below, which
// evaluates each instruction element by element in float64 / int64 with
// NumPy's semantics. Beside each float value the reference carries a bound
// on how far a correct backend may be from it (0 for exactly rounded
// arithmetic on exact inputs, a few ulps for transcendental functions,
// propagated); a discrete decision on a value within its bound (a
// comparison, a cast to an integer) makes the element "undecided" and
// unchecked.
func checkFused(t *testing.T, e *env) {
	t.Run("random", func(t *testing.T) {
		var st fusedStats
		for trial := range e.trials * 60 {
			e.fusedCase(t, trial, &st)
			if t.Failed() {
				return
			}
		}
		t.Logf("%d programs, %d elements checked, %d undecided", e.trials*30, st.checked, st.undecided)
	})
	t.Run("errors", func(t *testing.T) { checkFusedErrors(t, e) })
}

type fusedStats struct{ checked, undecided int }

// ---- running and comparing

func (e *env) fusedCase(t *testing.T, trial int, st *fusedStats) {
	t.Helper()
	fp := e.newFusedProg()
	p := fp.p
	prog := p.Prog
	outs := prog.Outputs(p.Shape)
	src := make([]*device.Buffer, len(fp.srcs))
	meta := make([]graph.Chunk, len(fp.srcs))
	for k, x := range fp.srcs {
		src[k], meta[k] = e.put(t, x), x.chunk()
	}
	dst := make([]*device.Buffer, len(outs))
	for k, c := range outs {
		dst[k] = e.alloc(t, c)
	}
	tk := task(graph.OpFused, p, len(src), outs)
	if err := e.launch(t, tk, dst, src, meta); err != nil {
		t.Errorf("trial %d: %v\n%v", trial, err, fp)
		return
	}
	got := make([]*tensor, len(outs))
	for k, c := range outs {
		got[k] = load(c.DType, c.Shape, dst[k].Bytes())
	}
	// each result: its register, reduction, partial shape and buffers
	type result struct {
		reg    int32
		red    *graph.Reduce
		ps     []int
		got    []*tensor
		groups [][]rval
		args   [][]int64
	}
	var res []*result
	first := 0
	for r := 0; r <= len(prog.More); r++ {
		reg, red := prog.Out, prog.Reduce
		if r > 0 {
			reg, red = prog.More[r-1].Out, prog.More[r-1].Reduce
		}
		nb := len(graph.ResultOutputs(prog.Instrs[reg].DType, red, p.Shape))
		ps := append([]int(nil), p.Shape...)
		if red != nil {
			for _, a := range red.Axes {
				ps[a] = 1
			}
		}
		rs := &result{reg: reg, red: red, ps: ps, got: got[first : first+nb]}
		first += nb
		n := graph.Chunk{Shape: ps}.Size()
		rs.groups, rs.args = make([][]rval, n), make([][]int64, n)
		res = append(res, rs)
	}
	// evaluate every element, grouped by the output element it lands in
	regs := make([]rval, len(prog.Instrs))
	c := make([]int, len(p.Shape))
	total := graph.Chunk{Shape: p.Shape}.Size()
	for range total {
		fp.evalAt(c, regs)
		for r, rs := range res {
			o := 0
			for a, s := range graph.Strides(rs.ps) {
				if rs.ps[a] != 1 {
					o += s * c[a]
				}
			}
			rs.groups[o] = append(rs.groups[o], regs[rs.reg])
			if r == 0 && p.ArgMap.Coef != nil {
				ix := p.ArgMap.Base
				for a, k := range p.ArgMap.Coef {
					ix += k * c[a]
				}
				rs.args[o] = append(rs.args[o], int64(ix))
			}
		}
		for a := len(c) - 1; a >= 0; a-- { // C order
			if c[a]++; c[a] < p.Shape[a] {
				break
			}
			c[a] = 0
		}
	}
	for r, rs := range res {
		bad := 0
		fail := func(i int, format string, a ...any) {
			if bad++; bad <= 3 {
				t.Errorf("trial %d: result %d, output element %d: %s\n%v", trial, r, i, fmt.Sprintf(format, a...), fp)
			}
		}
		odt := prog.Instrs[rs.reg].DType
		for i := range rs.groups {
			var ok bool
			if rs.red == nil {
				ok = checkElem(odt, rs.groups[i][0], rs.got[0], i, fail)
			} else {
				ok = checkReduce(rs.red.Kind, odt, rs.groups[i], rs.args[i], rs.got, i, fail)
			}
			if ok {
				st.checked++
			} else {
				st.undecided++
			}
		}
	}
}

// checkElem compares one output element; false when it was undecided.
func checkElem(dt graph.DType, want rval, got *tensor, i int, fail func(int, string, ...any)) bool {
	if want.unk {
		return false
	}
	if !dt.IsFloat() {
		if got.i[i] != want.i {
			fail(i, "got %d, want %d", got.i[i], want.i)
		}
		return true
	}
	g := got.f[i]
	if want.err == 0 {
		if !sameFloat(g, want.f) || (g == 0 && math.Signbit(g) != math.Signbit(want.f)) {
			fail(i, "got %v, want %v exactly", g, want.f)
		}
	} else if !(math.Abs(g-want.f) <= 2*want.err) && !(g == want.f) {
		fail(i, "got %v, want %v ± %.3g", g, want.f, 2*want.err)
	}
	return true
}

// checkReduce compares one partial element (all its buffers) with the
// reduction of the values vs (ix: their ArgMap indices), in C order.
func checkReduce(kind graph.ReduceKind, dt graph.DType, vs []rval, ix []int64, got []*tensor, i int, fail func(int, string, ...any)) bool {
	for _, v := range vs {
		if v.unk {
			return false
		}
	}
	isF := dt.IsFloat()
	u := eps(dt)
	switch kind {
	case graph.ReduceSum, graph.ReduceProd:
		if !isF {
			acc := int64(0)
			if kind == graph.ReduceProd {
				acc = 1
			}
			for _, v := range vs {
				if kind == graph.ReduceSum {
					acc += v.i
				} else {
					acc *= v.i
				}
			}
			if got[0].i[i] != acc {
				fail(i, "%v of %d values: got %d, want %d", kind, len(vs), got[0].i[i], acc)
			}
			return true
		}
		want, mag, e := 0.0, 0.0, 0.0
		if kind == graph.ReduceProd {
			want = 1
		}
		for _, v := range vs {
			if kind == graph.ReduceSum {
				want += v.f
				mag += math.Abs(v.f)
				e += v.err
				continue
			}
			if v.err > 0 && !(math.Abs(v.f) > 2*v.err) {
				return false
			}
			want *= v.f
			if a := math.Abs(want); a != 0 && (a < 1e3*math.SmallestNonzeroFloat32*0x1p23 || a > maxOf(dt)/1e3) {
				return false // the backend's products may under- or overflow on the way
			}
			if v.err > 0 {
				e += v.err / math.Abs(v.f)
			}
		}
		tol := e + 2*float64(len(vs)+2)*u*mag + tinyOf(dt)
		if kind == graph.ReduceProd {
			tol = (e + 2*float64(len(vs)+2)*u) * math.Abs(want)
		}
		g := got[0].f[i]
		if math.IsNaN(want) || math.IsInf(want, 0) || mag >= maxOf(dt)/2 {
			if e > 0 || mag >= maxOf(dt)/2 {
				return false
			}
			if !sameFloat(g, want) {
				fail(i, "%v of %d values: got %v, want %v", kind, len(vs), g, want)
			}
			return true
		}
		if !(math.Abs(g-want) <= tol) {
			fail(i, "%v of %d values: got %v, want %v ± %.3g", kind, len(vs), g, want, tol)
		}
	case graph.ReduceMin, graph.ReduceMax:
		isMax := kind == graph.ReduceMax
		if !isF {
			var want int64
			switch {
			case dt == graph.Bool:
				want = b2i(!isMax)
			case isMax && dt == graph.Int32:
				want = math.MinInt32
			case isMax:
				want = math.MinInt64
			case dt == graph.Int32:
				want = math.MaxInt32
			default:
				want = math.MaxInt64
			}
			for k, v := range vs {
				if k == 0 || (isMax && v.i > want) || (!isMax && v.i < want) {
					want = v.i
				}
			}
			if got[0].i[i] != want {
				fail(i, "%v of %d values: got %d, want %d", kind, len(vs), got[0].i[i], want)
			}
			return true
		}
		want, e := math.Inf(1), 0.0
		if isMax {
			want = math.Inf(-1)
		}
		for _, v := range vs {
			e = math.Max(e, v.err)
			if want != want {
				continue
			}
			if v.f != v.f || (isMax && v.f > want) || (!isMax && v.f < want) {
				want = v.f
			}
		}
		g := got[0].f[i]
		if !(sameFloat(g, want) || math.Abs(g-want) <= 2*e) {
			fail(i, "%v of %d values: got %v, want %v ± %.3g", kind, len(vs), g, want, 2*e)
		}
	case graph.ReduceAny, graph.ReduceAll:
		want := b2i(kind == graph.ReduceAll)
		for _, v := range vs {
			if kind == graph.ReduceAny {
				want |= v.i
			} else {
				want &= v.i
			}
		}
		if got[0].i[i] != want {
			fail(i, "%v of %d values: got %d, want %d", kind, len(vs), got[0].i[i], want)
		}
	case graph.ReduceArgMin, graph.ReduceArgMax:
		isMax := kind == graph.ReduceArgMax
		win := -1
		for k, v := range vs {
			if win < 0 {
				win = k
				continue
			}
			w := vs[win]
			var better bool
			if isF {
				if w.f != w.f {
					break
				}
				better = v.f != v.f || (isMax && v.f > w.f) || (!isMax && v.f < w.f)
			} else {
				better = (isMax && v.i > w.i) || (!isMax && v.i < w.i)
			}
			if better {
				win = k
			}
		}
		if win < 0 {
			if got[1].i[i] != -1 || got[0].get(i) != 0 {
				fail(i, "%v of nothing: got (%v, %d), want (0, -1)", kind, got[0].get(i), got[1].i[i])
			}
			return true
		}
		w := vs[win]
		if isF && w.f == w.f { // a close runner-up could win on a backend within the bounds
			for k, v := range vs {
				if k != win && (v.err > 0 || w.err > 0) && math.Abs(v.f-w.f) <= v.err+w.err {
					return false
				}
			}
		}
		gv := got[0].get(i)
		okV := !isF && got[0].i[i] == w.i || isF && (sameFloat(gv, w.f) || math.Abs(gv-w.f) <= 2*w.err)
		if !okV || got[1].i[i] != ix[win] {
			fail(i, "%v of %d values: got (%v, %d), want element %d: (%v, %d)", kind, len(vs), gv, got[1].i[i], win, w.f+float64(w.i), ix[win])
		}
	case graph.ReduceMoments:
		gn, gm, g2 := got[0].f[i], got[1].f[i], got[2].f[i]
		if len(vs) == 0 {
			if gn != 0 || gm != 0 || g2 != 0 {
				fail(i, "moments of nothing: got (%v, %v, %v), want zeros", gn, gm, g2)
			}
			return true
		}
		var s, e float64
		for _, v := range vs {
			s += v.f
			e = math.Max(e, v.err)
		}
		n := float64(len(vs))
		m := s / n
		var corr float64
		for _, v := range vs {
			corr += v.f - m
		}
		m += corr / n // a second pass: the reference's own mean error is O(eps |m|)
		var m2, spread float64
		for _, v := range vs {
			m2 += (v.f - m) * (v.f - m)
			spread = max(spread, math.Abs(v.f-m))
		}
		if math.IsInf(s, 0) || s != s || math.IsInf(m2, 0) || m2 != m2 || spread > 1e150 {
			return false
		}
		tol := 32 * 0x1p-53 * n
		tm := tol*(math.Abs(m)+spread) + 2*e
		// the running mean's rounding (an ulp of |m|) enters each
		// deviation: first order in spread*|m|, which dominates when a
		// few values sit close together far from zero
		t2 := tol*(m2+n*spread*spread) + 4*n*e*(spread+e) + n*(tol*m)*(tol*m) + 2*n*spread*tol*math.Abs(m)
		if gn != n || !(math.Abs(gm-m) <= tm) || !(math.Abs(g2-m2) <= t2) {
			fail(i, "moments of %d values: got (%v, %v, %v), want (%v, %v ± %.3g, %v ± %.3g)", len(vs), gn, gm, g2, n, m, tm, m2, t2)
		}
	}
	return true
}

// checkFusedErrors runs fused launches whose params do not fit their
// buffers, and an integer raised to a negative power: each must be an
// error, never a panic or a write out of bounds.
func checkFusedErrors(t *testing.T, e *env) {
	f64 := func(shape ...int) graph.Chunk { return graph.Chunk{DType: graph.Float64, Shape: shape} }
	i64 := func(shape ...int) graph.Chunk { return graph.Chunk{DType: graph.Int64, Shape: shape} }
	load := func(dt graph.DType) graph.Instr { return graph.Instr{Op: graph.OpLoad, DType: dt} }
	id2 := graph.Identity(2, nil)
	one := func(in ...graph.Instr) *graph.Program {
		return &graph.Program{Instrs: in, Out: int32(len(in) - 1)}
	}
	cases := []struct {
		name string
		p    *graph.FusedParams
		outs []graph.Chunk
		src  []graph.Chunk
	}{
		{"result register out of range", &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{load(graph.Float64)}, Out: 3}, Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{f64(2, 3)}, []graph.Chunk{f64(2, 3)}},
		{"load of a missing source", &graph.FusedParams{Prog: one(graph.Instr{Op: graph.OpLoad, DType: graph.Float64, Src: 1}), Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{f64(2, 3)}, []graph.Chunk{f64(2, 3)}},
		{"load through a missing map", &graph.FusedParams{Prog: one(graph.Instr{Op: graph.OpLoad, DType: graph.Float64, Map: 2}), Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{f64(2, 3)}, []graph.Chunk{f64(2, 3)}},
		{"load as another dtype", &graph.FusedParams{Prog: one(load(graph.Int64)), Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{i64(2, 3)}, []graph.Chunk{f64(2, 3)}},
		{"register read before it is written", &graph.FusedParams{Prog: one(load(graph.Float64), graph.Instr{Op: graph.OpAdd, DType: graph.Float64, A: 0, B: 1}), Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{f64(2, 3)}, []graph.Chunk{f64(2, 3)}},
		{"map past the source's end", &graph.FusedParams{Prog: one(load(graph.Float64)), Shape: []int{2, 3}, Maps: []graph.Map{{{Out: 0, Step: 1}, {Out: 1, Start: 1, Step: 1}}}},
			[]graph.Chunk{f64(2, 3)}, []graph.Chunk{f64(2, 3)}},
		{"map before the source's start", &graph.FusedParams{Prog: one(load(graph.Float64)), Shape: []int{2, 3}, Maps: []graph.Map{{{Out: 0, Step: 1}, {Out: 1, Start: 1, Step: -1}}}},
			[]graph.Chunk{f64(2, 3)}, []graph.Chunk{f64(2, 3)}},
		{"map of another rank", &graph.FusedParams{Prog: one(load(graph.Float64)), Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{f64(2, 3)}, []graph.Chunk{f64(6)}},
		{"map reading a missing domain axis", &graph.FusedParams{Prog: one(load(graph.Float64)), Shape: []int{2, 3}, Maps: []graph.Map{{{Out: 0, Step: 1}, {Out: 5, Step: 0}}}},
			[]graph.Chunk{f64(2, 3)}, []graph.Chunk{f64(2, 3)}},
		{"destination of another size", &graph.FusedParams{Prog: one(load(graph.Float64)), Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{f64(3, 3)}, []graph.Chunk{f64(2, 3)}},
		{"reduce over a missing axis", &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{load(graph.Float64)}, Reduce: &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{2}}}, Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{f64(2, 1)}, []graph.Chunk{f64(2, 3)}},
		{"argmin with half a tuple", &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{load(graph.Float64)}, Reduce: &graph.Reduce{Kind: graph.ReduceArgMin, Axes: []int{1}}}, Shape: []int{2, 3}, Maps: []graph.Map{id2}, ArgMap: graph.Affine{Coef: []int{0, 1}}},
			[]graph.Chunk{f64(2, 1)}, []graph.Chunk{f64(2, 3)}},
		{"random of a missing stream", &graph.FusedParams{Prog: one(graph.Instr{Op: graph.OpRandom, DType: graph.Float64, Imm: 1}), Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{f64(2, 3)}, nil},
		{"index along a missing axis", &graph.FusedParams{Prog: one(graph.Instr{Op: graph.OpIndex, DType: graph.Int64, Imm: 2}), Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{i64(2, 3)}, nil},
		{"integer to a negative power", &graph.FusedParams{Prog: one(
			graph.Instr{Op: graph.OpIndex, DType: graph.Int64, Imm: 1},
			graph.Instr{Op: graph.OpConst, DType: graph.Int64, Imm: graph.ConstIntBits(graph.Int64, 1)},
			graph.Instr{Op: graph.OpSub, DType: graph.Int64, A: 1, B: 0},
			graph.Instr{Op: graph.OpPow, DType: graph.Int64, A: 0, B: 2}), Shape: []int{2, 3}, Maps: []graph.Map{id2}},
			[]graph.Chunk{i64(2, 3)}, nil},
	}
	for _, c := range cases {
		src := make([]*device.Buffer, len(c.src))
		for k, m := range c.src {
			src[k] = e.alloc(t, m)
		}
		dst := make([]*device.Buffer, len(c.outs))
		for k, m := range c.outs {
			dst[k] = e.alloc(t, m)
		}
		tk := task(graph.OpFused, c.p, len(src), c.outs)
		if err := e.launch(t, tk, dst, src, slices.Clone(c.src)); err == nil {
			t.Errorf("%s: no error", c.name)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
}
