package npy

import (
	"encoding/binary"
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
)

// diskType is an element type as stored in a file and the dtype it loads
// as.
type diskType struct {
	kind byte // 'b' bool, 'i' signed, 'u' unsigned, 'f' float
	size int  // bytes per element on disk
	big  bool // big-endian on disk
	dt   graph.DType
}

// parseDescr maps a NumPy descr string to its disk layout and the dtype
// it loads as (see the package doc for the widening rules).
func parseDescr(d string) (diskType, error) {
	if len(d) < 3 {
		return diskType{}, formatErr("unsupported dtype descr %q", d)
	}
	var t diskType
	switch d[0] {
	case '<':
	case '>':
		t.big = true
	case '|':
	default:
		return diskType{}, formatErr("dtype descr %q: byte order %q is not '<', '>' or '|'", d, d[0])
	}
	t.kind = d[1]
	switch d[1:] {
	case "b1":
		t.size, t.dt = 1, graph.Bool
	case "i1", "u1":
		t.size, t.dt = 1, graph.Int32
	case "i2", "u2":
		t.size, t.dt = 2, graph.Int32
	case "i4":
		t.size, t.dt = 4, graph.Int32
	case "u4":
		t.size, t.dt = 4, graph.Int64
	case "i8":
		t.size, t.dt = 8, graph.Int64
	case "f4":
		t.size, t.dt = 4, graph.Float32
	case "f8":
		t.size, t.dt = 8, graph.Float64
	case "u8":
		return diskType{}, formatErr("dtype %q (uint64) is not supported: values above 2^63-1 do not fit int64", d)
	case "f2":
		return diskType{}, formatErr("dtype %q (float16) is not supported", d)
	default:
		switch d[1] {
		case 'c':
			return diskType{}, formatErr("dtype %q (complex) is not supported", d)
		case 'U', 'S', 'a':
			return diskType{}, formatErr("dtype %q (strings) is not supported", d)
		case 'O':
			return diskType{}, formatErr("dtype %q (Python objects) is not supported", d)
		case 'M', 'm':
			return diskType{}, formatErr("dtype %q (datetime/timedelta) is not supported", d)
		case 'V':
			return diskType{}, formatErr("dtype %q (void/structured) is not supported", d)
		}
		return diskType{}, formatErr("unsupported dtype descr %q", d)
	}
	if d[0] == '|' && t.size != 1 {
		return diskType{}, formatErr("dtype descr %q: '|' (no byte order) on a %d-byte type", d, t.size)
	}
	if t.size == 1 {
		t.big = false
	}
	return t, nil
}

// descrOf is the descr Save writes for dt (little-endian).
func descrOf(dt graph.DType) (string, error) {
	switch dt {
	case graph.Bool:
		return "|b1", nil
	case graph.Int32:
		return "<i4", nil
	case graph.Int64:
		return "<i8", nil
	case graph.Float32:
		return "<f4", nil
	case graph.Float64:
		return "<f8", nil
	}
	return "", fmt.Errorf("npy: no NumPy dtype for %v", dt)
}

// identity reports whether convert is a plain copy.
func (t diskType) identity() bool { return t.kind != 'b' && !t.big && t.size == t.dt.Size() }

// convert turns whole elements of src (disk layout) into dst (t.dt,
// little-endian); len(dst) must be len(src)/t.size*t.dt.Size().
func (t diskType) convert(dst, src []byte) {
	n := len(src) / t.size
	var bo binary.ByteOrder = binary.LittleEndian
	if t.big {
		bo = binary.BigEndian
	}
	le := binary.LittleEndian
	switch {
	case t.kind == 'b':
		for i, v := range src {
			if v != 0 {
				v = 1
			}
			dst[i] = v
		}
	case !t.big && t.size == t.dt.Size():
		copy(dst, src)
	case t.size == t.dt.Size(): // big-endian, same width
		switch t.size {
		case 4:
			for i := 0; i < n; i++ {
				le.PutUint32(dst[4*i:], bo.Uint32(src[4*i:]))
			}
		case 8:
			for i := 0; i < n; i++ {
				le.PutUint64(dst[8*i:], bo.Uint64(src[8*i:]))
			}
		}
	case t.kind == 'i' && t.size == 1:
		for i, v := range src {
			le.PutUint32(dst[4*i:], uint32(int32(int8(v))))
		}
	case t.kind == 'u' && t.size == 1:
		for i, v := range src {
			le.PutUint32(dst[4*i:], uint32(v))
		}
	case t.kind == 'i' && t.size == 2:
		for i := 0; i < n; i++ {
			le.PutUint32(dst[4*i:], uint32(int32(int16(bo.Uint16(src[2*i:])))))
		}
	case t.kind == 'u' && t.size == 2:
		for i := 0; i < n; i++ {
			le.PutUint32(dst[4*i:], uint32(bo.Uint16(src[2*i:])))
		}
	case t.kind == 'u' && t.size == 4:
		for i := 0; i < n; i++ {
			le.PutUint64(dst[8*i:], uint64(bo.Uint32(src[4*i:])))
		}
	}
}
