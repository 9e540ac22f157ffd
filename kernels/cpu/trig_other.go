//go:build !amd64

package cpu

// Off amd64 there is no vector sin/cos: trigGo does all of it.

const (
	vecNone = iota
	vecAVX2
	vecAVX512
)

var trigLevel = vecNone

var trigLevelMax = vecNone

func trigVec(dst, src []float64, off uint64) (done, width int) { return 0, 0 }

func expVec(dst, src []float64) (done, width int) { return 0, 0 }

func sincosVec(dsts, dstc, src []float64) (done, width int) { return 0, 0 }
