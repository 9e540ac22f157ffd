//go:build !unix

package bench

import "os"

func maxRSS(ps *os.ProcessState) int64 { return 0 }
