package kerneltest

import (
	"math"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// tensor is the suite's own host copy of a buffer's contents: floats as
// float64 (float32 values are exactly representable), bool and integers
// as int64 (bool as 0/1).
type tensor struct {
	dt    graph.DType
	shape []int
	f     []float64
	i     []int64
}

func newTensor(dt graph.DType, shape []int) *tensor {
	x := &tensor{dt: dt, shape: append([]int{}, shape...)}
	n := x.chunk().Size()
	if dt.IsFloat() {
		x.f = make([]float64, n)
	} else {
		x.i = make([]int64, n)
	}
	return x
}

func (x *tensor) chunk() graph.Chunk { return graph.Chunk{DType: x.dt, Shape: x.shape} }

func (x *tensor) size() int { return max(len(x.f), len(x.i)) }

// setF sets element k from a float64, rounding to the dtype.
func (x *tensor) setF(k int, v float64) {
	switch x.dt {
	case graph.Float32:
		x.f[k] = float64(float32(v))
	case graph.Float64:
		x.f[k] = v
	default:
		x.setI(k, int64(v))
	}
}

// setI sets element k from an int64, wrapping to the dtype.
func (x *tensor) setI(k int, v int64) {
	switch x.dt {
	case graph.Bool:
		if v != 0 {
			v = 1
		}
	case graph.Int32:
		v = int64(int32(v))
	case graph.Float32, graph.Float64:
		x.setF(k, float64(v))
		return
	}
	x.i[k] = v
}

// store writes x into host bytes p in the dtype's layout.
func (x *tensor) store(p []byte) {
	switch x.dt {
	case graph.Bool:
		for k, v := range x.i {
			p[k] = uint8(v)
		}
	case graph.Int32:
		d := device.ViewBytes[int32](p)
		for k, v := range x.i {
			d[k] = int32(v)
		}
	case graph.Int64:
		copy(device.ViewBytes[int64](p), x.i)
	case graph.Float32:
		d := device.ViewBytes[float32](p)
		for k, v := range x.f {
			d[k] = float32(v)
		}
	case graph.Float64:
		copy(device.ViewBytes[float64](p), x.f)
	}
}

// load reads a tensor of dt and shape from host bytes p.
func load(dt graph.DType, shape []int, p []byte) *tensor {
	x := newTensor(dt, shape)
	switch dt {
	case graph.Bool:
		for k := range x.i {
			x.i[k] = int64(p[k])
		}
	case graph.Int32:
		for k, v := range device.ViewBytes[int32](p)[:len(x.i)] {
			x.i[k] = int64(v)
		}
	case graph.Int64:
		copy(x.i, device.ViewBytes[int64](p))
	case graph.Float32:
		for k, v := range device.ViewBytes[float32](p)[:len(x.f)] {
			x.f[k] = float64(v)
		}
	case graph.Float64:
		copy(x.f, device.ViewBytes[float64](p))
	}
	return x
}

// eps is the unit roundoff of a float dtype (0 for exact dtypes).
func eps(dt graph.DType) float64 {
	switch dt {
	case graph.Float32:
		return 0x1p-24
	case graph.Float64:
		return 0x1p-53
	}
	return 0
}

// sameFloat is equality with NaN equal to NaN.
func sameFloat(a, b float64) bool { return a == b || (a != a && b != b) }

// randShape draws a shape of 0..maxND axes, each 0..maxDim (0 and 1
// often, so size-0 and size-1 axes are common).
func (e *env) randShape(maxND, maxDim int) []int {
	s := make([]int, e.rng.IntN(maxND+1))
	for i := range s {
		switch r := e.rng.IntN(10); {
		case r == 0:
			s[i] = 0
		case r <= 2:
			s[i] = 1
		default:
			s[i] = 1 + e.rng.IntN(maxDim)
		}
	}
	return s
}

// randValue draws a value for dtype dt: floats of mixed magnitude and
// sign, integers of the full range of the dtype (so sums wrap).
func (e *env) randValue(dt graph.DType) (float64, int64) {
	switch dt {
	case graph.Bool:
		return 0, int64(e.rng.IntN(2))
	case graph.Int32:
		return 0, int64(int32(e.rng.Uint32()))
	case graph.Int64:
		return 0, int64(e.rng.Uint64())
	}
	return e.rng.NormFloat64() * math.Pow(10, float64(e.rng.IntN(7)-3)), 0
}

// fillRandom sets every element of x from randValue.
func (e *env) fillRandom(x *tensor) {
	for k := range x.size() {
		f, i := e.randValue(x.dt)
		if x.dt.IsFloat() {
			x.setF(k, f)
		} else {
			x.setI(k, i)
		}
	}
}

// valueDTypes are the dtypes arrays have.
var valueDTypes = []graph.DType{graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64}
