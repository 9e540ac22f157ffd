//go:build unix

package bench

import (
	"os"
	"syscall"
)

// maxRSS is a finished child's peak resident set in bytes (Linux reports
// KiB), or 0.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * 1024
	}
	return 0
}
