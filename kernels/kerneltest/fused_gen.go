package kerneltest

import (
	"fmt"
	"math"
	"strings"

	"github.com/blockwork-dev/blockwork/graph"
)

// The generator of random fused programs for the conformance check.

// ---- generating programs

// fusedGen builds one random program over a domain.
type fusedGen struct {
	e     *env
	shape []int
	prog  *graph.Program
	maps  []graph.Map
	srcs  []*tensor
	smaps []int32 // each source's first map
}

func (g *fusedGen) emit(in graph.Instr) int32 {
	g.prog.Instrs = append(g.prog.Instrs, in)
	return int32(len(g.prog.Instrs) - 1)
}

func (g *fusedGen) dt(r int32) graph.DType { return g.prog.Instrs[r].DType }

func (g *fusedGen) addMap(m graph.Map) int32 {
	g.maps = append(g.maps, m)
	return int32(len(g.maps) - 1)
}

// mapOnto draws a map onto a new target of nd axes and returns it with
// the smallest-plus-slack target shape it stays inside: identity,
// transposition, broadcasting (Step 0, or a fixed index on a size-1
// axis), slicing (Start, Step of either sign) and fixed indices.
func (g *fusedGen) mapOnto(nd int) (graph.Map, []int) {
	rng := g.e.rng
	d := len(g.shape)
	m := make(graph.Map, nd)
	target := make([]int, nd)
	switch r := rng.IntN(6); {
	case r <= 1 && nd == d: // identity: contiguous, the axes merge
		for a := range m {
			m[a] = graph.AxisMap{Out: a, Step: 1}
			target[a] = g.shape[a]
		}
		return m, target
	case r == 2 && nd == d: // a transposition
		perm := rng.Perm(d)
		for a := range m {
			m[a] = graph.AxisMap{Out: perm[a], Step: 1}
			target[a] = g.shape[perm[a]]
		}
		return m, target
	}
	prod := 1 // keep targets small: a long domain axis read by several target axes
	for a := range m {
		slack := rng.IntN(3)
		o := 0
		if d > 0 {
			o = rng.IntN(d)
		}
		if d == 0 || rng.IntN(5) == 0 || prod*(3*max(g.shape[o], 1)+4) > 1<<13 {
			size := 1 + rng.IntN(3)
			m[a] = graph.AxisMap{Out: -1, Start: rng.IntN(size)}
			target[a] = size
			prod *= size
			continue
		}
		n := max(g.shape[o], 1)
		start := rng.IntN(3)
		step := []int{1, 1, 0, -1, 2, -2}[rng.IntN(6)]
		if step < 0 {
			start += -step * (n - 1)
		}
		m[a] = graph.AxisMap{Out: o, Start: start, Step: step}
		target[a] = max(start, start+step*(n-1)) + 1 + slack
		prod *= target[a]
	}
	return m, target
}

// mapInto draws another map inside an existing target, or nil when the
// target has an empty axis.
func (g *fusedGen) mapInto(target []int) graph.Map {
	rng := g.e.rng
	m := make(graph.Map, len(target))
	for a, size := range target {
		if size == 0 {
			return nil
		}
		var fit []int
		for o, n := range g.shape {
			if n <= size {
				fit = append(fit, o)
			}
		}
		if len(fit) == 0 || rng.IntN(4) == 0 {
			m[a] = graph.AxisMap{Out: -1, Start: rng.IntN(size)}
			continue
		}
		o := fit[rng.IntN(len(fit))]
		n := max(g.shape[o], 1)
		switch rng.IntN(3) {
		case 0:
			m[a] = graph.AxisMap{Out: o, Start: rng.IntN(size - n + 1), Step: 1}
		case 1:
			m[a] = graph.AxisMap{Out: o, Start: n - 1 + rng.IntN(size-n+1), Step: -1}
		default:
			m[a] = graph.AxisMap{Out: o, Start: rng.IntN(size), Step: 0}
		}
	}
	return m
}

// pick draws an existing register, recent ones more often.
func (g *fusedGen) pick() int32 {
	n := len(g.prog.Instrs)
	if g.e.rng.IntN(2) == 0 {
		return int32(n - 1 - g.e.rng.IntN(min(n, 3)))
	}
	return int32(g.e.rng.IntN(n))
}

func (g *fusedGen) cast(r int32, dt graph.DType) int32 {
	if g.dt(r) == dt {
		return r
	}
	return g.emit(graph.Instr{Op: graph.OpCast, DType: dt, A: r})
}

func (g *fusedGen) constant(dt graph.DType) int32 {
	rng := g.e.rng
	var imm uint64
	switch {
	case dt.IsFloat():
		v := []float64{0, math.Copysign(0, -1), 0.5, 2, -1, math.Inf(1), math.NaN()}[rng.IntN(7)]
		if rng.IntN(2) == 0 {
			v, _ = g.e.randValue(dt)
		}
		imm = graph.ConstBits(dt, v)
	case rng.IntN(2) == 0:
		_, v := g.e.randValue(dt)
		imm = graph.ConstIntBits(dt, v)
	default:
		imm = graph.ConstIntBits(dt, int64(rng.IntN(9)-4))
	}
	return g.emit(graph.Instr{Op: graph.OpConst, DType: dt, Imm: imm})
}

func (g *fusedGen) leaf() int32 {
	rng := g.e.rng
	switch r := rng.IntN(8); {
	case r <= 2: // another load of a source
		s := rng.IntN(len(g.srcs))
		mi := g.smaps[s]
		if rng.IntN(2) == 0 {
			if m := g.mapInto(g.srcs[s].shape); m != nil {
				mi = g.addMap(m)
			}
		}
		return g.emit(graph.Instr{Op: graph.OpLoad, DType: g.srcs[s].dt, Src: int32(s), Map: mi})
	case r <= 4:
		return g.constant(valueDTypes[rng.IntN(len(valueDTypes))])
	case r == 5:
		m, _ := g.mapOnto(1 + rng.IntN(3))
		dt := []graph.DType{graph.Int32, graph.Int64, graph.Float32, graph.Float64}[rng.IntN(4)]
		return g.emit(graph.Instr{Op: graph.OpIndex, DType: dt, Map: g.addMap(m), Imm: uint64(rng.IntN(len(m)))})
	}
	m, target := g.mapOnto(rng.IntN(4))
	spec := graph.RandSpec{Kind: graph.RandKind(1 + rng.IntN(3)), Seed: rng.Uint64(), Stream: rng.Uint64N(4), Shape: target}
	var dt graph.DType
	if spec.Kind == graph.RandInteger {
		dt = []graph.DType{graph.Int32, graph.Int64}[rng.IntN(2)]
		spec.Low = int64(rng.IntN(200) - 100)
		spec.High = spec.Low + 1 + int64(rng.IntN(1000))
		if dt == graph.Int64 && rng.IntN(2) == 0 {
			spec.Low, spec.High = math.MinInt64/2-int64(rng.IntN(9)), math.MaxInt64/2+int64(rng.IntN(9))
		}
	} else {
		dt = []graph.DType{graph.Float32, graph.Float64}[rng.IntN(2)]
	}
	g.prog.Rands = append(g.prog.Rands, spec)
	return g.emit(graph.Instr{Op: graph.OpRandom, DType: dt, Map: g.addMap(m), Imm: uint64(len(g.prog.Rands) - 1)})
}

var (
	floatUnary = []graph.ElemOp{graph.OpNeg, graph.OpAbs, graph.OpSqrt, graph.OpExp, graph.OpLog, graph.OpSin, graph.OpCos, graph.OpTanh,
		graph.OpFloor, graph.OpCeil, graph.OpRound, graph.OpTrunc, graph.OpSign, graph.OpLog1p, graph.OpExpm1, graph.OpLog2, graph.OpLog10,
		graph.OpTan, graph.OpAsin, graph.OpAcos, graph.OpAtan, graph.OpSinh, graph.OpCosh, graph.OpAsinh, graph.OpAcosh, graph.OpAtanh}
	intUnary    = []graph.ElemOp{graph.OpNeg, graph.OpAbs, graph.OpSign, graph.OpBitNot, graph.OpFloor, graph.OpRound}
	arithBinary = []graph.ElemOp{graph.OpAdd, graph.OpSub, graph.OpMul, graph.OpDiv, graph.OpPow, graph.OpMax, graph.OpMin, graph.OpMod, graph.OpFloorDiv}
	boolBinary  = []graph.ElemOp{graph.OpAnd, graph.OpOr, graph.OpMax, graph.OpMin, graph.OpAdd, graph.OpMul, graph.OpBitAnd, graph.OpBitOr, graph.OpBitXor}
	bitBinary   = []graph.ElemOp{graph.OpBitAnd, graph.OpBitOr, graph.OpBitXor, graph.OpShl, graph.OpShr}
	numericDTs  = []graph.DType{graph.Int32, graph.Int64, graph.Float32, graph.Float64}
)

// op emits one computing instruction over existing registers.
func (g *fusedGen) op() {
	rng := g.e.rng
	anyDT := func() graph.DType { return valueDTypes[rng.IntN(len(valueDTypes))] }
	switch rng.IntN(12) {
	case 0, 1: // float unary
		dt := graph.Float32 + graph.DType(rng.IntN(2))
		a := g.cast(g.pick(), dt)
		g.emit(graph.Instr{Op: floatUnary[rng.IntN(len(floatUnary))], DType: dt, A: a})
	case 2: // int unary, not
		if rng.IntN(2) == 0 {
			a := g.cast(g.pick(), graph.Bool)
			g.emit(graph.Instr{Op: []graph.ElemOp{graph.OpNot, graph.OpBitNot}[rng.IntN(2)], DType: graph.Bool, A: a})
			return
		}
		dt := graph.Int32 + graph.DType(rng.IntN(2))
		a := g.cast(g.pick(), dt)
		g.emit(graph.Instr{Op: intUnary[rng.IntN(len(intUnary))], DType: dt, A: a})
	case 3, 4, 5: // binary arithmetic
		dt := numericDTs[rng.IntN(len(numericDTs))]
		op := arithBinary[rng.IntN(len(arithBinary))]
		a := g.cast(g.pick(), dt)
		var b int32
		if op == graph.OpPow && (dt.IsInt() || rng.IntN(2) == 0) {
			b = g.emit(graph.Instr{Op: graph.OpConst, DType: dt, Imm: graph.ConstIntBits(dt, int64(rng.IntN(6)))})
		} else {
			b = g.cast(g.pick(), dt)
		}
		g.emit(graph.Instr{Op: op, DType: dt, A: a, B: b})
	case 6: // bool binary
		a, b := g.cast(g.pick(), graph.Bool), g.cast(g.pick(), graph.Bool)
		g.emit(graph.Instr{Op: boolBinary[rng.IntN(len(boolBinary))], DType: graph.Bool, A: a, B: b})
	case 7: // compare
		dt := anyDT()
		a, b := g.cast(g.pick(), dt), g.cast(g.pick(), dt)
		g.emit(graph.Instr{Op: graph.OpEq + graph.ElemOp(rng.IntN(6)), DType: graph.Bool, A: a, B: b})
	case 9: // float binary
		dt := graph.Float32 + graph.DType(rng.IntN(2))
		a, b := g.cast(g.pick(), dt), g.cast(g.pick(), dt)
		g.emit(graph.Instr{Op: []graph.ElemOp{graph.OpAtan2, graph.OpHypot}[rng.IntN(2)], DType: dt, A: a, B: b})
	case 10: // bitwise and shifts: counts often near and past the width, or negative
		dt := graph.Int32 + graph.DType(rng.IntN(2))
		op := bitBinary[rng.IntN(len(bitBinary))]
		a := g.cast(g.pick(), dt)
		var b int32
		if (op == graph.OpShl || op == graph.OpShr) && rng.IntN(3) != 0 {
			b = g.emit(graph.Instr{Op: graph.OpConst, DType: dt, Imm: graph.ConstIntBits(dt, int64(rng.IntN(70)-3))})
		} else {
			b = g.cast(g.pick(), dt)
		}
		g.emit(graph.Instr{Op: op, DType: dt, A: a, B: b})
	case 11: // predicates
		a := g.cast(g.pick(), anyDT())
		g.emit(graph.Instr{Op: graph.OpIsNaN + graph.ElemOp(rng.IntN(3)), DType: graph.Bool, A: a})
	default: // where
		dt := anyDT()
		c := g.cast(g.pick(), graph.Bool)
		a, b := g.cast(g.pick(), dt), g.cast(g.pick(), dt)
		g.emit(graph.Instr{Op: graph.OpWhere, DType: dt, A: c, B: a, C: b})
	}
}

// newFusedProg draws a domain, sources, a program and its maps.
func (e *env) newFusedProg() *fusedProg {
	rng := e.rng
	g := &fusedGen{e: e, prog: &graph.Program{}}
	if rng.IntN(6) == 0 { // long inner runs across tiles
		g.shape = []int{1 + rng.IntN(3), 500 + rng.IntN(700)}
		if rng.IntN(2) == 0 {
			g.shape = g.shape[1:]
		}
	} else {
		g.shape = e.randShape(4, 6)
	}
	for range 1 + rng.IntN(3) {
		m, target := g.mapOnto(rng.IntN(5))
		x := newTensor(valueDTypes[rng.IntN(len(valueDTypes))], target)
		e.fillRandom(x)
		g.srcs = append(g.srcs, x)
		mi := g.addMap(m)
		g.smaps = append(g.smaps, mi)
		g.emit(graph.Instr{Op: graph.OpLoad, DType: x.dt, Src: int32(len(g.srcs) - 1), Map: mi})
	}
	for range rng.IntN(3) {
		g.leaf()
	}
	for range 2 + rng.IntN(10) {
		if rng.IntN(4) == 0 {
			g.leaf()
		}
		g.op()
	}
	g.prog.Out = int32(len(g.prog.Instrs) - 1)
	if rng.IntN(8) == 0 { // dead code after the result
		g.prog.Out = int32(rng.IntN(len(g.prog.Instrs)))
	}
	fp := &graph.FusedParams{Prog: g.prog, Shape: g.shape}
	if rng.IntN(2) == 0 {
		kind := graph.ReduceKind(1 + rng.IntN(int(graph.ReduceMoments)))
		// the result dtype each kind is lowered with (Sum and Prod also
		// take bool and int32 values, accumulating in int64)
		out := g.prog.Out
		switch kind {
		case graph.ReduceMoments:
			out = g.cast(out, graph.Float64)
		case graph.ReduceAny, graph.ReduceAll:
			out = g.cast(out, graph.Bool)
		case graph.ReduceArgMin, graph.ReduceArgMax:
			if g.dt(out) == graph.Bool {
				out = g.cast(out, graph.Int32)
			}
		}
		g.prog.Out = out
		var axes []int
		for a := range g.shape {
			if rng.IntN(2) == 0 {
				axes = append(axes, a)
			}
		}
		g.prog.Reduce = &graph.Reduce{Kind: kind, Axes: axes}
		if kind == graph.ReduceArgMin || kind == graph.ReduceArgMax {
			fp.ArgMap = graph.Affine{Base: rng.IntN(100), Coef: make([]int, len(g.shape))}
			for a, s := range graph.Strides(g.shape) {
				fp.ArgMap.Coef[a] = s * (1 + rng.IntN(3))
			}
		}
	}
	if !g.e.noMore && rng.IntN(3) == 0 {
		// more results: any register, reduced (not to an index) or not
		for range 1 + rng.IntN(3) {
			reg := int32(rng.IntN(len(g.prog.Instrs)))
			var red *graph.Reduce
			if rng.IntN(4) != 0 {
				kinds := []graph.ReduceKind{graph.ReduceSum, graph.ReduceProd, graph.ReduceMin, graph.ReduceMax, graph.ReduceAny, graph.ReduceAll, graph.ReduceMoments}
				kind := kinds[rng.IntN(len(kinds))]
				switch kind {
				case graph.ReduceMoments:
					reg = g.cast(reg, graph.Float64)
				case graph.ReduceAny, graph.ReduceAll:
					reg = g.cast(reg, graph.Bool)
				}
				var axes []int
				for a := range g.shape {
					if rng.IntN(2) == 0 {
						axes = append(axes, a)
					}
				}
				red = &graph.Reduce{Kind: kind, Axes: axes}
			}
			g.prog.More = append(g.prog.More, graph.Result{Out: reg, Reduce: red})
		}
	}
	fp.Maps = g.maps
	return &fusedProg{p: fp, srcs: g.srcs}
}

// String dumps the case for a failure message.
func (fp *fusedProg) String() string {
	var b strings.Builder
	p := fp.p
	fmt.Fprintf(&b, "domain %v\n", p.Shape)
	for k, x := range fp.srcs {
		fmt.Fprintf(&b, "  src %d: %v\n", k, x.chunk())
	}
	for i, in := range p.Prog.Instrs {
		fmt.Fprintf(&b, "  r%d = %v %v", i, in.Op, in.DType)
		switch in.Op {
		case graph.OpLoad:
			fmt.Fprintf(&b, " src%d map%d %v", in.Src, in.Map, p.Maps[in.Map])
		case graph.OpConst:
			fmt.Fprintf(&b, " %#x", in.Imm)
		case graph.OpIndex, graph.OpRandom:
			fmt.Fprintf(&b, " imm %d map%d %v", in.Imm, in.Map, p.Maps[in.Map])
		default:
			for k, r := range []int32{in.A, in.B, in.C}[:in.Op.Arity()] {
				fmt.Fprintf(&b, " %c=r%d", 'a'+k, r)
			}
		}
		b.WriteByte('\n')
	}
	for k, r := range p.Prog.Rands {
		fmt.Fprintf(&b, "  rand %d: %+v\n", k, r)
	}
	fmt.Fprintf(&b, "  out r%d", p.Prog.Out)
	if r := p.Prog.Reduce; r != nil {
		fmt.Fprintf(&b, ", reduce %v over %v (argmap %+v)", r.Kind, r.Axes, p.ArgMap)
	}
	for _, m := range p.Prog.More {
		fmt.Fprintf(&b, "\n  and r%d", m.Out)
		if r := m.Reduce; r != nil {
			fmt.Fprintf(&b, ", reduce %v over %v", r.Kind, r.Axes)
		}
	}
	return b.String()
}
