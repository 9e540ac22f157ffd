//go:build !amd64

package cpu

// philoxSIMD is always false off amd64: there is no vector Philox there.
var philoxSIMD = false

// philoxWordsVec is the vector path of philoxWords; off amd64 it fills
// nothing.
func philoxWordsVec(w0, w1, w2, w3 []uint32, i, st uint64, s0, s1, k0, k1 uint32) int {
	return 0
}
