package kernels

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// Launch is one task's run: destination buffers first (one per
// Task.Outputs entry), then the flattened source buffers of all inputs in
// order, with their metadata.
type Launch struct {
	// Ctx is the computation's context (nil means context.Background):
	// kernels that wait on the outside world (loaders, writers) stop
	// when it is done.
	Ctx     context.Context
	Task    *graph.Task
	Dst     []*device.Buffer
	Src     []*device.Buffer
	SrcMeta []graph.Chunk
}

// Kernel computes one task on one device kind.
type Kernel interface {
	Run(l *Launch) error
}

// StridedOutput is a kernel of graph.OpFused that honours
// FusedParams.OutStrides: it can write its one result straight into a
// larger array.
type StridedOutput interface {
	StridedOutput() bool
}

// Run runs k, turning a panic into an error (with the stack), so an
// executor reports a kernel bug as the task's error instead of dying.
func Run(k Kernel, l *Launch) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("kernel panic: %v\n%s", p, debug.Stack())
		}
	}()
	return k.Run(l)
}

// Func adapts a function to Kernel.
type Func func(l *Launch) error

// Run calls f.
func (f Func) Run(l *Launch) error { return f(l) }

type regKey struct {
	op   string
	dt   graph.DType
	kind graph.DeviceKind
}

// Registry maps (op, dtype, device kind) to kernels. The dtype of a task is
// that of its first output (KeyDType). Safe for concurrent use.
type Registry struct {
	mu sync.RWMutex
	m  map[regKey]Kernel
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[regKey]Kernel{}} }

// Register adds k for op at dtype dt on kind; a second registration of the
// same triple replaces the first.
func (r *Registry) Register(op string, dt graph.DType, kind graph.DeviceKind, k Kernel) {
	r.mu.Lock()
	r.m[regKey{op, dt, kind}] = k
	r.mu.Unlock()
}

// Lookup returns the kernel for a task on kind.
func (r *Registry) Lookup(t *graph.Task, kind graph.DeviceKind) (Kernel, bool) {
	r.mu.RLock()
	k, ok := r.m[regKey{t.Op.Name, KeyDType(t), kind}]
	r.mu.RUnlock()
	return k, ok
}

// Devices returns the kinds that have a kernel for t.
func (r *Registry) Devices(t *graph.Task) graph.DeviceKinds {
	var s graph.DeviceKinds
	r.mu.RLock()
	for _, kind := range []graph.DeviceKind{graph.CPU, graph.GPU} {
		if _, ok := r.m[regKey{t.Op.Name, KeyDType(t), kind}]; ok {
			s |= graph.DeviceKinds(kind)
		}
	}
	r.mu.RUnlock()
	return s
}

// Ops lists the registered (op, dtype) pairs for kind, sorted.
func (r *Registry) Ops(kind graph.DeviceKind) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for k := range r.m {
		if k.kind == kind {
			out = append(out, fmt.Sprintf("%s/%v", k.op, k.dt))
		}
	}
	sort.Strings(out)
	return out
}

// KeyDType is the dtype a task's kernel is registered under: its first
// output's.
func KeyDType(t *graph.Task) graph.DType {
	if len(t.Outputs) == 0 {
		return graph.Invalid
	}
	return t.Outputs[0].DType
}

// Context returns l.Ctx, or context.Background when it is nil.
func (l *Launch) Context() context.Context {
	if l.Ctx == nil {
		return context.Background()
	}
	return l.Ctx
}
