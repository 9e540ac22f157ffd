package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blockwork-dev/blockwork/cluster/proto"
	"github.com/blockwork-dev/blockwork/cluster/transport"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
	"github.com/blockwork-dev/blockwork/kernels/cpu"
	gproto "google.golang.org/protobuf/proto"
)

// Worker is a worker process's engine: a session with the scheduler, a
// data server for the chunks it holds, and threads running tasks.
type Worker struct {
	cfg   *config
	sched string
	host  *device.Host
	reg   *kernels.Registry
	data  *transport.Server
	fetch *transport.Client
	store *store

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	err    error
	id     atomic.Uint64
	ran    atomic.Int64
}

// StartWorker starts a worker for the scheduler at addr and returns once
// it is registered. It runs until ctx ends or Close; with reconnection on
// (the default) a lost scheduler makes it drop its chunks and register
// again.
func StartWorker(ctx context.Context, addr string, opts ...Option) (*Worker, error) {
	cfg := newConfig(opts)
	if cfg.nthreads <= 0 {
		cfg.nthreads = runtime.GOMAXPROCS(0)
	}
	if cfg.slots <= 0 {
		cfg.slots = max(16*cfg.nthreads, 64)
	}
	cfg.slots = max(cfg.slots, cfg.nthreads)
	if cfg.name == "" {
		h, _ := os.Hostname()
		cfg.name = fmt.Sprintf("%s:%d", h, os.Getpid())
	}
	w := &Worker{cfg: cfg, sched: addr, host: cfg.host, reg: cfg.reg, done: make(chan struct{})}
	if w.host == nil {
		w.host = device.NewHost()
	}
	if w.reg == nil {
		w.reg = kernels.NewRegistry()
		cpu.Register(w.reg)
	}
	spillDir := cfg.spillDir
	if spillDir == "" && !cfg.noSpill {
		spillDir = os.TempDir()
	}
	if cfg.noSpill {
		spillDir = ""
	}
	w.store = newStore(w.host, cfg.memLimit, spillDir)
	dataAddr := cfg.dataAddr
	if dataAddr == "" {
		dataAddr = "127.0.0.1:0"
		if h, _, err := net.SplitHostPort(addr); err == nil && h != "" && h != "localhost" {
			if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
				dataAddr = ":0"
			}
		}
	}
	var err error
	w.data, err = transport.Listen(dataAddr, w.store, cfg.transportOpts(true)...)
	if err != nil {
		return nil, fmt.Errorf("cluster: worker data server: %w", err)
	}
	w.fetch, err = transport.NewClient(cfg.transportOpts(false)...)
	if err != nil {
		w.data.Close()
		return nil, err
	}
	w.ctx, w.cancel = context.WithCancel(ctx)
	s, err := w.connect()
	if err != nil {
		w.cancel()
		w.data.Close()
		w.fetch.Close()
		return nil, err
	}
	go w.loop(s)
	return w, nil
}

// ID is the id the scheduler gave the worker's current session.
func (w *Worker) ID() uint64 { return w.id.Load() }

// DataAddress is where peers fetch the worker's chunks.
func (w *Worker) DataAddress() string { return w.advertised() }

// Host is the worker's host device (accounting, leak checks).
func (w *Worker) Host() *device.Host { return w.host }

// StoreBytes is what the worker holds: chunk bytes in memory and spilled
// to disk.
func (w *Worker) StoreBytes() (inMemory, onDisk int64) { return w.store.bytes() }

// TasksRun counts the tasks the worker finished.
func (w *Worker) TasksRun() int64 { return w.ran.Load() }

// Done is closed when the worker has stopped; Err says why.
func (w *Worker) Done() <-chan struct{} { return w.done }

// Err is why the worker stopped (nil after Close).
func (w *Worker) Err() error {
	<-w.done
	return w.err
}

// Close stops the worker and frees everything it holds.
func (w *Worker) Close() error {
	w.cancel()
	<-w.done
	return nil
}

func (w *Worker) advertised() string {
	a := w.data.Addr().(*net.TCPAddr)
	if a.IP.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			return net.JoinHostPort(h, fmt.Sprint(a.Port))
		}
	}
	return a.String()
}

// schedLimit is the memory limit the scheduler enforces for this worker:
// none when it spills (disk takes what memory cannot), else the limit.
func (w *Worker) schedLimit() int64 {
	if w.store.spillAt > 0 {
		return 0
	}
	return w.cfg.memLimit
}

// session is one registration with the scheduler.
type session struct {
	stream interface {
		Send(*proto.WorkerMessage) error
		Recv() (*proto.SchedulerMessage, error)
	}
	conn     interface{ Close() error }
	ctx      context.Context
	cancel   context.CancelFunc
	interval time.Duration
}

func (w *Worker) connect() (*session, error) {
	cc, err := w.cfg.dial(w.sched)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(w.ctx)
	stream, err := proto.NewSchedulerClient(cc).Connect(ctx)
	if err == nil {
		err = stream.Send(&proto.WorkerMessage{Msg: &proto.WorkerMessage_Register{Register: &proto.Register{
			Name: w.cfg.name, DataAddress: w.advertised(), Nthreads: uint32(w.cfg.nthreads), Slots: uint32(w.cfg.slots),
			Device: uint32(graph.CPU), MemoryLimit: w.schedLimit(), ProtocolVersion: ProtocolVersion}}})
	}
	var first *proto.SchedulerMessage
	if stream != nil && (err == nil || errors.Is(err, io.EOF)) {
		// a refused stream reports io.EOF on Send; Recv has the status
		first, err = stream.Recv()
	}
	if err == nil && first.GetRegistered() == nil {
		err = errors.New("cluster: scheduler did not answer Register")
	}
	if err != nil {
		cancel()
		cc.Close()
		return nil, rpcErr(err)
	}
	w.id.Store(first.GetRegistered().WorkerId)
	iv := time.Duration(first.GetRegistered().HeartbeatIntervalMs) * time.Millisecond
	if iv <= 0 {
		iv = w.cfg.heartbeat
	}
	return &session{stream: stream, conn: cc, ctx: ctx, cancel: cancel, interval: iv}, nil
}

// loop runs sessions until the worker stops.
func (w *Worker) loop(s *session) {
	defer func() {
		w.data.Close()
		w.fetch.Close()
		w.store.clear()
		close(w.done)
	}()
	backoff := 50 * time.Millisecond
	for {
		err := w.serve(s)
		w.store.clear()
		if w.ctx.Err() != nil {
			return
		}
		if !w.cfg.reconnect {
			w.err = err
			return
		}
		for {
			select {
			case <-w.ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
			if s, err = w.connect(); err == nil {
				backoff = 50 * time.Millisecond
				break
			}
			if errors.Is(err, ErrUnauthorized) {
				w.err = err
				return
			}
		}
	}
}

// serve runs one session: commands in, reports out, heartbeats.
func (w *Worker) serve(s *session) error {
	defer s.conn.Close()
	ex := newExec(w, s)
	defer ex.stop()
	defer s.cancel() // first: running tasks stop before stop waits for them
	go ex.sendLoop()
	go func() {
		t := time.NewTicker(s.interval)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				ex.heartbeat()
			}
		}
	}()
	for {
		m, err := s.stream.Recv()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrSchedulerGone, err)
		}
		if c := m.GetCommands(); c != nil {
			if err := ex.commands(c); err != nil {
				return err
			}
		}
	}
}

// fetch makes key present locally, fetching it from addr once even when
// several tasks ask at the same time.
func (w *Worker) fetchInto(ctx context.Context, addr string, key graph.Key) error {
	st := w.store
	for {
		st.mu.Lock()
		if _, ok := st.m[key]; ok {
			st.mu.Unlock()
			return nil
		}
		if call, ok := st.inflight[key]; ok {
			st.mu.Unlock()
			select {
			case <-call.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if call.err != nil && !(isCtxErr(call.err) && ctx.Err() == nil) {
				return call.err
			}
			continue // fetched, or the other caller's context ended: try again
		}
		call := &fetchCall{done: make(chan struct{})}
		st.inflight[key] = call
		st.mu.Unlock()
		buf, meta, err := w.fetch.Fetch(ctx, addr, key, w.host)
		st.mu.Lock()
		delete(st.inflight, key)
		if err == nil {
			if call.freed {
				// freed while it came: the scheduler no longer counts this
				// copy, so it is not kept (the reader is requeued)
				buf.Release()
			} else {
				st.putLocked(key, buf, meta)
			}
		}
		st.mu.Unlock()
		call.err = err
		close(call.done)
		return err
	}
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// ---- the executor of one session

type wcomp struct {
	id     uint64
	g      *graph.Graph
	ctx    context.Context // ends with the computation
	cancel context.CancelFunc
	mu     sync.Mutex
	leaves map[int][]*device.Buffer
	ended  bool
	// guarded by exec.mu
	running int
	aborted bool
}

type wjob struct {
	c          *wcomp
	rt         *proto.RunTask
	prefetched bool
}

type exec struct {
	w     *Worker
	s     *session
	comps map[uint64]*wcomp // recv goroutine only

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*wjob
	stopped bool
	running int
	rep     *proto.Reports
	hbDue   bool
	repSig  chan struct{}
	wg      sync.WaitGroup
}

func newExec(w *Worker, s *session) *exec {
	ex := &exec{w: w, s: s, comps: map[uint64]*wcomp{}, rep: &proto.Reports{}, repSig: make(chan struct{}, 1)}
	ex.cond = sync.NewCond(&ex.mu)
	for range w.cfg.nthreads {
		ex.wg.Add(1)
		go ex.thread()
	}
	return ex
}

func (ex *exec) stop() {
	ex.mu.Lock()
	ex.stopped = true
	ex.queue = nil
	ex.cond.Broadcast()
	ex.mu.Unlock()
	ex.wg.Wait()
	for _, c := range ex.comps {
		c.drop()
	}
}

func (c *wcomp) drop() {
	c.cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ended = true
	for _, bs := range c.leaves {
		for _, b := range bs {
			b.Release()
		}
	}
	c.leaves = nil
}

func (ex *exec) commands(m *proto.Commands) error {
	for _, g := range m.Graphs {
		if _, ok := ex.comps[g.Computation]; ok {
			continue
		}
		gm := g.Graph
		if gm == nil {
			gm = &proto.Graph{}
			if err := gproto.Unmarshal(g.GraphBytes, gm); err != nil {
				return fmt.Errorf("cluster: graph of computation %d: %w", g.Computation, err)
			}
		}
		dg, err := proto.DecodeGraph(gm, ex.w.cfg.limits)
		if err != nil {
			return fmt.Errorf("cluster: graph of computation %d: %w", g.Computation, err)
		}
		ctx, cancel := context.WithCancel(ex.s.ctx)
		ex.comps[g.Computation] = &wcomp{id: g.Computation, g: dg, leaves: map[int][]*device.Buffer{}, ctx: ctx, cancel: cancel}
	}
	for _, k := range m.Free {
		ex.w.store.free(graph.Key{Layer: k.Layer, Block: k.Block})
	}
	ex.mu.Lock()
	for _, st := range m.Steal {
		i := -1
		for j, jb := range ex.queue {
			if jb.c.id == st.Computation && jb.rt.Task == st.Task {
				i = j
				break
			}
		}
		// not queued: it started (and said so then) or ended; either way
		// the steal is void and nothing more is said
		if i >= 0 {
			ex.queue = append(ex.queue[:i], ex.queue[i+1:]...)
			ex.rep.Stolen = append(ex.rep.Stolen, st)
		}
	}
	for _, rt := range m.Run {
		c := ex.comps[rt.Computation]
		if c == nil || int(rt.Task) >= len(c.g.Tasks) {
			ex.mu.Unlock()
			return fmt.Errorf("cluster: run of task %d of unknown computation %d", rt.Task, rt.Computation)
		}
		ex.queue = append(ex.queue, &wjob{c: c, rt: rt})
	}
	for _, id := range m.End {
		if c := ex.comps[id]; c != nil {
			delete(ex.comps, id)
			ex.queue = deleteComp(ex.queue, c)
			c.drop()
		}
	}
	for _, id := range m.Abort {
		if c := ex.comps[id]; c != nil {
			delete(ex.comps, id)
			ex.queue = deleteComp(ex.queue, c)
			c.aborted = true
			c.drop()
			if c.running == 0 {
				ex.w.store.sweep(c.id)
			}
		}
	}
	ex.cond.Broadcast()
	ex.mu.Unlock()
	ex.signal()
	return nil
}

func deleteComp(q []*wjob, c *wcomp) []*wjob {
	out := q[:0]
	for _, j := range q {
		if j.c != c {
			out = append(out, j)
		}
	}
	clear(q[len(out):])
	return out
}

func (ex *exec) signal() {
	select {
	case ex.repSig <- struct{}{}:
	default:
	}
}

// sendLoop sends the batched reports.
func (ex *exec) sendLoop() {
	for {
		select {
		case <-ex.s.ctx.Done():
			return
		case <-ex.repSig:
		}
		ex.mu.Lock()
		r, hb, running := ex.rep, ex.hbDue, ex.running
		ex.rep, ex.hbDue = &proto.Reports{}, false
		ex.mu.Unlock()
		if hb {
			mem, disk := ex.w.store.bytes()
			m := &proto.WorkerMessage{Msg: &proto.WorkerMessage_Heartbeat{Heartbeat: &proto.Heartbeat{ResidentBytes: mem, SpilledBytes: disk, Running: uint32(running)}}}
			if err := ex.s.stream.Send(m); err != nil {
				ex.s.cancel()
				return
			}
		}
		if len(r.Done)+len(r.Failed)+len(r.Started)+len(r.Stolen) == 0 {
			continue
		}
		if err := ex.s.stream.Send(&proto.WorkerMessage{Msg: &proto.WorkerMessage_Reports{Reports: r}}); err != nil {
			ex.s.cancel()
			return
		}
	}
}

// heartbeat asks the send loop to send one (a stream's Send is not safe
// from two goroutines).
func (ex *exec) heartbeat() {
	ex.mu.Lock()
	ex.hbDue = true
	ex.mu.Unlock()
	ex.signal()
}

func (ex *exec) thread() {
	defer ex.wg.Done()
	for {
		ex.mu.Lock()
		// paused: memory above the pause share even after spilling, while
		// other tasks run here (their ends or frees wake us)
		for (len(ex.queue) == 0 || ex.running > 0 && ex.w.store.paused()) && !ex.stopped {
			ex.cond.Wait()
		}
		if ex.stopped {
			ex.mu.Unlock()
			return
		}
		j := ex.queue[0]
		ex.queue[0] = nil
		ex.queue = ex.queue[1:]
		// the next few queued tasks' remote inputs come while this runs
		for k := 0; k < len(ex.queue) && k < ex.w.cfg.nthreads; k++ {
			if nj := ex.queue[k]; !nj.prefetched && remote(nj.rt) {
				nj.prefetched = true
				nj.c.running++ // an abort's sweep waits for the prefetch too
				ex.wg.Add(1)   // and so does the end of the session (this thread is counted)
				go func() {
					defer ex.wg.Done()
					ex.w.prefetch(nj)
					ex.mu.Lock()
					if nj.c.running--; nj.c.running == 0 && nj.c.aborted {
						ex.w.store.sweep(nj.c.id)
					}
					ex.mu.Unlock()
				}()
			}
		}
		ex.running++
		j.c.running++
		ex.rep.Started = append(ex.rep.Started, &proto.TaskStarted{Computation: j.c.id, Task: j.rt.Task})
		ex.mu.Unlock()
		t0 := time.Now()
		bytes, err := ex.w.runTask(j.c.ctx, j)
		ex.mu.Lock()
		ex.running--
		if j.c.running--; j.c.running == 0 && j.c.aborted {
			// fetches of an aborted computation may have left replicas
			ex.w.store.sweep(j.c.id)
		}
		switch {
		case err == nil:
			ex.rep.Done = append(ex.rep.Done, &proto.TaskDone{Computation: j.c.id, Task: j.rt.Task, Bytes: bytes, DurationNs: int64(time.Since(t0))})
		case errors.As(err, new(*unreachable)):
			var u *unreachable
			errors.As(err, &u)
			ex.rep.Failed = append(ex.rep.Failed, &proto.TaskFailed{Computation: j.c.id, Task: j.rt.Task, Error: err.Error(), Unreachable: true, Peer: u.peer})
		default:
			ex.rep.Failed = append(ex.rep.Failed, &proto.TaskFailed{Computation: j.c.id, Task: j.rt.Task, Error: err.Error()})
		}
		ex.cond.Broadcast() // a paused thread may go on
		ex.mu.Unlock()
		ex.signal()
	}
}

func remote(rt *proto.RunTask) bool {
	for _, in := range rt.Inputs {
		if in.Address != "" {
			return true
		}
	}
	return false
}

// unreachable: an input's peer could not be reached.
type unreachable struct {
	peer string
	err  error
}

func (u *unreachable) Error() string { return fmt.Sprintf("fetch from %s: %v", u.peer, u.err) }
func (u *unreachable) Unwrap() error { return u.err }

// runTask gathers a task's inputs, runs its kernel and keeps its outputs.
func (w *Worker) runTask(ctx context.Context, j *wjob) (int64, error) {
	c, rt := j.c, j.rt
	t := &c.g.Tasks[rt.Task]
	fail := func(err error) error { return fmt.Errorf("task %v (op %s): %w", t.Key, t.Op.Name, err) }
	var l kernels.Launch
	l.Ctx, l.Task = ctx, t
	defer func() {
		for _, b := range l.Src {
			b.Release()
		}
	}()
	if len(rt.Inputs) != len(t.Inputs) {
		return 0, fail(fmt.Errorf("cluster: %d input sources for %d inputs", len(rt.Inputs), len(t.Inputs)))
	}
	for i := range t.Inputs {
		src := rt.Inputs[i]
		base, meta, li := c.input(t, src, i)
		if li >= 0 { // literal data, in the graph
			bufs, err := c.leafBufs(w.host, li)
			if err != nil {
				return 0, fail(err)
			}
			l.Src = append(l.Src, bufs...)
			l.SrcMeta = append(l.SrcMeta, meta...)
			continue
		}
		for o := range meta {
			k := graph.Key{Layer: outLayer(base.Layer, o), Block: base.Block}
			b, ok, err := w.store.get(k)
			if err != nil {
				return 0, fail(err)
			}
			if !ok {
				if src.Address == "" {
					return 0, fail(fmt.Errorf("cluster: input %v is not on this worker", k))
				}
				if err := w.fetchInto(ctx, src.Address, k); err != nil {
					if ctx.Err() != nil {
						return 0, ctx.Err()
					}
					switch {
					case errors.Is(err, transport.ErrPeerGone):
						// the holder is gone: the scheduler drops it
						return 0, &unreachable{peer: src.Address, err: fail(err)}
					case errors.Is(err, transport.ErrNotFound):
						// the holder is alive but lost the chunk (a new session
						// at the same address): requeue without dropping it
						return 0, &unreachable{err: fail(err)}
					}
					return 0, fail(err)
				}
				if b, ok, _ = w.store.get(k); !ok {
					return 0, &unreachable{err: fail(errors.New("freed while it was fetched"))}
				}
			}
			l.Src = append(l.Src, b)
		}
		l.SrcMeta = append(l.SrcMeta, meta...)
	}
	var outs []*device.Buffer
	if t.Op.Name == graph.OpAlias {
		for _, b := range l.Src {
			b.Retain()
		}
		outs = append(outs, l.Src...)
	} else {
		k, ok := w.reg.Lookup(t, graph.CPU)
		if !ok {
			return 0, fail(fmt.Errorf("no cpu kernel (dtype %v)", kernels.KeyDType(t)))
		}
		for _, oc := range t.Outputs {
			b, err := w.host.Alloc(oc.Bytes())
			if err != nil {
				releaseBufs(outs)
				return 0, fail(err)
			}
			outs = append(outs, b)
		}
		l.Dst = outs
		if err := kernels.Run(k, &l); err != nil {
			releaseBufs(outs)
			return 0, fail(err)
		}
	}
	c.mu.Lock()
	ended := c.ended
	c.mu.Unlock()
	if ended {
		releaseBufs(outs)
		return 0, nil
	}
	var n int64
	for o, b := range outs {
		w.store.put(graph.Key{Layer: dataLayer(c.id, t.Key.Layer, o), Block: t.Key.Block}, b, t.Outputs[o])
		n += b.Len()
	}
	w.ran.Add(1)
	return n, nil
}

// input resolves input i of task t: the data-plane key of its first
// output and its outputs' metadata, or (li >= 0) the literal leaf li.
func (c *wcomp) input(t *graph.Task, src *proto.InputSource, i int) (base graph.Key, meta []graph.Chunk, li int) {
	in := t.Inputs[i]
	if ti, ok := c.g.Index().Get(in); ok {
		return graph.Key{Layer: dataLayer(c.id, in.Layer, 0), Block: in.Block}, c.g.Tasks[ti].Outputs, -1
	}
	li, _ = c.g.LeafIndex().Get(in)
	meta = c.g.Leaves[li].Outputs
	if _, ext := c.g.Leaves[li].Value.(proto.External); !ext {
		return graph.Key{}, meta, li
	}
	return graph.Key{Layer: src.Layer, Block: src.Block}, meta, -1
}

// prefetch fetches a queued task's remote inputs while the worker's
// threads run earlier tasks; errors are left for the task itself to meet
// (it fetches again, or joins a fetch still in flight).
func (w *Worker) prefetch(j *wjob) {
	t := &j.c.g.Tasks[j.rt.Task]
	if len(j.rt.Inputs) != len(t.Inputs) {
		return
	}
	for i, src := range j.rt.Inputs {
		if src.Address == "" {
			continue
		}
		base, meta, li := j.c.input(t, src, i)
		if li >= 0 {
			continue
		}
		for o := range meta {
			k := graph.Key{Layer: outLayer(base.Layer, o), Block: base.Block}
			if w.fetchInto(j.c.ctx, src.Address, k) != nil {
				return
			}
		}
	}
}

func releaseBufs(bs []*device.Buffer) {
	for _, b := range bs {
		b.Release()
	}
}

// leafBufs returns literal leaf li's buffers with a reference each for
// the caller (made once per computation).
func (c *wcomp) leafBufs(h *device.Host, li int) ([]*device.Buffer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return nil, errors.New("computation ended")
	}
	bufs, ok := c.leaves[li]
	if !ok {
		l := &c.g.Leaves[li]
		v, _ := l.Value.([]byte)
		var want int64
		for _, o := range l.Outputs {
			want += o.Bytes()
		}
		if int64(len(v)) != want {
			return nil, fmt.Errorf("leaf %v holds %d bytes, its outputs take %d", l.Key, len(v), want)
		}
		for _, o := range l.Outputs {
			b, err := h.Alloc(o.Bytes())
			if err != nil {
				releaseBufs(bufs)
				return nil, err
			}
			v = v[copy(b.Bytes(), v):]
			bufs = append(bufs, b)
		}
		c.leaves[li] = bufs
	}
	for _, b := range bufs {
		b.Retain()
	}
	return append([]*device.Buffer(nil), bufs...), nil
}
