package arrowio

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	aarray "github.com/apache/arrow-go/v18/arrow/array"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

var allDTypes = []graph.DType{graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64}

// randValues returns n random values of dt, as float64 (exact for every
// dtype here: int64 values are kept within 2^53) and as the C-order bytes
// Blockwork holds.
func randValues(r *rand.Rand, dt graph.DType, n int) ([]float64, []byte) {
	vals := make([]float64, n)
	raw := make([]byte, n*dt.Size())
	for i := range vals {
		var v float64
		switch dt {
		case graph.Bool:
			v = float64(r.IntN(2))
			raw[i] = byte(v)
		case graph.Int32:
			v = float64(int32(r.Uint32()))
			binary.LittleEndian.PutUint32(raw[4*i:], uint32(int32(v)))
		case graph.Int64:
			v = float64(r.Int64N(1<<53) - 1<<52)
			binary.LittleEndian.PutUint64(raw[8*i:], uint64(int64(v)))
		case graph.Float32:
			v = float64(float32(r.NormFloat64() * 1e3))
			if r.IntN(50) == 0 {
				v = math.Inf(1 - 2*r.IntN(2))
			}
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(v)))
		case graph.Float64:
			v = r.NormFloat64() * 1e6
			if r.IntN(50) == 0 {
				v = math.Copysign(0, -1)
			}
			binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(v))
		}
		vals[i] = v
	}
	return vals, raw
}

// fromValues makes an array of dt from float64 values (exact for the
// values randValues makes).
func fromValues(vals []float64, dt graph.DType, shape []int, opts ...array.Option) *array.Array {
	switch dt {
	case graph.Bool:
		v := make([]bool, len(vals))
		for i, f := range vals {
			v[i] = f != 0
		}
		return array.FromSlice(v, shape, opts...)
	case graph.Int32:
		v := make([]int32, len(vals))
		for i, f := range vals {
			v[i] = int32(f)
		}
		return array.FromSlice(v, shape, opts...)
	case graph.Int64:
		v := make([]int64, len(vals))
		for i, f := range vals {
			v[i] = int64(f)
		}
		return array.FromSlice(v, shape, opts...)
	case graph.Float32:
		v := make([]float32, len(vals))
		for i, f := range vals {
			v[i] = float32(f)
		}
		return array.FromSlice(v, shape, opts...)
	}
	return array.FromSlice(append([]float64(nil), vals...), shape, opts...)
}

// randShape returns a shape of ndim axes of length 0 to 9 (0 rarely).
func randShape(r *rand.Rand, ndim int) []int {
	s := make([]int, ndim)
	for i := range s {
		s[i] = 1 + r.IntN(9)
		if r.IntN(15) == 0 {
			s[i] = 0
		}
	}
	return s
}

// randChunks chooses chunks for shape: per axis whole, regular (with a
// partial edge chunk) or irregular with the odd zero-length block.
func randChunks(r *rand.Rand, shape []int) chunks.Chunks {
	c := make(chunks.Chunks, len(shape))
	for a, n := range shape {
		switch {
		case n == 0:
			c[a] = []int{0}
		case r.IntN(3) == 0:
			c[a] = []int{n}
		case r.IntN(2) == 0:
			k := 1 + r.IntN(n)
			for s := 0; s < n; s += k {
				c[a] = append(c[a], min(k, n-s))
			}
		default:
			for left := n; left > 0; {
				k := r.IntN(left + 1)
				if r.IntN(6) != 0 && k == 0 {
					k = 1
				}
				c[a] = append(c[a], k)
				left -= k
			}
		}
	}
	return c
}

// checkBytes computes x and compares its bytes with want.
func checkBytes(t *testing.T, what string, x *array.Array, shape []int, dt graph.DType, want []byte) {
	t.Helper()
	nd, err := x.Compute(context.Background())
	if err != nil {
		t.Fatalf("%s: compute: %v", what, err)
	}
	if fmt.Sprint(nd.Shape) != fmt.Sprint(shape) || nd.DType != dt {
		t.Fatalf("%s: got %v %v, want %v %v", what, nd.Shape, nd.DType, shape, dt)
	}
	if !bytes.Equal(nd.Data, want) {
		got := nd.Float64s()
		for i := range got {
			t.Logf("%s: element %d: got %v", what, i, got[i])
			if i > 10 {
				break
			}
		}
		t.Fatalf("%s: data differ", what)
	}
}

// arrowFloat64s reads the values of a primitive Arrow array element by
// element through arrow-go's typed accessors (independent of fill), nulls
// as NaN.
func arrowFloat64s(t *testing.T, arr arrow.Array) []float64 {
	t.Helper()
	out := make([]float64, arr.Len())
	for i := range out {
		if arr.IsNull(i) {
			out[i] = math.NaN()
			continue
		}
		switch a := arr.(type) {
		case *aarray.Boolean:
			if a.Value(i) {
				out[i] = 1
			}
		case *aarray.Int8:
			out[i] = float64(a.Value(i))
		case *aarray.Int16:
			out[i] = float64(a.Value(i))
		case *aarray.Int32:
			out[i] = float64(a.Value(i))
		case *aarray.Int64:
			out[i] = float64(a.Value(i))
		case *aarray.Uint8:
			out[i] = float64(a.Value(i))
		case *aarray.Uint16:
			out[i] = float64(a.Value(i))
		case *aarray.Uint32:
			out[i] = float64(a.Value(i))
		case *aarray.Float32:
			out[i] = float64(a.Value(i))
		case *aarray.Float64:
			out[i] = a.Value(i)
		default:
			t.Fatalf("unexpected arrow array %T", arr)
		}
	}
	return out
}

// sameFloats compares with NaN equal to NaN and -0 equal to +0.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// wantBands is the row count of each band planBands makes, computed
// independently: each chunk cut into pieces of max(1, batch/rowBytes).
func wantBands(c0 []int, rowBytes, batch int64) []int {
	per := 1 << 62
	if rowBytes > 0 {
		per = int(max(1, batch/rowBytes))
	}
	var out []int
	for _, n := range c0 {
		for n > 0 {
			k := min(n, per)
			out = append(out, k)
			n -= k
		}
	}
	return out
}

var nanF = math.NaN()
