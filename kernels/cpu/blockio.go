package cpu

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// loadKernel runs graph.OpLoadBlock: it resolves the loader named in
// *graph.LoadParams in package funcs and lets it fill Dst[0] (the task's
// Outputs[0]: shape and dtype) with the block. An unknown name, a loader
// error or a panic inside the loader is the task's error.
type loadKernel struct{}

func (loadKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.LoadParams)
	if !ok || p == nil {
		return fmt.Errorf("load: params are %T, want *graph.LoadParams", l.Task.Op.Params)
	}
	if len(l.Dst) != 1 || len(l.Task.Outputs) != 1 {
		return fmt.Errorf("load: %d outputs, want 1", len(l.Dst))
	}
	f, err := funcs.LookupLoader(p.Func)
	if err != nil {
		return err
	}
	out := l.Task.Outputs[0]
	blk := funcs.Block{Index: p.Index, Start: p.Start, Shape: out.Shape, ArrayShape: p.ArrayShape, DType: out.DType}
	dst := l.Dst[0].Bytes()
	if len(dst) != blk.Bytes() {
		return fmt.Errorf("load: destination holds %d bytes, block %v needs %d", len(dst), out.Shape, blk.Bytes())
	}
	if err := f(l.Context(), p.Args, blk, dst); err != nil {
		return fmt.Errorf("%s: %w", p.Func, err)
	}
	return nil
}

// storeKernel runs graph.OpStoreBlock: it hands Src[0] to the writer named
// in *graph.StoreParams and writes the bytes it reports into Dst[0] (one
// int64).
type storeKernel struct{}

func (storeKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.StoreParams)
	if !ok || p == nil {
		return fmt.Errorf("store: params are %T, want *graph.StoreParams", l.Task.Op.Params)
	}
	if len(l.Src) != 1 || len(l.Dst) != 1 {
		return fmt.Errorf("store: %d inputs and %d outputs, want 1 and 1", len(l.Src), len(l.Dst))
	}
	if out := l.Task.Outputs[0]; out.DType != graph.Int64 || out.Size() != 1 {
		return fmt.Errorf("store: output %v %v, want one int64", out.DType, out.Shape)
	}
	f, err := funcs.LookupWriter(p.Func)
	if err != nil {
		return err
	}
	in := l.SrcMeta[0]
	blk := funcs.Block{Index: p.Index, Start: p.Start, Shape: in.Shape, ArrayShape: p.ArrayShape, DType: in.DType}
	src := l.Src[0].Bytes()
	if len(src) != blk.Bytes() {
		return fmt.Errorf("store: source holds %d bytes, block %v needs %d", len(src), in.Shape, blk.Bytes())
	}
	n, err := f(l.Context(), p.Args, blk, src)
	if err != nil {
		return fmt.Errorf("%s: %w", p.Func, err)
	}
	device.View[int64](l.Dst[0])[0] = n
	return nil
}

// mapKernel runs graph.OpMapBlocks: the block function named in
// *graph.MapParams gets each input chunk with its position and fills
// Dst[0].
type mapKernel struct{}

func (mapKernel) Run(l *kernels.Launch) error {
	p, ok := l.Task.Op.Params.(*graph.MapParams)
	if !ok || p == nil {
		return fmt.Errorf("map_blocks: params are %T, want *graph.MapParams", l.Task.Op.Params)
	}
	if len(l.Dst) != 1 || len(l.Src) != len(p.In) || len(l.SrcMeta) != len(p.In) {
		return fmt.Errorf("map_blocks: %d outputs, %d inputs for %d input positions", len(l.Dst), len(l.Src), len(p.In))
	}
	f, err := funcs.LookupBlockFunc(p.Func)
	if err != nil {
		return err
	}
	out := l.Task.Outputs[0]
	ob := funcs.Block{Index: p.Out.Index, Start: p.Out.Start, Shape: out.Shape, ArrayShape: p.Out.ArrayShape, DType: out.DType}
	in := make([]funcs.Block, len(p.In))
	src := make([][]byte, len(p.In))
	for i, pos := range p.In {
		m := l.SrcMeta[i]
		in[i] = funcs.Block{Index: pos.Index, Start: pos.Start, Shape: m.Shape, ArrayShape: pos.ArrayShape, DType: m.DType}
		src[i] = l.Src[i].Bytes()
	}
	if err := f(l.Context(), p.Args, ob, l.Dst[0].Bytes(), in, src); err != nil {
		return fmt.Errorf("%s: %w", p.Func, err)
	}
	return nil
}
