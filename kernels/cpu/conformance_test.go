package cpu

import (
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/kernels"
	"github.com/blockwork-dev/blockwork/kernels/kerneltest"
)

var conformanceSeed = flag.Uint64("seed", 0, "seed of the random tests: the conformance inputs, the vector math (0: from the clock)")

func TestConformanceMisc(t *testing.T) {
	r := kernels.NewRegistry()
	Register(r)
	dev := device.NewHost()
	kerneltest.Run(t, r, dev, kerneltest.WithSeed(*conformanceSeed))
	devicetest.AssertNoLeaks(t, dev)
}

// seededRand is a random test's source on stream stream of the -seed
// flag's seed (a fresh one when it is 0), which it logs for a replay.
func seededRand(t *testing.T, stream uint64) *rand.Rand {
	seed := *conformanceSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (rerun with -seed=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, stream))
}
