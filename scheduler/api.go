package scheduler

import (
	"errors"
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
)

// TaskID is a task's index in the submitted slice of TaskSpecs.
type TaskID int32

// NoTask is the Task of a command or error that concerns no one task (a
// cancel, a bad submission).
const NoTask TaskID = -1

// WorkerID names a worker; the shell chooses the ids.
type WorkerID int32

// TaskSpec is what the scheduler knows of one task.
type TaskSpec struct {
	Deps     []TaskID          // tasks whose outputs it reads (indexes in the submitted slice)
	OutBytes int64             // exact size of its outputs (an upper bound when unknown)
	Priority int32             // static order, lower first (from graph.Order)
	Devices  graph.DeviceKinds // kinds that can run it; must not be empty
	Want     bool              // a result the client asked for: kept until EvReleaseWanted
	// Extern are inputs from outside the computation (persisted chunks)
	// already resident on workers: they count for locality like deps, and
	// a task with them is not a root for co-assignment.
	Extern []Resident
}

// Resident is Bytes of a task's input resident on Worker.
type Resident struct {
	Worker WorkerID
	Bytes  int64
}

// Config holds the limits of one State.
type Config struct {
	// MemoryLimit bounds the bytes of chunk outputs resident plus the
	// bytes reserved by running tasks; 0 means no limit.
	MemoryLimit int64
	// MaxKills is how many workers may die while a task runs on them
	// before the computation fails with ErrKilledWorker naming that task
	// (a task that crashes its worker would otherwise kill one after the
	// other); 0 means 3, a negative value means no limit. EvRequeue does
	// not count.
	MaxKills int
}

// defaultMaxKills is MaxKills when Config leaves it 0 (Dask's
// allowed-failures default).
const defaultMaxKills = 3

// Errors the commands carry (wrapped, with the details).
var (
	// ErrMemoryLimit: nothing runs and no ready task fits under the limit
	// (Config.MemoryLimit, or the Memory of every worker that could run it).
	ErrMemoryLimit = errors.New("scheduler: memory limit")
	// ErrNoWorker: a ready task can run on no kind of worker present.
	ErrNoWorker = errors.New("scheduler: no worker can run task")
	// ErrIllegal: an event the task's state does not allow (a shell bug).
	ErrIllegal = errors.New("scheduler: illegal event")
	// ErrCancelled: the error of an EvCancel that carries none.
	ErrCancelled = errors.New("scheduler: cancelled")
	// ErrSubmit: the submission is malformed (dep out of range, cycle, ...).
	ErrSubmit = errors.New("scheduler: bad submission")
	// ErrKilledWorker: a task was running on Config.MaxKills workers that
	// died.
	ErrKilledWorker = errors.New("scheduler: killed worker")
)

// EventKind says what happened.
type EventKind uint8

// The events. Fields of Event not named here are ignored.
const (
	// EvAddWorker: Worker joined with Slots concurrent tasks of kind Device
	// (tasks given to it, queued or executing), Threads of which execute
	// at once (0: Slots), holding at most Memory bytes of outputs and
	// reservations (0: no limit of its own).
	EvAddWorker EventKind = iota + 1
	// EvSubmit: Tasks is the whole graph; once per State.
	EvSubmit
	// EvFinished: Task, run on Worker, holds Bytes of output.
	EvFinished
	// EvFailed: Task, run on Worker, failed with Err.
	EvFailed
	// EvCancel: the client gave up, with Err (e.g. context.Canceled).
	EvCancel
	// EvReleaseWanted: the client no longer needs wanted Task's output.
	EvReleaseWanted
	// EvRemoveWorker: Worker is gone with everything it held. Each task
	// running there counts one kill (see Config.MaxKills).
	EvRemoveWorker
	// EvRequeue: Task, running on Worker, gave up without output and
	// without error (say, an input's holder turned out to be gone). It
	// runs again and does not count as a failure; the shell drops what
	// that run held (no CmdFree comes for it). Send EvRemoveWorker for a
	// holder known to be gone first, so that the lost input is computed
	// again rather than fetched from it once more.
	EvRequeue
	// EvStarted: Task, running on Worker, began executing there (its
	// worker took it off its queue and will not give it back). Optional:
	// stealing starts with the first EvStarted, and a shell that sends it
	// sends it for every task it starts, before the task's EvFinished or
	// EvFailed. It also answers a CmdSteal that came too late.
	EvStarted
	// EvStolen: Task, given to Worker and not started there, was taken
	// back in answer to a CmdSteal; it is ready again (waiting if an input
	// was lost meanwhile) and the next dispatch places it, on the worker
	// it was stolen for when that one still has a free slot and room. No
	// CmdFree comes for that run.
	EvStolen
	numEventKinds
)

var eventNames = [...]string{"invalid", "add-worker", "submit", "finished", "failed", "cancel", "release-wanted", "remove-worker", "requeue", "started", "stolen"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one input to Handle.
type Event struct {
	Kind    EventKind
	Worker  WorkerID         // EvAddWorker, EvFinished, EvFailed, EvRemoveWorker, EvRequeue, EvStarted, EvStolen
	Task    TaskID           // EvFinished, EvFailed, EvReleaseWanted, EvRequeue, EvStarted, EvStolen
	Bytes   int64            // EvFinished: actual output bytes (normally == OutBytes; never more)
	Slots   int              // EvAddWorker: tasks the worker may be given at once, queued or executing (>= 1)
	Threads int              // EvAddWorker: tasks it executes at once (0: Slots; at most Slots)
	Memory  int64            // EvAddWorker: the worker's own memory limit in bytes (0: none)
	Device  graph.DeviceKind // EvAddWorker: one kind
	Tasks   []TaskSpec       // EvSubmit; not retained after Handle returns
	Err     error            // EvFailed, EvCancel
}

// CommandKind says what the shell must do.
type CommandKind uint8

// The commands. Within one Handle call every CmdFree precedes every
// CmdRun, CmdDone precedes the CmdRun commands, CmdSteal commands follow
// them and CmdIdle is last.
const (
	// CmdRun: run Task on Worker. Every dep of Task is resident (the shell
	// may move it to Worker); Task's OutBytes are reserved until it ends.
	CmdRun CommandKind = iota + 1
	// CmdFree: release the buffers the shell holds for Task's output. Sent
	// once per CmdRun, after every dependent of Task has finished (not
	// when it starts) and, for a wanted task, after EvReleaseWanted; after
	// a failure or cancel at once. Not sent for outputs lost with a removed
	// worker, nor for a run that ended there or with EvRequeue or EvStolen:
	// the shell drops what such a run held.
	CmdFree
	// CmdDone: every wanted task is resident; sent once, before the CmdRun
	// of the same call, never after a CmdFail.
	CmdDone
	// CmdFail: the computation failed with Err (Task is the task that
	// failed, or NoTask). Sent at most once per State; an EvFailed's error
	// is passed unchanged, the others wrap an exported sentinel. No CmdRun
	// follows; CmdFree follows for every resident output (wanted too) and
	// for every running task when it ends. Illegal events after it are
	// dropped.
	CmdFail
	// CmdIdle: nothing runs and nothing will: sent once, last, after
	// CmdDone (success) or after the last running task ended (failure).
	CmdIdle
	// CmdSteal: ask Worker (the victim) to give Task back if it has not
	// started it, because another worker has an idle thread and nothing
	// ready. Task stays running on Worker until the answer: EvStolen (it
	// had not started; the shell removed it from Worker's queue) or
	// EvStarted (too late: the steal is void). The steal is void too when
	// the task ends first (EvFinished, EvFailed, EvRequeue) or Worker is
	// removed; the shell then sends no answer. At most one per task in
	// flight; sent only once EvStarted has been seen. See steal.go.
	CmdSteal
	numCommandKinds
)

var commandNames = [...]string{"invalid", "run", "free", "done", "fail", "idle", "steal"}

func (k CommandKind) String() string {
	if int(k) < len(commandNames) {
		return commandNames[k]
	}
	return fmt.Sprintf("command(%d)", uint8(k))
}

// Command is one output of Handle.
type Command struct {
	Kind   CommandKind
	Task   TaskID   // CmdRun, CmdFree, CmdFail (NoTask when none), CmdSteal
	Worker WorkerID // CmdRun; CmdSteal: the victim
	Err    error    // CmdFail
}

func (c Command) String() string {
	switch c.Kind {
	case CmdRun:
		return fmt.Sprintf("run %d on %d", c.Task, c.Worker)
	case CmdFree:
		return fmt.Sprintf("free %d", c.Task)
	case CmdSteal:
		return fmt.Sprintf("steal %d from %d", c.Task, c.Worker)
	case CmdFail:
		if c.Task == NoTask {
			return fmt.Sprintf("fail: %v", c.Err)
		}
		return fmt.Sprintf("fail %d: %v", c.Task, c.Err)
	}
	return c.Kind.String()
}

// Stats is a snapshot of the accounting.
type Stats struct {
	Tasks        [NumTaskStates]int // tasks in each state, indexed by TaskState
	Resident     int64              // bytes of outputs in memory
	Reserved     int64              // OutBytes of running tasks
	PeakResident int64              // highest Resident so far
	Runs         int                // CmdRun sent
	Workers      int                // live workers
}
