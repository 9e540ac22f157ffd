package array

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// ErrUnknownChunks is wrapped by the error of an array whose chunk sizes
// depend on data (Extract, Compress): such an array can be computed or
// persisted, or given its sizes by ComputeChunkSizes; any other operation
// on it returns an array carrying this error (Dask lets a few operations
// through with NaN sizes; here every other one needs the sizes).
var ErrUnknownChunks = errors.New("chunk sizes unknown (they depend on the data): call ComputeChunkSizes first")

// pending is how an array of unknown chunk sizes gets them: resolve
// returns the same array with known chunks (computing what it must).
type pending struct {
	resolve func(ctx context.Context, opts []ComputeOption) (*Array, error)
}

// Extract is x[mask] for a lazy bool mask of x's shape (NumPy's
// extract): the elements where mask is true, in C order, as a 1-d array
// with one chunk per block of x raveled (an N-d x is raveled first, as
// Dask does, so the order is NumPy's), whose sizes are unknown until
// ComputeChunkSizes (or a Compute, which finds them first).
func (x *Array) Extract(mask *Array) *Array {
	if err := firstErr(x, mask); err != nil {
		return errArray(err)
	}
	if mask.nd.dtype != graph.Bool || !slices.Equal(mask.nd.shape, x.nd.shape) {
		return errorf("extract", "mask %v%s for an array of shape %s: want a bool mask of the same shape", mask.nd.dtype, shapeStr(mask.nd.shape), shapeStr(x.nd.shape))
	}
	shape := x.nd.shape
	if len(shape) != 1 {
		// NumPy's order is C order over the whole array, not block by
		// block: ravel both first (as Dask does when sizes are known)
		x, mask = x.Ravel(), mask.Ravel()
		if err := firstErr(x, mask); err != nil {
			return errorf("extract", "%v", err)
		}
	}
	m := rechunkTo(mask, x.nd.chunks)
	if m.err != nil {
		return errArray(m.err)
	}
	return pendingArray("extract", shape, func(ctx context.Context, opts []ComputeOption) (*Array, error) {
		counts, err := trueCounts(ctx, m, opts)
		if err != nil {
			return nil, err
		}
		return extractKnown(x, m, counts), nil
	})
}

// Compress is np.compress(cond, x, axis) for a lazy 1-d bool cond no
// longer than the axis: the hyperslabs of x along axis where cond is
// true. A shorter cond selects from the first len(cond) positions only
// (NumPy and Dask truncate x to it). Its size along axis is unknown until
// ComputeChunkSizes.
func (x *Array) Compress(cond *Array, axis int) *Array {
	if err := firstErr(x, cond); err != nil {
		return errArray(err)
	}
	ax, err := normAxis("compress", axis, len(x.nd.shape))
	if err != nil {
		return errArray(err)
	}
	if cond.nd.dtype != graph.Bool || len(cond.nd.shape) != 1 || cond.nd.shape[0] > x.nd.shape[ax] {
		return errorf("compress", "condition %v%s for axis %d of shape %s: want a 1-d bool array no longer than the axis", cond.nd.dtype, shapeStr(cond.nd.shape), axis, shapeStr(x.nd.shape))
	}
	if n := cond.nd.shape[0]; n < x.nd.shape[ax] {
		index := make([]Index, ax+1)
		for a := range ax {
			index[a] = All()
		}
		index[ax] = Span(0, n)
		x = x.Slice(index...)
	}
	m := rechunkTo(cond, chunks.Chunks{x.nd.chunks[ax]})
	if m.err != nil {
		return errArray(m.err)
	}
	return pendingArray("compress", x.nd.shape, func(ctx context.Context, opts []ComputeOption) (*Array, error) {
		counts, err := trueCounts(ctx, m, opts)
		if err != nil {
			return nil, err
		}
		return compressKnown(x, m, ax, counts), nil
	})
}

func pendingArray(op string, shape []int, resolve func(ctx context.Context, opts []ComputeOption) (*Array, error)) *Array {
	return &Array{pend: &pending{resolve: resolve}, err: fmt.Errorf("array: %s of shape %s: %w", op, shapeStr(shape), ErrUnknownChunks)}
}

// ChunksKnown reports whether x's chunk sizes are known (false for
// Extract and Compress results before ComputeChunkSizes).
func (x *Array) ChunksKnown() bool { return x != nil && x.pend == nil }

// ComputeChunkSizes returns x with its chunk sizes known. For Extract
// and Compress it computes the mask's true count per block (one small
// pass over the mask) and returns the same lazy selection with exact
// chunks; the mask is computed again when the result is. For Unique it
// computes the result. For any other array it returns x.
func (x *Array) ComputeChunkSizes(ctx context.Context, opts ...ComputeOption) (*Array, error) {
	if x == nil || x.pend == nil {
		return x, x.Err()
	}
	return x.pend.resolve(ctx, opts)
}

// trueCounts computes the number of true elements in each block of m
// (C order of the block grid).
func trueCounts(ctx context.Context, m *Array, opts []ComputeOption) ([]int, error) {
	cnt := mapBlocks("count_true", "array.count_true", nil, []*Array{m}, nil, []MapOption{MapDType(graph.Int64), MapChunks(onesGrid(m.nd.chunks))})
	r, err := cnt.Compute(ctx, opts...)
	if err != nil {
		return nil, err
	}
	counts := make([]int, 0, r.Size())
	for _, c := range r.Int64s() {
		counts = append(counts, int(c))
	}
	return counts, nil
}

// onesGrid is the chunks of an array with one element per block of c.
func onesGrid(c chunks.Chunks) chunks.Chunks {
	grid := c.NumBlocks()
	ones := make(chunks.Chunks, len(grid))
	for a, g := range grid {
		ones[a] = make([]int, g)
		for i := range ones[a] {
			ones[a][i] = 1
		}
	}
	return ones
}

// extractKnown is x[m] with the per-block true counts known.
func extractKnown(x, m *Array, counts []int) *Array {
	xn, mn := x.nd, m.nd
	och := chunks.Chunks{counts} // every array has at least one block
	name := token("extract", xn, mn)
	out := &node{name: name, shape: och.Shape(), chunks: och, dtype: xn.dtype, nout: 1, inputs: []*node{xn, mn}}
	out.lower = func(b *builder) error {
		for flat := range counts {
			if !b.needs(flat) {
				continue
			}
			kx := graph.Key{Layer: xn.name, Block: int64(flat)}
			km := graph.Key{Layer: mn.name, Block: int64(flat)}
			b.mark(xn, kx)
			b.mark(mn, km)
			b.g.Tasks = append(b.g.Tasks, graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: graph.DeviceKinds(graph.CPU),
				Op: graph.Op{Name: graph.OpCompress, Params: &graph.CompressParams{Axis: -1}}, Inputs: []graph.Key{kx, km},
				Outputs: []graph.Chunk{{DType: xn.dtype, Shape: []int{counts[flat]}}}})
		}
		return nil
	}
	return &Array{nd: out}
}

// compressKnown is compress(m, x, axis) with the per-block counts known.
func compressKnown(x, m *Array, axis int, counts []int) *Array {
	xn, mn := x.nd, m.nd
	och := xn.chunks.Clone()
	och[axis] = counts
	name := token("compress", xn, mn, axis)
	out := &node{name: name, shape: och.Shape(), chunks: och, dtype: xn.dtype, nout: 1, inputs: []*node{xn, mn}}
	out.lower = func(b *builder) error {
		grid := och.NumBlocks()
		bi := make([]int, len(grid))
		for flat := 0; flat < och.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bi)
			kx := graph.Key{Layer: xn.name, Block: int64(flat)}
			km := graph.Key{Layer: mn.name, Block: int64(bi[axis])}
			b.mark(xn, kx)
			b.mark(mn, km)
			b.g.Tasks = append(b.g.Tasks, graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: graph.DeviceKinds(graph.CPU),
				Op: graph.Op{Name: graph.OpCompress, Params: &graph.CompressParams{Axis: axis}}, Inputs: []graph.Key{kx, km},
				Outputs: []graph.Chunk{{DType: xn.dtype, Shape: och.BlockShape(bi)}}})
		}
		return nil
	}
	return &Array{nd: out}
}

// resolvePending gives the pending arrays among xs their chunk sizes.
func resolvePending(ctx context.Context, xs []*Array, opts []ComputeOption) ([]*Array, error) {
	var out []*Array
	for i, x := range xs {
		if x == nil || x.pend == nil {
			continue
		}
		if out == nil {
			out = append([]*Array(nil), xs...)
		}
		y, err := x.ComputeChunkSizes(ctx, opts...)
		if err != nil {
			return nil, err
		}
		out[i] = y
	}
	if out == nil {
		return xs, nil
	}
	return out, nil
}

func init() {
	funcs.MustRegisterBlockFunc("array.count_true", func(_ context.Context, _ []byte, out funcs.Block, dst []byte, in []funcs.Block, src [][]byte) error {
		if out.DType != graph.Int64 || out.Elems() != 1 || in[0].DType != graph.Bool {
			return fmt.Errorf("count_true: %v mask into %v%v", in[0].DType, out.DType, out.Shape)
		}
		n := int64(0)
		for _, b := range src[0] {
			if b != 0 {
				n++
			}
		}
		for i := 0; i < 8; i++ {
			dst[i] = byte(n >> (8 * i))
		}
		return nil
	})
}
