package arrowio

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A bounds-checked reader of the few FlatBuffers tables this package
// needs from Arrow IPC files (the Footer's record batch blocks and a
// Message's RecordBatch length); arrow-go keeps its generated FlatBuffers
// code internal. Every offset is checked against the buffer, so a corrupt
// file gives an error, never an out-of-range panic.

type fbuf []byte

var errFB = errors.New("malformed flatbuffer")

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
// table RecordBatch: length, nodes, buffers, compression, ...), and
// whether its body is compressed.
func batchLength(msg []byte) (rows int64, compressed bool, err error) {
	b := fbuf(msg)
	start := 4
	c, err := b.u32(0)
	if err != nil {
		return 0, false, err
	}
	if c == 0xFFFFFFFF {
		start = 8
	}
	if start > len(b) {
		return 0, false, errFB
	}
	kind, h, _, err := messageInfo(b[start:])
	if err != nil {
		return 0, false, err
	}
	if kind != msgRecordBatch {
		return 0, false, fmt.Errorf("message is not a record batch")
	}
	m := b[start:]
	if p, err := m.field(h, 3); err != nil {
		return 0, false, err
	} else if p >= 0 {
		compressed = true
	}
	p, err := m.field(h, 0)
	if err != nil || p < 0 {
		return 0, compressed, err
	}
	if rows, err = m.i64(p); err != nil {
		return 0, false, err
	}
	if rows < 0 {
		return 0, false, fmt.Errorf("negative row count %d", rows)
	}
	return rows, compressed, nil
}

// The Arrow library allocates slices sized by vector lengths it reads
// from schema and message flatbuffers without checking them against the
// buffer, so a corrupt length can ask for terabytes (a fatal out-of-memory
// error, which recover cannot catch). The verifiers below walk every
// vector the library sizes allocations by and reject those that do not
// fit, before the library sees the bytes.

const maxFieldDepth = 64

// Arrow's Type union tags with offset fields in their tables.
const (
	typeTimestamp = 10
	typeUnion     = 14
)

// ref follows the offset field at p to the table it names.
func (b fbuf) ref(p int) (int, error) {
	off, err := b.u32(p)
	if err != nil {
		return 0, err
	}
	return b.table(p, off)
}

// tables calls f on each table of the vector of tables at field i of t.
func (b fbuf) tables(t, i int, f func(int) error) error {
	p, err := b.field(t, i)
	if err != nil || p < 0 {
		return err
	}
	v, n, err := b.vector(p, 4)
	if err != nil {
		return err
	}
	for k := 0; k < n; k++ {
		e, err := b.ref(v + 4*k)
		if err != nil {
			return err
		}
		if err := f(e); err != nil {
			return err
		}
	}
	return nil
}

// vec checks the vector (elem bytes per element) at field i of t.
func (b fbuf) vec(t, i, elem int) error {
	p, err := b.field(t, i)
	if err != nil || p < 0 {
		return err
	}
	_, _, err = b.vector(p, elem)
	return err
}

func (b fbuf) keyValues(t, i int) error {
	return b.tables(t, i, func(kv int) error {
		if err := b.vec(kv, 0, 1); err != nil {
			return err
		}
		return b.vec(kv, 1, 1)
	})
}

// verifySchema checks a Schema table (endianness, fields, custom_metadata,
// features) and, recursively, its fields.
func (b fbuf) verifySchema(t int) error {
	if err := b.tables(t, 1, func(f int) error { return b.verifyField(f, 0) }); err != nil {
		return err
	}
	if err := b.keyValues(t, 2); err != nil {
		return err
	}
	return b.vec(t, 3, 8)
}

// verifyField checks a Field table (name, nullable, type_type, type,
// dictionary, children, custom_metadata).
func (b fbuf) verifyField(t, depth int) error {
	if depth > maxFieldDepth {
		return fmt.Errorf("fields nested deeper than %d", maxFieldDepth)
	}
	if err := b.vec(t, 0, 1); err != nil {
		return err
	}
	if p, err := b.field(t, 4); err != nil || p >= 0 {
		if err == nil {
			err = fmt.Errorf("dictionary-encoded columns are not supported")
		}
		return err
	}
	if p, err := b.field(t, 3); err != nil {
		return err
	} else if p >= 0 {
		tt := 0
		if q, err := b.field(t, 2); err != nil {
			return err
		} else if q >= 0 {
			tt = int(b[q])
		}
		typ, err := b.ref(p)
		if err != nil {
			return err
		}
		switch tt {
		case typeTimestamp:
			err = b.vec(typ, 1, 1)
		case typeUnion:
			err = b.vec(typ, 1, 4)
		}
		if err != nil {
			return err
		}
	}
	if err := b.tables(t, 5, func(c int) error { return b.verifyField(c, depth+1) }); err != nil {
		return err
	}
	return b.keyValues(t, 6)
}

// verifyFooter checks an IPC file footer: its schema, block vectors and
// custom metadata; dictionary batches are refused.
func verifyFooter(footer []byte) error {
	b := fbuf(footer)
	t, err := b.root()
	if err != nil {
		return fmt.Errorf("footer: %w", err)
	}
	p, err := b.field(t, 1)
	if err != nil || p < 0 {
		return fmt.Errorf("footer without schema")
	}
	sc, err := b.ref(p)
	if err == nil {
		err = b.verifySchema(sc)
	}
	if err != nil {
		return fmt.Errorf("footer schema: %w", err)
	}
	if p, err := b.field(t, 2); err == nil && p >= 0 {
		if _, n, err := b.vector(p, 24); err != nil || n > 0 {
			return fmt.Errorf("dictionary batches are not supported")
		}
	}
	if err := b.vec(t, 3, 24); err != nil {
		return fmt.Errorf("footer record batches: %w", err)
	}
	if err := b.keyValues(t, 4); err != nil {
		return fmt.Errorf("footer metadata: %w", err)
	}
	return nil
}

// Message header types.
const (
	msgSchema      = 1
	msgDictionary  = 2
	msgRecordBatch = 3
)

// messageInfo parses a Message flatbuffer (without the length prefix):
// its header type, header table and body length.
func messageInfo(meta []byte) (kind, header int, bodyLen int64, err error) {
	b := fbuf(meta)
	t, err := b.root()
	if err != nil {
		return 0, 0, 0, err
	}
	p, err := b.field(t, 1)
	if err != nil || p < 0 {
		return 0, 0, 0, fmt.Errorf("message without header type")
	}
	kind = int(b[p])
	p, err = b.field(t, 2)
	if err != nil || p < 0 {
		return 0, 0, 0, fmt.Errorf("message without header")
	}
	if header, err = b.ref(p); err != nil {
		return 0, 0, 0, err
	}
	if p, err = b.field(t, 3); err != nil {
		return 0, 0, 0, err
	} else if p >= 0 {
		if bodyLen, err = b.i64(p); err != nil {
			return 0, 0, 0, err
		}
	}
	if bodyLen < 0 {
		return 0, 0, 0, fmt.Errorf("negative body length %d", bodyLen)
	}
	return kind, header, bodyLen, nil
}

// verifyBatch checks a RecordBatch header (length, nodes, buffers,
// compression, variadicBufferCounts) against its body: every buffer lies
// inside the body and, when compressed, declares an uncompressed size
// within MaxBatchBytes in total.
func verifyBatch(meta []byte, h int, body []byte) error {
	b := fbuf(meta)
	if p, err := b.field(h, 0); err != nil {
		return err
	} else if p >= 0 {
		n, err := b.i64(p)
		if err != nil || n < 0 {
			return fmt.Errorf("bad row count")
		}
	}
	if err := b.vec(h, 1, 16); err != nil {
		return fmt.Errorf("field nodes: %w", err)
	}
	if err := b.vec(h, 4, 8); err != nil {
		return fmt.Errorf("variadic counts: %w", err)
	}
	compressed := false
	if p, err := b.field(h, 3); err != nil {
		return err
	} else if p >= 0 {
		if _, err := b.ref(p); err != nil {
			return fmt.Errorf("compression: %w", err)
		}
		compressed = true
	}
	p, err := b.field(h, 2)
	if err != nil || p < 0 {
		return err
	}
	v, n, err := b.vector(p, 16)
	if err != nil {
		return fmt.Errorf("buffers: %w", err)
	}
	total := int64(0)
	for k := 0; k < n; k++ {
		off, _ := b.i64(v + 16*k)
		ln, _ := b.i64(v + 16*k + 8)
		if off < 0 || ln < 0 || off > int64(len(body)) || ln > int64(len(body))-off {
			return fmt.Errorf("buffer %d [%d, +%d) outside the %d-byte body", k, off, ln, len(body))
		}
		if !compressed || ln == 0 {
			continue
		}
		if ln < 8 {
			return fmt.Errorf("compressed buffer %d of %d bytes has no length prefix", k, ln)
		}
		s := int64(binary.LittleEndian.Uint64(body[off:]))
		if s == -1 {
			continue
		}
		if s < 0 || s > MaxBatchBytes-total {
			return fmt.Errorf("compressed buffers decompress to more than %d bytes", int64(MaxBatchBytes))
		}
		total += s
	}
	return nil
}
