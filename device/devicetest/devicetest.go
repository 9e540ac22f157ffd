// Package devicetest holds test helpers for code that uses package device:
// a leak check for the end of a test and a fake GPU. Only tests and other
// test helpers import it.
package devicetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// AssertNoLeaks fails t, listing live bytes and buffers per device, if any
// of devs still has live buffers. Use it deferred at the top of a test.
func AssertNoLeaks(t testing.TB, devs ...device.Device) {
	t.Helper()
	var leaks []string
	for _, d := range devs {
		if err := device.LeakError(d); err != nil {
			leaks = append(leaks, err.Error())
		}
	}
	if leaks != nil {
		t.Errorf("leaked buffers:\n\t%s", strings.Join(leaks, "\n\t"))
	}
}

// ErrInjected is wrapped (beside device.ErrOutOfMemory) by an allocation
// that FakeGPU.FailAlloc made fail.
var ErrInjected = errors.New("devicetest: injected allocation failure")

// FakeGPU is a device of kind graph.GPU with a memory size, failure
// injection and copy accounting, for scheduler and placement tests. Its
// buffers hold no memory: Bytes is nil and Ptr a distinct fake address.
type FakeGPU struct {
	name string
	size int64

	mu     sync.Mutex
	stats  device.Stats
	next   uintptr // next fake address
	failAt int64   // Allocs count at which Alloc fails; 0: never
	copies Copies
}

// Copies counts the transfers recorded on a FakeGPU.
type Copies struct {
	In, Out           int64 // copies host to device, device to host
	BytesIn, BytesOut int64
}

// NewFakeGPU returns a fake GPU called name with size bytes of memory
// (0: unlimited).
func NewFakeGPU(name string, size int64) *FakeGPU {
	return &FakeGPU{name: name, size: size, next: 1 << 28}
}

// Kind is graph.GPU.
func (g *FakeGPU) Kind() graph.DeviceKind { return graph.GPU }

// Name is the name given to NewFakeGPU.
func (g *FakeGPU) Name() string { return g.name }

// Alloc returns a buffer of n bytes, or an error wrapping
// device.ErrOutOfMemory past the memory size or when injected.
func (g *FakeGPU) Alloc(n int64) (*device.Buffer, error) {
	if n < 0 {
		return nil, fmt.Errorf("devicetest: allocation of %d bytes", n)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failAt > 0 && g.stats.Allocs+1 == g.failAt {
		g.failAt = 0
		return nil, fmt.Errorf("%w: %w: %d bytes on %s", device.ErrOutOfMemory, ErrInjected, n, g.name)
	}
	if g.size > 0 && g.stats.LiveBytes+n > g.size {
		return nil, fmt.Errorf("%w: %d bytes asked on %s with %d of %d live", device.ErrOutOfMemory, n, g.name, g.stats.LiveBytes, g.size)
	}
	g.stats.LiveBytes += n
	g.stats.LiveBuffers++
	g.stats.Allocs++
	g.stats.PeakBytes = max(g.stats.PeakBytes, g.stats.LiveBytes)
	g.stats.PoolBytes = g.stats.LiveBytes
	ptr := g.next
	g.next += uintptr(n+255) &^ 255
	return device.NewBuffer(g, nil, ptr, n, g.free), nil
}

func (g *FakeGPU) free(b *device.Buffer) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stats.LiveBytes -= b.Len()
	g.stats.LiveBuffers--
	g.stats.PoolBytes = g.stats.LiveBytes
}

// FailAlloc makes the nth allocation from now fail (1: the next one).
func (g *FakeGPU) FailAlloc(nth int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failAt = g.stats.Allocs + nth
}

// Stats reports the accounting.
func (g *FakeGPU) Stats() device.Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stats
}

// CopyIn records a copy of n bytes from the host to g.
func (g *FakeGPU) CopyIn(n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.copies.In++
	g.copies.BytesIn += n
}

// CopyOut records a copy of n bytes from g to the host.
func (g *FakeGPU) CopyOut(n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.copies.Out++
	g.copies.BytesOut += n
}

// Copies reports the copies recorded.
func (g *FakeGPU) Copies() Copies {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.copies
}
