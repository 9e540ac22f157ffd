package cuda

import (
	"fmt"
	"math/bits"
	"sync"
)

// minStaging is the smallest staging buffer (smaller copies share its class).
const minStaging = 64 << 10

// stagingPool keeps pinned host buffers by power-of-two size class for
// async copies: a copy from Go memory goes through one (Go memory must not
// be read by the DMA engine after the call returns), and the buffer comes
// back to the pool when the copy's event has fired. alloc and free are
// cuMemHostAlloc and cuMemFreeHost on a GPU; tests pass fakes.
type stagingPool struct {
	alloc func(n int) ([]byte, error)
	free  func([]byte) error

	mu    sync.Mutex
	idle  map[int][][]byte // by class size
	live  int              // bytes handed out
	total int              // bytes allocated (idle + live)
	limit int              // most bytes kept allocated (0: no limit)
}

func newStagingPool(alloc func(int) ([]byte, error), free func([]byte) error, limit int) *stagingPool {
	return &stagingPool{alloc: alloc, free: free, idle: map[int][][]byte{}, limit: limit}
}

// classOf is the size class of an n-byte request.
func classOf(n int) int {
	if n <= minStaging {
		return minStaging
	}
	return 1 << bits.Len(uint(n-1))
}

// get returns a pinned buffer of at least n bytes (len n).
func (p *stagingPool) get(n int) ([]byte, error) {
	c := classOf(n)
	p.mu.Lock()
	if l := p.idle[c]; len(l) > 0 {
		b := l[len(l)-1]
		p.idle[c] = l[:len(l)-1]
		p.live += c
		p.mu.Unlock()
		return b[:n], nil
	}
	// make room: free idle buffers of other classes past the limit
	for p.limit > 0 && p.total+c > p.limit && p.freeOneLocked() {
	}
	p.mu.Unlock()
	b, err := p.alloc(c)
	if err != nil {
		return nil, fmt.Errorf("cuda: pinned staging buffer of %d bytes: %w", c, err)
	}
	if len(b) != c {
		return nil, fmt.Errorf("cuda: pinned allocation of %d bytes gave %d", c, len(b))
	}
	p.mu.Lock()
	p.live += c
	p.total += c
	p.mu.Unlock()
	return b[:n], nil
}

func (p *stagingPool) freeOneLocked() bool {
	for c, l := range p.idle {
		if len(l) == 0 {
			continue
		}
		b := l[len(l)-1]
		p.idle[c] = l[:len(l)-1]
		p.total -= c
		_ = p.free(b[:c])
		return true
	}
	return false
}

// put hands a buffer from get back.
func (p *stagingPool) put(b []byte) {
	c := classOf(cap(b))
	if c != cap(b) {
		panic(fmt.Sprintf("cuda: staging buffer of capacity %d is not from the pool", cap(b)))
	}
	p.mu.Lock()
	p.live -= c
	p.idle[c] = append(p.idle[c], b[:c])
	p.mu.Unlock()
}

// close frees every idle buffer; it returns an error if some are still out.
func (p *stagingPool) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var first error
	for c, l := range p.idle {
		for _, b := range l {
			if err := p.free(b); err != nil && first == nil {
				first = err
			}
			p.total -= c
		}
		delete(p.idle, c)
	}
	if first == nil && p.live != 0 {
		first = fmt.Errorf("cuda: %d bytes of staging buffers still in use", p.live)
	}
	return first
}

// fence is what a pending copy waits on: a CUDA event on a GPU, a fake in
// tests.
type fence interface {
	query() (done bool, err error)
	sync() error
	destroy() error
}

// pending is an enqueued async copy whose staging buffer (and, for a
// device-to-host copy, the copy out of it) waits for its fence.
type pending struct {
	f     fence
	buf   []byte
	after func(buf []byte) // runs on completion before buf returns to the pool
}

// pendingList holds a stream's pending copies in enqueue order.
type pendingList struct {
	pool *stagingPool
	list []pending
}

// add records a pending copy.
func (l *pendingList) add(f fence, buf []byte, after func([]byte)) {
	l.list = append(l.list, pending{f, buf, after})
}

// reap finishes the leading copies whose fences have fired (all of them
// with wait), returning their buffers to the pool. Copies on one stream
// complete in order, so it stops at the first that has not.
func (l *pendingList) reap(wait bool) error {
	var first error
	k := 0
	for ; k < len(l.list); k++ {
		p := l.list[k]
		if wait {
			if err := p.f.sync(); err != nil && first == nil {
				first = err
			}
		} else {
			done, err := p.f.query()
			if err != nil && first == nil {
				first = err
			}
			if !done && err == nil {
				break
			}
		}
		if p.after != nil {
			p.after(p.buf)
		}
		l.pool.put(p.buf)
		if err := p.f.destroy(); err != nil && first == nil {
			first = err
		}
	}
	l.list = append(l.list[:0], l.list[k:]...)
	return first
}
