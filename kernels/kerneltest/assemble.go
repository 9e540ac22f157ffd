package kerneltest

import (
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// checkAssemble runs graph.OpAssemble on random 0-d to 4-d outputs cut
// into a grid of pieces, read either each from its own padded source or
// all from one larger source (a rechunk), sometimes leaving one piece out:
// the elements it would have written must keep their old bytes.
func checkAssemble(t *testing.T, e *env) {
	for _, dt := range valueDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			for trial := range e.trials {
				e.assembleCase(t, dt, trial)
			}
		})
	}
}

// assembleCuts splits [0, n) into random consecutive segments (one empty
// segment for n == 0).
func (e *env) assembleCuts(n int) [][2]int {
	if n == 0 {
		return [][2]int{{0, 0}}
	}
	var segs [][2]int
	for lo := 0; lo < n; {
		hi := lo + 1 + e.rng.IntN(n-lo)
		segs = append(segs, [2]int{lo, hi})
		lo = hi
	}
	return segs
}

func (e *env) assembleCase(t *testing.T, dt graph.DType, trial int) {
	t.Helper()
	shape := e.randShape(4, 5)
	nd := len(shape)
	cuts := make([][][2]int, nd)
	for a := range cuts {
		cuts[a] = e.assembleCuts(shape[a])
	}
	shared := e.rng.IntN(2) == 0
	var srcs []*tensor
	var sharedOff []int
	if shared {
		ss := make([]int, nd)
		sharedOff = make([]int, nd)
		for a := range ss {
			sharedOff[a] = e.rng.IntN(3)
			ss[a] = shape[a] + sharedOff[a] + e.rng.IntN(3)
		}
		x := newTensor(dt, ss)
		e.fillRandom(x)
		srcs = append(srcs, x)
	}
	var pieces []graph.Piece
	idx := make([]int, nd)
	for {
		p := graph.Piece{DstStart: make([]int, nd), SrcStart: make([]int, nd), Shape: make([]int, nd)}
		for a := range nd {
			seg := cuts[a][idx[a]]
			p.DstStart[a], p.Shape[a] = seg[0], seg[1]-seg[0]
		}
		if shared {
			for a := range nd {
				p.SrcStart[a] = p.DstStart[a] + sharedOff[a]
			}
		} else {
			ss := make([]int, nd)
			for a := range nd {
				p.SrcStart[a] = e.rng.IntN(2)
				ss[a] = p.Shape[a] + p.SrcStart[a] + e.rng.IntN(2)
			}
			x := newTensor(dt, ss)
			e.fillRandom(x)
			p.Src = len(srcs)
			srcs = append(srcs, x)
		}
		pieces = append(pieces, p)
		a := nd - 1
		for ; a >= 0; a-- {
			if idx[a]++; idx[a] < len(cuts[a]) {
				break
			}
			idx[a] = 0
		}
		if a < 0 {
			break
		}
	}
	e.rng.Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })
	dropped := -1
	if len(pieces) > 1 && e.rng.IntN(3) == 0 {
		dropped = e.rng.IntN(len(pieces))
	}
	var kept []graph.Piece
	for i, p := range pieces {
		if i != dropped {
			kept = append(kept, p)
		}
	}

	out := graph.Chunk{DType: dt, Shape: shape}
	dst := e.alloc(t, out) // filled with 0xA5 bytes
	before := load(dt, shape, dst.Bytes())
	var bufs []*device.Buffer
	var meta []graph.Chunk
	for _, x := range srcs {
		bufs = append(bufs, e.put(t, x))
		meta = append(meta, x.chunk())
	}
	what := fmt.Sprintf("trial %d: assemble %v of %d pieces (shared source %v, dropped %d)", trial, out, len(kept), shared, dropped)
	tk := task(graph.OpAssemble, &graph.AssembleParams{Pieces: kept}, len(srcs), []graph.Chunk{out})
	if err := e.launch(t, tk, []*device.Buffer{dst}, bufs, meta); err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	got := load(dt, shape, dst.Bytes())

	// Reference: element by element through flat indices.
	want := before
	for _, p := range kept {
		src := srcs[p.Src]
		sstr, dstr := graph.Strides(src.shape), graph.Strides(shape)
		size := graph.Chunk{Shape: p.Shape}.Size()
		for f := range size {
			so, do, r := 0, 0, f
			for a := nd - 1; a >= 0; a-- {
				c := r % p.Shape[a]
				r /= p.Shape[a]
				so += (p.SrcStart[a] + c) * sstr[a]
				do += (p.DstStart[a] + c) * dstr[a]
			}
			if dt.IsFloat() {
				want.f[do] = src.f[so]
			} else {
				want.i[do] = src.i[so]
			}
		}
	}
	bad := 0
	for i := range got.size() {
		if dt.IsFloat() && sameFloat(got.f[i], want.f[i]) || !dt.IsFloat() && got.i[i] == want.i[i] {
			continue
		}
		if bad++; bad <= 5 {
			t.Errorf("%s: element %d = %v, want %v", what, i, got.get(i), want.get(i))
		}
	}
}
