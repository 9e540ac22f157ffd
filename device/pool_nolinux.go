//go:build unix && !linux

package device

// advise does nothing where there is no madvise(MADV_HUGEPAGE).
func advise([]byte) {}
