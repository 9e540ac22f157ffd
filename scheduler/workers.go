package scheduler

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
)

// findWorker returns the index of live worker id, or -1.
func (s *State) findWorker(id WorkerID) int {
	for i := range s.workers {
		if s.workers[i].alive && s.workers[i].id == id {
			return i
		}
	}
	return -1
}

// addWorker: a worker joins. Its index stays valid for the State's life.
func (s *State) addWorker(ev Event, out []Command) []Command {
	switch {
	case s.findWorker(ev.Worker) >= 0:
		return s.reportWorker(ev, "already present", out)
	case ev.Slots < 1 || ev.Slots > 1<<20:
		return s.reportWorker(ev, fmt.Sprintf("%d slots (want 1 to 2^20)", ev.Slots), out)
	case ev.Device != graph.CPU && ev.Device != graph.GPU:
		return s.reportWorker(ev, fmt.Sprintf("device kind %v", ev.Device), out)
	case ev.Memory < 0:
		return s.reportWorker(ev, fmt.Sprintf("memory %d < 0", ev.Memory), out)
	case ev.Threads < 0 || ev.Threads > ev.Slots:
		return s.reportWorker(ev, fmt.Sprintf("%d threads for %d slots (want 0 to slots)", ev.Threads, ev.Slots), out)
	}
	threads := ev.Threads
	if threads == 0 {
		threads = ev.Slots
	}
	s.workers = append(s.workers, worker{id: ev.Worker, kind: ev.Device, slots: int32(ev.Slots), alive: true, limit: ev.Memory, threads: int32(threads)})
	if ev.Memory > 0 {
		s.limited++
	}
	s.loc = append(s.loc, 0)
	w := &s.workers[len(s.workers)-1]
	s.alive++
	s.aliveOf[kindBit(w.kind)]++
	s.threadsOf[kindBit(w.kind)] += int64(w.threads)
	s.aliveKinds |= graph.DeviceKinds(w.kind)
	s.addFree(w, w.slots)
	return out
}

func (s *State) reportWorker(ev Event, why string, out []Command) []Command {
	if s.aborted {
		return out
	}
	return s.abort(NoTask, fmt.Errorf("%w: %v for worker %d: %s", ErrIllegal, ev.Kind, ev.Worker, why), out)
}

// removeWorker: a worker is gone with its running tasks and its outputs.
// Tasks running there count a kill each and go back to waiting (ready
// once their inputs are resident); outputs resident there are forgotten
// without CmdFree and computed again when still needed: a dependent has
// not started, or the task is wanted and CmdDone has not been sent. The
// first task (lowest id) whose kills reach Config.MaxKills is Erred and
// fails the computation with ErrKilledWorker.
func (s *State) removeWorker(ev Event, out []Command) []Command {
	wi := s.findWorker(ev.Worker)
	if wi < 0 {
		return s.reportWorker(ev, "no such live worker", out)
	}
	w := &s.workers[wi]
	s.addFree(w, -(w.slots - w.running))
	w.alive = false
	s.alive--
	if w.limit > 0 {
		s.limited--
	}
	b := kindBit(w.kind)
	s.threadsOf[b] -= int64(w.threads)
	if s.aliveOf[b]--; s.aliveOf[b] == 0 {
		s.aliveKinds &^= graph.DeviceKinds(w.kind)
	}
	killed := TaskID(-1)
	for i := range s.tasks {
		t := &s.tasks[i]
		if t.state != Running || t.where != int32(wi) {
			continue
		}
		if s.aborted {
			s.transition(TaskID(i), Cancelled)
			continue
		}
		if s.kill(TaskID(i)) && killed < 0 {
			killed = TaskID(i)
			s.transition(killed, Erred)
			continue
		}
		s.transition(TaskID(i), Waiting)
		s.gather(TaskID(i))
	}
	for i := range s.tasks {
		t := &s.tasks[i]
		if t.state == Memory && t.where == int32(wi) {
			s.lose(TaskID(i))
		}
	}
	if killed >= 0 {
		n, workers := s.kills[killed], "workers"
		if n == 1 {
			workers = "worker"
		}
		out = s.abort(killed, fmt.Errorf("%w: task %d was running on %d %s that died (the last was worker %d)",
			ErrKilledWorker, killed, n, workers, ev.Worker), out)
	}
	return out
}

// kill counts one worker death against running task id and reports
// whether its kills reached Config.MaxKills.
func (s *State) kill(id TaskID) bool {
	if s.cfg.MaxKills < 0 {
		return false
	}
	if s.kills == nil {
		s.kills = make([]int32, len(s.tasks))
	}
	s.kills[id]++
	return int(s.kills[id]) >= s.cfg.MaxKills
}

// lose forgets the resident output of task id (its worker is gone).
func (s *State) lose(id TaskID) {
	t := &s.tasks[id]
	needed := t.want && !s.doneSent
	for _, u := range s.usersOf(id) {
		ut := &s.tasks[u]
		if ut.state == Ready {
			s.transition(u, Waiting)
			ut.missing = 0
		}
		if ut.state == Waiting {
			ut.missing++
			needed = true
		}
	}
	if t.want {
		s.wantLeft++
	}
	if needed {
		s.reopen(id)
	} else {
		s.transition(id, Released)
	}
}

// reopen makes a finished task whose output is gone (lost, or Released)
// unfinished again: Waiting, counted again by its deps, which are
// themselves reopened if freed.
func (s *State) reopen(id TaskID) {
	s.transition(id, Waiting)
	for _, d := range s.depsOf(id) {
		s.tasks[d].users++
	}
	s.gather(id)
}

// gather counts the inputs of Waiting task id that are not resident,
// reopening those already freed, and makes it Ready when none is missing.
func (s *State) gather(id TaskID) {
	m := int32(0)
	for _, d := range s.depsOf(id) {
		switch s.tasks[d].state {
		case Memory:
		case Released:
			s.reopen(d)
			m++
		default:
			m++
		}
	}
	s.tasks[id].missing = m
	if m == 0 {
		s.transition(id, Ready)
	}
}
