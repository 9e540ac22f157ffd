package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/bench"
	"github.com/blockwork-dev/blockwork/cluster/local"
)

const peersInstall = "apt-get install -y python3-dask python3-distributed python3-numpy libopenblas0-pthread"

func benchCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	size := fs.String("size", "small", "workload size: tiny, small or medium")
	workloads := fs.String("workloads", "all", "comma-separated workloads (all: every one)")
	engines := fs.String("engines", "blockwork", "comma-separated engines: "+strings.Join(bench.Engines, ","))
	repeat := fs.Int("repeat", 3, "timed runs after one warm-up (the median is reported; at least 3 for a report)")
	out := fs.String("out", "", "output folder (default bench/results/<date>-cpu)")
	python := fs.String("python", "", "the Python that runs the peers (default: python3 if it has Dask, else /usr/bin/python3)")
	peers := fs.String("peers", "bench/peers/run.py", "the peer runner")
	workers := fs.Int("workers", 0, "Blockwork worker goroutines (0: one per core)")
	clusterWorkers := fs.Int("cluster-workers", 2, "engines blockwork-cluster and dask-distributed: worker processes")
	clusterThreads := fs.Int("cluster-threads", 1, "engines blockwork-cluster and dask-distributed: threads of each worker")
	child := fs.Bool("child", false, "internal: run one Blockwork workload in this process and print its JSON line")
	setup := fs.Bool("setup", false, "internal, with -child: only write the workload's data (its Setup), so no measured process pays for it")
	variant := fs.String("variant", "", "internal, with -child: end-to-end or persisted")
	engine := fs.String("engine", bench.EngineBlockwork, "internal, with -child: blockwork or blockwork-cluster")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of Blockwork's timed runs (not the warm-up, persisting or check) to this file, one per child: FILE.<workload>.<variant>")
	data := fs.String("data", filepath.Join(os.TempDir(), "blockwork-bench"), "folder for the data of workloads that read files (zarr_read: a store per size, kept between runs)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: blockwork bench [flags]

Runs each (engine, workload, variant) in its own process, Blockwork and
its peers (bench/peers/run.py: Dask threaded, Dask distributed, NumPy),
and writes DIR/results.jsonl (one JSON line each), DIR/report.md (ratios
peer time / Blockwork time) and DIR/ratios.png.

Blockwork's engines: blockwork, the embedded executor (-workers
goroutines); blockwork-cluster, a scheduler in the child process and
-cluster-workers worker processes of -cluster-threads threads on
loopback, compared with dask-distributed (a LocalCluster of the same
shape) in a table of its own.

workloads: %s

`, strings.Join(mustLookup(), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	sz, err := bench.ParseSize(*size)
	if err != nil {
		return err
	}
	names, err := bench.Lookup(*workloads)
	if err != nil {
		return err
	}
	if *child {
		if len(names) != 1 {
			return errors.New("bench -child: give one workload")
		}
		if *setup {
			return benchSetup(ctx, names[0], sz, *data)
		}
		return benchChild(ctx, childConfig{engine: *engine, name: names[0], size: sz, variant: bench.Variant(*variant), repeat: *repeat,
			workers: *workers, clusterWorkers: *clusterWorkers, clusterThreads: *clusterThreads, data: *data, cpuprofile: *cpuprofile})
	}
	engs, err := parseEngines(*engines)
	if err != nil {
		return err
	}
	if *repeat < 3 {
		fmt.Fprintf(os.Stderr, "bench: -repeat %d: medians of fewer than 3 runs are noisy on this machine\n", *repeat)
	}
	peerEngines := 0
	for _, e := range engs {
		if !bench.IsBlockwork(e) {
			peerEngines++
		}
	}
	if peerEngines > 0 {
		py, err := findPython(ctx, *python, *peers, engs)
		if err != nil {
			return err
		}
		*python = py
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("bench", "results", time.Now().Format("2006-01-02")+"-cpu")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(os.Stderr, "bench: size %s, engines %s, %d timed runs after a warm-up, into %s\n", sz, strings.Join(engs, ","), *repeat, dir)
	for _, name := range names {
		if w := bench.Find(name); w != nil && w.Setup != nil {
			// the data is written by a process of its own: a measured
			// child's peak memory (sampled from its start) is the
			// workload's alone
			cmd := exec.CommandContext(ctx, self, "bench", "-child", "-setup", "-workloads", name, "-size", string(sz), "-data", *data)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("bench: %s: setup: %w", name, err)
			}
		}
		variants := []bench.Variant{bench.EndToEnd}
		if w := bench.Find(name); w != nil && w.Persist {
			variants = append(variants, bench.Persisted)
		}
		for _, v := range variants {
			for _, e := range engs {
				if name == bench.MemoryBandwidth && e != bench.EngineBlockwork {
					continue // the ceiling is measured once, in Go
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				var recs []bench.Record
				var rerr error
				start := time.Now()
				common := []string{"-size", string(sz), "-repeat", fmt.Sprint(*repeat)}
				if bench.IsBlockwork(e) {
					a := append([]string{"bench", "-child", "-engine", e, "-workloads", name, "-variant", string(v), "-workers", fmt.Sprint(*workers),
						"-cluster-workers", fmt.Sprint(*clusterWorkers), "-cluster-threads", fmt.Sprint(*clusterThreads), "-data", *data}, common...)
					if *cpuprofile != "" {
						a = append(a, "-cpuprofile", fmt.Sprintf("%s.%s.%s", *cpuprofile, name, v))
					}
					recs, rerr = bench.RunChild(ctx, self, a, os.Stderr)
				} else {
					a := []string{*peers, "--engine", e, "--workload", name, "--variant", string(v), "--size", string(sz), "--repeat", fmt.Sprint(*repeat), "--data", *data,
						"--workers", fmt.Sprint(*clusterWorkers), "--threads", fmt.Sprint(*clusterThreads)}
					recs, rerr = bench.RunChild(ctx, *python, a, os.Stderr)
				}
				if rerr != nil && len(recs) == 0 {
					recs = []bench.Record{{Engine: e, Workload: name, Variant: v, Size: sz, Error: rerr.Error()}}
				}
				for _, r := range recs {
					if err := bench.WriteRecord(f, r); err != nil {
						return err
					}
					fmt.Fprintf(os.Stderr, "%-16s %-10s %-16s %s (%s in all)\n", r.Workload, r.Variant, r.Engine, summary(r), time.Since(start).Round(time.Second))
				}
			}
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := bench.WriteReport(dir); err != nil {
		return err
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		return err
	}
	fmt.Print(string(md))
	fmt.Fprintf(os.Stderr, "bench: wrote %s\n", dir)
	return nil
}

func mustLookup() []string {
	n, _ := bench.Lookup("all")
	return n
}

func summary(r bench.Record) string {
	if r.Error != "" {
		return "error: " + r.Error
	}
	s := fmt.Sprintf("%.3f s, %d tasks, peak RSS %s, check %s", r.Wall, r.Tasks, bench.FormatBytes(r.PeakRSS), r.Check)
	if r.GFLOPS > 0 {
		s += fmt.Sprintf(", %.1f GFLOP/s", r.GFLOPS)
	}
	if r.GBps > 0 {
		s += fmt.Sprintf(", %.1f GB/s", r.GBps)
	}
	if r.USPerTsk > 0 {
		s += fmt.Sprintf(", %.1f us/task", r.USPerTsk)
	}
	return s
}

func parseEngines(s string) ([]string, error) {
	known := map[string]bool{}
	for _, e := range bench.Engines {
		known[e] = true
	}
	var out []string
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if e == "all" {
			return bench.Engines, nil
		}
		if !known[e] {
			return nil, fmt.Errorf("bench: unknown engine %q (have %s)", e, strings.Join(bench.Engines, ", "))
		}
		out = append(out, e)
	}
	return out, nil
}

// findPython returns the Python to run the peers with: the one given, or
// python3 from PATH, or Debian's /usr/bin/python3 where PATH's (a pyenv,
// a virtualenv) lacks the packages. It fails clearly when none has them.
func findPython(ctx context.Context, python, runner string, engs []string) (string, error) {
	if _, err := os.Stat(runner); err != nil {
		return "", fmt.Errorf("bench: the peer runner %s is not there (run from the repository root, or give -peers): %w", runner, err)
	}
	if python != "" {
		return python, checkPeers(ctx, python, engs)
	}
	err := checkPeers(ctx, "python3", engs)
	if err == nil {
		return "python3", nil
	}
	if _, serr := os.Stat("/usr/bin/python3"); serr == nil {
		if err2 := checkPeers(ctx, "/usr/bin/python3", engs); err2 == nil {
			return "/usr/bin/python3", nil
		}
	}
	return "", err
}

// checkPeers fails clearly when the peers' Python packages are missing.
func checkPeers(ctx context.Context, python string, engs []string) error {
	mods := []string{"numpy"}
	for _, e := range engs {
		switch e {
		case bench.EngineDaskThreaded:
			mods = append(mods, "dask.array")
		case bench.EngineDaskDistributed:
			mods = append(mods, "dask.array", "distributed")
		}
	}
	cmd := exec.CommandContext(ctx, python, "-c", "import "+strings.Join(mods, ", "))
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("bench: the peers need %s in %s (%v: %s); install them with:\n  %s",
			strings.Join(mods, ", "), python, err, strings.TrimSpace(string(msg)), peersInstall)
	}
	return nil
}

// childConfig is what one bench child runs.
type childConfig struct {
	engine, name                   string
	size                           bench.Size
	variant                        bench.Variant
	repeat, workers                int
	clusterWorkers, clusterThreads int
	data, cpuprofile               string
}

// benchSetup writes the data of workload name at size sz under dir
// (nothing when it is there already).
func benchSetup(ctx context.Context, name string, sz bench.Size, dir string) error {
	w := bench.Find(name)
	d, ok := w.Sizes[sz]
	if !ok || w.Setup == nil {
		return nil
	}
	d.Path = bench.DataPath(dir, w.Name, sz)
	return w.Setup(ctx, d, nil)
}

// benchChild runs one Blockwork workload variant in this process and
// prints its record (and the timed marker before the check). The
// blockwork-cluster engine starts its scheduler here and its workers as
// child processes of this one (this binary's worker command), untimed.
func benchChild(ctx context.Context, c childConfig) error {
	timed := func() { fmt.Println(bench.TimedMarker); os.Stdout.Sync() }
	if c.name == bench.MemoryBandwidth {
		if c.engine != bench.EngineBlockwork {
			return fmt.Errorf("bench: %s is measured by engine blockwork only", c.name)
		}
		r := bench.Triad(c.size, c.repeat)
		timed()
		return bench.WriteRecord(os.Stdout, r)
	}
	w := bench.Find(c.name)
	v := c.variant
	if v == "" {
		v = bench.EndToEnd
	}
	cfg := bench.RunConfig{Engine: c.engine, Repeat: c.repeat, Direct: true, Timed: timed, DataDir: c.data}
	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		defer pprof.StopCPUProfile() // a run that fails stops it too
		cfg.Warm = func() {
			if err := pprof.StartCPUProfile(f); err != nil {
				fmt.Fprintln(os.Stderr, "bench: cpuprofile:", err)
			}
		}
		cfg.Timed = func() { pprof.StopCPUProfile(); timed() }
	}
	switch c.engine {
	case bench.EngineBlockwork:
		e, err := local.New(local.Workers(c.workers))
		if err != nil {
			return err
		}
		cfg.Opts, cfg.Tasks = []array.ComputeOption{array.On(e)}, e.TasksRun
	case bench.EngineBlockworkCluster:
		self, err := os.Executable()
		if err != nil {
			return err
		}
		tok := make([]byte, 16)
		if _, err := rand.Read(tok); err != nil {
			return err
		}
		token := hex.EncodeToString(tok)
		cl, err := bench.StartCluster(ctx, bench.ClusterConfig{Command: self, Env: append(os.Environ(), "BLOCKWORK_TOKEN="+token), Token: token,
			Workers: c.clusterWorkers, Threads: c.clusterThreads, Stderr: os.Stderr})
		if err != nil {
			return err
		}
		defer func() {
			if err := cl.Close(); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
			}
		}()
		cfg.Opts, cfg.Tasks = []array.ComputeOption{array.On(cl.Executor())}, cl.Executor().TasksRun
	default:
		return fmt.Errorf("bench -child: engine %q is not Blockwork's", c.engine)
	}
	r, err := bench.RunWorkload(ctx, w, c.size, v, cfg)
	if err != nil {
		return err
	}
	return bench.WriteRecord(os.Stdout, r)
}
