package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/blockwork-dev/blockwork/cluster/proto"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/scheduler"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	gproto "google.golang.org/protobuf/proto"
)

// Scheduler is the cluster's scheduler process: a gRPC server whose one
// loop goroutine owns the workers, the computations and the persisted
// chunks.
type Scheduler struct {
	proto.UnimplementedSchedulerServer
	cfg  *config
	srv  *grpc.Server
	ln   net.Listener
	loop chan func()
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	// owned by the loop goroutine
	workers    map[uint64]*wconn
	order      []uint64 // live worker ids in join order
	comps      map[uint64]*comp
	persisted  map[uint64]*pchunk
	nextID     uint64    // computations and refs share one counter
	nextWorker uint64    // worker ids (int32 in package scheduler)
	noWorkers  time.Time // since when no worker is live (zero: some are)
	dirty      []*wconn
}

// wconn is one worker's session, seen from the scheduler.
type wconn struct {
	id       uint64
	reg      *proto.Register
	alive    bool
	lastSeen time.Time
	resident int64
	running  uint32
	graphs   map[uint64]bool // computations whose graph it was sent
	pending  *proto.Commands // to send after the current batch
	out      *outbox
	stop     context.CancelFunc
}

// comp is one computation on the scheduler's loop.
type comp struct {
	*plan
	id          uint64
	st          *scheduler.State
	where       []uint64                // scheduler id -> worker of its last CmdRun
	replicas    map[int32][]uint64      // scheduler id -> workers holding a fetched copy
	attempts    map[int32]int           // task errors so far, for retries
	unreachable int                     // requeues for inputs that could not be fetched
	events      chan *proto.ResultEvent // progress (lossy) and the final event
	final       chan *proto.ResultEvent
	done        int
	sentDone    bool
	failed      bool
	idle        bool
	released    bool
	cmds        []scheduler.Command
	evs         []scheduler.Event // a report's events, reused
	touched     bool              // in the report being handled
	// a recovery computation remakes lost persisted chunks (recover[i] is
	// the ref of wanted key i) for waiter, which starts when all of its
	// recoveries are done
	recover    []uint64
	waiters    []*comp
	recovering int
	shown      int       // c.done at the last progress event
	shownAt    time.Time // and when
	gone       bool      // the client left while it waited
}

// maxUnreachable bounds the requeues of one computation for inputs that
// could not be fetched (each also drops or finds a dead peer).
const maxUnreachable = 1000

// Listen starts a scheduler on the TCP address addr (":8786",
// "127.0.0.1:0"). Beyond loopback it needs WithToken or
// WithInsecureNoToken.
func Listen(addr string, opts ...Option) (*Scheduler, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cluster: listen: %w", err)
	}
	s, err := Serve(ln, opts...)
	if err != nil {
		ln.Close()
		return nil, err
	}
	return s, nil
}

// Serve starts a scheduler on ln until Close.
func Serve(ln net.Listener, opts ...Option) (*Scheduler, error) {
	cfg := newConfig(opts)
	if err := cfg.checkListen(ln); err != nil {
		return nil, err
	}
	s := &Scheduler{
		cfg: cfg, ln: ln,
		loop:      make(chan func(), 1024),
		quit:      make(chan struct{}),
		workers:   map[uint64]*wconn{},
		comps:     map[uint64]*comp{},
		persisted: map[uint64]*pchunk{},
	}
	s.srv = grpc.NewServer(cfg.serverOpts()...)
	proto.RegisterSchedulerServer(s.srv, s)
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.run() }()
	go func() { defer s.wg.Done(); s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the scheduler's address.
func (s *Scheduler) Addr() string { return s.ln.Addr().String() }

// Close stops the scheduler: workers and clients see their streams end.
func (s *Scheduler) Close() error {
	s.once.Do(func() {
		s.srv.Stop()
		close(s.quit)
		s.wg.Wait()
	})
	return nil
}

// do runs f on the loop; false when the scheduler is closed.
func (s *Scheduler) do(f func()) bool {
	select {
	case s.loop <- f:
		return true
	case <-s.quit:
		return false
	}
}

// run is the loop: closures from handlers, batched, then the commands
// they produced are flushed to the workers; a ticker checks heartbeats.
func (s *Scheduler) run() {
	tick := time.NewTicker(s.cfg.heartbeat)
	defer tick.Stop()
	for {
		select {
		case f := <-s.loop:
			f()
		drain:
			for range 256 {
				select {
				case f := <-s.loop:
					f()
				default:
					break drain
				}
			}
		case <-tick.C:
			s.checkHeartbeats()
		case <-s.quit:
			for _, w := range s.workers {
				w.out.close()
			}
			return
		}
		s.flush()
	}
}

func (s *Scheduler) flush() {
	for _, w := range s.dirty {
		if w.pending != nil {
			if w.alive {
				w.out.push(&proto.SchedulerMessage{Msg: &proto.SchedulerMessage_Commands{Commands: w.pending}})
			}
			w.pending = nil
		}
	}
	s.dirty = s.dirty[:0]
	for _, c := range s.comps {
		s.progress(c)
	}
}

func (s *Scheduler) cmds(w *wconn) *proto.Commands {
	if w.pending == nil {
		w.pending = &proto.Commands{}
		s.dirty = append(s.dirty, w)
	}
	return w.pending
}

func (s *Scheduler) sortedComps() []*comp {
	cs := make([]*comp, 0, len(s.comps))
	for _, c := range s.comps {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b *comp) int { return int(a.id) - int(b.id) })
	return cs
}

// ---- computations

// Submit runs a computation and streams its events.
func (s *Scheduler) Submit(req *proto.SubmitRequest, stream grpc.ServerStreamingServer[proto.ResultEvent]) error {
	p, err := s.newPlan(req)
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	c := &comp{plan: p, replicas: map[int32][]uint64{}, attempts: map[int32]int{},
		events: make(chan *proto.ResultEvent, 1), final: make(chan *proto.ResultEvent, 1)}
	errc := make(chan error, 1)
	if !s.do(func() { errc <- s.start(c) }) {
		return status.Error(codes.Unavailable, "cluster: scheduler closing")
	}
	if err := <-errc; err != nil {
		return status.Error(codes.FailedPrecondition, err.Error())
	}
	ctx := stream.Context()
	defer s.do(func() { s.release(c, ctx.Err()) })
	for {
		select {
		case ev := <-c.events:
			if err := stream.Send(ev); err != nil {
				return err
			}
		case ev := <-c.final:
			if err := stream.Send(ev); err != nil {
				return err
			}
			if ev.State == proto.ResultEvent_STATE_FAILED {
				return nil
			}
			// the client fetches the results, then ends the stream
			<-ctx.Done()
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-s.quit:
			return status.Error(codes.Unavailable, "cluster: scheduler closing")
		}
	}
}

func (s *Scheduler) newPlan(req *proto.SubmitRequest) (*plan, error) {
	if req.Graph == nil {
		return nil, errors.New("cluster: no graph")
	}
	g, err := proto.DecodeGraph(req.Graph, s.cfg.limits)
	if err != nil {
		return nil, err
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if len(req.Wanted) > len(g.Tasks)+len(g.Leaves) {
		return nil, fmt.Errorf("cluster: %d wanted keys for %d tasks", len(req.Wanted), len(g.Tasks))
	}
	wanted := make([]graph.Key, len(req.Wanted))
	for i, k := range req.Wanted {
		if k == nil || int(k.Layer) >= len(req.Graph.Layers) {
			return nil, fmt.Errorf("cluster: wanted key %d: bad layer", i)
		}
		wanted[i] = graph.Key{Layer: req.Graph.Layers[k.Layer], Block: k.Block}
	}
	p, err := newPlan(g, wanted)
	if err != nil {
		return nil, err
	}
	p.msg = req.Graph
	if p.msgBuf, err = gproto.Marshal(req.Graph); err != nil {
		return nil, err
	}
	p.persist = req.Persist
	p.retries = int(min(req.Retries, 100))
	for _, pi := range req.Persisted {
		if int(pi.Leaf) >= len(g.Leaves) || pi.Ref == 0 {
			return nil, fmt.Errorf("cluster: persisted input for leaf %d of %d", pi.Leaf, len(g.Leaves))
		}
		p.leafRef[pi.Leaf] = pi.Ref
	}
	return p, nil
}

// start registers c and submits it to a new State with the live workers.
func (s *Scheduler) start(c *comp) error {
	for li, ref := range c.leafRef {
		if ref == 0 {
			continue
		}
		pc := s.persisted[ref]
		if pc == nil {
			return fmt.Errorf("cluster: leaf %v: persisted chunk %d is unknown (released?)", c.g.Leaves[li].Key, ref)
		}
		if pc.lost != "" && pc.origin == nil {
			return fmt.Errorf("cluster: leaf %v: persisted chunk %d is lost: %s", c.g.Leaves[li].Key, ref, pc.lost)
		}
		if pc.released {
			return fmt.Errorf("cluster: leaf %v: persisted chunk %d was released", c.g.Leaves[li].Key, ref)
		}
	}
	if lost := s.lostRefs(c); len(lost) > 0 {
		return s.recoverThen(c, lost)
	}
	for _, ref := range c.leafRef {
		if ref != 0 {
			s.persisted[ref].users++ // a leaf read twice counts twice, and ends twice
		}
	}
	// persisted inputs count for placement where they are
	for _, u := range c.leafUse {
		if ref := c.leafRef[u[1]]; ref != 0 {
			pc := s.persisted[ref]
			var n int64
			for _, m := range pc.meta {
				n += m.Bytes()
			}
			sp := &c.specs[u[0]]
			sp.Extern = append(sp.Extern, scheduler.Resident{Worker: scheduler.WorkerID(pc.holder), Bytes: n})
		}
	}
	s.nextID++
	c.id = s.nextID
	s.comps[c.id] = c
	c.where = make([]uint64, len(c.specs))
	c.st = scheduler.New(scheduler.Config{MaxKills: s.cfg.killLimit})
	evs := make([]scheduler.Event, 0, len(s.order)+1)
	for _, id := range s.order {
		evs = append(evs, s.addEvent(s.workers[id]))
	}
	evs = append(evs, scheduler.Event{Kind: scheduler.EvSubmit, Tasks: c.specs})
	s.handle(c, evs...)
	return nil
}

// handle feeds events to c's State and performs the commands.
func (s *Scheduler) handle(c *comp, evs ...scheduler.Event) {
	if c.st == nil {
		return
	}
	c.cmds = c.cmds[:0]
	for _, ev := range evs {
		c.cmds = c.st.Handle(ev, c.cmds)
	}
	for _, cmd := range c.cmds {
		switch cmd.Kind {
		case scheduler.CmdRun:
			s.runTask(c, cmd.Task, uint64(cmd.Worker))
		case scheduler.CmdFree:
			s.freeTask(c, cmd.Task)
		case scheduler.CmdSteal:
			if w := s.workers[uint64(cmd.Worker)]; w != nil {
				m := s.cmds(w)
				m.Steal = append(m.Steal, &proto.TaskStarted{Computation: c.id, Task: uint32(c.tix[cmd.Task])})
			}
		case scheduler.CmdDone:
			s.finish(c)
		case scheduler.CmdFail:
			c.failed = true
			if c.recover != nil {
				s.recovered(c, cmd.Err)
			}
			c.sendFinal(&proto.ResultEvent{State: proto.ResultEvent_STATE_FAILED, Error: cmd.Err.Error(), ErrorKind: errorKind(cmd.Err), Computation: c.id, TasksTotal: int64(len(c.specs))})
		case scheduler.CmdIdle:
			c.idle = true
		}
	}
	switch {
	case c.failed:
		// no waiting for running tasks: workers stop them and drop the
		// computation's chunks; their late reports are ignored
		s.end(c, true)
	case c.idle && (c.released || c.persist && c.sentDone):
		// nothing of a computed (not persisted) one is kept: workers sweep
		// what a free lost on the way (a worker cut mid-fetch) left
		s.end(c, !c.persist)
	}
}

func (s *Scheduler) runTask(c *comp, id scheduler.TaskID, wid uint64) {
	w := s.workers[wid]
	m := s.cmds(w)
	if !w.graphs[c.id] {
		w.graphs[c.id] = true
		m.Graphs = append(m.Graphs, &proto.ComputationGraph{Computation: c.id, GraphBytes: c.msgBuf})
	}
	c.where[id] = wid
	gi := c.tix[id]
	t := &c.g.Tasks[gi]
	rt := &proto.RunTask{Computation: c.id, Task: uint32(gi)}
	ix, lix := c.g.Index(), c.g.LeafIndex()
	for _, in := range t.Inputs {
		if ti, ok := ix.Get(in); ok {
			d := c.sid[ti] - 1
			holder := c.where[d]
			// the holder's address even when a replica is recorded here: the
			// task that fetches it may still be queued (the worker looks in
			// its own store first)
			src := &proto.InputSource{}
			if holder != wid {
				if hw := s.workers[holder]; hw != nil {
					src.Address = hw.reg.DataAddress
				}
				if !slices.Contains(c.replicas[d], wid) {
					c.replicas[d] = append(c.replicas[d], wid)
				}
			}
			rt.Inputs = append(rt.Inputs, src)
			continue
		}
		li, _ := lix.Get(in)
		ref := c.leafRef[li]
		if ref == 0 {
			rt.Inputs = append(rt.Inputs, &proto.InputSource{}) // literal: in the graph
			continue
		}
		pc := s.persisted[ref]
		src := &proto.InputSource{Layer: pc.layer, Block: pc.block}
		if pc.holder != wid {
			if hw := s.workers[pc.holder]; hw != nil && pc.lost == "" {
				src.Address = hw.reg.DataAddress
			}
			if !slices.Contains(pc.replicas, wid) {
				pc.replicas = append(pc.replicas, wid)
			}
		}
		rt.Inputs = append(rt.Inputs, src)
	}
	m.Run = append(m.Run, rt)
}

func (s *Scheduler) chunkKey(c *comp, id scheduler.TaskID) *proto.ChunkKey {
	k := c.g.Tasks[c.tix[id]].Key
	return &proto.ChunkKey{Layer: dataLayer(c.id, k.Layer, 0), Block: k.Block}
}

func (s *Scheduler) freeTask(c *comp, id scheduler.TaskID) {
	key := s.chunkKey(c, id)
	if w := s.workers[c.where[id]]; w != nil {
		m := s.cmds(w)
		m.Free = append(m.Free, key)
	}
	for _, r := range c.replicas[int32(id)] {
		if w := s.workers[r]; w != nil && r != c.where[id] {
			m := s.cmds(w)
			m.Free = append(m.Free, key)
		}
	}
	delete(c.replicas, int32(id))
}

// finish: every wanted chunk is resident. Tell the client where; for a
// persist, the chunks become persisted (the State no longer owns them).
func (s *Scheduler) finish(c *comp) {
	ev := &proto.ResultEvent{State: proto.ResultEvent_STATE_DONE, Computation: c.id,
		TasksDone: int64(len(c.specs)), TasksTotal: int64(len(c.specs)), Results: make([]*proto.Result, len(c.want))}
	refOf := map[int32]uint64{} // a key wanted twice is one persisted chunk
	for i, w := range c.want {
		meta := c.wantMeta(i)
		r := &proto.Result{Meta: &proto.Chunk{Dtype: proto.DType(meta[0].DType), Shape: toInt64s(meta[0].Shape)}}
		if w >= 0 {
			r.Key = s.chunkKey(c, scheduler.TaskID(w))
			r.Address = s.workers[c.where[w]].reg.DataAddress
			if c.persist {
				pc := &pchunk{holder: c.where[w], layer: r.Key.Layer, block: r.Key.Block, nout: len(meta), meta: meta,
					replicas: slices.DeleteFunc(slices.Clone(c.replicas[w]), func(id uint64) bool { return id == c.where[w] }),
					origin:   c.plan, key: c.g.Tasks[c.tix[w]].Key}
				delete(c.replicas, w) // the persisted chunk owns them now
				if c.recover != nil {
					// remade: the ref keeps its name, its chunk is the new one
					if old := s.persisted[c.recover[i]]; old != nil {
						pc.users, pc.released, pc.origin = old.users, old.released, old.origin
						s.persisted[c.recover[i]] = pc
						// copies of the lost chunk fetched by readers elsewhere
						// go, under their old name (and the chunk itself, if it
						// was not lost after all)
						oldKey := &proto.ChunkKey{Layer: old.layer, Block: old.block}
						gone := old.replicas
						if old.lost == "" {
							gone = append(gone, old.holder)
						}
						for _, wid := range gone {
							if rw := s.workers[wid]; rw != nil {
								m := s.cmds(rw)
								m.Free = append(m.Free, oldKey)
							}
						}
					} else {
						s.persisted[0] = pc // released meanwhile: free it
						s.dropPersisted(0)
					}
					continue
				}
				if ref, ok := refOf[w]; ok {
					r.Ref = ref
					ev.Results[i] = r
					continue
				}
				s.nextID++
				r.Ref = s.nextID
				refOf[w] = r.Ref
				s.persisted[r.Ref] = pc
			}
		} else if ref := c.leafRef[-1-w]; ref != 0 {
			pc := s.persisted[ref]
			r.Key = &proto.ChunkKey{Layer: pc.layer, Block: pc.block}
			if hw := s.workers[pc.holder]; hw != nil {
				r.Address = hw.reg.DataAddress
			}
		}
		// else a literal leaf: the client has it
		ev.Results[i] = r
	}
	c.sentDone = true
	if c.recover != nil {
		s.recovered(c, nil)
		return
	}
	c.sendFinal(ev)
}

// errorKinds map the scheduler's sentinels to the wire and back.
var errorKinds = []struct {
	kind proto.ErrorKind
	err  error
}{
	{proto.ErrorKind_ERROR_KIND_NO_WORKERS, ErrNoWorkers}, // before ErrCancelled, which wraps it
	{proto.ErrorKind_ERROR_KIND_KILLED_WORKER, scheduler.ErrKilledWorker},
	{proto.ErrorKind_ERROR_KIND_MEMORY_LIMIT, scheduler.ErrMemoryLimit},
	{proto.ErrorKind_ERROR_KIND_NO_WORKER, scheduler.ErrNoWorker},
	{proto.ErrorKind_ERROR_KIND_CANCELLED, scheduler.ErrCancelled},
}

func errorKind(err error) proto.ErrorKind {
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	return proto.ErrorKind_ERROR_KIND_TASK
}

// sendFinal hands the Submit handler its last event (one only: a late
// failure after DONE is dropped).
func (c *comp) sendFinal(ev *proto.ResultEvent) {
	select {
	case c.final <- ev:
	default:
	}
}

// release: the client ended its stream (after fetching, or to cancel).
func (s *Scheduler) release(c *comp, cause error) {
	if c.recovering > 0 {
		c.gone = true // it will not start; its recoveries finish on their own
		return
	}
	if s.comps[c.id] != c {
		return
	}
	c.released = true
	switch {
	case !c.sentDone && !c.failed:
		if cause == nil {
			cause = context.Canceled
		}
		s.handle(c, scheduler.Event{Kind: scheduler.EvCancel, Err: fmt.Errorf("%w: client went away: %w", scheduler.ErrCancelled, cause)})
	case c.sentDone && !c.persist:
		evs := make([]scheduler.Event, len(c.wantIDs))
		for i, id := range c.wantIDs {
			evs[i] = scheduler.Event{Kind: scheduler.EvReleaseWanted, Task: id}
		}
		s.handle(c, evs...)
		s.end(c, true) // nothing of it is kept: sweep what a lost free left
	default:
		s.handle(c)
	}
}

// end drops a computation: workers forget its graph and queue; with
// abort they also stop its running tasks and drop its chunks.
func (s *Scheduler) end(c *comp, abort bool) {
	if s.comps[c.id] != c {
		return
	}
	delete(s.comps, c.id)
	c.st = nil
	for _, ref := range c.leafRef {
		if pc := s.persisted[ref]; ref != 0 && pc != nil {
			if pc.users--; pc.users == 0 && pc.released {
				s.dropPersisted(ref)
			}
		}
	}
	for _, id := range s.order {
		if w := s.workers[id]; w.graphs[c.id] {
			delete(w.graphs, c.id)
			m := s.cmds(w)
			if abort {
				m.Abort = append(m.Abort, c.id)
			} else {
				m.End = append(m.End, c.id)
			}
		}
	}
}

// progress sends a lossy RUNNING event when the count moved, at most
// every 20 ms.
func (s *Scheduler) progress(c *comp) {
	if c.sentDone || c.failed || c.done == c.shown {
		return
	}
	now := time.Now()
	if now.Sub(c.shownAt) < 20*time.Millisecond && c.shown != 0 {
		return
	}
	c.shown, c.shownAt = c.done, now
	var resident int64 // as the workers' last heartbeats said
	for _, w := range s.workers {
		resident += w.resident
	}
	select {
	case c.events <- &proto.ResultEvent{State: proto.ResultEvent_STATE_RUNNING, Computation: c.id, TasksDone: int64(min(c.done, len(c.specs))), TasksTotal: int64(len(c.specs)), ResidentBytes: resident}:
	default:
	}
}

// Info describes the cluster.
func (s *Scheduler) Info(ctx context.Context, _ *proto.InfoRequest) (*proto.InfoReply, error) {
	ch := make(chan *proto.InfoReply, 1)
	if !s.do(func() {
		r := &proto.InfoReply{Computations: uint64(len(s.comps)), Persisted: uint64(len(s.persisted))}
		for _, id := range s.order {
			w := s.workers[id]
			r.Workers = append(r.Workers, &proto.WorkerInfo{Id: id, Name: w.reg.Name, DataAddress: w.reg.DataAddress,
				Nthreads: w.reg.Nthreads, Device: w.reg.Device, MemoryLimit: w.reg.MemoryLimit, ResidentBytes: w.resident, Running: w.running})
		}
		ch <- r
	}) {
		return nil, status.Error(codes.Unavailable, "cluster: scheduler closing")
	}
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func toInt64s(xs []int) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = int64(x)
	}
	return out
}
