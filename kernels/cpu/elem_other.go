//go:build !amd64

package cpu

import "github.com/blockwork-dev/blockwork/graph"

var binaryVecOn = false

func cpuHasAVX2() bool { return false }

// binaryVec is the vector path of binaryFloat; off amd64 it does nothing.
func binaryVec[T float](op graph.ElemOp, d, a, b []T) int { return 0 }
