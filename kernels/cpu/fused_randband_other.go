//go:build !amd64

package cpu

// Off amd64 the Go loops of transposeRuns64 and transposeRuns32 do every
// run.

var transposeRunsVec = false

func transposeRuns64Asm(dst []uint64, inner int, runs []uint64, m int, q *[4]int) int { return 0 }

func transposeRuns32Asm(dst []uint32, inner int, runs []uint32, m int, q *[4]int) int { return 0 }
