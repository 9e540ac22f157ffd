// Command blockwork runs Blockwork's demo, its benchmark suite, and the
// cluster's scheduler and worker processes. It is the only place that
// reads flags and the environment.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/bench"
	"github.com/blockwork-dev/blockwork/cluster/local"
)

func usage() {
	fmt.Fprintf(os.Stderr, `usage: blockwork <command> [flags]

commands:
  demo    compute (x + x.T - x.mean(axis=0)).std() for a random n x n float64
          array on an in-process cluster (a scheduler and two workers on
          loopback; -cluster 0: the embedded executor), with progress, then
          print the result, wall time, tasks run and peak memory
  bench   run the benchmark suite (see blockwork bench -h)
  scheduler [-listen :8786]
          run a cluster scheduler (see blockwork scheduler -h)
  worker  -scheduler ADDR [-nthreads N] [-gpus all|0,1] [-memory-limit 8GiB]
          run a cluster worker (see blockwork worker -h)
  gpu     print the GPUs, the CUDA driver and the NVRTC and cuBLAS found
          ($BLOCKWORK_CUDA_LIB_DIR is searched first)

The cluster's shared token is read from $BLOCKWORK_TOKEN or -token-file.
`)
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	// Chunks live off the Go heap (package device); the Go heap holds the
	// graph and bookkeeping. Cap it softly unless the user chose a limit.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(2 << 30)
	}
	// That heap is small and full of pointers (a graph of 100k tasks is
	// ~100 MB): collecting it every time it doubles costs a core's worth
	// of marking on a 2-core machine (task_overhead 2.5 -> 1.8 us a task
	// at GOGC=400, peak RSS +5%). Let it grow 4x, under the limit above.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if err := configureS3(); err != nil {
		fmt.Fprintln(os.Stderr, "blockwork:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "demo":
		err = demo(ctx, os.Args[2:])
	case "bench":
		err = benchCmd(ctx, os.Args[2:])
	case "scheduler":
		err = schedulerCmd(ctx, os.Args[2:])
	case "worker":
		err = workerCmd(ctx, os.Args[2:])
	case "gpu":
		err = gpuCmd(os.Args[2:])
	case "-h", "--help", "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "blockwork: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "blockwork:", err)
		os.Exit(1)
	}
}

func demo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ExitOnError)
	n := fs.Int("n", 20000, "rows and columns of the random array")
	chunk := fs.Int("chunk", 0, "chunk side (0: auto, about 128 MiB chunks)")
	workers := fs.Int("workers", 0, "worker goroutines (0: one per core)")
	mem := fs.Int64("memory-limit", 0, "bytes of chunks resident at once (0: 3/4 of RAM)")
	quiet := fs.Bool("quiet", false, "no progress line")
	nworkers := fs.Int("cluster", 2, "run on an in-process cluster of this many workers (a gRPC scheduler on loopback, chunks moved between workers over TCP); 0: the embedded executor")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var e array.Executor
	var tasksRun func() int64
	var chunkPeak func() int64
	var where string
	if *nworkers > 0 {
		cl, err := startLocalCluster(ctx, *nworkers, *workers, *mem)
		if err != nil {
			return err
		}
		defer cl.close()
		e, tasksRun, chunkPeak = cl.client, cl.tasksRun, cl.peakBytes
		where = fmt.Sprintf("an in-process cluster: scheduler on %s, %d workers", cl.sched.Addr(), *nworkers)
	} else {
		le, err := local.New(local.Workers(*workers), local.MemoryLimit(*mem))
		if err != nil {
			return err
		}
		e, tasksRun, chunkPeak = le, le.TasksRun, func() int64 { return le.Host().Stats().PeakBytes }
		where = "the embedded executor"
	}
	x := bench.DemoInput(*n, *chunk)
	y := bench.Demo(x)
	if err := y.Err(); err != nil {
		return err
	}
	size := int64(*n) * int64(*n) * 8
	fmt.Printf("blockwork demo: (x + x.T - x.mean(axis=0)).std(), x random %dx%d float64 (%s, chunks %v), never materialised, on %s\n",
		*n, *n, bench.FormatBytes(size), chunkDesc(x), where)
	opts := []array.ComputeOption{array.On(e)}
	if !*quiet {
		opts = append(opts, array.Progress(bench.ProgressLine(os.Stderr, "computing", 200*time.Millisecond)))
	}
	res, err := bench.Run(ctx, "demo", y, tasksRun, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("result     %.12g\n", res.Value)
	fmt.Printf("wall time  %.3f s\n", res.Wall.Seconds())
	fmt.Printf("tasks run  %d\n", res.Tasks)
	fmt.Printf("peak chunk memory %s, peak RSS %s\n", bench.FormatBytes(chunkPeak()), bench.FormatBytes(res.PeakRSS))
	return nil
}

func chunkDesc(x *array.Array) string {
	c := x.Chunks()
	if len(c) == 0 {
		return "()"
	}
	return fmt.Sprintf("%dx%d, %d blocks", c[0][0], c[1][0], x.NumBlocks())
}
