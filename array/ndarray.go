package array

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// Size is the number of elements.
func (a *NDArray) Size() int { return prod(a.Shape) }

// Float64s returns the values converted to float64 (bool as 0/1).
func (a *NDArray) Float64s() []float64 {
	out := make([]float64, a.Size())
	switch a.DType {
	case graph.Float64:
		copy(out, device.ViewBytes[float64](a.Data))
	case graph.Float32:
		for i, v := range device.ViewBytes[float32](a.Data) {
			out[i] = float64(v)
		}
	case graph.Int64:
		for i, v := range device.ViewBytes[int64](a.Data) {
			out[i] = float64(v)
		}
	case graph.Int32:
		for i, v := range device.ViewBytes[int32](a.Data) {
			out[i] = float64(v)
		}
	case graph.Bool:
		for i, v := range a.Data {
			out[i] = float64(v)
		}
	}
	return out
}

// Int64s returns the values converted to int64 (floats truncate).
func (a *NDArray) Int64s() []int64 {
	out := make([]int64, a.Size())
	switch a.DType {
	case graph.Int64:
		copy(out, device.ViewBytes[int64](a.Data))
	case graph.Int32:
		for i, v := range device.ViewBytes[int32](a.Data) {
			out[i] = int64(v)
		}
	case graph.Bool:
		for i, v := range a.Data {
			out[i] = int64(v)
		}
	default:
		for i, v := range a.Float64s() {
			out[i] = int64(v)
		}
	}
	return out
}

// Bools returns the values as truth values (nonzero is true).
func (a *NDArray) Bools() []bool {
	out := make([]bool, a.Size())
	if a.DType == graph.Bool {
		for i, v := range a.Data {
			out[i] = v != 0
		}
		return out
	}
	for i, v := range a.Float64s() {
		out[i] = v != 0
	}
	return out
}

// ToSlice returns the values as a []T of exactly the array's dtype.
func ToSlice[T Element](a *NDArray) ([]T, error) {
	if dt := dtypeOf[T](); dt != a.DType {
		return nil, fmt.Errorf("array: to_slice: array is %v, asked for %v", a.DType, dt)
	}
	out := make([]T, a.Size())
	switch v := any(out).(type) {
	case []bool:
		for i, b := range a.Data {
			v[i] = b != 0
		}
	case []float64:
		copy(v, device.ViewBytes[float64](a.Data))
	case []float32:
		copy(v, device.ViewBytes[float32](a.Data))
	case []int64:
		copy(v, device.ViewBytes[int64](a.Data))
	case []int32:
		copy(v, device.ViewBytes[int32](a.Data))
	}
	return out, nil
}

// Scalar returns the single value of a 0-d (or size-1) result as float64.
func (a *NDArray) Scalar() (float64, error) {
	if a.Size() != 1 {
		return 0, fmt.Errorf("array: scalar: array of shape %s has %d elements", shapeStr(a.Shape), a.Size())
	}
	return a.Float64s()[0], nil
}

// At returns the element at idx as float64.
func (a *NDArray) At(idx ...int) float64 {
	st := graph.Strides(a.Shape)
	off := 0
	for i, v := range idx {
		off += v * st[i]
	}
	es := a.DType.Size()
	one := &NDArray{Shape: []int{}, DType: a.DType, Data: a.Data[off*es : off*es+es]}
	return one.Float64s()[0]
}
