package cpu

import "unsafe"

// Philox4x32-10 on AVX2: eight counters per iteration (two groups of four
// 64-bit lanes, VPMULUDQ giving the full 32x32->64 product per lane),
// chosen at run time from CPUID. The words equal philoxBlock's exactly
// (integer arithmetic only); philox_simd_test.go checks every Rand* fill
// both ways.

func cpuidex(eax, ecx uint32) (a, b, c, d uint32)

func xgetbv0() (eax, edx uint32)

// philoxTab is the read-only table philoxBlocks8AVX2 works from; the
// offsets are fixed in philox_amd64.s.
type philoxTab struct {
	ctr  [4]uint64        // 0: counters i + {0, 2, 4, 6}*stride (group A)
	st   [4]uint64        // 32: stride (group B = A + stride)
	st8  [4]uint64        // 64: 8*stride, the step per iteration
	m0   [8]uint32        // 96
	m1   [8]uint32        // 128
	s0   [8]uint32        // 160: lo32(stream)
	s1   [8]uint32        // 192: hi32(stream)
	keys [10][2][8]uint32 // 224: round r's k0 and k1, each broadcast
}

// philoxBlocks8AVX2 writes words 0 and 1 (and 2 and 3 when w2 != nil) of
// 8*nblk consecutive counters of tab. It ends with VZEROUPPER.
//
//go:noescape
func philoxBlocks8AVX2(w0, w1, w2, w3 *uint32, nblk int, tab *philoxTab)

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

// philoxSIMD selects the vector path; tests turn it off to cover the
// scalar one.
var philoxSIMD = cpuHasAVX2()

// philoxWordsVec fills the first multiple of 8 of len(w0) words by the
// vector path (w1 as long as w0; w2 and w3 as long too, or nil) and
// returns how many it filled: 0 when the vector path is off.
func philoxWordsVec(w0, w1, w2, w3 []uint32, i, st uint64, s0, s1, k0, k1 uint32) int {
	nblk := len(w0) / 8
	if !philoxSIMD || nblk == 0 {
		return 0
	}
	n := nblk * 8
	_, _ = w1[n-1], w0[n-1]
	var p2, p3 *uint32
	if w2 != nil {
		_, _ = w2[n-1], w3[n-1]
		p2, p3 = unsafe.SliceData(w2), unsafe.SliceData(w3)
	}
	var t philoxTab
	for j := range 4 {
		t.ctr[j] = i + uint64(2*j)*st
		t.st[j] = st
		t.st8[j] = 8 * st
	}
	for j := range 8 {
		t.m0[j], t.m1[j] = philoxM0, philoxM1
		t.s0[j], t.s1[j] = s0, s1
	}
	for r := range 10 {
		for j := range 8 {
			t.keys[r][0][j], t.keys[r][1][j] = k0, k1
		}
		k0, k1 = k0+philoxW0, k1+philoxW1
	}
	philoxBlocks8AVX2(unsafe.SliceData(w0), unsafe.SliceData(w1), p2, p3, nblk, &t)
	return n
}
