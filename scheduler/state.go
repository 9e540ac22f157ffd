package scheduler

import (
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/graph"
)

// task is the per-task record; ids index State.tasks.
type task struct {
	outBytes int64  // from the spec: reserved while running
	bytes    int64  // resident bytes while in Memory
	hist     uint64 // last four transitions, 16 bits each, newest low
	prio     int32
	missing  int32 // Waiting: dep occurrences not in Memory
	users    int32 // dependent occurrences not yet finished
	where    int32 // index in State.workers: running there, or resident there; -1 none
	state    TaskState
	devs     graph.DeviceKinds
	heap     uint8 // index in State.heaps of the ready heap for devs
	want     bool
	started  bool // Running: EvStarted came (steal.go)
	steal    bool // Running: a CmdSteal for it is in flight
}

// worker is one worker; removed ones stay (dead) so that indexes hold.
type worker struct {
	id       WorkerID
	kind     graph.DeviceKind
	slots    int32
	running  int32
	alive    bool
	limit    int64 // its own memory limit; 0 none
	resident int64 // bytes of outputs in Memory here
	reserved int64 // OutBytes of tasks running here
	// stealing (steal.go)
	threads  int32    // tasks it executes at once (<= slots)
	started  int32    // running tasks it started
	incoming int32    // steals in flight for it (as thief)
	inBytes  int64    // their OutBytes
	outgoing int32    // steals in flight from it (as victim)
	queue    []TaskID // tasks given to it, maybe not started; stale entries dropped when scanned
}

// State is the central scheduler state machine. The zero value is not
// usable; call New. A State is not safe for concurrent use: the shell
// calls Handle from one goroutine.
type State struct {
	cfg Config
	// extern: the tasks with inputs resident outside the computation
	// (looked up, never iterated)
	extern map[TaskID][]Resident
	tasks  []task
	// deps and users (dependents) of each task, compressed: task i's deps
	// are deps[depAt[i]:depAt[i+1]], its users users[userAt[i]:userAt[i+1]]
	// in ascending id order (a task that reads an input twice appears twice).
	depAt, userAt []int32
	deps, users   []TaskID

	workers    []worker
	loc        []int64  // scratch for placement, one per worker, zero between uses
	freeSlots  [8]int32 // free slots of live workers, by kind bit
	aliveOf    [8]int32 // live workers, by kind bit
	threadsOf  [8]int64 // threads of live workers, by kind bit
	freeKinds  graph.DeviceKinds
	aliveKinds graph.DeviceKinds
	alive      int
	limited    int // live workers with a memory limit of their own

	// kills counts, per task, the workers that died while it ran there;
	// nil until the first such death.
	kills []int32

	// co-assignment of root tasks (coassign.go): the worker that took the
	// last root placed, and how many roots its current group has
	roots    int64
	lastRoot int32
	group    int64

	// stealing (steal.go): on with the first EvStarted; steals in flight,
	// and stolen tasks not yet placed again, with the worker each was
	// stolen for
	stealOn        bool
	steals, stolen []steal
	mark           []bool // scratch for compact, all false between uses

	heaps []readyHeap
	// waiting holds the Waiting tasks by (Priority, id), lazily (headroom.go)
	waiting readyHeap

	count                    [NumTaskStates]int
	resident, reserved, peak int64
	running, runs            int
	wantLeft                 int // wanted tasks not in Memory

	submitted, aborted, doneSent, idleSent bool

	ev  EventKind // the event being handled, for histories
	bug error     // first internal inconsistency, ends the computation
}

// New returns an empty State: no workers, no tasks.
func New(cfg Config) *State {
	if cfg.MaxKills == 0 {
		cfg.MaxKills = defaultMaxKills
	}
	return &State{cfg: cfg, lastRoot: -1}
}

// Handle applies one event and appends the resulting commands to out,
// returning it. See the package documentation for their order.
func (s *State) Handle(ev Event, out []Command) []Command {
	s.ev = ev.Kind
	switch ev.Kind {
	case EvAddWorker:
		out = s.addWorker(ev, out)
	case EvSubmit:
		out = s.submit(ev, out)
	case EvFinished:
		out = s.finished(ev, out)
	case EvFailed:
		out = s.failed(ev, out)
	case EvCancel:
		if !s.aborted {
			err := ev.Err
			if err == nil {
				err = ErrCancelled
			}
			out = s.abort(NoTask, err, out)
		}
	case EvReleaseWanted:
		out = s.releaseWanted(ev, out)
	case EvRemoveWorker:
		out = s.removeWorker(ev, out)
	case EvRequeue:
		out = s.requeue(ev, out)
	case EvStarted:
		out = s.started(ev, out)
	case EvStolen:
		out = s.stolenBack(ev, out)
	default:
		out = s.abort(NoTask, fmt.Errorf("%w: unknown event kind %v", ErrIllegal, ev.Kind), out)
	}
	if s.bug != nil && !s.aborted {
		out = s.abort(NoTask, s.bug, out)
	}
	if s.submitted && !s.aborted {
		out = s.checkStuck(out)
		if !s.aborted && s.wantLeft == 0 && !s.doneSent {
			s.doneSent = true
			out = append(out, Command{Kind: CmdDone, Task: NoTask})
		}
		out = s.dispatch(out)
		if s.stealOn && !s.aborted {
			out = s.balance(out)
		}
	}
	if !s.idleSent && s.running == 0 && (s.aborted || s.submitted && s.count[Waiting]+s.count[Ready] == 0) {
		s.idleSent = true
		out = append(out, Command{Kind: CmdIdle, Task: NoTask})
	}
	return out
}

// Stats returns a snapshot of the accounting.
func (s *State) Stats() Stats {
	return Stats{
		Tasks:        s.count,
		Resident:     s.resident,
		Reserved:     s.reserved,
		PeakResident: s.peak,
		Runs:         s.runs,
		Workers:      s.alive,
	}
}

// WorkerStats returns the accounting of live worker id: bytes of outputs
// resident there, OutBytes reserved by tasks running there, and how many
// run there. All zero for a worker that is not live.
func (s *State) WorkerStats(id WorkerID) (resident, reserved int64, running int) {
	wi := s.findWorker(id)
	if wi < 0 {
		return 0, 0, 0
	}
	w := &s.workers[wi]
	return w.resident, w.reserved, int(w.running)
}

// TaskState returns the state of task id (Waiting for an unknown id).
func (s *State) TaskState(id TaskID) TaskState {
	if id < 0 || int(id) >= len(s.tasks) {
		return Waiting
	}
	return s.tasks[id].state
}

func (s *State) depsOf(id TaskID) []TaskID  { return s.deps[s.depAt[id]:s.depAt[id+1]] }
func (s *State) usersOf(id TaskID) []TaskID { return s.users[s.userAt[id]:s.userAt[id+1]] }

// submit takes the whole graph: checks it, builds the adjacency and makes
// the tasks without deps ready.
func (s *State) submit(ev Event, out []Command) []Command {
	if s.aborted {
		return out
	}
	if s.submitted {
		return s.abort(NoTask, fmt.Errorf("%w: a second submit (one per State)", ErrIllegal), out)
	}
	specs := ev.Tasks
	n := len(specs)
	if int64(n) > 1<<31-1 {
		return s.abort(NoTask, fmt.Errorf("%w: %d tasks (at most 2^31-1)", ErrSubmit, n), out)
	}
	nd := 0
	for i := range specs {
		sp := &specs[i]
		for _, d := range sp.Deps {
			if d < 0 || int(d) >= n {
				return s.abort(TaskID(i), fmt.Errorf("%w: task %d: dep %d out of range [0,%d)", ErrSubmit, i, d, n), out)
			}
		}
		if sp.OutBytes < 0 {
			return s.abort(TaskID(i), fmt.Errorf("%w: task %d: OutBytes %d < 0", ErrSubmit, i, sp.OutBytes), out)
		}
		if sp.Devices == 0 {
			return s.abort(TaskID(i), fmt.Errorf("%w: task %d: no device kinds", ErrSubmit, i), out)
		}
		nd += len(sp.Deps)
	}
	s.submitted = true
	s.tasks = make([]task, n)
	s.depAt = make([]int32, n+1)
	s.userAt = make([]int32, n+1)
	s.deps = make([]TaskID, nd)
	s.users = make([]TaskID, nd)
	at := int32(0)
	for i := range specs {
		sp := &specs[i]
		s.depAt[i] = at
		at += int32(copy(s.deps[at:], sp.Deps))
		for _, d := range sp.Deps {
			s.userAt[d+1]++
		}
		t := &s.tasks[i]
		*t = task{outBytes: sp.OutBytes, prio: sp.Priority, missing: int32(len(sp.Deps)),
			where: -1, devs: sp.Devices, heap: s.heapFor(sp.Devices), want: sp.Want}
		if sp.Want {
			s.wantLeft++
		}
		if len(sp.Extern) > 0 {
			if s.extern == nil {
				s.extern = map[TaskID][]Resident{}
			}
			s.extern[TaskID(i)] = slices.Clone(sp.Extern)
		}
	}
	s.depAt[n] = at
	for i := 0; i < n; i++ {
		s.userAt[i+1] += s.userAt[i]
	}
	fill := make([]int32, n) // next free place in users, per task
	copy(fill, s.userAt[:n])
	for i := range specs {
		for _, d := range specs[i].Deps {
			s.users[fill[d]] = TaskID(i)
			fill[d]++
			s.tasks[d].users++
		}
	}
	s.count[Waiting] = n
	if id, ok := s.findCycle(fill); !ok {
		return s.abort(id, fmt.Errorf("%w: task %d is on a cycle", ErrSubmit, id), out)
	}
	for i := range s.tasks {
		if s.tasks[i].missing == 0 {
			if s.extern[TaskID(i)] == nil {
				s.roots++
			}
			s.transition(TaskID(i), Ready)
		} else if s.cfg.MemoryLimit > 0 {
			s.pushWaiting(TaskID(i))
		}
	}
	return out
}

// findCycle runs Kahn's algorithm over the adjacency, using scratch (len
// n) for the in-degrees; it returns the lowest id left on a cycle.
func (s *State) findCycle(scratch []int32) (TaskID, bool) {
	indeg := scratch
	queue := make([]TaskID, 0, len(s.tasks))
	for i := range s.tasks {
		indeg[i] = s.tasks[i].missing
		if indeg[i] == 0 {
			queue = append(queue, TaskID(i))
		}
	}
	for q := 0; q < len(queue); q++ {
		for _, u := range s.usersOf(queue[q]) {
			indeg[u]--
			if indeg[u] == 0 {
				queue = append(queue, u)
			}
		}
	}
	if len(queue) == len(s.tasks) {
		return 0, true
	}
	for i := range indeg {
		if indeg[i] > 0 {
			return TaskID(i), false
		}
	}
	return 0, false
}

// checkTask reports an illegal event for an id that is not a task.
func (s *State) checkTask(ev Event, out []Command) ([]Command, bool) {
	if !s.submitted {
		return s.abort(NoTask, fmt.Errorf("%w: %v for task %d before submit", ErrIllegal, ev.Kind, ev.Task), out), false
	}
	if ev.Task < 0 || int(ev.Task) >= len(s.tasks) {
		return s.abort(NoTask, fmt.Errorf("%w: %v for task %d: no such task (%d tasks)", ErrIllegal, ev.Kind, ev.Task, len(s.tasks)), out), false
	}
	return out, true
}

// checkRunning reports an illegal end of a task that is not running on
// ev.Worker.
func (s *State) checkRunning(ev Event, out []Command) ([]Command, bool) {
	out, ok := s.checkTask(ev, out)
	if !ok {
		return out, false
	}
	t := &s.tasks[ev.Task]
	to := Memory
	switch ev.Kind {
	case EvFailed:
		to = Erred
	case EvRequeue, EvStolen:
		to = Ready
	case EvStarted:
		to = Running
	}
	switch {
	case t.state != Running:
		return s.report(ev, to, "not running", out), false
	case s.workers[t.where].id != ev.Worker:
		return s.report(ev, to, fmt.Sprintf("reported by worker %d", ev.Worker), out), false
	case ev.Kind == EvFinished && (ev.Bytes < 0 || ev.Bytes > t.outBytes):
		return s.report(ev, to, fmt.Sprintf("%d bytes reported, at most %d expected", ev.Bytes, t.outBytes), out), false
	}
	return out, true
}

// report ends the computation with an illegal-event error for ev.Task;
// after a failure it only drops the event.
func (s *State) report(ev Event, to TaskState, why string, out []Command) []Command {
	if s.aborted {
		return out
	}
	return s.abort(ev.Task, s.illegal(ev, ev.Task, to, why), out)
}

// finished: a running task's output is resident.
func (s *State) finished(ev Event, out []Command) []Command {
	out, ok := s.checkRunning(ev, out)
	if !ok {
		return out
	}
	id := ev.Task
	t := &s.tasks[id]
	if s.aborted {
		s.transition(id, Released)
		return append(out, Command{Kind: CmdFree, Task: id})
	}
	t.bytes = ev.Bytes
	s.transition(id, Memory)
	for _, d := range s.depsOf(id) {
		dt := &s.tasks[d]
		dt.users--
		if dt.users == 0 && !dt.want && dt.state == Memory {
			out = s.free(d, out)
		}
	}
	if t.want {
		s.wantLeft--
	} else if t.users == 0 {
		out = s.free(id, out)
	}
	for _, u := range s.usersOf(id) {
		ut := &s.tasks[u]
		if ut.state == Waiting {
			ut.missing--
			if ut.missing == 0 {
				s.transition(u, Ready)
			}
		}
	}
	return out
}

// free releases a resident output.
func (s *State) free(id TaskID, out []Command) []Command {
	s.transition(id, Released)
	return append(out, Command{Kind: CmdFree, Task: id})
}

// failed: a running task's kernel failed.
func (s *State) failed(ev Event, out []Command) []Command {
	out, ok := s.checkRunning(ev, out)
	if !ok {
		return out
	}
	s.transition(ev.Task, Erred)
	if s.aborted {
		return append(out, Command{Kind: CmdFree, Task: ev.Task})
	}
	err := ev.Err
	if err == nil {
		err = fmt.Errorf("scheduler: task %d failed", ev.Task)
	}
	s.aborted = true
	out = append(out, Command{Kind: CmdFail, Task: ev.Task, Err: err}, Command{Kind: CmdFree, Task: ev.Task})
	return s.dropAll(out)
}

// requeue: a running task gave up without output and without error. It
// goes back to ready, or to waiting when an input was lost meanwhile (a
// freed one is computed again, as after removeWorker). Not a failure.
func (s *State) requeue(ev Event, out []Command) []Command {
	out, ok := s.checkRunning(ev, out)
	if !ok {
		return out
	}
	s.rerun(ev.Task)
	return out
}

// rerun takes running task id back without output: ready when all its
// inputs are resident, else waiting; cancelled after a failure.
func (s *State) rerun(id TaskID) {
	if s.aborted {
		s.transition(id, Cancelled)
		return
	}
	for _, d := range s.depsOf(id) {
		if s.tasks[d].state != Memory {
			s.transition(id, Waiting)
			s.gather(id)
			return
		}
	}
	s.transition(id, Ready)
}

// releaseWanted: the client is done with a wanted output.
func (s *State) releaseWanted(ev Event, out []Command) []Command {
	out, ok := s.checkTask(ev, out)
	if !ok || s.aborted {
		return out
	}
	t := &s.tasks[ev.Task]
	if !t.want {
		return s.report(ev, Released, "not wanted, or released already", out)
	}
	t.want = false
	switch t.state {
	case Memory:
		if t.users == 0 {
			out = s.free(ev.Task, out)
		}
	default: // not computed yet, or lost after CmdDone: nothing to free
		s.wantLeft--
	}
	return out
}

// abort ends the computation: CmdFail, then everything not running is
// cancelled or freed. Running tasks are freed as they end.
func (s *State) abort(id TaskID, err error, out []Command) []Command {
	s.aborted = true
	out = append(out, Command{Kind: CmdFail, Task: id, Err: err})
	return s.dropAll(out)
}

func (s *State) dropAll(out []Command) []Command {
	for i := range s.tasks {
		switch s.tasks[i].state {
		case Waiting, Ready:
			s.transition(TaskID(i), Cancelled)
		case Memory:
			out = s.free(TaskID(i), out)
		}
	}
	for i := range s.heaps {
		s.heaps[i].keys = s.heaps[i].keys[:0]
	}
	s.stolen = s.stolen[:0]
	return out
}
