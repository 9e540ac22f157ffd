package cpu

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// combineLaunch allocates k partials of kind over n values of dt; the
// destination is fresh unless alias >= 0, when it is partial alias's tuple.
func combineLaunch(t testing.TB, dev device.Device, kind graph.ReduceKind, dt graph.DType, n, k, alias int) *kernels.Launch {
	t.Helper()
	outs := kind.PartialOutputs(dt, []int{n})
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpCombine, Params: graph.CombineParams{Kind: kind}}, Outputs: outs}}
	alloc := func(c graph.Chunk) *device.Buffer {
		buf, err := dev.Alloc(c.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(buf.Release)
		clear(buf.Bytes())
		return buf
	}
	for range k {
		for _, c := range outs {
			l.Src = append(l.Src, alloc(c))
			l.SrcMeta = append(l.SrcMeta, c)
		}
	}
	for b, c := range outs {
		if alias >= 0 {
			l.Dst = append(l.Dst, l.Src[alias*len(outs)+b])
		} else {
			l.Dst = append(l.Dst, alloc(c))
		}
	}
	return l
}

// ArgMax in place into the last partial: ties keep the earlier, the first
// NaN wins and stays.
func TestCombineArgMaxAliasLast(t *testing.T) {
	dev := device.NewHost()
	nan := math.NaN()
	vals := [][]float64{
		{1, nan, 2, 5},
		{1, 3, nan, 5},
		{2, nan, nan, 6},
	}
	l := combineLaunch(t, dev, graph.ReduceArgMax, graph.Float64, 4, 3, 2)
	for j, v := range vals {
		copy(device.View[float64](l.Src[2*j]), v)
		ix := device.View[int64](l.Src[2*j+1])
		for i := range ix {
			ix[i] = int64(10*j + i)
		}
	}
	if err := (combineKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	gotV, gotI := device.View[float64](l.Dst[0]), device.View[int64](l.Dst[1])
	wantI := []int64{20, 1, 12, 23}
	if fmt.Sprint(gotI) != fmt.Sprint(wantI) || gotV[0] != 2 || !math.IsNaN(gotV[1]) || !math.IsNaN(gotV[2]) || gotV[3] != 6 {
		t.Errorf("got %v %v, want indices %v", gotV, gotI, wantI)
	}
}

func TestCombineMomentsEmpty(t *testing.T) {
	dev := device.NewHost()
	l := combineLaunch(t, dev, graph.ReduceMoments, graph.Float64, 2, 2, 0)
	// Partial 1 has (2, 3, 2) at element 0 and nothing at element 1.
	device.View[float64](l.Src[3])[0] = 2
	device.View[float64](l.Src[4])[0] = 3
	device.View[float64](l.Src[5])[0] = 2
	if err := (combineKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	for b, want := range [][]float64{{2, 0}, {3, 0}, {2, 0}} {
		if got := device.View[float64](l.Dst[b]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("buffer %d: got %v, want %v", b, got, want)
		}
	}
}

func BenchmarkCombine(b *testing.B) {
	const n = 1 << 20
	dev := device.NewHost()
	for _, c := range []struct {
		kind graph.ReduceKind
		dt   graph.DType
	}{{graph.ReduceSum, graph.Float64}, {graph.ReduceMax, graph.Float64}, {graph.ReduceArgMin, graph.Float32}, {graph.ReduceMoments, graph.Float64}} {
		b.Run(fmt.Sprintf("%v/%v/k=4", c.kind, c.dt), func(b *testing.B) {
			l := combineLaunch(b, dev, c.kind, c.dt, n, 4, -1)
			var bytes int64
			for _, buf := range append(l.Src, l.Dst...) {
				bytes += buf.Len()
			}
			b.SetBytes(bytes)
			for b.Loop() {
				if err := (combineKernel{}).Run(l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
