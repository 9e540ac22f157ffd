package npy

import (
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

var seed = flag.Int64("seed", 0, "random seed (0: from the clock)")

// newRand returns a generator seeded from -seed (or the clock) and logs
// the seed so that a failure can be replayed.
func newRand(t testing.TB) (*rand.Rand, int64) {
	t.Helper()
	s := *seed
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay: go test ./array/npy/ -run '^%s$' -seed %d)", s, t.Name(), s)
	return rand.New(rand.NewPCG(uint64(s), 0x6e7079)), s
}
