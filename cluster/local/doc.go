// Package local is the embedded executor: one process, one worker
// goroutine per core, driven by the scheduler's central state machine.
//
// It takes an optimised graph.Graph and the keys wanted (from package
// array, through array.Executor), turns the tasks those keys need into
// dense scheduler ids (a per-layer key index, no per-key hashing), and
// performs the scheduler's commands: CmdRun queues the kernel for the
// worker goroutines, which allocate the task's exact output buffers on
// the host device when they start it (a mutex-guarded queue, up to two
// tasks per worker in flight, so a worker rarely waits for the driver;
// but a task whose outputs take 16 MiB or more is held by the driver
// until a worker is free, so that the reduction of a chunk just made
// starts before the next big chunk does; a queued or running kernel
// holds its own reference to each input); CmdFree releases a chunk as
// soon as its last consumer has finished; CmdDone delivers the wanted
// chunks (Compute; ComputeConcurrent from a goroutine per worker when
// they come to 8 MiB or more, for array.Compute, whose copies into the
// result are disjoint) or keeps them as handles (Persist). ComputeDirect
// gives a wanted block that no task reads, made by a fused kernel of one
// unreduced result (kernels.StridedOutput), its place in the caller's
// array instead: the kernel writes it there (FusedParams.OutStrides on
// the launch's copy of the task), it holds no executor memory and is not
// delivered. CmdFail stops the
// run with the first error, which names the task's key and op.
// Completions come back as batched events.
// Cancelling the context stops the run; nothing leaks: every buffer is
// released before Compute returns (leak-checked in tests).
package local
