package scheduler

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
)

// Work stealing, as a state machine. A shell may give a worker more slots
// than threads (EvAddWorker Threads < Slots): the tasks beyond its threads
// wait in its queue, so a task Running here may not have started there.
// With EvStarted the shell says when one did; stealing is on from the
// first EvStarted (a shell that never sends it never sees a CmdSteal).
//
// At the end of each Handle, after dispatch, a live worker (the thief) with
// an idle thread (fewer tasks given to it, plus steals in flight for it,
// than its threads) and no ready task it could run (one held back by
// memory does not count as nothing: it waits) asks for one task from the
// worker with the most backlog (tasks given to it beyond what its threads
// and started tasks take, minus steals in flight from it; ties to the
// lowest WorkerID) among those holding a task it can take:
// CmdSteal{Task, Worker: victim}, Task being the victim's not-started task
// that comes last in (Priority, id) order among those the thief's kind can
// run and that fit its own memory limit beside the steals already in
// flight for it. Each worker keeps a queue of the tasks given to it, maybe
// not started, compacted as it is scanned. Thieves go in the order they were
// added; each asks for at most one task per idle thread. A victim whose
// own threads will soon take its queued tasks (no backlog) is left alone.
//
// The answer is EvStolen (the victim had not started it and gave it back:
// Running -> Ready, or Waiting when an input was lost meanwhile, like
// EvRequeue), after which the task is dispatched as usual, in order, and
// placed on the thief when the thief still has a free slot and room; or
// EvStarted (too late: the steal is void, the task runs on). A task that
// ends first (EvFinished, EvFailed, EvRequeue) or a victim removed voids
// the steal without an answer. Void steals free the thief's idle thread
// for another steal at once.

// steal pairs a task with the worker (index) it is stolen for.
type steal struct {
	task  TaskID
	thief int32
}

// started: Task began executing on Worker.
func (s *State) started(ev Event, out []Command) []Command {
	out, ok := s.checkRunning(ev, out)
	if !ok {
		return out
	}
	t := &s.tasks[ev.Task]
	if t.started {
		return s.report(ev, Running, "started already", out)
	}
	t.started = true
	s.workers[t.where].started++
	if t.steal {
		s.endSteal(ev.Task) // too late
	}
	if !s.stealOn {
		s.stealOn = true
		for i := range s.tasks {
			if u := &s.tasks[i]; u.state == Running && !u.started {
				w := &s.workers[u.where]
				w.queue = append(w.queue, TaskID(i))
			}
		}
	}
	return out
}

// stolenBack: the victim gave Task back before starting it.
func (s *State) stolenBack(ev Event, out []Command) []Command {
	out, ok := s.checkRunning(ev, out)
	if !ok {
		return out
	}
	id := ev.Task
	if !s.tasks[id].steal {
		return s.report(ev, Ready, "no steal of it in flight (started, or never asked)", out)
	}
	thief := s.endSteal(id)
	s.rerun(id)
	if !s.aborted && s.workers[thief].alive {
		s.stolen = append(s.stolen, steal{task: id, thief: thief})
	}
	return out
}

// endSteal ends the steal of task id in flight, whatever the outcome, and
// returns the thief.
func (s *State) endSteal(id TaskID) int32 {
	t := &s.tasks[id]
	t.steal = false
	s.workers[t.where].outgoing--
	for i, st := range s.steals {
		if st.task == id {
			s.steals = append(s.steals[:i], s.steals[i+1:]...)
			s.workers[st.thief].incoming--
			s.workers[st.thief].inBytes -= t.outBytes
			return st.thief
		}
	}
	if s.bug == nil {
		s.bug = fmt.Errorf("%w: internal: task %d: steal flag without a steal in flight", ErrIllegal, id)
	}
	return 0
}

// stolenFor returns the worker ready task id was stolen for if it can
// take it now (alive, a free slot, its kind, room), else -1; either way
// the task is placed only once on that account.
func (s *State) stolenFor(id TaskID) int32 {
	for i, st := range s.stolen {
		if st.task != id {
			continue
		}
		s.stolen = append(s.stolen[:i], s.stolen[i+1:]...)
		w := &s.workers[st.thief]
		t := &s.tasks[id]
		if w.alive && w.running < w.slots && t.devs.Has(w.kind) && w.room(t) {
			return st.thief
		}
		return -1
	}
	return -1
}

// backlog is how many of w's tasks will wait in its queue whatever its
// threads do, less those being stolen.
func (w *worker) backlog() int32 {
	return w.running - max(w.threads, w.started) - w.outgoing
}

// balance asks for steals for the workers with idle threads.
func (s *State) balance(out []Command) []Command {
	for i := range s.workers {
		w := &s.workers[i]
		for w.alive && w.running+w.incoming < w.threads {
			if s.next(graph.DeviceKinds(w.kind)) >= 0 {
				break // something is ready for it (held back by memory)
			}
			id, v := s.victimTask(int32(i))
			if v < 0 {
				break
			}
			s.tasks[id].steal = true
			s.steals = append(s.steals, steal{task: id, thief: int32(i)})
			w.incoming++
			w.inBytes += s.tasks[id].outBytes
			s.workers[v].outgoing++
			out = append(out, Command{Kind: CmdSteal, Task: id, Worker: s.workers[v].id})
		}
	}
	return out
}

// victimTask picks the task to steal for thief: from the live worker with
// the most backlog (ties to the lowest WorkerID) that has a candidate,
// its not-started task last in (Priority, id) order that thief can run
// and has room for beside the steals in flight for it. -1, -1 if none.
func (s *State) victimTask(thief int32) (TaskID, int32) {
	tw := &s.workers[thief]
	bestID, bestV := TaskID(-1), int32(-1)
	for vi := range s.workers {
		v := &s.workers[vi]
		if !v.alive || v.backlog() <= 0 {
			continue
		}
		if bestV >= 0 {
			b := &s.workers[bestV]
			if v.backlog() < b.backlog() || v.backlog() == b.backlog() && v.id > b.id {
				continue
			}
		}
		s.compact(int32(vi))
		cand, candKey := TaskID(-1), uint64(0)
		for _, id := range v.queue {
			t := &s.tasks[id]
			if k := heapKey(t.prio, id); !t.steal && (cand < 0 || k > candKey) && t.devs.Has(tw.kind) &&
				(tw.limit <= 0 || tw.resident+tw.reserved+tw.inBytes+t.outBytes <= tw.limit) {
				cand, candKey = id, k
			}
		}
		if cand >= 0 {
			bestID, bestV = cand, int32(vi)
		}
	}
	return bestID, bestV
}

// compact drops from worker wi's queue the tasks no longer running there
// unstarted, and repeats (a task run there again after a requeue or a
// steal appears twice).
func (s *State) compact(wi int32) {
	w := &s.workers[wi]
	if s.mark == nil {
		s.mark = make([]bool, len(s.tasks))
	}
	q := w.queue[:0]
	for _, id := range w.queue {
		t := &s.tasks[id]
		if t.state != Running || t.where != wi || t.started || s.mark[id] {
			continue
		}
		s.mark[id] = true
		q = append(q, id)
	}
	for _, id := range q {
		s.mark[id] = false
	}
	w.queue = q
}
