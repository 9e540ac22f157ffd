package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/bench"
	"github.com/blockwork-dev/blockwork/graph"
)

// The suite at size tiny with Blockwork's two engines: every record's
// check passes, and the report has the cluster's table.
func TestBenchClusterEngine(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "bench", "-size", "tiny", "-workloads", "task_overhead,transpose_sum,memory_bandwidth",
		"-engines", "blockwork,blockwork-cluster", "-repeat", "1", "-out", dir, "-data", t.TempDir())
	cmd.Env = append(os.Environ(), "BLOCKWORK_RUN_MAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := bench.ReadRecords(f)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.Engine]++
		if !r.CheckOK || r.Error != "" {
			t.Errorf("%s %s %s: check %q, error %q", r.Engine, r.Workload, r.Variant, r.Check, r.Error)
		}
		if r.Engine == bench.EngineBlockworkCluster && r.Workload != bench.MemoryBandwidth && r.Tasks <= 0 {
			t.Errorf("%s %s %s: %d tasks", r.Engine, r.Workload, r.Variant, r.Tasks)
		}
	}
	// task_overhead, transpose_sum twice (persisted), memory_bandwidth once
	if seen[bench.EngineBlockwork] != 4 || seen[bench.EngineBlockworkCluster] != 3 {
		t.Errorf("records per engine %v, want blockwork 4, blockwork-cluster 3", seen)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "## Cluster: blockwork-cluster against dask-distributed") {
		t.Errorf("report lacks the cluster table:\n%s", md)
	}
}

// StartCluster's workers are child processes that stop with Close, and
// die with the process that started them when it is killed.
func TestBenchClusterWorkersStop(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	ctx := context.Background()
	env := append(os.Environ(), "BLOCKWORK_RUN_MAIN=1", "BLOCKWORK_TOKEN=tok")
	cl, err := bench.StartCluster(ctx, bench.ClusterConfig{Command: os.Args[0], Env: env, Token: "tok", Workers: 2, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	r, err := array.Ones([]int{100}, graph.Float64, array.Chunked(7)).Sum().Compute(ctx, array.On(cl.Executor()))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Scalar(); v != 100 {
		t.Fatalf("sum = %v, want 100", v)
	}
	if n := cl.Executor().TasksRun(); n <= 0 {
		t.Errorf("%d tasks counted", n)
	}
	addr := cl.Scheduler.Addr()
	if got := workersOf(addr); len(got) != 2 {
		t.Fatalf("%d worker processes for %s, want 2", len(got), addr)
	}
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
	if got := workersOf(addr); len(got) != 0 {
		t.Fatalf("worker processes %v still there after Close", got)
	}

	// a bench child killed mid-run takes its workers with it
	child := exec.Command(os.Args[0], "bench", "-child", "-engine", "blockwork-cluster", "-workloads", "task_overhead", "-size", "small", "-repeat", "20")
	child.Env = append(os.Environ(), "BLOCKWORK_RUN_MAIN=1")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	// wait until both workers are connected to the scheduler (a worker
	// whose first connection fails exits on its own)
	var pids []int
	deadline := time.Now().Add(20 * time.Second)
	for len(pids) < 2 || !connected(pids[0]) || !connected(pids[1]) {
		if time.Now().After(deadline) {
			t.Fatalf("the bench child started %d connected workers in 20 s", len(pids))
		}
		time.Sleep(20 * time.Millisecond)
		pids = childrenOf(child.Process.Pid)
	}
	time.Sleep(100 * time.Millisecond) // and registered
	// on failure, not left behind
	defer func() {
		for _, pid := range pids {
			if p, err := os.FindProcess(pid); err == nil && alive(pid) {
				p.Kill()
			}
		}
	}()
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	deadline = time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("worker %d still alive 5 s after its bench child was killed", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// workersOf lists the processes whose command line names scheduler addr.
func workersOf(addr string) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && strings.Contains(string(b), "\x00worker\x00") && strings.Contains(string(b), "\x00"+addr+"\x00") && alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// childrenOf lists pid's live child processes.
func childrenOf(ppid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(ppid) && f[0] != "Z" {
			out = append(out, pid)
		}
	}
	return out
}

// connected reports whether worker pid has an established TCP
// connection to the scheduler named on its command line.
func connected(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	args := strings.Split(string(b), "\x00")
	var port uint64
	for i, a := range args {
		if a == "-scheduler" && i+1 < len(args) {
			_, p, _ := net.SplitHostPort(args[i+1])
			port, _ = strconv.ParseUint(p, 10, 16)
		}
	}
	// socket inodes of the process
	socks := map[string]bool{}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			socks[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	tcp, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/tcp", pid))
	if err != nil {
		return false
	}
	// sl local_address rem_address st ... inode (10th field)
	for _, line := range strings.Split(string(tcp), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 10 || f[3] != "01" {
			continue
		}
		_, rp, _ := strings.Cut(f[2], ":")
		if p, err := strconv.ParseUint(rp, 16, 16); err == nil && p == port && socks[f[9]] {
			return true
		}
	}
	return false
}

// alive: pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}
