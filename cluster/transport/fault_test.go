package transport

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/graph"
)

// TestCorruption flips one byte at a time on the way (payload, header,
// metadata, trailer) through a proxy: each fetch fails with ErrChecksum
// (ErrProtocol where the flip breaks the framing before the CRC is
// known) and releases what it allocated.
func TestCorruption(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, nil, nil)
	key := graph.Key{Layer: "c", Block: 3}
	meta := graph.Chunk{DType: graph.Float64, Shape: []int{3 << 17}} // 3 MiB
	e.add(r, key, meta.DType, meta.Shape)
	po := payloadOffset(meta)
	for _, c := range []struct {
		name string
		at   int64
		want []error
	}{
		{"payload first byte", po, []error{ErrChecksum}},
		{"payload middle", po + 1<<20 + r.Int64N(1<<20), []error{ErrChecksum}},
		{"payload last byte", po + meta.Bytes() - 1, []error{ErrChecksum}},
		{"header id", helloReplyLen + 9, []error{ErrProtocol}},
		{"header crc", helloReplyLen + 25, []error{ErrChecksum}},
		{"metadata", helloReplyLen + headerLen + 40 + r.Int64N(po-helloReplyLen-headerLen-40), []error{ErrChecksum}},
		{"trailer crc", po + meta.Bytes() + 9, []error{ErrChecksum}},
		{"end of stream", po + meta.Bytes() + 2, []error{ErrProtocol}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newProxy(t, e.addr)
			p.flipAt = c.at
			p.start()
			_, _, err := e.cli.Fetch(context.Background(), p.addr(), key, e.dst)
			ok := false
			for _, w := range c.want {
				ok = ok || errors.Is(err, w)
			}
			if !ok {
				t.Fatalf("flip at %d: %v, want %v", c.at, err, c.want)
			}
			t.Log(err)
			if n := e.dst.Stats().LiveBuffers; n != 0 {
				t.Fatalf("%d buffers live after a failed fetch", n)
			}
		})
	}
}

// TestTruncated cuts the stream at points through a response (the server
// dying mid-transfer): the fetch fails with ErrPeerGone, promptly, and
// leaks nothing.
func TestTruncated(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, nil, nil)
	key := graph.Key{Layer: "t"}
	meta := graph.Chunk{DType: graph.Int32, Shape: []int{1 << 20}}
	e.add(r, key, meta.DType, meta.Shape)
	po := payloadOffset(meta)
	for _, at := range []int64{0, 4, helloReplyLen, helloReplyLen + 10, po - 5, po, po + 1, po + r.Int64N(meta.Bytes()), po + meta.Bytes(), po + meta.Bytes() + 12} {
		p := newProxy(t, e.addr)
		p.cutAt = at
		p.start()
		start := time.Now()
		_, _, err := e.cli.Fetch(context.Background(), p.addr(), key, e.dst)
		if !errors.Is(err, ErrPeerGone) && !(at < helloReplyLen && errors.Is(err, ErrUnauthorized)) {
			t.Fatalf("cut at %d: %v, want ErrPeerGone", at, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("cut at %d: took %v", at, d)
		}
		if n := e.dst.Stats().LiveBuffers; n != 0 {
			t.Fatalf("cut at %d: %d buffers live", at, n)
		}
	}
}

// TestServerKilledMidTransfer closes the server while a 64 MiB chunk is
// on its way (held back by a stalled proxy).
func TestServerKilledMidTransfer(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, nil, nil)
	key := graph.Key{Layer: "big"}
	meta := graph.Chunk{DType: graph.Float64, Shape: []int{8 << 20}}
	e.add(r, key, meta.DType, meta.Shape)
	p := newProxy(t, e.addr)
	p.stallAt = payloadOffset(meta) + 3<<20
	p.start()
	done := make(chan error, 1)
	go func() {
		_, _, err := e.cli.Fetch(context.Background(), p.addr(), key, e.dst)
		done <- err
	}()
	<-p.reached
	e.srv.Close()
	p.close() // the server's side is gone; the proxy passes that on
	select {
	case err := <-done:
		if !errors.Is(err, ErrPeerGone) {
			t.Fatalf("%v, want ErrPeerGone", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fetch hangs")
	}
}

// TestCancel cancels fetches waiting for a slow source and stalled mid
// payload; both return promptly with the context's error and leak
// nothing.
func TestCancel(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, nil, nil)
	key := graph.Key{Layer: "k"}
	meta := graph.Chunk{DType: graph.Float32, Shape: []int{4 << 20}}
	e.add(r, key, meta.DType, meta.Shape)

	p := newProxy(t, e.addr)
	p.stallAt = payloadOffset(meta) + 5<<20
	p.start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := e.cli.Fetch(ctx, p.addr(), key, e.dst)
		done <- err
	}()
	<-p.reached
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("mid-payload cancel: %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("cancel took %v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelled fetch hangs")
	}
	if n := e.dst.Stats().LiveBuffers; n != 0 {
		t.Fatalf("%d buffers live after a cancelled fetch", n)
	}

	// a deadline while the server waits on its source
	block := make(chan struct{})
	e.src.setBlock(block)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	start = time.Now()
	_, _, err := e.cli.Fetch(ctx2, e.addr, key, e.dst)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("deadline of 100ms took %v", d)
	}
	close(block)
}

// TestIOTimeout: a peer that stops sending mid-chunk fails the fetch
// after the I/O timeout, without a context deadline.
func TestIOTimeout(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, nil, []Option{WithIOTimeout(200 * time.Millisecond)})
	key := graph.Key{Layer: "k"}
	meta := graph.Chunk{DType: graph.Float32, Shape: []int{1 << 20}}
	e.add(r, key, meta.DType, meta.Shape)
	p := newProxy(t, e.addr)
	p.stallAt = payloadOffset(meta) + 100
	p.start()
	_, _, err := e.cli.Fetch(context.Background(), p.addr(), key, e.dst)
	if !errors.Is(err, ErrPeerGone) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%v, want ErrPeerGone and a deadline", err)
	}
}

// rawConn dials addr and sends a hello with token.
func rawConn(t *testing.T, addr, token string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	h := make([]byte, helloLen)
	copy(h, magic)
	le.PutUint16(h[4:], version)
	le.PutUint32(h[8:], uint32(len(token)))
	if _, err := c.Write(append(h, token...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var rep [helloReplyLen]byte
	if _, err := io.ReadFull(br, rep[:]); err != nil {
		t.Fatal(err)
	}
	if st := le.Uint16(rep[6:]); st != helloOK {
		t.Fatalf("hello status %d", st)
	}
	return c, br
}

// readError reads one response that must be an error and the close after.
func readError(t *testing.T, br *bufio.Reader, want string) {
	t.Helper()
	var hb [headerLen]byte
	if _, err := io.ReadFull(br, hb[:]); err != nil {
		t.Fatalf("no answer: %v", err)
	}
	h, err := parseHeader(hb[:])
	if err != nil || h.kind != kindError || h.m > maxMessageBytes {
		t.Fatalf("answer %+v, %v", h, err)
	}
	msg := make([]byte, h.m)
	io.ReadFull(br, msg)
	if !strings.Contains(string(msg), want) {
		t.Fatalf("message %q, want %q in it", msg, want)
	}
	t.Logf("server said: %s", msg)
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("connection still open after a malformed request")
	}
}

// TestMalformedRequests sends bad hellos and requests on raw
// connections: each gets a clear refusal, and the server keeps serving.
func TestMalformedRequests(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, nil, nil)
	key := graph.Key{Layer: "ok"}
	data := e.add(r, key, graph.Int32, []int{5})

	// hellos: bad magic, bad version, a 4 GiB token
	for _, h := range [][]byte{
		[]byte("HTTP/1.1 GET /\r\n"),
		append([]byte(magic), 9, 0, 0, 0, 0, 0, 0, 0),
		append([]byte(magic), 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff),
	} {
		c, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(h)
		rep, _ := io.ReadAll(c)
		c.Close()
		if len(rep) != helloReplyLen || le.Uint16(rep[6:]) != helloBad {
			t.Fatalf("hello %q answered % x", h, rep)
		}
	}

	req := func(kind byte, layerLen uint32, id uint64) []byte {
		b := make([]byte, requestLen)
		putRequest(b, request{layerLen: layerLen, id: id})
		b[0] = kind
		return b
	}
	// a request kind that does not exist
	c, br := rawConn(t, e.addr, "")
	c.Write(req(7, 0, 1))
	readError(t, br, "request kind 7")
	// a key claiming 4 GiB (the length field's most)
	c, br = rawConn(t, e.addr, "")
	c.Write(req(kindFetch, 0xFFFFFFFF, 2))
	readError(t, br, "key of 4294967295 bytes")
	// a key just over the limit, its bytes following
	c, br = rawConn(t, e.addr, "")
	c.Write(append(req(kindFetch, defaultMaxKeyBytes+1, 3), make([]byte, defaultMaxKeyBytes+1)...))
	readError(t, br, "at most 4096")
	// a request cut short, then the connection closed
	c, _ = rawConn(t, e.addr, "")
	c.Write(req(kindFetch, 100, 4)[:10])
	c.Close()

	// pipelined requests on one raw connection come back in order
	c, br = rawConn(t, e.addr, "")
	var pipe []byte
	for i := range 3 {
		pipe = append(pipe, req(kindFetch, 2, uint64(10+i))...)
		pipe = append(pipe, "ok"...)
	}
	c.Write(pipe)
	for i := range 3 {
		var hb [headerLen]byte
		if _, err := io.ReadFull(br, hb[:]); err != nil {
			t.Fatal(err)
		}
		h, _ := parseHeader(hb[:])
		if h.kind != kindChunk || h.id != uint64(10+i) {
			t.Fatalf("pipelined answer %d: %+v", i, h)
		}
		io.CopyN(io.Discard, br, int64(h.m)+h.body+trailerLen)
	}

	// the server still serves
	fetchCheck(t, e, key, data, graph.Chunk{DType: graph.Int32, Shape: []int{5}})
}

// fakeServer answers every hello with OK and the first request with
// answer(id); it checks the client's side of absurd responses.
func fakeServer(t *testing.T, answer func(id uint64) []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				var h [helloLen]byte
				if _, err := io.ReadFull(br, h[:]); err != nil {
					return
				}
				io.CopyN(io.Discard, br, int64(le.Uint32(h[8:])))
				rep := make([]byte, helloReplyLen)
				copy(rep, magic)
				le.PutUint16(rep[4:], version)
				c.Write(rep)
				var req [requestLen]byte
				if _, err := io.ReadFull(br, req[:]); err != nil {
					return
				}
				io.CopyN(io.Discard, br, int64(le.Uint32(req[4:])))
				c.Write(answer(le.Uint64(req[16:])))
				io.Copy(io.Discard, br)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestAbsurdResponses: a peer claiming a 1 TiB chunk, a huge metadata
// block or inconsistent sizes is refused before anything is allocated.
func TestAbsurdResponses(t *testing.T) {
	e := newEnv(t, nil, nil)
	chunkAnswer := func(meta graph.Chunk, elems, payload, body int64) func(id uint64) []byte {
		return func(id uint64) []byte {
			md := encodeMeta(meta, elems, payload)
			h := make([]byte, headerLen)
			putHeader(h, header{kind: kindChunk, m: uint32(len(md)), id: id, body: body}, md)
			return append(h, md...)
		}
	}
	tib := graph.Chunk{DType: graph.Float64, Shape: []int{1 << 37}}
	for _, c := range []struct {
		name   string
		answer func(id uint64) []byte
		want   error
	}{
		{"1 TiB chunk", chunkAnswer(tib, 1<<37, 1<<40, 1<<40), ErrTooLarge},
		{"64 dims of 2", chunkAnswer(graph.Chunk{DType: graph.Bool, Shape: slicesRepeat(2, 64)}, 1<<62, 1<<62, 1<<62), ErrTooLarge},
		{"payload not shape x dtype", chunkAnswer(graph.Chunk{DType: graph.Int64, Shape: []int{10}}, 10, 81, 88), ErrProtocol},
		{"body disagrees with header", chunkAnswer(graph.Chunk{DType: graph.Int64, Shape: []int{10}}, 10, 80, 96), ErrProtocol},
		{"2 GiB metadata", func(id uint64) []byte {
			h := make([]byte, headerLen)
			putHeader(h, header{kind: kindChunk, m: 1 << 31, id: id}, nil)
			return h
		}, ErrTooLarge},
		{"long error message", func(id uint64) []byte {
			h := make([]byte, headerLen)
			putHeader(h, header{kind: kindError, m: maxMessageBytes + 1, id: id}, nil)
			return h
		}, ErrTooLarge},
		{"wrong request id", func(id uint64) []byte {
			h := make([]byte, headerLen)
			putHeader(h, header{kind: kindNotFound, id: id + 1}, nil)
			return h
		}, ErrProtocol},
		{"garbage", func(uint64) []byte { return []byte(strings.Repeat("garbage!", 8)) }, ErrProtocol},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := fakeServer(t, c.answer)
			before := e.dst.Stats().Allocs
			_, _, err := e.cli.Fetch(context.Background(), addr, graph.Key{Layer: "x"}, e.dst)
			if !errors.Is(err, c.want) {
				t.Fatalf("%v, want %v", err, c.want)
			}
			t.Log(err)
			if a := e.dst.Stats().Allocs; a != before {
				t.Fatalf("%d allocations for a refused response", a-before)
			}
		})
	}
}

func slicesRepeat(v, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}
