//go:build !linux

package local

func defaultMemoryLimit() int64 { return 8 << 30 }
