package scheduler

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/blockwork-dev/blockwork/graph"
)

// readyHeap is a binary min-heap of ready tasks that share one set of
// device kinds, keyed by (Priority, id) packed in a uint64. Entries go
// stale instead of being removed (a ready task whose input is lost goes
// back to waiting); a popped entry counts only if its task is Ready.
type readyHeap struct {
	devs graph.DeviceKinds
	keys []uint64
}

func heapKey(prio int32, id TaskID) uint64 {
	return uint64(uint32(prio)^1<<31)<<32 | uint64(uint32(id))
}

func keyTask(k uint64) TaskID { return TaskID(uint32(k)) }

func (h *readyHeap) push(k uint64) {
	h.keys = append(h.keys, k)
	a := h.keys
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p] <= k {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = k
}

func (h *readyHeap) pop() {
	a := h.keys
	n := len(a) - 1
	k := a[n]
	h.keys = a[:n]
	a = a[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && a[c+1] < a[c] {
			c++
		}
		if k <= a[c] {
			break
		}
		a[i] = a[c]
		i = c
	}
	if n > 0 {
		a[i] = k
	}
}

// heapFor returns the index of the heap for devs, making it on first use
// (in order of first appearance, so deterministically).
func (s *State) heapFor(devs graph.DeviceKinds) uint8 {
	for i := range s.heaps {
		if s.heaps[i].devs == devs {
			return uint8(i)
		}
	}
	s.heaps = append(s.heaps, readyHeap{devs: devs})
	return uint8(len(s.heaps) - 1)
}

func (s *State) push(id TaskID) {
	t := &s.tasks[id]
	s.heaps[t.heap].push(heapKey(t.prio, id))
}

// top drops stale entries of heap h and returns its first ready task.
func (s *State) top(h *readyHeap) (TaskID, bool) {
	for len(h.keys) > 0 {
		id := keyTask(h.keys[0])
		if s.tasks[id].state == Ready {
			return id, true
		}
		h.pop()
	}
	return 0, false
}

// next returns the heap whose first ready task comes first in (Priority,
// id) order among the heaps some live worker of kinds can run; -1 if none.
func (s *State) next(kinds graph.DeviceKinds) int {
	best, bestKey := -1, uint64(0)
	for i := range s.heaps {
		h := &s.heaps[i]
		if h.devs&kinds == 0 {
			continue
		}
		if _, ok := s.top(h); ok && (best < 0 || h.keys[0] < bestKey) {
			best, bestKey = i, h.keys[0]
		}
	}
	return best
}

func (s *State) fits(t *task) bool {
	return s.cfg.MemoryLimit <= 0 || s.resident+s.reserved+t.outBytes <= s.cfg.MemoryLimit
}

// room reports whether t's output fits beside what worker w holds and
// has reserved, under w's own limit. A worker without room is paused for
// t: placement passes it over until frees make room.
func (w *worker) room(t *task) bool {
	return w.limit <= 0 || w.resident+w.reserved+t.outBytes <= w.limit
}

// placeable reports whether some live worker with a free slot, of a kind
// that can run t, has room for it.
func (s *State) placeable(t *task) bool {
	for i := range s.workers {
		w := &s.workers[i]
		if w.alive && w.running < w.slots && t.devs.Has(w.kind) && w.room(t) {
			return true
		}
	}
	return false
}

// firstFit returns the first ready task in (Priority, id) order that a
// worker with a free slot can run and that fits under the limit and on
// such a worker; -1 if none. It scans every heap: used only when nothing
// runs.
func (s *State) firstFit() TaskID {
	best, bestKey := TaskID(-1), uint64(0)
	for i := range s.heaps {
		h := &s.heaps[i]
		if h.devs&s.freeKinds == 0 {
			continue
		}
		for _, k := range h.keys {
			id := keyTask(k)
			t := &s.tasks[id]
			if t.state == Ready && (best < 0 || k < bestKey) && s.fits(t) && (s.limited == 0 || s.placeable(t)) {
				best, bestKey = id, k
			}
		}
	}
	return best
}

// checkStuck ends the computation when it cannot go on: a ready task no
// live worker kind can run (once a worker exists), or nothing running and
// no ready task fitting under the memory limit and on a worker.
func (s *State) checkStuck(out []Command) []Command {
	if s.count[Ready] == 0 || s.alive == 0 {
		return out
	}
	bad, badKey := TaskID(-1), uint64(0)
	for i := range s.heaps {
		h := &s.heaps[i]
		if h.devs&s.aliveKinds != 0 {
			continue
		}
		if id, ok := s.top(h); ok && (bad < 0 || h.keys[0] < badKey) {
			bad, badKey = id, h.keys[0]
		}
	}
	if bad >= 0 {
		return s.abort(bad, fmt.Errorf("%w %d: it runs on %v, the workers are %v",
			ErrNoWorker, bad, kindsString(s.tasks[bad].devs), kindsString(s.aliveKinds)), out)
	}
	if s.running > 0 || s.cfg.MemoryLimit <= 0 && s.limited == 0 {
		return out
	}
	i := s.next(s.freeKinds)
	if i < 0 {
		return out
	}
	head := keyTask(s.heaps[i].keys[0])
	t := &s.tasks[head]
	if s.fits(t) && (s.limited == 0 || s.placeable(t)) || s.firstFit() >= 0 {
		return out
	}
	// Spilling goes here: pick resident outputs to move down a tier (on
	// the workers that could run head, when their own limits stop it)
	// until head fits, and fail only when nothing can be spilled.
	if !s.fits(t) {
		return s.abort(head, fmt.Errorf("%w: task %d needs %d bytes, %d resident, limit %d, nothing running",
			ErrMemoryLimit, head, t.outBytes, s.resident, s.cfg.MemoryLimit), out)
	}
	return s.abort(head, fmt.Errorf("%w: task %d needs %d bytes, no worker that can run it has room, nothing running:%s",
		ErrMemoryLimit, head, t.outBytes, s.workerMemory(t)), out)
}

// workerMemory lists what the live workers that can run t hold, against
// their limits, for an error (the first 8).
func (s *State) workerMemory(t *task) string {
	var b strings.Builder
	n := 0
	for i := range s.workers {
		w := &s.workers[i]
		if !w.alive || !t.devs.Has(w.kind) {
			continue
		}
		if n++; n > 8 {
			continue
		}
		if n > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " worker %d holds %d of %d", w.id, w.resident+w.reserved, w.limit)
	}
	if n > 8 {
		fmt.Fprintf(&b, " and %d more", n-8)
	}
	return b.String()
}

// dispatch admits ready tasks in (Priority, id) order while a worker slot
// of a feasible kind is free and memory admits them.
func (s *State) dispatch(out []Command) []Command {
	for s.freeKinds != 0 {
		i := s.next(s.freeKinds)
		if i < 0 {
			break
		}
		h := &s.heaps[i]
		id := keyTask(h.keys[0])
		w := int32(-1)
		if s.admits(id) {
			if w = s.place(id); w >= 0 {
				h.pop()
			}
		}
		if w < 0 {
			if s.running > 0 {
				break // strict order: wait for frees
			}
			if id = s.firstFit(); id < 0 {
				break
			}
			w = s.place(id) // firstFit made sure it finds one
			// its heap entry goes stale once it runs
		}
		t := &s.tasks[id]
		t.where = w
		s.transition(id, Running)
		out = append(out, Command{Kind: CmdRun, Task: id, Worker: s.workers[t.where].id})
	}
	return out
}

// place chooses the worker for ready task id among those with a free slot
// of a kind that can run it and room for its output under their own
// memory limit: for a task stolen for a worker, that worker (steal.go);
// for a root task, the worker of the last root's group while the group
// has room (coassign.go); else most bytes of its deps
// resident there, then fewest running tasks, then lowest WorkerID. -1
// when none has room.
func (s *State) place(id TaskID) int32 {
	t := &s.tasks[id]
	ds := s.depsOf(id)
	if len(s.stolen) > 0 {
		if w := s.stolenFor(id); w >= 0 {
			return w
		}
	}
	ext := s.extern[id]
	root := len(ds) == 0 && ext == nil
	if root && s.lastRoot >= 0 && s.joinsGroup(t) {
		s.group++
		return s.lastRoot
	}
	for _, d := range ds {
		if dt := &s.tasks[d]; dt.where >= 0 {
			s.loc[dt.where] += dt.bytes
		}
	}
	for _, r := range ext {
		if wi := s.findWorker(r.Worker); wi >= 0 {
			s.loc[wi] += r.Bytes
		}
	}
	best := int32(-1)
	for i := range s.workers {
		w := &s.workers[i]
		if !w.alive || w.running >= w.slots || !t.devs.Has(w.kind) || !w.room(t) {
			continue
		}
		if best < 0 {
			best = int32(i)
			continue
		}
		b := &s.workers[best]
		switch {
		case s.loc[i] != s.loc[best]:
			if s.loc[i] > s.loc[best] {
				best = int32(i)
			}
		case w.running != b.running:
			if w.running < b.running {
				best = int32(i)
			}
		case w.id < b.id:
			best = int32(i)
		}
	}
	for _, d := range ds {
		if dt := &s.tasks[d]; dt.where >= 0 {
			s.loc[dt.where] = 0
		}
	}
	for _, r := range ext {
		if wi := s.findWorker(r.Worker); wi >= 0 {
			s.loc[wi] = 0
		}
	}
	if root && best >= 0 {
		s.lastRoot, s.group = best, 1 // a new group
	}
	return best
}

func kindBit(k graph.DeviceKind) int { return bits.TrailingZeros8(uint8(k)) }

// addFree adjusts the free slots of w's kind (only while w is alive).
func (s *State) addFree(w *worker, delta int32) {
	if !w.alive {
		return
	}
	b := kindBit(w.kind)
	s.freeSlots[b] += delta
	if s.freeSlots[b] > 0 {
		s.freeKinds |= graph.DeviceKinds(w.kind)
	} else {
		s.freeKinds &^= graph.DeviceKinds(w.kind)
	}
}

func kindsString(ks graph.DeviceKinds) string {
	if ks == 0 {
		return "none"
	}
	str := ""
	for b := 0; b < 8; b++ {
		if k := graph.DeviceKind(1 << b); ks.Has(k) {
			if str != "" {
				str += "|"
			}
			str += k.String()
		}
	}
	return str
}
