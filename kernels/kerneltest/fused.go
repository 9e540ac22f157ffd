package kerneltest

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
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

// ---- the reference's values

// rval is one element of a register: floats in f, bool and integers in i
// (wrapped to the dtype), err bounds |backend - f|, unk marks an element
// whose value a correct backend may decide otherwise.
type rval struct {
	f   float64
	i   int64
	err float64
	unk bool
}

func roundTo(dt graph.DType, f float64) float64 {
	if dt == graph.Float32 {
		return float64(float32(f))
	}
	return f
}

func wrapTo(dt graph.DType, v int64) int64 {
	switch dt {
	case graph.Int32:
		return int64(int32(v))
	case graph.Bool:
		return b2i(v != 0)
	}
	return v
}

func tinyOf(dt graph.DType) float64 {
	if dt == graph.Float32 {
		return math.SmallestNonzeroFloat32
	}
	return math.SmallestNonzeroFloat64
}

func maxOf(dt graph.DType) float64 {
	if dt == graph.Float32 {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

// ---- Philox4x32-10, as DESIGN.md (Random) and graph.RandKind define it

func philox(i, stream, seed uint64) [4]uint32 {
	c := [4]uint32{uint32(i), uint32(i >> 32), uint32(stream), uint32(stream >> 32)}
	k0, k1 := uint32(seed), uint32(seed>>32)
	for r := 0; r < 10; r++ {
		hi0, lo0 := bits.Mul32(0xD2511F53, c[0])
		hi1, lo1 := bits.Mul32(0xCD9E8D57, c[2])
		c = [4]uint32{hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0}
		k0, k1 = k0+0x9E3779B9, k1+0xBB67AE85
	}
	return c
}

func u53(lo, hi uint32) float64 { return float64((uint64(lo)|uint64(hi)<<32)>>11) * 0x1p-53 }

// randRef is element flat of stream r as dtype dt, with its error bound.
func randRef(r *graph.RandSpec, dt graph.DType, flat int) rval {
	o := philox(uint64(flat), r.Stream, r.Seed)
	switch r.Kind {
	case graph.RandUniform:
		if dt == graph.Float32 {
			return rval{f: float64(float32(o[0]>>8) * 0x1p-24)}
		}
		return rval{f: u53(o[0], o[1])}
	case graph.RandNormal:
		z := math.Sqrt(-2*math.Log(1-u53(o[0], o[1]))) * math.Cos(2*math.Pi*u53(o[2], o[3]))
		v := roundTo(dt, z)
		// backends use their own log and sincos: a few ulps
		return rval{f: v, err: 8 * eps(dt) * (math.Abs(v) + 1)}
	default:
		hi, _ := bits.Mul64(uint64(o[0])|uint64(o[1])<<32, uint64(r.High)-uint64(r.Low))
		return rval{i: wrapTo(dt, int64(hi+uint64(r.Low)))}
	}
}

// ---- the reference interpreter

// fusedProg is one generated case.
type fusedProg struct {
	p    *graph.FusedParams
	srcs []*tensor
}

// coords maps domain coordinates c through m.
func mapCoords(m graph.Map, c []int) []int {
	var buf [8]int
	t := buf[:0]
	if len(m) > len(buf) {
		t = make([]int, 0, len(m))
	}
	t = t[:len(m)]
	for a, am := range m {
		t[a] = am.Start
		if am.Out >= 0 {
			t[a] += am.Step * c[am.Out]
		}
	}
	return t
}

func flatOf(shape, t []int) int {
	f := 0
	for a, s := range shape { // Horner: C order
		f = f*s + t[a]
	}
	return f
}

// evalAt evaluates every instruction at domain coordinates c.
func (fp *fusedProg) evalAt(c []int, regs []rval) {
	prog := fp.p.Prog
	for i := range prog.Instrs {
		in := &prog.Instrs[i]
		switch in.Op {
		case graph.OpLoad:
			x := fp.srcs[in.Src]
			k := flatOf(x.shape, mapCoords(fp.p.Maps[in.Map], c))
			if x.f != nil {
				regs[i] = rval{f: x.f[k]}
			} else {
				regs[i] = rval{i: x.i[k]}
			}
		case graph.OpConst:
			switch {
			case in.DType.IsFloat():
				regs[i] = rval{f: roundTo(in.DType, math.Float64frombits(in.Imm))}
			default:
				regs[i] = rval{i: wrapTo(in.DType, int64(in.Imm))}
			}
		case graph.OpIndex:
			v := mapCoords(fp.p.Maps[in.Map], c)[in.Imm]
			if in.DType.IsFloat() {
				regs[i] = rval{f: roundTo(in.DType, float64(v))}
			} else {
				regs[i] = rval{i: wrapTo(in.DType, int64(v))}
			}
		case graph.OpRandom:
			r := &prog.Rands[in.Imm]
			regs[i] = randRef(r, in.DType, flatOf(r.Shape, mapCoords(fp.p.Maps[in.Map], c)))
		default:
			regs[i] = evalOp(prog, in, regs)
		}
	}
}

// evalOp is the NumPy meaning of one computing instruction.
func evalOp(prog *graph.Program, in *graph.Instr, regs []rval) rval {
	a := regs[in.A]
	var b, cc rval
	ar := in.Op.Arity()
	if ar > 1 {
		b = regs[in.B]
	}
	if ar > 2 {
		cc = regs[in.C]
	}
	if a.unk || (ar > 1 && b.unk) || (ar > 2 && cc.unk) {
		return rval{unk: true}
	}
	dt := in.DType
	adt := prog.Instrs[in.A].DType
	switch {
	case in.Op == graph.OpCast:
		return castRef(a, adt, dt)
	case in.Op == graph.OpWhere:
		if a.i != 0 {
			return b
		}
		return cc
	case in.Op.IsCompare():
		return compareRef(in.Op, adt, a, b)
	case in.Op.IsPredicate():
		return predicateRef(in.Op, adt, a)
	case dt == graph.Bool:
		switch in.Op {
		case graph.OpNot, graph.OpBitNot:
			return rval{i: 1 - a.i}
		case graph.OpAnd, graph.OpMin, graph.OpMul, graph.OpBitAnd:
			return rval{i: a.i & b.i}
		case graph.OpBitXor:
			return rval{i: b2i(a.i != b.i)}
		default: // Or, Max, Add, BitOr
			return rval{i: a.i | b.i}
		}
	case dt.IsInt():
		return rval{i: wrapTo(dt, intRef(in.Op, dt, a.i, b.i))}
	}
	return floatRef(in.Op, dt, a, b)
}

func castRef(a rval, from, to graph.DType) rval {
	switch {
	case from.IsFloat() && to.IsFloat():
		v := roundTo(to, a.f)
		if a.err == 0 {
			return rval{f: v}
		}
		return finish(to, v, a.err+eps(to)*math.Abs(v), true)
	case from.IsFloat() && to == graph.Bool:
		if a.err > 0 && !(math.Abs(a.f) > a.err) {
			return rval{unk: true}
		}
		return rval{i: b2i(a.f != 0)}
	case from.IsFloat():
		lo, hi := -9.223372036854775808e18, 9.223372036854775807e18
		if to == graph.Int32 {
			lo, hi = -2147483649, 2147483648
		}
		// NaN and out-of-range values are implementation-defined
		if !(a.f-a.err > lo && a.f+a.err < hi) || math.Trunc(a.f-a.err) != math.Trunc(a.f+a.err) {
			return rval{unk: true}
		}
		return rval{i: int64(a.f)}
	case to == graph.Float32:
		return rval{f: float64(float32(a.i))} // one rounding, int64 -> float32
	case to == graph.Float64:
		return rval{f: float64(a.i)}
	}
	return rval{i: wrapTo(to, a.i)}
}

func compareRef(op graph.ElemOp, dt graph.DType, a, b rval) rval {
	if !dt.IsFloat() {
		x, y := a.i, b.i
		var r bool
		switch op {
		case graph.OpEq:
			r = x == y
		case graph.OpNe:
			r = x != y
		case graph.OpLt:
			r = x < y
		case graph.OpLe:
			r = x <= y
		case graph.OpGt:
			r = x > y
		case graph.OpGe:
			r = x >= y
		}
		return rval{i: b2i(r)}
	}
	x, y := a.f, b.f
	if e := a.err + b.err; e > 0 && math.Abs(x-y) <= e {
		return rval{unk: true}
	}
	var r bool
	switch op {
	case graph.OpEq:
		r = x == y
	case graph.OpNe:
		r = x != y
	case graph.OpLt:
		r = x < y
	case graph.OpLe:
		r = x <= y
	case graph.OpGt:
		r = x > y
	case graph.OpGe:
		r = x >= y
	}
	return rval{i: b2i(r)}
}

// intRef computes in wrapping int64 (the caller wraps to the dtype; the
// operands are already wrapped, which floor division needs).
func intRef(op graph.ElemOp, dt graph.DType, x, y int64) int64 {
	switch op {
	case graph.OpNeg:
		return -x
	case graph.OpAbs:
		if x < 0 {
			return -x
		}
		return x
	case graph.OpAdd:
		return x + y
	case graph.OpSub:
		return x - y
	case graph.OpMul:
		return x * y
	case graph.OpDiv: // floor division, x // 0 == 0
		if y == 0 {
			return 0
		}
		if y == -1 {
			return -x
		}
		q := x / y
		if x%y != 0 && (x < 0) != (y < 0) {
			q--
		}
		return q
	case graph.OpPow:
		r := int64(1)
		for k := int64(0); k < y; k++ {
			r = wrapTo(dt, r*x)
		}
		return r
	case graph.OpMax:
		return max(x, y)
	case graph.OpMin:
		return min(x, y)
	}
	return moreIntRef(op, dt, x, y)
}

// floatRef computes op in float64, rounds to dt and bounds the error.
func floatRef(op graph.ElemOp, dt graph.DType, a, b rval) rval {
	x, y := a.f, b.f
	ex, ey := a.err, b.err
	u := eps(dt)
	var v, e float64
	exact := ex == 0 && ey == 0 // correctly rounded ops on exact inputs agree bit for bit
	switch op {
	case graph.OpNeg:
		return rval{f: -x, err: ex}
	case graph.OpAbs:
		return rval{f: math.Abs(x), err: ex}
	case graph.OpAdd, graph.OpSub:
		if op == graph.OpSub {
			y = -y
		}
		v = roundTo(dt, x+y)
		if exact {
			return rval{f: v}
		}
		e = ex + ey + 2*u*math.Abs(v)
	case graph.OpMul:
		v = roundTo(dt, x*y)
		if exact {
			return rval{f: v}
		}
		e = ex*math.Abs(y) + ey*math.Abs(x) + ex*ey + 2*u*math.Abs(v)
	case graph.OpDiv:
		v = roundTo(dt, x/y)
		if exact {
			return rval{f: v}
		}
		if !(math.Abs(y) > 2*ey) {
			return rval{unk: true}
		}
		e = (ex+math.Abs(v)*ey)/(math.Abs(y)-ey) + 2*u*math.Abs(v)
	case graph.OpSqrt:
		v = roundTo(dt, math.Sqrt(x))
		if exact {
			return rval{f: v}
		}
		if x-ex < 0 && x+ex >= 0 {
			return rval{unk: true}
		}
		e = math.Min(math.Sqrt(ex), ex/(2*math.Sqrt(math.Max(x-ex, 0)))) + 2*u*math.Abs(v)
	case graph.OpMax, graph.OpMin:
		switch {
		case x != x:
			v = x
		case y != y:
			v = y
		case op == graph.OpMax: // NumPy: where(x >= y, x, y), so max(-0, 0) is -0
			v = y
			if x >= y {
				v = x
			}
		default:
			v = y
			if x <= y {
				v = x
			}
		}
		if v != v { // an exact NaN operand (inexact NaNs are undecided)
			return rval{f: v}
		}
		return rval{f: v, err: math.Max(ex, ey)}
	case graph.OpExp:
		v = roundTo(dt, math.Exp(x))
		e = math.Abs(v)*math.Expm1(ex) + 4*u*math.Abs(v)
	case graph.OpLog:
		v = roundTo(dt, math.Log(x))
		if ex > 0 && !(x-ex > 0) {
			return rval{unk: true}
		}
		e = ex/(x-ex) + 4*u*math.Abs(v)
		if ex == 0 {
			e = 4 * u * math.Abs(v)
		}
	case graph.OpSin, graph.OpCos:
		if op == graph.OpSin {
			v = roundTo(dt, math.Sin(x))
		} else {
			v = roundTo(dt, math.Cos(x))
		}
		e = math.Min(ex, 2) + 4*u*(math.Abs(v)+1)
	case graph.OpTanh:
		v = roundTo(dt, math.Tanh(x))
		e = ex + 4*u*(math.Abs(v)+1)
	case graph.OpPow:
		v = roundTo(dt, math.Pow(x, y))
		e = 4 * u * math.Abs(v)
		if !exact {
			if !(x > 2*ex) || x == 0 {
				return rval{unk: true}
			}
			rel := math.Abs(y)*ex/(x-ex) + math.Abs(math.Log(x))*ey
			if !(rel < 0.25) {
				return rval{unk: true}
			}
			e += 2 * math.Abs(v) * rel
		}
	default:
		return moreFloatRef(op, dt, a, b)
	}
	return finish(dt, v, e, !exact)
}

// finish adds the dtype's smallest step to a bound and gives up on values
// that an error could push into or out of overflow or NaN.
func finish(dt graph.DType, v, e float64, inexactIn bool) rval {
	e += tinyOf(dt)
	if e != e || math.IsInf(e, 0) || math.IsInf(v, 0) && inexactIn || v != v && inexactIn ||
		math.Abs(v)+e >= maxOf(dt) && !math.IsInf(v, 0) {
		return rval{unk: true}
	}
	return rval{f: v, err: e}
}

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
	return b.String()
}

// ---- running and comparing

func (e *env) fusedCase(t *testing.T, trial int, st *fusedStats) {
	t.Helper()
	fp := e.newFusedProg()
	p := fp.p
	prog := p.Prog
	odt := prog.OutDType()
	var outs []graph.Chunk
	ps := append([]int(nil), p.Shape...)
	if prog.Reduce != nil {
		for _, a := range prog.Reduce.Axes {
			ps[a] = 1
		}
		outs = prog.Reduce.Kind.PartialOutputs(odt, ps)
	} else {
		outs = []graph.Chunk{{DType: odt, Shape: p.Shape}}
	}
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
	// evaluate every element, grouped by the output element it lands in
	nout := got[0].size()
	groups := make([][]rval, nout)
	args := make([][]int64, nout)
	ostr := graph.Strides(ps)
	regs := make([]rval, len(prog.Instrs))
	c := make([]int, len(p.Shape))
	total := graph.Chunk{Shape: p.Shape}.Size()
	for range total {
		fp.evalAt(c, regs)
		o := 0
		for a, s := range ostr {
			if ps[a] != 1 {
				o += s * c[a]
			}
		}
		groups[o] = append(groups[o], regs[prog.Out])
		if p.ArgMap.Coef != nil {
			ix := p.ArgMap.Base
			for a, k := range p.ArgMap.Coef {
				ix += k * c[a]
			}
			args[o] = append(args[o], int64(ix))
		}
		for a := len(c) - 1; a >= 0; a-- { // C order
			if c[a]++; c[a] < p.Shape[a] {
				break
			}
			c[a] = 0
		}
	}
	bad := 0
	fail := func(i int, format string, a ...any) {
		if bad++; bad <= 3 {
			t.Errorf("trial %d: output element %d: %s\n%v", trial, i, fmt.Sprintf(format, a...), fp)
		}
	}
	for i := range nout {
		var ok bool
		if prog.Reduce == nil {
			ok = checkElem(odt, groups[i][0], got[0], i, fail)
		} else {
			ok = checkReduce(prog.Reduce.Kind, odt, groups[i], args[i], got, i, fail)
		}
		if ok {
			st.checked++
		} else {
			st.undecided++
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
		t2 := tol*(m2+n*spread*spread) + 4*n*e*(spread+e) + n*(tol*m)*(tol*m)
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
