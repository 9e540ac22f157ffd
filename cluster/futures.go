package cluster

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/blockwork-dev/blockwork/graph"
)

// Input is an argument chunk of a submitted function: an earlier Future,
// or literal data (Chunk, Scalar).
type Input interface{ input() }

// Future is a chunk that a function submitted to the cluster makes; it
// stays on the worker that made it until Release. Safe for concurrent use.
type Future struct {
	c      *Client
	key    graph.Key
	meta   graph.Chunk
	done   chan struct{}
	cancel context.CancelFunc
	h      *Handle
	err    error
	rel    sync.Once
}

func (*Future) input() {}

type literal struct {
	data []byte
	meta graph.Chunk
}

func (literal) input() {}

// Chunk is literal input data: data holds meta's bytes (C order, native
// byte order).
func Chunk(data []byte, meta graph.Chunk) Input { return literal{data, meta} }

// Scalar is a 0-d float64 input.
func Scalar(v float64) Input {
	b := binary.NativeEndian.AppendUint64(nil, math.Float64bits(v)) // chunks are native order
	return literal{b, graph.Chunk{DType: graph.Float64}}
}

// SubmitOption configures Submit.
type SubmitOption func(*submitOpts)

type submitOpts struct{ retries int }

// Retries runs a failing task again up to n times before the future
// fails (task errors only: a worker dying under it is counted apart, see
// WithMaxKills).
func Retries(n int) SubmitOption { return func(o *submitOpts) { o.retries = n } }

var futureSeq atomic.Uint64

// Submit runs the block function registered as fn (funcs.RegisterBlockFunc,
// in every worker's binary) on the cluster with the argument blob args
// and the input chunks, to make a chunk described by out. It returns at
// once; the function runs when its input futures are done. ctx bounds the
// whole run.
func (c *Client) Submit(ctx context.Context, fn string, args []byte, out graph.Chunk, inputs []Input, opts ...SubmitOption) *Future {
	var o submitOpts
	for _, opt := range opts {
		opt(&o)
	}
	ctx, cancel := context.WithCancel(ctx)
	f := &Future{c: c, meta: out, done: make(chan struct{}), cancel: cancel,
		key: graph.Key{Layer: "future-" + strconv.FormatUint(futureSeq.Add(1), 10) + "-" + fn}}
	go func() {
		defer close(f.done)
		f.h, f.err = f.run(ctx, fn, args, inputs, o)
		if f.err != nil {
			f.err = fmt.Errorf("future %s (%s): %w", f.key.Layer, fn, f.err)
		}
	}()
	return f
}

func (f *Future) run(ctx context.Context, fn string, args []byte, inputs []Input, o submitOpts) (*Handle, error) {
	if fn == "" {
		return nil, errors.New("no function name")
	}
	zeros := func(n int) []int { return make([]int, n) }
	g := &graph.Graph{}
	params := &graph.MapParams{Func: fn, Args: args, Out: graph.BlockPos{Index: zeros(len(f.meta.Shape)), Start: zeros(len(f.meta.Shape)), ArrayShape: f.meta.Shape}}
	task := graph.Task{Key: f.key, Op: graph.Op{Name: graph.OpMapBlocks, Params: params}, Outputs: []graph.Chunk{f.meta}, Devices: graph.DeviceKinds(graph.CPU)}
	for i, in := range inputs {
		lk := graph.Key{Layer: f.key.Layer + "-in", Block: int64(i)}
		var leaf graph.Leaf
		switch in := in.(type) {
		case *Future:
			select {
			case <-in.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if in.err != nil {
				return nil, fmt.Errorf("input %d: %w", i, in.err)
			}
			if in.c != f.c {
				return nil, fmt.Errorf("input %d: a future of another client", i)
			}
			leaf = graph.Leaf{Key: lk, Outputs: []graph.Chunk{in.meta}, Value: in.h}
		case literal:
			if int64(len(in.data)) != in.meta.Bytes() {
				return nil, fmt.Errorf("input %d: %d bytes for %v", i, len(in.data), in.meta)
			}
			leaf = graph.Leaf{Key: lk, Outputs: []graph.Chunk{in.meta}, Value: in.data}
		default:
			return nil, fmt.Errorf("input %d: %T", i, in)
		}
		g.Leaves = append(g.Leaves, leaf)
		task.Inputs = append(task.Inputs, lk)
		n := len(leaf.Outputs[0].Shape)
		params.In = append(params.In, graph.BlockPos{Index: zeros(n), Start: zeros(n), ArrayShape: leaf.Outputs[0].Shape})
	}
	g.Tasks = []graph.Task{task}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	res, _, end, err := f.c.submit(ctx, g, []graph.Key{f.key}, true, o.retries, nil)
	if err != nil {
		return nil, err
	}
	end()
	return &Handle{c: f.c, ref: res[0].Ref, meta: []graph.Chunk{f.meta}}, nil
}

// Done is closed when the future has a result or an error.
func (f *Future) Done() <-chan struct{} { return f.done }

// Err waits for the future and returns its error.
func (f *Future) Err(ctx context.Context) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Meta describes the future's chunk.
func (f *Future) Meta() graph.Chunk { return f.meta }

// Handle is the future's persisted chunk, usable as a leaf value in
// array graphs on the same client (nil until done, or on error).
func (f *Future) Handle() *Handle {
	select {
	case <-f.done:
		return f.h
	default:
		return nil
	}
}

// Cancel stops the future if it still runs and frees its chunk if it is
// done.
func (f *Future) Cancel() {
	f.cancel()
	<-f.done
	f.Release()
}

// Release frees the future's chunk on the cluster (after it is done).
func (f *Future) Release() {
	select {
	case <-f.done:
	default:
		return
	}
	f.rel.Do(func() {
		if f.h != nil {
			f.c.Release([]any{f.h})
		}
	})
}

// Gather waits for the futures and fetches their chunks (one byte slice
// each, the chunk's C-order bytes), straight from the workers that hold
// them.
func (c *Client) Gather(ctx context.Context, futs ...*Future) ([][]byte, error) {
	g := &graph.Graph{}
	keys := make([]graph.Key, len(futs))
	for i, f := range futs {
		if err := f.Err(ctx); err != nil {
			return nil, err
		}
		if f.c != c {
			return nil, fmt.Errorf("cluster: future %s belongs to another client", f.key.Layer)
		}
		keys[i] = graph.Key{Layer: "gather", Block: int64(i)}
		g.Leaves = append(g.Leaves, graph.Leaf{Key: keys[i], Outputs: []graph.Chunk{f.meta}, Value: f.h})
	}
	out := make([][]byte, len(futs))
	err := c.Compute(ctx, g, keys, func(i int, data []byte) error {
		out[i] = append([]byte(nil), data...)
		return nil
	}, nil)
	return out, err
}
