package local_test

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// The test kernels work on float64 vectors; every task's output is one
// buffer of n elements. Their params:
//
//	test-const  float64 v        dst[i] = v
//	test-add    float64 v        dst[i] = v + sum over sources of src[i]
//	test-total  nil              dst[0] = sum of every element of every source
//	test-sleep  time.Duration d  sleeps d, then as test-add with v = 0
//	test-fail   nil              returns an error wrapping errBoom
//	test-panic  nil              panics
const (
	opConst = "test-const"
	opAdd   = "test-add"
	opTotal = "test-total"
	opSleep = "test-sleep"
	opFail  = "test-fail"
	opPanic = "test-panic"
)

var errBoom = errors.New("boom")

// recorder notes, at each kernel run, the task's key and the host's live
// bytes.
type recorder struct {
	host *device.Host
	mu   sync.Mutex
	keys []graph.Key
	live []int64
}

func (r *recorder) note(l *kernels.Launch) {
	live := r.host.Stats().LiveBytes
	r.mu.Lock()
	r.keys = append(r.keys, l.Task.Key)
	r.live = append(r.live, live)
	r.mu.Unlock()
}

func (r *recorder) maxLive() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var m int64
	for _, v := range r.live {
		m = max(m, v)
	}
	return m
}

func (r *recorder) runs() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.keys)
}

// testRegistry returns a registry of the test kernels, recording into rec.
func testRegistry(rec *recorder) *kernels.Registry {
	reg := kernels.NewRegistry()
	add := func(l *kernels.Launch, v float64) error {
		dst := device.View[float64](l.Dst[0])
		for i := range dst {
			dst[i] = v
		}
		for _, s := range l.Src {
			src := device.View[float64](s)
			if len(src) != len(dst) {
				return fmt.Errorf("source of %d elements, want %d", len(src), len(dst))
			}
			for i, x := range src {
				dst[i] += x
			}
		}
		return nil
	}
	k := func(f func(l *kernels.Launch) error) kernels.Kernel {
		return kernels.Func(func(l *kernels.Launch) error {
			rec.note(l)
			return f(l)
		})
	}
	reg.Register(opConst, graph.Float64, graph.CPU, k(func(l *kernels.Launch) error {
		return add(l, l.Task.Op.Params.(float64))
	}))
	reg.Register(opAdd, graph.Float64, graph.CPU, k(func(l *kernels.Launch) error {
		return add(l, l.Task.Op.Params.(float64))
	}))
	reg.Register(opTotal, graph.Float64, graph.CPU, k(func(l *kernels.Launch) error {
		var s float64
		for _, b := range l.Src {
			for _, x := range device.View[float64](b) {
				s += x
			}
		}
		device.View[float64](l.Dst[0])[0] = s
		return nil
	}))
	reg.Register(opSleep, graph.Float64, graph.CPU, k(func(l *kernels.Launch) error {
		time.Sleep(l.Task.Op.Params.(time.Duration))
		return add(l, 0)
	}))
	reg.Register(opFail, graph.Float64, graph.CPU, k(func(l *kernels.Launch) error {
		return fmt.Errorf("failing on purpose: %w", errBoom)
	}))
	reg.Register(opPanic, graph.Float64, graph.CPU, k(func(l *kernels.Launch) error {
		panic("kaboom")
	}))
	reg.Register(graph.OpAlias, graph.Float64, graph.CPU, k(func(l *kernels.Launch) error { return nil }))
	return reg
}

func key(layer string, block int) graph.Key { return graph.Key{Layer: layer, Block: int64(block)} }

// task is a test task with one float64 output of n elements.
func task(k graph.Key, op string, params any, n int, inputs ...graph.Key) graph.Task {
	return graph.Task{
		Key:     k,
		Op:      graph.Op{Name: op, Params: params},
		Inputs:  inputs,
		Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{n}}},
		Devices: graph.DeviceKinds(graph.CPU),
	}
}

// leaf is a literal leaf holding xs.
func leaf(k graph.Key, xs ...float64) graph.Leaf {
	return graph.Leaf{Key: k, Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{len(xs)}}}, Value: append([]byte(nil), device.AsBytes(xs)...)}
}

// chain is const 0 followed by n test-add tasks adding 1, of m elements
// each; its last key holds n everywhere.
func chain(layer string, n, m int) (*graph.Graph, graph.Key) {
	g := &graph.Graph{}
	g.Tasks = append(g.Tasks, task(key(layer, 0), opConst, 0.0, m))
	for i := 1; i <= n; i++ {
		g.Tasks = append(g.Tasks, task(key(layer, i), opAdd, 1.0, m, key(layer, i-1)))
	}
	return g, key(layer, n)
}

// floats copies data out as float64s.
func floats(data []byte) []float64 {
	return append([]float64(nil), device.ViewBytes[float64](data)...)
}
