package bench

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

// MemoryBandwidth is the name of the STREAM-style triad workload: the
// machine's memory ceiling measured in the same run as the others, so
// memory-bound workloads are reported as a share of it.
const MemoryBandwidth = "memory_bandwidth"

// TriadSizes are the triad's array lengths (float64) per Size. The
// lengths are not powers of two: arrays of exactly 2^k float64 alias in
// the caches and halve Go's streaming bandwidth (notes/limits.md).
var TriadSizes = map[Size]int{Tiny: 100_000, Small: 20_000_000, Medium: 100_000_000}

// Triad runs a[i] = b[i] + s*c[i] over n float64 on all cores (one
// goroutine a core, contiguous parts), one warm-up and repeat timed
// passes, and reports bytes read plus written (24 a element) per second.
// The check recomputes every element.
func Triad(size Size, repeat int) Record {
	n := TriadSizes[size]
	rec := Record{Engine: EngineBlockwork, Workload: MemoryBandwidth, Variant: EndToEnd, Size: size,
		Params: fmt.Sprintf("n=%d float64 x 3, %d goroutines", n, runtime.GOMAXPROCS(0)),
		Note:   "STREAM triad a = b + s*c in Go, bytes read + written"}
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	workers := runtime.GOMAXPROCS(0)
	par := func(f func(lo, hi int)) {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			lo, hi := n*w/workers, n*(w+1)/workers
			wg.Add(1)
			go func() {
				defer wg.Done()
				f(lo, hi)
			}()
		}
		wg.Wait()
	}
	// first touch in parallel, as the timed passes use the memory
	par(func(lo, hi int) {
		for i := lo; i < hi; i++ {
			b[i] = float64(i % 1000)
			c[i] = float64(i % 7)
		}
	})
	const s = 3.0
	for r := 0; r <= max(repeat, 1); r++ {
		start := time.Now()
		par(func(lo, hi int) {
			a, b, c := a[lo:hi], b[lo:hi], c[lo:hi]
			for i := range a {
				a[i] = b[i] + s*c[i]
			}
		})
		if r > 0 {
			rec.Walls = append(rec.Walls, time.Since(start).Seconds())
		}
	}
	rec.Wall = Median(rec.Walls)
	rec.GBps = 24 * float64(n) / rec.Wall / 1e9
	rec.PeakRSS = PeakRSS()
	rec.Check, rec.CheckOK = "ok (direct)", true
	for i := range a {
		if a[i] != float64(i%1000)+s*float64(i%7) {
			rec.Check, rec.CheckOK = fmt.Sprintf("a[%d] = %v, want %v", i, a[i], float64(i%1000)+s*float64(i%7)), false
			break
		}
	}
	for i := range a {
		rec.Value += a[i]
	}
	return rec
}
