package codec

import (
	"encoding/binary"
	"flag"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var seed = flag.Int64("seed", 0, "random seed for the randomized tests (0: from the clock)")

// newRand returns the test's random source and logs its seed.
func newRand(t testing.TB) *rand.Rand {
	s := *seed
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return rand.New(rand.NewPCG(uint64(s), 0x9e3779b97f4a7c15))
}

// dataKinds make test inputs of n bytes: incompressible, compressible
// (a float64 random walk, small integers), constant.
var dataKinds = []string{"random", "walk", "smallint", "zeros"}

func makeData(r *rand.Rand, kind string, n int) []byte {
	b := make([]byte, n)
	switch kind {
	case "random":
		for i := range b {
			b[i] = byte(r.Uint32())
		}
	case "walk":
		x := 0.0
		for i := 0; i+8 <= n; i += 8 {
			x += r.NormFloat64()
			binary.LittleEndian.PutUint64(b[i:], math.Float64bits(math.Round(x*100)/100))
		}
		for i := n - n%8; i < n; i++ {
			b[i] = byte(r.Uint32())
		}
	case "smallint":
		for i := range b {
			if i%4 == 0 {
				b[i] = byte(r.IntN(16))
			}
		}
	case "zeros":
	}
	return b
}
