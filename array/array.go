package array

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Array is a lazy chunked N-d array. The zero value is not useful; make
// arrays with the creation functions. Methods never modify their receiver.
type Array struct {
	nd  *node
	err error
	// pend is set (with err wrapping ErrUnknownChunks) for arrays whose
	// chunk sizes depend on data (mask.go).
	pend *pending
}

// node is one layer: its metadata and how to lower it.
type node struct {
	name   string // layer token
	shape  []int
	chunks chunks.Chunks
	dtype  graph.DType
	nout   int // buffers per block (tuple outputs of reduction partials)
	inputs []*node
	// weak marks a Go scalar wrapped as a 0-d array (NEP 50 promotion)
	weak bool
	kind graph.ScalarKind
	// weakInt is the value of a weak integer scalar (for NEP 50's
	// out-of-bounds check)
	weakInt int64
	// weakVal is the value of a weak scalar of any kind
	weakVal float64
	// lower appends this layer's tasks (and leaves) to the builder; the
	// inputs have already been lowered.
	lower func(b *builder) error
	// elem is set for elementwise layers (fused programs), so that a
	// consumer can see through them where useful.
	elem *elemLayer
	// raw is elem before generators were inlined into it (inline.go:
	// shared expensive generators may be materialised instead).
	raw *elemLayer
	// take is set on Take's layers: a reduction over other axes commutes
	// with it (reduce.go).
	take *takeOf
}

// takeOf is what a Take layer took: positions idx along axis of src.
type takeOf struct {
	src  *node
	axis int
	idx  []int
}

func errArray(err error) *Array { return &Array{err: err} }

func errorf(op string, format string, a ...any) *Array {
	return errArray(fmt.Errorf("array: %s: %s", op, fmt.Sprintf(format, a...)))
}

// Err returns the sticky error of a failed construction, or nil.
func (x *Array) Err() error {
	if x == nil {
		return fmt.Errorf("array: nil Array")
	}
	return x.err
}

// Shape is the array's shape (a copy).
func (x *Array) Shape() []int {
	if x.Err() != nil {
		return nil
	}
	return append([]int(nil), x.nd.shape...)
}

// NDim is the number of axes.
func (x *Array) NDim() int {
	if x.Err() != nil {
		return 0
	}
	return len(x.nd.shape)
}

// Size is the number of elements.
func (x *Array) Size() int {
	if x.Err() != nil {
		return 0
	}
	return prod(x.nd.shape)
}

// DType is the element type.
func (x *Array) DType() graph.DType {
	if x.Err() != nil {
		return graph.Invalid
	}
	return x.nd.dtype
}

// Chunks returns the chunk sizes per axis (a copy).
func (x *Array) Chunks() chunks.Chunks {
	if x.Err() != nil {
		return nil
	}
	return x.nd.chunks.Clone()
}

// NumBlocks is the number of blocks (tasks of the last layer).
func (x *Array) NumBlocks() int {
	if x.Err() != nil {
		return 0
	}
	return x.nd.chunks.Total()
}

// Name is the layer token of the array's last operation.
func (x *Array) Name() string {
	if x.Err() != nil {
		return ""
	}
	return x.nd.name
}

// String describes the array like Dask's repr.
func (x *Array) String() string {
	if x.Err() != nil {
		return fmt.Sprintf("Array<error: %v>", x.err)
	}
	return fmt.Sprintf("Array<%s, shape=%s, dtype=%v, chunks=%v>", x.nd.name, chunks.ShapeString(x.nd.shape), x.nd.dtype, x.nd.chunks)
}

func prod(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

// token returns a layer token "prefix-<16 hex>" hashing the parts.
func token(prefix string, parts ...any) string {
	h := fnv.New64a()
	for _, p := range parts {
		switch v := p.(type) {
		case *node:
			h.Write([]byte(v.name))
		case string:
			h.Write([]byte(v))
		default:
			fmt.Fprint(h, v)
		}
		h.Write([]byte{0})
	}
	return prefix + "-" + strconv.FormatUint(h.Sum64(), 16)
}

func shapeStr(s []int) string { return chunks.ShapeString(s) }

func shapesStr(xs ...*Array) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = shapeStr(x.nd.shape)
	}
	return strings.Join(parts, ", ")
}

// firstErr returns the first sticky error among xs (or a nil-array error).
func firstErr(xs ...*Array) error {
	for _, x := range xs {
		if err := x.Err(); err != nil {
			return err
		}
	}
	return nil
}

// normAxis turns a possibly negative axis into [0, ndim).
func normAxis(op string, ax, ndim int) (int, error) {
	if ax < -ndim || ax >= ndim {
		return 0, fmt.Errorf("array: %s: axis %d is out of bounds for array of dimension %d", op, ax, ndim)
	}
	if ax < 0 {
		ax += ndim
	}
	return ax, nil
}

// normAxes normalises a set of axes (none means all), rejecting repeats.
func normAxes(op string, axes []int, ndim int) ([]int, error) {
	if len(axes) == 0 {
		out := make([]int, ndim)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	seen := make([]bool, ndim)
	out := make([]int, 0, len(axes))
	for _, a := range axes {
		n, err := normAxis(op, a, ndim)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, fmt.Errorf("array: %s: repeated axis %d", op, a)
		}
		seen[n] = true
		out = append(out, n)
	}
	sortInts(out)
	return out, nil
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j-1] > a[j]; j-- {
			a[j-1], a[j] = a[j], a[j-1]
		}
	}
}

// Errored is an Array that carries err as its sticky error (nil err: an
// error saying so), for code that builds arrays and must report a failure
// the same way the array API does.
func Errored(err error) *Array {
	if err == nil {
		err = fmt.Errorf("array: Errored(nil)")
	}
	return errArray(err)
}
