package cpu

import (
	"sync"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// plan is a task's iteration, prepared once per launch. Plans are pooled
// and their slices carved from one int arena, so a launch of a small task
// costs no allocation.
type plan struct {
	shape []int    // merged domain
	acc   []affine // per instruction (position-dependent ones), indexed by instr
	has   []bool   // which instructions have an affine
	res   []resPlan
	arg   affine // global index for ArgMin/ArgMax (the first result)
	idx   []int  // odometer over the outer axes
	bases []int  // per instruction base offset of the current row

	ints []int
	all  []*affine
	red  []bool
	keep []int
}

// resPlan is one result of the program: its output (no reduce) or partial
// (reduce) offset, its register, reduction and destination buffers,
// whether the merged inner axis is reduced, and the current row's base.
type resPlan struct {
	out   affine
	reg   int32
	red   *graph.Reduce
	dst   []*device.Buffer
	inner bool
	base  int
}

var planPool = sync.Pool{New: func() any { return &plan{} }}

// take returns n zeroed ints from the arena.
func (pl *plan) take(n int) []int {
	if cap(pl.ints)-len(pl.ints) < n {
		pl.ints = make([]int, 0, max(256, 2*cap(pl.ints), n))
	}
	s := pl.ints[len(pl.ints) : len(pl.ints)+n : len(pl.ints)+n]
	pl.ints = pl.ints[:len(pl.ints)+n]
	clear(s)
	return s
}

// stridesInto writes the C-order element strides of shape into dst.
func stridesInto(dst, shape []int) []int {
	n := 1
	for i := len(shape) - 1; i >= 0; i-- {
		dst[i] = n
		n *= shape[i]
	}
	return dst
}

// affineOf is graph.AffineOf into the plan's arena.
func (pl *plan) affineOf(m graph.Map, targetShape []int, d int) affine {
	st := stridesInto(pl.take(len(targetShape)), targetShape)
	a := affine{coef: pl.take(d)}
	for t, am := range m {
		a.base += st[t] * am.Start
		if am.Out >= 0 {
			a.coef[am.Out] += st[t] * am.Step
		}
	}
	return a
}

// makePlan computes every access as an affine function of the domain
// coordinates, drops axes of size 1 and merges neighbouring axes that
// every access walks contiguously, so the inner runs are as long as they
// can be.
func makePlan(p *graph.FusedParams, l *kernels.Launch) *plan {
	prog := p.Prog
	shape := p.Shape
	d := len(shape)
	pl := planPool.Get().(*plan)
	pl.ints = pl.ints[:0]
	ni := len(prog.Instrs)
	if cap(pl.acc) < ni {
		pl.acc = make([]affine, ni)
		pl.has = make([]bool, ni)
		pl.bases = make([]int, ni)
	}
	pl.acc, pl.has, pl.bases = pl.acc[:ni], pl.has[:ni], pl.bases[:ni]
	clear(pl.has)
	pl.arg = affine{}
	nr := 1 + len(prog.More)
	if cap(pl.res) < nr {
		pl.res = make([]resPlan, nr)
	}
	pl.res = pl.res[:nr]
	all := pl.all[:0]
	for i := range prog.Instrs {
		in := &prog.Instrs[i]
		var a affine
		switch in.Op {
		case graph.OpLoad:
			a = pl.affineOf(p.Maps[in.Map], l.SrcMeta[in.Src].Shape, d)
		case graph.OpIndex:
			m := p.Maps[in.Map]
			a = affine{coef: pl.take(d)}
			if int(in.Imm) < len(m) {
				am := m[in.Imm]
				a.base = am.Start
				if am.Out >= 0 {
					a.coef[am.Out] = am.Step
				}
			}
		case graph.OpRandom:
			a = pl.affineOf(p.Maps[in.Map], prog.Rands[in.Imm].Shape, d)
		default:
			continue
		}
		pl.has[i] = true
		pl.acc[i] = a
		all = append(all, &pl.acc[i])
	}
	if cap(pl.red) < d*nr {
		pl.red = make([]bool, d*nr)
	}
	// reduced[r*d+ax]: whether result r reduces domain axis ax
	reduced := pl.red[:d*nr]
	clear(reduced)
	dsts := l.Dst
	for r := range pl.res {
		rp := &pl.res[r]
		rp.reg, rp.red = prog.Out, prog.Reduce
		if r > 0 {
			rp.reg, rp.red = prog.More[r-1].Out, prog.More[r-1].Reduce
		}
		nb := 1
		if rp.red != nil {
			_, nb = rp.red.Kind.PartialLayout(prog.Instrs[rp.reg].DType)
		}
		rp.dst, dsts = dsts[:nb], dsts[nb:]
		if rp.red == nil {
			rp.out = affine{0, stridesInto(pl.take(d), shape)}
			if r == 0 && p.OutStrides != nil {
				copy(rp.out.coef, p.OutStrides)
			}
			continue
		}
		rd := reduced[r*d : (r+1)*d]
		for _, ax := range rp.red.Axes {
			rd[ax] = true
		}
		ps := pl.take(d)
		copy(ps, shape)
		for _, ax := range rp.red.Axes {
			ps[ax] = 1
		}
		st := stridesInto(pl.take(d), ps)
		for ax := range st {
			if rd[ax] {
				st[ax] = 0
			}
		}
		rp.out = affine{0, st}
		if k := rp.red.Kind; r == 0 && (k == graph.ReduceArgMin || k == graph.ReduceArgMax) {
			coef := pl.take(d)
			copy(coef, p.ArgMap.Coef)
			pl.arg = affine{p.ArgMap.Base, coef}
			all = append(all, &pl.arg)
		}
	}
	for r := range pl.res {
		all = append(all, &pl.res[r].out)
	}
	pl.all = all
	// keep axes of size != 1 (at least one axis)
	keep := pl.keep[:0]
	for o := 0; o < d; o++ {
		if shape[o] != 1 {
			keep = append(keep, o)
		}
	}
	pl.keep = keep
	if len(keep) == 0 {
		if d == 0 {
			pl.shape = append(pl.shape[:0], 1)
			for r := range pl.res {
				pl.res[r].inner = true
			}
			for _, a := range all {
				a.coef = pl.take(1)
			}
			pl.idx = pl.take(1)
			return pl
		}
		keep = append(keep, d-1)
		pl.keep = keep // its backing array is reused by the next plan
	}
	// merge from the right: groups of original axes, innermost group first;
	// each group is a contiguous run of keep, so store (first, last) indices
	// into keep.
	type span struct{ lo, hi int } // keep[lo..hi]
	var spansBuf [8]span
	spans := spansBuf[:0]
	spans = append(spans, span{len(keep) - 1, len(keep) - 1})
	for k := len(keep) - 2; k >= 0; k-- {
		o := keep[k]
		g := &spans[len(spans)-1]
		inner := keep[g.hi]
		size := 1
		for x := g.lo; x <= g.hi; x++ {
			size *= shape[keep[x]]
		}
		ok := true
		for r := 0; r < nr && ok; r++ {
			ok = reduced[r*d+o] == reduced[r*d+keep[g.lo]]
		}
		for _, a := range all {
			if !ok {
				break
			}
			ok = a.coef[o] == a.coef[inner]*size
		}
		if ok {
			g.lo = k
		} else {
			spans = append(spans, span{k, k})
		}
	}
	n := len(spans)
	if cap(pl.shape) < n {
		pl.shape = make([]int, n)
	}
	pl.shape = pl.shape[:n]
	for gi, g := range spans {
		s := 1
		for x := g.lo; x <= g.hi; x++ {
			s *= shape[keep[x]]
		}
		pl.shape[n-1-gi] = s
		if gi == 0 {
			for r := range pl.res {
				pl.res[r].inner = reduced[r*d+keep[g.lo]]
			}
		}
	}
	for _, a := range all {
		nc := pl.take(n)
		for gi, g := range spans {
			nc[n-1-gi] = a.coef[keep[g.hi]]
		}
		a.coef = nc
	}
	pl.idx = pl.take(n)
	return pl
}
