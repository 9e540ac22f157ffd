//go:build !amd64

package cpu

import "unsafe"

// Off amd64 there is no vector Philox: philoxPair does all of it.

var philoxLevel = vecNone

var philoxLevelMax = vecNone

func philoxVecWidth() int { return 0 }

func philoxVec(out unsafe.Pointer, n, kind int, ctr *[8]uint64, step uint64, rowBytes int, k *philoxKey) int {
	return 0
}
