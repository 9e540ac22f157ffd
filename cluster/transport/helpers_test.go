package transport

import (
	"context"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
)

var seed = flag.Int64("seed", 0, "seed of the random tests (0: from the clock)")

// newRand returns the test's random source and logs its seed.
func newRand(t testing.TB) *rand.Rand {
	s := *seed
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return rand.New(rand.NewPCG(uint64(s), 0x7a2f))
}

// newRandFrom derives an independent source from r (for a goroutine).
func newRandFrom(r *rand.Rand) *rand.Rand { return rand.New(rand.NewPCG(r.Uint64(), r.Uint64())) }

var allDTypes = []graph.DType{graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64}

// memSource is a Source over chunks held in a map, counting its calls.
type memSource struct {
	mu     sync.Mutex
	chunks map[graph.Key]memChunk
	calls  atomic.Int64
	// block, when set (setBlock), makes Chunk wait for it to close (or ctx)
	block chan struct{}
}

type memChunk struct {
	buf  *device.Buffer
	meta graph.Chunk
}

// crcSource is a memSource that knows its chunks' CRC32C (taken on the
// first send).
type crcSource struct {
	*memSource
	mu   sync.Mutex
	crcs map[*device.Buffer]uint32
}

func newCRCSource() *crcSource {
	return &crcSource{memSource: newMemSource(), crcs: map[*device.Buffer]uint32{}}
}

func (s *crcSource) ChunkCRC(key graph.Key, buf *device.Buffer) (uint32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.crcs[buf]
	if !ok {
		c = crc32.Checksum(buf.Bytes(), castagnoli)
		s.crcs[buf] = c
	}
	return c, true
}

func newMemSource() *memSource { return &memSource{chunks: map[graph.Key]memChunk{}} }

func (s *memSource) Chunk(ctx context.Context, key graph.Key) (*device.Buffer, graph.Chunk, error) {
	s.calls.Add(1)
	s.mu.Lock()
	block := s.block
	s.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, graph.Chunk{}, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chunks[key]
	if !ok {
		return nil, graph.Chunk{}, fmt.Errorf("%w: %v", ErrNotFound, key)
	}
	c.buf.Retain()
	return c.buf, c.meta, nil
}

func (s *memSource) setBlock(ch chan struct{}) {
	s.mu.Lock()
	s.block = ch
	s.mu.Unlock()
}

// put stores a chunk (taking buf's reference).
func (s *memSource) put(key graph.Key, buf *device.Buffer, meta graph.Chunk) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.chunks[key]; ok {
		old.buf.Release()
	}
	s.chunks[key] = memChunk{buf, meta}
}

func (s *memSource) releaseAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.chunks {
		c.buf.Release()
		delete(s.chunks, k)
	}
}

// randChunk allocates a chunk of dt and shape on dev with random contents
// (bools 0 or 1).
func randChunk(t testing.TB, r *rand.Rand, dev device.Device, dt graph.DType, shape []int) (*device.Buffer, graph.Chunk) {
	t.Helper()
	meta := graph.Chunk{DType: dt, Shape: shape}
	buf, err := dev.Alloc(meta.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	for i := 0; i+8 <= len(b); i += 8 {
		le.PutUint64(b[i:], r.Uint64())
	}
	for i := len(b) &^ 7; i < len(b); i++ {
		b[i] = byte(r.Uint32())
	}
	if dt == graph.Bool {
		for i := range b {
			b[i] &= 1
		}
	}
	return buf, meta
}

// env is a server over a memSource on 127.0.0.1 and a client, both on
// host devices checked for leaks at the end of the test.
type env struct {
	t      testing.TB
	src    *memSource
	srcDev *device.Host
	dst    *device.Host
	srv    *Server
	addr   string
	cli    *Client
}

func newEnv(t testing.TB, srvOpts, cliOpts []Option) *env {
	t.Helper()
	e := &env{t: t, src: newMemSource(), srcDev: device.NewHost(), dst: device.NewHost()}
	var err error
	e.srv, err = Listen("127.0.0.1:0", e.src, srvOpts...)
	if err != nil {
		t.Fatal(err)
	}
	e.addr = e.srv.Addr().String()
	e.cli, err = NewClient(cliOpts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.cli.Close()
		e.srv.Close()
		e.src.releaseAll()
		devicetest.AssertNoLeaks(t, e.srcDev, e.dst)
	})
	return e
}

// add stores a random chunk under key and returns its bytes (a copy).
func (e *env) add(r *rand.Rand, key graph.Key, dt graph.DType, shape []int) []byte {
	buf, meta := randChunk(e.t, r, e.srcDev, dt, shape)
	e.src.put(key, buf, meta)
	return append([]byte(nil), buf.Bytes()...)
}

// proxy forwards TCP connections to target, passing the server-to-client
// bytes of each connection through its rules, counted from the first byte
// the server sends (the hello reply).
type proxy struct {
	ln     net.Listener
	target string

	flipAt  int64 // xor 0xff into the byte at this offset (-1: none)
	cutAt   int64 // close both sides once this many bytes have gone (-1: none)
	stallAt int64 // stop forwarding (keep the connections open) from here (-1: none)
	reached chan struct{}

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, flipAt: -1, cutAt: -1, stallAt: -1, reached: make(chan struct{})}
	t.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// start serves connections; call after setting the rules.
func (p *proxy) start() {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := p.ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			p.wg.Add(2)
			go func() {
				defer p.wg.Done()
				io.Copy(s, c)
			}()
			go func() {
				defer p.wg.Done()
				p.forward(c, s)
			}()
		}
	}()
}

func (p *proxy) forward(c, s net.Conn) {
	var once sync.Once
	reached := func() { once.Do(func() { close(p.reached) }) }
	buf := make([]byte, 64<<10)
	var off int64
	for {
		n, err := s.Read(buf)
		b := buf[:n]
		if p.stallAt >= 0 && off+int64(n) > p.stallAt {
			b = b[:max(p.stallAt-off, 0)]
		}
		if p.cutAt >= 0 && off+int64(len(b)) > p.cutAt {
			b = b[:max(p.cutAt-off, 0)]
		}
		if p.flipAt >= off && p.flipAt < off+int64(len(b)) {
			b[p.flipAt-off] ^= 0xff
		}
		if _, werr := c.Write(b); werr != nil {
			return
		}
		off += int64(len(b))
		if p.cutAt >= 0 && off >= p.cutAt {
			reached()
			c.Close()
			s.Close()
			return
		}
		if p.stallAt >= 0 && off >= p.stallAt {
			reached()
			io.Copy(io.Discard, s) // until the test closes the proxy
			return
		}
		if err != nil {
			c.Close()
			return
		}
	}
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// payloadOffset is where the payload of the first response on a
// connection starts in the server-to-client stream.
func payloadOffset(meta graph.Chunk) int64 {
	elems, payload, err := checkChunk(meta, defaultMaxChunkBytes)
	if err != nil {
		panic(err)
	}
	return helloReplyLen + headerLen + int64(len(encodeMeta(meta, elems, payload)))
}
