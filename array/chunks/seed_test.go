package chunks

import (
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

var seed = flag.Int64("seed", 0, "random seed (0: from time)")

// newRand returns a generator seeded from -seed (or the clock) and logs the
// seed so a failure can be replayed with go test -run Name -seed N.
func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	s := *seed
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay: go test ./array/chunks/ -run '^%s$' -seed %d)", s, t.Name(), s)
	return rand.New(rand.NewPCG(uint64(s), 0x626c6f636b776f72))
}

// randSizes returns 1..maxBlocks block sizes in [0, maxSize], zero-length
// blocks included now and then.
func randSizes(r *rand.Rand, maxBlocks, maxSize int) []int {
	sizes := make([]int, 1+r.IntN(maxBlocks))
	for i := range sizes {
		if r.IntN(6) == 0 {
			continue // a zero-length block
		}
		sizes[i] = r.IntN(maxSize + 1)
	}
	return sizes
}

// randSplit returns a random chunking of total into 1.. blocks, zero-length
// blocks included now and then.
func randSplit(r *rand.Rand, total int) []int {
	var sizes []int
	left := total
	for left > 0 {
		if r.IntN(8) == 0 {
			sizes = append(sizes, 0)
			continue
		}
		s := 1 + r.IntN(min(left, 1+r.IntN(12)))
		sizes = append(sizes, s)
		left -= s
	}
	if len(sizes) == 0 || r.IntN(8) == 0 {
		sizes = append(sizes, 0)
	}
	return sizes
}
