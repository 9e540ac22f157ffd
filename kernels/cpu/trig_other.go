//go:build !amd64

package cpu

// Off amd64 there is no vector math: trigGo, expGo, logGo, tanhGo and
// powGo do all of it.

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

func logVec(dst, src []float64) (done, width int) { return 0, 0 }

func tanhVec(dst, src []float64) (done, width int) { return 0, 0 }

func powVec(dst, x, y []float64) (done, width int) { return 0, 0 }
