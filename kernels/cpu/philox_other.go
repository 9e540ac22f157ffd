//go:build !amd64

package cpu

import "unsafe"

// Off amd64 there is no vector Philox: philoxPair does all of it.

var philoxLevel = vecNone

var philoxLevelMax = vecNone

func philoxVecWidth() int { return 0 }

func philoxVec(out unsafe.Pointer, n, kind int, c0, step uint64, k *philoxKey) int {
	return 0
}
