package scheduler

// Headroom: with a memory limit, admitting every ready task in priority
// order can fill memory with producers (say, the roots of many
// independent branches) until the consumer that would free them cannot
// fit, and the computation fails although it fits when run in order.
// So a ready task that comes after the first waiting task in the static
// order is admitted only if the waiting task's output would still fit
// beside it. The waiting task's dependencies come before it in the order
// and are never held back by this rule, so it cannot stall progress; and
// when nothing runs, dispatch falls back to the first task that fits.

// pushWaiting records that task id is waiting (lazy deletion: entries of
// tasks that left Waiting are dropped when they reach the top).
func (s *State) pushWaiting(id TaskID) {
	s.waiting.push(heapKey(s.tasks[id].prio, id))
}

// firstWaiting is the waiting task earliest in the static order, or -1.
func (s *State) firstWaiting() TaskID {
	for len(s.waiting.keys) > 0 {
		id := keyTask(s.waiting.keys[0])
		if s.tasks[id].state == Waiting {
			return id
		}
		s.waiting.pop()
	}
	return -1
}

// admits reports whether ready task t may start now: it fits under the
// limit, and it leaves room for the first waiting task if it comes after
// it in the static order.
func (s *State) admits(id TaskID) bool {
	t := &s.tasks[id]
	if !s.fits(t) {
		return false
	}
	if s.cfg.MemoryLimit <= 0 {
		return true
	}
	w := s.firstWaiting()
	if w < 0 || heapKey(s.tasks[w].prio, w) > heapKey(t.prio, id) {
		return true
	}
	return s.resident+s.reserved+t.outBytes+s.tasks[w].outBytes <= s.cfg.MemoryLimit
}
