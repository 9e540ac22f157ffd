package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster"
	"github.com/blockwork-dev/blockwork/graph"
)

// ClusterConfig is how StartCluster starts the blockwork-cluster engine:
// a scheduler in this process and worker processes on loopback, the
// counterpart of Dask's LocalCluster in bench/peers/run.py.
type ClusterConfig struct {
	// Command is the blockwork binary; each worker runs as
	// Command worker -scheduler ADDR -nthreads Threads -name bench-wI.
	Command string
	// Env is the workers' environment (nil: this process's); it must
	// carry the token as the worker command reads it (BLOCKWORK_TOKEN).
	Env []string
	// Token is the cluster's shared token (the scheduler and the client
	// use it; "" for none, which loopback allows).
	Token   string
	Workers int // worker processes (at least 1)
	Threads int // tasks each runs at once (at least 1)
	// Stderr receives the workers' output (nil: discarded).
	Stderr io.Writer
	// Timeout bounds the wait for the workers to register (0: 30 s).
	Timeout time.Duration
}

// Cluster is a running blockwork-cluster engine; Close stops it.
type Cluster struct {
	Scheduler *cluster.Scheduler
	Client    *cluster.Client
	exec      *CountingExecutor
	stop      chan struct{} // closes: the workers are told to stop
	done      chan error    // the spawning goroutine's end
	once      sync.Once
	err       error
}

// StartCluster starts the scheduler on 127.0.0.1, the worker processes,
// waits until all of them registered and connects a client.
//
// The workers are started from one goroutine locked to its OS thread,
// which lives until Close, with the parent-death signal SIGKILL on Linux
// (see workerAttr): a bench child that dies without Close takes its
// workers with it instead of leaving them reconnecting forever.
func StartCluster(ctx context.Context, cfg ClusterConfig) (*Cluster, error) {
	if cfg.Workers < 1 || cfg.Threads < 1 {
		return nil, fmt.Errorf("bench: cluster of %d workers of %d threads", cfg.Workers, cfg.Threads)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	var opts []cluster.Option
	if cfg.Token != "" {
		opts = append(opts, cluster.WithToken(cfg.Token))
	}
	s, err := cluster.Listen("127.0.0.1:0", opts...)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Scheduler: s, stop: make(chan struct{}), done: make(chan error, 1)}
	started := make(chan error, 1)
	exited := make(chan error, cfg.Workers)
	go func() {
		runtime.LockOSThread() // Pdeathsig follows the thread that forked
		defer runtime.UnlockOSThread()
		var procs []*exec.Cmd
		var err error
		for i := range cfg.Workers {
			p := exec.Command(cfg.Command, "worker", "-scheduler", s.Addr(), "-nthreads", fmt.Sprint(cfg.Threads), "-name", fmt.Sprintf("bench-w%d", i))
			p.Env = cfg.Env
			p.Stderr = cfg.Stderr
			p.SysProcAttr = workerAttr()
			if err = p.Start(); err != nil {
				err = fmt.Errorf("bench: starting worker %d: %w", i, err)
				break
			}
			procs = append(procs, p)
			go func() { exited <- fmt.Errorf("bench: worker process %d exited: %w", i, p.Wait()) }()
		}
		started <- err
		if err == nil {
			<-c.stop
		}
		c.done <- stopWorkers(procs, exited)
	}()
	fail := func(err error) (*Cluster, error) {
		c.Close()
		return nil, err
	}
	if err := <-started; err != nil {
		return fail(err)
	}
	wctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	c.Client, err = cluster.Connect(wctx, s.Addr(), opts...)
	if err != nil {
		return fail(err)
	}
	for {
		info, err := c.Client.Info(wctx)
		if err != nil {
			return fail(err)
		}
		if len(info.Workers) >= cfg.Workers {
			break
		}
		select {
		case err := <-exited:
			return fail(err)
		case <-wctx.Done():
			return fail(fmt.Errorf("bench: %d of %d workers registered: %w", len(info.Workers), cfg.Workers, wctx.Err()))
		case <-time.After(10 * time.Millisecond):
		}
	}
	c.exec = &CountingExecutor{Executor: c.Client}
	return c, nil
}

// stopWorkers asks each worker to stop (SIGTERM: it closes and exits),
// kills those still there after 5 s and waits for all.
func stopWorkers(procs []*exec.Cmd, exited chan error) error {
	for _, p := range procs {
		p.Process.Signal(syscall.SIGTERM)
	}
	deadline := time.After(5 * time.Second)
	var err error
	for range procs {
		select {
		case <-exited:
		case <-deadline:
			for _, p := range procs {
				p.Process.Kill()
			}
			<-exited
			err = errors.New("bench: a worker did not stop within 5 s of SIGTERM (killed)")
		}
	}
	return err
}

// Executor is the engine's executor: the client, counting tasks.
func (c *Cluster) Executor() *CountingExecutor { return c.exec }

// Close stops the client, the workers and the scheduler.
func (c *Cluster) Close() error {
	c.once.Do(func() {
		if c.Client != nil {
			c.Client.Close()
		}
		close(c.stop)
		c.err = <-c.done
		c.Scheduler.Close()
	})
	return c.err
}

// CountingExecutor wraps an executor whose tasks run in other processes
// and counts them: each computation adds its task total as the executor
// reports it with the last progress call (for a cluster.Client, the
// tasks the scheduler ran after culling, each once; a task run again
// after a worker died is not counted twice).
type CountingExecutor struct {
	array.Executor
	tasks atomic.Int64
}

// TasksRun is the tasks of the computations so far (RunConfig.Tasks).
func (e *CountingExecutor) TasksRun() int64 { return e.tasks.Load() }

func (e *CountingExecutor) count(progress func(done, total int, resident int64)) (func(done, total int, resident int64), func()) {
	var last atomic.Int64
	return func(done, total int, resident int64) {
			if done == total {
				last.Store(int64(total))
			}
			if progress != nil {
				progress(done, total, resident)
			}
		}, func() {
			e.tasks.Add(last.Load())
		}
}

// Compute runs g on the wrapped executor, counting its tasks.
func (e *CountingExecutor) Compute(ctx context.Context, g *graph.Graph, keys []graph.Key, deliver func(i int, data []byte) error, progress func(done, total int, resident int64)) error {
	p, add := e.count(progress)
	defer add()
	return e.Executor.Compute(ctx, g, keys, deliver, p)
}

// Persist runs g on the wrapped executor, counting its tasks.
func (e *CountingExecutor) Persist(ctx context.Context, g *graph.Graph, keys []graph.Key, progress func(done, total int, resident int64)) ([]any, error) {
	p, add := e.count(progress)
	defer add()
	return e.Executor.Persist(ctx, g, keys, p)
}
