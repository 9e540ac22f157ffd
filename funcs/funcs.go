package funcs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/blockwork-dev/blockwork/graph"
)

// Block describes one chunk of an N-d array: where it sits in the whole
// array and what it holds. Data handed with a Block is C order, native
// byte order, Shape x DType.Size() bytes.
type Block struct {
	Index      []int       // block coordinates in the chunk grid
	Start      []int       // offset of the block's first element in the whole array
	Shape      []int       // the block's shape
	ArrayShape []int       // the whole array's shape
	DType      graph.DType // element type of the data
}

// Elems is the number of elements of the block.
func (b Block) Elems() int {
	n := 1
	for _, s := range b.Shape {
		n *= s
	}
	return n
}

// Bytes is the size of the block's data in bytes.
func (b Block) Bytes() int { return b.Elems() * b.DType.Size() }

// Loader fills dst (exactly b.Bytes() long) with block b of the array
// that args describes. It must write every byte of dst, return an error
// (never panic) on bad data, and stop early when ctx is done.
type Loader func(ctx context.Context, args []byte, b Block, dst []byte) error

// Writer stores block b (src, exactly b.Bytes() long) of the array that
// args describes, and returns the number of bytes it wrote to the target
// (after encoding). A writer must not keep src after it returns.
type Writer func(ctx context.Context, args []byte, b Block, src []byte) (int64, error)

// ErrUnknown is returned (wrapped) for a name nobody registered.
var ErrUnknown = errors.New("funcs: no function registered under this name")

var reg struct {
	sync.RWMutex
	loaders map[string]Loader
	writers map[string]Writer
}

// RegisterLoader makes f callable by load tasks under name. Registering a
// name twice is an error (two packages would disagree about what a graph
// means).
func RegisterLoader(name string, f Loader) error {
	if name == "" || f == nil {
		return fmt.Errorf("funcs: RegisterLoader: empty name or nil function")
	}
	reg.Lock()
	defer reg.Unlock()
	if _, dup := reg.loaders[name]; dup {
		return fmt.Errorf("funcs: loader %q registered twice", name)
	}
	if reg.loaders == nil {
		reg.loaders = map[string]Loader{}
	}
	reg.loaders[name] = f
	return nil
}

// RegisterWriter makes f callable by store tasks under name.
func RegisterWriter(name string, f Writer) error {
	if name == "" || f == nil {
		return fmt.Errorf("funcs: RegisterWriter: empty name or nil function")
	}
	reg.Lock()
	defer reg.Unlock()
	if _, dup := reg.writers[name]; dup {
		return fmt.Errorf("funcs: writer %q registered twice", name)
	}
	if reg.writers == nil {
		reg.writers = map[string]Writer{}
	}
	reg.writers[name] = f
	return nil
}

// MustRegisterLoader is RegisterLoader for init functions: it panics on
// a programming error (an empty or duplicate name).
func MustRegisterLoader(name string, f Loader) {
	if err := RegisterLoader(name, f); err != nil {
		panic(err)
	}
}

// MustRegisterWriter is RegisterWriter for init functions.
func MustRegisterWriter(name string, f Writer) {
	if err := RegisterWriter(name, f); err != nil {
		panic(err)
	}
}

// LookupLoader returns the loader registered under name.
func LookupLoader(name string) (Loader, error) {
	reg.RLock()
	f, ok := reg.loaders[name]
	reg.RUnlock()
	if !ok {
		return nil, fmt.Errorf("loader %q: %w", name, ErrUnknown)
	}
	return f, nil
}

// LookupWriter returns the writer registered under name.
func LookupWriter(name string) (Writer, error) {
	reg.RLock()
	f, ok := reg.writers[name]
	reg.RUnlock()
	if !ok {
		return nil, fmt.Errorf("writer %q: %w", name, ErrUnknown)
	}
	return f, nil
}

// Names lists the registered loader and writer names, sorted.
func Names() (loaders, writers []string) {
	reg.RLock()
	defer reg.RUnlock()
	for n := range reg.loaders {
		loaders = append(loaders, n)
	}
	for n := range reg.writers {
		writers = append(writers, n)
	}
	sort.Strings(loaders)
	sort.Strings(writers)
	return loaders, writers
}

// BlockFunc computes one output block (dst, described by out) from the
// blocks of its inputs (src[i], described by in[i]): the function of
// array.MapBlocks and array.MapOverlap. It must write every byte of dst
// and must not keep dst or src after it returns.
type BlockFunc func(ctx context.Context, args []byte, out Block, dst []byte, in []Block, src [][]byte) error

var blockFuncs struct {
	sync.RWMutex
	m map[string]BlockFunc
}

// RegisterBlockFunc makes f callable by map tasks under name.
func RegisterBlockFunc(name string, f BlockFunc) error {
	if name == "" || f == nil {
		return fmt.Errorf("funcs: RegisterBlockFunc: empty name or nil function")
	}
	blockFuncs.Lock()
	defer blockFuncs.Unlock()
	if _, dup := blockFuncs.m[name]; dup {
		return fmt.Errorf("funcs: block function %q registered twice", name)
	}
	if blockFuncs.m == nil {
		blockFuncs.m = map[string]BlockFunc{}
	}
	blockFuncs.m[name] = f
	return nil
}

// MustRegisterBlockFunc is RegisterBlockFunc for init functions.
func MustRegisterBlockFunc(name string, f BlockFunc) {
	if err := RegisterBlockFunc(name, f); err != nil {
		panic(err)
	}
}

// LookupBlockFunc returns the block function registered under name.
func LookupBlockFunc(name string) (BlockFunc, error) {
	blockFuncs.RLock()
	f, ok := blockFuncs.m[name]
	blockFuncs.RUnlock()
	if !ok {
		return nil, fmt.Errorf("block function %q: %w", name, ErrUnknown)
	}
	return f, nil
}
