package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/blockwork-dev/blockwork/cluster/transport"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// Spill and pause thresholds, as shares of a worker's memory limit
// (Dask's defaults): above spillShare of the limit in memory, chunks no
// task is using go to disk, least recently used first; above pauseShare
// the worker starts no new task while others run.
const (
	spillShare = 0.6
	pauseShare = 0.8
)

// stored is one chunk: in memory (buf) or spilled to a file (path).
type stored struct {
	buf  *device.Buffer
	meta graph.Chunk
	size int64
	path string
	used uint64 // last use, for LRU
}

// store holds the chunks of a worker and serves them to peers
// (transport.Source). Safe for concurrent use.
type store struct {
	host     *device.Host
	spillAt  int64 // 0: never spill
	pauseAt  int64
	spillDir string // parent of the worker's own directory
	dir      string // made on first spill, removed by clear

	mu       sync.Mutex
	m        map[graph.Key]*stored
	inflight map[graph.Key]*fetchCall
	inMem    int64
	onDisk   int64
	tick     uint64
	seq      uint64
	spills   int64 // chunks written out so far
	err      error // the last spill error (disk full, ...)
}

type fetchCall struct {
	done  chan struct{}
	err   error
	freed bool // a free came while it was in flight (guarded by store.mu)
}

// newStore returns a store; with limit > 0 and spillDir set it spills.
func newStore(h *device.Host, limit int64, spillDir string) *store {
	st := &store{host: h, m: map[graph.Key]*stored{}, inflight: map[graph.Key]*fetchCall{}, spillDir: spillDir}
	if limit > 0 && spillDir != "" {
		st.spillAt = int64(spillShare * float64(limit))
		st.pauseAt = int64(pauseShare * float64(limit))
	}
	return st
}

// load returns e's buffer with a reference for the caller, reading it
// back from disk when it was spilled. st.mu is held.
func (st *store) load(e *stored) (*device.Buffer, error) {
	st.tick++
	e.used = st.tick
	if e.buf == nil {
		b, err := st.host.Alloc(e.size)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(e.path)
		if err == nil {
			_, err = readFull(f, b.Bytes())
			f.Close()
		}
		if err != nil {
			b.Release()
			return nil, fmt.Errorf("cluster: reading spilled chunk back: %w", err)
		}
		os.Remove(e.path)
		e.buf, e.path = b, ""
		st.onDisk -= e.size
		st.inMem += e.size
		e.buf.Retain()
		st.spill()
		return e.buf, nil
	}
	e.buf.Retain()
	return e.buf, nil
}

func readFull(f *os.File, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := f.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// spill writes least recently used chunks that nobody else holds to disk
// until the memory share is under spillAt. st.mu is held.
func (st *store) spill() {
	for st.spillAt > 0 && st.inMem > st.spillAt {
		var victim *stored
		for _, e := range st.m {
			if e.buf != nil && e.buf.Refs() == 1 && e.size > 0 && (victim == nil || e.used < victim.used) {
				victim = e
			}
		}
		if victim == nil {
			return // everything in memory is in use
		}
		if err := st.write(victim); err != nil {
			st.err = err
			return
		}
	}
}

func (st *store) write(e *stored) error {
	if st.dir == "" {
		if err := os.MkdirAll(st.spillDir, 0o700); err != nil {
			return err
		}
		d, err := os.MkdirTemp(st.spillDir, "blockwork-spill-")
		if err != nil {
			return err
		}
		st.dir = d
	}
	st.seq++
	path := filepath.Join(st.dir, strconv.FormatUint(st.seq, 10))
	if err := os.WriteFile(path, e.buf.Bytes(), 0o600); err != nil {
		os.Remove(path)
		return err
	}
	e.buf.Release()
	e.buf, e.path = nil, path
	st.inMem -= e.size
	st.onDisk += e.size
	st.spills++
	return nil
}

// drop forgets e. st.mu is held.
func (st *store) drop(k graph.Key, e *stored) {
	delete(st.m, k)
	if e.buf != nil {
		st.inMem -= e.size
		e.buf.Release()
	} else {
		st.onDisk -= e.size
		os.Remove(e.path)
	}
}

// Chunk serves a peer's fetch (transport.Source).
func (st *store) Chunk(ctx context.Context, key graph.Key) (*device.Buffer, graph.Chunk, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.m[key]
	if !ok {
		return nil, graph.Chunk{}, fmt.Errorf("%w: %v", transport.ErrNotFound, key)
	}
	b, err := st.load(e)
	if err != nil {
		return nil, graph.Chunk{}, err
	}
	return b, e.meta, nil
}

// get returns key's buffer with a reference for the caller.
func (st *store) get(key graph.Key) (*device.Buffer, bool, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.m[key]
	if !ok {
		return nil, false, nil
	}
	b, err := st.load(e)
	return b, err == nil, err
}

// put stores buf (taking the caller's reference) under key; a chunk
// already there (a replica fetched twice) wins and buf is released.
func (st *store) put(key graph.Key, buf *device.Buffer, meta graph.Chunk) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.putLocked(key, buf, meta)
}

func (st *store) putLocked(key graph.Key, buf *device.Buffer, meta graph.Chunk) {
	if _, ok := st.m[key]; ok {
		buf.Release()
		return
	}
	st.tick++
	st.m[key] = &stored{buf: buf, meta: meta, size: buf.Len(), used: st.tick}
	st.inMem += buf.Len()
	st.spill()
}

// free drops the chunk of base and the other outputs of its tuple.
func (st *store) free(base graph.Key) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for i := 0; ; i++ {
		k := graph.Key{Layer: outLayer(base.Layer, i), Block: base.Block}
		e, ok := st.m[k]
		call, fetching := st.inflight[k]
		if !ok && !fetching {
			return
		}
		if ok {
			st.drop(k, e)
		}
		if fetching {
			call.freed = true
		}
	}
}

// sweep drops every chunk of computation comp (an aborted one).
func (st *store) sweep(comp uint64) {
	prefix := "c" + strconv.FormatUint(comp, 10) + "/"
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, e := range st.m {
		if strings.HasPrefix(k.Layer, prefix) {
			st.drop(k, e)
		}
	}
}

// clear drops everything, and the spill directory.
func (st *store) clear() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, e := range st.m {
		st.drop(k, e)
	}
	if st.dir != "" {
		os.RemoveAll(st.dir)
		st.dir = ""
	}
}

// bytes is what the store holds in memory and on disk.
func (st *store) bytes() (inMem, onDisk int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.inMem, st.onDisk
}

// paused: memory is above the pause share even after spilling.
func (st *store) paused() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.pauseAt > 0 && st.inMem > st.pauseAt
}
