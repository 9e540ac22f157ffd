// Package cluster is the distributed executor's IO shell: a gRPC
// scheduler process, worker processes, and a client that package array
// uses in place of the embedded executor (array.On(client)).
//
// It owns the processes' loops and connections; every scheduling decision
// is package scheduler's state machine (one State per computation), fed
// with what the network reports and obeyed command by command.
//
// It takes: graphs already lowered and optimised by package array (through
// array.Executor: Compute, Persist, Release), workers' registrations and
// task reports, and the registered kernels and functions (kernels/cpu,
// funcs) that every process links.
//
// It hands on: wanted chunks, fetched by the client straight from the
// worker that holds them; persisted chunks, resident on workers until
// Release; errors that name the task and op, or the worker that died.
//
// # Processes
//
//	s, _ := cluster.Listen("127.0.0.1:8786", cluster.WithToken(tok))     // blockwork scheduler
//	w, _ := cluster.StartWorker(ctx, s.Addr(), cluster.WithToken(tok))  // blockwork worker
//	c, _ := cluster.Connect(ctx, s.Addr(), cluster.WithToken(tok))      // in the user's program
//	sum, _ := x.Sum().Compute(ctx, array.On(c))
//
// The scheduler runs one goroutine that owns all state (workers,
// computations, persisted chunks); gRPC handlers and per-worker send
// loops talk to it over channels. A computation's graph goes to a worker
// once, with the first task of it that the worker runs; after that a task
// is named by its index in the graph and the locations of its inputs, and
// commands and reports travel in batches (Commands, Reports), so a task
// costs a few dozen bytes of control traffic each way.
//
// # Data plane
//
// Every worker serves the chunks it holds on its own TCP data address
// (cluster/transport: Arrow IPC framing, CRC32C on every transfer, the
// same token and TLS as the control plane). A task whose input lives on
// another worker fetches it from there before it runs and keeps the copy
// (a replica) until the scheduler frees the chunk; the scheduler never
// carries chunk bytes. Literal leaves (FromSlice data) travel inside the
// graph. The client fetches wanted chunks from the workers that hold them.
//
// # Placement
//
// Per computation, package scheduler places each ready task on a worker
// of a device kind that can run it and with room under its memory limit,
// preferring the one holding most of its input bytes, then the least
// loaded; consecutive root tasks go to one worker. Workers get more slots
// than threads (a small queue, so a worker never waits a round trip for
// its next task) and report when a task starts; an idle worker steals
// queued tasks from a busy one. Each computation has its own State, so
// concurrent computations share workers without seeing each other's
// load or memory.
//
// # Memory
//
// A worker with a memory limit (WithMemoryLimit) spills chunks that no
// task is using to its own directory under WithSpillDir, least recently
// used first, once its chunks in memory pass 60% of the limit, and reads
// them back when a task or a peer needs them; past 80% it starts no new
// task while others run (Dask's spill and pause shares). Without spilling
// the limit is the scheduler's instead: it places no task on a worker
// whose chunks would exceed it.
//
// # Resilience
//
// Workers send heartbeats; a worker whose stream breaks or whose
// heartbeats stop (WithHeartbeat) is removed: its running tasks and the
// chunks it held are recomputed from lineage by the state machine, and a
// task that was running on MaxKills workers that died fails the
// computation with scheduler.ErrKilledWorker (the client's RemoteError
// unwraps to the scheduler's sentinels). A task that cannot fetch an input from a dead peer is put
// back (not failed) and the peer dropped; a failing task runs again up to
// the submission's retries. A persisted chunk keeps its lineage (the
// computation that made it) until Release: when its worker dies, the next
// computation that reads it first runs that computation again for the
// lost keys (once, however many readers wait; recursively when those
// read lost persisted chunks too), then goes on. A
// client whose scheduler goes away gets an error as soon as the stream
// breaks (and within the keepalive timeout if the host vanished silently).
// A worker that loses the scheduler drops what it held and registers
// again, as a new worker.
//
// # Security
//
// WithToken sets a shared token: the scheduler checks it on every gRPC
// call (metadata "blockwork-token", constant-time compare) and every
// worker's data server on every connection. A scheduler or worker that
// listens beyond loopback refuses to start without a token unless
// WithInsecureNoToken says so. WithTLS adds TLS (mutual when the server's
// config requires client certificates) to both planes.
package cluster
