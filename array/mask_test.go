package array_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// TestExtractCompress selects by lazy masks (comparisons computed in the
// graph) and checks the unknown-size protocol: other operations refuse
// with ErrUnknownChunks, Compute finds the sizes itself, and
// ComputeChunkSizes gives an array every operation takes.
func TestExtractCompress(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(10); c++ {
		shape := v.shape(0, 3)
		x := v.operand(shape, v.dtype(), vSpecial)
		y := v.operand(shape, graph.Float64, vSmall)
		mask := y.a.Gt(array.Float(0)) // lazy
		var want []int
		for k := 0; k < y.ref.n(); k++ {
			if y.ref.f[k] > 0 {
				want = append(want, k)
			}
		}
		wantRef := newRef([]int{len(want)}, x.ref.dt)
		for i, k := range want {
			wantRef.copyFrom(i, x.ref, k)
		}
		desc := fmt.Sprintf("case %d: %v[%v > 0]", c, x, y)
		e := x.a.Extract(mask)
		if e.ChunksKnown() || !errors.Is(e.Sum().Err(), array.ErrUnknownChunks) {
			t.Errorf("%s: chunks known %v, Sum error %v: want unknown sizes refused", desc, e.ChunksKnown(), e.Sum().Err())
		}
		exact(t, desc, v.one(desc, e), wantRef) // Compute finds the sizes
		k, err := e.ComputeChunkSizes(v.ctx, array.On(v.e))
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		if k.NumBlocks() != x.a.Ravel().NumBlocks() || !k.ChunksKnown() {
			t.Errorf("%s: %d blocks after ComputeChunkSizes, want one per block of x raveled (%d)", desc, k.NumBlocks(), x.a.Ravel().NumBlocks())
		}
		exact(t, desc+" (sizes known)", v.one(desc, k), wantRef)

		// compress along an axis by a lazy 1-d condition
		if len(shape) == 0 {
			continue
		}
		ax := v.r.IntN(len(shape))
		nc := shape[ax]
		if v.r.IntN(3) == 0 { // shorter: x is cut to it, as NumPy's
			nc = v.r.IntN(nc + 1)
		}
		cv := v.operand([]int{nc}, graph.Int64, vSmall)
		cond := cv.a.Gt(array.Int(0))
		var keep []int
		for i, z := range cv.ref.i {
			if z > 0 {
				keep = append(keep, i)
			}
		}
		out := append([]int{}, shape...)
		out[ax] = len(keep)
		want2 := gatherRef(x.ref, out, func(a, i int) int {
			if a == ax {
				return keep[i]
			}
			return i
		}, 0)
		desc = fmt.Sprintf("case %d: compress(%v > 0, %v, axis %d)", c, cv, x, ax)
		cp := x.a.Compress(cond, ax)
		p, err := cp.Persist(v.ctx, array.On(v.e))
		if err != nil {
			t.Fatalf("%s: persist: %v", desc, err)
		}
		got, err := p.Array().Compute(v.ctx, array.On(v.e)) // (v.one would count p's chunks as leaked)
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		exact(t, desc, got, want2)
		kc, err := cp.ComputeChunkSizes(v.ctx, array.On(v.e))
		if err != nil {
			t.Fatal(err)
		}
		s := kc.Sum(ax) // an ordinary array now
		if s.Err() != nil {
			t.Errorf("%s: sum after ComputeChunkSizes: %v", desc, s.Err())
		}
		p.Release()
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{4}, graph.Float64)
	wantErr(t, "mask shape", x.Extract(array.Ones([]int{3}, graph.Bool)).Err(), "extract", "same shape")
	wantErr(t, "mask dtype", x.Extract(array.Ones([]int{4}, graph.Int32)).Err(), "extract", "bool")
	wantErr(t, "cond length", x.Compress(array.Ones([]int{5}, graph.Bool), 0).Err(), "compress", "no longer than")
	wantErr(t, "cond dtype", x.Compress(array.Ones([]int{4}, graph.Int32), 0).Err(), "compress", "bool")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.Extract(array.Ones([]int{4}, graph.Bool)).ComputeChunkSizes(ctx, array.On(v.e)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ComputeChunkSizes: %v", err)
	}
}
