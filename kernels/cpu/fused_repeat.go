package cpu

import (
	"unsafe"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// Work a fused program need not do twice: repeated loads, draws,
// constants and pure operations (findRepeats), and a sin and a cos of
// one operand computed together (pairSinCos).

// constFloat is the value of register r where it holds a constant: an
// OpConst, or an OpConst cast to a float type (as a weak Go scalar is).
func constFloat(prog *graph.Program, r int32) (float64, bool) {
	in := &prog.Instrs[r]
	to := in.DType
	if in.Op == graph.OpCast && to.IsFloat() {
		in = &prog.Instrs[in.A]
	}
	if in.Op != graph.OpConst {
		return 0, false
	}
	var v float64
	switch in.DType {
	case graph.Float64, graph.Float32:
		v = float64frombits(in.Imm)
	case graph.Int64:
		v = float64(int64(in.Imm))
	case graph.Int32:
		v = float64(int32(int64(in.Imm)))
	case graph.Bool:
		v = float64(in.Imm & 1)
	default:
		return 0, false
	}
	if in.DType == graph.Float32 || to == graph.Float32 {
		v = float64(float32(v))
	}
	return v, true
}

// pairSinCos finds each float64 sin whose input also feeds a later
// float64 cos, so the interpreter computes both from one reduction
// (sincosSlice, the same bits): pair[sin] = cos and done[cos] = true.
func pairSinCos(prog *graph.Program, pair []int32, done []bool, same []int32) {
	if trigLevel == vecNone {
		return
	}
	for i := range prog.Instrs {
		in := &prog.Instrs[i]
		if in.Op != graph.OpSin || in.DType != graph.Float64 || same[i] != int32(i) {
			continue
		}
		for j := i + 1; j < len(prog.Instrs); j++ {
			c := &prog.Instrs[j]
			if c.Op == graph.OpCos && c.DType == graph.Float64 && same[c.A] == same[in.A] && !done[j] && same[j] == int32(j) {
				pair[i], done[j] = int32(j), true
				break
			}
		}
	}
}

// findRepeats sets same[i] to the first earlier instruction that computes
// what instruction i does (else i): loads of the same buffer through the
// same offsets in the same mode, draws of equal random streams at the same
// offsets, equal constants, and pure operations of the same op, type
// and immediate on repeated operands. Fusion leaves such repeats when one
// array reaches a task by two paths (sin(x)**2 + cos(x)**2 loads x twice);
// a repeat costs nothing (a random one no second Philox), and a sin and a cos of one
// operand become one sincos.
func findRepeats(prog *graph.Program, pl *plan, l *kernels.Launch, modes []loadMode, same []int32) {
	for i := range prog.Instrs {
		same[i] = int32(i)
		in := &prog.Instrs[i]
		ar := in.Op.Arity()
		leaf := in.Op == graph.OpLoad || in.Op == graph.OpRandom
		if !leaf && in.Op != graph.OpConst && (pl.has[i] || ar == 0) {
			continue // other position-dependent leaves keep their own
		}
	search:
		for j := 0; j < i; j++ {
			o := &prog.Instrs[j]
			if same[j] != int32(j) || o.Op != in.Op || o.DType != in.DType || o.Op.Arity() != ar {
				continue
			}
			if leaf {
				if !pl.has[i] || !pl.has[j] || !sameAffine(&pl.acc[i], &pl.acc[j]) {
					continue
				}
				if in.Op == graph.OpLoad && (modes[i] != modes[j] || !sameBuffer(l.Src[in.Src].Bytes(), l.Src[o.Src].Bytes())) {
					continue
				}
				// a draw's mode follows from its stream, type and offsets
				// (setLoadModes), and every mode gives the stream's values
				if in.Op == graph.OpRandom && !sameRand(&prog.Rands[in.Imm], &prog.Rands[o.Imm]) {
					continue
				}
				same[i] = int32(j)
				break
			}
			if o.Imm != in.Imm {
				continue
			}
			args := [3]int32{in.A, in.B, in.C}
			oargs := [3]int32{o.A, o.B, o.C}
			if commutes(in.Op) && same[args[0]] == same[oargs[1]] && same[args[1]] == same[oargs[0]] {
				same[i] = int32(j)
				break
			}
			for k := 0; k < ar; k++ {
				if same[args[k]] != same[oargs[k]] {
					continue search
				}
			}
			same[i] = int32(j)
			break
		}
	}
}

// sameRand reports whether two random streams give the same values at
// the same flat index.
func sameRand(a, b *graph.RandSpec) bool {
	if a.Kind != b.Kind || a.Seed != b.Seed || a.Stream != b.Stream || a.Low != b.Low || a.High != b.High || len(a.Shape) != len(b.Shape) {
		return false
	}
	for k := range a.Shape {
		if a.Shape[k] != b.Shape[k] {
			return false
		}
	}
	return true
}

func sameBuffer(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || unsafe.SliceData(a) == unsafe.SliceData(b))
}

func sameAffine(a, b *affine) bool {
	if a.base != b.base || len(a.coef) != len(b.coef) {
		return false
	}
	for k := range a.coef {
		if a.coef[k] != b.coef[k] {
			return false
		}
	}
	return true
}

// commutes reports whether op gives the same value with its two operands
// swapped: a + b and a * b (IEEE addition and multiplication commute;
// only which NaN's payload a NaN result carries may differ). Max and min
// do not: a tie of ±0 or two NaNs keep the first operand.
func commutes(op graph.ElemOp) bool {
	return op == graph.OpAdd || op == graph.OpMul
}
