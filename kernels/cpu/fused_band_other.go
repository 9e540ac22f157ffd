//go:build !amd64

package cpu

// fillBandAsm has no assembly off amd64: fillBandT does every band.
func fillBandAsm(buf, src []int64, off, stride, inner, rb int) bool { return false }
