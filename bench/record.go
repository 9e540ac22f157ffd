package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/blockwork-dev/blockwork/array"
)

// The engines: Blockwork's (the embedded executor, and the cluster: a
// scheduler plus worker processes, StartCluster) and the peers run by
// bench/peers/run.py.
const (
	EngineBlockwork        = "blockwork"
	EngineBlockworkCluster = "blockwork-cluster"
	EngineDaskThreaded     = "dask-threaded"
	EngineDaskDistributed  = "dask-distributed"
	EngineNumPy            = "numpy"
)

// Engines lists every engine, Blockwork's first.
var Engines = []string{EngineBlockwork, EngineBlockworkCluster, EngineDaskThreaded, EngineDaskDistributed, EngineNumPy}

// IsBlockwork reports whether engine is one of Blockwork's (run by the
// blockwork binary, not by the peer runner).
func IsBlockwork(engine string) bool {
	return engine == EngineBlockwork || engine == EngineBlockworkCluster
}

// ClusterPeer is the peer the cluster engine is compared with: Dask's
// LocalCluster of worker processes, as many and as wide as
// blockwork-cluster's by default (2 workers of 1 thread).
const ClusterPeer = EngineDaskDistributed

// Record is one (engine, workload, variant) measurement: one line of
// results.jsonl. bench/peers/run.py prints the same fields.
type Record struct {
	Engine   string    `json:"engine"`
	Workload string    `json:"workload"`
	Variant  Variant   `json:"variant"`
	Size     Size      `json:"size"`
	Params   string    `json:"params,omitempty"`
	Wall     float64   `json:"wall_s"`  // median of the timed runs, seconds
	Walls    []float64 `json:"walls_s"` // every timed run, after one warm-up
	PeakRSS  int64     `json:"peak_rss_bytes"`
	Tasks    int64     `json:"tasks"` // per run; Dask: the optimized graph's length
	Value    float64   `json:"value"`
	CheckOK  bool      `json:"check_ok"`
	Check    string    `json:"check"` // "ok" or what disagreed
	GFLOPS   float64   `json:"gflops,omitempty"`
	GBps     float64   `json:"gbps,omitempty"` // least bytes read + written, per second
	USPerTsk float64   `json:"us_per_task,omitempty"`
	PctBW    float64   `json:"pct_of_bandwidth,omitempty"`
	// CeilingGBps is the workload's own ceiling measured in the same run
	// (Workload.Ceiling: the disk's sequential read for zarr_read), and
	// PctCeiling GBps as a percentage of it.
	CeilingGBps float64 `json:"ceiling_gbps,omitempty"`
	PctCeiling  float64 `json:"pct_of_ceiling,omitempty"`
	Note        string  `json:"note,omitempty"`
	Error       string  `json:"error,omitempty"` // the run failed
}

// Median of xs (0 for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// RunConfig is how RunWorkload runs: the executor's compute options and
// its task counter.
type RunConfig struct {
	// Engine names the records (default EngineBlockwork).
	Engine string
	Opts   []array.ComputeOption
	Tasks  func() int64
	Repeat int // timed runs after one warm-up (at least 1)
	// Direct: check by direct loops where the inputs are small enough
	// (DirectLimit); false checks analytically only.
	Direct bool
	// Timed, if set, is called when the timed runs are over and before
	// the check (which may materialise inputs), so the caller can stop
	// measuring memory.
	Timed func()
	// Warm, if set, is called after the warm-up run, before the timed
	// runs (blockwork bench -cpuprofile starts its profile there).
	Warm func()
	// DataDir holds the data of workloads with a Setup (DataPath).
	DataDir string
}

// DataPath is where workload name keeps its data of size sz under dir
// (bench/peers/run.py uses the same rule).
func DataPath(dir, name string, sz Size) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%s.zarr", name, sz))
}

// RunWorkload runs w at d in one variant: one warm-up, cfg.Repeat timed
// runs (a fresh graph each: lowering and optimising are timed), then the
// check. A failed check is reported in the record, not as an error.
func RunWorkload(ctx context.Context, w *Workload, size Size, v Variant, cfg RunConfig) (Record, error) {
	d, ok := w.Sizes[size]
	if !ok {
		return Record{}, fmt.Errorf("bench: %s has no size %s", w.Name, size)
	}
	if v == Persisted && !w.Persist {
		return Record{}, fmt.Errorf("bench: %s has no persisted variant", w.Name)
	}
	engine := cfg.Engine
	if engine == "" {
		engine = EngineBlockwork
	}
	rec := Record{Engine: engine, Workload: w.Name, Variant: v, Size: size, Params: d.String(), Note: w.Note}
	if w.Setup != nil {
		if cfg.DataDir == "" {
			return rec, fmt.Errorf("bench: %s needs a data directory", w.Name)
		}
		d.Path = DataPath(cfg.DataDir, w.Name, size)
		if err := w.Setup(ctx, d, cfg.Opts); err != nil {
			return rec, fmt.Errorf("bench: %s: setup: %w", w.Name, err)
		}
	}
	inputs := func() []*array.Array { return w.Inputs(d) }
	if v == Persisted {
		var ps []*array.Persisted
		defer func() {
			for _, p := range ps {
				p.Release()
			}
		}()
		var xs []*array.Array
		for _, x := range w.Inputs(d) {
			p, err := x.Persist(ctx, cfg.Opts...)
			if err != nil {
				return rec, fmt.Errorf("bench: %s: persist: %w", w.Name, err)
			}
			ps = append(ps, p)
			xs = append(xs, p.Array())
		}
		inputs = func() []*array.Array { return xs }
	}
	repeat := max(cfg.Repeat, 1)
	var out []*array.NDArray
	for i := 0; i <= repeat; i++ {
		runtime.GC()
		t0 := cfg.Tasks()
		start := time.Now()
		ys := w.Outputs(d, inputs())
		r, err := array.Compute(ctx, ys, cfg.Opts...)
		if err != nil {
			return rec, fmt.Errorf("bench: %s (%s): %w", w.Name, v, err)
		}
		wall := time.Since(start).Seconds()
		if i == 0 {
			if cfg.Warm != nil {
				cfg.Warm()
			}
			continue // warm-up
		}
		rec.Walls = append(rec.Walls, wall)
		rec.Tasks = cfg.Tasks() - t0
		out = r
	}
	if cfg.Timed != nil {
		cfg.Timed()
	}
	rec.PeakRSS = PeakRSS()
	rec.Wall = Median(rec.Walls)
	rec.Value = w.Value(out)
	rec.derive(w, d)
	if w.Ceiling != nil {
		c, err := w.Ceiling(ctx, d)
		if err != nil {
			return rec, fmt.Errorf("bench: %s: ceiling: %w", w.Name, err)
		}
		rec.CeilingGBps = c
		if c > 0 && rec.GBps > 0 {
			rec.PctCeiling = 100 * rec.GBps / c
		}
	}
	direct := cfg.Direct && w.Direct && d.N*d.N <= DirectLimit
	if err := w.Check(ctx, Checker{Opts: cfg.Opts}, d, direct, out); err != nil {
		rec.Check = err.Error()
	} else {
		rec.CheckOK, rec.Check = true, "ok"
		if direct {
			rec.Check = "ok (direct)"
		} else {
			rec.Check = "ok (analytical)"
		}
	}
	return rec, nil
}

func (r *Record) derive(w *Workload, d Dims) {
	if r.Wall <= 0 {
		return
	}
	if w.Flops != nil {
		r.GFLOPS = w.Flops(d) / r.Wall / 1e9
	}
	if w.Bytes != nil && (r.Variant == Persisted || w.Setup != nil || w.BytesEndToEnd) {
		r.GBps = w.Bytes(d) / r.Wall / 1e9
	}
	if w.Name == "task_overhead" && r.Tasks > 0 {
		r.USPerTsk = r.Wall * 1e6 / float64(r.Tasks)
	}
}

func (d Dims) String() string {
	s := fmt.Sprintf("n=%d", d.N)
	if d.Chunk > 0 {
		s += fmt.Sprintf(" chunks=%d", d.Chunk)
	}
	if d.From != nil {
		s += fmt.Sprintf(" chunks %v -> %v", d.From, d.To)
	}
	if d.Hi > 0 {
		s += fmt.Sprintf(" cols %d:%d", d.Lo, d.Hi)
	}
	if d.Cols > 0 {
		s += fmt.Sprintf(" x %d", d.Cols)
	}
	return s
}

// WriteRecord writes r as one JSON line.
func WriteRecord(w io.Writer, r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// ReadRecords parses JSON lines (blank lines and lines starting with '#'
// are skipped).
func ReadRecords(rd io.Reader) ([]Record, error) {
	var out []Record
	s := bufio.NewScanner(rd)
	s.Buffer(make([]byte, 1<<20), 1<<24)
	line := 0
	for s.Scan() {
		line++
		b := s.Bytes()
		if len(b) == 0 || b[0] != '{' {
			continue
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil {
			return out, fmt.Errorf("bench: results line %d: %w", line, err)
		}
		out = append(out, r)
	}
	return out, s.Err()
}

// AddBandwidthShare fills PctBW of the records with GBps from the
// Blockwork memory_bandwidth record among them (same run).
func AddBandwidthShare(recs []Record) {
	var bw float64
	for _, r := range recs {
		if r.Workload == MemoryBandwidth && IsBlockwork(r.Engine) && r.CheckOK {
			bw = r.GBps
		}
	}
	if bw <= 0 {
		return
	}
	for i := range recs {
		// workloads with their own ceiling (the disk for zarr_read) are
		// reported against it instead
		if recs[i].GBps > 0 && recs[i].Workload != MemoryBandwidth && recs[i].CeilingGBps == 0 {
			recs[i].PctBW = math.Round(1000*recs[i].GBps/bw) / 10
		}
	}
}
