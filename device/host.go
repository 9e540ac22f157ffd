package device

import (
	"fmt"
	"sync/atomic"

	"github.com/blockwork-dev/blockwork/graph"
)

// Host is the CPU device: host memory from an off-heap pool.
type Host struct {
	pool   *pool
	live   atomic.Int64
	nbuf   atomic.Int64
	peak   atomic.Int64
	allocs atomic.Int64
	limit  int64
	freeFn func(*Buffer) // h.free, made once (a method value allocates)
}

// HostOption configures NewHost.
type HostOption func(*Host)

// WithLimit makes Alloc fail with ErrOutOfMemory past n live bytes (0: no limit).
func WithLimit(n int64) HostOption { return func(h *Host) { h.limit = n } }

// NewHost returns a host device.
func NewHost(opts ...HostOption) *Host {
	h := &Host{pool: newPool()}
	h.freeFn = h.free
	for _, o := range opts {
		o(h)
	}
	return h
}

// Kind is graph.CPU.
func (h *Host) Kind() graph.DeviceKind { return graph.CPU }

// Name is "cpu".
func (h *Host) Name() string { return "cpu" }

// Alloc returns n bytes of host memory with one reference.
func (h *Host) Alloc(n int64) (*Buffer, error) {
	if n < 0 {
		return nil, fmt.Errorf("device: allocation of %d bytes", n)
	}
	live := h.live.Add(n)
	if h.limit > 0 && live > h.limit {
		h.live.Add(-n)
		return nil, fmt.Errorf("%w: %d bytes asked on cpu with %d of %d live", ErrOutOfMemory, n, live-n, h.limit)
	}
	mem, class, err := h.pool.get(n)
	if err != nil {
		h.live.Add(-n)
		return nil, fmt.Errorf("%w: %w", ErrOutOfMemory, err)
	}
	for {
		p := h.peak.Load()
		if live <= p || h.peak.CompareAndSwap(p, live) {
			break
		}
	}
	h.nbuf.Add(1)
	h.allocs.Add(1)
	b := NewBuffer(h, mem[:n:n], 0, n, h.freeFn)
	b.Tag = class
	return b, nil
}

func (h *Host) free(b *Buffer) {
	h.pool.put(b.host[:cap(b.host)], b.Tag)
	h.live.Add(-b.size)
	h.nbuf.Add(-1)
}

// Stats reports the host accounting.
func (h *Host) Stats() Stats {
	return Stats{LiveBytes: h.live.Load(), LiveBuffers: h.nbuf.Load(), PeakBytes: h.peak.Load(), Allocs: h.allocs.Load(), PoolBytes: h.pool.held()}
}

// ResetPeak sets the high-water mark to the current live bytes.
func (h *Host) ResetPeak() { h.peak.Store(h.live.Load()) }

// Trim returns cached pool memory to the system.
func (h *Host) Trim() { h.pool.trim() }

// Err is the first error the pool met giving memory back to the system
// (an munmap failure), or nil. Memory that could not be given back stays
// counted in Stats.PoolBytes.
func (h *Host) Err() error { return h.pool.firstErr() }
