// Package transport is the cluster's data plane: it moves chunk bytes
// worker to worker on a dedicated TCP connection beside the gRPC control
// plane (DESIGN "Transport"). gRPC streams top out near a third of the
// loopback wire here; this path is written straight from the chunk's
// buffer and read straight into the destination's.
//
// It takes a Source (the worker's chunk store: a graph.Key in, a host
// device.Buffer and its graph.Chunk metadata out) on the serving side,
// and a device.Device to allocate into on the fetching side. It hands on
// refcounted buffers: Client.Fetch returns a buffer of exactly the chunk's
// size (shape x dtype) allocated from the destination device, its bytes
// checked by CRC32C, which the caller releases. The scheduler decides
// what moves where; this package only moves it.
//
// A Server answers each connection's requests in order, one at a time
// (a client may pipeline requests; the answers come back in order). A
// Client keeps a small pool of connections per peer (WithMaxConnsPerPeer,
// default 4), one fetch in flight on each: a fetch never waits behind
// another's 100 MiB on the same stream, cancelling one fetch closes only
// its own connection, and the kernel interleaves the streams. Measured
// (BenchmarkSmallFetches, 16 goroutines fetching a 4 KiB chunk, loaded
// 2-core machine): 31-41 us a fetch over a pool of 1, 4 or 16
// connections, 17 us with 16 requests pipelined on one raw connection.
// Pipelining would halve the cost of tiny chunks only; chunks here are
// megabytes (the "auto" size is 64-128 MiB), where head-of-line blocking
// and whole-connection cancellation would cost more, so the pool it is.
//
// The server takes the payload's CRC32C as it sends, unless the Source is
// a CRCSource that already knows it (the worker's store can take it once
// per chunk): that saves the server a pass over the chunk per send.
//
// # Security
//
// WithTLS puts TLS (mutual when the server's config asks for client
// certificates) under everything below. After TLS, the client sends a
// shared token and the server compares it in constant time (SHA-256 of
// both sides, then subtle.ConstantTimeCompare) before reading any
// request; a wrong or missing token is refused and the connection closed.
// A server listening on anything but a loopback address refuses to serve
// without a token unless WithInsecureNoToken says so (ErrNoToken).
//
// # Wire format
//
// All integers are little-endian. Sizes in brackets are bytes.
//
// Hello, client to server, once per connection (after TLS):
//
//	[4] magic "BWDP"   [2] version = 1   [2] flags = 0
//	[4] token length t (<= 1024)         [t] token
//
// Hello reply, server to client:
//
//	[4] magic "BWDP"   [2] version = 1
//	[2] status: 0 accepted, 1 bad token, 2 bad hello (magic, version, size)
//
// On a nonzero status the server closes the connection.
//
// Request, client to server:
//
//	[1] kind = 1 (fetch)   [3] zero
//	[4] layer length n (<= WithMaxKeyBytes, default 4096)
//	[8] block (int64)      [8] request id (echoed in the response)
//	[n] layer (the graph.Key's layer token)
//
// Response header, server to client:
//
//	[1] kind: 1 chunk, 2 not found, 3 error   [3] zero
//	[4] m: metadata length (chunk: <= WithMaxMetadataBytes, default 64 KiB;
//	    not found or error: message length, <= 4096)
//	[8] request id   [8] body length b (chunk; 0 otherwise)
//	[4] CRC32C of the 24 bytes above and the m bytes below   [4] zero
//	[m] metadata (chunk) or a UTF-8 message (not found, error)
//
// A chunk response goes on with a complete Arrow IPC stream (Arrow
// columnar format 1.0, metadata version V5) whose first m bytes were the
// metadata above, then the project's trailer:
//
//	[m] schema message, then the record batch message's metadata, each
//	    encapsulated: 0xFFFFFFFF, int32 flatbuffer length (a multiple of 8,
//	    padding included), the Message flatbuffer
//	[b] the record batch body: the chunk's bytes (the payload, p =
//	    shape x dtype bytes) and zero padding to a multiple of 8
//	[8] end of stream: 0xFFFFFFFF 0x00000000
//	[4] CRC32C (Castagnoli) of the p payload bytes   [4] zero
//
// The schema has one non-nullable field "x" whose type is the chunk's
// dtype: Float64 and Float32 as FloatingPoint DOUBLE and SINGLE, int64 and
// int32 as signed Int 64 and 32, bool as unsigned Int 8 (one byte per
// element, 0 or 1, Blockwork's layout, not Arrow's bit-packed Bool). Its
// custom metadata holds "blockwork.dtype" (NumPy's name) and
// "blockwork.shape" (a JSON array of ints; "[]" for a 0-d chunk). The
// record batch has length prod(shape) (1 for 0-d), one field node
// {length, null count 0} and two buffers: validity {0, 0} (absent) and
// data {0, p}; no compression. Any Arrow reader sees a flat column of
// prod(shape) elements; the shape is in the metadata.
//
// The server writes the header, metadata and payload with writev
// (net.Buffers) from the chunk's own memory, 1 MiB at a time, updating the
// CRC on each slice just before it goes out (while it is in cache); the
// client reads the payload with io.ReadFull straight into the buffer it
// allocated from the destination (only the bytes its small read buffer
// already holds, under 4 KiB, are copied) and checks the CRC the same way.
//
// # Limits
//
// Every size read from the network is checked before anything is
// allocated for it: the token (1024 bytes), the key's layer (WithMaxKeyBytes,
// default 4096), error messages (4096), the metadata (WithMaxMetadataBytes,
// default 64 KiB), the number of dimensions (64), each dimension and the
// payload (WithMaxChunkBytes, default 4 GiB; the payload must equal
// prod(shape) x dtype size exactly and the body that rounded up to 8). A
// server answers an oversized or malformed request with an error and
// closes that connection; a client refuses an oversized or malformed
// response with ErrTooLarge or ErrProtocol. Each read or write of up to
// 1 MiB must progress within WithIOTimeout (default 30 s), so neither side
// holds a chunk forever for a peer that stopped reading.
//
// # Errors
//
// Fetch wraps ErrNotFound (the peer has no such chunk), ErrChecksum (CRC
// mismatch), ErrPeerGone (the connection failed or closed mid-fetch),
// ErrUnauthorized (token or TLS refused), ErrProtocol and ErrTooLarge
// (malformed or oversized response), ErrRemote (the peer failed to serve
// the chunk, or refused the request), ErrNotHost (the destination is not
// host memory: a GPU destination needs a host buffer and a copy for now),
// or the context's error when ctx ended first (the connection is closed
// at once, so a cancelled fetch never waits for the peer). A failed
// fetch releases whatever it allocated.
//
// # Figures
//
// BenchmarkTransfer: raw loopback TCP against Fetch of 64 MiB float64
// chunks in one process, interleaved in one run, medians over 40-60
// pairs. On the 2-core development machine with other jobs running
// (load 2-5), the figures move a lot from run to run:
//
//	                       raw TCP GB/s  Fetch GB/s  Fetch/raw (median of pairs)
//	server takes the CRC   2.2-5.3       1.4-2.6     0.32-0.75 (most runs 0.6-0.75)
//	CRC known (CRCSource)  2.1-6.4       1.8-2.4     0.34-0.87 (most runs 0.75-0.87)
//
// Fetch stays near 2 GB/s even in the runs where raw TCP reaches 5-6 GB/s
// (not explained yet: the CRC passes account for ~10 ms of a 64 MiB fetch
// at most). The profile of a fetch: the two kernel copies (socket write
// and read) and the CRC32C passes (stdlib, SSE4.2: ~25 GB/s in cache,
// ~10 GB/s from memory; klauspost/crc32 measured no faster here); the
// server's pass reads the chunk from memory, the client's runs on each
// 1 MiB slice just read, while it is in cache. Slices of 256 KiB or
// 4-64 MiB measured no better than 1 MiB.
package transport
