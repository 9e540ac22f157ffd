package arrowio

import (
	"encoding/binary"
	"fmt"
)

// A bounds-checked reader of the few FlatBuffers tables this package
// needs from Arrow IPC files (the Footer's record batch blocks and a
// Message's RecordBatch length); arrow-go keeps its generated FlatBuffers
// code internal. Every offset is checked against the buffer, so a corrupt
// file gives an error, never an out-of-range panic.

type fbuf []byte

var errFB = fmt.Errorf("malformed flatbuffer")

func (b fbuf) u16(p int) (int, error) {
	if p < 0 || p+2 > len(b) {
		return 0, errFB
	}
	return int(binary.LittleEndian.Uint16(b[p:])), nil
}

func (b fbuf) u32(p int) (uint32, error) {
	if p < 0 || p+4 > len(b) {
		return 0, errFB
	}
	return binary.LittleEndian.Uint32(b[p:]), nil
}

func (b fbuf) i64(p int) (int64, error) {
	if p < 0 || p+8 > len(b) {
		return 0, errFB
	}
	return int64(binary.LittleEndian.Uint64(b[p:])), nil
}

// root is the position of the root table.
func (b fbuf) root() (int, error) {
	off, err := b.u32(0)
	if err != nil {
		return 0, err
	}
	return b.table(0, off)
}

// table checks that a table at p+off has a readable vtable and returns
// its position.
func (b fbuf) table(p int, off uint32) (int, error) {
	t := p + int(off)
	if int64(p)+int64(off) >= int64(len(b)) {
		return 0, errFB
	}
	so, err := b.u32(t)
	if err != nil {
		return 0, err
	}
	vt := t - int(int32(so))
	n, err := b.u16(vt)
	if err != nil || n < 4 || n%2 != 0 || vt+n > len(b) {
		return 0, errFB
	}
	return t, nil
}

// field returns the position of field i of the table at t, or -1 when
// the field is absent.
func (b fbuf) field(t, i int) (int, error) {
	so, err := b.u32(t)
	if err != nil {
		return 0, err
	}
	vt := t - int(int32(so))
	n, err := b.u16(vt)
	if err != nil {
		return 0, err
	}
	if 4+2*i+2 > n {
		return -1, nil
	}
	fo, err := b.u16(vt + 4 + 2*i)
	if err != nil {
		return 0, err
	}
	if fo == 0 {
		return -1, nil
	}
	if t+fo >= len(b) {
		return 0, errFB
	}
	return t + fo, nil
}

// vector returns the position of the first element and the length of the
// vector referenced by field position p, checking that length*elem bytes
// fit in the buffer.
func (b fbuf) vector(p, elem int) (int, int, error) {
	off, err := b.u32(p)
	if err != nil {
		return 0, 0, err
	}
	v := int64(p) + int64(off)
	if v+4 > int64(len(b)) {
		return 0, 0, errFB
	}
	n, err := b.u32(int(v))
	if err != nil {
		return 0, 0, err
	}
	if int64(n)*int64(elem) > int64(len(b))-v-4 {
		return 0, 0, errFB
	}
	return int(v) + 4, int(n), nil
}

// fileBlock is one entry of an IPC footer: an encapsulated message at
// offset, meta bytes of prefix and metadata, then body bytes.
type fileBlock struct {
	Offset int64
	Meta   int64
	Body   int64
}

// parseFooter returns the record batch blocks of an IPC file footer
// (table Footer: version, schema, dictionaries, recordBatches, ...;
// struct Block: offset int64, metaDataLength int32, pad, bodyLength
// int64).
func parseFooter(footer []byte) ([]fileBlock, error) {
	b := fbuf(footer)
	t, err := b.root()
	if err != nil {
		return nil, fmt.Errorf("footer: %w", err)
	}
	p, err := b.field(t, 3)
	if err != nil {
		return nil, fmt.Errorf("footer: %w", err)
	}
	if p < 0 {
		return nil, nil
	}
	v, n, err := b.vector(p, 24)
	if err != nil {
		return nil, fmt.Errorf("footer record batches: %w", err)
	}
	out := make([]fileBlock, n)
	for i := range out {
		e := v + 24*i
		off, _ := b.i64(e)
		meta, _ := b.u32(e + 8)
		body, _ := b.i64(e + 16)
		out[i] = fileBlock{Offset: off, Meta: int64(int32(meta)), Body: body}
	}
	return out, nil
}

// check validates a block against the data region [8, end) of the file
// and the body limit.
func (k fileBlock) check(i int, end int64) error {
	switch {
	case k.Offset < 8 || k.Offset%8 != 0:
		return fmt.Errorf("record batch %d: bad offset %d", i, k.Offset)
	case k.Meta < 8 || k.Meta%8 != 0:
		return fmt.Errorf("record batch %d: bad metadata length %d", i, k.Meta)
	case k.Body < 0 || k.Body%8 != 0:
		return fmt.Errorf("record batch %d: bad body length %d", i, k.Body)
	case k.Body > MaxBatchBytes:
		return fmt.Errorf("record batch %d: body of %d bytes exceeds the limit of %d", i, k.Body, int64(MaxBatchBytes))
	case k.Meta > MaxFooterBytes:
		return fmt.Errorf("record batch %d: metadata of %d bytes exceeds the limit of %d", i, k.Meta, int64(MaxFooterBytes))
	case k.Offset > end || k.Meta+k.Body > end-k.Offset:
		return fmt.Errorf("record batch %d: range [%d, +%d) outside the file's data (%d bytes)", i, k.Offset, k.Meta+k.Body, end)
	}
	return nil
}

// batchLength reads the row count of the encapsulated RecordBatch
// message whose metadata (continuation marker, length, flatbuffer) is
// msg (table Message: version, header_type, header, bodyLength;
// table RecordBatch: length, ...).
func batchLength(msg []byte) (int64, error) {
	b := fbuf(msg)
	start := 4
	c, err := b.u32(0)
	if err != nil {
		return 0, err
	}
	if c == 0xFFFFFFFF {
		start = 8
	}
	if start > len(b) {
		return 0, errFB
	}
	m := b[start:]
	t, err := m.root()
	if err != nil {
		return 0, err
	}
	p, err := m.field(t, 1)
	if err != nil || p < 0 || m[p] != 3 {
		return 0, fmt.Errorf("message is not a record batch")
	}
	p, err = m.field(t, 2)
	if err != nil || p < 0 {
		return 0, fmt.Errorf("record batch message without header")
	}
	off, err := m.u32(p)
	if err != nil {
		return 0, err
	}
	h, err := m.table(p, off)
	if err != nil {
		return 0, err
	}
	p, err = m.field(h, 0)
	if err != nil {
		return 0, err
	}
	if p < 0 {
		return 0, nil
	}
	n, err := m.i64(p)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("negative row count %d", n)
	}
	return n, nil
}
