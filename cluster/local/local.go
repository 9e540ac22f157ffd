package local

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
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

// Compute runs g for keys, calling deliver with each key's bytes.
func (e *Executor) Compute(ctx context.Context, g *graph.Graph, keys []graph.Key, deliver func(i int, data []byte) error, progress func(done, total int)) error {
	r, err := e.newRun(g, keys, progress)
	if err != nil {
		return err
	}
	return r.run(ctx, func(bufs [][]*device.Buffer) error {
		for i, b := range bufs {
			if err := deliver(i, b[0].Bytes()); err != nil {
				return err
			}
		}
		return nil
	})
}

// Persist runs g for keys and returns one handle per key holding its
// chunk resident until Release.
func (e *Executor) Persist(ctx context.Context, g *graph.Graph, keys []graph.Key, progress func(done, total int)) ([]any, error) {
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
		return nil, err
	}
	return hs, nil
}

// Release frees persisted chunks.
func (e *Executor) Release(handles []any) {
	for _, h := range handles {
		if ph, ok := h.(*handle); ok && ph.bufs != nil {
			for _, b := range ph.bufs {
				b.Release()
			}
			ph.bufs = nil
		}
	}
}

// ---- one run

type run struct {
	e        *Executor
	g        *graph.Graph
	specs    []scheduler.TaskSpec
	kern     []kernels.Kernel
	inputs   [][]ref // per task, its input buffers' sources
	outs     [][]*device.Buffer
	leafBufs [][]*device.Buffer
	leafLeft []int // consumers of each leaf not yet finished
	want     []ref // per wanted key
	wantMeta [][]graph.Chunk
	progress func(done, total int)
}

// ref names the producer of an input: a task (>= 0) or a leaf (-1-i).
type ref int32

type job struct {
	id   scheduler.TaskID
	l    kernels.Launch
	kern kernels.Kernel
}

type result struct {
	j   *job
	err error
}

func (e *Executor) newRun(g *graph.Graph, keys []graph.Key, progress func(done, total int)) (*run, error) {
	r := &run{e: e, g: g, progress: progress}
	idx := make(map[graph.Key]ref, len(g.Tasks)+len(g.Leaves))
	for i := range g.Leaves {
		idx[g.Leaves[i].Key] = ref(-1 - i)
	}
	for i := range g.Tasks {
		idx[g.Tasks[i].Key] = ref(i)
	}
	prio := g.Order()
	n := len(g.Tasks)
	r.specs = make([]scheduler.TaskSpec, n)
	r.kern = make([]kernels.Kernel, n)
	r.inputs = make([][]ref, n)
	r.outs = make([][]*device.Buffer, n)
	r.leafLeft = make([]int, len(g.Leaves))
	depBuf := make([]scheduler.TaskID, 0, 4*n)
	for i := range g.Tasks {
		t := &g.Tasks[i]
		k, ok := e.reg.Lookup(t, graph.CPU)
		if !ok || !t.Devices.Has(graph.CPU) {
			return nil, fmt.Errorf("local: no cpu kernel for task %v (op %s, dtype %v)", t.Key, t.Op.Name, kernels.KeyDType(t))
		}
		r.kern[i] = k
		ins := make([]ref, len(t.Inputs))
		start := len(depBuf)
		for j, in := range t.Inputs {
			s, ok := idx[in]
			if !ok {
				return nil, fmt.Errorf("local: task %v (op %s) reads missing key %v", t.Key, t.Op.Name, in)
			}
			ins[j] = s
			if s >= 0 {
				dup := false
				for _, d := range depBuf[start:] {
					if d == scheduler.TaskID(s) {
						dup = true
						break
					}
				}
				if !dup {
					depBuf = append(depBuf, scheduler.TaskID(s))
				}
			} else {
				r.leafLeft[-1-s]++
			}
		}
		r.inputs[i] = ins
		r.specs[i] = scheduler.TaskSpec{Deps: depBuf[start:len(depBuf):len(depBuf)], OutBytes: t.OutBytes(), Priority: prio[i], Devices: graph.DeviceKinds(graph.CPU)}
	}
	for _, k := range keys {
		s, ok := idx[k]
		if !ok {
			return nil, fmt.Errorf("local: wanted key %v is not in the graph", k)
		}
		r.want = append(r.want, s)
		if s >= 0 {
			r.specs[s].Want = true
			r.wantMeta = append(r.wantMeta, g.Tasks[s].Outputs)
		} else {
			r.leafLeft[-1-s]++
			r.wantMeta = append(r.wantMeta, g.Leaves[-1-s].Outputs)
		}
	}
	return r, nil
}

// loadLeaves puts every leaf in a buffer: literal bytes are copied into a
// host buffer, persisted chunks are shared.
func (r *run) loadLeaves() error {
	r.leafBufs = make([][]*device.Buffer, len(r.g.Leaves))
	for i := range r.g.Leaves {
		l := &r.g.Leaves[i]
		switch v := l.Value.(type) {
		case []byte:
			b, err := r.e.host.Alloc(int64(len(v)))
			if err != nil {
				return fmt.Errorf("local: leaf %v: %w", l.Key, err)
			}
			copy(b.Bytes(), v)
			r.leafBufs[i] = []*device.Buffer{b}
		case *handle:
			if v.bufs == nil {
				return fmt.Errorf("local: leaf %v: persisted chunk was released", l.Key)
			}
			if v.exec != r.e {
				return fmt.Errorf("local: leaf %v: persisted by another executor", l.Key)
			}
			for _, b := range v.bufs {
				b.Retain()
			}
			r.leafBufs[i] = append([]*device.Buffer(nil), v.bufs...)
		default:
			return fmt.Errorf("local: leaf %v has a value of type %T", l.Key, l.Value)
		}
	}
	return nil
}

func releaseAll(bs []*device.Buffer) {
	for _, b := range bs {
		b.Release()
	}
}

func (r *run) bufsOf(s ref) []*device.Buffer {
	if s >= 0 {
		return r.outs[s]
	}
	return r.leafBufs[-1-s]
}

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

var errStopped = errors.New("local: stopped")

// run drives the scheduler to the end; done is called with the wanted
// buffers once all are ready.
func (r *run) run(ctx context.Context, done func([][]*device.Buffer) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.loadLeaves(); err != nil {
		r.releaseLeaves()
		return err
	}
	defer r.releaseLeaves()
	n := len(r.specs)
	nw := r.e.workers
	jobs := make(chan *job, nw)
	results := make(chan result, nw)
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- result{j: j, err: runKernel(j)}
			}
		}()
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()

	st := scheduler.New(scheduler.Config{MemoryLimit: r.e.memLimit})
	cmds := st.Handle(scheduler.Event{Kind: scheduler.EvAddWorker, Worker: 0, Device: graph.CPU, Slots: nw}, nil)
	cmds = st.Handle(scheduler.Event{Kind: scheduler.EvSubmit, Tasks: r.specs}, cmds)
	r.specs = nil
	var firstErr error
	finished := 0
	running := 0
	var free []*job
	evs := make([]scheduler.Event, 0, nw)
	if n == 0 {
		// only leaves are wanted
		return r.deliverLeaves(done)
	}
	idle := false // CmdIdle comes once; frees of released wanted outputs may follow it
	for {
		var next []scheduler.Command
		for _, c := range cmds {
			switch c.Kind {
			case scheduler.CmdRun:
				var j *job
				if len(free) > 0 {
					j = free[len(free)-1]
					free = free[:len(free)-1]
				} else {
					j = &job{}
				}
				if err := r.prepare(j, c.Task); err != nil {
					free = append(free, j)
					// allocation failure: report as the task's failure
					evs = append(evs, scheduler.Event{Kind: scheduler.EvFailed, Task: c.Task, Err: err})
					continue
				}
				running++
				jobs <- j
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
					if s >= 0 {
						evs = append(evs, scheduler.Event{Kind: scheduler.EvReleaseWanted, Task: scheduler.TaskID(s)})
					} else {
						r.leafDone(s)
					}
				}
			case scheduler.CmdFail:
				if firstErr == nil {
					firstErr = c.Err
				}
			case scheduler.CmdIdle:
				idle = true
			}
		}
		cmds = cmds[:0]
		if idle && len(evs) == 0 {
			if running != 0 {
				panic("local: scheduler idle with tasks running")
			}
			return firstErr
		}
		if len(evs) == 0 {
			// wait for at least one completion
			select {
			case res := <-results:
				evs = r.finish(res, evs, &running)
				free = append(free, res.j)
				finished++
			case <-ctx.Done():
				evs = append(evs, scheduler.Event{Kind: scheduler.EvCancel, Err: ctx.Err()})
				ctx = context.Background() // report once
			}
		}
		// batch whatever else has finished
	drain:
		for {
			select {
			case res := <-results:
				evs = r.finish(res, evs, &running)
				free = append(free, res.j)
				finished++
			default:
				break drain
			}
		}
		if r.progress != nil {
			r.progress(finished, n)
		}
		for _, ev := range evs {
			next = st.Handle(ev, next)
		}
		evs = evs[:0]
		cmds = next
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

func (r *run) finish(res result, evs []scheduler.Event, running *int) []scheduler.Event {
	*running--
	r.e.tasksRun.Add(1)
	id := res.j.id
	for _, s := range r.inputs[id] {
		if s < 0 {
			r.leafDone(s)
		}
	}
	if res.err != nil {
		t := &r.g.Tasks[id]
		return append(evs, scheduler.Event{Kind: scheduler.EvFailed, Task: id, Err: fmt.Errorf("task %v (op %s): %w", t.Key, t.Op.Name, res.err)})
	}
	var nb int64
	for _, b := range r.outs[id] {
		nb += b.Len()
	}
	return append(evs, scheduler.Event{Kind: scheduler.EvFinished, Task: id, Bytes: nb})
}

// prepare allocates the task's outputs and gathers its inputs.
func (r *run) prepare(j *job, id scheduler.TaskID) error {
	t := &r.g.Tasks[id]
	j.id = id
	j.kern = r.kern[id]
	j.l.Task = t
	j.l.Src = j.l.Src[:0]
	j.l.SrcMeta = j.l.SrcMeta[:0]
	for _, s := range r.inputs[id] {
		bs := r.bufsOf(s)
		j.l.Src = append(j.l.Src, bs...)
		if s >= 0 {
			j.l.SrcMeta = append(j.l.SrcMeta, r.g.Tasks[s].Outputs...)
		} else {
			j.l.SrcMeta = append(j.l.SrcMeta, r.g.Leaves[-1-s].Outputs...)
		}
	}
	if t.Op.Name == graph.OpAlias {
		// the output is the input's buffers under new metadata
		for _, b := range j.l.Src {
			b.Retain()
		}
		r.outs[id] = append([]*device.Buffer(nil), j.l.Src...)
		j.l.Dst = nil
		return nil
	}
	outs := make([]*device.Buffer, len(t.Outputs))
	for i, c := range t.Outputs {
		b, err := r.e.host.Alloc(c.Bytes())
		if err != nil {
			releaseAll(outs[:i])
			return fmt.Errorf("task %v (op %s): %w", t.Key, t.Op.Name, err)
		}
		outs[i] = b
	}
	r.outs[id] = outs
	j.l.Dst = outs
	return nil
}

func runKernel(j *job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("kernel panic: %v\n%s", p, debug.Stack())
		}
	}()
	if j.l.Task.Op.Name == graph.OpAlias {
		return nil
	}
	return j.kern.Run(&j.l)
}
