package cpu

import (
	"math/bits"
	"unsafe"
)

//go:generate go run ./internal/philoxgen -o philox_amd64.s

// Philox4x32-10 on AVX-512 (32 blocks an iteration, four groups of eight
// 64-bit lanes) or AVX2 (8 blocks, two groups of four), VPMULUDQ giving
// the full 32x32->64 product per lane, chosen at run time from CPUID
// (philoxLevel). The kernels also pick each element's words and convert
// them to float64 or float32 uniforms on the way out (philoxVec's kinds),
// so a fill writes dst in one pass.
// The words and the floats equal philoxBlock's and philoxU53's / philoxU24's
// exactly (integer arithmetic and exact conversions only);
// philox_simd_test.go checks every level against a plain loop.

func cpuidex(eax, ecx uint32) (a, b, c, d uint32)

func xgetbv0() (eax, edx uint32)

// philoxTab is what the kernels read besides the constants (and where
// they keep the iteration's lane values); the offsets are fixed in
// internal/philoxgen.
type philoxTab struct {
	ctr   [8]uint64     // 0: the values of lanes 0-7
	step  uint64        // 64: the step from each eight lanes to the next
	shift uint64        // 72: a lane's block is its value >> shift
	keys  [10][2]uint32 // 80: round r's XOR constants for words 0 and 2 (fill)
	//lint:ignore U1000 read and written by the assembly only
	scratch  [4][8]uint64 // 160: the kernels' own
	rowBytes uint64       // 416: the distance of the row kinds' rows
	delta    [4]uint64    // 424: lanes 4-7 less lanes 0-3 (AVX2's second group)
}

// fill sets the values of lanes 0-7 and the step of every eight lanes
// (philoxVec), the shift of kind, and the keys of k with round 0's
// constant product folded in:
// words 2 and 3 of every counter are the stream (s0, s1), so round 0 gives
// word 0 = hi(M1*s0) ^ ctr1 ^ k0, word 1 = lo(M1*s0) and word 2 = hi(M0*ctr0)
// ^ s1 ^ k1; word 1 then only enters round 1's word 0, as lo(M1*s0) ^ k0'.
func (t *philoxTab) fill(k *philoxKey, kind int, ctr *[8]uint64, step uint64) {
	t.ctr = *ctr
	t.step = step
	for j := range t.delta {
		t.delta[j] = ctr[4+j] - ctr[j]
	}
	t.shift = philoxKindShift[kind]
	hi, lo := bits.Mul32(philoxM1, k.s0)
	k0, k1 := k.k0, k.k1
	t.keys[0] = [2]uint32{hi ^ k0, k.s1 ^ k1}
	k0, k1 = k0+philoxW0, k1+philoxW1
	t.keys[1] = [2]uint32{lo ^ k0, k1}
	for r := 2; r < 10; r++ {
		k0, k1 = k0+philoxW0, k1+philoxW1
		t.keys[r] = [2]uint32{k0, k1}
	}
}

// philoxAVX512 and philoxAVX2 run niter iterations of 32 (8) lanes of
// kind (philoxVec) and end with VZEROUPPER.
//
//go:noescape
func philoxAVX512(out unsafe.Pointer, niter, kind int, tab *philoxTab)

//go:noescape
func philoxAVX2(out unsafe.Pointer, niter, kind int, tab *philoxTab)

// cpuHasAVX2 reports AVX2 with the OS saving YMM state (OSXSAVE, and XCR0
// bits 1 and 2).
func cpuHasAVX2() bool {
	maxLeaf, _, _, _ := cpuidex(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, c1, _ := cpuidex(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if c1&osxsave == 0 || c1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv0(); xcr0&6 != 6 {
		return false
	}
	_, b7, _, _ := cpuidex(7, 0)
	return b7&(1<<5) != 0
}

// cpuHasAVX512DQ reports AVX-512 F with ZMM state saved (cpuHasAVX512F)
// and DQ (CPUID.7:EBX bit 17), which has VCVTUQQ2PD. Every AVX-512 core
// since Skylake-SP and Zen 4 has both.
func cpuHasAVX512DQ() bool {
	if !cpuHasAVX512F() {
		return false
	}
	_, b7, _, _ := cpuidex(7, 0)
	return b7&(1<<17) != 0
}

// philoxLevel is the vector path in use (vecNone, vecAVX2 or vecAVX512);
// tests lower it to cover the others.
var philoxLevel = func() int {
	switch {
	case cpuHasAVX512DQ():
		return vecAVX512
	case cpuHasAVX2():
		return vecAVX2
	}
	return vecNone
}()

// philoxLevelMax is the best level this CPU has.
var philoxLevelMax = philoxLevel

// philoxVecWidth is how many lanes one iteration of the vector path
// computes: 0 without one.
func philoxVecWidth() int {
	switch philoxLevel {
	case vecAVX512:
		return 32
	case vecAVX2:
		return 8
	}
	return 0
}

// philoxVec runs the whole iterations of n lanes of kind under key k by
// the vector path, lane j's value being ctr[j%8] + (j/8)*step (mod 2^64),
// and returns how many lanes it wrote to out (philoxKindBytes[kind]
// each, in each of philoxKindRows[kind] rows rowBytes apart): a multiple
// of philoxVecWidth(), 0 without a vector path.
func philoxVec(out unsafe.Pointer, n, kind int, ctr *[8]uint64, step uint64, rowBytes int, k *philoxKey) int {
	w := philoxVecWidth()
	if w == 0 || n < w {
		return 0
	}
	var t philoxTab
	t.fill(k, kind, ctr, step)
	t.rowBytes = uint64(rowBytes)
	switch philoxLevel {
	case vecAVX512:
		philoxAVX512(out, n/w, kind, &t)
	case vecAVX2:
		philoxAVX2(out, n/w, kind, &t)
	}
	return n / w * w
}
