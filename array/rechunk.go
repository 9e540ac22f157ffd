package array

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Rechunk returns x with new chunks (the same options as creation:
// Chunked, ChunkSpec, ExplicitChunks, ChunkBytes). Each output block is
// assembled in one task from the pieces of the input blocks it overlaps,
// so no intermediate chunk is larger than an output block. A generator
// (random numbers, ranges, constants: values that are functions of the
// position) is not assembled but generated again on the new chunks.
func (x *Array) Rechunk(opts ...Option) *Array {
	if err := x.Err(); err != nil {
		return errArray(err)
	}
	want, err := resolveChunks("rechunk", x.nd.shape, x.nd.dtype, opts)
	if err != nil {
		return errArray(err)
	}
	return rechunkTo(x, want)
}

func rechunkTo(x *Array, want chunks.Chunks) *Array {
	in := x.nd
	if want.Equal(in.chunks) {
		return x
	}
	if l := in.elem; l != nil && len(l.ins) == 0 && len(l.virt) == 0 && l.prog.Reduce == nil && in.nout == 1 {
		// a generator's values are functions of the global position
		// (random numbers by flat index, ranges, constants): rechunking
		// it is generating it on the new chunks, nothing assembled
		name := token("rechunk", in, fmt.Sprint(want))
		return &Array{nd: newElemNode(name, in.shape, want, in.dtype, &elemLayer{prog: l.prog, slots: l.slots, argAxis: l.argAxis})}
	}
	nd := len(in.shape)
	plans := make([][][]chunks.Piece1D, nd)
	for a := 0; a < nd; a++ {
		p, err := chunks.Intersect1D(in.chunks[a], want[a])
		if err != nil {
			return errorf("rechunk", "from %v to %v (shape %s): %v", in.chunks, want, shapeStr(in.shape), err)
		}
		plans[a] = p
	}
	name := token("rechunk", in, fmt.Sprint(want))
	out := &node{name: name, shape: in.shape, chunks: want, dtype: in.dtype, nout: 1, inputs: []*node{in}}
	out.lower = func(b *builder) error {
		grid := want.NumBlocks()
		ingrid := in.chunks.NumBlocks()
		bo := make([]int, nd)
		sel := make([]int, nd)
		inIdx := make([]int, nd)
		for flat := 0; flat < want.Total(); flat++ {
			if !b.needs(flat) {
				continue
			}
			chunks.Unravel(flat, grid, bo)
			t := graph.Task{Key: graph.Key{Layer: name, Block: int64(flat)}, Devices: allDevices}
			t.Outputs = []graph.Chunk{{DType: in.dtype, Shape: want.BlockShape(bo)}}
			params := &graph.AssembleParams{}
			srcOf := map[int]int{}
			// cartesian product of the per-axis pieces
			for a := range sel {
				sel[a] = 0
			}
			for {
				piece := graph.Piece{SrcStart: make([]int, nd), DstStart: make([]int, nd), Shape: make([]int, nd)}
				for a := 0; a < nd; a++ {
					p := plans[a][bo[a]][sel[a]]
					inIdx[a] = p.InBlock
					piece.SrcStart[a] = p.InStart
					piece.DstStart[a] = p.OutStart
					piece.Shape[a] = p.Len
				}
				f := chunks.Ravel(inIdx, ingrid)
				s, ok := srcOf[f]
				if !ok {
					s = len(t.Inputs)
					srcOf[f] = s
					t.Inputs = append(t.Inputs, graph.Key{Layer: in.name, Block: int64(f)})
					b.mark(in, t.Inputs[s])
				}
				piece.Src = s
				params.Pieces = append(params.Pieces, piece)
				a := nd - 1
				for ; a >= 0; a-- {
					sel[a]++
					if sel[a] < len(plans[a][bo[a]]) {
						break
					}
					sel[a] = 0
				}
				if a < 0 {
					break
				}
			}
			t.Op = graph.Op{Name: graph.OpAssemble, Params: params}
			b.g.Tasks = append(b.g.Tasks, t)
		}
		return nil
	}
	return &Array{nd: out}
}
