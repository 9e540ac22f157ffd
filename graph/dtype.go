package graph

import (
	"fmt"
	"strings"
)

// DType is the element type of an array or chunk.
type DType uint8

// The dtypes Blockwork has. Invalid is the zero value and never valid data.
const (
	Invalid DType = iota
	Bool
	Int32
	Int64
	Float32
	Float64
	numDTypes
)

var dtypeNames = [...]string{"invalid", "bool", "int32", "int64", "float32", "float64"}

// String returns NumPy's name for d.
func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// Valid reports whether d is one of the defined dtypes.
func (d DType) Valid() bool { return d > Invalid && d < numDTypes }

// Size is the number of bytes of one element (bool takes one byte, as in NumPy).
func (d DType) Size() int {
	switch d {
	case Bool:
		return 1
	case Int32, Float32:
		return 4
	case Int64, Float64:
		return 8
	}
	return 0
}

// IsFloat reports whether d is float32 or float64.
func (d DType) IsFloat() bool { return d == Float32 || d == Float64 }

// IsInt reports whether d is int32 or int64.
func (d DType) IsInt() bool { return d == Int32 || d == Int64 }

// ParseDType turns a NumPy dtype name into a DType.
func ParseDType(s string) (DType, error) {
	for i, n := range dtypeNames {
		if i > 0 && strings.EqualFold(s, n) {
			return DType(i), nil
		}
	}
	return Invalid, fmt.Errorf("graph: unknown dtype %q", s)
}

// DeviceKind names a kind of device a task can run on. Kinds form a bit set.
type DeviceKind uint8

const (
	// CPU is host memory and the CPU kernels.
	CPU DeviceKind = 1 << iota
	// GPU is a CUDA device.
	GPU
)

// DeviceKinds is a set of DeviceKind.
type DeviceKinds uint8

// Has reports whether k is in s.
func (s DeviceKinds) Has(k DeviceKind) bool { return uint8(s)&uint8(k) != 0 }

// String names the kind.
func (k DeviceKind) String() string {
	switch k {
	case CPU:
		return "cpu"
	case GPU:
		return "gpu"
	}
	return fmt.Sprintf("device-kind(%d)", uint8(k))
}
