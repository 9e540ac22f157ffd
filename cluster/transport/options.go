package transport

import (
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"time"
)

// Fixed limits of the wire format (see the package doc).
const (
	maxTokenBytes   = 1024 // hello token
	maxMessageBytes = 4096 // text of a not-found or error response
	maxNDim         = 64   // dimensions of a chunk (NumPy's own limit)
	ioSlice         = 1 << 20
)

// Defaults and the ranges the options accept, in one place.
const (
	defaultMaxKeyBytes      = 4096
	maxMaxKeyBytes          = 1 << 20
	defaultMaxMetadataBytes = 64 << 10
	minMaxMetadataBytes     = 1 << 10
	maxMaxMetadataBytes     = 16 << 20
	defaultMaxChunkBytes    = 4 << 30
	maxMaxChunkBytes        = 1 << 40 // the host pool's largest buffer
	defaultMaxConnsPerPeer  = 4
	maxMaxConnsPerPeer      = 1024
	defaultDialTimeout      = 10 * time.Second
	defaultHandshakeTimeout = 10 * time.Second
	defaultIOTimeout        = 30 * time.Second
	defaultIdleTimeout      = 5 * time.Minute
)

// Option configures a Server or a Client. One option type serves both;
// an option that concerns only one side is ignored by the other, as its
// doc says.
type Option func(*config)

type config struct {
	token           []byte
	hasToken        bool
	insecureNoToken bool
	tls             *tls.Config

	maxKeyBytes      int
	maxMetadataBytes int
	maxChunkBytes    int64
	maxConnsPerPeer  int

	dialTimeout      time.Duration
	handshakeTimeout time.Duration
	ioTimeout        time.Duration
	idleTimeout      time.Duration
}

func newConfig(opts []Option) (config, error) {
	c := config{
		maxKeyBytes:      defaultMaxKeyBytes,
		maxMetadataBytes: defaultMaxMetadataBytes,
		maxChunkBytes:    defaultMaxChunkBytes,
		maxConnsPerPeer:  defaultMaxConnsPerPeer,
		dialTimeout:      defaultDialTimeout,
		handshakeTimeout: defaultHandshakeTimeout,
		ioTimeout:        defaultIOTimeout,
		idleTimeout:      defaultIdleTimeout,
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("transport: "+format, args...))
		}
	}
	check(len(c.token) <= maxTokenBytes, "token of %d bytes, at most %d", len(c.token), maxTokenBytes)
	check(c.maxKeyBytes >= 1 && c.maxKeyBytes <= maxMaxKeyBytes, "WithMaxKeyBytes(%d) outside [1, %d]", c.maxKeyBytes, maxMaxKeyBytes)
	check(c.maxMetadataBytes >= minMaxMetadataBytes && c.maxMetadataBytes <= maxMaxMetadataBytes,
		"WithMaxMetadataBytes(%d) outside [%d, %d]", c.maxMetadataBytes, minMaxMetadataBytes, maxMaxMetadataBytes)
	check(c.maxChunkBytes >= 0 && c.maxChunkBytes <= maxMaxChunkBytes, "WithMaxChunkBytes(%d) outside [0, %d]", c.maxChunkBytes, int64(maxMaxChunkBytes))
	check(c.maxConnsPerPeer >= 1 && c.maxConnsPerPeer <= maxMaxConnsPerPeer, "WithMaxConnsPerPeer(%d) outside [1, %d]", c.maxConnsPerPeer, maxMaxConnsPerPeer)
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"WithDialTimeout", c.dialTimeout}, {"WithHandshakeTimeout", c.handshakeTimeout}, {"WithIOTimeout", c.ioTimeout}} {
		check(d.v > 0, "%s(%v) must be positive", d.name, d.v)
	}
	check(c.idleTimeout >= 0, "WithIdleTimeout(%v) is negative", c.idleTimeout)
	return c, errors.Join(errs...)
}

// tokenHash is the SHA-256 of the token, compared in constant time.
func (c *config) tokenHash() [32]byte { return sha256.Sum256(c.token) }

// WithToken sets the shared token: a client sends it on connect, a server
// refuses any client that does not send it (at most 1024 bytes; an empty
// token is no token).
func WithToken(token string) Option {
	return func(c *config) { c.token = []byte(token); c.hasToken = token != "" }
}

// WithInsecureNoToken lets a server listen beyond loopback without a token
// (server only; for networks where something else authenticates, such as
// mutual TLS).
func WithInsecureNoToken() Option { return func(c *config) { c.insecureNoToken = true } }

// WithTLS runs the connection over TLS with cfg: a server config (with
// certificates; ClientAuth tls.RequireAndVerifyClientCert and ClientCAs
// for mutual TLS) or a client config (RootCAs, and Certificates for
// mutual TLS; ServerName defaults to the host of the address dialled).
// nil: plain TCP.
func WithTLS(cfg *tls.Config) Option { return func(c *config) { c.tls = cfg } }

// WithMaxKeyBytes limits a key's layer token (default 4096 bytes, at most
// 1 MiB). A server refuses a longer request; a client refuses to send one.
func WithMaxKeyBytes(n int) Option { return func(c *config) { c.maxKeyBytes = n } }

// WithMaxMetadataBytes limits the Arrow metadata of one response (default
// 64 KiB, in [1 KiB, 16 MiB]; client only).
func WithMaxMetadataBytes(n int) Option { return func(c *config) { c.maxMetadataBytes = n } }

// WithMaxChunkBytes limits a chunk's payload and each of its dimensions
// (default 4 GiB, at most 1 TiB). A client refuses a larger response
// before allocating; a server answers an error for a larger chunk.
func WithMaxChunkBytes(n int64) Option { return func(c *config) { c.maxChunkBytes = n } }

// WithMaxConnsPerPeer limits a client's connections to one peer (default
// 4, at most 1024); more concurrent fetches wait for one to be free.
// Client only.
func WithMaxConnsPerPeer(n int) Option { return func(c *config) { c.maxConnsPerPeer = n } }

// WithDialTimeout bounds connecting, TLS and hello (client; default 10 s).
func WithDialTimeout(d time.Duration) Option { return func(c *config) { c.dialTimeout = d } }

// WithHandshakeTimeout bounds a server's TLS handshake and hello (default
// 10 s).
func WithHandshakeTimeout(d time.Duration) Option {
	return func(c *config) { c.handshakeTimeout = d }
}

// WithIOTimeout bounds each read or write of up to 1 MiB, on both sides
// (default 30 s): a peer that stops reading or writing mid-chunk fails the
// transfer instead of holding it forever.
func WithIOTimeout(d time.Duration) Option { return func(c *config) { c.ioTimeout = d } }

// WithIdleTimeout closes a server connection that sends no request for d
// (default 5 minutes; 0: never). A client retries a fetch once on a fresh
// connection when a pooled one turns out closed.
func WithIdleTimeout(d time.Duration) Option { return func(c *config) { c.idleTimeout = d } }
