//go:build !amd64

package cpu

import "github.com/blockwork-dev/blockwork/graph"

var binaryVecOn = false

// vec512On is binary512_amd64.go's switch; off amd64 there is nothing to
// switch.
var vec512On = false

func cpuHasAVX512F() bool { return false }

func cpuHasAVX2() bool { return false }

// binaryVec is the vector path of binaryFloat; off amd64 it does nothing.
func binaryVec[T float](op graph.ElemOp, d, a, b []T) int { return 0 }

// binaryConstVec is the vector path of binaryConstFloat; off amd64 it
// declines.
func constVecOn() bool { return false }

func binaryConstVec[T float](op graph.ElemOp, d, a []T, c T, first bool) int { return 0 }

// extremeVec is the vector path of a float64 max or min fold; off amd64
// it declines.
func extremeVec(x []float64, isMax bool) (float64, bool) { return 0, false }

// momentsRowVec is the vector path of a moments row; off amd64 it
// declines.
func momentsRowVec(x, mu, q, c []float64, c0, n, r float64) int { return 0 }

func foldRowsVec(kind graph.ReduceKind, acc []float64, rows [][]float64) int { return 0 }

func momentsRowsVec(rows [][]float64, mu, q, c []float64, c0 float64, rs []float64, nlast float64) int {
	return 0
}

// sum16Vec and sumSqDev16Vec are the vector paths of sumF64 and
// sumSqDevF64; off amd64 they decline.
func sum16Vec(x []float64, nblk int, s *[16]float64) bool { return false }

func sumSqDev16Vec(x []float64, nblk int, m float64, s *[16]float64) bool { return false }

// prefetch4K does nothing off amd64.
func prefetch4K(p *byte) {}

const prefetchOn = false
