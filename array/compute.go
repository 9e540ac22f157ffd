package array

import (
	"context"
	"fmt"
	"sync"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/graph"
)

// Executor runs graphs. It speaks graph types only, so any executor (the
// embedded cluster/local one, a cluster client) can serve.
type Executor interface {
	// Compute runs g for keys and calls deliver once per key with its
	// host bytes (valid during the call only). progress, when not nil, is
	// called as tasks finish with the tasks done, the total, and the bytes
	// of chunks resident in the executor.
	Compute(ctx context.Context, g *graph.Graph, keys []graph.Key, deliver func(i int, data []byte) error, progress func(done, total int, resident int64)) error
	// Persist runs g for keys and keeps their chunks resident, returning
	// one handle per key to use as a graph.Leaf value later.
	Persist(ctx context.Context, g *graph.Graph, keys []graph.Key, progress func(done, total int, resident int64)) ([]any, error)
	// Release frees persisted chunks.
	Release(handles []any)
}

// concurrentExecutor is an Executor that can call deliver from several
// goroutines at once, for different keys (local.Executor).
type concurrentExecutor interface {
	ComputeConcurrent(ctx context.Context, g *graph.Graph, keys []graph.Key, deliver func(i int, data []byte) error, progress func(done, total int, resident int64)) error
}

// directExecutor is a concurrentExecutor that can also write blocks
// straight into their place in the results (local.Executor): dest(i)
// says where key i goes; deliver is called for the other keys only.
type directExecutor interface {
	ComputeDirect(ctx context.Context, g *graph.Graph, keys []graph.Key, dest func(i int) (local.Dest, bool), deliver func(i int, data []byte) error, progress func(done, total int, resident int64)) error
}

var (
	defaultOnce sync.Once
	defaultExec Executor
	defaultErr  error
)

// Default returns the embedded executor (one process, a worker per core),
// started on first use.
func Default() (Executor, error) {
	defaultOnce.Do(func() {
		e, err := local.New()
		defaultExec, defaultErr = e, err
	})
	return defaultExec, defaultErr
}

// ComputeOption configures Compute and Persist.
type ComputeOption func(*computeOpts)

type computeOpts struct {
	exec     Executor
	progress func(done, total int, resident int64)
	noFuse   bool
	noPairs  bool // tests: no graph.FusePairs (export_test.go)
}

// On runs the computation on e instead of the default executor.
func On(e Executor) ComputeOption { return func(o *computeOpts) { o.exec = e } }

// Progress reports tasks done of total, and the bytes of chunks resident
// in the executor, while computing.
func Progress(f func(done, total int, resident int64)) ComputeOption {
	return func(o *computeOpts) { o.progress = f }
}

// NoFuse skips the fusion pass (for tests and comparisons).
func NoFuse() ComputeOption { return func(o *computeOpts) { o.noFuse = true } }

func applyOpts(opts []ComputeOption) (*computeOpts, error) {
	o := &computeOpts{}
	for _, f := range opts {
		f(o)
	}
	if o.exec == nil {
		e, err := Default()
		if err != nil {
			return nil, fmt.Errorf("array: starting the default executor: %w", err)
		}
		o.exec = e
	}
	return o, nil
}

// Graph lowers and optimises xs as Compute would, returning the graph and
// the keys of each array's blocks.
func Graph(xs []*Array, opts ...ComputeOption) (*graph.Graph, [][]graph.Key, error) {
	o := &computeOpts{}
	for _, f := range opts {
		f(o)
	}
	return optimize(xs, o)
}

func optimize(xs []*Array, o *computeOpts) (*graph.Graph, [][]graph.Key, error) {
	g, keys, shared, err := lowerAll(xs...)
	if err != nil {
		return nil, nil, err
	}
	var all []graph.Key
	for _, k := range keys {
		all = append(all, k...)
	}
	g = g.Cull(all)
	if !o.noFuse {
		g = graph.Fuse(g, append(shared, all...))
		g = graph.FuseSiblings(g)
		if !o.noPairs {
			g = graph.FusePairs(g)
		}
	}
	return g, keys, nil
}

// NDArray is a computed array in host memory: shape, dtype and C-order
// bytes.
type NDArray struct {
	Shape []int
	DType graph.DType
	Data  []byte
}

// Compute evaluates x and returns it in host memory.
func (x *Array) Compute(ctx context.Context, opts ...ComputeOption) (*NDArray, error) {
	r, err := Compute(ctx, []*Array{x}, opts...)
	if err != nil {
		return nil, err
	}
	return r[0], nil
}

// Compute evaluates several arrays over one shared graph. Arrays of
// unknown chunk sizes (Extract, Compress) get them first
// (ComputeChunkSizes).
func Compute(ctx context.Context, xs []*Array, opts ...ComputeOption) ([]*NDArray, error) {
	xs, err := resolvePending(ctx, xs, opts)
	if err != nil {
		return nil, err
	}
	if err := firstErr(xs...); err != nil {
		return nil, err
	}
	o, err := applyOpts(opts)
	if err != nil {
		return nil, err
	}
	g, keys, err := optimize(xs, o)
	if err != nil {
		return nil, err
	}
	outs := make([]*NDArray, len(xs))
	type loc struct{ arr, block int }
	// each key is asked for once (the same array, or an array that is
	// another unchanged, such as x and x.T() of a 1-d x, may appear
	// twice) and pasted wherever it is wanted
	var flat []graph.Key
	var where [][]loc
	seen := map[graph.Key]int{}
	for i, x := range xs {
		outs[i] = &NDArray{Shape: x.Shape(), DType: x.nd.dtype, Data: make([]byte, x.Size()*x.nd.dtype.Size())}
		for j, k := range keys[i] {
			f, ok := seen[k]
			if !ok {
				f = len(flat)
				seen[k] = f
				flat = append(flat, k)
				where = append(where, nil)
			}
			where[f] = append(where[f], loc{i, j})
		}
	}
	deliver := func(i int, data []byte) error {
		for _, w := range where[i] {
			x := xs[w.arr]
			ch := x.nd.chunks
			bi := make([]int, len(ch))
			chunks.Unravel(w.block, ch.NumBlocks(), bi)
			bs := ch.BlockShape(bi)
			es := x.nd.dtype.Size()
			if len(data) != prod(bs)*es {
				return fmt.Errorf("array: executor delivered %d bytes for block %v of %s (want %d)", len(data), bi, x.nd.name, prod(bs)*es)
			}
			pasteRegion(outs[w.arr].Data, x.nd.shape, data, bs, ch.Origin(bi), es)
		}
		return nil
	}
	// the embedded executor writes the blocks of fused elementwise results
	// straight into their place (no chunk, no copy); dest says where
	dest := func(i int) (local.Dest, bool) {
		if len(where[i]) != 1 {
			return local.Dest{}, false
		}
		w := where[i][0]
		x := xs[w.arr]
		ch := x.nd.chunks
		bi := make([]int, len(ch))
		chunks.Unravel(w.block, ch.NumBlocks(), bi)
		st := graph.Strides(x.nd.shape)
		off := 0
		for a, at := range ch.Origin(bi) {
			off += at * st[a]
		}
		es := x.nd.dtype.Size()
		if off*es > len(outs[w.arr].Data) {
			return local.Dest{}, false
		}
		return local.Dest{Data: outs[w.arr].Data[off*es:], Shape: ch.BlockShape(bi), Strides: st, DType: x.nd.dtype}, true
	}
	switch c := o.exec.(type) {
	case directExecutor:
		err = c.ComputeDirect(ctx, g, flat, dest, deliver, o.progress)
	case concurrentExecutor:
		err = c.ComputeConcurrent(ctx, g, flat, deliver, o.progress) // deliver writes disjoint regions
	default:
		err = o.exec.Compute(ctx, g, flat, deliver, o.progress)
	}
	if err != nil {
		return nil, err
	}
	return outs, nil
}

// pasteRegion copies a C-order block of shape bs into dst (C-order, shape
// full) at origin.
func pasteRegion(dst []byte, full []int, src []byte, bs []int, origin []int, es int) {
	blockCopy(dst, full, origin, src, bs, nil, bs, es)
}

// blockCopy copies a region of the given shape from src (C order, shape
// srcFull, starting at srcOrigin; nil origin is zero) to dst (C order,
// shape dstFull, at dstOrigin), a row at a time.
func blockCopy(dst []byte, dstFull, dstOrigin []int, src []byte, srcFull, srcOrigin []int, shape []int, es int) {
	n := len(shape)
	if prod(shape) == 0 {
		return
	}
	if n == 0 {
		copy(dst[:es], src[:es])
		return
	}
	at := func(origin []int, a int) int {
		if origin == nil {
			return 0
		}
		return origin[a]
	}
	dst0, src0 := graph.Strides(dstFull), graph.Strides(srcFull)
	row := shape[n-1] * es
	idx := make([]int, n-1)
	for {
		d, s := at(dstOrigin, n-1), at(srcOrigin, n-1)
		for a := 0; a < n-1; a++ {
			d += (at(dstOrigin, a) + idx[a]) * dst0[a]
			s += (at(srcOrigin, a) + idx[a]) * src0[a]
		}
		copy(dst[d*es:d*es+row], src[s*es:s*es+row])
		a := n - 2
		for ; a >= 0; a-- {
			idx[a]++
			if idx[a] < shape[a] {
				break
			}
			idx[a] = 0
		}
		if a < 0 {
			return
		}
	}
}

// Persisted is an array whose chunks are resident in an executor. It is
// an *Array like any other (Array()); Release frees the chunks, after
// which arrays built on it can no longer be computed.
type Persisted struct {
	arr     *Array
	exec    Executor
	handles []any
	once    sync.Once
}

// Array is the persisted array, usable in further expressions.
func (p *Persisted) Array() *Array { return p.arr }

// Release frees the resident chunks (once; later calls do nothing).
func (p *Persisted) Release() {
	p.once.Do(func() { p.exec.Release(p.handles) })
}

// Persist computes x and keeps its chunks resident in the executor (an
// array of unknown chunk sizes gets them first).
func (x *Array) Persist(ctx context.Context, opts ...ComputeOption) (*Persisted, error) {
	if x != nil && x.pend != nil {
		y, err := x.ComputeChunkSizes(ctx, opts...)
		if err != nil {
			return nil, err
		}
		x = y
	}
	if err := x.Err(); err != nil {
		return nil, err
	}
	o, err := applyOpts(opts)
	if err != nil {
		return nil, err
	}
	g, keys, err := optimize([]*Array{x}, o)
	if err != nil {
		return nil, err
	}
	handles, err := o.exec.Persist(ctx, g, keys[0], o.progress)
	if err != nil {
		return nil, err
	}
	xn := x.nd
	name := fmt.Sprintf("persisted-%d", literalSeq.Add(1))
	nd := &node{name: name, shape: xn.shape, chunks: xn.chunks, dtype: xn.dtype, nout: 1}
	nd.lower = func(b *builder) error {
		grid := xn.chunks.NumBlocks()
		idx := make([]int, len(grid))
		for flat, h := range handles {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, idx)
			b.g.Leaves = append(b.g.Leaves, graph.Leaf{Key: graph.Key{Layer: name, Block: int64(flat)}, Outputs: []graph.Chunk{{DType: xn.dtype, Shape: xn.chunks.BlockShape(idx)}}, Value: h})
		}
		return nil
	}
	return &Persisted{arr: &Array{nd: nd}, exec: o.exec, handles: handles}, nil
}
