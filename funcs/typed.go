package funcs

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/blockwork-dev/blockwork/graph"
)

// Number is the element types a Typed block function may take.
type Number interface {
	~int32 | ~int64 | ~float32 | ~float64
}

func dtypeOf[T Number]() graph.DType {
	var z T
	switch any(z).(type) {
	case int32:
		return graph.Int32
	case int64:
		return graph.Int64
	case float32:
		return graph.Float32
	case float64:
		return graph.Float64
	}
	return graph.Invalid
}

// view reinterprets C-order native bytes as a []T.
func view[T Number](p []byte) []T {
	if len(p) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(p))), len(p)/int(unsafe.Sizeof(z)))
}

// Typed adapts a function over typed slices to a BlockFunc: every input
// and the output must have T's dtype (a mismatch is the task's error,
// naming the blocks), and the slices alias the blocks' buffers (C order,
// shapes in the Blocks).
func Typed[T Number](f func(ctx context.Context, args []byte, out Block, dst []T, in []Block, src [][]T) error) BlockFunc {
	want := dtypeOf[T]()
	return func(ctx context.Context, args []byte, out Block, dst []byte, in []Block, src [][]byte) error {
		if out.DType != want {
			return fmt.Errorf("output block is %v, the function takes %v", out.DType, want)
		}
		ts := make([][]T, len(src))
		for i, s := range src {
			if in[i].DType != want {
				return fmt.Errorf("input %d is %v, the function takes %v", i, in[i].DType, want)
			}
			ts[i] = view[T](s)
		}
		return f(ctx, args, out, view[T](dst), in, ts)
	}
}
