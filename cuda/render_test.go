//go:build cgo

package cuda

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

var allDTypes = []graph.DType{graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64}

// definedOn reports whether the CPU interpreter defines op on operands of
// dtype d (what Render must render, and nothing else).
func definedOn(op graph.ElemOp, d graph.DType) bool {
	switch {
	case op.IsCompare(), op.IsPredicate():
		return true
	case op == graph.OpCast || op == graph.OpWhere:
		return true
	}
	if d.IsFloat() {
		switch op {
		case graph.OpNot, graph.OpBitNot, graph.OpAnd, graph.OpOr, graph.OpBitAnd, graph.OpBitOr, graph.OpBitXor, graph.OpShl, graph.OpShr:
			return false
		}
		return true
	}
	if d.IsInt() {
		switch op {
		case graph.OpNeg, graph.OpAbs, graph.OpFloor, graph.OpCeil, graph.OpRound, graph.OpTrunc, graph.OpSign, graph.OpBitNot,
			graph.OpAdd, graph.OpSub, graph.OpMul, graph.OpDiv, graph.OpFloorDiv, graph.OpMod, graph.OpBitAnd, graph.OpBitOr,
			graph.OpBitXor, graph.OpShl, graph.OpShr, graph.OpPow, graph.OpMax, graph.OpMin:
			return true
		}
		return false
	}
	switch op { // bool
	case graph.OpNot, graph.OpBitNot, graph.OpAnd, graph.OpMin, graph.OpMul, graph.OpBitAnd, graph.OpOr, graph.OpMax,
		graph.OpAdd, graph.OpBitOr, graph.OpBitXor, graph.OpFloor, graph.OpCeil, graph.OpRound, graph.OpTrunc:
		return true
	}
	return false
}

// everyOpProgram applies every op defined on d (unary, binary, compare,
// predicate, casts to every dtype, where) to two loads; the result is the
// last register.
func everyOpProgram(d graph.DType) *graph.Program {
	p := &graph.Program{}
	emit := func(in graph.Instr) int32 { p.Instrs = append(p.Instrs, in); return int32(len(p.Instrs) - 1) }
	a := emit(graph.Instr{Op: graph.OpLoad, DType: d, Src: 0, Map: 0})
	b := emit(graph.Instr{Op: graph.OpLoad, DType: d, Src: 1, Map: 1})
	cond := emit(graph.Instr{Op: graph.OpLoad, DType: graph.Bool, Src: 2, Map: 0})
	emit(graph.Instr{Op: graph.OpConst, DType: d, Imm: graph.ConstBits(d, 3)})
	if d != graph.Bool {
		emit(graph.Instr{Op: graph.OpIndex, DType: d, Map: 1, Imm: 0})
	}
	for op := graph.OpCast; op.Valid(); op++ {
		if !definedOn(op, d) {
			continue
		}
		switch {
		case op == graph.OpCast:
			for _, to := range allDTypes {
				emit(graph.Instr{Op: op, DType: to, A: a})
			}
		case op == graph.OpWhere:
			emit(graph.Instr{Op: op, DType: d, A: cond, B: a, C: b})
		case op.IsCompare() || op.IsPredicate():
			emit(graph.Instr{Op: op, DType: graph.Bool, A: a, B: b})
		default:
			emit(graph.Instr{Op: op, DType: d, A: a, B: b})
		}
	}
	p.Out = int32(len(p.Instrs) - 1)
	return p
}

func TestRenderRejects(t *testing.T) {
	p := everyOpProgram(graph.Float64)
	p.Instrs = append(p.Instrs, graph.Instr{Op: graph.OpShl, DType: graph.Float64, A: 0, B: 1})
	if _, err := Render(p, 2); err == nil || !strings.Contains(err.Error(), "shl") {
		t.Fatalf("shl on float64 rendered: %v", err)
	}
	r := &graph.Program{Instrs: []graph.Instr{{Op: graph.OpRandom, DType: graph.Float64}}, Rands: []graph.RandSpec{{Kind: graph.RandUniform}}}
	if _, err := Render(r, 1); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("random: %v", err)
	}
	bad := &graph.Program{Instrs: []graph.Instr{{Op: graph.OpNeg, DType: graph.Float64, A: 0}}}
	if _, err := Render(bad, 1); err == nil {
		t.Fatal("a register read before it is written rendered")
	}
	red := everyOpProgram(graph.Int32)
	red.Reduce = &graph.Reduce{Kind: graph.ReduceSum, Axes: []int{2}}
	if _, err := Render(red, 2); err == nil {
		t.Fatal("a reduce axis outside the domain rendered")
	}
}

// compileAll compiles kernels (rendered without the prelude) as one
// translation unit and checks every name is an entry of the PTX.
func compileAll(t *testing.T, n *NVRTC, what string, bodies []string, names []string) {
	t.Helper()
	code := fusedPrelude + strings.Join(bodies, "\n")
	ptx, err := n.Compile(code, what+".cu", "--gpu-architecture=compute_80", "--std=c++14")
	if err != nil {
		t.Fatalf("%s: %v\nsource:\n%s", what, err, numbered(code))
	}
	entries := map[string]bool{}
	for _, e := range PTXEntries(ptx) {
		entries[e] = true
	}
	for _, name := range names {
		if !entries[name] {
			t.Errorf("%s: no entry %s in the PTX", what, name)
		}
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%4d %s\n", i+1, l)
	}
	return b.String()
}

// TestNVRTCCompilesEveryOp renders a program of every op defined on each
// dtype, at ranks 0 to 3, with and without each reduce kind, and compiles
// them with NVRTC.
func TestNVRTCCompilesEveryOp(t *testing.T) {
	n := openSystemNVRTC(t)
	var bodies, names []string
	for _, d := range allDTypes {
		for nd := 0; nd <= 3; nd++ {
			name := fmt.Sprintf("every_%v_%d", d, nd)
			body, _, err := renderKernel(everyOpProgram(d), nd, name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			bodies, names = append(bodies, body), append(names, name)
		}
	}
	compileAll(t, n, "every_op", bodies, names)
	bodies, names = nil, nil
	for _, d := range allDTypes {
		for kind := graph.ReduceSum; kind <= graph.ReduceMoments; kind++ {
			p := everyOpProgram(d)
			p.Out = 0 // the first load: a value of dtype d
			p.Reduce = &graph.Reduce{Kind: kind, Axes: []int{0, 2}}
			name := fmt.Sprintf("reduce_%v_%v", kind, d)
			body, src, err := renderKernel(p, 3, name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if dts, n := kind.PartialLayout(d); src.NumOut != n || dts[0] == graph.Invalid {
				t.Fatalf("%s: %d outputs, want %d", name, src.NumOut, n)
			}
			bodies, names = append(bodies, body), append(names, name)
		}
	}
	compileAll(t, n, "every_reduce", bodies, names)
}

// randomProgram draws a valid program over a domain of nd axes reading
// nsrc sources: leaves, then computing instructions on earlier registers
// of matching dtypes, casts to make them match, an optional reduction.
func randomProgram(rng *rand.Rand, nd int) *graph.Program {
	p := &graph.Program{}
	emit := func(in graph.Instr) int32 { p.Instrs = append(p.Instrs, in); return int32(len(p.Instrs) - 1) }
	byType := map[graph.DType][]int32{}
	add := func(r int32) { d := p.Instrs[r].DType; byType[d] = append(byType[d], r) }
	nsrc := 1 + rng.IntN(3)
	for s := 0; s < nsrc; s++ {
		add(emit(graph.Instr{Op: graph.OpLoad, DType: allDTypes[rng.IntN(len(allDTypes))], Src: int32(s), Map: int32(s)}))
	}
	add(emit(graph.Instr{Op: graph.OpConst, DType: graph.Float64, Imm: graph.ConstBits(graph.Float64, rng.NormFloat64())}))
	add(emit(graph.Instr{Op: graph.OpIndex, DType: graph.Int64, Map: 0, Imm: 0}))
	get := func(d graph.DType) int32 {
		if rs := byType[d]; len(rs) > 0 && rng.IntN(4) > 0 {
			return rs[rng.IntN(len(rs))]
		}
		src := int32(rng.IntN(len(p.Instrs)))
		r := emit(graph.Instr{Op: graph.OpCast, DType: d, A: src})
		add(r)
		return r
	}
	for k := 0; k < 4+rng.IntN(12); k++ {
		d := allDTypes[rng.IntN(len(allDTypes))]
		op := graph.ElemOp(int(graph.OpCast) + rng.IntN(int(graph.OpShr-graph.OpCast)+1))
		if !definedOn(op, d) || op == graph.OpCast {
			continue
		}
		switch {
		case op == graph.OpWhere:
			add(emit(graph.Instr{Op: op, DType: d, A: get(graph.Bool), B: get(d), C: get(d)}))
		case op.IsCompare():
			a := get(d)
			add(emit(graph.Instr{Op: op, DType: graph.Bool, A: a, B: get(d)}))
		case op.IsPredicate():
			add(emit(graph.Instr{Op: op, DType: graph.Bool, A: get(d)}))
		case op.Arity() == 1:
			add(emit(graph.Instr{Op: op, DType: d, A: get(d)}))
		default:
			a := get(d)
			add(emit(graph.Instr{Op: op, DType: d, A: a, B: get(d)}))
		}
	}
	p.Out = int32(len(p.Instrs) - 1)
	if nd > 0 && rng.IntN(2) == 0 {
		kind := graph.ReduceKind(1 + rng.IntN(int(graph.ReduceMoments)))
		var axes []int
		for a := 0; a < nd; a++ {
			if rng.IntN(2) == 0 {
				axes = append(axes, a)
			}
		}
		p.Reduce = &graph.Reduce{Kind: kind, Axes: axes}
	}
	return p
}

// TestNVRTCCompilesRandomPrograms renders random programs and compiles them
// with NVRTC, in batches.
func TestNVRTCCompilesRandomPrograms(t *testing.T) {
	n := openSystemNVRTC(t)
	rng := rand.New(rand.NewPCG(4, 2026))
	for batch := 0; batch < 3; batch++ {
		var bodies, names []string
		for k := 0; k < 30; k++ {
			nd := rng.IntN(4)
			p := randomProgram(rng, nd)
			name := fmt.Sprintf("random_%d_%d", batch, k)
			body, _, err := renderKernel(p, nd, name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			bodies, names = append(bodies, body), append(names, name)
		}
		compileAll(t, n, fmt.Sprintf("random_%d", batch), bodies, names)
	}
}

func TestCompilerCachesByHash(t *testing.T) {
	n := openSystemNVRTC(t)
	c := NewCompiler(n, "")
	p := everyOpProgram(graph.Float32)
	s1, err := Render(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := Render(everyOpProgram(graph.Float32), 2)
	s3, _ := Render(p, 3)
	if s1.Key() != s2.Key() || s1.Key() == s3.Key() || s1.Name == s3.Name {
		t.Fatalf("keys %s %s %s, names %s %s", s1.Key(), s2.Key(), s3.Key(), s1.Name, s3.Name)
	}
	for _, s := range []*Source{s1, s2, s1, s3} {
		ptx, err := c.PTX(s)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ptx, ".entry "+s.Name) {
			t.Fatalf("PTX lacks %s", s.Name)
		}
	}
	if c.Compilations() != 2 {
		t.Fatalf("%d NVRTC runs, want 2", c.Compilations())
	}
}
