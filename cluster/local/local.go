package local

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
	"github.com/blockwork-dev/blockwork/kernels/cpu"
	"github.com/blockwork-dev/blockwork/scheduler"
)

// Option configures New.
type Option func(*Executor)

// Workers sets the number of worker goroutines (default: GOMAXPROCS).
func Workers(n int) Option { return func(e *Executor) { e.workers = n } }

// MemoryLimit bounds the bytes of chunks resident at once (default: 3/4
// of the machine's memory; 0 keeps the default, negative means none).
func MemoryLimit(n int64) Option { return func(e *Executor) { e.memLimit = n } }

// Device uses h as the host device (default: a new one).
func Device(h *device.Host) Option { return func(e *Executor) { e.host = h } }

// Registry uses r for kernels (default: the CPU kernels).
func Registry(r *kernels.Registry) Option { return func(e *Executor) { e.reg = r } }

// Executor runs graphs in this process. Safe for concurrent use: each
// Compute has its own scheduler state and workers.
type Executor struct {
	host     *device.Host
	reg      *kernels.Registry
	workers  int
	memLimit int64
	tasksRun atomic.Int64
	// mu guards the handles' buffers (Release against a run taking
	// them as leaves) and graph.Graph.Order, which caches an index in
	// the graph: two runs of one graph must not build it at once.
	mu sync.Mutex
}

// New returns an executor.
func New(opts ...Option) (*Executor, error) {
	e := &Executor{}
	for _, o := range opts {
		o(e)
	}
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	if e.host == nil {
		e.host = device.NewHost()
	}
	if e.reg == nil {
		e.reg = kernels.NewRegistry()
		cpu.Register(e.reg)
	}
	if e.memLimit == 0 {
		e.memLimit = defaultMemoryLimit()
	}
	if e.memLimit < 0 {
		e.memLimit = 0
	}
	return e, nil
}

// Host is the executor's host device (for accounting and leak checks).
func (e *Executor) Host() *device.Host { return e.host }

// TasksRun counts the tasks run since New.
func (e *Executor) TasksRun() int64 { return e.tasksRun.Load() }

// handle is a persisted chunk: the executor's reference to its buffers.
type handle struct {
	exec *Executor
	bufs []*device.Buffer
	meta []graph.Chunk
}

// Persist runs g for keys and returns one handle per key holding its
// chunk resident until Release.
func (e *Executor) Persist(ctx context.Context, g *graph.Graph, keys []graph.Key, progress func(done, total int, resident int64)) ([]any, error) {
	r, err := e.newRun(g, keys, progress)
	if err != nil {
		return nil, err
	}
	var hs []any
	err = r.run(ctx, func(bufs [][]*device.Buffer) error {
		for i, b := range bufs {
			for _, x := range b {
				x.Retain()
			}
			hs = append(hs, &handle{exec: e, bufs: b, meta: r.wantMeta[i]})
		}
		return nil
	})
	if err != nil {
		e.Release(hs)
		return nil, err
	}
	return hs, nil
}

// Release frees persisted chunks. Releasing a handle twice, or one of
// another executor, does nothing; a graph that reads a released handle
// fails to run.
func (e *Executor) Release(handles []any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, h := range handles {
		if ph, ok := h.(*handle); ok && ph.exec == e && ph.bufs != nil {
			for _, b := range ph.bufs {
				b.Release()
			}
			ph.bufs = nil
		}
	}
}

// ---- one run

// run is one Compute or Persist: the graph's tasks as dense scheduler ids
// (only those the wanted keys need) and the buffers of the run.
type run struct {
	e        *Executor
	g        *graph.Graph
	tix      []int32 // scheduler id -> index in g.Tasks
	specs    []scheduler.TaskSpec
	kern     []kernels.Kernel // by id
	inStart  []int32          // the inputs of id are ins[inStart[id]:inStart[id+1]]
	ins      []ref            // input producers: scheduler ids (>= 0) or leaves (-1-i)
	outs     [][]*device.Buffer
	outSlab  []*device.Buffer // backing of outs: id's at outSlab[outOff[id]:]
	outOff   []int32
	prio     []int32 // static priority by id (graph.Order)
	leafBufs [][]*device.Buffer
	leafLeft []int32 // uses of each leaf (by tasks and wanted keys) not yet over
	want     []ref   // per wanted key
	wantIDs  []scheduler.TaskID
	wantMeta [][]graph.Chunk
	progress func(done, total int, resident int64)
	ctx      context.Context // the computation's, handed to kernels
	direct   map[scheduler.TaskID]*direct
}

// job is one task handed to a worker; err is the kernel's result.
type job struct {
	id   scheduler.TaskID
	l    kernels.Launch
	kern kernels.Kernel
	err  error
	host *device.Host // allocates the outputs, when not nil
	big  bool         // outputs of holdBytes or more: see holdBytes
}

func (e *Executor) newRun(g *graph.Graph, keys []graph.Key, progress func(done, total int, resident int64)) (*run, error) {
	r := &run{e: e, g: g, progress: progress}
	ix := newKeyIndex(g)
	// resolve every input (as graph refs: task indexes or leaves)
	nt := len(g.Tasks)
	gStart := make([]int32, nt+1)
	nin := 0
	for i := range g.Tasks {
		nin += len(g.Tasks[i].Inputs)
	}
	gIns := make([]ref, 0, nin)
	for i := range g.Tasks {
		t := &g.Tasks[i]
		for _, in := range t.Inputs {
			s, ok := ix.get(in)
			if !ok {
				return nil, fmt.Errorf("local: task %v (op %s) reads missing key %v", t.Key, t.Op.Name, in)
			}
			gIns = append(gIns, s)
		}
		gStart[i+1] = int32(len(gIns))
	}
	// the tasks the keys need, numbered in graph order
	wantG := make([]ref, len(keys))
	sid := make([]int32, nt) // graph index -> scheduler id + 1; 0: not needed
	var stack []int32
	for i, k := range keys {
		s, ok := ix.get(k)
		if !ok {
			return nil, fmt.Errorf("local: wanted key %v is not in the graph", k)
		}
		wantG[i] = s
		if s >= 0 && sid[s] == 0 {
			sid[s] = 1
			stack = append(stack, int32(s))
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range gIns[gStart[i]:gStart[i+1]] {
			if s >= 0 && sid[s] == 0 {
				sid[s] = 1
				stack = append(stack, int32(s))
			}
		}
	}
	n := 0
	for i := range sid {
		if sid[i] != 0 {
			n++
			sid[i] = int32(n)
		}
	}
	toRef := func(s ref) ref {
		if s >= 0 {
			return ref(sid[s] - 1)
		}
		return s
	}
	e.mu.Lock()
	prio := g.Order()
	e.mu.Unlock()

	r.tix = make([]int32, 0, n)
	r.specs = make([]scheduler.TaskSpec, n)
	r.kern = make([]kernels.Kernel, n)
	r.inStart = make([]int32, 1, n+1)
	r.ins = make([]ref, 0, nin)
	r.outs = make([][]*device.Buffer, n)
	r.outOff = make([]int32, n)
	r.prio = make([]int32, n)
	r.leafLeft = make([]int32, len(g.Leaves))
	deps := make([]scheduler.TaskID, 0, nin)
	nout := 0
	var lastOp string
	var lastDT graph.DType
	var lastK kernels.Kernel
	for gi := range g.Tasks {
		if sid[gi] == 0 {
			continue
		}
		id := len(r.tix)
		r.tix = append(r.tix, int32(gi))
		t := &g.Tasks[gi]
		if !t.Devices.Has(graph.CPU) {
			return nil, fmt.Errorf("local: task %v (op %s) cannot run on the cpu (devices %v)", t.Key, t.Op.Name, t.Devices)
		}
		// consecutive tasks mostly share op and dtype: skip the registry
		dt := kernels.KeyDType(t)
		if lastK == nil || t.Op.Name != lastOp || dt != lastDT {
			k, ok := e.reg.Lookup(t, graph.CPU)
			if !ok {
				return nil, fmt.Errorf("local: no cpu kernel for task %v (op %s, dtype %v)", t.Key, t.Op.Name, dt)
			}
			lastOp, lastDT, lastK = t.Op.Name, dt, k
		}
		r.kern[id] = lastK
		start := len(deps)
		for _, s := range gIns[gStart[gi]:gStart[gi+1]] {
			s = toRef(s)
			r.ins = append(r.ins, s)
			if s < 0 {
				r.leafLeft[-1-s]++
				continue
			}
			dup := false
			for _, d := range deps[start:] {
				if d == scheduler.TaskID(s) {
					dup = true
					break
				}
			}
			if !dup {
				deps = append(deps, scheduler.TaskID(s))
			}
		}
		r.inStart = append(r.inStart, int32(len(r.ins)))
		r.outOff[id] = int32(nout)
		nout += len(t.Outputs)
		r.specs[id] = scheduler.TaskSpec{Deps: deps[start:len(deps):len(deps)], OutBytes: t.OutBytes(), Priority: prio[gi], Devices: graph.DeviceKinds(graph.CPU)}
		r.prio[id] = prio[gi]
	}
	r.outSlab = make([]*device.Buffer, nout)
	r.want = make([]ref, len(keys))
	r.wantMeta = make([][]graph.Chunk, len(keys))
	for i, s := range wantG {
		s = toRef(s)
		r.want[i] = s
		if s >= 0 {
			if !r.specs[s].Want {
				r.specs[s].Want = true
				r.wantIDs = append(r.wantIDs, scheduler.TaskID(s))
			}
		} else {
			r.leafLeft[-1-s]++
		}
		r.wantMeta[i] = r.metaOf(s)
	}
	return r, nil
}

// metaOf is the output metadata of a producer.
func (r *run) metaOf(s ref) []graph.Chunk {
	if s >= 0 {
		return r.g.Tasks[r.tix[s]].Outputs
	}
	return r.g.Leaves[-1-s].Outputs
}

// loadLeaves puts every leaf a task or key uses in a buffer: literal
// bytes are copied into a host buffer, persisted chunks are shared.
func (r *run) loadLeaves() error {
	r.leafBufs = make([][]*device.Buffer, len(r.g.Leaves))
	r.e.mu.Lock() // against Release
	defer r.e.mu.Unlock()
	for i := range r.g.Leaves {
		if r.leafLeft[i] == 0 {
			continue
		}
		l := &r.g.Leaves[i]
		switch v := l.Value.(type) {
		case []byte:
			if want := chunksBytes(l.Outputs); int64(len(v)) != want {
				return fmt.Errorf("local: leaf %v holds %d bytes, its outputs %v take %d", l.Key, len(v), l.Outputs, want)
			}
			// one buffer per output (a tuple's parts lie one after another)
			bufs := make([]*device.Buffer, 0, len(l.Outputs))
			for _, c := range l.Outputs {
				b, err := r.e.host.Alloc(c.Bytes())
				if err != nil {
					releaseAll(bufs)
					return fmt.Errorf("local: leaf %v: %w", l.Key, err)
				}
				v = v[copy(b.Bytes(), v):]
				bufs = append(bufs, b)
			}
			r.leafBufs[i] = bufs
		case *handle:
			if v.exec != r.e {
				return fmt.Errorf("local: leaf %v: persisted by another executor", l.Key)
			}
			if v.bufs == nil {
				return fmt.Errorf("local: leaf %v: persisted chunk was released", l.Key)
			}
			for _, b := range v.bufs {
				b.Retain()
			}
			r.leafBufs[i] = append([]*device.Buffer(nil), v.bufs...)
		default:
			return fmt.Errorf("local: leaf %v has a value of type %T (want []byte or a handle from Persist)", l.Key, l.Value)
		}
	}
	return nil
}

func chunksBytes(cs []graph.Chunk) int64 {
	var n int64
	for _, c := range cs {
		n += c.Bytes()
	}
	return n
}

func releaseAll(bs []*device.Buffer) {
	for _, b := range bs {
		if b != nil { // outputs a worker never allocated
			b.Release()
		}
	}
}

func (r *run) bufsOf(s ref) []*device.Buffer {
	if s >= 0 {
		return r.outs[s]
	}
	return r.leafBufs[-1-s]
}

// leafDone ends one use of a leaf, freeing it after the last.
func (r *run) leafDone(s ref) {
	i := -1 - s
	r.leafLeft[i]--
	if r.leafLeft[i] == 0 && r.leafBufs[i] != nil {
		releaseAll(r.leafBufs[i])
		r.leafBufs[i] = nil
	}
}

func (r *run) releaseLeaves() {
	for i, b := range r.leafBufs {
		if b != nil {
			releaseAll(b)
			r.leafBufs[i] = nil
		}
	}
}

// queueDepth is how many tasks per worker the scheduler may have running
// at once: the extra ones wait in the queue, so a worker that finishes
// takes its next task without waiting for the driver.
const queueDepth = 2

// holdBytes: a task whose outputs take this many bytes or more is not
// queued behind busy workers. It waits with the driver (held, in
// priority order) until fewer tasks are with the workers than there are
// workers, and then goes to the one that is free. A queued task holds
// no memory (its worker allocates its outputs), but the order tasks
// start in is fixed when they are queued: a worker that finishes a load
// would start the next queued load before the reduction its block feeds
// comes ready, and with two tasks per worker in flight a stream of
// loads and reductions held twice the chunks it needs (zarr_read: four
// 128 MB blocks for two workers, not two). Held, the next load starts
// after the reduction that frees a block. The cost is one wait for the
// driver per big task (tens of microseconds, against the milliseconds
// it takes to fill 16 MiB).
const holdBytes = 16 << 20

// held is the big jobs waiting for a free worker, the earliest in the
// static order first.
type held struct {
	r    *run
	jobs []*job
}

func (h *held) add(j *job) {
	p := h.r.prio[j.id]
	i := len(h.jobs)
	h.jobs = append(h.jobs, j)
	for ; i > 0 && h.r.prio[h.jobs[i-1].id] > p; i-- {
		h.jobs[i] = h.jobs[i-1]
	}
	h.jobs[i] = j
}

// take moves up to n jobs (the first ones) onto batch.
func (h *held) take(n int, batch []*job) []*job {
	n = min(n, len(h.jobs))
	if n <= 0 {
		return batch
	}
	batch = append(batch, h.jobs[:n]...)
	m := copy(h.jobs, h.jobs[n:])
	clear(h.jobs[m:])
	h.jobs = h.jobs[:m]
	return batch
}

// run drives the scheduler to the end; done is called with the wanted
// buffers once all are ready.
func (r *run) run(ctx context.Context, done func([][]*device.Buffer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.ctx = ctx
	if err := r.loadLeaves(); err != nil {
		r.releaseLeaves()
		return err
	}
	defer r.releaseLeaves()
	n := len(r.specs)
	if n == 0 {
		// only leaves are wanted
		return r.deliverLeaves(done)
	}
	nw := r.e.workers
	p := newWorkers(min(nw, n))
	defer p.close()

	slots := nw * queueDepth
	st := scheduler.New(scheduler.Config{MemoryLimit: r.e.memLimit})
	cmds := st.Handle(scheduler.Event{Kind: scheduler.EvAddWorker, Worker: 0, Device: graph.CPU, Slots: slots}, nil)
	cmds = st.Handle(scheduler.Event{Kind: scheduler.EvSubmit, Tasks: r.specs}, cmds)
	r.specs = nil
	var firstErr error
	// running: tasks prepared and not finished; handed: those of them
	// pushed to the workers (the rest are held)
	finished, running, handed := 0, 0, 0
	hold := held{r: r}
	jobs := make([]job, slots) // at most slots run at once
	free := make([]*job, slots)
	for i := range jobs {
		free[i] = &jobs[i]
	}
	var batch, results []*job
	var evs []scheduler.Event
	cancelled := ctx.Done()
	idle := false // CmdIdle comes once; frees of released wanted outputs may follow it
	for {
		for _, c := range cmds {
			switch c.Kind {
			case scheduler.CmdRun:
				j := free[len(free)-1]
				free = free[:len(free)-1]
				if err := r.prepare(j, c.Task); err != nil {
					// an allocation failure is the task's failure
					releaseAll(j.l.Src)
					clear(j.l.Src)
					j.l.Src = j.l.Src[:0]
					r.endInputs(c.Task)
					free = append(free, j)
					evs = append(evs, scheduler.Event{Kind: scheduler.EvFailed, Task: c.Task, Err: err})
					continue
				}
				running++
				if j.big {
					hold.add(j)
				} else {
					batch = append(batch, j)
				}
			case scheduler.CmdFree:
				releaseAll(r.outs[c.Task])
				r.outs[c.Task] = nil
			case scheduler.CmdDone:
				bufs := make([][]*device.Buffer, len(r.want))
				for i, s := range r.want {
					bufs[i] = r.bufsOf(s)
				}
				if derr := done(bufs); derr != nil && firstErr == nil {
					firstErr = derr
				}
				for _, s := range r.want {
					if s < 0 {
						r.leafDone(s)
					}
				}
				for _, id := range r.wantIDs {
					evs = append(evs, scheduler.Event{Kind: scheduler.EvReleaseWanted, Task: id})
				}
			case scheduler.CmdFail:
				if firstErr == nil {
					firstErr = c.Err
					// name the task when the scheduler's error does not
					// (memory limit, illegal event): task errors from
					// kernels are already wrapped by finish
					if c.Task != scheduler.NoTask && !errors.Is(c.Err, errTaskWrapped) {
						t := &r.g.Tasks[r.tix[c.Task]]
						firstErr = fmt.Errorf("task %v (op %s): %w", t.Key, t.Op.Name, c.Err)
					}
				}
			case scheduler.CmdIdle:
				idle = true
			}
		}
		batch = hold.take(nw-handed-len(batch), batch)
		if len(batch) > 0 {
			p.push(batch)
			handed += len(batch)
			clear(batch)
			batch = batch[:0]
		}
		cmds = cmds[:0]
		if idle && len(evs) == 0 {
			if running != 0 {
				// let held jobs run too, so that every job ends
				if batch = hold.take(len(hold.jobs), batch); len(batch) > 0 {
					p.push(batch)
					clear(batch)
				}
				// an executor bug: say so, but let the running kernels end
				// before their buffers are released
				for running > 0 {
					<-p.notify
					results = p.take(results)
					running -= len(results)
					for _, j := range results {
						releaseAll(j.l.Src)
						releaseAll(r.outs[j.id])
						r.outs[j.id] = nil
					}
					clear(results)
				}
				return fmt.Errorf("local: internal error: scheduler idle with tasks running (first error: %v)", firstErr)
			}
			return firstErr
		}
		if len(evs) == 0 {
			// wait for at least one completion
			select {
			case <-p.notify:
			case <-cancelled:
				evs = append(evs, scheduler.Event{Kind: scheduler.EvCancel, Err: ctx.Err()})
				cancelled = nil // report once
			}
		}
		// batch whatever has finished
		results = p.take(results)
		for _, j := range results {
			evs = r.finish(j, evs)
			free = append(free, j)
		}
		running -= len(results)
		handed -= len(results)
		finished += len(results)
		if len(results) > 0 {
			r.e.tasksRun.Add(int64(len(results)))
			if r.progress != nil {
				r.progress(finished, n, r.e.host.Stats().LiveBytes)
			}
		}
		clear(results)
		for _, ev := range evs {
			cmds = st.Handle(ev, cmds)
		}
		clear(evs)
		evs = evs[:0]
	}
}

func (r *run) deliverLeaves(done func([][]*device.Buffer) error) error {
	bufs := make([][]*device.Buffer, len(r.want))
	for i, s := range r.want {
		bufs[i] = r.bufsOf(s)
	}
	err := done(bufs)
	for _, s := range r.want {
		r.leafDone(s)
	}
	return err
}

// endInputs ends the task's uses of its leaves.
func (r *run) endInputs(id scheduler.TaskID) {
	for _, s := range r.ins[r.inStart[id]:r.inStart[id+1]] {
		if s < 0 {
			r.leafDone(s)
		}
	}
}

// finish turns a worker's result into the scheduler's event.
func (r *run) finish(j *job, evs []scheduler.Event) []scheduler.Event {
	id := j.id
	r.endInputs(id)
	err := j.err
	releaseAll(j.l.Src)
	clear(j.l.Src)
	j.l.Src = j.l.Src[:0] // drop references for the collector
	j.l.Dst = nil
	j.err = nil
	if err != nil {
		t := &r.g.Tasks[r.tix[id]]
		return append(evs, scheduler.Event{Kind: scheduler.EvFailed, Task: id, Err: &taskError{key: t.Key, op: t.Op.Name, err: err}})
	}
	var nb int64
	if r.direct[id] == nil { // a block written in place holds no memory here
		for _, b := range r.outs[id] {
			nb += b.Len()
		}
	}
	return append(evs, scheduler.Event{Kind: scheduler.EvFinished, Task: id, Bytes: nb})
}

// taskError is a kernel's error named by its task.
type taskError struct {
	key graph.Key
	op  string
	err error
}

// errTaskWrapped marks errors that already name their task.
var errTaskWrapped = errors.New("task error")

func (e *taskError) Error() string { return fmt.Sprintf("task %v (op %s): %v", e.key, e.op, e.err) }

func (e *taskError) Unwrap() []error { return []error{e.err, errTaskWrapped} }

// prepare allocates the task's outputs and gathers its inputs.
func (r *run) prepare(j *job, id scheduler.TaskID) error {
	t := &r.g.Tasks[r.tix[id]]
	j.id = id
	j.kern = r.kern[id]
	j.host = nil
	j.big = false
	j.l.Task = t
	j.l.Ctx = r.ctx
	j.l.Src = j.l.Src[:0]
	j.l.SrcMeta = j.l.SrcMeta[:0]
	for _, s := range r.ins[r.inStart[id]:r.inStart[id+1]] {
		// a running kernel holds its own reference to each input: after a
		// failure or cancel the scheduler frees resident chunks at once,
		// while readers of them may still be running
		for _, b := range r.bufsOf(s) {
			b.Retain()
			j.l.Src = append(j.l.Src, b)
		}
		j.l.SrcMeta = append(j.l.SrcMeta, r.metaOf(s)...)
	}
	if t.Op.Name == graph.OpAlias {
		// the output is the input's buffers under new metadata
		if got, want := chunksBytes(j.l.SrcMeta), t.OutBytes(); got != want {
			return fmt.Errorf("task %v (op %s): %d input bytes for %d output bytes", t.Key, t.Op.Name, got, want)
		}
		for _, b := range j.l.Src {
			b.Retain()
		}
		r.outs[id] = append([]*device.Buffer(nil), j.l.Src...)
		j.l.Dst = nil
		return nil
	}
	// the worker allocates the outputs when it starts the task (allocOuts),
	// so queued tasks hold no chunk memory yet
	off := int(r.outOff[id])
	outs := r.outSlab[off : off+len(t.Outputs) : off+len(t.Outputs)]
	clear(outs)
	r.outs[id] = outs
	if d := r.direct[id]; d != nil {
		// the kernel writes into the caller's array: a view, freed by no one
		outs[0] = device.NewBuffer(r.e.host, d.data, 0, int64(len(d.data)), nil)
		j.l.Task = &d.task
		j.l.Dst = outs
		return nil
	}
	j.l.Dst = outs
	j.host = r.e.host
	j.big = t.OutBytes() >= holdBytes
	return nil
}

// allocOuts allocates a job's outputs (into j.l.Dst, which is the run's
// r.outs[j.id]): called by the worker that runs it; on failure nothing
// stays allocated and the error is the task's.
func allocOuts(j *job) error {
	for i, c := range j.l.Task.Outputs {
		b, err := j.host.Alloc(c.Bytes())
		if err != nil {
			releaseAll(j.l.Dst[:i])
			clear(j.l.Dst)
			return err
		}
		j.l.Dst[i] = b
	}
	return nil
}
