package zarr

import (
	"encoding/binary"

	"github.com/blockwork-dev/blockwork/graph"
)

// region is a box of an array: Start and Shape per axis.
type region struct {
	Start, Shape []int
}

// intersect returns the overlap of a and b as [lo, hi) per axis, and
// false when it is empty.
func intersect(a, b region) (lo, hi []int, ok bool) {
	n := len(a.Start)
	lo, hi = make([]int, n), make([]int, n)
	for i := range n {
		lo[i] = max(a.Start[i], b.Start[i])
		hi[i] = min(a.Start[i]+a.Shape[i], b.Start[i]+b.Shape[i])
		if lo[i] >= hi[i] {
			return nil, nil, false
		}
	}
	return lo, hi, true
}

// cStrides are the C-order strides (in elements) of shape.
func cStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// eachRun calls fn once per run along the last axis of the box [lo, hi),
// with the run's first element's offsets (in elements) in two buffers
// whose origins and strides are given, and the run's length. A 0-d box
// is one run of one element.
func eachRun(lo, hi, dOrg, dStr, sOrg, sStr []int, fn func(d, s, n int)) {
	nd := len(lo)
	if nd == 0 {
		fn(0, 0, 1)
		return
	}
	idx := append([]int(nil), lo...)
	n := hi[nd-1] - lo[nd-1]
	for {
		d, s := 0, 0
		for a := range nd {
			d += (idx[a] - dOrg[a]) * dStr[a]
			s += (idx[a] - sOrg[a]) * sStr[a]
		}
		fn(d, s, n)
		a := nd - 2
		for ; a >= 0; a-- {
			idx[a]++
			if idx[a] < hi[a] {
				break
			}
			idx[a] = lo[a]
		}
		if a < 0 {
			return
		}
	}
}

// chunkView describes a decoded chunk: where it sits in the array, its
// shape there, how its axes are laid out in memory (perm: stored axis i
// is chunk axis perm[i]; nil is C order), and its stored element type
// and byte order.
type chunkView struct {
	Start, Shape []int
	Perm         []int
	DType        dtype
	Big          bool
}

// strides are the chunk's strides (in elements) per chunk axis.
func (v chunkView) strides() []int {
	if v.Perm == nil {
		return cStrides(v.Shape)
	}
	stored := make([]int, len(v.Shape))
	for i, a := range v.Perm {
		stored[i] = v.Shape[a]
	}
	sst := cStrides(stored)
	st := make([]int, len(v.Shape))
	for i, a := range v.Perm {
		st[a] = sst[i]
	}
	return st
}

// copyChunk copies the part of a decoded chunk (src, laid out as v
// says) inside the destination box dst (C order, dtype od) converting
// each element: byte swap, widening, bool normalisation.
func copyChunk(dst []byte, box region, od graph.DType, src []byte, v chunkView) {
	lo, hi, ok := intersect(box, region{v.Start, v.Shape})
	if !ok {
		return
	}
	ds, ss := od.Size(), v.DType.Size
	sStr := v.strides()
	inner := 1
	if n := len(sStr); n > 0 {
		inner = sStr[n-1]
	}
	eachRun(lo, hi, box.Start, cStrides(box.Shape), v.Start, sStr, func(d, s, n int) {
		convertRun(dst[d*ds:(d+n)*ds], src[s*ss:], n, inner*ss, v.DType, v.Big, od)
	})
}

// fillBox writes the element fill (dtype od) over the part of the
// destination box dst that overlaps chunk.
func fillBox(dst []byte, box region, od graph.DType, chunk region, fill []byte) {
	lo, hi, ok := intersect(box, chunk)
	if !ok {
		return
	}
	ds := od.Size()
	eachRun(lo, hi, box.Start, cStrides(box.Shape), lo, make([]int, len(lo)), func(d, _, n int) {
		run := dst[d*ds : (d+n)*ds]
		for i := 0; i < len(run); i += ds {
			copy(run[i:i+ds], fill)
		}
	})
}

// convertRun writes n elements of dtype od to dst, read from src every
// step bytes as stored dtype sd (big-endian when big).
func convertRun(dst, src []byte, n, step int, sd dtype, big bool, od graph.DType) {
	size := sd.Size
	if sd.Kind != 'b' && !big && size == od.Size() {
		if step == size {
			copy(dst, src[:n*size])
			return
		}
		for i := range n {
			copy(dst[i*size:(i+1)*size], src[i*step:i*step+size])
		}
		return
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if big {
		bo = binary.BigEndian
	}
	le := binary.LittleEndian
	switch {
	case sd.Kind == 'b':
		for i := range n {
			dst[i] = 0
			if src[i*step] != 0 {
				dst[i] = 1
			}
		}
	case size == od.Size() && size == 4:
		for i := range n {
			le.PutUint32(dst[i*4:], bo.Uint32(src[i*step:]))
		}
	case size == od.Size() && size == 8:
		for i := range n {
			le.PutUint64(dst[i*8:], bo.Uint64(src[i*step:]))
		}
	case sd.Kind == 'i' && size == 1:
		for i := range n {
			le.PutUint32(dst[i*4:], uint32(int32(int8(src[i*step]))))
		}
	case sd.Kind == 'u' && size == 1:
		for i := range n {
			le.PutUint32(dst[i*4:], uint32(src[i*step]))
		}
	case sd.Kind == 'i' && size == 2:
		for i := range n {
			le.PutUint32(dst[i*4:], uint32(int32(int16(bo.Uint16(src[i*step:])))))
		}
	case sd.Kind == 'u' && size == 2:
		for i := range n {
			le.PutUint32(dst[i*4:], uint32(bo.Uint16(src[i*step:])))
		}
	case sd.Kind == 'u' && size == 4:
		for i := range n {
			le.PutUint64(dst[i*8:], uint64(bo.Uint32(src[i*step:])))
		}
	}
}
