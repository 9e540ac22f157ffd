//go:build !(linux && (amd64 || arm64))

package cpu

import (
	"fmt"
	"runtime"
)

// Outside linux/amd64 and linux/arm64 no library is opened: the gemm
// kernel uses gonum, BLASName says "gonum", and SetBLASLibrary accepts
// only "gonum" and "".

func blasCandidates() []string { return nil }

func blasOpen(path string) (*blasLib, error) {
	return nil, fmt.Errorf("%s: opening a BLAS at run time is not supported on %s/%s", path, runtime.GOOS, runtime.GOARCH)
}
