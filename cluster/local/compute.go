package local

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
	"github.com/blockwork-dev/blockwork/scheduler"
)

// Compute runs g for keys, calling deliver with each key's bytes.
func (e *Executor) Compute(ctx context.Context, g *graph.Graph, keys []graph.Key, deliver func(i int, data []byte) error, progress func(done, total int, resident int64)) error {
	r, err := e.newRun(g, keys, progress)
	if err != nil {
		return err
	}
	return r.run(ctx, func(bufs [][]*device.Buffer) error {
		for i, b := range bufs {
			if err := deliver(i, b[0].Bytes()); err != nil {
				return err
			}
		}
		return nil
	})
}

// ComputeConcurrent is Compute calling deliver from up to one goroutine
// per worker at once, each key once: for a deliver that is safe to call
// concurrently for different keys (array.Compute's copies each block to
// its own region of the result, so a large result is assembled on every
// core instead of one).
func (e *Executor) ComputeConcurrent(ctx context.Context, g *graph.Graph, keys []graph.Key, deliver func(i int, data []byte) error, progress func(done, total int, resident int64)) error {
	return e.ComputeDirect(ctx, g, keys, nil, deliver, progress)
}

// ComputeDirect is ComputeConcurrent writing some blocks straight into
// their place: dest(i) (when dest is not nil) gives where key i goes.
// A key produced by a fused task of one unreduced result that no other
// task reads, run by a kernel with kernels.StridedOutput, is written
// there by its kernel (FusedParams.OutStrides) with no chunk of its own,
// and deliver is not called for it; every other key is delivered.
func (e *Executor) ComputeDirect(ctx context.Context, g *graph.Graph, keys []graph.Key, dest func(i int) (Dest, bool), deliver func(i int, data []byte) error, progress func(done, total int, resident int64)) error {
	r, err := e.newRun(g, keys, progress)
	if err != nil {
		return err
	}
	skip := r.setDirect(dest)
	return r.run(ctx, func(bufs [][]*device.Buffer) error {
		var bytes int64
		for i, b := range bufs {
			if !skip[i] {
				bytes += b[0].Len()
			}
		}
		// one goroutine for small results; else up to a worker each, at
		// least 4 MiB apiece
		n := int(min(int64(e.workers), int64(len(bufs)), bytes>>22))
		if n <= 1 {
			for i, b := range bufs {
				if skip[i] {
					continue
				}
				if err := deliver(i, b[0].Bytes()); err != nil {
					return err
				}
			}
			return nil
		}
		var next atomic.Int64
		errs := make([]error, n)
		var wg sync.WaitGroup
		for w := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= len(bufs) {
						return
					}
					if skip[i] {
						continue
					}
					if err := deliver(i, bufs[i][0].Bytes()); err != nil {
						errs[w] = err
						next.Store(int64(len(bufs))) // the others stop too
						return
					}
				}
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	})
}

// Dest is where a wanted block goes in the caller's array: Data from the
// block's first element on, the block's Shape and DType, and the element
// Strides of the whole array.
type Dest struct {
	Data    []byte
	Shape   []int
	Strides []int
	DType   graph.DType
}

// direct is a task that writes its block into the caller's array
// (ComputeDirect): the destination, and the task with OutStrides set.
type direct struct {
	data []byte
	task graph.Task
}

// setDirect marks the wanted blocks written in place (ComputeDirect) and
// returns, per wanted key, whether it was.
func (r *run) setDirect(dest func(i int) (Dest, bool)) []bool {
	skip := make([]bool, len(r.want))
	if dest == nil {
		return skip
	}
	// how often each task is read or wanted
	uses := make([]int32, len(r.tix))
	for _, s := range r.ins {
		if s >= 0 {
			uses[s]++
		}
	}
	for _, s := range r.want {
		if s >= 0 {
			uses[s]++
		}
	}
	for i, s := range r.want {
		if s < 0 || uses[s] != 1 {
			continue
		}
		if so, ok := r.kern[s].(kernels.StridedOutput); !ok || !so.StridedOutput() {
			continue
		}
		t := &r.g.Tasks[r.tix[s]]
		p, ok := t.Op.Params.(*graph.FusedParams)
		if t.Op.Name != graph.OpFused || !ok || p == nil || p.Prog == nil || p.Prog.Reduce != nil ||
			len(p.Prog.More) > 0 || p.OutStrides != nil || len(t.Outputs) != 1 {
			continue
		}
		d, ok := dest(i)
		out := t.Outputs[0]
		if !ok || d.DType != out.DType || d.DType != p.Prog.OutDType() || !slices.Equal(d.Shape, out.Shape) ||
			!slices.Equal(d.Shape, p.Shape) || len(d.Strides) != len(d.Shape) || out.Size() == 0 {
			continue
		}
		last := 0
		for k, st := range d.Strides {
			if st < 0 {
				last = -1
				break
			}
			last += (d.Shape[k] - 1) * st
		}
		if last < 0 || (last+1)*d.DType.Size() > len(d.Data) {
			continue
		}
		pc := *p
		pc.OutStrides = d.Strides
		tc := *t
		tc.Op.Params = &pc
		if r.direct == nil {
			r.direct = map[scheduler.TaskID]*direct{}
		}
		r.direct[scheduler.TaskID(s)] = &direct{data: d.Data[:(last+1)*d.DType.Size()], task: tc}
		r.specs[s].OutBytes = 0 // it allocates nothing here
		skip[i] = true
	}
	return skip
}
