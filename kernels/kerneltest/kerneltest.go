// Package kerneltest is the conformance suite every kernel backend must
// pass (after gonum's blas/testblas): Run checks each op the suite knows
// against plain float64 (or wrapping int64) reference loops written here,
// on fresh random inputs in buffers allocated from the backend's device,
// with dtype-aware tolerances.
//
// It takes a kernels.Registry and a device.Device; it hands on nothing but
// test failures. A backend's test calls it:
//
//	var seed = flag.Uint64("seed", 0, "kerneltest seed (0: from the clock)")
//
//	func TestConformance(t *testing.T) {
//		r := kernels.NewRegistry()
//		cpu.Register(r)
//		dev := device.NewHost()
//		kerneltest.Run(t, r, dev, kerneltest.WithSeed(*seed))
//		if err := device.LeakError(dev); err != nil {
//			t.Error(err)
//		}
//	}
//
// The seed is logged; rerunning with it reproduces every input. Each op's
// checks are one entry of the checks table (one subtest each), so a new op
// joins by adding a checker function and a row.
package kerneltest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// check is one op's conformance checker: it draws its cases from e.rng,
// runs them through e.launch and compares with its own reference.
type check struct {
	name string
	run  func(t *testing.T, e *env)
}

// checks is the table Run walks, in order. The fused-program checks join
// here.
var checks = []check{
	{"combine", checkCombine},
	{"gemm", checkGemm},
	{"assemble", checkAssemble},
	{"errors", checkErrors},
	{"fused", checkFused},
	{"scan", checkScan},
}

// Option configures Run.
type Option func(*config)

type config struct {
	seed   uint64
	trials int
	noMore bool
}

// WithSeed fixes the seed of the random inputs; 0 (the default) takes one
// from the clock. Run logs the seed it used either way.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithoutMoreResults leaves out fused programs of several results
// (graph.Program.More) for a backend whose fused kernel does not take
// them (lowering gives such tasks to the CPU only).
func WithoutMoreResults() Option { return func(c *config) { c.noMore = true } }

// WithTrials sets the number of random cases per op and dtype (default 8,
// at least 1).
func WithTrials(n int) Option { return func(c *config) { c.trials = max(1, n) } }

// Run checks every kernel the suite knows that r has for dev's kind,
// against references, on buffers allocated from dev; every buffer it
// allocates is released before it returns, so the caller can assert that
// dev has no live bytes afterwards. A kernel missing from r is a failure.
// dev must hold host-addressable buffers (Buffer.Bytes) until package
// device has a copy interface; otherwise the checks are skipped.
func Run(t *testing.T, r *kernels.Registry, dev device.Device, opts ...Option) {
	t.Helper()
	cfg := config{trials: 8}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.seed == 0 {
		cfg.seed = uint64(time.Now().UnixNano())
	}
	t.Logf("kerneltest: seed %d on %s (rerun with -seed=%d)", cfg.seed, dev.Name(), cfg.seed)
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			h := fnv.New64a()
			h.Write([]byte(c.name))
			e := &env{reg: r, dev: dev, trials: cfg.trials, noMore: cfg.noMore, rng: rand.New(rand.NewPCG(cfg.seed, h.Sum64()))}
			t.Cleanup(e.releaseAll)
			c.run(t, e)
		})
	}
}

// env is what a checker works with: the backend, a seeded generator and
// the buffers it allocated (released when the checker ends).
type env struct {
	reg    *kernels.Registry
	dev    device.Device
	rng    *rand.Rand
	trials int
	noMore bool
	bufs   []*device.Buffer
}

func (e *env) releaseAll() {
	for _, b := range e.bufs {
		b.Release()
	}
	e.bufs = nil
}

// alloc returns a buffer for c from the device, filled with junk so that
// a kernel that skips elements is caught. It fails the test (and stops the
// checker) when the device refuses or is not host-addressable.
func (e *env) alloc(t *testing.T, c graph.Chunk) *device.Buffer {
	t.Helper()
	b, err := e.dev.Alloc(c.Bytes())
	if err != nil {
		t.Fatalf("alloc %v on %s: %v", c, e.dev.Name(), err)
	}
	e.bufs = append(e.bufs, b)
	if c.Bytes() > 0 && b.Bytes() == nil {
		t.Skipf("device %s buffers are not host-addressable; kerneltest needs a copy interface for them", e.dev.Name())
	}
	p := b.Bytes()
	for i := range p {
		p[i] = 0xA5
	}
	return b
}

// put allocates a buffer holding x.
func (e *env) put(t *testing.T, x *tensor) *device.Buffer {
	t.Helper()
	b := e.alloc(t, x.chunk())
	x.store(b.Bytes())
	return b
}

// launch runs task through the registry's kernel for the device's kind.
// A missing kernel or a panic fails the test; the kernel's error is
// returned.
func (e *env) launch(t *testing.T, task *graph.Task, dst, src []*device.Buffer, meta []graph.Chunk) (err error) {
	t.Helper()
	k, ok := e.reg.Lookup(task, e.dev.Kind())
	if !ok {
		t.Fatalf("no %s kernel for %v on %v", task.Op.Name, kernels.KeyDType(task), e.dev.Kind())
	}
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s kernel for %v panicked: %v", task.Op.Name, task.Outputs, p)
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return k.Run(&kernels.Launch{Task: task, Dst: dst, Src: src, SrcMeta: meta})
}

// task builds a task of op over nin inputs with the given outputs.
func task(op string, params any, nin int, outs []graph.Chunk) *graph.Task {
	t := &graph.Task{
		Key:     graph.Key{Layer: "kerneltest-" + op, Block: 0},
		Op:      graph.Op{Name: op, Params: params},
		Outputs: outs,
		Devices: graph.DeviceKinds(graph.CPU | graph.GPU),
	}
	for i := range nin {
		t.Inputs = append(t.Inputs, graph.Key{Layer: "kerneltest-in", Block: int64(i)})
	}
	return t
}
