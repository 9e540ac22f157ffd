package transport

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// Client fetches chunks from Servers, keeping a pool of connections per
// peer address. Safe for concurrent use.
type Client struct {
	cfg config

	mu     sync.Mutex
	peers  map[string]*peer
	closed bool
}

// peer is the pool of one address: sem holds a token per connection in
// use or being dialled, idle the connections free for the next fetch.
type peer struct {
	addr string
	sem  chan struct{}
	mu   sync.Mutex
	idle []*cliConn
}

// cliConn is one client connection.
type cliConn struct {
	nc   net.Conn
	br   *bufio.Reader
	next uint64 // next request id
	req  []byte
	hdr  [headerLen]byte
	tail [8 + trailerLen]byte // body padding, end of stream, CRC
	meta []byte
	// broken: a cancellation fired during the last fetch, so the
	// connection may carry a past deadline; it is closed, not pooled
	broken bool
}

// NewClient returns a client. It fails only on invalid options.
func NewClient(opts ...Option) (*Client, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, peers: map[string]*peer{}}, nil
}

// Close closes the idle connections; fetches in flight finish (or fail)
// and close theirs, and later fetches fail with ErrClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	peers := c.peers
	c.peers = map[string]*peer{}
	c.mu.Unlock()
	for _, p := range peers {
		p.mu.Lock()
		for _, cn := range p.idle {
			cn.nc.Close()
		}
		p.idle = nil
		p.mu.Unlock()
	}
	return nil
}

func (c *Client) peer(addr string) (*peer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	p := c.peers[addr]
	if p == nil {
		p = &peer{addr: addr, sem: make(chan struct{}, c.cfg.maxConnsPerPeer)}
		c.peers[addr] = p
	}
	return p, nil
}

// put returns a healthy connection to its pool (or closes it when the
// client has closed).
func (c *Client) put(p *peer, cn *cliConn) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		cn.nc.Close()
		return
	}
	p.mu.Lock()
	p.idle = append(p.idle, cn)
	p.mu.Unlock()
}

// Fetch asks the server at addr for the chunk of key and reads it into a
// buffer allocated from dst (a host device), which the caller releases.
// The payload is read straight into the buffer and its CRC32C checked.
// Errors wrap ErrNotFound, ErrChecksum, ErrPeerGone, ErrUnauthorized,
// ErrProtocol, ErrTooLarge, ErrRemote, ErrNotHost, ErrClosed, a dst
// allocation error (device.ErrOutOfMemory), or ctx's error; nothing is
// left allocated on failure. Cancelling ctx closes the connection at
// once.
func (c *Client) Fetch(ctx context.Context, addr string, key graph.Key, dst device.Device) (*device.Buffer, graph.Chunk, error) {
	if len(key.Layer) > c.cfg.maxKeyBytes {
		return nil, graph.Chunk{}, fmt.Errorf("transport: fetch %s: %w: key of %d bytes, at most %d", keyName(key), ErrTooLarge, len(key.Layer), c.cfg.maxKeyBytes)
	}
	p, err := c.peer(addr)
	if err != nil {
		return nil, graph.Chunk{}, err
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, graph.Chunk{}, fmt.Errorf("transport: fetch %s from %s: %w", keyName(key), addr, ctx.Err())
	}
	defer func() { <-p.sem }()
	for attempt := 0; ; attempt++ {
		cn, reused, err := c.conn(ctx, p)
		if err != nil {
			return nil, graph.Chunk{}, fmt.Errorf("transport: fetch %s: %w", keyName(key), err)
		}
		buf, meta, stale, err := c.fetchOn(ctx, cn, key, dst)
		if err == nil {
			if cn.broken {
				cn.nc.Close()
			} else {
				c.put(p, cn)
			}
			return buf, meta, nil
		}
		cn.nc.Close()
		// a pooled connection the server closed while idle fails before
		// any answer: try once more on a fresh one
		if stale && reused && attempt == 0 && ctx.Err() == nil {
			continue
		}
		return nil, graph.Chunk{}, fmt.Errorf("transport: fetch %s from %s: %w", keyName(key), addr, err)
	}
}

// conn takes an idle connection of p or dials one.
func (c *Client) conn(ctx context.Context, p *peer) (cn *cliConn, reused bool, err error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		cn = p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
	}
	p.mu.Unlock()
	if cn != nil {
		return cn, true, nil
	}
	cn, err = c.dial(ctx, p.addr)
	return cn, false, err
}

// dial connects to addr, runs TLS and the hello.
func (c *Client) dial(ctx context.Context, addr string) (*cliConn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.dialTimeout)
	defer cancel()
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: dial %s: %w", ErrPeerGone, addr, err)
	}
	nc := raw
	if c.cfg.tls != nil {
		cfg := c.cfg.tls
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			if host, _, err := net.SplitHostPort(addr); err == nil {
				cfg.ServerName = host
			}
		}
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			if ctx.Err() != nil {
				return nil, fmt.Errorf("TLS with %s: %w", addr, ctx.Err())
			}
			return nil, fmt.Errorf("%w: TLS with %s: %w", ErrUnauthorized, addr, err)
		}
		nc = tc
	}
	cn := &cliConn{nc: nc, br: bufio.NewReaderSize(nc, 4096)}
	nc.SetDeadline(time.Now().Add(c.cfg.dialTimeout))
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	err = ctx.Err()
	if err == nil {
		err = c.hello(cn)
	}
	if err != nil {
		nc.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("hello to %s: %w", addr, ctx.Err())
		}
		return nil, fmt.Errorf("hello to %s: %w", addr, err)
	}
	if !stop() {
		nc.Close()
		return nil, fmt.Errorf("hello to %s: %w", addr, ctx.Err())
	}
	nc.SetDeadline(time.Time{})
	return cn, nil
}

func (c *Client) hello(cn *cliConn) error {
	b := make([]byte, helloLen, helloLen+len(c.cfg.token))
	copy(b, magic)
	le.PutUint16(b[4:], version)
	le.PutUint32(b[8:], uint32(len(c.cfg.token)))
	b = append(b, c.cfg.token...)
	if _, err := cn.nc.Write(b); err != nil {
		return ioError(err)
	}
	var r [helloReplyLen]byte
	if _, err := io.ReadFull(cn.br, r[:]); err != nil {
		var op *net.OpError
		if c.cfg.tls != nil && (errors.Is(err, io.EOF) || errors.As(err, &op) && op.Op == "remote error") {
			// a server that refused our certificate (TLS 1.3 checks it
			// after the client's handshake is done) or our hello closes here
			return fmt.Errorf("%w: connection closed during hello: %w", ErrUnauthorized, err)
		}
		return ioError(err)
	}
	if string(r[:4]) != magic || le.Uint16(r[4:]) != version {
		return fmt.Errorf("%w: hello reply % x", ErrProtocol, r[:])
	}
	switch st := le.Uint16(r[6:]); st {
	case helloOK:
		return nil
	case helloBadToken:
		return fmt.Errorf("%w: token refused", ErrUnauthorized)
	default:
		return fmt.Errorf("%w: hello refused (status %d)", ErrUnauthorized, st)
	}
}

// ioError marks a network error as the peer being gone.
func ioError(err error) error { return fmt.Errorf("%w: %w", ErrPeerGone, err) }

// staleErr reports whether err, met before any byte of an answer, means
// an idle pooled connection had been closed by the server.
func staleErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// fetchOn runs one fetch on cn. stale reports a failure before any byte
// of the answer arrived (worth one retry on a fresh connection).
func (c *Client) fetchOn(ctx context.Context, cn *cliConn, key graph.Key, dst device.Device) (buf *device.Buffer, meta graph.Chunk, stale bool, err error) {
	cancelled := false
	stop := context.AfterFunc(ctx, func() { cn.nc.SetDeadline(time.Unix(1, 0)) })
	defer func() {
		if !stop() {
			cancelled = true
			cn.broken = true
		}
		if err != nil && (cancelled || ctx.Err() != nil) {
			err = ctx.Err()
			stale = false
		}
		if err != nil && buf != nil {
			buf.Release()
			buf = nil
		}
	}()
	// deadline arms the per-step timeout; a cancellation that ran first
	// (its past deadline overwritten) is caught by checking ctx after.
	deadline := func() error {
		cn.nc.SetDeadline(time.Now().Add(c.cfg.ioTimeout))
		return ctx.Err()
	}

	if err := deadline(); err != nil {
		return nil, meta, false, err
	}
	cn.next++
	cn.req = append(cn.req[:0], make([]byte, requestLen)...)
	putRequest(cn.req, request{layerLen: uint32(len(key.Layer)), block: key.Block, id: cn.next})
	cn.req = append(cn.req, key.Layer...)
	if _, err := cn.nc.Write(cn.req); err != nil {
		return nil, meta, staleErr(err), ioError(err)
	}
	if n, err := io.ReadFull(cn.br, cn.hdr[:]); err != nil {
		return nil, meta, n == 0 && staleErr(err), ioError(err)
	}
	h, err := parseHeader(cn.hdr[:])
	if err != nil {
		return nil, meta, false, err
	}
	if h.id != cn.next {
		return nil, meta, false, fmt.Errorf("%w: answer to request %d, want %d", ErrProtocol, h.id, cn.next)
	}
	limit := uint32(maxMessageBytes)
	if h.kind == kindChunk {
		limit = uint32(c.cfg.maxMetadataBytes)
	}
	if h.m > limit {
		return nil, meta, false, fmt.Errorf("%w: response metadata of %d bytes, at most %d", ErrTooLarge, h.m, limit)
	}
	if cap(cn.meta) < int(h.m) {
		cn.meta = make([]byte, h.m)
	}
	md := cn.meta[:h.m]
	if _, err := io.ReadFull(cn.br, md); err != nil {
		return nil, meta, false, ioError(err)
	}
	if err := checkHeader(cn.hdr[:], h, md); err != nil {
		return nil, meta, false, err
	}
	switch h.kind {
	case kindNotFound:
		return nil, meta, false, fmt.Errorf("%w: %s", ErrNotFound, md)
	case kindError:
		return nil, meta, false, fmt.Errorf("%w: %s", ErrRemote, md)
	}
	meta, payload, body, err := decodeMeta(md, c.cfg.maxChunkBytes)
	if err != nil {
		return nil, meta, false, err
	}
	if body != h.body {
		return nil, meta, false, fmt.Errorf("%w: header body %d, Arrow body %d", ErrProtocol, h.body, body)
	}
	buf, err = dst.Alloc(payload)
	if err != nil {
		return nil, meta, false, fmt.Errorf("allocating %v on %s: %w", meta, dst.Name(), err)
	}
	data := buf.Bytes()
	if int64(len(data)) != payload {
		return buf, meta, false, fmt.Errorf("%w: %s", ErrNotHost, dst.Name())
	}
	var crc uint32
	for off := int64(0); off < payload; {
		end := min(off+ioSlice, payload)
		if err := deadline(); err != nil {
			return buf, meta, false, err
		}
		if _, err := io.ReadFull(cn.br, data[off:end]); err != nil {
			return buf, meta, false, ioError(err)
		}
		crc = crc32.Update(crc, castagnoli, data[off:end])
		off = end
	}
	tail := cn.tail[:body-payload+trailerLen]
	if _, err := io.ReadFull(cn.br, tail); err != nil {
		return buf, meta, false, ioError(err)
	}
	t := tail[body-payload:]
	if le.Uint32(t) != 0xFFFFFFFF || le.Uint32(t[4:]) != 0 || le.Uint32(t[12:]) != 0 {
		return buf, meta, false, fmt.Errorf("%w: no Arrow end of stream after the body (% x)", ErrProtocol, t)
	}
	if want := le.Uint32(t[8:]); want != crc {
		return buf, meta, false, fmt.Errorf("%w: %v chunk: CRC32C %08x sent, %08x received", ErrChecksum, meta, want, crc)
	}
	return buf, meta, false, nil
}
