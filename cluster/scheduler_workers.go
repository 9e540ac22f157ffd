package cluster

// The scheduler's side of workers' sessions: registration, reports,
// heartbeats and removal.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/blockwork-dev/blockwork/cluster/proto"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/scheduler"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Connect is a worker's session.
func (s *Scheduler) Connect(stream grpc.BidiStreamingServer[proto.WorkerMessage, proto.SchedulerMessage]) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	reg := first.GetRegister()
	switch {
	case reg == nil:
		return status.Error(codes.InvalidArgument, "cluster: a worker's first message must be Register")
	case reg.ProtocolVersion != ProtocolVersion:
		return status.Errorf(codes.FailedPrecondition, "cluster: worker protocol %d, scheduler %d", reg.ProtocolVersion, ProtocolVersion)
	case reg.Nthreads < 1 || reg.Nthreads > 1<<16 || reg.Slots < reg.Nthreads || reg.Slots > 1<<20:
		return status.Errorf(codes.InvalidArgument, "cluster: worker threads %d, slots %d", reg.Nthreads, reg.Slots)
	case graph.DeviceKind(reg.Device) != graph.CPU && graph.DeviceKind(reg.Device) != graph.GPU:
		return status.Errorf(codes.InvalidArgument, "cluster: worker device kind %d", reg.Device)
	case reg.DataAddress == "" || len(reg.DataAddress) > 1024 || len(reg.Name) > 1024:
		return status.Error(codes.InvalidArgument, "cluster: worker data address missing, or the address or name over 1024 bytes")
	case reg.MemoryLimit < 0:
		return status.Errorf(codes.InvalidArgument, "cluster: worker memory limit %d", reg.MemoryLimit)
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	w := &wconn{reg: reg, alive: true, lastSeen: time.Now(), graphs: map[uint64]bool{}, out: newOutbox(), stop: cancel}
	if !s.do(func() { s.addWorker(w) }) {
		return status.Error(codes.Unavailable, "cluster: scheduler closing")
	}
	// reports: each message becomes one closure on the loop
	go func() {
		defer cancel()
		for {
			m, err := stream.Recv()
			if err != nil {
				s.do(func() { s.removeWorker(w, fmt.Sprintf("connection lost: %v", err)) })
				return
			}
			if !s.do(func() { s.workerMessage(w, m) }) {
				return
			}
		}
	}()
	for {
		msgs, ok := w.out.wait(ctx)
		if !ok {
			s.do(func() { s.removeWorker(w, "session ended") })
			return ctx.Err()
		}
		for _, m := range msgs {
			if err := stream.Send(m); err != nil {
				s.do(func() { s.removeWorker(w, fmt.Sprintf("send failed: %v", err)) })
				return err
			}
		}
	}
}

func (s *Scheduler) addWorker(w *wconn) {
	s.nextWorker++
	w.id = s.nextWorker
	s.workers[w.id] = w
	s.order = append(s.order, w.id)
	w.out.push(&proto.SchedulerMessage{Msg: &proto.SchedulerMessage_Registered{Registered: &proto.Registered{
		WorkerId: w.id, HeartbeatIntervalMs: s.cfg.heartbeat.Milliseconds()}}})
	for _, c := range s.sortedComps() {
		s.handle(c, s.addEvent(w))
	}
}

func (s *Scheduler) addEvent(w *wconn) scheduler.Event {
	return scheduler.Event{Kind: scheduler.EvAddWorker, Worker: scheduler.WorkerID(w.id),
		Device: graph.DeviceKind(w.reg.Device), Slots: int(w.reg.Slots), Threads: int(w.reg.Nthreads), Memory: w.reg.MemoryLimit}
}

// removeWorker drops a worker: every computation recomputes what it
// held; persisted chunks move to a replica or are marked lost.
func (s *Scheduler) removeWorker(w *wconn, why string) {
	if !w.alive {
		return
	}
	w.alive = false
	w.stop()
	w.out.close()
	delete(s.workers, w.id)
	s.order = slices.DeleteFunc(s.order, func(id uint64) bool { return id == w.id })
	for _, c := range s.sortedComps() {
		// the state machine sends no free for outputs lost with a worker:
		// drop their replicas now (a queued reader that counted on one
		// fetches again, or is requeued)
		for id, holder := range c.where {
			if holder == w.id && len(c.replicas[int32(id)]) > 0 {
				key := s.chunkKey(c, scheduler.TaskID(id))
				for _, r := range c.replicas[int32(id)] {
					if rw := s.workers[r]; rw != nil {
						m := s.cmds(rw)
						m.Free = append(m.Free, key)
					}
				}
				delete(c.replicas, int32(id))
			}
		}
		s.handle(c, scheduler.Event{Kind: scheduler.EvRemoveWorker, Worker: scheduler.WorkerID(w.id)})
	}
	for _, p := range s.persisted {
		p.replicas = slices.DeleteFunc(p.replicas, func(id uint64) bool { return id == w.id })
		// a replica is recorded when a reader is dispatched, before it
		// fetches: it may not exist, so it is not promoted
		if p.holder == w.id {
			if p.lost == "" {
				p.lost = fmt.Sprintf("worker %s (%s) that held it is gone: %s", w.reg.Name, w.reg.DataAddress, why)
			}
		}
	}
}

func (s *Scheduler) workerMessage(w *wconn, m *proto.WorkerMessage) {
	if !w.alive {
		return
	}
	w.lastSeen = time.Now()
	switch m := m.Msg.(type) {
	case *proto.WorkerMessage_Heartbeat:
		w.resident, w.running = m.Heartbeat.ResidentBytes, m.Heartbeat.Running
	case *proto.WorkerMessage_Reports:
		s.reports(w, m.Reports)
	}
}

func (s *Scheduler) reports(w *wconn, r *proto.Reports) {
	wid := scheduler.WorkerID(w.id)
	var touched []*comp // in first-report order
	task := func(cid uint64, gi uint32) (*comp, scheduler.TaskID, bool) {
		c := s.comps[cid]
		if c == nil || int(gi) >= len(c.sid) || c.sid[gi] == 0 {
			return nil, 0, false
		}
		if !c.touched {
			c.touched = true
			touched = append(touched, c)
		}
		return c, scheduler.TaskID(c.sid[gi] - 1), true
	}
	for _, st := range r.Started {
		if c, id, ok := task(st.Computation, st.Task); ok {
			c.evs = append(c.evs, scheduler.Event{Kind: scheduler.EvStarted, Task: id, Worker: wid})
		}
	}
	for _, st := range r.Stolen {
		if c, id, ok := task(st.Computation, st.Task); ok {
			c.evs = append(c.evs, scheduler.Event{Kind: scheduler.EvStolen, Task: id, Worker: wid})
		}
	}
	for _, d := range r.Done {
		if c, id, ok := task(d.Computation, d.Task); ok && c.where[id] == w.id {
			c.evs = append(c.evs, scheduler.Event{Kind: scheduler.EvFinished, Task: id, Worker: wid, Bytes: d.Bytes})
			c.done++
		}
	}
	var drop []string
	for _, f := range r.Failed {
		c, id, ok := task(f.Computation, f.Task)
		if !ok || c.where[id] != w.id {
			continue
		}
		switch {
		case f.Unreachable && c.unreachable < maxUnreachable:
			// an input's holder is gone (dropped below) or lost the chunk;
			// a computation that keeps hitting this fails instead of
			// looping
			c.unreachable++
			c.evs = append(c.evs, scheduler.Event{Kind: scheduler.EvRequeue, Task: id, Worker: wid})
			if f.Peer != "" {
				drop = append(drop, f.Peer)
			}
		case c.attempts[int32(id)] < c.retries:
			c.attempts[int32(id)]++
			c.evs = append(c.evs, scheduler.Event{Kind: scheduler.EvRequeue, Task: id, Worker: wid})
		default:
			c.evs = append(c.evs, scheduler.Event{Kind: scheduler.EvFailed, Task: id, Worker: wid, Err: errors.New(f.Error)})
		}
	}
	for _, c := range touched {
		c.touched = false
		s.handle(c, c.evs...)
		c.evs = c.evs[:0]
	}
	// a peer that another worker could not reach is dropped (it registers
	// again if it is alive); what it held is recomputed
	for _, addr := range drop {
		for _, id := range slices.Clone(s.order) {
			if pw := s.workers[id]; pw.reg.DataAddress == addr {
				s.removeWorker(pw, "a peer could not fetch from it")
			}
		}
	}
}

func (s *Scheduler) checkHeartbeats() {
	limit := 5 * s.cfg.heartbeat
	now := time.Now()
	// never hang: computations fail when no worker has been live for a while
	switch {
	case len(s.order) > 0:
		s.noWorkers = time.Time{}
	case s.noWorkers.IsZero():
		s.noWorkers = now
	case now.Sub(s.noWorkers) > max(30*s.cfg.heartbeat, 10*time.Second):
		for _, c := range s.sortedComps() {
			if !c.sentDone {
				s.handle(c, scheduler.Event{Kind: scheduler.EvCancel, Err: fmt.Errorf("%w: no worker has been connected for %v", ErrNoWorkers, now.Sub(s.noWorkers).Round(time.Second))})
			}
		}
	}
	for _, id := range slices.Clone(s.order) {
		if w := s.workers[id]; w.alive && now.Sub(w.lastSeen) > limit {
			s.removeWorker(w, fmt.Sprintf("no heartbeat for %v", now.Sub(w.lastSeen).Round(time.Millisecond)))
		}
	}
}
