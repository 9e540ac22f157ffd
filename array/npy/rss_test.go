package npy

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

var (
	bigFile   = flag.String("bigfile", "", "a float64 .npy file for BenchmarkSumFile (empty: one of 256 MiB made here)")
	bigSum    = flag.Float64("bigsum", 0, "the exact sum of -bigfile, checked when not 0")
	bigChunks = flag.String("bigchunks", "", "chunk sizes per axis for BenchmarkSumFile, comma-separated (empty: auto)")
)

// procStatusKiB reads a "Name: N kB" line of /proc/self/status.
func procStatusKiB(b *testing.B, name string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatalf("peak RSS needs /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatalf("no %s in /proc/self/status", name)
	return 0
}

// cpuSeconds is the process's user+system CPU time (the machine may be
// shared, so wall time alone says little).
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// BenchmarkSumFile sums a large float64 .npy file blockwise and reports
// the process's peak RSS during the sums (VmHWM, reset first through
// /proc/self/clear_refs): it stays near a few chunks per core however
// large the file. Run by hand on a multi-GB file made by NumPy:
//
//	go test ./array/npy/ -run '^$' -bench SumFile -benchtime 1x -bigfile /tmp/big.npy -bigsum S
func BenchmarkSumFile(b *testing.B) {
	ctx := context.Background()
	path, want := *bigFile, *bigSum
	if path == "" {
		const n = 32 << 20 // 256 MiB of float64
		path = filepath.Join(b.TempDir(), "big.npy")
		if err := Save(ctx, array.Arange(0, n, 1, graph.Float64), path); err != nil {
			b.Fatal(err)
		}
		want = float64(n) * (n - 1) / 2
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	var opts []Option
	if *bigChunks != "" {
		var sizes []int
		for _, f := range strings.Split(*bigChunks, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("-bigchunks: %v", err)
			}
			sizes = append(sizes, n)
		}
		opts = append(opts, Chunks(array.Chunked(sizes...)))
	}
	x, err := Load(ctx, path, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("resetting the peak RSS: %v", err)
	}
	base := procStatusKiB(b, "VmHWM")
	cpu0 := cpuSeconds(b)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for b.Loop() {
		s, err := x.Sum().Compute(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if got := s.Float64s()[0]; want != 0 && got != want {
			b.Fatalf("sum %v, want %v", got, want)
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuSeconds(b)-cpu0)/float64(b.N), "cpu-s/op")
	peak := procStatusKiB(b, "VmHWM")
	b.ReportMetric(float64(peak)/1024, "peakRSS-MiB")
	b.ReportMetric(float64(base)/1024, "startRSS-MiB")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
	b.Logf("%s: %d blocks of %v, file %d MiB, peak RSS %d MiB (%d MiB before the sums)", path, x.NumBlocks(), x.Chunks().String()[:min(60, len(x.Chunks().String()))], st.Size()>>20, peak>>10, base>>10)
}
