package cuda

import (
	"fmt"
	"sync"
)

// DefaultArch is the virtual architecture fused kernels are compiled for
// when the caller names none: the fixed kernels' target, which the
// driver JITs for any newer GPU.
const DefaultArch = "compute_80"

// Compiler compiles rendered fused kernels with NVRTC, once per distinct
// source (keyed by a hash of the code) and architecture. Safe for
// concurrent use; a source being compiled is compiled once while other
// callers wait for it.
type Compiler struct {
	nv   *NVRTC
	arch string

	mu    sync.Mutex
	cache map[string]*compiled
	runs  int // NVRTC compilations (for tests and reports)
}

type compiled struct {
	done chan struct{}
	ptx  string
	err  error
}

// NewCompiler compiles for arch ("compute_90"; DefaultArch when empty).
func NewCompiler(nv *NVRTC, arch string) *Compiler {
	if arch == "" {
		arch = DefaultArch
	}
	return &Compiler{nv: nv, arch: arch, cache: map[string]*compiled{}}
}

// PTX returns the PTX of src, compiling it on first use.
func (c *Compiler) PTX(src *Source) (string, error) {
	key := src.Key()
	c.mu.Lock()
	e, ok := c.cache[key]
	if !ok {
		e = &compiled{done: make(chan struct{})}
		c.cache[key] = e
		c.runs++
	}
	c.mu.Unlock()
	if ok {
		<-e.done
		return e.ptx, e.err
	}
	e.ptx, e.err = c.nv.Compile(src.Code, src.Name+".cu", "--gpu-architecture="+c.arch, "--std=c++14")
	if e.err != nil {
		e.err = fmt.Errorf("cuda: fused kernel %s: %w", src.Name, e.err)
	}
	close(e.done)
	return e.ptx, e.err
}

// Compilations is the number of NVRTC runs so far.
func (c *Compiler) Compilations() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs
}
