package graph

// The promotion rules of NumPy's NEP 50, for the dtypes Blockwork has.
//
// Two arrays: the table below. A Go scalar is weak: it takes the array's
// dtype when its kind (bool < integer < float) is no higher than the
// array's, and otherwise the default dtype of its kind (int64, float64).

var promoteTable = [numDTypes][numDTypes]DType{
	//          invalid  bool     int32    int64    float32  float64
	Invalid: {},
	Bool:    {Invalid, Bool, Int32, Int64, Float32, Float64},
	Int32:   {Invalid, Int32, Int32, Int64, Float64, Float64},
	Int64:   {Invalid, Int64, Int64, Int64, Float64, Float64},
	Float32: {Invalid, Float32, Float64, Float64, Float32, Float64},
	Float64: {Invalid, Float64, Float64, Float64, Float64, Float64},
}

// Promote returns the dtype that a binary operation between arrays of
// dtypes a and b computes in (NumPy: int32 + float32 -> float64).
func Promote(a, b DType) DType {
	if !a.Valid() || !b.Valid() {
		return Invalid
	}
	return promoteTable[a][b]
}

// ScalarKind is the kind of a weak Go scalar operand.
type ScalarKind uint8

// Scalar kinds, ordered as NumPy orders kinds.
const (
	BoolScalar ScalarKind = iota
	IntScalar
	FloatScalar
)

func kindOf(d DType) ScalarKind {
	switch {
	case d == Bool:
		return BoolScalar
	case d.IsInt():
		return IntScalar
	}
	return FloatScalar
}

// PromoteWeak returns the dtype of an operation between an array of dtype
// a and a weak Go scalar of kind k (NEP 50: float32 array + 2.5 stays
// float32; int32 array + 2.5 is float64).
func PromoteWeak(a DType, k ScalarKind) DType {
	if !a.Valid() {
		return Invalid
	}
	if k <= kindOf(a) {
		return a
	}
	switch k {
	case IntScalar:
		return Int64
	default:
		return Float64
	}
}

// SumDType is the dtype of Sum and Prod over d (bool and int32 give int64).
func SumDType(d DType) DType {
	if d == Bool || d == Int32 {
		return Int64
	}
	return d
}

// MeanDType is the dtype of Mean, Var and Std over d (integers give float64).
func MeanDType(d DType) DType {
	if d == Float32 {
		return Float32
	}
	return Float64
}
