//go:build !unix

package device

func pageSizeForTest() int64 { return 4096 }
