package cluster_test

import (
	"context"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster"
	"github.com/blockwork-dev/blockwork/cluster/local"
	bwproto "github.com/blockwork-dev/blockwork/cluster/proto"
	"github.com/blockwork-dev/blockwork/cluster/transport"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
	gproto "google.golang.org/protobuf/proto"
)

// The benchmarks of the cluster, each in one process on loopback: a
// scheduler, two workers of one thread each and a client, as
// startCluster makes them. Run with
//
//	go test -run '^$' -bench 'TaskOverhead|WorkerTransfer' -benchtime 5x ./cluster/
//
// Figures on the 2-core developer machine: bench/results/2026-12-07-cluster.

const overheadTasks = 100_000

// overheadGraph is the task-overhead workload (bench.TaskOverhead):
// 100,000 one-element generator tasks, fused, summed by a tree.
func overheadGraph() *array.Array {
	return array.Ones([]int{overheadTasks}, graph.Float64, array.Chunked(1)).Sum()
}

// tasksRun sums the workers' finished tasks.
func (tc *testCluster) tasksRun() int64 {
	var n int64
	for _, w := range tc.workers {
		n += w.TasksRun()
	}
	return n
}

// BenchmarkTaskOverhead is the per-task cost end to end: wall time of
// Compute including lowering and optimising, over tasks run (Dask
// distributed: 200-1000 us a task; target <= 50 us). Sub-benchmarks:
//
//   - cluster: scheduler + 2 workers (1 thread each) + client in this
//     process, tasks counted by the workers (Worker.TasksRun);
//   - cluster-executor: the same graph lowered and optimised once, only
//     Client.Compute timed (the cluster's share of the figure);
//   - local: the embedded executor with 2 workers, for comparison.
func BenchmarkTaskOverhead(b *testing.B) {
	ctx := context.Background()
	b.Run("cluster", func(b *testing.B) {
		tc := startCluster(b, 2, cluster.WithThreads(1))
		measureOverhead(b, tc.tasksRun, func() error {
			r, err := overheadGraph().Compute(ctx, array.On(tc.c))
			if err == nil {
				if v, _ := r.Scalar(); v != overheadTasks {
					b.Fatalf("sum = %v, want %d", v, overheadTasks)
				}
			}
			return err
		})
		tc.settle(b)
	})
	b.Run("cluster-executor", func(b *testing.B) {
		tc := startCluster(b, 2, cluster.WithThreads(1))
		g, keys, err := array.Graph([]*array.Array{overheadGraph()})
		if err != nil {
			b.Fatal(err)
		}
		deliver := func(int, []byte) error { return nil }
		measureOverhead(b, tc.tasksRun, func() error { return tc.c.Compute(ctx, g, keys[0], deliver, nil) })
		tc.settle(b)
	})
	b.Run("local", func(b *testing.B) {
		e, err := local.New(local.Workers(2))
		if err != nil {
			b.Fatal(err)
		}
		measureOverhead(b, e.TasksRun, func() error {
			r, err := overheadGraph().Compute(ctx, array.On(e))
			if err == nil {
				if v, _ := r.Scalar(); v != overheadTasks {
					b.Fatalf("sum = %v, want %d", v, overheadTasks)
				}
			}
			return err
		})
		devicetest.AssertNoLeaks(b, e.Host())
	})
}

// measureOverhead runs compute once untimed (connections, pools), then
// b.N times, and reports us/task and tasks per run.
func measureOverhead(b *testing.B, tasks func() int64, compute func() error) {
	if err := compute(); err != nil {
		b.Fatal(err)
	}
	var n int64
	var wall time.Duration
	for b.Loop() {
		before := tasks()
		start := time.Now()
		if err := compute(); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		n += tasks() - before
	}
	if n == 0 {
		b.Fatal("no task ran")
	}
	b.ReportMetric(float64(wall.Nanoseconds())/1e3/float64(n), "us/task")
	b.ReportMetric(float64(n)/float64(b.N), "tasks/op")
}

// transferChunk is the bytes of the chunk moved worker to worker: 64 MiB
// of float64, as cluster/transport's BenchmarkTransfer.
const transferChunk = 64 << 20

// BenchmarkWorkerTransfer measures a chunk moving between two workers
// through the cluster, against raw loopback TCP measured in the same run,
// interleaved (a neighbour taking a core hits both alike).
//
// Placement is the scheduler's, so the benchmark arranges it from
// outside: each iteration persists x, two 64 MiB chunks made by two root
// tasks, which co-assignment puts one on each worker; then it computes,
// one after the other, x[i:i+1].sum() for the first element of each
// chunk. Each is a root task reading one persisted chunk, and a root is
// placed without regard to where a persisted input lives (fewest running,
// then the lowest worker id), so both land on the same worker: one reads
// its chunk locally, the other fetches 64 MiB from the peer's data server
// (cluster/transport, the path every task input from a peer takes) and
// keeps it as a replica until x is released. Which one fetched is seen
// from the workers' resident bytes; exactly one must.
//
// Sub-benchmarks: fresh-pages, the workers as they start: the host pool
// caches max(64 MiB, peak/4) of freed buffers, so after each release the
// fetching worker keeps one 64 MiB buffer and the fetch writes into a
// fresh mapping (page faults); warm-pool, after each worker once held
// 512 MiB or more, so the fetch reuses a cached buffer as the raw reader
// reuses its own.
//
// Reported (medians over the iterations):
//
//   - raw-GB/s: one goroutine writes 64 MiB to a loopback socket, the
//     reader reads them into a reused buffer;
//   - transport-GB/s: cluster/transport alone, as its own
//     BenchmarkTransfer: a Client fetches a 64 MiB chunk from a Server in
//     this process (the server takes the CRC32C, as a worker's store
//     does), into a host pool that reuses the buffer;
//   - fetch-GB/s: 64 MiB over (remote compute - local compute): the
//     transfer with the control path (lowering, submit, placement,
//     reports, the client's result fetch) subtracted;
//   - e2e-GB/s: 64 MiB over the whole remote compute;
//   - fetch/raw: fetch over raw, per iteration (target >= 0.7), and
//     fetch/transport: the cluster's share of the gap;
//   - local-ms: the local compute, i.e. the control path subtracted.
func BenchmarkWorkerTransfer(b *testing.B) {
	b.Run("fresh-pages", func(b *testing.B) { workerTransfer(b, false) })
	b.Run("warm-pool", func(b *testing.B) { workerTransfer(b, true) })
}

func workerTransfer(b *testing.B, warm bool) {
	ctx := context.Background()
	tc := startCluster(b, 2, cluster.WithThreads(1))
	raw := newRawPair(b, transferChunk)
	defer raw.close()
	tp := newTransportPair(b, transferChunk)
	defer tp.close()
	const n = transferChunk / 8
	if warm {
		// each worker once holds 512 MiB, so its pool's cache bound
		// (peak/4) becomes 128 MiB: persist 16 chunks at a time, kept,
		// until both peaks are there (co-assignment splits them about
		// evenly)
		var held []*array.Persisted
		for round := 0; ; round++ {
			low := false
			for _, w := range tc.workers {
				low = low || w.Host().Stats().PeakBytes < 8*transferChunk
			}
			if !low {
				break
			}
			if round == 4 {
				b.Fatalf("warm-up: peaks %v after %d rounds, want 512 MiB each", tc.peaks(), round)
			}
			p, err := array.Ones([]int{16 * n}, graph.Float64, array.Chunked(n)).Persist(ctx, array.On(tc.c))
			if err != nil {
				b.Fatal(err)
			}
			held = append(held, p)
		}
		for _, p := range held {
			p.Release()
		}
		tc.settle(b)
	}
	x := array.NewRandom(7).Uniform(0, 1, []int{2 * n}, graph.Float64, array.Chunked(n))

	// one iteration: persist, time both consumers, release
	iter := func() (local, remote time.Duration) {
		p, err := x.Persist(ctx, array.On(tc.c))
		if err != nil {
			b.Fatal(err)
		}
		defer func() {
			p.Release()
			tc.settle(b)
		}()
		if live := tc.live(); live[0] != transferChunk || live[1] != transferChunk {
			b.Fatalf("persisted chunks: workers hold %v bytes, want one 64 MiB chunk each", live)
		}
		// local: a task reading block 0 only runs where block 0 is (persisted
		// inputs count for placement); remote: a task reading one element of
		// each block runs on one holder and fetches the other's 64 MiB
		one := func(blk int) *array.Array { return p.Array().Slice(array.Span(blk*n, blk*n+1)) }
		exprs := []*array.Array{one(0).Sum(), one(0).Add(one(1)).Sum()}
		var ds [2]time.Duration
		var fetched [2]bool
		for i, e := range exprs {
			before := tc.live()
			start := time.Now()
			r, err := e.Compute(ctx, array.On(tc.c))
			ds[i] = time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if v, _ := r.Scalar(); !(v >= 0 && v < 2) {
				b.Fatalf("expression %d = %v, want in [0, 2)", i, v)
			}
			after := tc.live()
			for w := range after {
				// a replica; small results of the last compute may be freed meanwhile
				if after[w]-before[w] >= transferChunk/2 {
					fetched[i] = true
				}
			}
		}
		if fetched[0] || !fetched[1] {
			b.Fatalf("fetched %v: want the one-block read local and the two-block read to fetch", fetched)
		}
		return ds[0], ds[1]
	}

	raw.transfer(b) // warm up: socket buffers, pools, connections
	tp.fetch(b)
	iter()
	var tr, tt, tf, te, tl, ratio, tratio []float64
	for b.Loop() {
		r := raw.transfer(b).Seconds()
		t := tp.fetch(b).Seconds()
		l, rm := iter()
		f := (rm - l).Seconds()
		if f <= 0 {
			f = 1e-9 // noise larger than the transfer: counts as instant
		}
		tr, tt, tf, te, tl = append(tr, r), append(tt, t), append(tf, f), append(te, rm.Seconds()), append(tl, l.Seconds())
		ratio, tratio = append(ratio, r/f), append(tratio, t/f)
	}
	gb := float64(transferChunk) / 1e9
	b.ReportMetric(gb/median(tr), "raw-GB/s")
	b.ReportMetric(gb/median(tt), "transport-GB/s")
	b.ReportMetric(gb/median(tf), "fetch-GB/s")
	b.ReportMetric(gb/median(te), "e2e-GB/s")
	b.ReportMetric(median(ratio), "fetch/raw")
	b.ReportMetric(median(tratio), "fetch/transport")
	b.ReportMetric(median(tl)*1e3, "local-ms")
	b.ReportMetric(0, "ns/op")
}

// peaks is each worker's high-water mark of resident chunk bytes.
func (tc *testCluster) peaks() []int64 {
	out := make([]int64, len(tc.workers))
	for i, w := range tc.workers {
		out[i] = w.Host().Stats().PeakBytes
	}
	return out
}

// live is each worker's resident chunk bytes.
func (tc *testCluster) live() []int64 {
	out := make([]int64, len(tc.workers))
	for i, w := range tc.workers {
		out[i] = w.Host().Stats().LiveBytes
	}
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// rawPair is a loopback TCP connection whose one end a goroutine writes
// n bytes to per request, from one buffer, while the caller reads them
// into another reused buffer: the ceiling (as cluster/transport's).
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
	// offset off page alignment and padded, as the transport's benchmark
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

// BenchmarkTaskOverheadParts times, per task of the task-overhead graph,
// the fixed per-computation stages a cluster compute goes through
// besides running tasks: lowering and optimising (array.Graph, in the
// client), the graph's encoding (EncodeGraph and protobuf Marshal: once
// by the client, and Marshal again by the scheduler for each worker it
// sends the graph to) and its decoding (Unmarshal and DecodeGraph: once
// by the scheduler and once by each worker that runs a task of it).
// With 2 workers a compute pays lower + encode + 2 marshals + 3 decodes.
func BenchmarkTaskOverheadParts(b *testing.B) {
	x := overheadGraph()
	g, _, err := array.Graph([]*array.Array{x})
	if err != nil {
		b.Fatal(err)
	}
	m, err := bwproto.EncodeGraph(g)
	if err != nil {
		b.Fatal(err)
	}
	buf, err := gproto.Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	n := float64(len(g.Tasks))
	perTask := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n/1e3, "us/task")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("lower", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := array.Graph([]*array.Array{overheadGraph()}); err != nil {
				b.Fatal(err)
			}
		}
		perTask(b)
	})
	b.Run("encode+marshal", func(b *testing.B) {
		for b.Loop() {
			m, err := bwproto.EncodeGraph(g)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := gproto.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
		perTask(b)
		b.ReportMetric(float64(len(buf))/n, "bytes/task")
	})
	b.Run("marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := gproto.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
		perTask(b)
	})
	b.Run("unmarshal+decode", func(b *testing.B) {
		for b.Loop() {
			var m2 bwproto.Graph
			if err := gproto.Unmarshal(buf, &m2); err != nil {
				b.Fatal(err)
			}
			if _, err := bwproto.DecodeGraph(&m2, bwproto.DefaultLimits()); err != nil {
				b.Fatal(err)
			}
		}
		perTask(b)
	})
}

// transportPair is a cluster/transport Server holding one float64 chunk
// and a Client fetching it into its own host device.
type transportPair struct {
	buf  *device.Buffer
	meta graph.Chunk
	srv  *transport.Server
	cli  *transport.Client
	dst  *device.Host
	addr string
}

func newTransportPair(b *testing.B, n int) *transportPair {
	h := device.NewHost()
	buf, err := h.Alloc(int64(n))
	if err != nil {
		b.Fatal(err)
	}
	for i, v := range buf.Bytes() {
		buf.Bytes()[i] = v ^ byte(i*7)
	}
	p := &transportPair{buf: buf, meta: graph.Chunk{DType: graph.Float64, Shape: []int{n / 8}}, dst: device.NewHost()}
	src := transport.SourceFunc(func(context.Context, graph.Key) (*device.Buffer, graph.Chunk, error) {
		p.buf.Retain()
		return p.buf, p.meta, nil
	})
	if p.srv, err = transport.Listen("127.0.0.1:0", src); err != nil {
		b.Fatal(err)
	}
	p.addr = p.srv.Addr().String()
	if p.cli, err = transport.NewClient(); err != nil {
		b.Fatal(err)
	}
	return p
}

func (p *transportPair) fetch(b *testing.B) time.Duration {
	start := time.Now()
	buf, _, err := p.cli.Fetch(context.Background(), p.addr, graph.Key{Layer: "x", Block: 0}, p.dst)
	if err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	buf.Release()
	return d
}

func (p *transportPair) close() {
	p.cli.Close()
	p.srv.Close()
	p.buf.Release()
}
