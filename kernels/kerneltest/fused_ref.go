package kerneltest

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/blockwork-dev/blockwork/graph"
)

// The reference interpreter of the fused conformance check: values with
// error bounds, its own Philox, and element-by-element evaluation with
// NumPy semantics.

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

// ---- Philox4x32-10, as DESIGN.md (Random) and graph.RandSpec define it

// philox is block b of stream under seed.
func philox(b, stream, seed uint64) [4]uint32 {
	c := [4]uint32{uint32(b), uint32(b >> 32), uint32(stream), uint32(stream >> 32)}
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

// randRef is element flat of stream r as dtype dt, with its error bound:
// 64 bits from words (0, 1) or (2, 3) of block flat/2 as flat is even or
// odd (float64 uniform, integers), 32 bits from word flat%4 of block
// flat/4 (float32 uniform), all four words of block flat (normal).
func randRef(r *graph.RandSpec, dt graph.DType, flat int) rval {
	i := uint64(flat)
	half := func() (lo, hi uint32) {
		o := philox(i/2, r.Stream, r.Seed)
		if i%2 == 1 {
			return o[2], o[3]
		}
		return o[0], o[1]
	}
	switch r.Kind {
	case graph.RandUniform:
		if dt == graph.Float32 {
			w := philox(i/4, r.Stream, r.Seed)[i%4]
			return rval{f: float64(float32(w>>8) * 0x1p-24)}
		}
		return rval{f: u53(half())}
	case graph.RandNormal:
		o := philox(i, r.Stream, r.Seed)
		z := math.Sqrt(-2*math.Log(1-u53(o[0], o[1]))) * math.Cos(2*math.Pi*u53(o[2], o[3]))
		v := roundTo(dt, z)
		// backends use their own log and sincos: a few ulps
		return rval{f: v, err: 8 * eps(dt) * (math.Abs(v) + 1)}
	default:
		lo, hi := half()
		h, _ := bits.Mul64(uint64(lo)|uint64(hi)<<32, uint64(r.High)-uint64(r.Low))
		return rval{i: wrapTo(dt, int64(h+uint64(r.Low)))}
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
		v = roundTo(dt, refPow(x, y))
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

// refPow is x**y: math.Pow's special cases, and for a finite nonzero x
// and a finite y (an integer where x < 0) ±exp(y·ln|x|) in 160-bit
// arithmetic, rounded once
// (math.Pow itself can be many ulps off: 9 seen for 3.2e18 ** -14.5,
// whose true value NumPy and the kernel give).
func refPow(x, y float64) float64 {
	if x < 0 && !math.IsInf(x, 0) && !math.IsInf(y, 0) && y == math.Trunc(y) {
		// a negative base to an integer power: |x|**y with y's parity
		v := refPow(-x, y)
		if math.Mod(y, 2) != 0 {
			v = -v
		}
		return v
	}
	if !(x > 0) || math.IsInf(x, 0) || math.IsInf(y, 0) || y != y || y == 0 || x == 1 {
		return math.Pow(x, y)
	}
	const prec = 160
	nf := func(v float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(v) }
	// ln m = 2 atanh((m-1)/(m+1)), for m near 1
	atanh2 := func(m *big.Float) *big.Float {
		one := nf(1)
		z := new(big.Float).SetPrec(prec).Quo(new(big.Float).SetPrec(prec).Sub(m, one), new(big.Float).SetPrec(prec).Add(m, one))
		z2 := new(big.Float).SetPrec(prec).Mul(z, z)
		sum, term := new(big.Float).SetPrec(prec), new(big.Float).SetPrec(prec).Set(z)
		for k := 1; k < 400; k += 2 {
			q := new(big.Float).SetPrec(prec).Quo(term, nf(float64(k)))
			sum.Add(sum, q)
			if q.Sign() == 0 || q.MantExp(nil)-sum.MantExp(nil) < -prec {
				break
			}
			term.Mul(term, z2)
		}
		return sum.Mul(sum, nf(2))
	}
	ln2 := atanh2(nf(2))
	frac, exp := math.Frexp(x) // x = frac·2^exp, frac in [0.5, 1)
	lnx := atanh2(nf(frac))
	lnx.Add(lnx, new(big.Float).SetPrec(prec).Mul(ln2, nf(float64(exp))))
	t := new(big.Float).SetPrec(prec).Mul(lnx, nf(y))
	// exp(t) = 2^k exp(r), r = t - k ln2
	kf, _ := new(big.Float).SetPrec(prec).Quo(t, ln2).Float64()
	k := math.Round(kf)
	if math.Abs(k) > 1200 {
		return math.Pow(x, y) // far outside float64: 0 or Inf either way
	}
	r := new(big.Float).SetPrec(prec).Sub(t, new(big.Float).SetPrec(prec).Mul(ln2, nf(k)))
	sum, term := nf(1), nf(1)
	for n := 1; n < 200; n++ {
		term.Mul(term, r)
		term.Quo(term, nf(float64(n)))
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -prec {
			break
		}
	}
	sum.SetMantExp(sum, int(k))
	v, _ := sum.Float64()
	return v
}
