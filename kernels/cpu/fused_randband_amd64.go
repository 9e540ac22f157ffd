package cpu

// transposeRuns64x4 and transposeRuns32x8 are transposeRuns64's and
// transposeRuns32's loop over groups of 4 (8) runs in AVX2: the runs'
// halves (whole runs) are loaded from src+off[c] for the group's run c
// (c%4), transposed 4x4 (8x8) in registers and stored to the eight rows,
// rowBytes apart, from dst. off[c] is run c's byte offset in the group
// (its position and q). They end with VZEROUPPER.
//
//go:noescape
func transposeRuns64x4(dst *uint64, rowBytes int, src *uint64, groups int, off *[4]int)

//go:noescape
func transposeRuns32x8(dst *uint32, rowBytes int, src *uint32, groups int, off *[4]int)

// transposeRunsVec turns the assembly transposes on (tests compare them
// with the Go loops).
var transposeRunsVec = cpuHasAVX2()

// transposeRuns64Asm transposes the whole groups of four of the m runs
// (transposeRuns64, whose bounds checks cover it) and returns how many
// runs it did.
func transposeRuns64Asm(dst []uint64, inner int, runs []uint64, m int, q *[4]int) int {
	if !transposeRunsVec || m < 4 {
		return 0
	}
	var off [4]int
	for c := range off {
		off[c] = 8 * (bandRows*c + q[c])
	}
	transposeRuns64x4(&dst[0], 8*inner, &runs[0], m/4, &off)
	return m / 4 * 4
}

// transposeRuns32Asm is transposeRuns64Asm of 4-byte elements, in groups
// of eight.
func transposeRuns32Asm(dst []uint32, inner int, runs []uint32, m int, q *[4]int) int {
	if !transposeRunsVec || m < 8 {
		return 0
	}
	var off [4]int
	for c := range off {
		off[c] = 4 * (bandRows*c + q[c])
	}
	transposeRuns32x8(&dst[0], 4*inner, &runs[0], m/8, &off)
	return m / 8 * 8
}
