package cpu

import (
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// gemmLaunch allocates A, B and C of dtype dt on dev for C = A @ B.
func gemmLaunch(t testing.TB, dev device.Device, dt graph.DType, m, n, k int) *kernels.Launch {
	t.Helper()
	a := graph.Chunk{DType: dt, Shape: []int{m, k}}
	b := graph.Chunk{DType: dt, Shape: []int{k, n}}
	c := graph.Chunk{DType: dt, Shape: []int{m, n}}
	l := &kernels.Launch{
		Task:    &graph.Task{Op: graph.Op{Name: graph.OpGemm}, Outputs: []graph.Chunk{c}},
		SrcMeta: []graph.Chunk{a, b},
	}
	for _, ch := range []graph.Chunk{c, a, b} {
		buf, err := dev.Alloc(ch.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(buf.Release)
		p := buf.Bytes()
		for i := range p {
			p[i] = byte(i % 7) // small values in every dtype
		}
		if l.Dst == nil {
			l.Dst = []*device.Buffer{buf}
		} else {
			l.Src = append(l.Src, buf)
		}
	}
	return l
}

func TestGemmRejectsAliasAndBool(t *testing.T) {
	dev := device.NewHost()
	l := gemmLaunch(t, dev, graph.Float64, 3, 3, 3)
	l.Dst[0] = l.Src[1]
	if err := (gemmKernel{}).Run(l); err == nil {
		t.Error("gemm with C aliasing B: no error")
	}
	l = gemmLaunch(t, dev, graph.Bool, 2, 2, 2)
	if err := (gemmKernel{}).Run(l); err == nil {
		t.Error("gemm of bool: no error")
	}
}

func TestGemmSmall(t *testing.T) {
	dev := device.NewHost()
	l := gemmLaunch(t, dev, graph.Int32, 2, 2, 3)
	copy(device.View[int32](l.Src[0]), []int32{1, 2, 3, 4, 5, 6})
	copy(device.View[int32](l.Src[1]), []int32{7, 8, 9, 10, 11, 12})
	if err := (gemmKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	want := []int32{58, 64, 139, 154}
	if got := device.View[int32](l.Dst[0]); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// BenchmarkGemm times C = A @ B of n×n matrices. Float products run
// three ways: the run-time BLAS on 1 thread (the executor's setting) and on
// 2 threads, and gonum (which splits over GOMAXPROCS goroutines); the
// BLAS ways are skipped when no library is found. float64 also runs
// n = 1000 and 2000, the sizes of notes/limits.md.
func BenchmarkGemm(b *testing.B) {
	dev := device.NewHost()
	blasSave(b)
	lib := blasGet()
	b.Logf("BLAS: %s", BLASName())
	for _, dt := range []graph.DType{graph.Float64, graph.Float32, graph.Int64, graph.Int32} {
		sizes := []int{64, 256, 512}
		if dt == graph.Float64 {
			sizes = append(sizes, 1000, 2000)
		}
		ways := []string{""}
		if dt.IsFloat() {
			ways = []string{lib.name + "-1t", lib.name + "-2t", "gonum"}
			if lib.dgemm == nil {
				ways = []string{"blas-1t", "blas-2t", "gonum"}
			}
		}
		for _, n := range sizes {
			for _, way := range ways {
				name := fmt.Sprintf("%v/n=%d", dt, n)
				if way != "" {
					name += "/" + way
				}
				b.Run(name, func(b *testing.B) {
					switch {
					case way == "gonum":
						blasOff.Store(true)
					case way != "":
						if lib.dgemm == nil {
							b.Skipf("no CBLAS library (%s)", BLASName())
						}
						blasOff.Store(false)
						BLASThreads(int(way[len(way)-2] - '0'))
					}
					l := gemmLaunch(b, dev, dt, n, n, n)
					for b.Loop() {
						if err := (gemmKernel{}).Run(l); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
