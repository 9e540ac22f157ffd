package scheduler

// Co-assignment of root tasks (Dask's idea, distributed PR #4967): root
// tasks (no deps) that are consecutive in the static order feed the same
// reductions, so they should land on the same worker; spread one by one
// over the least loaded workers, every combine above them would first
// move bytes. So a root goes to the worker that took the root placed
// before it (the previous one in the order, as dispatch goes in order)
// while that worker has a free slot, room for it and its current group
// is under its share of the roots:
//
//	ceil(roots * threads of the worker / threads of live workers of the kinds that can run it)
//
// (threads are the slots unless EvAddWorker says fewer; with equal
// one-thread workers, ceil(roots / total threads)). Otherwise the
// usual placement picks a worker (fewest running, then lowest id; a root
// has no locality) and a new group starts there. Only the initial burst
// and the slots that free up on the group's worker keep a group together:
// when that worker is full the next root goes elsewhere, so a shell that
// gives workers slots beyond their threads (a queue) keeps groups whole.
// Non-root tasks follow their inputs (locality first).

// joinsGroup reports whether root task t may join the group of the
// worker that took the last root.
func (s *State) joinsGroup(t *task) bool {
	w := &s.workers[s.lastRoot]
	if !w.alive || w.running >= w.slots || !t.devs.Has(w.kind) || !w.room(t) {
		return false
	}
	var total int64 // live threads of the kinds that can run t; > 0, w is one of them
	for b, n := range s.threadsOf {
		if t.devs&(1<<b) != 0 {
			total += n
		}
	}
	share := (s.roots*int64(w.threads) + total - 1) / total
	return s.group < share
}
