package graph_test

import (
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

var seed = flag.Uint64("seed", 0, "seed of the random graph tests (0: from the clock)")

// testRand returns a generator seeded from -seed (or the clock) and logs
// the seed so a failure can be rerun.
func testRand(t *testing.T) *rand.Rand {
	t.Helper()
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed=%d)", s, s)
	return rand.New(rand.NewPCG(s, 0x9e3779b97f4a7c15))
}
