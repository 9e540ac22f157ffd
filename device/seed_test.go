package device

import (
	"flag"
	"testing"
	"time"
)

var seed = flag.Int64("seed", 0, "seed for the random tests (0: time-based)")

// testSeed returns the seed to use and logs it, so a failure can be rerun
// with -seed.
func testSeed(t testing.TB) uint64 {
	s := *seed
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed=%d)", s, s)
	return uint64(s)
}
