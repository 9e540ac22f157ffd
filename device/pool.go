package device

import "sync"

// pool is a placeholder Go-heap allocator with the interface of the mmap
// size-class pool (see pool_mmap.go when present).
type pool struct {
	mu    sync.Mutex
	bytes int64
}

func newPool() *pool { return &pool{} }

func (p *pool) get(n int64) ([]byte, int, error) {
	if n == 0 {
		return []byte{}, -1, nil
	}
	b := make([]byte, n)
	p.mu.Lock()
	p.bytes += n
	p.mu.Unlock()
	return b, 0, nil
}

func (p *pool) put(b []byte, class int) {
	p.mu.Lock()
	p.bytes -= int64(cap(b))
	p.mu.Unlock()
}

func (p *pool) held() int64 { p.mu.Lock(); defer p.mu.Unlock(); return p.bytes }

func (p *pool) trim() {}
