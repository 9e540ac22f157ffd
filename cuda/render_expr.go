package cuda

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
)

// expr renders instruction i as a CUDA C expression over earlier
// registers r<k>; offset renders a leaf's affine offset from its geometry.
func (r *renderer) expr(i int, in graph.Instr, offset func(int) string) (string, error) {
	d := in.DType
	t := ctype(d)
	reg := func(k int32) string { return fmt.Sprintf("r%d", k) }
	a, b, c := reg(in.A), reg(in.B), reg(in.C)
	var da graph.DType
	if in.Op.Arity() > 0 {
		da = r.prog.Instrs[in.A].DType
	}
	if ar := in.Op.Arity(); ar >= 2 && !in.Op.IsCompare() && in.Op != graph.OpWhere && in.Op != graph.OpCast {
		if da != d || r.prog.Instrs[in.B].DType != d {
			return "", fmt.Errorf("operands %v, %v for a result of %v", da, r.prog.Instrs[in.B].DType, d)
		}
	}
	switch in.Op {
	case graph.OpLoad:
		off := offset(r.leafGeom(i))
		if d == graph.Bool {
			return fmt.Sprintf("(s%d[%s] != 0)", in.Src, off), nil
		}
		return fmt.Sprintf("s%d[%s]", in.Src, off), nil
	case graph.OpIndex:
		if d == graph.Bool {
			return "", fmt.Errorf("index as bool")
		}
		return fmt.Sprintf("(%s)(%s)", t, offset(r.leafGeom(i))), nil
	case graph.OpRandom:
		return "", fmt.Errorf("%w: random streams (Philox) are not rendered yet", ErrUnsupported)
	case graph.OpConst:
		switch d {
		case graph.Float64:
			return fmt.Sprintf("bw_f64(0x%016xull)", in.Imm), nil
		case graph.Float32:
			return fmt.Sprintf("bw_f32(0x%016xull)", in.Imm), nil
		case graph.Int64:
			return fmt.Sprintf("(i64)0x%016xull", in.Imm), nil
		case graph.Int32:
			return fmt.Sprintf("(int)(i64)0x%016xull", in.Imm), nil
		}
		return fmt.Sprintf("%v", in.Imm&1 == 1), nil
	case graph.OpCast:
		return castExpr(a, da, d), nil
	case graph.OpWhere:
		if da != graph.Bool || r.prog.Instrs[in.B].DType != d || r.prog.Instrs[in.C].DType != d {
			return "", fmt.Errorf("where over %v ? %v : %v", da, r.prog.Instrs[in.B].DType, r.prog.Instrs[in.C].DType)
		}
		return fmt.Sprintf("(%s ? %s : %s)", a, b, c), nil
	}
	if in.Op.IsCompare() {
		if d != graph.Bool || r.prog.Instrs[in.B].DType != da {
			return "", fmt.Errorf("comparison of %v and %v as %v", da, r.prog.Instrs[in.B].DType, d)
		}
		ops := map[graph.ElemOp]string{graph.OpEq: "==", graph.OpNe: "!=", graph.OpLt: "<", graph.OpLe: "<=", graph.OpGt: ">", graph.OpGe: ">="}
		return fmt.Sprintf("(%s %s %s)", a, ops[in.Op], b), nil
	}
	if in.Op.IsPredicate() {
		if d != graph.Bool {
			return "", fmt.Errorf("predicate as %v", d)
		}
		if !da.IsFloat() {
			return map[graph.ElemOp]string{graph.OpIsNaN: "false", graph.OpIsInf: "false", graph.OpIsFinite: "true"}[in.Op], nil
		}
		return map[graph.ElemOp]string{graph.OpIsNaN: "(" + a + " != " + a + ")", graph.OpIsInf: "(isinf(" + a + ") != 0)", graph.OpIsFinite: "(isfinite(" + a + ") != 0)"}[in.Op], nil
	}
	if in.Op.Arity() == 1 && da != d {
		return "", fmt.Errorf("operand %v for a result of %v", da, d)
	}
	var e string
	switch {
	case d.IsFloat():
		e = floatExpr(in.Op, d, a, b)
	case d.IsInt():
		e = intExpr(in.Op, d, a, b)
	case d == graph.Bool:
		e = boolExpr(in.Op, a, b)
	}
	if e == "" {
		return "", fmt.Errorf("op %v not defined on %v", in.Op, d)
	}
	return e, nil
}

// leafGeom is the geometry slot of leaf instruction i (leaves in order
// after the shape).
func (r *renderer) leafGeom(i int) int {
	g := r.nd
	for k := 0; k < i; k++ {
		if isLeaf(r.prog.Instrs[k].Op) {
			g += 1 + r.nd
		}
	}
	return g
}

func castExpr(a string, from, to graph.DType) string {
	t := ctype(to)
	switch {
	case to == graph.Bool:
		return "(" + a + " != 0)"
	case to.IsFloat():
		return "(" + t + ")" + a
	case to == graph.Int64 && from.IsFloat():
		return "bw_to_i64((double)" + a + ")"
	case to == graph.Int32 && from.IsFloat():
		return "bw_to_i32((double)" + a + ")"
	case to == graph.Int32 && from == graph.Int64:
		return "(int)(unsigned)(u64)" + a
	}
	return "(" + t + ")" + a
}

// float unary ops that the CPU computes in float64 and rounds once
var viaDouble = map[graph.ElemOp]string{
	graph.OpLog1p: "log1p", graph.OpExpm1: "expm1", graph.OpLog2: "bw_log2", graph.OpLog10: "bw_log10",
	graph.OpTan: "tan", graph.OpAsin: "asin", graph.OpAcos: "acos", graph.OpAtan: "atan", graph.OpSinh: "sinh",
	graph.OpCosh: "cosh", graph.OpAsinh: "asinh", graph.OpAcosh: "acosh", graph.OpAtanh: "atanh",
}

// float unary ops with a function of each precision
var native = map[graph.ElemOp]string{
	graph.OpAbs: "fabs", graph.OpSqrt: "sqrt", graph.OpExp: "exp", graph.OpLog: "log", graph.OpSin: "sin",
	graph.OpCos: "cos", graph.OpTanh: "tanh", graph.OpFloor: "floor", graph.OpCeil: "ceil", graph.OpRound: "rint",
	graph.OpTrunc: "trunc",
}

func floatExpr(op graph.ElemOp, d graph.DType, a, b string) string {
	t := ctype(d)
	suffix := ""
	if d == graph.Float32 {
		suffix = "f"
	}
	if f, ok := native[op]; ok {
		return f + suffix + "(" + a + ")"
	}
	if f, ok := viaDouble[op]; ok {
		return "(" + t + ")" + f + "((double)" + a + ")"
	}
	switch op {
	case graph.OpNeg:
		return "(-" + a + ")"
	case graph.OpSign:
		return "bw_sign(" + a + ")"
	case graph.OpAdd:
		return "(" + a + " + " + b + ")"
	case graph.OpSub:
		return "(" + a + " - " + b + ")"
	case graph.OpMul:
		return "(" + a + " * " + b + ")"
	case graph.OpDiv:
		return "(" + a + " / " + b + ")"
	case graph.OpPow:
		return "(" + t + ")pow((double)" + a + ", (double)" + b + ")"
	case graph.OpMax:
		return "bw_max(" + a + ", " + b + ")"
	case graph.OpMin:
		return "bw_min(" + a + ", " + b + ")"
	case graph.OpFloorDiv:
		return "bw_floordiv(" + a + ", " + b + ")"
	case graph.OpMod:
		return "bw_modf(" + a + ", " + b + ")"
	case graph.OpAtan2:
		return "(" + t + ")atan2((double)" + a + ", (double)" + b + ")"
	case graph.OpHypot:
		return "(" + t + ")hypot((double)" + a + ", (double)" + b + ")"
	}
	return ""
}

func intExpr(op graph.ElemOp, d graph.DType, a, b string) string {
	t := ctype(d)
	wrap := func(o string) string { return "(" + t + ")((u64)" + a + " " + o + " (u64)" + b + ")" }
	switch op {
	case graph.OpNeg:
		return "(" + t + ")(0ull - (u64)" + a + ")"
	case graph.OpAbs:
		return "(" + a + " < 0 ? (" + t + ")(0ull - (u64)" + a + ") : " + a + ")"
	case graph.OpFloor, graph.OpCeil, graph.OpRound, graph.OpTrunc:
		return a
	case graph.OpSign:
		return "(" + t + ")((" + a + " > 0) - (" + a + " < 0))"
	case graph.OpBitNot:
		return "(" + t + ")(~" + a + ")"
	case graph.OpAdd:
		return wrap("+")
	case graph.OpSub:
		return wrap("-")
	case graph.OpMul:
		return wrap("*")
	case graph.OpDiv, graph.OpFloorDiv:
		return "bw_idiv(" + a + ", " + b + ")"
	case graph.OpMod:
		return "bw_imod(" + a + ", " + b + ")"
	case graph.OpBitAnd:
		return "(" + t + ")(" + a + " & " + b + ")"
	case graph.OpBitOr:
		return "(" + t + ")(" + a + " | " + b + ")"
	case graph.OpBitXor:
		return "(" + t + ")(" + a + " ^ " + b + ")"
	case graph.OpShl:
		return "bw_shl(" + a + ", " + b + ")"
	case graph.OpShr:
		return "bw_shr(" + a + ", " + b + ")"
	case graph.OpPow:
		return "bw_ipow(" + a + ", " + b + ", status)"
	case graph.OpMax:
		return "(" + a + " > " + b + " ? " + a + " : " + b + ")"
	case graph.OpMin:
		return "(" + a + " < " + b + " ? " + a + " : " + b + ")"
	}
	return ""
}

func boolExpr(op graph.ElemOp, a, b string) string {
	switch op {
	case graph.OpNot, graph.OpBitNot:
		return "(!" + a + ")"
	case graph.OpAnd, graph.OpMin, graph.OpMul, graph.OpBitAnd:
		return "(" + a + " && " + b + ")"
	case graph.OpOr, graph.OpMax, graph.OpAdd, graph.OpBitOr:
		return "(" + a + " || " + b + ")"
	case graph.OpBitXor:
		return "(" + a + " != " + b + ")"
	case graph.OpFloor, graph.OpCeil, graph.OpRound, graph.OpTrunc:
		return a
	}
	return ""
}

// reduceInit declares the accumulators of one output element.
func (r *renderer) reduceInit(kind graph.ReduceKind, odt graph.DType, outs []graph.DType) {
	p := func(f string, args ...any) { r.printf("\t\t"+f+"\n", args...) }
	switch kind {
	case graph.ReduceSum:
		p("%s acc = 0;", ctype(outs[0]))
	case graph.ReduceProd:
		p("%s acc = 1;", ctype(outs[0]))
	case graph.ReduceMin, graph.ReduceMax:
		p("%s acc = %s;", ctype(odt), extremeInit(odt, kind == graph.ReduceMin))
	case graph.ReduceAny:
		p("bool acc = false;")
	case graph.ReduceAll:
		p("bool acc = true;")
	case graph.ReduceArgMin, graph.ReduceArgMax:
		p("%s acc = 0; i64 accIx = -1;", ctype(odt))
	case graph.ReduceMoments:
		p("double cnt = 0, mean = 0, m2 = 0;")
	}
}

// extremeInit is the identity of min (+Inf, the largest integer) or max.
func extremeInit(d graph.DType, isMin bool) string {
	switch d {
	case graph.Float64:
		if isMin {
			return "bw_f64(0x7ff0000000000000ull)"
		}
		return "bw_f64(0xfff0000000000000ull)"
	case graph.Float32:
		if isMin {
			return "bw_f32(0x7ff0000000000000ull)"
		}
		return "bw_f32(0xfff0000000000000ull)"
	case graph.Int64:
		if isMin {
			return "9223372036854775807ll"
		}
		return "(-9223372036854775807ll - 1)"
	case graph.Int32:
		if isMin {
			return "2147483647"
		}
		return "(-2147483647 - 1)"
	}
	return fmt.Sprint(isMin) // bool: min of none is true, max false
}

// reduceStep folds value x (global index ix for arg kinds) into the
// accumulators.
func (r *renderer) reduceStep(kind graph.ReduceKind, odt graph.DType, x, ix, ind string) {
	p := func(f string, args ...any) { r.printf(ind+f+"\n", args...) }
	switch kind {
	case graph.ReduceSum, graph.ReduceProd:
		sd := graph.SumDType(odt)
		o := "+"
		if kind == graph.ReduceProd {
			o = "*"
		}
		if sd.IsInt() {
			p("acc = (%s)((u64)acc %s (u64)(%s)%s);", ctype(sd), o, ctype(sd), x)
		} else {
			p("acc = acc %s %s;", o, x)
		}
	case graph.ReduceMin, graph.ReduceMax:
		switch {
		case odt == graph.Bool && kind == graph.ReduceMin:
			p("acc = acc && %s;", x)
		case odt == graph.Bool:
			p("acc = acc || %s;", x)
		case kind == graph.ReduceMin:
			p("acc = bw_min(acc, %s);", x)
		default:
			p("acc = bw_max(acc, %s);", x)
		}
	case graph.ReduceAny:
		p("acc = acc || (%s != 0);", x)
	case graph.ReduceAll:
		p("acc = acc && (%s != 0);", x)
	case graph.ReduceArgMin, graph.ReduceArgMax:
		cmp := "<"
		if kind == graph.ReduceArgMax {
			cmp = ">"
		}
		p("{ const %s v = %s;", ctype(odt), x)
		p("if (accIx < 0 || (acc == acc && (v != v || v %s acc))) { acc = v; accIx = %s; } }", cmp, ix)
	case graph.ReduceMoments:
		p("{ const double v = (double)%s; cnt += 1; const double d = v - mean; mean += d / cnt; m2 += d * (v - mean); }", x)
	}
}

// reduceStore writes the accumulators of one output element.
func (r *renderer) reduceStore(kind graph.ReduceKind, odt graph.DType, outs []graph.DType, off string) {
	p := func(f string, args ...any) { r.printf("\t\t"+f+"\n", args...) }
	p("const i64 o = %s;", off)
	switch kind {
	case graph.ReduceArgMin, graph.ReduceArgMax:
		p("out0[o] = (%s)acc; out1[o] = accIx;", memtype(odt))
	case graph.ReduceMoments:
		p("out0[o] = cnt; out1[o] = mean; out2[o] = m2;")
	default:
		p("out0[o] = (%s)acc;", memtype(outs[0]))
	}
}
