package local_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
)

// TestComputeConcurrent: keys whose bytes are large enough are delivered
// from several goroutines, each once with its own bytes; small results
// stay on one; a deliver error stops the others and comes back.
func TestComputeConcurrent(t *testing.T) {
	e, _ := newExec(t, local.Workers(4))
	for _, c := range []struct {
		keys, n int
	}{{1, 10}, {5, 1 << 10}, {24, 1 << 19}} { // the last: 96 MiB in all
		g := &graph.Graph{}
		var keys []graph.Key
		for i := range c.keys {
			k := key("c", i)
			g.Tasks = append(g.Tasks, task(k, opConst, float64(i)+0.5, c.n))
			keys = append(keys, k)
		}
		got := make([][]float64, c.keys)
		var inFlight, most atomic.Int32
		err := e.ComputeConcurrent(context.Background(), g, keys, func(i int, data []byte) error {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			if got[i] != nil {
				return fmt.Errorf("key %d delivered twice", i)
			}
			got[i] = floats(data)
			time.Sleep(time.Millisecond) // let the others overlap
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			wantAll(t, fmt.Sprintf("%d keys of %d: key %d", c.keys, c.n, i), v, c.n, float64(i)+0.5)
		}
		if big := c.n*8*c.keys >= 8<<20; big && most.Load() < 2 || !big && most.Load() > 1 {
			t.Errorf("%d keys of %d elements: at most %d deliveries at once", c.keys, c.n, most.Load())
		}
		// a failing deliver stops the run with its error
		errDeliver := errors.New("deliver failed")
		err = e.ComputeConcurrent(context.Background(), g, keys, func(i int, _ []byte) error {
			if i == c.keys/2 {
				return errDeliver
			}
			return nil
		}, nil)
		if !errors.Is(err, errDeliver) {
			t.Fatalf("%d keys: err = %v, want errDeliver", c.keys, err)
		}
		devicetest.AssertNoLeaks(t, e.Host())
	}
}

// fill is a fused task of the CPU kernels writing v + 100*i + j at (i, j)
// of a block of the given shape (an unreduced result: it may be written
// into the caller's array).
func fill(k graph.Key, v float64, shape []int) graph.Task {
	c := func(x float64) graph.Instr {
		return graph.Instr{Op: graph.OpConst, DType: graph.Float64, Imm: graph.ConstBits(graph.Float64, x)}
	}
	prog := &graph.Program{Instrs: []graph.Instr{
		{Op: graph.OpIndex, DType: graph.Float64, Map: 0, Imm: 0}, c(100),
		{Op: graph.OpMul, DType: graph.Float64, A: 0, B: 1},
		{Op: graph.OpIndex, DType: graph.Float64, Map: 0, Imm: 1},
		{Op: graph.OpAdd, DType: graph.Float64, A: 2, B: 3}, c(v),
		{Op: graph.OpAdd, DType: graph.Float64, A: 4, B: 5},
	}, Out: 6}
	return graph.Task{
		Key:     k,
		Op:      graph.Op{Name: graph.OpFused, Params: &graph.FusedParams{Prog: prog, Shape: shape, Maps: []graph.Map{graph.Identity(2, nil)}}},
		Outputs: []graph.Chunk{{DType: graph.Float64, Shape: shape}},
		Devices: graph.DeviceKinds(graph.CPU),
	}
}

// TestComputeDirect: the blocks of a 3x2 grid written straight into their
// place in the caller's array by their kernels, not delivered, under a
// memory limit too small to hold them all as chunks; a block another task
// reads, one wanted twice and one the caller gives no place are
// delivered instead; nothing stays live.
func TestComputeDirect(t *testing.T) {
	const bh, bw = 40, 50 // a block; the array is 3x2 blocks
	full := []int{3 * bh, 2 * bw}
	g := &graph.Graph{}
	var keys []graph.Key
	for b := range 6 {
		g.Tasks = append(g.Tasks, fill(key("f", b), float64(1000*b), []int{bh, bw}))
		keys = append(keys, key("f", b))
	}
	// block 5 is read by a sum; block 4 is wanted twice
	sum := fusedConst(key("sum", 0), 0, 1)
	sum.Inputs = []graph.Key{key("f", 5)}
	sum.Op.Params.(*graph.FusedParams).Prog.Instrs[0] = graph.Instr{Op: graph.OpLoad, DType: graph.Float64, Map: 0}
	sum.Op.Params.(*graph.FusedParams).Maps = []graph.Map{{{Out: -1}, {Out: 0, Step: 1}}}
	sum.Op.Params.(*graph.FusedParams).Shape = []int{bw}
	g.Tasks = append(g.Tasks, sum)
	keys = append(keys, key("f", 4), key("sum", 0))
	// four blocks' memory: the six as chunks would not fit (see below)
	for _, limit := range []int64{0, 4 * 8 * bh * bw} {
		e := cpuExec(t, local.Workers(2), local.MemoryLimit(limit))
		arr := make([]float64, full[0]*full[1])
		data := device.AsBytes(arr)
		var delivered []int
		var mu sync.Mutex
		dest := func(i int) (local.Dest, bool) {
			if i >= 6 || i == 3 { // the caller has no place for block 3
				return local.Dest{}, false
			}
			off := (i/2)*bh*full[1] + (i%2)*bw
			return local.Dest{Data: data[off*8:], Shape: []int{bh, bw}, Strides: []int{full[1], 1}, DType: graph.Float64}, true
		}
		got := map[int][]float64{}
		err := e.ComputeDirect(context.Background(), g, keys, dest, func(i int, b []byte) error {
			mu.Lock()
			defer mu.Unlock()
			delivered = append(delivered, i)
			got[i] = append([]float64(nil), floats(b)...)
			return nil
		}, nil)
		if err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		slices.Sort(delivered)
		if want := []int{3, 4, 5, 6, 7}; !slices.Equal(delivered, want) {
			t.Errorf("limit %d: delivered keys %v, want %v (0, 1 and 2 written in place)", limit, delivered, want)
		}
		for b := range 3 {
			for i := range bh {
				for j := range bw {
					at := (b/2*bh+i)*full[1] + b%2*bw + j
					if w := float64(1000*b + 100*i + j); arr[at] != w {
						t.Fatalf("limit %d: block %d (%d, %d) = %v, want %v", limit, b, i, j, arr[at], w)
					}
				}
			}
		}
		// the rest of the array is untouched; delivered blocks are whole
		for b := 3; b < 6; b++ {
			if arr[(b/2*bh)*full[1]+b%2*bw] != 0 {
				t.Errorf("limit %d: block %d was written in place though delivered", limit, b)
			}
			if v := got[b][bw+1]; v != float64(1000*b+101) {
				t.Errorf("limit %d: delivered block %d (1, 1) = %v", limit, b, v)
			}
		}
		var s float64
		for j := range bw {
			s += float64(5000 + j)
		}
		if got[7][0] != s {
			t.Errorf("limit %d: the sum of block 5's first row = %v, want %v", limit, got[7][0], s)
		}
		if limit > 0 {
			// every block delivered as a chunk: over the limit
			err := e.ComputeConcurrent(context.Background(), g, keys, func(int, []byte) error { return nil }, nil)
			if err == nil || !strings.Contains(err.Error(), "memory limit") {
				t.Errorf("limit %d without places: err = %v, want the memory limit", limit, err)
			}
		}
	}
}
