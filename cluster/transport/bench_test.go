package transport

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

const benchChunk = 64 << 20

// rawPair is a loopback TCP connection whose one end a goroutine writes
// n bytes to per request, from one buffer, while the caller reads them
// into another reused buffer: the ceiling a fetch is compared with.
type rawPair struct {
	w, r  net.Conn
	src   []byte
	dst   []byte
	reqs  chan struct{}
	wdone sync.WaitGroup
}

func newRawPair(b *testing.B, n int) *rawPair {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	rc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	wc, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	p := &rawPair{w: wc, r: rc, src: make([]byte, n+4096)[64:][:n], dst: make([]byte, n+4096)[64:][:n], reqs: make(chan struct{})}
	for i := range p.src {
		p.src[i] = byte(i)
	}
	p.wdone.Add(1)
	go func() {
		defer p.wdone.Done()
		for range p.reqs {
			if _, err := p.w.Write(p.src); err != nil {
				return
			}
		}
	}()
	return p
}

// transfer moves n bytes once and returns how long the reader took.
func (p *rawPair) transfer(b *testing.B) time.Duration {
	start := time.Now()
	p.reqs <- struct{}{}
	if _, err := io.ReadFull(p.r, p.dst); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func (p *rawPair) close() {
	close(p.reqs)
	p.w.Close()
	p.r.Close()
	p.wdone.Wait()
}

// fetchEnv is a server holding one 64 MiB float64 chunk and a client.
type fetchEnv struct {
	src      *memSource
	srv      *Server
	cli      *Client
	dst, dev *device.Host
	addr     string
	key      graph.Key
}

// newFetchEnv serves one float64 chunk of the given bytes; knownCRC: from
// a CRCSource.
func newFetchEnv(b *testing.B, bytes int, knownCRC bool, opts ...Option) *fetchEnv {
	f := &fetchEnv{src: newMemSource(), dst: device.NewHost(), dev: device.NewHost(), key: graph.Key{Layer: "bench", Block: 0}}
	var src Source = f.src
	if knownCRC {
		cs := newCRCSource()
		f.src, src = cs.memSource, cs
	}
	buf, meta := randChunk(b, rand.New(rand.NewPCG(1, 2)), f.dev, graph.Float64, []int{bytes / 8})
	f.src.put(f.key, buf, meta)
	var err error
	if f.srv, err = Listen("127.0.0.1:0", src, opts...); err != nil {
		b.Fatal(err)
	}
	f.addr = f.srv.Addr().String()
	if f.cli, err = NewClient(opts...); err != nil {
		b.Fatal(err)
	}
	return f
}

func (f *fetchEnv) fetch(b *testing.B) time.Duration {
	start := time.Now()
	buf, _, err := f.cli.Fetch(context.Background(), f.addr, f.key, f.dst)
	if err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	buf.Release()
	return d
}

func (f *fetchEnv) close() {
	f.cli.Close()
	f.srv.Close()
	f.src.releaseAll()
}

// BenchmarkTransfer compares, in one run and interleaved (so a neighbour
// taking a core hits both alike), raw loopback TCP (one goroutine writes
// 64 MiB to a socket, the reader reads them into a reused buffer) with
// Client.Fetch of a 64 MiB float64 chunk from a Server in the same
// process (payload bytes per second; the fetch allocates its buffer from
// the host pool, reads into it and checks the CRC32C; the server takes a
// CRC32C of each slice before it goes out).
//
// Figures: see the package doc.
func BenchmarkTransfer(b *testing.B) {
	for _, known := range []bool{false, true} {
		name := "server-crc"
		if known {
			name = "known-crc"
		}
		b.Run(name, func(b *testing.B) {
			raw := newRawPair(b, benchChunk)
			defer raw.close()
			f := newFetchEnv(b, benchChunk, known)
			defer f.close()
			raw.transfer(b) // warm up: socket buffers, pool pages
			f.fetch(b)
			// medians: a neighbour's burst spoils a few pairs, not the figure
			var tr, tf, ratio []float64
			b.ResetTimer()
			for range b.N {
				r := raw.transfer(b).Seconds()
				f := f.fetch(b).Seconds()
				tr, tf, ratio = append(tr, r), append(tf, f), append(ratio, r/f)
			}
			b.StopTimer()
			gb := float64(benchChunk) / 1e9
			b.ReportMetric(gb/median(tr), "raw-GB/s")
			b.ReportMetric(gb/median(tf), "fetch-GB/s")
			b.ReportMetric(median(ratio), "fetch/raw")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkRawTCP and BenchmarkFetch are the two halves of
// BenchmarkTransfer on their own, for profiles.
func BenchmarkRawTCP(b *testing.B) {
	raw := newRawPair(b, benchChunk)
	defer raw.close()
	raw.transfer(b)
	b.SetBytes(benchChunk)
	b.ResetTimer()
	for range b.N {
		raw.transfer(b)
	}
}

func BenchmarkFetch(b *testing.B) {
	f := newFetchEnv(b, benchChunk, false)
	defer f.close()
	f.fetch(b)
	b.SetBytes(benchChunk)
	b.ResetTimer()
	for range b.N {
		f.fetch(b)
	}
}

// BenchmarkSmallFetches: 16 goroutines fetch a 4 KiB chunk over a pool
// of 1, 4 or 16 connections, against 16 requests pipelined on one raw
// connection (the server already answers pipelined requests in order).
// This is what chose the pool: see the package doc.
func BenchmarkSmallFetches(b *testing.B) {
	const par = 16
	for _, conns := range []int{1, 4, 16} {
		b.Run("pool-"+string(rune('0'+conns/10))+string(rune('0'+conns%10)), func(b *testing.B) {
			f := newFetchEnv(b, 4096, false, WithMaxConnsPerPeer(conns))
			defer f.close()
			b.SetParallelism(par)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					buf, _, err := f.cli.Fetch(context.Background(), f.addr, f.key, f.dst)
					if err != nil {
						b.Error(err)
						return
					}
					buf.Release()
				}
			})
		})
	}
	b.Run("pipelined-raw", func(b *testing.B) {
		f := newFetchEnv(b, 4096, false)
		defer f.close()
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		h := make([]byte, helloLen)
		copy(h, magic)
		le.PutUint16(h[4:], version)
		c.Write(h)
		var rep [helloReplyLen]byte
		io.ReadFull(c, rep[:])
		var reqs []byte
		for i := range par {
			r := make([]byte, requestLen)
			putRequest(r, request{layerLen: uint32(len(f.key.Layer)), id: uint64(i)})
			reqs = append(append(reqs, r...), f.key.Layer...)
		}
		resp := make([]byte, 1<<20)
		var one int
		{
			md := encodeMeta(graph.Chunk{DType: graph.Float64, Shape: []int{512}}, 512, 4096)
			one = headerLen + len(md) + 4096 + trailerLen
		}
		b.ResetTimer()
		for i := 0; i < b.N; i += par {
			if _, err := c.Write(reqs); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(c, resp[:par*one]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
