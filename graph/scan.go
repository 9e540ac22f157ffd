package graph

// Ops of cumulative reductions (CumSum, CumProd) and of data checks that
// must fail a compute (NanArgMin of an all-NaN slice). They live apart from
// program.go's op list so that it stays the list of the first ops.
const (
	// OpScan is an inclusive scan of one block along one axis: dst has
	// the shape and dtype of the block, and element i along Params.Axis
	// is the Sum or Prod of elements 0..i. Params: ScanParams (value or
	// pointer). The input arrives already cast to the output dtype.
	OpScan = "scan"
	// OpAssertNone hands on its first input's buffers unchanged (copied)
	// when no byte of its last input (a bool buffer) is set, and fails the
	// task with Params.Message otherwise. Params: AssertParams (value or
	// pointer).
	OpAssertNone = "assert-none"
)

// ScanParams are the params of OpScan.
type ScanParams struct {
	Kind ReduceKind // ReduceSum or ReduceProd (integers wrap)
	Axis int        // in [0, ndim) of the block
}

// AssertParams are the params of OpAssertNone.
type AssertParams struct {
	Message string
}
