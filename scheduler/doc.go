// Package scheduler owns the central scheduling decisions of Blockwork as a
// pure state machine: events in, commands out.
//
// It takes a graph already validated, culled, fused and ordered by package
// graph, translated by an executor shell (cluster/local, or cluster) into
// a slice of TaskSpecs whose ids are dense indexes, and hands back Commands:
// run task T on worker W, free T's output, all wanted results are ready,
// the computation failed, nothing runs any more, give T back if it has not
// started. The shell performs them and feeds what happened (a task
// started, finished, failed, gave up or was given back, a worker came or
// went, the client cancelled or released a result) back as Events.
//
// The state machine has no goroutines, no clock, no network and no devices;
// it never iterates a map to make a decision and uses no randomness, so the
// same events give the same commands, byte for byte. Time, when it matters
// (heartbeats), will enter as events too.
//
// # Driving it
//
//	s := scheduler.New(scheduler.Config{MemoryLimit: limit})
//	var out []scheduler.Command
//	out = s.Handle(scheduler.Event{Kind: scheduler.EvAddWorker, Worker: 1, Device: graph.CPU, Slots: 4}, out)
//	out = s.Handle(scheduler.Event{Kind: scheduler.EvSubmit, Tasks: specs}, out)
//	for each batch of completions {
//		out = out[:0]
//		for _, ev := range batch {
//			out = s.Handle(ev, out)
//		}
//		perform out in order
//	}
//
// Handle appends; a batch of events may share one out slice, and the shell
// performs the commands in the order they were appended. Within one Handle
// call: every CmdFree comes before any CmdRun, so a CmdRun never precedes
// the frees that made room for it; CmdDone comes before the CmdRun
// commands; CmdRun commands come in (Priority, id) order of their tasks
// (except that when nothing runs, the first ready task that fits under the
// memory limit goes ahead of one that does not); CmdSteal commands follow
// the CmdRun commands; CmdIdle, when sent, is last. After a CmdFail no
// CmdRun, CmdSteal or CmdDone ever come. Each of CmdDone, CmdFail and
// CmdIdle is sent at most once per State.
//
// # Task states and transitions
//
// A task is Waiting (an input is not in memory), Ready, Running (on one
// worker, its output bytes reserved), Memory (output resident on the worker
// that made it), Released (output freed or lost), Erred (its kernel failed,
// or Config.MaxKills workers died running it) or Cancelled (the
// computation ended before it ran). The legal edges are a
// table (transitions.go), one small function each; an event that asks for
// an edge the table lacks (a finish for a task that is not running, a
// finish from another worker than the one it was given to, a release of a
// result that is not resident) does not panic: it ends the computation with
// a CmdFail whose error wraps ErrIllegal and names the task, the event and
// the task's last transitions.
//
// # Placement
//
// A task goes to a live worker of a kind that can run it, with a free
// slot (and room, see Memory): the one holding most bytes of its inputs,
// then the one running fewest tasks, then the lowest WorkerID. A root
// task (no deps) first tries the worker that took the previous root, so
// that roots consecutive in the order, which feed the same reductions,
// share a worker (co-assignment, coassign.go): it joins that worker's
// group while the worker has a free slot and the group is under the
// worker's share of the roots, ceil(roots * its threads / live threads of
// the kinds that can run the task); else the usual rule starts a new
// group. A task stolen for a worker goes there when it can (Stealing).
//
// # Memory
//
// With Config.MemoryLimit set, a ready task is admitted only when resident
// bytes + reserved bytes + its OutBytes fit under the limit. Ready tasks
// are admitted strictly in (Priority, id) order while anything runs: a task
// that does not fit waits for frees. A ready task that comes after the
// first waiting task in the static order must also leave room for that
// task's output (headroom.go), so producers cannot fill memory and starve
// the consumer that would free them. When nothing runs, the first ready
// task in that order that fits runs; when none fits, the computation fails
// with ErrMemoryLimit naming the task and the sizes (this is where spilling
// will go). A ready task no live worker kind can run fails the computation
// with ErrNoWorker, once at least one worker exists.
//
// A worker added with Memory > 0 has a limit of its own: it counts the
// bytes of outputs resident there and the OutBytes reserved by tasks
// running there (State.WorkerStats), and placement passes it over for a
// task whose output would not fit beside them (the worker is paused for
// that task). The head of the order waits for frees as under the global
// limit; when nothing runs anywhere and no ready task fits on any worker
// that could run it, the computation fails with ErrMemoryLimit naming the
// task, its size and what each of those workers holds against its limit.
//
// # Recovery
//
// EvRemoveWorker puts the tasks running there back to ready and forgets the
// outputs resident there (no CmdFree: the shell drops what it held on that
// worker); an output still needed (a dependent has not started, or it is
// wanted and CmdDone has not been sent) is computed again, with any of its
// inputs that were already freed.
//
// Each task running on a removed worker counts a kill; when a task's
// kills reach Config.MaxKills (default 3, negative: no limit) the task is
// Erred and the computation fails with ErrKilledWorker naming it, so a
// task that crashes its worker does not take the whole cluster down one
// worker at a time.
//
// EvRequeue says a running task gave up without output and without error
// (its worker could not fetch an input from a peer that turned out to be
// gone). It leaves Running, its slot and reservation come back, and it is
// Ready again when all its inputs are resident, else Waiting (an input
// lost with a removed worker is computed again, as above). It is not a
// failure, and no CmdFree comes for the run that gave up.
//
// # Stealing
//
// A shell may give a worker more slots than threads (EvAddWorker Threads
// < Slots), so that it has its next tasks queued; a task Running here may
// then still wait in its worker's queue. A shell that reports starts
// (EvStarted, for every task it starts, before its end) gets work
// stealing; one that never sends EvStarted never sees a CmdSteal. When a
// worker has an idle thread (fewer tasks given to it, plus steals in
// flight for it, than its threads) and no ready task it can run, and
// another worker has backlog (more tasks given to it than its threads and
// started tasks take), the state machine sends CmdSteal{Task, Worker:
// victim} for the victim's not-started task that comes last in (Priority,
// id) order, at most one per idle thread (steal.go says how the victim and
// the task are chosen). The shell asks the victim and answers with exactly
// one event: EvStolen when the victim had not started it (the task is
// ready again, no CmdFree comes for that run, and dispatch places it, on
// the idle worker when that one still has a free slot), or EvStarted when
// it had (too late: the steal is void). A steal whose task ends first
// (EvFinished, EvFailed, EvRequeue) or whose victim is removed is void and
// gets no answer; after EvRemoveWorker the shell sends nothing more about
// that worker's tasks.
package scheduler
