package graph

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
)

// ElemOp is one instruction of a fused elementwise Program.
type ElemOp uint8

// Instructions. Unary ops read A; binary ops read A and B; Where reads A
// (bool condition), B and C. Comparisons and predicates yield bool. Cast
// converts A to the instruction's DType. Load, Index and Random are the
// position-dependent leaves: each uses the per-task affine Map numbered
// Instr.Map.
const (
	OpInvalid ElemOp = iota
	// leaves
	OpLoad   // element of source buffer Instr.Src through Map
	OpConst  // Instr.Imm holds the value's bits (float64 bits for floats, int64 for ints, 0/1 for bool)
	OpIndex  // global coordinate along axis Instr.Imm of the Map's target
	OpRandom // Program.Rands[Instr.Imm] at the Map target's flat C-order index
	// unary
	OpCast
	OpNeg
	OpAbs
	OpSqrt
	OpExp
	OpLog
	OpSin
	OpCos
	OpTanh
	OpNot // logical not (bool)
	// binary
	OpAdd
	OpSub
	OpMul
	OpDiv // true division for floats; integer division (0 on /0) for ints
	OpPow
	OpMax // NaN propagates
	OpMin // NaN propagates
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAnd // logical and (bool)
	OpOr  // logical or (bool)
	// ternary
	OpWhere
	// Appended later; do not renumber the ops above.
	// unary: rounding (integers pass through unchanged), sign, more math
	OpFloor
	OpCeil
	OpRound // half to even (NumPy's rint)
	OpTrunc
	OpSign // -1, 0 or 1 (NaN for NaN)
	OpLog1p
	OpExpm1
	OpLog2
	OpLog10
	OpTan
	OpAsin
	OpAcos
	OpAtan
	OpSinh
	OpCosh
	OpAsinh
	OpAcosh
	OpAtanh
	OpBitNot // bitwise not (integers); logical not (bool)
	// predicates: bool of one operand of any dtype
	OpIsNaN
	OpIsInf
	OpIsFinite
	// binary
	OpMod      // NumPy remainder: the sign of the divisor; integer x % 0 == 0
	OpFloorDiv // NumPy floor_divide (floats by divmod; integers as OpDiv)
	OpAtan2    // atan2(A, B): A is y
	OpHypot
	OpBitAnd // bitwise (integers); logical (bool)
	OpBitOr
	OpBitXor
	OpShl // A << B; counts outside [0, bits) give 0 (NumPy)
	OpShr // A >> B, arithmetic; counts outside [0, bits) give 0 or -1 (NumPy)
	numElemOps
)

var elemOpNames = [...]string{"invalid", "load", "const", "index", "random", "cast", "neg", "abs", "sqrt", "exp", "log", "sin", "cos", "tanh", "not",
	"add", "sub", "mul", "div", "pow", "max", "min", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "where",
	"floor", "ceil", "round", "trunc", "sign", "log1p", "expm1", "log2", "log10", "tan", "asin", "acos", "atan",
	"sinh", "cosh", "asinh", "acosh", "atanh", "bitnot", "isnan", "isinf", "isfinite",
	"mod", "floordiv", "atan2", "hypot", "bitand", "bitor", "bitxor", "shl", "shr"}

// every op has a name
var _ [numElemOps]string = elemOpNames

// Valid reports whether o is a defined instruction.
func (o ElemOp) Valid() bool { return o > OpInvalid && o < numElemOps }

func (o ElemOp) String() string {
	if int(o) < len(elemOpNames) {
		return elemOpNames[o]
	}
	return "elemop?"
}

// Arity is the number of register arguments of o.
func (o ElemOp) Arity() int {
	switch {
	case o >= OpCast && o <= OpNot, o >= OpFloor && o <= OpIsFinite:
		return 1
	case o >= OpAdd && o <= OpOr, o >= OpMod && o <= OpShr:
		return 2
	case o == OpWhere:
		return 3
	}
	return 0
}

// IsCompare reports whether o yields bool from two operands of one dtype.
func (o ElemOp) IsCompare() bool { return o >= OpEq && o <= OpGe }

// IsPredicate reports whether o yields bool from one operand of any
// dtype (IsNaN, IsInf, IsFinite).
func (o ElemOp) IsPredicate() bool { return o >= OpIsNaN && o <= OpIsFinite }

// Instr is one SSA instruction: its result is register i for the i-th
// instruction. Arguments name earlier registers.
type Instr struct {
	Op    ElemOp
	DType DType // dtype of the result
	A     int32
	B     int32
	C     int32
	Src   int32  // OpLoad: index into the task's flattened input buffers
	Map   int32  // OpLoad, OpIndex, OpRandom: index into FusedParams.Maps
	Imm   uint64 // OpConst: value bits; OpIndex: axis; OpRandom: index into Program.Rands
}

// RandKind selects the distribution of a Random instruction.
type RandKind uint8

const (
	// RandUniform is uniform on [0, 1): float64 = (u64 >> 11) * 2^-53,
	// float32 = (u32 >> 8) * 2^-24 (u64, u32: the element's bits, RandSpec).
	RandUniform RandKind = iota + 1
	// RandNormal is standard normal by Box-Muller on two uniforms: u1 = 1 -
	// (words 0, 1 as u64 >> 11) * 2^-53, u2 = (words 2, 3) likewise without
	// the 1 -; z = sqrt(-2 ln u1) cos(2π u2).
	RandNormal
	// RandInteger is uniform on [Low, High) by 64-bit multiply-shift:
	// hi64(u64 * (High-Low)) + Low.
	RandInteger
)

// RandSpec is one random stream: Philox4x32-10 with key (lo32(Seed),
// hi32(Seed)), block b having counter (lo32(b), hi32(b), lo32(Stream),
// hi32(Stream)). The element at flat C-order index i of an array of shape
// Shape takes its bits from one block, every word used once: 64 bits
// (float64 uniform, integers) from words (0, 1) or (2, 3) of block i/2 as
// i is even or odd, 32 bits (float32 uniform) from word i%4 of block i/4,
// a normal from all four words of block i. Each value is a function of
// (Seed, Stream, i) alone.
type RandSpec struct {
	Kind      RandKind
	Seed      uint64
	Stream    uint64
	Low, High int64
	Shape     []int // the whole generated array's shape (for the flat index)
}

// ReduceKind is the combining operation of a reduction.
type ReduceKind uint8

const (
	ReduceNone ReduceKind = iota
	ReduceSum
	ReduceProd
	ReduceMin // NaN propagates
	ReduceMax // NaN propagates
	ReduceArgMin
	ReduceArgMax
	ReduceAny
	ReduceAll
	// ReduceMoments keeps (count, mean, M2) as float64, merged by Chan's formula.
	ReduceMoments
)

var reduceNames = [...]string{"none", "sum", "prod", "min", "max", "argmin", "argmax", "any", "all", "moments"}

func (r ReduceKind) String() string {
	if int(r) < len(reduceNames) {
		return reduceNames[r]
	}
	return "reduce?"
}

// PartialOutputs returns the buffers of a partial of kind r over values of
// dtype d, each of shape shape.
func (r ReduceKind) PartialOutputs(d DType, shape []int) []Chunk {
	switch r {
	case ReduceArgMin, ReduceArgMax:
		return []Chunk{{d, shape}, {Int64, shape}}
	case ReduceMoments:
		return []Chunk{{Float64, shape}, {Float64, shape}, {Float64, shape}}
	case ReduceSum, ReduceProd:
		return []Chunk{{SumDType(d), shape}}
	case ReduceAny, ReduceAll:
		return []Chunk{{Bool, shape}}
	}
	return []Chunk{{d, shape}}
}

// PartialLayout is PartialOutputs without the shapes and without
// allocating: the dtypes of the n partial buffers.
func (r ReduceKind) PartialLayout(d DType) (dts [3]DType, n int) {
	switch r {
	case ReduceArgMin, ReduceArgMax:
		return [3]DType{d, Int64}, 2
	case ReduceMoments:
		return [3]DType{Float64, Float64, Float64}, 3
	}
	return [3]DType{r.PartialDType(d)}, 1
}

// PartialDType is the dtype of the first partial buffer of kind r over
// values of dtype d (PartialOutputs without allocating).
func (r ReduceKind) PartialDType(d DType) DType {
	switch r {
	case ReduceMoments:
		return Float64
	case ReduceSum, ReduceProd:
		return SumDType(d)
	case ReduceAny, ReduceAll:
		return Bool
	}
	return d
}

// Reduce is the optional last stage of a Program: the result register is
// reduced over Axes of the iteration domain (keepdims: the output has size
// 1 on those axes).
type Reduce struct {
	Kind ReduceKind
	Axes []int
}

// Program is a fused elementwise computation over one iteration domain
// (the task's FusedParams.Shape): SSA instructions, the result register
// Out, and an optional reduction. The Program is shared by every task of a
// layer; what differs per task (where each leaf reads) is in FusedParams.
type Program struct {
	Instrs []Instr
	Rands  []RandSpec
	Out    int32
	Reduce *Reduce
	// More are results after the first (Out, Reduce), for a program that
	// computes several arrays in one pass over its inputs (FuseSiblings).
	// The task's outputs are the first result's buffers, then each of
	// More's in order. A result of More is not an ArgMin or ArgMax (the
	// task has one ArgMap, the first result's).
	More []Result
}

// Result is one more result of a Program: its register and optional
// reduction.
type Result struct {
	Out    int32
	Reduce *Reduce
}

// ResultOutputs returns the buffers of one result over a domain of the
// given shape: the partials of its reduction, or one chunk of the domain's
// shape.
func ResultOutputs(dt DType, red *Reduce, shape []int) []Chunk {
	if red == nil {
		return []Chunk{{dt, shape}}
	}
	ps := append([]int(nil), shape...)
	for _, a := range red.Axes {
		if a >= 0 && a < len(ps) {
			ps[a] = 1
		}
	}
	return red.Kind.PartialOutputs(dt, ps)
}

// Outputs returns the buffers a task running p over a domain of the given
// shape writes: every result's, in order.
func (p *Program) Outputs(shape []int) []Chunk {
	out := ResultOutputs(p.OutDType(), p.Reduce, shape)
	for _, r := range p.More {
		out = append(out, ResultOutputs(p.Instrs[r.Out].DType, r.Reduce, shape)...)
	}
	return out
}

// OutDType is the dtype of the result register.
func (p *Program) OutDType() DType { return p.Instrs[p.Out].DType }

// Hash is a stable 64-bit hash of the program (used in layer tokens).
func (p *Program) Hash() uint64 {
	h := fnv.New64a()
	var b [8]byte
	w := func(v uint64) { binary.LittleEndian.PutUint64(b[:], v); h.Write(b[:]) }
	for _, in := range p.Instrs {
		w(uint64(in.Op) | uint64(in.DType)<<8 | uint64(uint32(in.A))<<16)
		w(uint64(uint32(in.B)) | uint64(uint32(in.C))<<32)
		w(uint64(uint32(in.Src)) | uint64(uint32(in.Map))<<32)
		w(in.Imm)
	}
	for _, r := range p.Rands {
		w(uint64(r.Kind))
		w(r.Seed)
		w(r.Stream)
		w(uint64(r.Low))
		w(uint64(r.High))
		for _, s := range r.Shape {
			w(uint64(s))
		}
	}
	w(uint64(p.Out))
	red := func(r *Reduce) {
		if r != nil {
			w(uint64(r.Kind) + 1000)
			for _, a := range r.Axes {
				w(uint64(a))
			}
		}
	}
	red(p.Reduce)
	for _, r := range p.More {
		w(uint64(uint32(r.Out)) + 2000)
		red(r.Reduce)
	}
	return h.Sum64()
}

// AxisMap gives one coordinate of a target (an input chunk for Load, a
// whole generated array for Index and Random) as an affine function of the
// task's local iteration coordinates c: Start + Step*c[Out], or Start when
// Out < 0. Broadcasting is Step 0; transposition permutes Out; slicing sets
// Start and Step.
type AxisMap struct {
	Out   int
	Start int
	Step  int
}

// Map is one AxisMap per axis of the target.
type Map []AxisMap

// Check checks that every axis of m names an axis of a domain of the
// given shape and, when target is not nil, that m has the target's rank
// and (when nonEmpty, the domain holding elements) addresses only
// coordinates inside it: what a kernel checks before it walks a map.
func (m Map) Check(shape, target []int, nonEmpty bool) error {
	if target != nil && len(m) != len(target) {
		return fmt.Errorf("map of %d axes onto a %d-d target %v", len(m), len(target), target)
	}
	for t, am := range m {
		if am.Out >= len(shape) {
			return fmt.Errorf("map axis %d reads domain axis %d of %d", t, am.Out, len(shape))
		}
		if target == nil || !nonEmpty {
			continue
		}
		lo, hi := am.Start, am.Start
		if am.Out >= 0 {
			end := am.Start + am.Step*(shape[am.Out]-1)
			lo, hi = min(lo, end), max(hi, end)
		}
		if lo < 0 || hi >= target[t] {
			return fmt.Errorf("map axis %d addresses [%d, %d] of a target of shape %v", t, lo, hi, target)
		}
	}
	return nil
}

// Compose returns the map m∘inner: inner maps this task's coordinates to
// the coordinates of an intermediate domain, m maps that domain to a target.
func (m Map) Compose(inner Map) Map {
	return m.ComposeInto(make(Map, len(m)), inner)
}

// ComposeInto is Compose writing into out (len(out) == len(m)).
func (m Map) ComposeInto(out Map, inner Map) Map {
	for a, am := range m {
		if am.Out < 0 {
			out[a] = AxisMap{Out: -1, Start: am.Start}
			continue
		}
		im := inner[am.Out]
		start := am.Start + am.Step*im.Start
		if im.Out < 0 || am.Step*im.Step == 0 {
			out[a] = AxisMap{Out: -1, Start: start}
			continue
		}
		out[a] = AxisMap{Out: im.Out, Start: start, Step: am.Step * im.Step}
	}
	return out
}

// Identity is the map of an n-d domain onto itself shifted by origin
// (origin may be nil for no shift).
func Identity(n int, origin []int) Map {
	m := make(Map, n)
	for i := range m {
		m[i] = AxisMap{Out: i, Step: 1}
		if origin != nil {
			m[i].Start = origin[i]
		}
	}
	return m
}

// FusedParams are the params of op "fused": the layer's Program, the
// task's iteration domain, and one Map per position-dependent instruction.
// For ArgMin/ArgMax, ArgMap gives the global index that is kept (a 1-axis
// map whose Start/Step encode base and per-axis coefficients: see Affine).
type FusedParams struct {
	Prog   *Program
	Shape  []int
	Maps   []Map
	ArgMap Affine
	// OutStrides, when set, are the element strides (one per domain axis)
	// at which a program of one unreduced result writes it: into its place
	// in a larger array, the destination buffer starting at the block's
	// first element, instead of a chunk of its own in C order. Only an
	// executor sets it, on its own copy of a task's params for one launch
	// (a kernel with kernels.StridedOutput); graphs never carry it.
	OutStrides []int
}

// Affine is base + sum(Coef[o] * c[o]) over the task's local coordinates.
type Affine struct {
	Base int
	Coef []int
}

// AffineOf turns a map onto a target of the given C-order strides (in
// elements) into the affine flat offset it addresses.
func AffineOf(m Map, strides []int, ndim int) Affine {
	a := Affine{Coef: make([]int, ndim)}
	for t, am := range m {
		a.Base += strides[t] * am.Start
		if am.Out >= 0 {
			a.Coef[am.Out] += strides[t] * am.Step
		}
	}
	return a
}

// Strides returns C-order element strides of shape.
func Strides(shape []int) []int {
	s := make([]int, len(shape))
	n := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = n
		n *= shape[i]
	}
	return s
}

// ConstBits encodes a constant for Instr.Imm in dtype d.
func ConstBits(d DType, v float64) uint64 {
	switch {
	case d.IsFloat():
		return math.Float64bits(v)
	case d == Bool:
		if v != 0 {
			return 1
		}
		return 0
	}
	return uint64(int64(v))
}

// ConstIntBits encodes an integer constant for Instr.Imm in dtype d.
func ConstIntBits(d DType, v int64) uint64 {
	switch {
	case d.IsFloat():
		return math.Float64bits(float64(v))
	case d == Bool:
		if v != 0 {
			return 1
		}
		return 0
	}
	return uint64(v)
}

// Op names of the tasks lowering emits, with their params.
const (
	// OpFused runs a Program. Params: *FusedParams.
	OpFused = "fused"
	// OpCombine merges k partials of one reduce kind elementwise (inputs
	// in block order; ties keep the earlier). Params: CombineParams.
	OpCombine = "combine"
	// OpGemm sums the products of P >= 1 pairs of 2-d blocks: inputs A_0,
	// B_0, A_1, B_1, ... (A_q m×k_q, B_q k_q×n, one dtype), dst = A_0 @
	// B_0 + A_1 @ B_1 + ..., the products added in input order (a
	// running sum: BLAS beta = 0 for the first, 1 after). dst is (m, n),
	// or (m, n, 1) for a partial of a blocked matmul. Params: nil.
	OpGemm = "gemm"
	// OpAssemble copies regions of its inputs into one new chunk (rechunk,
	// concatenate). Params: *AssembleParams.
	OpAssemble = "assemble"
	// OpAlias hands on its single input's buffers under new metadata of
	// the same byte size (squeezing reduced axes, reshape without copy).
	OpAlias = "alias"
	// OpLoadBlock fills its one output by calling a registered loader (package
	// funcs) for one block of an external array. Params: *LoadParams. No
	// inputs.
	OpLoadBlock = "load"
	// OpStoreBlock hands its one input chunk to a registered writer (package
	// funcs) and outputs the bytes written as one int64 (shape []int{}
	// or the 1-element shape lowering chose). Params: *StoreParams.
	OpStoreBlock = "store"
	// OpMapBlocks calls a registered block function (package funcs) on
	// its input chunks to make its one output (map_blocks, map_overlap).
	// Params: *MapParams.
	OpMapBlocks = "map_blocks"
	// OpTake gathers positions along one axis from its inputs (fancy
	// indexing, take). Params: *TakeParams.
	OpTake = "take"
	// OpPatch copies input 0 and writes input 1 into it at given
	// positions (assignment, x.Set). Params: *PatchParams.
	OpPatch = "patch"
	// OpCompress keeps the elements (or hyperslabs) of its first input
	// where its second, a bool mask, is true (x[mask], compress).
	// Params: *CompressParams.
	OpCompress = "compress"
	// OpPick hands on buffers [First, First+len(Outputs)) of its one
	// input (a result of a several-result fused task). Params: PickParams.
	OpPick = "pick"
)

// PickParams are the params of OpPick.
type PickParams struct {
	First int
}

// PatchParams are the params of OpPatch: the output is input 0 with
// input 1's elements written at positions Pos[a][j] along each axis a
// (element j of input 1 along every axis; later writes win).
type PatchParams struct {
	Pos [][]int
}

// CompressParams are the params of OpCompress: input 0's elements where
// input 1 (bool) is true, in C order (Axis < 0: input 1 has input 0's
// shape and the output is 1-d), or its hyperslabs along Axis where the
// 1-d input 1 is true.
type CompressParams struct {
	Axis int
}

// TakeParams are the params of OpTake: output position p along Axis is
// position Idx[p] along Axis of input Src[p]; every other axis is copied
// whole (the inputs and the output agree on them). With Merge = m > 1 the
// inputs' axes Axis..Axis+m-1 count as one axis (C order) that the
// output's Axis gathers from (point-wise indexing, vindex).
type TakeParams struct {
	Axis  int
	Merge int
	Src   []int32
	Idx   []int64
}

// BlockPos is where a block sits in its array: block coordinates, the
// offset of its first element, and the whole array's shape.
type BlockPos struct {
	Index, Start, ArrayShape []int
}

// MapParams are the params of OpMapBlocks: the function's name and
// argument blob, and where the output and each input block sit (their
// shapes and dtypes are the task's Outputs and the inputs' metadata).
type MapParams struct {
	Func string
	Args []byte
	Out  BlockPos
	In   []BlockPos
}

// LoadParams are the params of OpLoadBlock: the loader's name, its argument
// blob (what the array is: a path, a store URL and metadata, ...), and
// where the block sits. The output chunk's shape and dtype are the
// task's Outputs[0].
type LoadParams struct {
	Func       string
	Args       []byte
	Index      []int // block coordinates
	Start      []int // offset of the block in the whole array
	ArrayShape []int
}

// StoreParams are the params of OpStoreBlock: the writer's name and argument
// blob and where the input block sits in the array being written.
type StoreParams struct {
	Func       string
	Args       []byte
	Index      []int
	Start      []int
	ArrayShape []int
}

// CombineParams are the params of OpCombine.
type CombineParams struct {
	Kind ReduceKind
}

// Piece is one region copy of OpAssemble: Shape elements from input Src
// at SrcStart to the output at DstStart.
type Piece struct {
	Src      int
	SrcStart []int
	DstStart []int
	Shape    []int
}

// AssembleParams are the params of OpAssemble.
type AssembleParams struct {
	Pieces []Piece
}

// Order-statistics ops (sort, top-k, quantiles).
const (
	// OpSortBlock orders each lane along Axis of its one input and keeps
	// the first positions of that order (the output's length along Axis:
	// all of them for a sort, |k| for a top-k partial). Params:
	// *SortParams.
	OpSortBlock = "sort_block"
	// OpSortMerge merges inputs whose lanes along Axis are already in
	// order and writes the ranks [Lo, Lo+len) of the merged order (a
	// distributed sort's output block, a top-k combine). Params:
	// *SortParams.
	OpSortMerge = "sort_merge"
	// OpQuantile computes quantiles (NumPy's "linear" method) or the
	// median of its one input over whole axes. Params: *QuantileParams.
	OpQuantile = "quantile"
)

// SortParams are the params of OpSortBlock and OpSortMerge. The order is
// ascending with NaN after +Inf, or with Desc descending with NaN first;
// equal values keep their original order (stable). Out says which
// buffers each task writes, in the order values then indices (int64
// positions along Axis in the whole array).
type SortParams struct {
	Axis int
	Desc bool
	Out  SortOutputs
	// Base (OpSortBlock): the global position along Axis of the input's
	// first element, added to the indices written.
	Base int64
	// Lo (OpSortMerge): the merged rank of the first element written.
	Lo int64
	// Indexed (OpSortMerge): each input is two buffers, values and their
	// int64 indices, rather than values alone.
	Indexed bool
}

// SortOutputs selects the outputs of a sort task.
type SortOutputs uint8

const (
	SortValues SortOutputs = 1 << iota
	SortIndices
)

// QuantileParams are the params of OpQuantile: the output holds, for each
// position of the input's other axes, the quantiles Q (fractions in [0,
// 1], on a leading output axis of len(Q)) of the input's elements over
// Axes, or with Median their median (no leading axis; Q unused). With
// SkipNaN NaNs are ignored (nanquantile), else one NaN makes the result
// NaN.
type QuantileParams struct {
	Axes    []int
	Q       []float64
	Median  bool
	SkipNaN bool
}
