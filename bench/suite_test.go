package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
)

// TestWorkloadsTiny runs every workload and variant at size tiny and
// requires its check to pass (by direct loops where it has them), then
// perturbs the result and requires the check to fail.
func TestWorkloadsTiny(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	for _, w := range Workloads {
		variants := []Variant{EndToEnd}
		if w.Persist {
			variants = append(variants, Persisted)
		}
		for _, v := range variants {
			t.Run(w.Name+"/"+string(v), func(t *testing.T) {
				e, err := local.New(local.Device(device.NewHost()))
				if err != nil {
					t.Fatal(err)
				}
				cfg := RunConfig{Opts: []array.ComputeOption{array.On(e)}, Tasks: e.TasksRun, Repeat: 1, Direct: true, DataDir: dataDir}
				rec, err := RunWorkload(ctx, w, Tiny, v, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if !rec.CheckOK {
					t.Fatalf("check failed: %s", rec.Check)
				}
				if w.Direct && rec.Check != "ok (direct)" {
					t.Errorf("check %q, want a direct one at size tiny", rec.Check)
				}
				if rec.Tasks <= 0 || rec.Wall <= 0 || len(rec.Walls) != 1 {
					t.Errorf("record %+v: want tasks, a wall time and one timed run", rec)
				}
				devicetest.AssertNoLeaks(t, e.Host())

				// the check must catch a wrong result
				d := w.Sizes[Tiny]
				if w.Setup != nil {
					d.Path = DataPath(dataDir, w.Name, Tiny)
				}
				out, err := array.Compute(ctx, w.Outputs(d, w.Inputs(d)), array.On(e))
				if err != nil {
					t.Fatal(err)
				}
				b := out[0].Data[:8]
				x := math.Float64frombits(binary.LittleEndian.Uint64(b))
				binary.LittleEndian.PutUint64(b, math.Float64bits(x+1000+0.01*math.Abs(x)))
				if err := w.Check(ctx, Checker{Opts: cfg.Opts}, d, true, out); err == nil {
					t.Errorf("check passes a result perturbed from %v", x)
				}
				devicetest.AssertNoLeaks(t, e.Host())
			})
		}
	}
}

func TestTriadTiny(t *testing.T) {
	r := Triad(Tiny, 2)
	if !r.CheckOK || r.GBps <= 0 || len(r.Walls) != 2 {
		t.Fatalf("triad: %+v", r)
	}
}

func TestLookup(t *testing.T) {
	all, err := Lookup("all")
	if err != nil || len(all) != len(Workloads)+1 || all[len(all)-1] != MemoryBandwidth {
		t.Fatalf("Lookup(all) = %v, %v", all, err)
	}
	if _, err := Lookup("matmul,nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Lookup of an unknown name: %v", err)
	}
}

const sampleResults = `{"engine":"blockwork","workload":"matmul","variant":"end-to-end","size":"small","wall_s":2,"walls_s":[2,2,3],"peak_rss_bytes":1000,"tasks":132,"value":1,"check_ok":true,"check":"ok","gflops":8}
{"engine":"dask-threaded","workload":"matmul","variant":"end-to-end","size":"small","wall_s":4,"walls_s":[4],"peak_rss_bytes":2000,"tasks":133,"value":1,"check_ok":true,"check":"ok"}
# a comment line
{"engine":"numpy","workload":"matmul","variant":"end-to-end","size":"small","wall_s":1,"walls_s":[1],"peak_rss_bytes":3000,"tasks":0,"value":1,"check_ok":false,"check":"value = 2, want 1"}

{"engine":"blockwork","workload":"rechunk","variant":"persisted","size":"small","wall_s":0.5,"walls_s":[0.5],"peak_rss_bytes":1000,"tasks":3,"value":1,"check_ok":true,"check":"ok","gbps":10}
{"engine":"dask-distributed","workload":"rechunk","variant":"persisted","size":"small","wall_s":5,"walls_s":[5],"peak_rss_bytes":1000,"tasks":3,"value":1,"check_ok":true,"check":"ok"}
{"engine":"dask-distributed","workload":"matmul","variant":"end-to-end","size":"small","error":"boom"}
{"engine":"blockwork","workload":"memory_bandwidth","variant":"end-to-end","size":"small","wall_s":0.01,"walls_s":[0.01],"peak_rss_bytes":1,"tasks":0,"value":1,"check_ok":true,"check":"ok","gbps":40}
`

func TestRatiosAndReport(t *testing.T) {
	recs, err := ReadRecords(strings.NewReader(sampleResults))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 {
		t.Fatalf("read %d records, want 7", len(recs))
	}
	got := Ratios(recs)
	want := []Ratio{
		{"matmul", EndToEnd, EngineDaskThreaded, 2, EngineBlockwork},
		{"matmul", EndToEnd, EngineNumPy, 0.5, EngineBlockwork},
		{"rechunk", Persisted, EngineDaskDistributed, 10, EngineBlockwork},
	}
	if len(got) != len(want) {
		t.Fatalf("ratios %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ratio %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "results.jsonl"), []byte(sampleResults), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"| workload | blockwork | tasks | peak RSS | rate | dask-threaded | ratio | dask-distributed | ratio | numpy | ratio |",
		"| matmul | 2.00 s | 132 |", "4.00 s | 2.00 |", "| error | - |", "**check failed** | 0.50 |",
		"| rechunk (persisted) | 0.50 s |", "10.0 GB/s (25% of triad)", "5.00 s | 10.00 |",
		"matmul, numpy: check failed: value = 2, want 1", "matmul, dask-distributed: error: boom",
	} {
		if !strings.Contains(string(md), s) {
			t.Errorf("report lacks %q:\n%s", s, md)
		}
	}
	f, err := os.Open(filepath.Join(dir, "ratios.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
		t.Errorf("chart is %v, too small to read", b)
	}
}

const clusterResults = `{"engine":"blockwork","workload":"matmul","variant":"end-to-end","size":"small","wall_s":2,"walls_s":[2],"peak_rss_bytes":1000,"tasks":132,"value":1,"check_ok":true,"check":"ok"}
{"engine":"blockwork-cluster","workload":"matmul","variant":"end-to-end","size":"small","wall_s":4,"walls_s":[4],"peak_rss_bytes":3000,"tasks":132,"value":1,"check_ok":true,"check":"ok","gflops":4}
{"engine":"dask-distributed","workload":"matmul","variant":"end-to-end","size":"small","wall_s":8,"walls_s":[8],"peak_rss_bytes":5000,"tasks":133,"value":1,"check_ok":true,"check":"ok"}
{"engine":"blockwork-cluster","workload":"task_overhead","variant":"end-to-end","size":"small","wall_s":0.5,"walls_s":[0.5],"peak_rss_bytes":3000,"tasks":22860,"value":1,"check_ok":false,"check":"sum = 3, want 2","us_per_task":21.9}
{"engine":"dask-distributed","workload":"task_overhead","variant":"end-to-end","size":"small","wall_s":50,"walls_s":[50],"peak_rss_bytes":5000,"tasks":40000,"value":1,"check_ok":true,"check":"ok"}
{"engine":"blockwork-cluster","workload":"rechunk","variant":"end-to-end","size":"small","error":"boom"}
`

// TestClusterReport: the cluster engine gets its own table against
// ClusterPeer (and the embedded executor), its own chart series, and is
// no peer column of the main table.
func TestClusterReport(t *testing.T) {
	recs, err := ReadRecords(strings.NewReader(clusterResults))
	if err != nil {
		t.Fatal(err)
	}
	got := Ratios(recs)
	want := []Ratio{
		{"matmul", EndToEnd, EngineDaskDistributed, 4, EngineBlockwork},
		{"matmul", EndToEnd, EngineDaskDistributed, 2, EngineBlockworkCluster},
		{"task_overhead", EndToEnd, EngineDaskDistributed, 100, EngineBlockworkCluster},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ratios %+v, want %+v", got, want)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "results.jsonl"), []byte(clusterResults), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"| workload | blockwork | tasks | peak RSS | rate | dask-distributed | ratio |\n",
		"| matmul | 2.00 s | 132 | 1000 B | - | 8.00 s | 4.00 |\n",
		"## Cluster: blockwork-cluster against dask-distributed",
		"| workload | blockwork-cluster | tasks | peak RSS | rate | dask-distributed | ratio | blockwork | ratio |\n",
		"| matmul | 4.00 s | 132 | 2.93 KiB | 4.0 GFLOP/s | 8.00 s | 2.00 | 2.00 s | 0.50 |\n",
		"| task_overhead | 0.50 s **check failed** | 22860 | 2.93 KiB | 21.9 us/task | 50.0 s | 100.00 | - | - |\n",
		"| rechunk | error | - | - | - | - | - | - | - |\n",
		"- task_overhead, blockwork-cluster: check failed: sum = 3, want 2",
		"- rechunk, blockwork-cluster: error: boom",
	} {
		if !strings.Contains(string(md), s) {
			t.Errorf("report lacks %q:\n%s", s, md)
		}
	}
	// cases only the cluster ran stay out of the main table
	if main, _, _ := strings.Cut(string(md), "## Cluster"); strings.Contains(main, "rechunk") {
		t.Errorf("the main table lists a case only the cluster ran:\n%s", md)
	}
	if _, err := os.Stat(filepath.Join(dir, "ratios.png")); err != nil {
		t.Error(err)
	}

	// only the cluster and its peer: no main table
	var only []Record
	for _, r := range recs {
		if r.Engine != EngineBlockwork {
			only = append(only, r)
		}
	}
	var b bytes.Buffer
	if err := WriteTable(&b, only); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "| workload | blockwork |") || !strings.Contains(b.String(), "## Cluster") {
		t.Errorf("cluster-only report:\n%s", b.String())
	}
	if err := WriteChart(filepath.Join(dir, "only.png"), only); err != nil {
		t.Error(err)
	}
}

func TestRecordJSONFields(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRecord(&buf, Record{Engine: "blockwork", Workload: "matmul", Variant: EndToEnd, Wall: 1, CheckOK: true, Check: "ok", GFLOPS: 3}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"engine", "workload", "variant", "size", "wall_s", "walls_s", "peak_rss_bytes", "tasks", "value", "check_ok", "check", "gflops"} {
		if _, ok := m[k]; !ok {
			t.Errorf("record JSON lacks %q: %s", k, buf.String())
		}
	}
}

// TestPermutationMatchesPeer: bench/peers/run.py draws the slicing
// workload's permutation exactly as Permutation does.
func TestPermutationMatchesPeer(t *testing.T) {
	out, err := exec.Command("/usr/bin/python3", "-c", `import importlib.util as u
s = u.spec_from_file_location("run", "peers/run.py"); m = u.module_from_spec(s); s.loader.exec_module(m)
print(m.permutation(1000))`).Output()
	if err != nil {
		t.Fatalf("python3 (run make deps): %v", err)
	}
	var got []int
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := Permutation(1000)
	if len(got) != len(want) {
		t.Fatalf("run.py's permutation has %d elements, want %d", len(got), len(want))
	}
	seen := make([]bool, len(want))
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("position %d: run.py %d, Go %d", i, got[i], want[i])
		}
		if seen[want[i]] {
			t.Fatalf("%d twice: not a permutation", want[i])
		}
		seen[want[i]] = true
	}
}

// TestPeerSizesMatch: bench/peers/run.py runs the same sizes as the suite.
func TestPeerSizesMatch(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("no python3 (run make deps)")
	}
	out, err := exec.Command(py, "peers/run.py", "--list-sizes").Output()
	if err != nil {
		t.Fatalf("run.py --list-sizes: %v", err)
	}
	var sizes map[string]map[string]map[string]any
	if err := json.Unmarshal(out, &sizes); err != nil {
		t.Fatal(err)
	}
	for _, w := range Workloads {
		for s, d := range w.Sizes {
			p, ok := sizes[w.Name][string(s)]
			if !ok {
				t.Errorf("run.py lacks %s at %s", w.Name, s)
				continue
			}
			num := func(k string) int {
				f, _ := p[k].(float64)
				return int(f)
			}
			list := func(k string) []int {
				var r []int
				l, _ := p[k].([]any)
				for _, v := range l {
					f, _ := v.(float64)
					r = append(r, int(f))
				}
				return r
			}
			pd := Dims{N: num("n"), Chunk: num("chunk"), From: list("from"), To: list("to"), Lo: num("lo"), Hi: num("hi"), Cols: num("cols")}
			if pd.String() != d.String() {
				t.Errorf("%s at %s: run.py has %s, the suite %s", w.Name, s, pd, d)
			}
		}
	}
}

func TestTreeRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/statm"); err != nil {
		t.Skip("no /proc")
	}
	if r := TreeRSS(os.Getpid()); r <= 0 {
		t.Errorf("TreeRSS(self) = %d", r)
	}
}
