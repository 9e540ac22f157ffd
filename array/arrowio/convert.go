package arrowio

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	aarray "github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// dtypeOf maps an Arrow element type to the dtype it is read as (see the
// package doc: small integers widen to int32, uint32 to int64).
func dtypeOf(t arrow.DataType) (graph.DType, error) {
	switch t.ID() {
	case arrow.BOOL:
		return graph.Bool, nil
	case arrow.INT8, arrow.INT16, arrow.UINT8, arrow.UINT16, arrow.INT32:
		return graph.Int32, nil
	case arrow.UINT32, arrow.INT64:
		return graph.Int64, nil
	case arrow.FLOAT32:
		return graph.Float32, nil
	case arrow.FLOAT64:
		return graph.Float64, nil
	case arrow.UINT64:
		return graph.Invalid, fmt.Errorf("type uint64 has no lossless Blockwork dtype (int64 would wrap values above 2^63-1)")
	case arrow.FLOAT16:
		return graph.Invalid, fmt.Errorf("type float16 is not supported (no Blockwork dtype)")
	}
	return graph.Invalid, fmt.Errorf("type %v is not a bool or numeric type Blockwork reads", t)
}

// arrowType is the Arrow type a dtype is written as.
func arrowType(dt graph.DType) arrow.DataType {
	switch dt {
	case graph.Bool:
		return arrow.FixedWidthTypes.Boolean
	case graph.Int32:
		return arrow.PrimitiveTypes.Int32
	case graph.Int64:
		return arrow.PrimitiveTypes.Int64
	case graph.Float32:
		return arrow.PrimitiveTypes.Float32
	case graph.Float64:
		return arrow.PrimitiveTypes.Float64
	}
	return nil
}

// makeColumn wraps n elements of dtype dt (Blockwork layout: bool one
// byte each) as an Arrow array. Numeric data is not copied: the array
// refers to data, which must outlive it. Bool data is bit-packed into a
// new buffer from mem.
func makeColumn(mem memory.Allocator, dt graph.DType, data []byte, n int) arrow.Array {
	var buf *memory.Buffer
	if dt == graph.Bool {
		buf = memory.NewResizableBuffer(mem)
		buf.Resize(int(bitutil.BytesForBits(int64(n))))
		bits := buf.Bytes()
		clear(bits)
		for i := 0; i < n; i++ {
			if data[i] != 0 {
				bitutil.SetBit(bits, i)
			}
		}
		defer buf.Release()
	} else {
		buf = memory.NewBufferBytes(data[:n*dt.Size()])
	}
	d := aarray.NewData(arrowType(dt), n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer d.Release()
	return aarray.MakeFromData(d)
}

// makeRows wraps a band of rows x width elements as an Arrow column:
// primitive when nested is false (width must be 1), else
// FixedSizeList<dt>[width].
func makeRows(mem memory.Allocator, dt graph.DType, data []byte, rows, width int, nested bool) arrow.Array {
	if !nested {
		return makeColumn(mem, dt, data, rows)
	}
	child := makeColumn(mem, dt, data, rows*width)
	defer child.Release()
	d := aarray.NewData(listType(dt, width), rows, []*memory.Buffer{nil}, []arrow.ArrayData{child.Data()}, 0, 0)
	defer d.Release()
	return aarray.MakeFromData(d)
}

func listType(dt graph.DType, width int) *arrow.FixedSizeListType {
	return arrow.FixedSizeListOfNonNullable(int32(width), arrowType(dt))
}

// nullError is the error for a null in a bool or integer array.
type nullError struct{ index int }

func (e nullError) Error() string {
	return fmt.Sprintf("null value at element %d (nulls are only read, as NaN, into float arrays)", e.index)
}

// fill writes the elements of arr, converted to dt, into dst (a buffer of
// dt elements): element i goes to index base + i*stride. Nulls become
// NaN when dt is a float type and are an error otherwise.
func fill(dst []byte, dt graph.DType, arr arrow.Array, base, stride int) error {
	n := arr.Len()
	if n == 0 {
		return nil
	}
	last := base + (n-1)*stride
	if base < 0 || stride <= 0 || last >= len(dst)/dt.Size() {
		return fmt.Errorf("column of %d elements does not fit the block (base %d, stride %d, %d slots)", n, base, stride, len(dst)/dt.Size())
	}
	switch a := arr.(type) {
	case *aarray.Boolean:
		vals := make([]uint8, n)
		for i := range vals {
			if a.Value(i) {
				vals[i] = 1
			}
		}
		put(dst, dt, vals, base, stride)
	case *aarray.Int8:
		put(dst, dt, a.Int8Values(), base, stride)
	case *aarray.Int16:
		put(dst, dt, a.Int16Values(), base, stride)
	case *aarray.Int32:
		put(dst, dt, a.Int32Values(), base, stride)
	case *aarray.Int64:
		put(dst, dt, a.Int64Values(), base, stride)
	case *aarray.Uint8:
		put(dst, dt, a.Uint8Values(), base, stride)
	case *aarray.Uint16:
		put(dst, dt, a.Uint16Values(), base, stride)
	case *aarray.Uint32:
		put(dst, dt, a.Uint32Values(), base, stride)
	case *aarray.Float32:
		put(dst, dt, a.Float32Values(), base, stride)
	case *aarray.Float64:
		put(dst, dt, a.Float64Values(), base, stride)
	default:
		_, err := dtypeOf(arr.DataType())
		if err == nil {
			err = fmt.Errorf("arrow array %T not handled", arr)
		}
		return err
	}
	if arr.NullN() == 0 {
		return nil
	}
	for i := 0; i < n; i++ {
		if arr.IsNull(i) {
			if err := setNaN(dst, dt, base+i*stride, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// setNaN stores NaN at element j of dst, or fails for non-float dtypes
// (i is the element's index in its column, for the message).
func setNaN(dst []byte, dt graph.DType, j, i int) error {
	switch dt {
	case graph.Float64:
		device.ViewBytes[float64](dst)[j] = math.NaN()
	case graph.Float32:
		device.ViewBytes[float32](dst)[j] = float32(math.NaN())
	default:
		return nullError{index: i}
	}
	return nil
}

type number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~float32 | ~float64
}

// put converts vals to dt into dst[base + i*stride].
func put[S number](dst []byte, dt graph.DType, vals []S, base, stride int) {
	switch dt {
	case graph.Float64:
		putAs(device.ViewBytes[float64](dst), vals, base, stride)
	case graph.Float32:
		putAs(device.ViewBytes[float32](dst), vals, base, stride)
	case graph.Int64:
		putAs(device.ViewBytes[int64](dst), vals, base, stride)
	case graph.Int32:
		putAs(device.ViewBytes[int32](dst), vals, base, stride)
	case graph.Bool:
		for i, v := range vals {
			b := uint8(0)
			if v != 0 {
				b = 1
			}
			dst[base+i*stride] = b
		}
	}
}

func putAs[D, S number](dst []D, vals []S, base, stride int) {
	if stride == 1 {
		dst = dst[base : base+len(vals)]
		for i, v := range vals {
			dst[i] = D(v)
		}
		return
	}
	j := base
	for _, v := range vals {
		dst[j] = D(v)
		j += stride
	}
}
