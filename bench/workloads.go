package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// DemoSeed is the seed of the demo's random array.
const DemoSeed = 42

// DemoInput is the demo's x: uniform on [0, 1), n x n float64, in chunks
// of chunk x chunk (0: auto, 128 MiB).
func DemoInput(n, chunk int) *array.Array {
	opts := []array.Option{}
	if chunk > 0 {
		opts = append(opts, array.Chunked(chunk))
	}
	return array.NewRandom(DemoSeed).Uniform(0, 1, []int{n, n}, graph.Float64, opts...)
}

// Demo is (x + x.T - x.mean(axis=0)).std().
func Demo(x *array.Array) *array.Array {
	return x.Add(x.T()).Sub(x.Mean(0)).Std()
}

// TaskOverhead is Ones(n, chunks 1).Sum(): n one-element tasks and the
// tree that sums them.
func TaskOverhead(n int) *array.Array {
	return array.Ones([]int{n}, graph.Float64, array.Chunked(1)).Sum()
}

// Result is one measured run.
type Result struct {
	Workload string
	Value    float64
	Wall     time.Duration
	Tasks    int64
	PeakRSS  int64 // bytes, the process's high-water mark (VmHWM)
}

// PeakRSS reads the process's peak resident set size (VmHWM) in bytes,
// or 0 where /proc is not there.
func PeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "VmHWM:") {
			fields := strings.Fields(line)
			if len(fields) >= 2 {
				kb, _ := strconv.ParseInt(fields[1], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// FormatBytes renders n as "1.23 GiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.2f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// ProgressLine returns a progress callback that redraws one line on w
// at most every interval: tasks done of total, and chunk bytes resident.
func ProgressLine(w *os.File, label string, every time.Duration) func(done, total int, resident int64) {
	var last time.Time
	ended := false
	return func(done, total int, resident int64) {
		now := time.Now()
		if ended || done != total && now.Sub(last) < every {
			return
		}
		last = now
		ended = done == total
		width := 30
		fill := 0
		if total > 0 {
			fill = done * width / total
		}
		fmt.Fprintf(w, "\r%s [%s%s] %d/%d tasks, %s resident   ", label, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), done, total, FormatBytes(resident))
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

// Run computes x and measures it.
func Run(ctx context.Context, name string, x *array.Array, tasks func() int64, opts ...array.ComputeOption) (Result, error) {
	t0 := tasks()
	start := time.Now()
	r, err := x.Compute(ctx, opts...)
	if err != nil {
		return Result{}, err
	}
	wall := time.Since(start)
	res := Result{Workload: name, Wall: wall, Tasks: tasks() - t0, PeakRSS: PeakRSS()}
	if r.Size() == 1 {
		res.Value, _ = r.Scalar()
	}
	return res, nil
}
