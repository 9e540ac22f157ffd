package cpu

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/blockwork-dev/blockwork/graph"
)

// Bands of transposed random draws.
//
// A draw read transposed (x.T of a random x) visits flat indices a large
// stride apart along the inner axis, so the strided fill computes a Philox
// block for every element and keeps half of it (64-bit elements) or a
// quarter (float32). The band's rows j < rb at inner position k are the
// consecutive indices x_k + j, x_k = base + k*stride, which share blocks:
// element e_k + i (e_k = x_k rounded down to the start of its block, x_k
// = e_k + q_k) is element i%per of block e_k/per + i/per, per elements a
// block. fillRandBand draws every position's blocks in one vector call or
// a few (philoxKey.vecPattern: eight lane values stepped by the inner
// stride), one of two ways:
//
//   - rows: where every q_k is the same q (the stride a multiple of per),
//     block e_k/per + t of each position k is a lane, and the kernel
//     writes its per elements straight to column k of buffer rows t*per
//     ... t*per+per-1; band row j is buffer row q+j (randBandRows).
//   - runs: otherwise (and for integers, which are converted after), the
//     eight elements from e_k of a chunk of positions go to a scratch of
//     runs and are transposed into rows 0-7; run k holds band rows j <
//     8-q_k, and the rows some run lacks are drawn strided.
//
// Either way the whole band is drawn strided when that needs no more
// blocks. Each value is the stream's at its flat index, so the band holds
// the bits of the strided fill (philox.go's stream definition).

const (
	// randBandRows is the rows of a draw's band buffer: the band's rows
	// may start up to 3 rows in (q) and the last block's elements run up
	// to 3 rows past them.
	randBandRows = bandRows + 4
	// randRunsChunk is how many inner positions fillRandBand draws at a
	// time: 16 KiB of runs of 64-bit elements, in L1. A multiple of 16,
	// so that a chunk is whole AVX-512 iterations (8 positions of 64-bit
	// elements, 16 of float32) and keeps the positions' k%4.
	randRunsChunk = 256
	// randRunsLen is the scratch's length in uint64s: a chunk of runs and
	// the few elements a transpose reads past the last run.
	randRunsLen = bandRows*randRunsChunk + 8
)

// randBandOf is how stream r drawn as dt is banded: the Philox kind whose
// lanes are blocks and the elements a block holds (per). ok is false for
// the draws a band does not speed up: a normal takes a whole block.
func randBandOf(r *graph.RandSpec, dt graph.DType) (kind, per int, ok bool) {
	switch {
	case r.Kind == graph.RandUniform && dt == graph.Float64:
		return philoxF64, 2, true
	case r.Kind == graph.RandUniform && dt == graph.Float32:
		return philoxF32, 4, true
	case r.Kind == graph.RandInteger && (dt == graph.Int64 || dt == graph.Int32):
		return philoxRaw, 2, true
	}
	return 0, 0, false
}

// fillRandBand writes rows j < rb of a band of stream r drawn as dt into
// buf (randBandRows rows of inner elements of dt) and returns the row of
// buf that is the band's row 0: band row j is what randFill writes from
// flat index base+j by stride. runs is randRunsLen long. The other rows
// of buf are left with unspecified values.
func fillRandBand(r *graph.RandSpec, dt graph.DType, buf []byte, base, stride, inner, rb int, runs []uint64) (row0 int, err error) {
	kind, per, ok := randBandOf(r, dt)
	if !ok {
		return 0, fmt.Errorf("band of random kind %d as %v", r.Kind, dt)
	}
	es := dt.Size()
	_ = buf[randBandRows*inner*es-1]
	_ = runs[randRunsLen-1]
	if dt.IsFloat() && stride%per == 0 {
		q := base & (per - 1)
		nb := (q + rb + per - 1) / per // blocks a position
		if nb >= rb {
			return 0, randFillRows(r, dt, buf, base, stride, inner, 0, rb)
		}
		key := newPhiloxKey(r.Seed, r.Stream)
		rowKind := philoxRowsF64
		if dt == graph.Float32 {
			rowKind = philoxRowsF32
		}
		for t := 0; t < nb; t++ {
			drawRows(buf[t*per*inner*es:], &key, rowKind, per, base-q, stride, inner, t)
		}
		return q, nil
	}
	// q[c] is q_k for k%4 == c (per divides 4, so k%4 fixes it)
	var q [4]int
	qmax := 0
	for c := range q {
		q[c] = (base + c*stride) & (per - 1)
		qmax = max(qmax, q[c])
	}
	g := min(rb, bandRows-qmax) // rows every run holds
	if g*per <= bandRows {
		g = 0 // no fewer blocks than the strided fill of g rows
	}
	if g > 0 {
		key := newPhiloxKey(r.Seed, r.Stream)
		w := uint64(r.High) - uint64(r.Low)
		for k0 := 0; k0 < inner; k0 += randRunsChunk {
			m := min(randRunsChunk, inner-k0)
			drawRuns(runs, &key, kind, per, base+k0*stride, stride, m)
			switch dt {
			case graph.Float64:
				transposeRuns64(words64(buf), inner, k0, runs, m, &q)
			case graph.Int64:
				for i, u := range runs[:bandRows*m] {
					runs[i] = philoxMulShift(u, w, r.Low)
				}
				transposeRuns64(words64(buf), inner, k0, runs, m, &q)
			case graph.Float32:
				transposeRuns32(words32(buf), inner, k0, runs32(runs), m, &q)
			case graph.Int32:
				// in place: value i goes to bytes 4i..4i+3, inside value
				// i/2, which is read by then
				r32 := runs32(runs)
				for i, u := range runs[:bandRows*m] {
					r32[i] = uint32(philoxMulShift(u, w, r.Low))
				}
				transposeRuns32(words32(buf), inner, k0, r32, m, &q)
			}
		}
	}
	return 0, randFillRows(r, dt, buf, base, stride, inner, g, rb)
}

// randFillRows draws rows j0 <= j < j1 of a band strided.
func randFillRows(r *graph.RandSpec, dt graph.DType, buf []byte, base, stride, inner, j0, j1 int) error {
	es := dt.Size()
	for j := j0; j < j1; j++ {
		if err := randFill(r, dt, buf[j*inner*es:(j+1)*inner*es], base+j, stride, inner); err != nil {
			return err
		}
	}
	return nil
}

// drawRows writes block e_k/per + t of each position k < inner (e_k = e0
// + k*stride, a multiple of per, as stride is) to column k of the per
// rows of buf (inner elements each): element i%per of the block in row
// i%per, as rowKind (philoxRowsF64 or philoxRowsF32).
func drawRows(buf []byte, key *philoxKey, rowKind, per, e0, stride, inner, t int) {
	es := 8
	if rowKind == philoxRowsF32 {
		es = 4
	}
	_ = buf[per*inner*es-1]
	var ctr [8]uint64
	for l := range ctr {
		// e of a lane past inner may be negative: a lane nobody reads
		ctr[l] = uint64(e0+l*stride)/uint64(per) + uint64(t)
	}
	if key.vecPattern(unsafe.Pointer(&buf[0]), inner, rowKind, &ctr, uint64(8*(stride/per)), inner*es) {
		return
	}
	if rowKind == philoxRowsF64 {
		r0, r1 := words64(buf[:inner*8]), words64(buf[inner*8:2*inner*8])
		for k := range r0 {
			o0, o1, o2, o3 := key.at(uint64(e0+k*stride)/2 + uint64(t))
			r0[k], r1[k] = math.Float64bits(philoxU53(o0, o1)), math.Float64bits(philoxU53(o2, o3))
		}
		return
	}
	w := words32(buf[:4*inner*4])
	for k := 0; k < inner; k++ {
		o := key.block(uint64(e0+k*stride)/4 + uint64(t))
		for i, v := range o {
			w[i*inner+k] = math.Float32bits(philoxU24(v))
		}
	}
}

// words64 and words32 are a band buffer's bytes as the bits of its
// 8- and 4-byte elements.
func words64(b []byte) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/8)
}

func words32(b []byte) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

// runs32 is runs as twice as many uint32.
func runs32(runs []uint64) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(runs))), 2*len(runs))
}

// drawRuns writes the runs of m positions: run k (x_k = x0 + k*stride,
// e_k = x_k rounded down to a multiple of per) is the elements e_k ...
// e_k+7 of kind (float64 uniforms, the 64 bits of philoxRaw read as
// uint64s, or float32 uniforms), at out[8k:8k+8] (out's uint32s for
// float32). Lanes are blocks: run k is the 8/per blocks from e_k/per, and
// eight lanes are per runs, so the next eight lanes' blocks are stride
// further on.
func drawRuns(out []uint64, key *philoxKey, kind, per, x0, stride, m int) {
	if m == 0 {
		return
	}
	_ = out[bandRows*m-1]
	nb := bandRows / per // blocks a run
	var ctr [8]uint64
	for t := range ctr {
		// x of a run past m may be negative: a lane nobody reads
		ctr[t] = uint64(x0+(t/nb)*stride)/uint64(per) + uint64(t%nb)
	}
	if key.vecPattern(unsafe.Pointer(&out[0]), m*nb, kind, &ctr, uint64(stride), 0) {
		return
	}
	o32 := runs32(out)
	for k := 0; k < m; k++ {
		b := uint64(x0+k*stride) / uint64(per)
		for t := 0; t < nb; t += 2 {
			a0, a1, a2, a3, b0, b1, b2, b3 := key.pair(b+uint64(t), b+uint64(t)+1)
			switch kind {
			case philoxF64:
				o := out[8*k+2*t : 8*k+2*t+4]
				o[0], o[1] = math.Float64bits(philoxU53(a0, a1)), math.Float64bits(philoxU53(a2, a3))
				o[2], o[3] = math.Float64bits(philoxU53(b0, b1)), math.Float64bits(philoxU53(b2, b3))
			case philoxRaw:
				o := out[8*k+2*t : 8*k+2*t+4]
				o[0], o[1] = uint64(a0)|uint64(a1)<<32, uint64(a2)|uint64(a3)<<32
				o[2], o[3] = uint64(b0)|uint64(b1)<<32, uint64(b2)|uint64(b3)<<32
			case philoxF32:
				o := o32[8*k+4*t : 8*k+4*t+8]
				for i, w := range [8]uint32{a0, a1, a2, a3, b0, b1, b2, b3} {
					o[i] = math.Float32bits(philoxU24(w))
				}
			}
		}
	}
}

// transposeRuns64 writes m runs into rows of buf: buf[j*inner+k0+k] =
// runs[8k+q[k%4]+j] for k < m, j < bandRows (the values past a run are
// the next run's, for rows drawn again strided). runs is randRunsLen long.
//
//	for k := 0; k < m; k++ {
//		for j := 0; j < bandRows; j++ {
//			buf[j*inner+k0+k] = runs[8*k+q[k%4]+j]
//		}
//	}
func transposeRuns64(buf []uint64, inner, k0 int, runs []uint64, m int, q *[4]int) {
	if m == 0 {
		return
	}
	_ = buf[(bandRows-1)*inner+k0+m-1]
	_ = runs[bandRows*(m-1)+3+bandRows-1]
	k := transposeRuns64Asm(buf[k0:], inner, runs, m, q)
	for ; k < m; k++ {
		s := runs[8*k+q[k&3]:][:bandRows]
		for j, v := range s {
			buf[j*inner+k0+k] = v
		}
	}
}

// transposeRuns32 is transposeRuns64 of 4-byte elements.
func transposeRuns32(buf []uint32, inner, k0 int, runs []uint32, m int, q *[4]int) {
	if m == 0 {
		return
	}
	_ = buf[(bandRows-1)*inner+k0+m-1]
	_ = runs[bandRows*(m-1)+3+bandRows-1]
	k := transposeRuns32Asm(buf[k0:], inner, runs, m, q)
	for ; k < m; k++ {
		s := runs[8*k+q[k&3]:][:bandRows]
		for j, v := range s {
			buf[j*inner+k0+k] = v
		}
	}
}
