package array

import (
	"fmt"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// Option configures the chunking of a new array.
type Option func(*createOpts)

type createOpts struct {
	specs    []chunks.AxisSpec
	explicit chunks.Chunks
	limit    int64
}

// Chunked asks for regular chunks of the given sizes per axis (one size
// applies to every axis; -1 is the whole axis).
func Chunked(sizes ...int) Option {
	return func(o *createOpts) {
		o.specs = make([]chunks.AxisSpec, len(sizes))
		for i, s := range sizes {
			if s == -1 {
				o.specs[i] = chunks.Whole()
			} else {
				o.specs[i] = chunks.Regular(s)
			}
		}
	}
}

// ChunkSpec gives a chunk spec per axis (Regular, Explicit, Whole, Auto).
func ChunkSpec(specs ...chunks.AxisSpec) Option {
	return func(o *createOpts) { o.specs = specs }
}

// ExplicitChunks gives every axis's chunk sizes.
func ExplicitChunks(c chunks.Chunks) Option { return func(o *createOpts) { o.explicit = c } }

// ChunkBytes sets the target size of "auto" chunks (default 128 MiB).
func ChunkBytes(n int64) Option { return func(o *createOpts) { o.limit = n } }

func resolveChunks(op string, shape []int, dt graph.DType, opts []Option) (chunks.Chunks, error) {
	for _, s := range shape {
		if s < 0 {
			return nil, fmt.Errorf("array: %s: negative dimension in shape %s", op, shapeStr(shape))
		}
	}
	if !dt.Valid() {
		return nil, fmt.Errorf("array: %s: unsupported dtype %v (shape %s)", op, dt, shapeStr(shape))
	}
	if err := checkSize(op, shape, dt); err != nil {
		return nil, err
	}
	var o createOpts
	for _, f := range opts {
		f(&o)
	}
	if o.explicit != nil {
		if err := chunks.Validate(o.explicit, shape); err != nil {
			return nil, fmt.Errorf("array: %s: bad chunks %v for shape %s: %w", op, o.explicit, shapeStr(shape), err)
		}
		if err := checkBlocks(op, o.explicit, shape); err != nil {
			return nil, err
		}
		return o.explicit.Clone(), nil
	}
	specs := o.specs
	if len(specs) == 0 {
		specs = []chunks.AxisSpec{chunks.Auto()}
	}
	c, err := chunks.Normalize(specs, shape, dt.Size(), o.limit)
	if err != nil {
		return nil, fmt.Errorf("array: %s: bad chunks for shape %s: %w", op, shapeStr(shape), err)
	}
	if err := checkBlocks(op, c, shape); err != nil {
		return nil, err
	}
	return c, nil
}

// MaxBytes bounds an array's size: 2^62 bytes (far beyond any machine,
// but its element count, byte count and offsets fit an int).
const MaxBytes = int64(1) << 62

// MaxBlocks bounds the number of blocks (tasks per layer) of an array.
const MaxBlocks = 1 << 26

// checkSize rejects shapes whose element or byte count overflows.
func checkSize(op string, shape []int, dt graph.DType) error {
	n := uint64(1)
	for _, s := range shape {
		hi, lo := bits.Mul64(n, uint64(s))
		if hi != 0 || lo > uint64(MaxBytes) {
			return fmt.Errorf("array: %s: maximum allowed size exceeded (shape %s)", op, shapeStr(shape))
		}
		n = lo
	}
	if hi, lo := bits.Mul64(n, uint64(dt.Size())); hi != 0 || lo > uint64(MaxBytes) {
		return fmt.Errorf("array: %s: maximum allowed size exceeded (shape %s, %v)", op, shapeStr(shape), dt)
	}
	return nil
}

func checkBlocks(op string, c chunks.Chunks, shape []int) error {
	n := 1
	for _, a := range c {
		n *= len(a)
		if n > MaxBlocks {
			return fmt.Errorf("array: %s: more than %d blocks (shape %s): use larger chunks", op, MaxBlocks, shapeStr(shape))
		}
	}
	return nil
}

// Full is an array of one value.
func Full(shape []int, value float64, dt graph.DType, opts ...Option) *Array {
	shape = append([]int(nil), shape...)
	ch, err := resolveChunks("full", shape, dt, opts)
	if err != nil {
		return errArray(err)
	}
	return generator("full", shape, ch, dt, func(p *pb) int32 { return p.konst(dt, value) })
}

// Zeros is an array of zeros.
func Zeros(shape []int, dt graph.DType, opts ...Option) *Array { return Full(shape, 0, dt, opts...) }

// Ones is an array of ones.
func Ones(shape []int, dt graph.DType, opts ...Option) *Array { return Full(shape, 1, dt, opts...) }

// Arange is start, start+step, ... up to but excluding stop, as NumPy's
// arange: length ceil((stop-start)/step); a[0] = start and a[1] =
// start+step cast to dt, and a[i] = a[0] + i*(a[1]-a[0]) computed in dt.
// So an integer dt steps by int(start+step)-int(start) (Arange(-3, 3, 0.5,
// Int64) is -3, -2, ..., 8, twelve elements, as np.arange(-3, 3, 0.5,
// dtype=int)), and float32 steps in float32.
func Arange(start, stop, step float64, dt graph.DType, opts ...Option) *Array {
	if step == 0 || math.IsNaN(start+stop+step) || math.IsInf(start+stop+step, 0) {
		return errorf("arange", "bad bounds start=%v stop=%v step=%v", start, stop, step)
	}
	if dt == graph.Bool {
		return errorf("arange", "no arange for bool (start=%v stop=%v step=%v)", start, stop, step)
	}
	fn := math.Ceil((stop - start) / step)
	if fn > float64(MaxBytes) {
		return errorf("arange", "maximum allowed size exceeded (start=%v stop=%v step=%v)", start, stop, step)
	}
	n := 0
	if fn > 0 {
		n = int(fn)
	}
	shape := []int{n}
	ch, err := resolveChunks("arange", shape, dt, opts)
	if err != nil {
		return errArray(err)
	}
	// NumPy fills arange from its first two elements, cast to dt: a[1]-a[0]
	// is the step actually taken, in dt's arithmetic.
	return generator("arange", shape, ch, dt, func(p *pb) int32 {
		switch dt {
		case graph.Float64, graph.Float32:
			a0, a1 := start, start+step
			delta := a1 - a0
			if dt == graph.Float32 {
				a0, a1 = float64(float32(a0)), float64(float32(a1))
				delta = float64(float32(a1) - float32(a0))
			}
			i := p.index(0, dt)
			v := p.op(graph.OpAdd, dt, p.konst(dt, a0), p.op(graph.OpMul, dt, i, p.konst(dt, delta)))
			second := p.op(graph.OpEq, graph.Bool, i, p.konst(dt, 1))
			return p.op(graph.OpWhere, dt, second, p.konst(dt, a1), v)
		}
		a0 := int64(start)
		i := p.index(0, graph.Int64)
		return p.op(graph.OpAdd, graph.Int64, p.konstInt(graph.Int64, a0), p.op(graph.OpMul, graph.Int64, i, p.konstInt(graph.Int64, int64(start+step)-a0)))
	})
}

// Linspace is num evenly spaced float64 values from start to stop
// (included when endpoint).
func Linspace(start, stop float64, num int, endpoint bool, opts ...Option) *Array {
	if num < 0 {
		return errorf("linspace", "number of samples %d must be non-negative", num)
	}
	div := num
	if endpoint {
		div = num - 1
	}
	step := math.NaN()
	if div > 0 {
		step = (stop - start) / float64(div)
	}
	shape := []int{num}
	ch, err := resolveChunks("linspace", shape, graph.Float64, opts)
	if err != nil {
		return errArray(err)
	}
	return generator("linspace", shape, ch, graph.Float64, func(p *pb) int32 {
		i := p.index(0, graph.Float64)
		var v int32
		if div > 0 {
			v = p.op(graph.OpAdd, graph.Float64, p.op(graph.OpMul, graph.Float64, i, p.konst(graph.Float64, step)), p.konst(graph.Float64, start))
		} else {
			v = p.op(graph.OpAdd, graph.Float64, p.op(graph.OpMul, graph.Float64, i, p.konst(graph.Float64, 0)), p.konst(graph.Float64, start))
		}
		if endpoint && num > 1 {
			last := p.op(graph.OpEq, graph.Bool, i, p.konst(graph.Float64, float64(num-1)))
			v = p.op(graph.OpWhere, graph.Float64, last, p.konst(graph.Float64, stop), v)
		}
		return v
	})
}

// Eye is an n x m array with ones on the k-th diagonal.
func Eye(n, m, k int, dt graph.DType, opts ...Option) *Array {
	shape := []int{n, m}
	ch, err := resolveChunks("eye", shape, dt, opts)
	if err != nil {
		return errArray(err)
	}
	return generator("eye", shape, ch, dt, func(p *pb) int32 {
		i := p.index(0, graph.Int64)
		j := p.index(1, graph.Int64)
		on := p.op(graph.OpEq, graph.Bool, p.op(graph.OpAdd, graph.Int64, i, p.konstInt(graph.Int64, int64(k))), j)
		return p.cast(on, dt)
	})
}

// Random makes random arrays from one seed: Philox4x32-10 keyed by the
// seed, a new stream per call, each element from its flat index (a float64
// or an integer from half a Philox block, a float32 from a quarter, a
// normal from a whole one; graph.RandSpec), so the values do not depend on
// the chunking.
type Random struct {
	seed   uint64
	mu     sync.Mutex
	stream uint64
}

// NewRandom returns a generator for seed.
func NewRandom(seed uint64) *Random { return &Random{seed: seed} }

func (r *Random) next() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stream
	r.stream++
	return s
}

func (r *Random) gen(op string, kind graph.RandKind, shape []int, dt graph.DType, opts []Option, post func(p *pb, u int32) int32, lo, hi int64) *Array {
	if r == nil {
		return errorf(op, "nil *Random (make one with NewRandom)")
	}
	shape = append([]int(nil), shape...)
	ch, err := resolveChunks(op, shape, dt, opts)
	if err != nil {
		return errArray(err)
	}
	spec := graph.RandSpec{Kind: kind, Seed: r.seed, Stream: r.next(), Low: lo, High: hi, Shape: shape}
	return generator(op, shape, ch, dt, func(p *pb) int32 {
		rt := dt
		if kind != graph.RandInteger && !dt.IsFloat() {
			rt = graph.Float64
		}
		return post(p, p.random(spec, rt))
	})
}

// Uniform is uniform on [low, high): low + (high-low)*u, u on [0, 1).
func (r *Random) Uniform(low, high float64, shape []int, dt graph.DType, opts ...Option) *Array {
	if !dt.IsFloat() {
		return errorf("uniform", "dtype %v is not a float (shape %s)", dt, shapeStr(shape))
	}
	return r.gen("uniform", graph.RandUniform, shape, dt, opts, func(p *pb, u int32) int32 {
		if low == 0 && high == 1 {
			return u
		}
		return p.op(graph.OpAdd, dt, p.konst(dt, low), p.op(graph.OpMul, dt, p.konst(dt, high-low), u))
	}, 0, 0)
}

// Normal is normal with the given mean and standard deviation.
func (r *Random) Normal(mean, std float64, shape []int, dt graph.DType, opts ...Option) *Array {
	if !dt.IsFloat() {
		return errorf("normal", "dtype %v is not a float (shape %s)", dt, shapeStr(shape))
	}
	return r.gen("normal", graph.RandNormal, shape, dt, opts, func(p *pb, z int32) int32 {
		if mean == 0 && std == 1 {
			return z
		}
		return p.op(graph.OpAdd, dt, p.konst(dt, mean), p.op(graph.OpMul, dt, p.konst(dt, std), z))
	}, 0, 0)
}

// Integers is uniform on [low, high) (int32 or int64).
func (r *Random) Integers(low, high int64, shape []int, dt graph.DType, opts ...Option) *Array {
	if !dt.IsInt() {
		return errorf("integers", "dtype %v is not an integer type (shape %s)", dt, shapeStr(shape))
	}
	if high <= low {
		return errorf("integers", "low %d >= high %d", low, high)
	}
	if dt == graph.Int32 && (low < math.MinInt32 || high-1 > math.MaxInt32) {
		return errorf("integers", "bounds [%d, %d) out of int32 range", low, high)
	}
	return r.gen("integers", graph.RandInteger, shape, dt, opts, func(p *pb, v int32) int32 { return v }, low, high)
}

// ---- literal data

var literalSeq atomic.Int64

// Element is the set of Go element types of the dtypes.
type Element interface {
	~float64 | ~float32 | ~int64 | ~int32 | ~bool
}

func dtypeOf[T Element]() graph.DType {
	var z T
	switch any(z).(type) {
	case float64:
		return graph.Float64
	case float32:
		return graph.Float32
	case int64:
		return graph.Int64
	case int32:
		return graph.Int32
	case bool:
		return graph.Bool
	}
	return graph.Invalid
}

// FromSlice makes an array of shape from data in C order (copied).
func FromSlice[T Element](data []T, shape []int, opts ...Option) *Array {
	dt := dtypeOf[T]()
	if dt == graph.Invalid {
		return errorf("from_slice", "unsupported element type %T", data)
	}
	shape = append([]int(nil), shape...)
	ch, err := resolveChunks("from_slice", shape, dt, opts)
	if err != nil {
		return errArray(err)
	}
	if prod(shape) != len(data) {
		return errorf("from_slice", "%d elements do not fill shape %s", len(data), shapeStr(shape))
	}
	raw := make([]byte, len(data)*dt.Size())
	switch v := any(data).(type) {
	case []bool:
		for i, b := range v {
			if b {
				raw[i] = 1
			}
		}
	case []float64:
		copy(raw, device.AsBytes(v))
	case []float32:
		copy(raw, device.AsBytes(v))
	case []int64:
		copy(raw, device.AsBytes(v))
	case []int32:
		copy(raw, device.AsBytes(v))
	}
	return fromBytes("from_slice", raw, shape, ch, dt)
}

// fromBytes makes a literal array whose blocks become graph leaves.
func fromBytes(op string, raw []byte, shape []int, ch chunks.Chunks, dt graph.DType) *Array {
	name := fmt.Sprintf("%s-%d", op, literalSeq.Add(1))
	nd := &node{name: name, shape: shape, chunks: ch, dtype: dt, nout: 1}
	nd.lower = func(b *builder) error {
		grid := ch.NumBlocks()
		idx := make([]int, len(grid))
		for flat := 0; flat < ch.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, idx)
			bs := ch.BlockShape(idx)
			var data []byte
			if ch.Total() == 1 {
				data = raw
			} else {
				data = make([]byte, prod(bs)*dt.Size())
				copyRegion(data, bs, raw, shape, ch.Origin(idx), dt.Size())
			}
			b.g.Leaves = append(b.g.Leaves, graph.Leaf{Key: graph.Key{Layer: name, Block: int64(flat)}, Outputs: []graph.Chunk{{DType: dt, Shape: bs}}, Value: data})
		}
		return nil
	}
	return &Array{nd: nd}
}

// copyRegion copies the block of shape bs at origin of a C-order array of
// shape full into dst (C order).
func copyRegion(dst []byte, bs []int, src []byte, full []int, origin []int, es int) {
	blockCopy(dst, bs, nil, src, full, origin, bs, es)
}
