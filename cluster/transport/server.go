package transport

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// Source is where a Server finds chunks: the worker's chunk store.
type Source interface {
	// Chunk returns the chunk of key and its metadata: a host buffer of
	// exactly meta.Bytes() bytes carrying a reference that the server
	// releases once the chunk is sent (or the send failed). Its bytes
	// must not change while the reference is held. An unknown key returns
	// an error wrapping ErrNotFound; other errors reach the client as
	// ErrRemote with their text. ctx ends when the server closes.
	Chunk(ctx context.Context, key graph.Key) (*device.Buffer, graph.Chunk, error)
}

// CRCSource is a Source that may know the CRC32C (Castagnoli) of a
// chunk's bytes, taken once when the chunk was made or first sent. The
// server then sends that value instead of reading the whole chunk for it
// on every send (about a third of a send's cost on the development
// machine, see BenchmarkTransfer), and a chunk whose memory changed since
// is caught by the client's check.
type CRCSource interface {
	Source
	// ChunkCRC returns the CRC32C of buf's bytes, the buffer that Chunk
	// just returned for key, and true; or false when it does not know it.
	ChunkCRC(key graph.Key, buf *device.Buffer) (uint32, bool)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, key graph.Key) (*device.Buffer, graph.Chunk, error)

// Chunk calls f.
func (f SourceFunc) Chunk(ctx context.Context, key graph.Key) (*device.Buffer, graph.Chunk, error) {
	return f(ctx, key)
}

// Server serves chunk fetches from a Source on one or more listeners.
// Each connection runs on its own goroutine and answers its requests in
// order.
type Server struct {
	src    Source
	cfg    config
	token  [32]byte
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	lns    map[net.Listener]struct{}
	conns  map[net.Conn]struct{}
	closed bool
	addr   net.Addr
	wg     sync.WaitGroup // connection handlers and Listen's accept loop
}

// NewServer returns a server of src's chunks; it serves nothing until
// Serve. It fails only on invalid options.
func NewServer(src Source, opts ...Option) (*Server, error) {
	if src == nil {
		return nil, errors.New("transport: NewServer with a nil Source")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{src: src, cfg: cfg, token: cfg.tokenHash(), lns: map[net.Listener]struct{}{}, conns: map[net.Conn]struct{}{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Listen listens on the TCP address addr ("127.0.0.1:0", ":9000") and
// serves src's chunks there until Close. Beyond loopback it needs a token
// (WithToken) or WithInsecureNoToken, else it fails with ErrNoToken.
func Listen(addr string, src Source, opts ...Option) (*Server, error) {
	s, err := NewServer(src, opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("transport: listen: %w", err)
	}
	if err := s.checkListener(ln); err != nil {
		ln.Close()
		return nil, err
	}
	s.mu.Lock()
	s.addr = ln.Addr()
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		s.Serve(ln)
	}()
	return s, nil
}

// Addr is the address Listen listens on (nil for a server made by
// NewServer).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// isLoopback reports whether a listens on a loopback address only (a Unix
// socket counts as local).
func isLoopback(a net.Addr) bool {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	return false
}

func (s *Server) checkListener(ln net.Listener) error {
	if !s.cfg.hasToken && !s.cfg.insecureNoToken && !isLoopback(ln.Addr()) {
		return fmt.Errorf("%w: listening on %v", ErrNoToken, ln.Addr())
	}
	return nil
}

// Serve accepts connections on ln until Close (it then returns ErrClosed)
// or a permanent accept error. ln is closed by Close.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.checkListener(ln); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.lns[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.lns, ln)
		s.mu.Unlock()
	}()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return ErrClosed
			}
			// out of descriptors and the like: back off and go on
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return ErrClosed
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.handle(c)
	}
}

// Close stops the listeners, closes every connection (a transfer in
// flight fails on the client with ErrPeerGone), cancels Source calls and
// waits for the connection goroutines to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for ln := range s.lns {
		ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// srvConn is one served connection and its scratch space.
type srvConn struct {
	nc   net.Conn
	br   *bufio.Reader
	hdr  [headerLen]byte
	trl  [trailerLen]byte
	bufs [5][]byte
}

var zeros [8]byte

func (s *Server) handle(c net.Conn) {
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.wg.Done()
	}()
	nc := c
	if s.cfg.tls != nil {
		tc := tls.Server(c, s.cfg.tls)
		ctx, cancel := context.WithTimeout(s.ctx, s.cfg.handshakeTimeout)
		err := tc.HandshakeContext(ctx)
		cancel()
		if err != nil {
			return
		}
		nc = tc
	}
	sc := &srvConn{nc: nc, br: bufio.NewReaderSize(nc, 4096)}
	if !s.hello(sc) {
		return
	}
	var req [requestLen]byte
	for {
		if s.cfg.idleTimeout > 0 {
			nc.SetReadDeadline(time.Now().Add(s.cfg.idleTimeout))
		} else {
			nc.SetReadDeadline(time.Time{})
		}
		if _, err := io.ReadFull(sc.br, req[:]); err != nil {
			return // closed, idle, or a truncated request: nothing to answer
		}
		nc.SetReadDeadline(time.Now().Add(s.cfg.ioTimeout))
		r, err := parseRequest(req[:])
		if err != nil {
			s.refuse(sc, r.id, err.Error())
			return
		}
		if int64(r.layerLen) > int64(s.cfg.maxKeyBytes) {
			s.refuse(sc, r.id, fmt.Sprintf("%v: key of %d bytes, at most %d", ErrTooLarge, r.layerLen, s.cfg.maxKeyBytes))
			return
		}
		layer := make([]byte, r.layerLen)
		if _, err := io.ReadFull(sc.br, layer); err != nil {
			return
		}
		if err := s.serve(sc, graph.Key{Layer: string(layer), Block: r.block}, r.id); err != nil {
			return
		}
	}
}

// hello reads the client's hello and answers it; false: refused.
func (s *Server) hello(sc *srvConn) bool {
	sc.nc.SetDeadline(time.Now().Add(s.cfg.handshakeTimeout))
	defer sc.nc.SetDeadline(time.Time{})
	var h [helloLen]byte
	if _, err := io.ReadFull(sc.br, h[:]); err != nil {
		return false
	}
	reply := func(status uint16) bool {
		var b [helloReplyLen]byte
		copy(b[:], magic)
		le.PutUint16(b[4:], version)
		le.PutUint16(b[6:], status)
		_, err := sc.nc.Write(b[:])
		return err == nil && status == helloOK
	}
	n := le.Uint32(h[8:])
	if string(h[:4]) != magic || le.Uint16(h[4:]) != version || le.Uint16(h[6:]) != 0 || n > maxTokenBytes {
		return reply(helloBad)
	}
	tok := make([]byte, n)
	if _, err := io.ReadFull(sc.br, tok); err != nil {
		return false
	}
	if s.cfg.hasToken {
		got := sha256.Sum256(tok)
		if subtle.ConstantTimeCompare(got[:], s.token[:]) != 1 {
			return reply(helloBadToken)
		}
	}
	return reply(helloOK)
}

// Refusing a request: the server answers, stops writing, and reads and
// drops up to lingerBytes for up to lingerTime before it closes, so a
// client still sending its (too long) request reads the answer instead of
// a connection reset.
const (
	lingerBytes = 16 << 20
	lingerTime  = time.Second
)

func (s *Server) refuse(sc *srvConn, id uint64, msg string) {
	if s.writeMessage(sc, kindError, id, msg) != nil {
		return
	}
	if cw, ok := sc.nc.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	sc.nc.SetReadDeadline(time.Now().Add(lingerTime))
	io.CopyN(io.Discard, sc.br, lingerBytes)
}

// writeMessage sends a not-found or error response.
func (s *Server) writeMessage(sc *srvConn, kind byte, id uint64, msg string) error {
	if len(msg) > maxMessageBytes {
		msg = msg[:maxMessageBytes]
	}
	msg = strings.ToValidUTF8(msg, "?")
	if len(msg) > maxMessageBytes {
		msg = msg[:maxMessageBytes]
	}
	m := []byte(msg)
	putHeader(sc.hdr[:], header{kind: kind, m: uint32(len(m)), id: id}, m)
	sc.nc.SetWriteDeadline(time.Now().Add(s.cfg.ioTimeout))
	bufs := net.Buffers{sc.hdr[:], m}
	_, err := bufs.WriteTo(sc.nc)
	return err
}

// serve answers one request; an error means the connection is broken.
func (s *Server) serve(sc *srvConn, key graph.Key, id uint64) error {
	buf, meta, err := s.src.Chunk(s.ctx, key)
	if err == nil && buf == nil {
		err = errors.New("source returned no buffer")
	}
	if err != nil {
		kind := byte(kindError)
		if errors.Is(err, ErrNotFound) {
			kind = kindNotFound
		}
		return s.writeMessage(sc, kind, id, fmt.Sprintf("chunk %s: %v", keyName(key), err))
	}
	elems, payload, err := checkChunk(meta, s.cfg.maxChunkBytes)
	if err == nil && buf.Len() != payload {
		err = fmt.Errorf("buffer of %d bytes for a %v chunk of %d", buf.Len(), meta, payload)
	}
	if err == nil && payload > 0 && buf.Bytes() == nil {
		err = fmt.Errorf("%w: %s", ErrNotHost, buf.Device().Name())
	}
	if err != nil {
		buf.Release() // before answering: the client sees no reference left
		return s.writeMessage(sc, kindError, id, fmt.Sprintf("chunk %s: %v", keyName(key), err))
	}
	defer buf.Release()
	md := encodeMeta(meta, elems, payload)
	var crc uint32
	known := false
	if cs, ok := s.src.(CRCSource); ok {
		crc, known = cs.ChunkCRC(key, buf)
	}
	return s.writeChunk(sc, id, md, buf.Bytes()[:payload], crc, known)
}

// writeChunk writes a chunk response with writev, 1 MiB of the payload
// at a time, straight from data; unless the CRC is known, each slice's
// CRC is taken just before it goes out (while it is in cache).
func (s *Server) writeChunk(sc *srvConn, id uint64, md, data []byte, known uint32, isKnown bool) error {
	n := int64(len(data))
	body := pad8(n)
	putHeader(sc.hdr[:], header{kind: kindChunk, m: uint32(len(md)), id: id, body: body}, md)
	var crc uint32
	for off := int64(0); ; {
		end := min(off+ioSlice, n)
		sl := data[off:end]
		if !isKnown {
			crc = crc32.Update(crc, castagnoli, sl)
		}
		bufs := net.Buffers(sc.bufs[:0])
		if off == 0 {
			bufs = append(bufs, sc.hdr[:], md)
		}
		if len(sl) > 0 {
			bufs = append(bufs, sl)
		}
		last := end == n
		if last {
			if p := body - n; p > 0 {
				bufs = append(bufs, zeros[:p])
			}
			if isKnown {
				crc = known
			}
			putTrailer(sc.trl[:], crc)
			bufs = append(bufs, sc.trl[:])
		}
		sc.nc.SetWriteDeadline(time.Now().Add(s.cfg.ioTimeout))
		if _, err := bufs.WriteTo(sc.nc); err != nil {
			return err
		}
		if last {
			return nil
		}
		off = end
	}
}
