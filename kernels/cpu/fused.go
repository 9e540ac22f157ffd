package cpu

import (
	"fmt"
	"sync"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// TileLen is the number of elements each instruction processes at a time:
// 512 float64 registers are 4 KiB, so a program of a dozen instructions
// keeps its working set in L1/L2.
const TileLen = 512

// affine is base + sum(coef[o]*c[o]) over the (merged) domain axes.
type affine struct {
	base int
	coef []int
}

// scratch is a launch's working memory, pooled: a tile register per
// instruction, the tile each instruction's result is read from this time
// (its register, or a view of a source or of a band buffer), the band
// buffers of transposed loads and draws, and the runs a band of a draw
// is drawn into (fillRandBand).
type scratch struct {
	regs  [][]byte
	cur   [][]byte
	modes []loadMode
	bands [][]byte
	runs  []uint64
	row0  []int   // per instruction: the row of its band buffer that is the band's row 0
	pair  []int32 // per instruction: the cos computed with this sin, or -1
	done  []bool  // per instruction: computed by an earlier one (its sin)
	same  []int32 // per instruction: the earlier one it repeats, or itself
	// per result: the pending rows of a batched column reduction
	// (foldRows), and which results are batched (nil: not)
	pend    [][]foldPend
	batched [][]foldPend
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

func (s *scratch) get(n int) [][]byte {
	for len(s.regs) < n {
		s.regs = append(s.regs, make([]byte, TileLen*8))
	}
	if cap(s.cur) < n {
		s.cur = make([][]byte, n)
		s.modes = make([]loadMode, n)
		s.bands = make([][]byte, n)
		s.row0 = make([]int, n)
		s.pair = make([]int32, n)
		s.done = make([]bool, n)
		s.same = make([]int32, n)
	}
	s.cur, s.modes, s.bands, s.row0 = s.cur[:n], s.modes[:n], s.bands[:n], s.row0[:n]
	s.pair, s.done, s.same = s.pair[:n], s.done[:n], s.same[:n]
	clear(s.cur)
	clear(s.modes)
	clear(s.row0)
	clear(s.done)
	for i := range s.pair {
		s.pair[i] = -1
	}
	return s.regs[:n]
}

// foldPend is the rows of one tile position of a batched column
// reduction waiting for foldRows: their partials' offset and the tiles.
type foldPend struct {
	off  int
	k    int
	rows [foldBatch][]float64
}

// batches returns, for nres results, a slice to mark each batched result
// with its pending rows (sc.pend[r], ntile tile positions, emptied).
func (s *scratch) batches(nres, ntile int) [][]foldPend {
	for len(s.pend) < nres {
		s.pend = append(s.pend, nil)
	}
	for r := range nres {
		if cap(s.pend[r]) < ntile {
			s.pend[r] = make([]foldPend, ntile)
		}
		s.pend[r] = s.pend[r][:ntile]
		for t := range s.pend[r] {
			s.pend[r][t] = foldPend{}
		}
	}
	if cap(s.batched) < nres {
		s.batched = make([][]foldPend, nres)
	}
	return s.batched[:nres]
}

// band returns instruction i's band buffer of at least n bytes.
func (s *scratch) band(i, n int) []byte {
	if cap(s.bands[i]) < n {
		s.bands[i] = make([]byte, n)
	}
	return s.bands[i][:n]
}

// randRuns returns the scratch of fillRandBand.
func (s *scratch) randRuns() []uint64 {
	if s.runs == nil {
		s.runs = make([]uint64, randRunsLen)
	}
	return s.runs
}

// loadMode is how a position-dependent instruction gets its tile.
type loadMode uint8

const (
	// loadCopy evaluates the instruction into its register (leaf).
	loadCopy loadMode = iota
	// loadView reads a contiguous load in place: the tile is a view of
	// the source, no copy (never when a destination overlaps a source).
	loadView
	// loadRow serves a load that is constant along the inner axis (a
	// broadcast of one value per row, as x - x.mean(axis=1, keepdims) reads
	// the mean): its register is filled once a row, as long as the longest
	// tile, and each tile of the row reads it.
	loadRow
	// loadBand serves a transposed load (a large stride along the inner
	// axis, stride 1 along the next one) from a band buffer: at the first
	// row of each band of bandRows rows, one pass reads bandRows
	// consecutive elements of the source at each inner position (one or
	// two cache lines) into bandRows row buffers; the band's rows then read
	// their buffer as a view. The tile order and so every result, reductions
	// included, is the same as the strided gather's. A transposed random
	// draw is banded the same way, its consecutive elements drawn together
	// so that they share Philox blocks (fillRandBand).
	loadBand
)

const (
	// bandRows is the rows of a band: 8 float64 fill a cache line.
	bandRows = 8
	// bandMaxBytes bounds a band buffer (it stays in L2).
	bandMaxBytes = 256 << 10
	// bandMinStride is the smallest inner stride (elements) worth a band.
	bandMinStride = 8
)

// fusedKernel runs graph.OpFused.
type fusedKernel struct{}

// StridedOutput: the kernel honours FusedParams.OutStrides.
func (fusedKernel) StridedOutput() bool { return true }

// storeStrided writes the n elements of es bytes of src to dst at element
// offsets off, off+stride, ...
func storeStrided(dst, src []byte, off, stride, n, es int) {
	for k := range n {
		o := (off + k*stride) * es
		copy(dst[o:o+es], src[k*es:(k+1)*es])
	}
}

func (fusedKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.FusedParams)
	if !ok || p == nil || p.Prog == nil {
		return fmt.Errorf("fused: params are %T, want *graph.FusedParams", l.Task.Op.Params)
	}
	return runProgram(p, l)
}

func runProgram(p *graph.FusedParams, l *kernels.Launch) error {
	prog := p.Prog
	if err := checkProgram(p, l); err != nil {
		return err
	}
	pl := makePlan(p, l)
	defer func() {
		for r := range pl.res {
			pl.res[r].dst = nil // the pool holds no buffers
		}
		planPool.Put(pl)
	}()
	red := prog.Reduce
	for r := range pl.res {
		if rp := &pl.res[r]; rp.red != nil {
			initPartials(rp.red.Kind, prog.Instrs[rp.reg].DType, rp.dst)
		}
	}
	total := 1
	for _, s := range pl.shape {
		total *= s
	}
	if total == 0 {
		return nil
	}
	sc := scratchPool.Get().(*scratch)
	defer func() {
		// no pooled reference to this launch's buffers
		for r := range sc.pend {
			clear(sc.pend[r])
		}
		scratchPool.Put(sc)
	}()
	regs := sc.get(len(prog.Instrs) + 1)
	tmp := regs[len(prog.Instrs)] // the reduce stage's conversions
	regs = regs[:len(prog.Instrs)]
	cur := sc.cur[:len(prog.Instrs)]
	modes := sc.modes[:len(prog.Instrs)]
	// the result goes straight to dst unless a later (dead) instruction
	// reads its register, or the program has several results
	directOK := red == nil && len(prog.More) == 0
	for i := int(prog.Out) + 1; i < len(prog.Instrs); i++ {
		in := &prog.Instrs[i]
		for k, r := range [3]int32{in.A, in.B, in.C} {
			if k < in.Op.Arity() && r == prog.Out {
				directOK = false
			}
		}
	}
	nd := len(pl.shape)
	last := nd - 1
	inner := pl.shape[last]
	// a result written at strides whose run is not contiguous (a column of
	// a larger array) is stored element by element (storeStrided)
	if directOK && p.OutStrides != nil && pl.res[0].out.coef[last] != 1 {
		directOK = false
	}
	// constants once, as long as the longest run
	for i := range prog.Instrs {
		in := &prog.Instrs[i]
		cur[i] = regs[i]
		if in.Op == graph.OpConst {
			fillConst(regs[i], in.DType, in.Imm, min(TileLen, inner))
		}
	}
	setLoadModes(prog, pl, l, modes)
	same := sc.same[:len(prog.Instrs)]
	findRepeats(prog, pl, l, modes, same)
	pairSinCos(prog, sc.pair, sc.done, same)
	// column moments of a float64 tile read in place take the rows of
	// each tile position in batches (foldRows; a view stays valid), and
	// so do column sums and extremes beside other results: alone, a
	// memory-bound fold streams the rows faster one by one
	batched := sc.batches(len(pl.res), (inner+TileLen-1)/TileLen)
	for r := range pl.res {
		rp := &pl.res[r]
		reg := same[rp.reg]
		batched[r] = nil
		if rp.red == nil || rp.inner || prog.Instrs[rp.reg].DType != graph.Float64 || modes[reg] != loadView {
			continue
		}
		switch rp.red.Kind {
		case graph.ReduceSum, graph.ReduceMax, graph.ReduceMin:
			if len(pl.res) == 1 {
				break
			}
			fallthrough
		case graph.ReduceMoments:
			batched[r] = sc.pend[r]
		}
	}
	// inner float64 sums and moments of one register (x.mean(1) beside
	// x.std(1)) take the tile's sum once: shareSum has bit r for each
	// such result r whose register another one reduces too
	var cand, shareSum uint64
	for r := range pl.res {
		rp := &pl.res[r]
		if r < 64 && rp.red != nil && rp.inner && prog.Instrs[rp.reg].DType == graph.Float64 &&
			(rp.red.Kind == graph.ReduceSum || rp.red.Kind == graph.ReduceMoments) {
			for q := range r {
				if cand>>q&1 != 0 && same[pl.res[q].reg] == same[rp.reg] {
					shareSum |= 1<<q | 1<<r
				}
			}
			cand |= 1 << r
		}
	}
	idx := pl.idx
	bases := pl.bases
	var argBase int
	res := pl.res
	out0 := &res[0].out
	var outBytes []byte
	if directOK {
		outBytes = l.Dst[0].Bytes()
	}
	for {
		// bases of this row
		for i := range prog.Instrs {
			if pl.has[i] && same[i] == int32(i) {
				a := &pl.acc[i]
				b := a.base
				for o := 0; o < last; o++ {
					b += a.coef[o] * idx[o]
				}
				bases[i] = b
				if modes[i] == loadRow {
					if err := leaf(prog, &prog.Instrs[i], regs[i], l, b, 0, min(TileLen, inner)); err != nil {
						return fmt.Errorf("%v: %w", prog.Instrs[i].Op, err)
					}
				}
				if modes[i] == loadBand && idx[last-1]%bandRows == 0 {
					rb := min(bandRows, pl.shape[last-1]-idx[last-1])
					in := &prog.Instrs[i]
					if in.Op == graph.OpRandom {
						buf := sc.band(i, randBandRows*inner*in.DType.Size())
						r0, err := fillRandBand(&prog.Rands[in.Imm], in.DType, buf, b, a.coef[last], inner, rb, sc.randRuns())
						if err != nil {
							return fmt.Errorf("%v: %w", in.Op, err)
						}
						sc.row0[i] = r0
					} else {
						buf := sc.band(i, bandRows*inner*in.DType.Size())
						fillBand(in.DType, buf, l.Src[in.Src].Bytes(), b, a.coef[last], inner, rb)
					}
				}
			}
		}
		for r := range res {
			rp := &res[r]
			rp.base = rp.out.base
			for o := 0; o < last; o++ {
				rp.base += rp.out.coef[o] * idx[o]
			}
		}
		argBase = pl.arg.base
		if pl.arg.coef != nil {
			for o := 0; o < last; o++ {
				argBase += pl.arg.coef[o] * idx[o]
			}
		}
		for k0 := 0; k0 < inner; k0 += TileLen {
			n := min(TileLen, inner-k0)
			var outTile []byte
			if directOK {
				es := prog.OutDType().Size()
				o := (res[0].base + out0.coef[last]*k0) * es
				outTile = outBytes[o : o+n*es]
			}
			for i := range prog.Instrs {
				in := &prog.Instrs[i]
				dst := regs[i]
				direct := directOK && int32(i) == prog.Out
				if direct {
					dst = outTile
				}
				var err error
				switch {
				case same[i] != int32(i):
					// a repeat of an earlier instruction: its tile
					cur[i] = cur[same[i]]
					if direct {
						copy(dst, cur[i])
					}
				case modes[i] == loadView:
					es := in.DType.Size()
					o := (bases[i] + k0) * es
					src := l.Src[in.Src].Bytes()
					cur[i] = src[o : o+n*es]
					if pf := o + 2*TileLen*es; prefetchOn && pf+4096 <= len(src) {
						prefetch4K(&src[pf])
					}
					if direct {
						copy(dst, cur[i])
					}
				case modes[i] == loadRow:
					cur[i] = regs[i][:n*in.DType.Size()]
					if direct {
						copy(dst, cur[i])
					}
				case modes[i] == loadBand:
					es := in.DType.Size()
					r := sc.row0[i] + idx[last-1]%bandRows
					o := (r*inner + k0) * es
					cur[i] = sc.bands[i][o : o+n*es]
					if direct {
						copy(dst, cur[i])
					}
				case pl.has[i]:
					a := &pl.acc[i]
					err = leaf(prog, in, dst, l, bases[i]+a.coef[last]*k0, a.coef[last], n)
				case in.Op == graph.OpConst:
					if direct {
						copy(dst, regs[i][:n*in.DType.Size()])
					}
				case sc.done[i]:
					// written with its sin
				case sc.pair[i] >= 0:
					j := sc.pair[i]
					dstc := regs[j]
					if directOK && j == prog.Out {
						dstc = outTile
					}
					sincosSlice(view[float64](dst, n), view[float64](dstc, n), view[float64](cur[in.A], n))
				default:
					err = apply(prog, in, dst, cur, n)
				}
				if err != nil {
					return fmt.Errorf("%v: %w", in.Op, err)
				}
			}
			if directOK {
				continue
			}
			tileSumReg := int32(-1) // the register whose sum tileSum is
			var tileSum float64
			for r := range res {
				rp := &res[r]
				x := cur[rp.reg]
				dt := prog.Instrs[rp.reg].DType
				off := rp.base + rp.out.coef[last]*k0
				if shareSum>>r&1 != 0 {
					xf := view[float64](x, n)
					if tileSumReg != same[rp.reg] {
						tileSum, tileSumReg = sumF64(xf), same[rp.reg]
					}
					if rp.red.Kind == graph.ReduceSum {
						device.View[float64](rp.dst[0])[off] += tileSum
					} else {
						momentsInner(rp.dst, off, xf, tileSum)
					}
					continue
				}
				if rp.red == nil {
					es := dt.Size()
					if st := rp.out.coef[last]; st != 1 {
						storeStrided(rp.dst[0].Bytes(), x, off, st, n, es)
						continue
					}
					copy(rp.dst[0].Bytes()[off*es:(off+n)*es], x[:n*es])
					continue
				}
				if b := batched[r]; b != nil {
					p := &b[k0/TileLen]
					if p.k > 0 && (p.off != off || len(p.rows[0]) != n) {
						foldRows(rp.red.Kind, rp.dst, p.off, p.rows[:p.k])
						p.k = 0
					}
					p.off, p.rows[p.k] = off, view[float64](x, n)
					if p.k++; p.k == foldBatch {
						foldRows(rp.red.Kind, rp.dst, p.off, p.rows[:p.k])
						p.k = 0
					}
					continue
				}
				ab := argBase
				if r == 0 && pl.arg.coef != nil {
					ab += pl.arg.coef[last] * k0
				}
				reduceTile(rp.red.Kind, dt, rp.dst, off, rp.inner, x, tmp, n, ab, argStride(pl.arg, last))
			}
		}
		// odometer over outer axes
		o := last - 1
		for ; o >= 0; o-- {
			idx[o]++
			if idx[o] < pl.shape[o] {
				break
			}
			idx[o] = 0
		}
		if o < 0 {
			for r, b := range batched {
				for t := range b {
					if p := &b[t]; p.k > 0 {
						foldRows(res[r].red.Kind, res[r].dst, p.off, p.rows[:p.k])
					}
				}
			}
			return nil
		}
	}
}

func argStride(a affine, last int) int {
	if a.coef == nil {
		return 0
	}
	return a.coef[last]
}

func fillConst(dst []byte, dt graph.DType, bits uint64, n int) {
	switch dt {
	case graph.Float64:
		fill(view[float64](dst, n), float64frombits(bits))
	case graph.Float32:
		fill(view[float32](dst, n), float32(float64frombits(bits)))
	case graph.Int64:
		fill(view[int64](dst, n), int64(bits))
	case graph.Int32:
		fill(view[int32](dst, n), int32(int64(bits)))
	case graph.Bool:
		fill(view[uint8](dst, n), uint8(bits&1))
	}
}

// constOperand is the value of register r when it is a constant of dtype
// dt (the tile fillConst makes holds it, converted to dt).
func constOperand(prog *graph.Program, r int32, dt graph.DType) (float64, bool) {
	in := &prog.Instrs[r]
	if in.Op != graph.OpConst || in.DType != dt {
		return 0, false
	}
	return float64frombits(in.Imm), true
}

// leaf evaluates a position-dependent instruction for n elements whose
// access starts at off and advances by stride.
func leaf(prog *graph.Program, in *graph.Instr, dst []byte, l *kernels.Launch, off, stride, n int) error {
	switch in.Op {
	case graph.OpLoad:
		src := l.Src[in.Src].Bytes()
		switch in.DType {
		case graph.Float64:
			gather(view[float64](dst, n), device.ViewBytes[float64](src), off, stride)
		case graph.Float32:
			gather(view[float32](dst, n), device.ViewBytes[float32](src), off, stride)
		case graph.Int64:
			gather(view[int64](dst, n), device.ViewBytes[int64](src), off, stride)
		case graph.Int32:
			gather(view[int32](dst, n), device.ViewBytes[int32](src), off, stride)
		case graph.Bool:
			gather(view[uint8](dst, n), src, off, stride)
		}
	case graph.OpIndex:
		switch in.DType {
		case graph.Float64:
			d := view[float64](dst, n)
			for k := range d {
				d[k] = float64(off + k*stride)
			}
		case graph.Float32:
			d := view[float32](dst, n)
			for k := range d {
				d[k] = float32(off + k*stride)
			}
		case graph.Int64:
			d := view[int64](dst, n)
			for k := range d {
				d[k] = int64(off + k*stride)
			}
		case graph.Int32:
			d := view[int32](dst, n)
			for k := range d {
				d[k] = int32(off + k*stride)
			}
		default:
			return fmt.Errorf("index as %v", in.DType)
		}
	case graph.OpRandom:
		return randFill(&prog.Rands[in.Imm], in.DType, dst, off, stride, n)
	}
	return nil
}

// randFill writes n values of stream r as dt to dst, from flat index off
// by stride.
func randFill(r *graph.RandSpec, dt graph.DType, dst []byte, off, stride, n int) error {
	first, st := int64(off), int64(stride)
	switch {
	case r.Kind == graph.RandUniform && dt == graph.Float64:
		RandUniform64(view[float64](dst, n), r.Seed, r.Stream, first, st)
	case r.Kind == graph.RandUniform && dt == graph.Float32:
		RandUniform32(view[float32](dst, n), r.Seed, r.Stream, first, st)
	case r.Kind == graph.RandNormal && dt == graph.Float64:
		RandNormal64(view[float64](dst, n), r.Seed, r.Stream, first, st)
	case r.Kind == graph.RandNormal && dt == graph.Float32:
		RandNormal32(view[float32](dst, n), r.Seed, r.Stream, first, st)
	case r.Kind == graph.RandInteger && dt == graph.Int64:
		RandInt64(view[int64](dst, n), r.Low, r.High, r.Seed, r.Stream, first, st)
	case r.Kind == graph.RandInteger && dt == graph.Int32:
		RandInt32(view[int32](dst, n), r.Low, r.High, r.Seed, r.Stream, first, st)
	default:
		return fmt.Errorf("random kind %d as %v", r.Kind, dt)
	}
	return nil
}

// apply runs a computing instruction over n elements of registers.
func apply(prog *graph.Program, in *graph.Instr, dst []byte, regs [][]byte, n int) error {
	var a, b, c []byte
	ar := in.Op.Arity()
	if ar >= 1 {
		a = regs[in.A]
	}
	if ar >= 2 {
		b = regs[in.B]
	}
	if ar >= 3 {
		c = regs[in.C]
	}
	op := in.Op
	switch {
	case op == graph.OpCast:
		switch prog.Instrs[in.A].DType {
		case graph.Float64:
			castFrom(dst, in.DType, view[float64](a, n))
		case graph.Float32:
			castFrom(dst, in.DType, view[float32](a, n))
		case graph.Int64:
			castFrom(dst, in.DType, view[int64](a, n))
		case graph.Int32:
			castFrom(dst, in.DType, view[int32](a, n))
		case graph.Bool:
			castFrom(dst, in.DType, view[uint8](a, n))
		}
		return nil
	case op == graph.OpWhere:
		cond := view[uint8](a, n)
		switch in.DType {
		case graph.Float64:
			where(view[float64](dst, n), cond, view[float64](b, n), view[float64](c, n))
		case graph.Float32:
			where(view[float32](dst, n), cond, view[float32](b, n), view[float32](c, n))
		case graph.Int64:
			where(view[int64](dst, n), cond, view[int64](b, n), view[int64](c, n))
		case graph.Int32:
			where(view[int32](dst, n), cond, view[int32](b, n), view[int32](c, n))
		case graph.Bool:
			where(view[uint8](dst, n), cond, view[uint8](b, n), view[uint8](c, n))
		}
		return nil
	case op.IsCompare():
		d := view[uint8](dst, n)
		switch prog.Instrs[in.A].DType {
		case graph.Float64:
			return compare(op, d, view[float64](a, n), view[float64](b, n))
		case graph.Float32:
			return compare(op, d, view[float32](a, n), view[float32](b, n))
		case graph.Int64:
			return compare(op, d, view[int64](a, n), view[int64](b, n))
		case graph.Int32:
			return compare(op, d, view[int32](a, n), view[int32](b, n))
		case graph.Bool:
			return compare(op, d, view[uint8](a, n), view[uint8](b, n))
		}
	case op == graph.OpPow && in.DType.IsFloat():
		// a constant exponent that pow need not be used for
		if y, ok := constFloat(prog, in.B); ok && powRewritten(y) {
			if in.DType == graph.Float64 {
				powConstFloat(view[float64](dst, n), view[float64](a, n), y)
			} else {
				powConstFloat(view[float32](dst, n), view[float32](a, n), y)
			}
			return nil
		}
	case op.IsPredicate():
		d := view[uint8](dst, n)
		switch prog.Instrs[in.A].DType {
		case graph.Float64:
			return predicate(op, d, view[float64](a, n))
		case graph.Float32:
			return predicate(op, d, view[float32](a, n))
		case graph.Int64:
			return predicate(op, d, view[int64](a, n))
		case graph.Int32:
			return predicate(op, d, view[int32](a, n))
		case graph.Bool:
			return predicate(op, d, view[uint8](a, n))
		}
	}
	switch in.DType {
	case graph.Float64:
		if ar == 1 {
			return unaryFloat(op, view[float64](dst, n), view[float64](a, n))
		}
		if c, ok := constOperand(prog, in.B, in.DType); ok && binaryConstFloat(op, view[float64](dst, n), view[float64](a, n), c, false) {
			return nil
		}
		if c, ok := constOperand(prog, in.A, in.DType); ok && binaryConstFloat(op, view[float64](dst, n), view[float64](b, n), c, true) {
			return nil
		}
		return binaryFloat(op, view[float64](dst, n), view[float64](a, n), view[float64](b, n))
	case graph.Float32:
		if ar == 1 {
			return unaryFloat(op, view[float32](dst, n), view[float32](a, n))
		}
		if c, ok := constOperand(prog, in.B, in.DType); ok && binaryConstFloat(op, view[float32](dst, n), view[float32](a, n), float32(c), false) {
			return nil
		}
		if c, ok := constOperand(prog, in.A, in.DType); ok && binaryConstFloat(op, view[float32](dst, n), view[float32](b, n), float32(c), true) {
			return nil
		}
		return binaryFloat(op, view[float32](dst, n), view[float32](a, n), view[float32](b, n))
	case graph.Int64:
		if ar == 1 {
			return unaryInt(op, view[int64](dst, n), view[int64](a, n))
		}
		return binaryInt(op, view[int64](dst, n), view[int64](a, n), view[int64](b, n))
	case graph.Int32:
		if ar == 1 {
			return unaryInt(op, view[int32](dst, n), view[int32](a, n))
		}
		return binaryInt(op, view[int32](dst, n), view[int32](a, n), view[int32](b, n))
	case graph.Bool:
		var bb []uint8
		if ar >= 2 {
			bb = view[uint8](b, n)
		}
		return boolOp(op, view[uint8](dst, n), view[uint8](a, n), bb)
	}
	return fmt.Errorf("no %v for %v", op, in.DType)
}
