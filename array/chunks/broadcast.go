package chunks

import (
	"fmt"
	"strings"
)

// BroadcastShapes returns the NumPy broadcast shape of the given shapes:
// shapes are aligned on their last axis, missing leading axes count as 1,
// and on each axis the lengths must be equal or 1 (a 1 stretches, also to
// 0). No shapes give the 0-d shape. The error names every shape and the
// first axis, counted from the result's left, that does not match.
func BroadcastShapes(shapes ...[]int) ([]int, error) {
	ndim := 0
	for _, s := range shapes {
		ndim = max(ndim, len(s))
		for _, n := range s {
			if n < 0 {
				return nil, fmt.Errorf("chunks: cannot broadcast shapes %s: negative length in %s", shapesString(shapes), ShapeString(s))
			}
		}
	}
	out := make([]int, ndim)
	for ax := range out {
		out[ax] = 1
	}
	for _, s := range shapes {
		pad := ndim - len(s)
		for k, n := range s {
			ax := pad + k
			switch {
			case n == out[ax] || n == 1:
			case out[ax] == 1:
				out[ax] = n
			default:
				return nil, fmt.Errorf("chunks: cannot broadcast shapes %s: axis %d has lengths %d and %d",
					shapesString(shapes), ax, out[ax], n)
			}
		}
	}
	return out, nil
}

func shapesString(shapes [][]int) string {
	parts := make([]string, len(shapes))
	for i, s := range shapes {
		parts[i] = ShapeString(s)
	}
	return strings.Join(parts, ", ")
}
