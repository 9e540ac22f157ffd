package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/scheduler"
)

// The test binary doubles as the blockwork command: with
// BLOCKWORK_RUN_MAIN=1 it runs main, so these tests start real scheduler
// and worker processes without building anything else.
func TestMain(m *testing.M) {
	if os.Getenv("BLOCKWORK_RUN_MAIN") == "1" {
		os.Args = append([]string{"blockwork"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// proc is a blockwork process started by a test.
type proc struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	mu   sync.Mutex
	line chan string
	done chan error
}

func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "BLOCKWORK_RUN_MAIN=1"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, out: &bytes.Buffer{}, line: make(chan string, 16), done: make(chan error, 1)}
	cmd.Stderr = &lockedWriter{p}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case p.line <- sc.Text():
			default:
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("%s stderr:\n%s", strings.Join(args, " "), p.stderr())
		}
	})
	return p
}

type lockedWriter struct{ p *proc }

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitLine returns the first stdout line containing s.
func (p *proc) waitLine(t *testing.T, s string) string {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l := <-p.line:
			if strings.Contains(l, s) {
				return l
			}
		case err := <-p.done:
			p.done <- err
			t.Fatalf("process exited (%v) before printing %q; stderr:\n%s", err, s, p.stderr())
		case <-timeout:
			t.Fatalf("no %q within 30 s; stderr:\n%s", s, p.stderr())
		}
	}
}

// procCluster is a scheduler process and worker processes.
type procCluster struct {
	addr    string
	sched   *proc
	workers []*proc
	env     []string
}

func startProcCluster(t *testing.T, workers int, token string) *procCluster {
	t.Helper()
	pc := &procCluster{env: []string{"BLOCKWORK_TOKEN=" + token}}
	pc.sched = start(t, pc.env, "scheduler", "-listen", "127.0.0.1:0", "-heartbeat", "200ms")
	l := pc.sched.waitLine(t, "listening on")
	pc.addr = l[strings.LastIndex(l, " ")+1:]
	for range workers {
		pc.addWorker(t)
	}
	return pc
}

func (pc *procCluster) addWorker(t *testing.T) *proc {
	t.Helper()
	w := start(t, pc.env, "worker", "-scheduler", pc.addr, "-nthreads", "1")
	w.waitLine(t, "serving chunks")
	pc.workers = append(pc.workers, w)
	return w
}

func connect(t *testing.T, addr, token string) *cluster.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, addr, cluster.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// wait until every worker registered
	return c
}

func waitWorkers(t *testing.T, c *cluster.Client, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		info, err := c.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(info.Workers) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d workers registered, want %d", len(info.Workers), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newRand(t *testing.T) *rand.Rand {
	seed := rand.Uint64()
	if s := os.Getenv("BLOCKWORK_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (rerun with BLOCKWORK_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed))
}

func mustEqual(t *testing.T, name string, x *array.Array, c *cluster.Client, le *local.Executor) {
	t.Helper()
	ctx := context.Background()
	want, err := x.Compute(ctx, array.On(le))
	if err != nil {
		t.Fatalf("%s: local: %v", name, err)
	}
	got, err := x.Compute(ctx, array.On(c))
	if err != nil {
		t.Fatalf("%s: cluster: %v", name, err)
	}
	if !bytes.Equal(got.Data, want.Data) || fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) {
		t.Fatalf("%s: the cluster's result differs from the local executor's", name)
	}
}

// A scheduler and three worker processes compute the local engine's
// workloads and match the local executor bit for bit.
func TestProcessesMatchLocal(t *testing.T) {
	r := newRand(t)
	pc := startProcCluster(t, 3, "s3cret")
	c := connect(t, pc.addr, "s3cret")
	waitWorkers(t, c, 3)
	le, _ := local.New(local.Workers(2))
	n, ch := 200+r.IntN(200), 40+r.IntN(40)
	rnd := array.NewRandom(r.Uint64())
	x := rnd.Uniform(-1, 1, []int{n, n}, graph.Float64, array.Chunked(ch))
	y := rnd.Normal(0, 1, []int{n, n}, graph.Float64, array.Chunked(ch))
	for name, z := range map[string]*array.Array{
		"transpose_sum": x.Add(x.T()).Sub(x.Mean(0)).Sum(),
		"matmul":        x.MatMul(y).Sum(),
		"fused_chain":   x.Sin().Mul(x.Sin()).Add(x.Cos().Mul(x.Cos())).MulScalar(3).SubScalar(1).Sum(),
		"reductions":    x.Std(0).Add(y.Max(1)),
		"rechunk":       x.Rechunk(array.Chunked(n, 7)).Rechunk(array.Chunked(7, n)).Sum(),
		"slicing":       x.Slice(array.Sl(0, n, 3), array.Sl(5, n-2, 1)).Sum(1),
		"task_overhead": array.Ones([]int{2000}, graph.Float64, array.Chunked(1)).Sum(),
	} {
		mustEqual(t, name, z, c, le)
	}
}

// A worker killed with SIGKILL mid-computation: its chunks are recomputed
// and the result is still right.
func TestSIGKILLWorker(t *testing.T) {
	r := newRand(t)
	pc := startProcCluster(t, 3, "tok")
	c := connect(t, pc.addr, "tok")
	waitWorkers(t, c, 3)
	le, _ := local.New(local.Workers(2))
	n := 1200
	x := array.NewRandom(r.Uint64()).Uniform(-1, 1, []int{n, n}, graph.Float64, array.Chunked(150))
	z := x.MatMul(x.T()).Add(x).Exp().Sum(0)
	want, err := z.Compute(context.Background(), array.On(le))
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	killed := make(chan struct{})
	got, err := z.Compute(context.Background(), array.On(c), array.Progress(func(done, total int, _ int64) {
		if done*3 >= total {
			once.Do(func() {
				pc.workers[1].cmd.Process.Signal(syscall.SIGKILL)
				close(killed)
			})
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-killed:
	default:
		t.Fatal("the computation ended before a worker was killed")
	}
	if !bytes.Equal(got.Data, want.Data) {
		t.Fatal("result after a worker was killed differs from the local executor's")
	}
	// the cluster goes on with the two left
	waitWorkers(t, c, 2)
	mustEqual(t, "after kill", x.Sum(1), c, le)
}

// Without the token, or with a wrong one, a client and a worker are
// refused; a malformed submission is an error and the scheduler goes on.
func TestRefused(t *testing.T) {
	pc := startProcCluster(t, 1, "right")
	ctx := context.Background()
	for _, tok := range []string{"", "wrong"} {
		_, err := cluster.Connect(ctx, pc.addr, cluster.WithToken(tok))
		if !errors.Is(err, cluster.ErrUnauthorized) {
			t.Fatalf("token %q: got %v, want ErrUnauthorized", tok, err)
		}
	}
	w := start(t, []string{"BLOCKWORK_TOKEN=wrong"}, "worker", "-scheduler", pc.addr)
	select {
	case err := <-w.done:
		w.done <- err
		if err == nil || !strings.Contains(w.stderr(), "unauthorized") {
			t.Fatalf("worker with a wrong token: exit %v, stderr %q", err, w.stderr())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("worker with a wrong token still running")
	}
	// garbage on the scheduler's port and on a worker's data port
	c := connect(t, pc.addr, "right")
	waitWorkers(t, c, 1)
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{pc.addr, info.Workers[0].DataAddress} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.Write([]byte("GET / HTTP/1.0\r\n\r\n\x00\xff\xfe garbage"))
		conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, conn)
		conn.Close()
	}
	waitWorkers(t, c, 1)
	le, _ := local.New(local.Workers(1))
	mustEqual(t, "after garbage", array.Arange(0, 100, 1, graph.Float64, array.Chunked(7)).Sum(), c, le)
}

// When the scheduler dies, a client waiting on a computation gets an
// error promptly, not a hang.
func TestSchedulerGone(t *testing.T) {
	pc := startProcCluster(t, 1, "tok")
	c := connect(t, pc.addr, "tok")
	waitWorkers(t, c, 1)
	x := array.NewRandom(1).Uniform(0, 1, []int{3000, 3000}, graph.Float64, array.Chunked(300))
	errc := make(chan error, 1)
	started := make(chan struct{})
	var once sync.Once
	go func() {
		_, err := x.MatMul(x).MatMul(x).Sum().Compute(context.Background(), array.On(c), array.Progress(func(int, int, int64) {
			once.Do(func() { close(started) })
		}))
		errc <- err
	}()
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatal("computation did not start")
	}
	pc.sched.cmd.Process.Signal(syscall.SIGKILL)
	t0 := time.Now()
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("no error after the scheduler died")
		}
		t.Logf("error after %v: %v", time.Since(t0), err)
	case <-time.After(10 * time.Second):
		t.Fatal("client still waiting 10 s after the scheduler died")
	}
}

func init() {
	// crash kills the worker process that runs it
	funcs.MustRegisterBlockFunc("clustertest.crash", func(context.Context, []byte, funcs.Block, []byte, []funcs.Block, [][]byte) error {
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Kill() // SIGKILL where there are signals
		}
		select {}
	})
}

// A task that kills every worker that runs it fails the computation after
// three, with an error that says so, instead of killing the cluster.
func TestTaskKillsWorkers(t *testing.T) {
	pc := startProcCluster(t, 4, "tok")
	c := connect(t, pc.addr, "tok")
	waitWorkers(t, c, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	f := c.Submit(ctx, "clustertest.crash", nil, graph.Chunk{DType: graph.Float64, Shape: []int{1}}, nil)
	err := f.Err(ctx)
	if err == nil || !strings.Contains(err.Error(), "3 workers that died") || !errors.Is(err, scheduler.ErrKilledWorker) {
		t.Fatalf("got %v, want an error saying the task was running on 3 workers that died", err)
	}
	waitWorkers(t, c, 1)
}
