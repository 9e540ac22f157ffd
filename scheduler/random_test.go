package scheduler

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/graph"
)

var seed = flag.Int64("seed", 0, "seed of TestRandom (0: from the clock)")

// TestRandom drives the state machine over random graphs, worker sets,
// finish orders and, in some runs, failures, cancels, requeues, worker
// losses, per-worker memory limits, and workers with queues (threads <
// slots) reporting starts and answering steals, playing a shell that
// checks every command against the rules, then replays the same events
// and expects the same commands.
func TestRandom(t *testing.T) {
	sd := *seed
	if sd == 0 {
		sd = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed=%d)", sd, sd)
	rng := rand.New(rand.NewPCG(uint64(sd), 0x5eed))
	iters := 400
	if testing.Short() {
		iters = 100
	}
	for i := 0; i < iters; i++ {
		sim := newSim(rng)
		if err := sim.run(rng); err != nil {
			t.Fatalf("seed %d, run %d (%s): %v", sd, i, sim.describe(), err)
		}
		again := New(sim.cfg)
		var log []string
		var out []Command
		for j, ev := range sim.events { // in batches of three sharing one out slice
			out = again.Handle(ev, out)
			if j%3 == 2 || j == len(sim.events)-1 {
				for _, c := range out {
					log = append(log, cmdString(c))
				}
				out = out[:0]
			}
		}
		if !slices.Equal(log, sim.log) {
			t.Fatalf("seed %d, run %d: replay gave other commands", sd, i)
		}
	}
}

func cmdString(c Command) string {
	if c.Err != nil {
		return fmt.Sprintf("%v %d %d %v", c.Kind, c.Task, c.Worker, c.Err)
	}
	return fmt.Sprintf("%v %d %d", c.Kind, c.Task, c.Worker)
}

type simWorker struct {
	id      WorkerID
	kind    graph.DeviceKind
	slots   int
	threads int
	running int
	started int
	alive   bool
	memory  int64 // its own limit, 0 none
}

// sim plays the shell.
type sim struct {
	specs   []TaskSpec
	users   [][]TaskID
	limit   int64
	cfg     Config
	chaos   bool // inject failures, cancels, requeues, worker losses
	starts  bool // report EvStarted (and so get steals)
	s       *State
	workers []simWorker
	events  []Event
	log     []string

	running  []TaskID
	onWorker []WorkerID // per task: where it runs or its output is held
	held     []bool     // the shell holds a buffer for the task (CmdRun to CmdFree)
	bytes    []int64    // held: OutBytes while running, then the bytes it finished with
	resident []bool     // finished, output held
	finished []bool     // finished at least once
	released []bool     // wanted output released by the client
	runs     []int
	frees    []int
	requeues []int    // runs that ended with EvRequeue or EvStolen (no free comes for them)
	started  []bool   // running and started (EvStarted sent)
	steals   []TaskID // CmdSteal not answered yet, one per task; the victim is onWorker
	lost     bool     // a worker was removed
	done     int
	idle     int
	failed   error
}

func newSim(rng *rand.Rand) *sim {
	n := 1 + rng.IntN(60)
	if rng.IntN(10) == 0 {
		n = 0
	}
	x := &sim{chaos: rng.IntN(3) == 0, starts: rng.IntN(2) == 0}
	// workers, in some runs with memory limits of their own (at least the
	// largest OutBytes, 100)
	nw := 1 + rng.IntN(3)
	workerMem := func() int64 { return 0 }
	if rng.IntN(3) == 0 {
		workerMem = func() int64 { return 100 + rng.Int64N(int64(n)*30+1) }
	}
	var kinds graph.DeviceKinds
	for i := 0; i < nw; i++ {
		k := graph.CPU
		if rng.IntN(3) == 0 {
			k = graph.GPU
		}
		kinds |= graph.DeviceKinds(k)
		x.workers = append(x.workers, x.newWorker(rng, WorkerID(10+i), k, workerMem()))
	}
	// a random DAG over a random permutation of ids
	perm := rng.Perm(n)
	x.specs = make([]TaskSpec, n)
	x.users = make([][]TaskID, n)
	var total int64
	for i, id := range perm {
		sp := &x.specs[id]
		if i > 0 {
			for k := rng.IntN(4); k > 0; k-- {
				sp.Deps = append(sp.Deps, TaskID(perm[rng.IntN(i)]))
			}
		}
		sp.OutBytes = int64(1 + rng.IntN(100))
		total += sp.OutBytes
		sp.Priority = int32(rng.IntN(n + 1))
		sp.Devices = graph.DeviceKinds(graph.CPU | graph.GPU)
		if kinds == graph.DeviceKinds(graph.CPU|graph.GPU) && rng.IntN(3) == 0 {
			sp.Devices = graph.DeviceKinds(graph.DeviceKind(1 << rng.IntN(2)))
		}
		sp.Want = rng.IntN(6) == 0
		for _, d := range sp.Deps {
			x.users[d] = append(x.users[d], TaskID(id))
		}
	}
	for id := range x.specs {
		if len(x.users[id]) == 0 && rng.IntN(4) != 0 {
			x.specs[id].Want = true // sinks are mostly wanted, as in a culled graph
		}
	}
	if rng.IntN(2) == 0 && total > 0 {
		x.limit = 100 + rng.Int64N(total+1)
	}
	x.cfg = Config{MemoryLimit: x.limit, MaxKills: []int{0, 1, -1}[rng.IntN(3)]}
	x.s = New(x.cfg)
	x.onWorker = make([]WorkerID, n)
	x.held = make([]bool, n)
	x.bytes = make([]int64, n)
	x.resident = make([]bool, n)
	x.finished = make([]bool, n)
	x.released = make([]bool, n)
	x.runs = make([]int, n)
	x.frees = make([]int, n)
	x.requeues = make([]int, n)
	x.started = make([]bool, n)
	return x
}

// newWorker makes a worker of 1 to 3 slots, with 1 to slots threads.
func (x *sim) newWorker(rng *rand.Rand, id WorkerID, k graph.DeviceKind, mem int64) simWorker {
	slots := 1 + rng.IntN(3)
	return simWorker{id: id, kind: k, slots: slots, threads: 1 + rng.IntN(slots), alive: true, memory: mem}
}

func (x *sim) addEvent(w simWorker) Event {
	return Event{Kind: EvAddWorker, Worker: w.id, Device: w.kind, Slots: w.slots, Threads: w.threads, Memory: w.memory}
}

// end is the shell's side of a run ending, whatever the reason: the worker
// slot, a started thread and any steal of it in flight.
func (x *sim) end(id TaskID) {
	if i := slices.Index(x.running, id); i >= 0 {
		x.running = slices.Delete(x.running, i, i+1)
		w := x.worker(x.onWorker[id])
		w.running--
		if x.started[id] {
			w.started--
		}
	}
	x.started[id] = false
	x.steals = slices.DeleteFunc(x.steals, func(t TaskID) bool { return t == id })
}

func (x *sim) describe() string {
	return fmt.Sprintf("%d tasks, %d workers, limit %d, max kills %d, chaos %v, starts %v", len(x.specs), len(x.workers), x.limit, x.cfg.MaxKills, x.chaos, x.starts)
}

func (x *sim) workerLimits() bool {
	return slices.ContainsFunc(x.workers, func(w simWorker) bool { return w.memory > 0 })
}

func (x *sim) worker(id WorkerID) *simWorker {
	for i := range x.workers {
		if x.workers[i].id == id && x.workers[i].alive {
			return &x.workers[i]
		}
	}
	return nil
}

func (x *sim) handle(ev Event) error {
	x.events = append(x.events, ev)
	if ev.Kind == EvRemoveWorker {
		// the shell drops whatever it held on the worker
		x.lost = true
		for id := range x.specs {
			if x.held[id] && x.onWorker[id] == ev.Worker {
				x.held[id], x.resident[id] = false, false
				x.end(TaskID(id))
			}
		}
		x.worker(ev.Worker).alive = false
	}
	out := x.s.Handle(ev, nil)
	for i, c := range out {
		x.log = append(x.log, cmdString(c))
		if err := x.perform(c, i == len(out)-1); err != nil {
			return fmt.Errorf("after %v of task %d: %v: %w", ev.Kind, ev.Task, c, err)
		}
	}
	if err := audit(x.s); err != nil {
		return err
	}
	return x.prompt()
}

func (x *sim) perform(c Command, last bool) error {
	switch c.Kind {
	case CmdRun:
		id := c.Task
		w := x.worker(c.Worker)
		switch {
		case x.failed != nil:
			return errors.New("run after fail")
		case w == nil:
			return errors.New("no such live worker")
		case !x.specs[id].Devices.Has(w.kind):
			return errors.New("infeasible worker kind")
		case w.running >= w.slots:
			return errors.New("worker has no free slot")
		case x.held[id]:
			return errors.New("task already holds a buffer")
		case x.runs[id] > x.requeues[id] && !x.lost:
			return errors.New("task run twice")
		}
		for _, d := range x.specs[id].Deps {
			if !x.resident[d] {
				return fmt.Errorf("dep %d not resident", d)
			}
		}
		if w.memory > 0 {
			load := x.specs[id].OutBytes
			for t := range x.specs {
				if x.held[t] && x.onWorker[t] == w.id {
					load += x.bytes[t]
				}
			}
			if load > w.memory {
				return fmt.Errorf("worker %d would hold %d bytes, over its limit %d", w.id, load, w.memory)
			}
		}
		x.bytes[id] = x.specs[id].OutBytes
		w.running++
		x.runs[id]++
		x.held[id] = true
		x.onWorker[id] = c.Worker
		x.running = append(x.running, id)
	case CmdFree:
		id := c.Task
		if !x.held[id] {
			return errors.New("free of a task holding nothing")
		}
		if x.failed == nil {
			if x.specs[id].Want && !x.released[id] {
				return errors.New("free of an unreleased wanted output")
			}
			for _, u := range x.users[id] {
				if !x.finished[u] {
					return fmt.Errorf("free before dependent %d finished", u)
				}
			}
		}
		x.held[id], x.resident[id] = false, false
		x.frees[id]++
		x.end(id) // when it ended after a failure
	case CmdSteal:
		id := c.Task
		v := x.worker(c.Worker)
		switch {
		case !x.starts:
			return errors.New("steal without EvStarted")
		case x.failed != nil:
			return errors.New("steal after fail")
		case v == nil || !slices.Contains(x.running, id) || x.onWorker[id] != c.Worker:
			return errors.New("steal of a task not running on that worker")
		case x.started[id]:
			return errors.New("steal of a started task")
		case slices.Contains(x.steals, id):
			return errors.New("second steal of a task in flight")
		case v.running <= v.threads:
			return errors.New("steal from a worker without backlog")
		}
		if !slices.ContainsFunc(x.workers, func(w simWorker) bool {
			return w.alive && w.id != v.id && w.running < w.threads && x.specs[id].Devices.Has(w.kind)
		}) {
			return errors.New("steal with no idle thread to take it")
		}
		x.steals = append(x.steals, id)
	case CmdDone:
		if x.done++; x.done > 1 || x.failed != nil {
			return errors.New("done twice or after fail")
		}
		for id := range x.specs {
			if x.specs[id].Want && !x.released[id] && !x.resident[id] {
				return fmt.Errorf("done with wanted %d not resident", id)
			}
		}
	case CmdFail:
		if x.failed != nil {
			return errors.New("second fail")
		}
		if c.Err == nil || errors.Is(c.Err, ErrIllegal) || errors.Is(c.Err, ErrNoWorker) || errors.Is(c.Err, ErrSubmit) {
			return fmt.Errorf("unexpected error %v", c.Err)
		}
		if errors.Is(c.Err, ErrMemoryLimit) && (x.limit == 0 && !x.workerLimits() || len(x.running) > 0) {
			return errors.New("memory limit failure while tasks run")
		}
		if errors.Is(c.Err, ErrKilledWorker) && (!x.lost || x.cfg.MaxKills < 0 || c.Task == NoTask) {
			return errors.New("killed worker failure without a limit or a lost worker")
		}
		x.failed = c.Err
	case CmdIdle:
		if x.idle++; x.idle > 1 || !last || len(x.running) > 0 {
			return fmt.Errorf("idle: count %d, last %v, running %d", x.idle, last, len(x.running))
		}
	}
	return nil
}

// prompt checks that no output outlives its use: without failures, an
// output nobody wants is freed in the batch where its last dependent
// finished.
func (x *sim) prompt() error {
	if x.failed != nil || x.lost {
		return nil
	}
	for id := range x.specs {
		if !x.resident[id] || x.specs[id].Want && !x.released[id] {
			continue
		}
		if !slices.ContainsFunc(x.users[id], func(u TaskID) bool { return !x.finished[u] || slices.Contains(x.running, u) }) {
			return fmt.Errorf("task %d resident after its last dependent finished", id)
		}
	}
	return nil
}

// startOrAnswer, in some turns, has a worker with a free thread start one
// of its tasks, or answers a steal in flight: EvStolen when the victim has
// not started the task (the shell takes it off the victim's queue); when
// it has, the EvStarted sent then was the answer.
func (x *sim) startOrAnswer(rng *rand.Rand) (Event, bool) {
	if len(x.steals) > 0 && rng.IntN(3) == 0 {
		id := x.steals[rng.IntN(len(x.steals))]
		w := x.onWorker[id]
		x.end(id)
		x.held[id] = false
		x.requeues[id]++
		return Event{Kind: EvStolen, Task: id, Worker: w}, true
	}
	if rng.IntN(2) == 0 {
		return Event{}, false
	}
	var can []TaskID
	for _, id := range x.running {
		if w := x.worker(x.onWorker[id]); !x.started[id] && w.started < w.threads {
			can = append(can, id)
		}
	}
	if len(can) == 0 {
		return Event{}, false
	}
	id := can[rng.IntN(len(can))]
	x.started[id] = true
	x.worker(x.onWorker[id]).started++
	x.steals = slices.DeleteFunc(x.steals, func(t TaskID) bool { return t == id }) // too late
	return Event{Kind: EvStarted, Task: id, Worker: x.onWorker[id]}, true
}

func (x *sim) run(rng *rand.Rand) error {
	for _, w := range x.workers {
		if err := x.handle(x.addEvent(w)); err != nil {
			return err
		}
	}
	if err := x.handle(Event{Kind: EvSubmit, Tasks: x.specs}); err != nil {
		return err
	}
	removals := 0
	for len(x.running) > 0 {
		if x.chaos && x.failed == nil && rng.IntN(40) == 0 {
			ev := Event{Kind: EvCancel, Err: errors.New("cancelled")}
			if rng.IntN(2) == 0 {
				id := x.running[rng.IntN(len(x.running))]
				ev = Event{Kind: EvFailed, Task: id, Worker: x.onWorker[id], Err: fmt.Errorf("task %d broke", id)}
				x.end(id)
			}
			if err := x.handle(ev); err != nil {
				return err
			}
			continue
		}
		if x.chaos && rng.IntN(20) == 0 {
			// a running task gives up: the shell drops what the run held
			id := x.running[rng.IntN(len(x.running))]
			x.end(id)
			x.held[id] = false
			x.requeues[id]++
			if err := x.handle(Event{Kind: EvRequeue, Task: id, Worker: x.onWorker[id]}); err != nil {
				return err
			}
			continue
		}
		if x.chaos && removals < 3 && rng.IntN(15) == 0 {
			removals++
			var alive []int
			for i := range x.workers {
				if x.workers[i].alive {
					alive = append(alive, i)
				}
			}
			old := x.workers[alive[rng.IntN(len(alive))]]
			nw := x.newWorker(rng, WorkerID(100+len(x.workers)), old.kind, old.memory)
			x.workers = append(x.workers, nw)
			// the replacement joins first, so a kind never goes missing
			if err := x.handle(x.addEvent(nw)); err != nil {
				return err
			}
			if err := x.handle(Event{Kind: EvRemoveWorker, Worker: old.id}); err != nil {
				return err
			}
			continue
		}
		if x.starts {
			if ev, ok := x.startOrAnswer(rng); ok {
				if err := x.handle(ev); err != nil {
					return err
				}
				continue
			}
		}
		id := x.running[rng.IntN(len(x.running))]
		if x.starts && !x.started[id] {
			continue // starts first (one of them is always possible)
		}
		w := x.onWorker[id]
		x.end(id)
		bytes := x.specs[id].OutBytes
		if rng.IntN(8) == 0 {
			bytes = rng.Int64N(bytes + 1)
		}
		if x.failed == nil {
			x.finished[id], x.resident[id] = true, true
		}
		x.bytes[id] = bytes
		if err := x.handle(Event{Kind: EvFinished, Task: id, Worker: w, Bytes: bytes}); err != nil {
			return err
		}
	}
	if x.idle != 1 {
		return errors.New("nothing runs but no idle: hung")
	}
	if x.failed == nil {
		if x.done != 1 {
			return errors.New("idle without done")
		}
		for id := range x.specs {
			if x.runs[id] == 0 {
				return fmt.Errorf("task %d never ran", id)
			}
			if !x.lost && (x.runs[id]-x.requeues[id] != 1 || !x.specs[id].Want && x.frees[id] != 1) {
				return fmt.Errorf("task %d: %d runs, %d frees", id, x.runs[id], x.frees[id])
			}
		}
		for _, id := range rng.Perm(len(x.specs)) {
			if x.specs[id].Want {
				x.released[id] = true
				if err := x.handle(Event{Kind: EvReleaseWanted, Task: TaskID(id)}); err != nil {
					return err
				}
			}
		}
	}
	if st := x.s.Stats(); st.Resident != 0 || st.Reserved != 0 {
		return fmt.Errorf("at the end: %d resident, %d reserved", st.Resident, st.Reserved)
	}
	for id := range x.specs {
		if x.held[id] {
			return fmt.Errorf("task %d still held at the end", id)
		}
		if !x.lost && x.frees[id] != x.runs[id]-x.requeues[id] {
			return fmt.Errorf("task %d: %d runs, %d frees", id, x.runs[id], x.frees[id])
		}
	}
	return nil
}
