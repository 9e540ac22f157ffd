package storage_test

import (
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

var seed = flag.Int64("seed", 0, "seed of the random store tests (0: from the clock)")

// newRand returns the test's generator and logs its seed.
func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	s := *seed
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return rand.New(rand.NewPCG(uint64(s), 0x5707a6e))
}
