package transport

import (
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/blockwork-dev/blockwork/graph"
)

// Errors a fetch or a server wraps (see the package doc).
var (
	// ErrNotFound: the peer holds no chunk of that key.
	ErrNotFound = errors.New("transport: chunk not found")
	// ErrChecksum: the bytes received do not match their CRC32C.
	ErrChecksum = errors.New("transport: checksum mismatch")
	// ErrPeerGone: the connection failed, timed out or closed mid-fetch.
	ErrPeerGone = errors.New("transport: peer gone")
	// ErrUnauthorized: the peer refused this side's token or hello.
	ErrUnauthorized = errors.New("transport: unauthorized")
	// ErrProtocol: a malformed message.
	ErrProtocol = errors.New("transport: protocol error")
	// ErrTooLarge: a size read from the network is above its limit.
	ErrTooLarge = errors.New("transport: size above limit")
	// ErrRemote: the peer failed to serve the chunk (its message follows).
	ErrRemote = errors.New("transport: remote error")
	// ErrClosed: the Client or Server was closed.
	ErrClosed = errors.New("transport: closed")
	// ErrNoToken: a server would listen beyond loopback without a token.
	ErrNoToken = errors.New("transport: a token is required beyond loopback (WithToken, or WithInsecureNoToken)")
	// ErrNotHost: a buffer that is not host memory (a GPU buffer) was
	// given to or asked of the data plane, which moves host bytes.
	ErrNotHost = errors.New("transport: buffer is not host memory")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const (
	magic   = "BWDP"
	version = 1

	helloLen      = 12
	helloReplyLen = 8
	helloOK       = 0
	helloBadToken = 1
	helloBad      = 2

	requestLen = 24
	kindFetch  = 1

	headerLen    = 32
	kindChunk    = 1
	kindNotFound = 2
	kindError    = 3

	trailerLen = 16 // Arrow end of stream and the payload CRC
)

// keyName renders k for messages, a long layer cut short.
func keyName(k graph.Key) string {
	if len(k.Layer) <= 80 {
		return k.String()
	}
	return fmt.Sprintf("%q...(%d bytes)[%d]", k.Layer[:60], len(k.Layer), k.Block)
}

// request is a fetch request's fixed part.
type request struct {
	layerLen uint32
	block    int64
	id       uint64
}

func putRequest(b []byte, r request) {
	clear(b[:requestLen])
	b[0] = kindFetch
	le.PutUint32(b[4:], r.layerLen)
	le.PutUint64(b[8:], uint64(r.block))
	le.PutUint64(b[16:], r.id)
}

func parseRequest(b []byte) (request, error) {
	r := request{layerLen: le.Uint32(b[4:]), block: int64(le.Uint64(b[8:])), id: le.Uint64(b[16:])}
	if b[0] != kindFetch || b[1]|b[2]|b[3] != 0 {
		return r, fmt.Errorf("%w: request kind %d (% x)", ErrProtocol, b[0], b[:4])
	}
	return r, nil
}

// header is a response's fixed part.
type header struct {
	kind byte
	m    uint32 // metadata or message length
	id   uint64
	body int64
	crc  uint32
}

// putHeader writes h into b (headerLen bytes) with the CRC of b's first
// 24 bytes and rest.
func putHeader(b []byte, h header, rest []byte) {
	clear(b[:headerLen])
	b[0] = h.kind
	le.PutUint32(b[4:], h.m)
	le.PutUint64(b[8:], h.id)
	le.PutUint64(b[16:], uint64(h.body))
	le.PutUint32(b[24:], crc32.Update(crc32.Update(0, castagnoli, b[:24]), castagnoli, rest))
}

func parseHeader(b []byte) (header, error) {
	h := header{kind: b[0], m: le.Uint32(b[4:]), id: le.Uint64(b[8:]), body: int64(le.Uint64(b[16:])), crc: le.Uint32(b[24:])}
	if h.kind < kindChunk || h.kind > kindError || b[1]|b[2]|b[3] != 0 || le.Uint32(b[28:]) != 0 {
		return h, fmt.Errorf("%w: response header % x", ErrProtocol, b[:8])
	}
	if h.kind != kindChunk && h.body != 0 {
		return h, fmt.Errorf("%w: response kind %d with a %d-byte body", ErrProtocol, h.kind, h.body)
	}
	return h, nil
}

// checkHeader checks h's CRC against the fixed bytes b and rest.
func checkHeader(b []byte, h header, rest []byte) error {
	if got := crc32.Update(crc32.Update(0, castagnoli, b[:24]), castagnoli, rest); got != h.crc {
		return fmt.Errorf("%w: response header CRC32C %08x, computed %08x", ErrChecksum, h.crc, got)
	}
	return nil
}

func putTrailer(b []byte, crc uint32) {
	le.PutUint32(b, 0xFFFFFFFF)
	le.PutUint32(b[4:], 0)
	le.PutUint32(b[8:], crc)
	le.PutUint32(b[12:], 0)
}
