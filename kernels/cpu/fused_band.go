package cpu

import (
	"unsafe"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// fastLoads enables views and bands; tests turn it off to compare with
// copies everywhere.
var fastLoads = true

// setLoadModes picks each load's and random draw's loadMode for this
// launch (see loadMode): for a load, a view where the inner stride is 1
// and no destination overlaps a source, a row where it is 0; for both, a
// band where the inner stride is large, the next axis has stride 1 and
// the band buffer fits bandMaxBytes (for a draw only of the kinds a band
// draws in fewer blocks, randBandOf); a copy (a gather, a strided draw)
// otherwise.
func setLoadModes(prog *graph.Program, pl *plan, l *kernels.Launch, modes []loadMode) {
	if !fastLoads {
		clear(modes)
		return
	}
	nd := len(pl.shape)
	last := nd - 1
	inner := pl.shape[last]
	views := !dstOverlapsSrc(l)
	for i := range prog.Instrs {
		in := &prog.Instrs[i]
		modes[i] = loadCopy
		if (in.Op != graph.OpLoad && in.Op != graph.OpRandom) || !pl.has[i] {
			continue
		}
		st := pl.acc[i].coef[last]
		band := nd >= 2 && pl.acc[i].coef[last-1] == 1 && pl.shape[last-1] > 1 &&
			(st >= bandMinStride || st <= -bandMinStride) &&
			bandRows*inner*in.DType.Size() <= bandMaxBytes
		switch {
		case in.Op == graph.OpLoad && st == 1 && views:
			modes[i] = loadView
		case in.Op == graph.OpLoad && st == 0 && inner > 1:
			modes[i] = loadRow
		case in.Op == graph.OpLoad && band:
			modes[i] = loadBand
		case in.Op == graph.OpRandom && band:
			if _, _, ok := randBandOf(&prog.Rands[in.Imm], in.DType); ok {
				modes[i] = loadBand
			}
		}
	}
}

// dstOverlapsSrc reports whether any destination shares memory with any
// source (the executor may run a kernel in place).
func dstOverlapsSrc(l *kernels.Launch) bool {
	for _, d := range l.Dst {
		db := d.Bytes()
		if len(db) == 0 {
			continue
		}
		d0 := uintptr(unsafe.Pointer(unsafe.SliceData(db)))
		for _, s := range l.Src {
			sb := s.Bytes()
			if len(sb) == 0 {
				continue
			}
			s0 := uintptr(unsafe.Pointer(unsafe.SliceData(sb)))
			if d0 < s0+uintptr(len(sb)) && s0 < d0+uintptr(len(db)) {
				return true
			}
		}
	}
	return false
}

// fillBand writes rows r < rb of a band: buf[r*inner+k] = src[off+k*stride+r]
// for k < inner, reading the rb consecutive elements at each k together.
func fillBand(dt graph.DType, buf, src []byte, off, stride, inner, rb int) {
	switch dt {
	case graph.Float64, graph.Int64:
		if !fillBandAsm(device.ViewBytes[int64](buf), device.ViewBytes[int64](src), off, stride, inner, rb) {
			fillBandT(device.ViewBytes[int64](buf), device.ViewBytes[int64](src), off, stride, inner, rb)
		}
	case graph.Float32:
		fillBandT(device.ViewBytes[float32](buf), device.ViewBytes[float32](src), off, stride, inner, rb)
	case graph.Int32:
		fillBandT(device.ViewBytes[int32](buf), device.ViewBytes[int32](src), off, stride, inner, rb)
	case graph.Bool:
		fillBandT(buf, src, off, stride, inner, rb)
	}
}

func fillBandT[T device.Number](buf, src []T, off, stride, inner, rb int) {
	if rb == bandRows {
		b := buf[:bandRows*inner]
		for k := 0; k < inner; k++ {
			s := src[off : off+bandRows : off+bandRows]
			b[k] = s[0]
			b[inner+k] = s[1]
			b[2*inner+k] = s[2]
			b[3*inner+k] = s[3]
			b[4*inner+k] = s[4]
			b[5*inner+k] = s[5]
			b[6*inner+k] = s[6]
			b[7*inner+k] = s[7]
			off += stride
		}
		return
	}
	for k := 0; k < inner; k++ {
		for r, v := range src[off : off+rb] {
			buf[r*inner+k] = v
		}
		off += stride
	}
}
