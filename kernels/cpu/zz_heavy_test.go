package cpu

import (
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/kernels"
	"github.com/blockwork-dev/blockwork/kernels/kerneltest"
)

func TestZZHeavy(t *testing.T) {
	r := kernels.NewRegistry()
	Register(r)
	dev := device.NewHost()
	for s := uint64(1); s <= 6; s++ {
		kerneltest.Run(t, r, dev, kerneltest.WithSeed(s*7919), kerneltest.WithTrials(40))
	}
}
