package array

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// Unique returns the sorted distinct values of x (all its elements) and
// how many times each occurs, as np.unique(x, return_counts=True): NaNs
// count as one value, sorted last; -0 and 0 are one value. Both arrays
// have unknown sizes until ComputeChunkSizes on either (or a Compute,
// which does it): that runs the whole computation once for both — a
// pass counting each block's distinct values, a pass making each
// block's (value, count) pairs (persisted meanwhile, then released), and
// one task merging them, as Dask's unique merges its per-block results
// in one task — and the results are held in memory.
func (x *Array) Unique() (values, counts *Array) {
	if err := x.Err(); err != nil {
		return errArray(err), errArray(err)
	}
	u := &uniquePlan{x: x}
	values = pendingArray("unique", x.nd.shape, func(ctx context.Context, opts []ComputeOption) (*Array, error) {
		if err := u.run(ctx, opts); err != nil {
			return nil, err
		}
		return u.values, nil
	})
	counts = pendingArray("unique", x.nd.shape, func(ctx context.Context, opts []ComputeOption) (*Array, error) {
		if err := u.run(ctx, opts); err != nil {
			return nil, err
		}
		return u.counts, nil
	})
	return values, counts
}

// uniquePlan computes Unique once for its two arrays.
type uniquePlan struct {
	x              *Array
	mu             sync.Mutex
	values, counts *Array
}

// pairsDType is the dtype of the (value, count) pairs of dt's values.
func pairsDType(dt graph.DType) graph.DType {
	if dt.IsFloat() {
		return graph.Float64
	}
	return graph.Int64
}

func (u *uniquePlan) run(ctx context.Context, opts []ComputeOption) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.values != nil {
		return nil
	}
	x := u.x
	xn := x.nd
	pdt := pairsDType(xn.dtype)
	// 1. distinct values per block
	cnt := mapBlocks("unique_count", "array.unique", []byte("count"), []*Array{x}, nil, []MapOption{MapDType(graph.Int64), MapChunks(onesGrid(xn.chunks))})
	r, err := cnt.Compute(ctx, opts...)
	if err != nil {
		return err
	}
	sizes := make([]int, 0, r.Size())
	for _, c := range r.Int64s() {
		sizes = append(sizes, 2*int(c))
	}
	// 2. each block's pairs, persisted
	pairs := blocksToOne("unique_pairs", []byte("pairs"), xn, sizes, pdt)
	p, err := pairs.Persist(ctx, opts...)
	if err != nil {
		return err
	}
	defer p.Release()
	// 3. the number of distinct values, then the merged pairs
	pn := p.Array().nd
	n, err := mergeOne(pn, []byte("count"), 1, graph.Int64).Compute(ctx, opts...)
	if err != nil {
		return err
	}
	total := int(n.Int64s()[0])
	m, err := mergeOne(pn, []byte("pairs"), 2*total, pdt).Compute(ctx, opts...)
	if err != nil {
		return err
	}
	// split into values (x's dtype) and counts
	vals := make([]byte, total*xn.dtype.Size())
	cs := make([]int64, total)
	for i := 0; i < total; i++ {
		v, c := m.Data[16*i:16*i+8], m.Data[16*i+8:16*i+16]
		if pdt == graph.Float64 {
			f := math.Float64frombits(binary.LittleEndian.Uint64(v))
			putFloat(vals, xn.dtype, i, f)
			cs[i] = int64(math.Float64frombits(binary.LittleEndian.Uint64(c)))
		} else {
			putInt(vals, xn.dtype, i, int64(binary.LittleEndian.Uint64(v)))
			cs[i] = int64(binary.LittleEndian.Uint64(c))
		}
	}
	ch, err := resolveChunks("unique", []int{total}, xn.dtype, nil)
	if err != nil {
		return err
	}
	u.values = fromBytes("unique-values", vals, []int{total}, ch, xn.dtype)
	u.counts = FromSlice(cs, []int{total}, ExplicitChunks(ch))
	return nil
}

func putFloat(b []byte, dt graph.DType, i int, f float64) {
	if dt == graph.Float32 {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(f)))
		return
	}
	binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(f))
}

func putInt(b []byte, dt graph.DType, i int, v int64) {
	switch dt {
	case graph.Int64:
		binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
	case graph.Int32:
		binary.LittleEndian.PutUint32(b[4*i:], uint32(v))
	case graph.Bool:
		b[i] = byte(v)
	}
}

// blocksToOne is a 1-d layer with one block per block of in (C order),
// of the given sizes, made by the unique block function in mode args.
func blocksToOne(op string, args []byte, in *node, sizes []int, dt graph.DType) *Array {
	och := chunks.Chunks{sizes}
	name := token(op, in, fmt.Sprint(sizes))
	out := &node{name: name, shape: och.Shape(), chunks: och, dtype: dt, nout: 1, inputs: []*node{in}}
	out.lower = func(b *builder) error {
		grid := in.chunks.NumBlocks()
		for flat := range sizes {
			if !b.needs(flat) {
				continue
			}
			idx := make([]int, len(grid))
			chunks.Unravel(flat, grid, idx)
			k := graph.Key{Layer: in.name, Block: int64(flat)}
			b.mark(in, k)
			p := &graph.MapParams{Func: "array.unique", Args: args,
				Out: graph.BlockPos{Index: []int{flat}, Start: och.Origin([]int{flat}), ArrayShape: out.shape},
				In:  []graph.BlockPos{{Index: idx, Start: in.chunks.Origin(idx), ArrayShape: in.shape}}}
			b.g.Tasks = append(b.g.Tasks, graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: graph.DeviceKinds(graph.CPU),
				Op: graph.Op{Name: graph.OpMapBlocks, Params: p}, Inputs: []graph.Key{k}, Outputs: []graph.Chunk{{DType: dt, Shape: []int{sizes[flat]}}}})
		}
		return nil
	}
	return &Array{nd: out}
}

// mergeOne is a one-block 1-d layer of n elements made from every block
// of in by the unique block function in mode args.
func mergeOne(in *node, args []byte, n int, dt graph.DType) *Array {
	name := token("unique_merge", in, string(args), n)
	out := &node{name: name, shape: []int{n}, chunks: chunks.Chunks{{n}}, dtype: dt, nout: 1, inputs: []*node{in}}
	out.lower = func(b *builder) error {
		if !b.needs(0) {
			return nil
		}
		p := &graph.MapParams{Func: "array.unique", Args: slices.Concat([]byte("merge-"), args), Out: graph.BlockPos{Index: []int{0}, Start: []int{0}, ArrayShape: []int{n}}}
		t := graph.Task{Key: graph.Key{Layer: name, Block: 0}, Devices: graph.DeviceKinds(graph.CPU), Op: graph.Op{Name: graph.OpMapBlocks, Params: p},
			Outputs: []graph.Chunk{{DType: dt, Shape: []int{n}}}}
		for i := 0; i < in.chunks.Total(); i++ {
			k := graph.Key{Layer: in.name, Block: int64(i)}
			b.mark(in, k)
			t.Inputs = append(t.Inputs, k)
			p.In = append(p.In, graph.BlockPos{Index: []int{i}, Start: in.chunks.Origin([]int{i}), ArrayShape: in.shape})
		}
		b.g.Tasks = append(b.g.Tasks, t)
		return nil
	}
	return &Array{nd: out}
}

// uniqueRun is one distinct value and its count.
type uniqueRun struct {
	f    float64 // float values (NaN: one value, last)
	i    int64   // integer values
	n    int64
	isF  bool
	isNa bool
}

func lessRun(a, b uniqueRun) int {
	if a.isF {
		switch {
		case a.isNa && b.isNa:
			return 0
		case a.isNa:
			return 1
		case b.isNa:
			return -1
		case a.f < b.f:
			return -1
		case a.f > b.f:
			return 1
		}
		return 0
	}
	switch {
	case a.i < b.i:
		return -1
	case a.i > b.i:
		return 1
	}
	return 0
}

// sortedRuns is runsOf of a block's n elements of dtype dt, each counted
// once, sorted as plain numbers (slices.Sort) rather than as runs: the
// equal values in a row, their count, NaNs last as one run.
func sortedRuns(b []byte, dt graph.DType, n int) []uniqueRun {
	var runs []uniqueRun
	if dt.IsFloat() {
		fs := make([]float64, n)
		for k := range fs {
			fs[k] = elemAt(b, dt, k)
		}
		slices.Sort(fs) // NaNs first
		nan := 0
		for nan < len(fs) && fs[nan] != fs[nan] {
			nan++
		}
		for k := nan; k < len(fs); k++ {
			if len(runs) > 0 && runs[len(runs)-1].f == fs[k] {
				runs[len(runs)-1].n++
				continue
			}
			runs = append(runs, uniqueRun{f: fs[k], n: 1, isF: true})
		}
		if nan > 0 {
			runs = append(runs, uniqueRun{f: fs[0], n: int64(nan), isF: true, isNa: true}) // a NaN of the data
		}
		return runs
	}
	is := make([]int64, n)
	for k := range is {
		is[k] = intAt(b, dt, k)
	}
	slices.Sort(is)
	for _, v := range is {
		if len(runs) > 0 && runs[len(runs)-1].i == v {
			runs[len(runs)-1].n++
			continue
		}
		runs = append(runs, uniqueRun{i: v, n: 1})
	}
	return runs
}

// runsOf sorts vs and merges equal values, adding their counts.
func runsOf(vs []uniqueRun) []uniqueRun {
	slices.SortFunc(vs, lessRun)
	out := vs[:0]
	for _, v := range vs {
		if len(out) > 0 && lessRun(out[len(out)-1], v) == 0 {
			out[len(out)-1].n += v.n
			continue
		}
		out = append(out, v)
	}
	return out
}

func init() {
	// modes: "count" and "pairs" on a block of x; "merge-count" and
	// "merge-pairs" on the pairs blocks
	funcs.MustRegisterBlockFunc("array.unique", func(_ context.Context, args []byte, out funcs.Block, dst []byte, in []funcs.Block, src [][]byte) error {
		mode := string(args)
		var runs []uniqueRun
		if mode == "count" || mode == "pairs" {
			runs = sortedRuns(src[0], in[0].DType, in[0].Elems())
		} else {
			for i, b := range in {
				for k := 0; k+1 < b.Elems(); k += 2 {
					if b.DType == graph.Float64 {
						f := math.Float64frombits(binary.LittleEndian.Uint64(src[i][8*k:]))
						c := math.Float64frombits(binary.LittleEndian.Uint64(src[i][8*k+8:]))
						runs = append(runs, uniqueRun{f: f, n: int64(c), isF: true, isNa: f != f})
					} else {
						runs = append(runs, uniqueRun{i: int64(binary.LittleEndian.Uint64(src[i][8*k:])), n: int64(binary.LittleEndian.Uint64(src[i][8*k+8:]))})
					}
				}
			}
		}
		if mode != "count" && mode != "pairs" {
			runs = runsOf(runs)
		}
		switch mode {
		case "count", "merge-count":
			if out.Elems() != 1 {
				return fmt.Errorf("unique: count into %v", out.Shape)
			}
			binary.LittleEndian.PutUint64(dst, uint64(len(runs)))
			return nil
		case "pairs", "merge-pairs":
			if out.Elems() != 2*len(runs) {
				return fmt.Errorf("unique: %d distinct values for an output of %d (the data changed between passes?)", len(runs), out.Elems())
			}
			for k, r := range runs {
				if r.isF {
					binary.LittleEndian.PutUint64(dst[16*k:], math.Float64bits(r.f))
					binary.LittleEndian.PutUint64(dst[16*k+8:], math.Float64bits(float64(r.n)))
				} else {
					binary.LittleEndian.PutUint64(dst[16*k:], uint64(r.i))
					binary.LittleEndian.PutUint64(dst[16*k+8:], uint64(r.n))
				}
			}
			return nil
		}
		return fmt.Errorf("unique: unknown mode %q", mode)
	})
}
