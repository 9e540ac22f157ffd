package array

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// FromBlocks is an array whose blocks are read, each by its own task, by
// the loader registered under loader in package funcs; args is the
// loader's argument blob (what to read: a path, a store URL and
// metadata), handed to it unchanged with each block's funcs.Block. The
// chunk options are those of the creation functions (default "auto").
// Nothing is read until a computation needs a block, and only the
// blocks it needs are read. Load tasks run on the CPU; their results
// move like any other chunk.
//
// Two FromBlocks calls with the same loader, args, shape, dtype and
// chunks are the same layer (as Dask tokenizes from_zarr by path): change
// args when the data behind them changes.
func FromBlocks(shape []int, dt graph.DType, loader string, args []byte, opts ...Option) *Array {
	shape = append([]int(nil), shape...)
	if !dt.Valid() {
		return errorf("from_blocks", "invalid dtype %v", dt)
	}
	if loader == "" {
		return errorf("from_blocks", "empty loader name")
	}
	if _, err := funcs.LookupLoader(loader); err != nil {
		return errorf("from_blocks", "%v", err)
	}
	ch, err := resolveChunks("from_blocks", shape, dt, opts)
	if err != nil {
		return errArray(err)
	}
	args = append([]byte(nil), args...)
	name := token("load", loader, string(args), shapeStr(shape), fmt.Sprint(ch), dt.String())
	nd := &node{name: name, shape: shape, chunks: ch, dtype: dt, nout: 1}
	nd.lower = func(b *builder) error {
		grid := ch.NumBlocks()
		for flat := 0; flat < ch.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			idx := make([]int, len(grid))
			chunks.Unravel(flat, grid, idx)
			b.g.Tasks = append(b.g.Tasks, graph.Task{
				Key:     graph.Key{Layer: name, Block: int64(flat)},
				Op:      graph.Op{Name: graph.OpLoadBlock, Params: &graph.LoadParams{Func: loader, Args: args, Index: idx, Start: ch.Origin(idx), ArrayShape: shape}},
				Outputs: []graph.Chunk{{DType: dt, Shape: ch.BlockShape(idx)}},
				Devices: graph.DeviceKinds(graph.CPU),
			})
		}
		return nil
	}
	return &Array{nd: nd}
}

// Store writes every block of x through the writer registered under
// writer in package funcs (args is handed to it unchanged), one task per
// block, and returns the lazy result: an int64 array with one element
// per block of x (shape = x's block grid, every chunk 1), the bytes each
// write task wrote. Nothing is written until it is computed; computing it
// together with other arrays (Compute(ctx, []*Array{s, y})) shares their
// graph, and Persist keeps the small result. Sum() of it is the total.
//
// Each block is written by the task that reads it, so x's chunks must be
// the ones the target wants: format packages rechunk before calling
// Store.
func Store(x *Array, writer string, args []byte) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	if writer == "" {
		return errorf("store", "empty writer name")
	}
	if _, err := funcs.LookupWriter(writer); err != nil {
		return errorf("store", "%v", err)
	}
	in := x.nd
	args = append([]byte(nil), args...)
	grid := in.chunks.NumBlocks()
	oc := onesGrid(in.chunks)
	name := token("store", in, writer, string(args))
	out := &node{name: name, shape: append([]int(nil), grid...), chunks: oc, dtype: graph.Int64, nout: 1, inputs: []*node{in}}
	out.lower = func(b *builder) error {
		one := make([]int, len(grid))
		for a := range one {
			one[a] = 1
		}
		for flat := 0; flat < in.chunks.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			idx := make([]int, len(grid))
			chunks.Unravel(flat, grid, idx)
			src := graph.Key{Layer: in.name, Block: int64(flat)}
			b.mark(in, src)
			b.g.Tasks = append(b.g.Tasks, graph.Task{
				Key:     graph.Key{Layer: name, Block: int64(flat)},
				Op:      graph.Op{Name: graph.OpStoreBlock, Params: &graph.StoreParams{Func: writer, Args: args, Index: idx, Start: in.chunks.Origin(idx), ArrayShape: in.shape}},
				Inputs:  []graph.Key{src},
				Outputs: []graph.Chunk{{DType: graph.Int64, Shape: append([]int(nil), one...)}},
				Devices: graph.DeviceKinds(graph.CPU),
			})
		}
		return nil
	}
	return &Array{nd: out}
}
