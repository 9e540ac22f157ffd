package scheduler

import (
	"fmt"
	"strings"
)

// TaskState is where a task is in its life.
type TaskState uint8

// The task states. A task starts Waiting (Ready at once when it has no deps).
const (
	Waiting   TaskState = iota // an input is not in memory
	Ready                      // all inputs in memory, not yet admitted
	Running                    // given to a worker; OutBytes reserved
	Memory                     // output resident on the worker that made it
	Released                   // output freed, or lost with its worker
	Erred                      // its kernel failed, or Config.MaxKills workers died running it
	Cancelled                  // the computation ended before it ran
	NumTaskStates
)

var stateNames = [...]string{"waiting", "ready", "running", "memory", "released", "erred", "cancelled"}

func (st TaskState) String() string {
	if int(st) < len(stateNames) {
		return stateNames[st]
	}
	return fmt.Sprintf("state(%d)", uint8(st))
}

// An edge does the accounting of one legal transition of task id; the
// caller has set whatever the edge reads (where, bytes) and emits the
// commands. Cascades to other tasks live in the event handlers.
type edge func(s *State, id TaskID)

// edges is the transition table: edges[from][to] is nil when the edge is
// illegal. Filled in init to keep the table free of initialisation cycles.
var edges [NumTaskStates][NumTaskStates]edge

func init() {
	edges[Waiting][Ready] = waitingToReady
	edges[Waiting][Cancelled] = noAccounting
	edges[Ready][Running] = readyToRunning
	edges[Ready][Waiting] = noAccounting // an input was lost; its heap entry goes stale
	edges[Ready][Cancelled] = noAccounting
	edges[Running][Memory] = runningToMemory
	edges[Running][Erred] = runningEnded     // failed, or one worker too many died running it
	edges[Running][Released] = runningEnded  // finished after the computation failed: freed at once
	edges[Running][Cancelled] = runningEnded // its worker was removed, or it was requeued or stolen, after the computation failed
	edges[Running][Waiting] = runningEnded   // its worker was removed, or requeued or stolen with an input lost
	edges[Running][Ready] = runningToReady   // requeued or stolen, its inputs resident
	edges[Memory][Released] = memoryToGone
	edges[Memory][Waiting] = memoryToGone // lost with its worker and still needed
	edges[Released][Waiting] = noAccounting
}

func noAccounting(*State, TaskID) {}

func waitingToReady(s *State, id TaskID) { s.push(id) }

func readyToRunning(s *State, id TaskID) {
	t := &s.tasks[id]
	w := &s.workers[t.where]
	w.running++
	s.addFree(w, -1)
	s.running++
	s.runs++
	s.reserved += t.outBytes
	w.reserved += t.outBytes
	if s.stealOn {
		w.queue = append(w.queue, id)
		if len(w.queue) > 2*int(w.slots)+8 {
			s.compact(t.where) // keeps at most its running tasks
		}
	}
}

func runningToMemory(s *State, id TaskID) {
	t := &s.tasks[id]
	s.unreserve(id)
	s.resident += t.bytes
	s.workers[t.where].resident += t.bytes
	if s.resident > s.peak {
		s.peak = s.resident
	}
}

func runningEnded(s *State, id TaskID) {
	t := &s.tasks[id]
	s.unreserve(id)
	t.where = -1
}

func runningToReady(s *State, id TaskID) {
	runningEnded(s, id)
	s.push(id)
}

func memoryToGone(s *State, id TaskID) {
	t := &s.tasks[id]
	s.resident -= t.bytes
	s.workers[t.where].resident -= t.bytes
	t.bytes = 0
	t.where = -1
}

// unreserve ends a run: the worker's slot and the reservation come back,
// and a steal of it in flight is void.
func (s *State) unreserve(id TaskID) {
	t := &s.tasks[id]
	if t.steal {
		s.endSteal(id)
	}
	w := &s.workers[t.where]
	if t.started {
		t.started = false
		w.started--
	}
	w.running--
	s.addFree(w, 1)
	s.running--
	s.reserved -= t.outBytes
	w.reserved -= t.outBytes
}

// transition moves task id to state to through the table. A missing edge
// here is a bug of this package (the handlers check what events ask for
// first): it is recorded and ends the computation at the end of Handle.
func (s *State) transition(id TaskID, to TaskState) {
	t := &s.tasks[id]
	from := t.state
	e := edges[from][to]
	if e == nil {
		if s.bug == nil {
			s.bug = fmt.Errorf("%w: internal: task %d: no edge %v->%v on %v; history: %s",
				ErrIllegal, id, from, to, s.ev, s.history(id))
		}
		return
	}
	t.hist = t.hist<<16 | uint64(1<<15|uint16(s.ev)<<8|uint16(from)<<4|uint16(to))
	s.count[from]--
	s.count[to]++
	t.state = to
	e(s, id)
	if to == Waiting && s.cfg.MemoryLimit > 0 {
		s.pushWaiting(id)
	}
}

// history renders the last four transitions of task id, oldest first, as
// "from->to on event".
func (s *State) history(id TaskID) string {
	h := s.tasks[id].hist
	var parts []string
	for i := 3; i >= 0; i-- {
		e := uint16(h >> (16 * i))
		if e&(1<<15) == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%v->%v on %v", TaskState(e>>4&0xf), TaskState(e&0xf), EventKind(e>>8&0xf)))
	}
	if len(parts) == 0 {
		return "none (submitted waiting)"
	}
	return strings.Join(parts, ", ")
}

// illegal builds the error for an event that asks task id for the edge
// to its state `to`, which its state does not allow.
func (s *State) illegal(ev Event, id TaskID, to TaskState, why string) error {
	t := &s.tasks[id]
	where := ""
	if t.where >= 0 {
		where = fmt.Sprintf(" (on worker %d)", s.workers[t.where].id)
	}
	return fmt.Errorf("%w: %v for task %d: edge %v->%v%s: %s; history: %s",
		ErrIllegal, ev.Kind, id, t.state, to, where, why, s.history(id))
}
