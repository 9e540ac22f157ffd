package transport

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// A minimal FlatBuffers writer and a bounds-checked reader, enough for the
// few Arrow messages this package sends. Neither panics on any input: the
// reader checks every offset, length and vtable entry against the buffer.

var le = binary.LittleEndian

// fbWriter writes a flatbuffer front to back: the root offset, then each
// table just after its vtable, then the objects the table points at, so
// every unsigned offset points forward as the format requires.
type fbWriter struct{ b []byte }

// fbField is one field of a table: a scalar of width 1, 2, 4 or 8 bytes
// (val), or (width 0) an offset to a child object that child writes,
// returning its position.
type fbField struct {
	slot  int
	width int
	val   uint64
	child func(w *fbWriter) int
}

func fbScalar(slot, width int, v uint64) fbField { return fbField{slot: slot, width: width, val: v} }
func fbChild(slot int, child func(w *fbWriter) int) fbField {
	return fbField{slot: slot, child: child}
}

func (w *fbWriter) pad(align int) {
	for len(w.b)%align != 0 {
		w.b = append(w.b, 0)
	}
}

// root writes the root offset and the root table.
func (w *fbWriter) root(fields ...fbField) {
	w.b = append(w.b[:0], 0, 0, 0, 0)
	t := w.table(fields...)
	le.PutUint32(w.b, uint32(t))
	w.pad(8)
}

func (w *fbWriter) table(fields ...fbField) int {
	order := make([]int, len(fields))
	nslots := 0
	for i, f := range fields {
		order[i] = i
		nslots = max(nslots, f.slot+1)
	}
	width := func(i int) int {
		if fields[i].child != nil {
			return 4
		}
		return fields[i].width
	}
	sort.SliceStable(order, func(a, b int) bool { return width(order[a]) > width(order[b]) })
	// the table starts 8-aligned with its int32 vtable offset; fields follow
	offs := make([]int, len(fields))
	size := 4
	for _, i := range order {
		wd := width(i)
		size = (size + wd - 1) / wd * wd
		offs[i] = size
		size += wd
	}
	w.pad(2)
	vt := len(w.b)
	w.b = le.AppendUint16(w.b, uint16(4+2*nslots))
	w.b = le.AppendUint16(w.b, uint16(size))
	w.b = append(w.b, make([]byte, 2*nslots)...)
	for i, f := range fields {
		le.PutUint16(w.b[vt+4+2*f.slot:], uint16(offs[i]))
	}
	w.pad(8)
	t := len(w.b)
	w.b = append(w.b, make([]byte, size)...)
	le.PutUint32(w.b[t:], uint32(int32(t-vt)))
	for i, f := range fields {
		p := t + offs[i]
		switch {
		case f.child != nil:
		case f.width == 1:
			w.b[p] = byte(f.val)
		case f.width == 2:
			le.PutUint16(w.b[p:], uint16(f.val))
		case f.width == 4:
			le.PutUint32(w.b[p:], uint32(f.val))
		case f.width == 8:
			le.PutUint64(w.b[p:], f.val)
		}
	}
	for i, f := range fields {
		if f.child != nil {
			p := t + offs[i]
			c := f.child(w)
			le.PutUint32(w.b[p:], uint32(c-p))
		}
	}
	return t
}

func (w *fbWriter) str(s string) int {
	w.pad(4)
	p := len(w.b)
	w.b = le.AppendUint32(w.b, uint32(len(s)))
	w.b = append(w.b, s...)
	w.b = append(w.b, 0)
	return p
}

// tables writes a vector of tables.
func (w *fbWriter) tables(children ...func(w *fbWriter) int) int {
	w.pad(4)
	p := len(w.b)
	w.b = le.AppendUint32(w.b, uint32(len(children)))
	w.b = append(w.b, make([]byte, 4*len(children))...)
	for i, c := range children {
		e := p + 4 + 4*i
		t := c(w)
		le.PutUint32(w.b[e:], uint32(t-e))
	}
	return p
}

// structs writes a vector of n structs made of int64s, 8-aligned.
func (w *fbWriter) structs(n int, words ...int64) int {
	for len(w.b)%8 != 4 {
		w.b = append(w.b, 0)
	}
	p := len(w.b)
	w.b = le.AppendUint32(w.b, uint32(n))
	for _, v := range words {
		w.b = le.AppendUint64(w.b, uint64(v))
	}
	return p
}

// fbTable is a table found in b by the bounds-checked reader.
type fbTable struct {
	b            []byte
	pos, vt      int
	vtLen, tSize int
}

func fbErr(format string, args ...any) error {
	return fmt.Errorf("%w: flatbuffer: %s", ErrProtocol, fmt.Sprintf(format, args...))
}

func fbRoot(b []byte) (fbTable, error) {
	if len(b) < 4 {
		return fbTable{}, fbErr("%d bytes, no root", len(b))
	}
	return fbTableAt(b, int64(le.Uint32(b)))
}

func fbTableAt(b []byte, pos int64) (fbTable, error) {
	if pos < 0 || pos%4 != 0 || pos+4 > int64(len(b)) {
		return fbTable{}, fbErr("table at %d of %d bytes", pos, len(b))
	}
	vt := pos - int64(int32(le.Uint32(b[pos:])))
	if vt < 0 || vt%2 != 0 || vt+4 > int64(len(b)) {
		return fbTable{}, fbErr("vtable at %d of %d bytes", vt, len(b))
	}
	vtLen, tSize := int64(le.Uint16(b[vt:])), int64(le.Uint16(b[vt+2:]))
	if vtLen < 4 || vtLen%2 != 0 || vt+vtLen > int64(len(b)) || tSize < 4 || pos+tSize > int64(len(b)) {
		return fbTable{}, fbErr("vtable of %d bytes for a table of %d at %d of %d bytes", vtLen, tSize, pos, len(b))
	}
	return fbTable{b: b, pos: int(pos), vt: int(vt), vtLen: int(vtLen), tSize: int(tSize)}, nil
}

// field is the offset of slot's value in the table, 0 when absent.
func (t fbTable) field(slot, width int) (int, error) {
	e := 4 + 2*slot
	if e+2 > t.vtLen {
		return 0, nil
	}
	o := int(le.Uint16(t.b[t.vt+e:]))
	if o == 0 {
		return 0, nil
	}
	if o < 4 || o+width > t.tSize {
		return 0, fbErr("field %d at %d of a %d-byte table", slot, o, t.tSize)
	}
	return t.pos + o, nil
}

// scalar reads slot as an unsigned integer of width bytes (def when absent).
func (t fbTable) scalar(slot, width int, def uint64) (uint64, error) {
	p, err := t.field(slot, width)
	if err != nil || p == 0 {
		return def, err
	}
	switch width {
	case 1:
		return uint64(t.b[p]), nil
	case 2:
		return uint64(le.Uint16(t.b[p:])), nil
	case 4:
		return uint64(le.Uint32(t.b[p:])), nil
	default:
		return le.Uint64(t.b[p:]), nil
	}
}

// ref follows slot's offset; ok is false when the field is absent.
func (t fbTable) ref(slot int) (pos int64, ok bool, err error) {
	p, err := t.field(slot, 4)
	if err != nil || p == 0 {
		return 0, false, err
	}
	return int64(p) + int64(le.Uint32(t.b[p:])), true, nil
}

func (t fbTable) table(slot int) (fbTable, bool, error) {
	p, ok, err := t.ref(slot)
	if !ok || err != nil {
		return fbTable{}, false, err
	}
	tt, err := fbTableAt(t.b, p)
	return tt, err == nil, err
}

// vector returns the start and length of slot's vector of elem-byte
// elements (n = 0 when absent).
func (t fbTable) vector(slot, elem int) (start, n int, err error) {
	p, ok, err := t.ref(slot)
	if !ok || err != nil {
		return 0, 0, err
	}
	if p+4 > int64(len(t.b)) {
		return 0, 0, fbErr("vector at %d of %d bytes", p, len(t.b))
	}
	cnt := int64(le.Uint32(t.b[p:]))
	if cnt*int64(elem) > int64(len(t.b))-p-4 {
		return 0, 0, fbErr("vector of %d x %d bytes at %d of %d", cnt, elem, p, len(t.b))
	}
	return int(p + 4), int(cnt), nil
}

// tableAt follows the i-th offset of a vector of tables starting at start.
func (t fbTable) tableAt(start, i int) (fbTable, error) {
	e := start + 4*i
	return fbTableAt(t.b, int64(e)+int64(le.Uint32(t.b[e:])))
}

func (t fbTable) str(slot int) (string, error) {
	p, ok, err := t.ref(slot)
	if !ok || err != nil {
		return "", err
	}
	if p+4 > int64(len(t.b)) {
		return "", fbErr("string at %d of %d bytes", p, len(t.b))
	}
	n := int64(le.Uint32(t.b[p:]))
	if n > int64(len(t.b))-p-4 {
		return "", fbErr("string of %d bytes at %d of %d", n, p, len(t.b))
	}
	return string(t.b[p+4 : p+4+n]), nil
}
