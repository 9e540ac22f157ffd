package zarr

import (
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

var seed = flag.Int64("seed", 0, "seed of the random tests (0: from the clock)")

// newRand returns the test's random source and logs its seed, so a
// failure can be rerun with -seed.
func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	s := *seed
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return rand.New(rand.NewPCG(uint64(s), uint64(s)>>32^0x9e3779b97f4a7c15))
}
