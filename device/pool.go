package device

import (
	"errors"
	"fmt"
	"math/bits"
	"sync"
	"unsafe"
)

// The host pool hands out memory in size classes and keeps freed buffers
// of each class for reuse, so a steady stream of same-sized chunks costs
// no system calls and no page faults after the first round.
//
// Classes: 16-byte steps up to 128 bytes, then 8 classes per power of
// two, 2^k + j*2^(k-3) for j = 1..8, so a request never gets more than
// 1/8 (12.5%) more than it asked for. Classes up to smallMax (64 KiB) are
// plain Go-heap slices: the garbage collector frees them, the pool only
// counts them. Larger classes are whole-page mappings of their own
// (mmap'd off the Go heap on unix, see pool_unix.go; the Go heap
// elsewhere, see pool_other.go), so the process RSS follows the
// accounting and a buffer could later be pinned for DMA.
//
// Padding off powers of two: a buffer of exactly 2^k float64 at the same
// page offset as its neighbours halves Go's streaming bandwidth (loads of
// a[i] and b[i] and the store to dst[i] alias in the low address bits and
// fight for the same cache sets). So each mapping is one page longer than
// its class and the buffer starts at a cache-line "colour" offset inside
// the first page, rotating over 64 colours with each new mapping; two
// large buffers then never share address bits 6..11, whatever the class.
//
// Freed large buffers are cached per class and reused last-in first-out
// (the most recently touched pages first). The cache is bounded (see
// cacheLimit): a buffer freed beyond the bound is unmapped at once, and
// trim unmaps the whole cache. One exception: a freed buffer whose class
// has none cached is kept beyond the bound (up to ceil), since in a
// stream of equal chunks the next one takes it; a chunk bigger than the
// bound would otherwise be mapped, faulted in and zeroed afresh every
// time (zarr_read: 128 MB blocks, two live at most, a bound of 64 MiB).
// Such extras last until the pool next maps fresh memory: get first
// unmaps cached buffers down to the bound, so the pool's resident bytes
// (live plus cached) never pass its live peak by more than the bound.
// An unmap error is recorded (Host.Err) and its bytes stay counted as
// held.
const (
	smallMax = 64 << 10 // largest Go-heap class
	// smallCacheMax bounds the Go-heap bytes kept for reuse
	smallCacheMax = 8 << 20
	maxAlloc      = 1 << 40 // largest request served (1 TiB)
	numClasses    = 8 + (40-7)*8

	colours     = 64 // cache-line offsets inside a mapping's first page
	colourBytes = 64

	cacheFloor = 64 << 20 // the cache may always hold this much
	cacheCeil  = 1 << 30  // and never more than this
)

// classOf is the size class serving n > 0 bytes.
func classOf(n int64) int {
	if n <= 128 {
		return int((n+15)/16) - 1
	}
	k := bits.Len64(uint64(n-1)) - 1 // 2^k < n <= 2^(k+1)
	step := int64(1) << (k - 3)
	j := (n - int64(1)<<k + step - 1) / step // 1..8
	return 8 + (k-7)*8 + int(j) - 1
}

// classSize is the capacity of class c.
func classSize(c int) int64 {
	if c < 8 {
		return int64(c+1) * 16
	}
	k := 7 + (c-8)/8
	j := int64((c-8)%8 + 1)
	return int64(1)<<k + j<<(k-3)
}

type pool struct {
	mu   sync.Mutex
	free [numClasses][][]byte // cached large buffers, LIFO
	// smallFree caches Go-heap buffers of small classes (smallCached bytes)
	smallFree   map[int][][]byte
	smallCached int64
	live        int64 // class bytes handed out, not yet put back
	peak        int64 // high-water mark of live
	cached      int64 // class bytes in free
	leaked      int64 // class bytes whose unmap failed
	colour      uint  // next mapping's colour
	err         error // first unmap error
	// floor and ceil bound the cache (fields so tests can shrink them).
	floor, ceil int64
}

func newPool() *pool { return &pool{floor: cacheFloor, ceil: cacheCeil} }

// cacheLimit is how many bytes the cache may hold: a quarter of the peak
// of live bytes, at least floor, at most ceil. Called with mu held.
func (p *pool) cacheLimit() int64 {
	return min(p.ceil, max(p.floor, p.peak/4))
}

// get returns a buffer of len and cap classSize(class) >= n, and its
// class; for n == 0 an empty slice and class -1. Contents are undefined.
func (p *pool) get(n int64) ([]byte, int, error) {
	switch {
	case n == 0:
		return []byte{}, -1, nil
	case n < 0 || n > maxAlloc:
		return nil, 0, fmt.Errorf("device: pool cannot serve %d bytes", n)
	}
	c := classOf(n)
	size := classSize(c)
	p.mu.Lock()
	p.live += size
	p.peak = max(p.peak, p.live)
	if size <= smallMax {
		if s := p.smallFree[c]; len(s) > 0 {
			b := s[len(s)-1]
			p.smallFree[c] = s[:len(s)-1]
			p.smallCached -= size
			p.mu.Unlock()
			return b, c, nil
		}
		p.mu.Unlock()
		return make([]byte, size), c, nil
	}
	if s := p.free[c]; len(s) > 0 {
		b := s[len(s)-1]
		s[len(s)-1] = nil
		p.free[c] = s[:len(s)-1]
		p.cached -= size
		p.mu.Unlock()
		return b, c, nil
	}
	colour := p.colour
	p.colour++
	evict := p.overLimit()
	p.mu.Unlock()
	p.unmap(evict)

	b, err := sysMap(size, colour%colours*colourBytes)
	if err != nil {
		// The system refused: give back what the cache holds and try once more.
		p.trim()
		b, err = sysMap(size, colour%colours*colourBytes)
	}
	if err != nil {
		p.mu.Lock()
		p.live -= size
		p.mu.Unlock()
		return nil, 0, fmt.Errorf("device: mapping %d bytes: %w", size, err)
	}
	return b, c, nil
}

// put takes back a buffer from get: the same first byte, and a capacity
// of the class or cut down to the size asked (Host keeps b[:n:n]; put
// restores the class capacity).
func (p *pool) put(b []byte, class int) {
	if class == -1 {
		return
	}
	if class < 0 || class >= numClasses || int64(cap(b)) > classSize(class) ||
		(class > 0 && int64(cap(b)) <= classSize(class-1)) {
		panic(fmt.Sprintf("device: pool put of %d bytes as class %d", cap(b), class))
	}
	size := classSize(class)
	b = unsafe.Slice(unsafe.SliceData(b), size)
	p.mu.Lock()
	p.live -= size
	if size <= smallMax {
		// small buffers are Go heap: keep a bounded few for reuse, so
		// many small tasks allocate nothing
		if p.smallCached+size <= smallCacheMax {
			if p.smallFree == nil {
				p.smallFree = map[int][][]byte{}
			}
			p.smallFree[class] = append(p.smallFree[class], b)
			p.smallCached += size
		}
		p.mu.Unlock()
		return
	}
	if p.cached+size <= p.cacheLimit() || (len(p.free[class]) == 0 && p.cached+size <= p.ceil) {
		p.free[class] = append(p.free[class], b)
		p.cached += size
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	p.unmap([][]byte{b})
}

// overLimit takes cached buffers out of the cache until it is within
// cacheLimit, largest classes first and the longest cached of each, and
// returns them to be unmapped (without mu). Called with mu held.
func (p *pool) overLimit() [][]byte {
	var out [][]byte
	lim := p.cacheLimit()
	for c := numClasses - 1; c >= 0 && p.cached > lim; c-- {
		for len(p.free[c]) > 0 && p.cached > lim {
			b := p.free[c][0]
			n := copy(p.free[c], p.free[c][1:])
			p.free[c][n] = nil
			p.free[c] = p.free[c][:n]
			p.cached -= classSize(c)
			out = append(out, b)
		}
	}
	return out
}

// held is the bytes the pool holds: live and cached (and any it failed to
// give back).
func (p *pool) held() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live + p.cached + p.leaked
}

// trim unmaps every cached buffer.
func (p *pool) trim() {
	var all [][]byte
	p.mu.Lock()
	p.smallFree, p.smallCached = nil, 0
	for c := range p.free {
		all = append(all, p.free[c]...)
		clear(p.free[c])
		p.free[c] = p.free[c][:0]
	}
	p.cached = 0
	p.mu.Unlock()
	p.unmap(all)
}

// unmap gives bufs back to the system (without mu held), recording errors.
func (p *pool) unmap(bufs [][]byte) {
	var errs []error
	var lost int64
	for _, b := range bufs {
		if err := sysUnmap(b); err != nil {
			errs = append(errs, fmt.Errorf("device: unmapping %d bytes: %w", cap(b), err))
			lost += int64(cap(b))
		}
	}
	if errs == nil {
		return
	}
	p.mu.Lock()
	p.leaked += lost
	if p.err == nil {
		p.err = errors.Join(errs...)
	}
	p.mu.Unlock()
}

// firstErr is the first error met giving memory back, or nil.
func (p *pool) firstErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
