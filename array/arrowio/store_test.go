package arrowio

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blockwork-dev/blockwork/array/storage"
)

// memStore is an in-memory storage.Store that counts the bytes and calls
// of its reads, to check that a load task reads only its own ranges. It
// is reachable as "arrowiotest://name".
type memStore struct {
	name      string
	mu        sync.Mutex
	objs      map[string][]byte
	gets      atomic.Int64 // whole-object Gets
	ranges    atomic.Int64 // GetRange calls
	bytesRead atomic.Int64
}

var memStores sync.Map // name -> *memStore

func init() {
	storage.RegisterScheme("arrowiotest", func(url string) (storage.Store, error) {
		name := strings.TrimPrefix(url, "arrowiotest://")
		s, _ := memStores.LoadOrStore(name, &memStore{name: name, objs: map[string][]byte{}})
		return s.(*memStore), nil
	})
}

func newMemStore(name string) *memStore {
	s := &memStore{name: name, objs: map[string][]byte{}}
	memStores.Store(name, s)
	return s
}

func (s *memStore) reset() {
	s.gets.Store(0)
	s.ranges.Store(0)
	s.bytesRead.Store(0)
}

func (s *memStore) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objs[key]
	if !ok {
		return nil, fmt.Errorf("memstore %q: %w", key, storage.ErrNotFound)
	}
	s.gets.Add(1)
	s.bytesRead.Add(int64(len(b)))
	return append([]byte(nil), b...), nil
}

func (s *memStore) GetRange(ctx context.Context, key string, off, n int64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objs[key]
	if !ok {
		return nil, fmt.Errorf("memstore %q: %w", key, storage.ErrNotFound)
	}
	if n < 0 {
		n = int64(len(b)) - off
	}
	if off < 0 || n < 0 || off+n > int64(len(b)) {
		return nil, fmt.Errorf("memstore %q: range [%d, +%d) outside %d bytes", key, off, n, len(b))
	}
	s.ranges.Add(1)
	s.bytesRead.Add(n)
	return append([]byte(nil), b[off:off+n]...), nil
}

func (s *memStore) Size(ctx context.Context, key string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objs[key]
	if !ok {
		return 0, fmt.Errorf("memstore %q: %w", key, storage.ErrNotFound)
	}
	return int64(len(b)), nil
}

func (s *memStore) Put(ctx context.Context, key string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objs[key] = append([]byte(nil), data...)
	return nil
}

func (s *memStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objs, key)
	return nil
}

func (s *memStore) List(ctx context.Context, prefix string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.objs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *memStore) URL() string { return "arrowiotest://" + s.name }
