package cpu

import (
	"flag"
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
