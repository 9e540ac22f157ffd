package transport

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/blockwork-dev/blockwork/graph"
)

// Arrow IPC constants (Arrow's Message.fbs and Schema.fbs).
const (
	arrowV4          = 3 // MetadataVersion.V4
	arrowV5          = 4 // MetadataVersion.V5
	arrowSchema      = 1 // MessageHeader.Schema
	arrowRecordBatch = 3 // MessageHeader.RecordBatch
	arrowTypeInt     = 2 // Type.Int
	arrowTypeFloat   = 3 // Type.FloatingPoint
	arrowSingle      = 1 // Precision.SINGLE
	arrowDouble      = 2 // Precision.DOUBLE

	metaDType = "blockwork.dtype"
	metaShape = "blockwork.shape"
)

// pad8 rounds n up to a multiple of 8.
func pad8(n int64) int64 { return (n + 7) &^ 7 }

// arrowType is the Arrow column type of d: an Int (bits, signed) or a
// FloatingPoint (precision, bits 0).
func arrowType(d graph.DType) (typ byte, bits int, signed bool, prec int) {
	switch d {
	case graph.Bool:
		return arrowTypeInt, 8, false, 0
	case graph.Int32:
		return arrowTypeInt, 32, true, 0
	case graph.Int64:
		return arrowTypeInt, 64, true, 0
	case graph.Float32:
		return arrowTypeFloat, 0, false, arrowSingle
	case graph.Float64:
		return arrowTypeFloat, 0, false, arrowDouble
	}
	return 0, 0, false, 0
}

// checkChunk checks meta against the limits and returns the element count
// and payload bytes. Each dimension is at most maxBytes (an element takes
// at least a byte), so products of checked dimensions never overflow.
func checkChunk(meta graph.Chunk, maxBytes int64) (elems, payload int64, err error) {
	if !meta.DType.Valid() {
		return 0, 0, fmt.Errorf("%w: dtype %v", ErrProtocol, meta.DType)
	}
	if len(meta.Shape) > maxNDim {
		return 0, 0, fmt.Errorf("%w: %d dimensions, at most %d", ErrTooLarge, len(meta.Shape), maxNDim)
	}
	elems = 1
	for _, s := range meta.Shape {
		if s < 0 {
			return 0, 0, fmt.Errorf("%w: shape %v has a negative dimension", ErrProtocol, meta.Shape)
		}
		if int64(s) > maxBytes {
			return 0, 0, fmt.Errorf("%w: shape %v: dimension above the %d-byte chunk limit", ErrTooLarge, meta.Shape, maxBytes)
		}
		if s == 0 {
			elems = 0
		} else if elems > 0 {
			if elems > maxBytes/int64(s) {
				return 0, 0, fmt.Errorf("%w: shape %v is more than the %d-byte chunk limit", ErrTooLarge, meta.Shape, maxBytes)
			}
			elems *= int64(s)
		}
	}
	sz := int64(meta.DType.Size())
	if elems > maxBytes/sz {
		return 0, 0, fmt.Errorf("%w: %v chunk of %d elements is more than the %d-byte chunk limit", ErrTooLarge, meta, elems, maxBytes)
	}
	return elems, elems * sz, nil
}

// encodeMeta returns the Arrow stream's first bytes for a chunk (schema
// message and record batch message metadata, both encapsulated) of elems
// elements and payload bytes, already checked.
func encodeMeta(meta graph.Chunk, elems, payload int64) []byte {
	typ, bits, signed, prec := arrowType(meta.DType)
	var shape strings.Builder
	shape.WriteByte('[')
	for i, s := range meta.Shape {
		if i > 0 {
			shape.WriteByte(',')
		}
		shape.WriteString(strconv.Itoa(s))
	}
	shape.WriteByte(']')
	keyValue := func(k, v string) func(w *fbWriter) int {
		return func(w *fbWriter) int {
			return w.table(
				fbChild(0, func(w *fbWriter) int { return w.str(k) }),
				fbChild(1, func(w *fbWriter) int { return w.str(v) }))
		}
	}
	colType := func(w *fbWriter) int {
		if typ == arrowTypeInt {
			b := uint64(0)
			if signed {
				b = 1
			}
			return w.table(fbScalar(0, 4, uint64(bits)), fbScalar(1, 1, b))
		}
		return w.table(fbScalar(0, 2, uint64(prec)))
	}
	field := func(w *fbWriter) int {
		return w.table(
			fbChild(0, func(w *fbWriter) int { return w.str("x") }),
			fbScalar(1, 1, 0), // not nullable
			fbScalar(2, 1, uint64(typ)),
			fbChild(3, colType),
			fbChild(5, func(w *fbWriter) int { return w.tables() }))
	}
	var w fbWriter
	w.root(
		fbScalar(0, 2, arrowV5),
		fbScalar(1, 1, arrowSchema),
		fbChild(2, func(w *fbWriter) int {
			return w.table(
				fbScalar(0, 2, 0), // little-endian
				fbChild(1, func(w *fbWriter) int { return w.tables(field) }),
				fbChild(2, func(w *fbWriter) int {
					return w.tables(keyValue(metaDType, meta.DType.String()), keyValue(metaShape, shape.String()))
				}))
		}),
		fbScalar(3, 8, 0))
	schema := append([]byte(nil), w.b...)
	w.root(
		fbScalar(0, 2, arrowV5),
		fbScalar(1, 1, arrowRecordBatch),
		fbChild(2, func(w *fbWriter) int {
			return w.table(
				fbScalar(0, 8, uint64(elems)),
				fbChild(1, func(w *fbWriter) int { return w.structs(1, elems, 0) }),
				fbChild(2, func(w *fbWriter) int { return w.structs(2, 0, 0, 0, payload) }))
		}),
		fbScalar(3, 8, uint64(pad8(payload))))
	out := make([]byte, 0, 16+len(schema)+len(w.b))
	out = le.AppendUint32(out, 0xFFFFFFFF)
	out = le.AppendUint32(out, uint32(len(schema)))
	out = append(out, schema...)
	out = le.AppendUint32(out, 0xFFFFFFFF)
	out = le.AppendUint32(out, uint32(len(w.b)))
	return append(out, w.b...)
}

// decodeMeta parses the metadata of a chunk response: the schema message
// and the record batch message, checked against each other and the
// limits. It returns the chunk's metadata, its payload bytes and the body
// length the record batch declares.
func decodeMeta(b []byte, maxBytes int64) (meta graph.Chunk, payload, body int64, err error) {
	msg := func(b []byte) (m fbTable, rest []byte, err error) {
		if len(b) < 8 || le.Uint32(b) != 0xFFFFFFFF {
			return fbTable{}, nil, fmt.Errorf("%w: Arrow message without its continuation marker", ErrProtocol)
		}
		n := int64(le.Uint32(b[4:]))
		if n%8 != 0 || n > int64(len(b)-8) {
			return fbTable{}, nil, fmt.Errorf("%w: Arrow message of %d bytes in %d", ErrProtocol, n, len(b)-8)
		}
		m, err = fbRoot(b[8 : 8+n])
		if err != nil {
			return fbTable{}, nil, err
		}
		v, err := m.scalar(0, 2, 0)
		if err == nil && v != arrowV4 && v != arrowV5 {
			err = fmt.Errorf("%w: Arrow metadata version %d", ErrProtocol, v)
		}
		return m, b[8+n:], err
	}
	header := func(m fbTable, want uint64) (fbTable, int64, error) {
		kind, err := m.scalar(1, 1, 0)
		if err != nil {
			return fbTable{}, 0, err
		}
		if kind != want {
			return fbTable{}, 0, fmt.Errorf("%w: Arrow message header %d, want %d", ErrProtocol, kind, want)
		}
		bl, err := m.scalar(3, 8, 0)
		if err != nil {
			return fbTable{}, 0, err
		}
		h, ok, err := m.table(2)
		if err == nil && !ok {
			err = fmt.Errorf("%w: Arrow message without a header", ErrProtocol)
		}
		if bl > uint64(maxMaxChunkBytes)+8 {
			err = fmt.Errorf("%w: Arrow body of %d bytes", ErrTooLarge, bl)
		}
		return h, int64(bl), err
	}

	m, rest, err := msg(b)
	if err != nil {
		return meta, 0, 0, err
	}
	schema, sbody, err := header(m, arrowSchema)
	if err != nil {
		return meta, 0, 0, err
	}
	if sbody != 0 {
		return meta, 0, 0, fmt.Errorf("%w: schema message with a %d-byte body", ErrProtocol, sbody)
	}
	meta, typ, bits, signed, prec, err := decodeSchema(schema)
	if err != nil {
		return meta, 0, 0, err
	}
	elems, payload, err := checkChunk(meta, maxBytes)
	if err != nil {
		return meta, 0, 0, err
	}
	wt, wbits, wsigned, wprec := arrowType(meta.DType)
	if typ != wt || bits != wbits || signed != wsigned || prec != wprec {
		return meta, 0, 0, fmt.Errorf("%w: column type (%d, %d bits, signed %v, precision %d) is not dtype %v", ErrProtocol, typ, bits, signed, prec, meta.DType)
	}

	m, rest, err = msg(rest)
	if err != nil {
		return meta, 0, 0, err
	}
	if len(rest) != 0 {
		return meta, 0, 0, fmt.Errorf("%w: %d bytes after the record batch metadata", ErrProtocol, len(rest))
	}
	rb, body, err := header(m, arrowRecordBatch)
	if err != nil {
		return meta, 0, 0, err
	}
	if body != pad8(payload) {
		return meta, 0, 0, fmt.Errorf("%w: body of %d bytes for a %d-byte %v chunk", ErrProtocol, body, payload, meta)
	}
	length, err := rb.scalar(0, 8, 0)
	if err != nil {
		return meta, 0, 0, err
	}
	if _, ok, err := rb.ref(3); err != nil || ok {
		return meta, 0, 0, fmt.Errorf("%w: compressed record batch", ErrProtocol)
	}
	ns, nn, err := rb.vector(1, 16)
	if err != nil {
		return meta, 0, 0, err
	}
	bs, nb, err := rb.vector(2, 16)
	if err != nil {
		return meta, 0, 0, err
	}
	if nn != 1 || nb != 2 {
		return meta, 0, 0, fmt.Errorf("%w: record batch with %d nodes and %d buffers, want 1 and 2", ErrProtocol, nn, nb)
	}
	w := func(p int) uint64 { return le.Uint64(rb.b[p:]) }
	if length != uint64(elems) || w(ns) != uint64(elems) || w(ns+8) != 0 {
		return meta, 0, 0, fmt.Errorf("%w: record batch of length %d (node %d, %d nulls) for %d elements", ErrProtocol, length, w(ns), w(ns+8), elems)
	}
	if w(bs+8) != 0 || w(bs+16) != 0 || w(bs+24) != uint64(payload) {
		return meta, 0, 0, fmt.Errorf("%w: buffers {%d %d} {%d %d}, want {0 0} {0 %d}", ErrProtocol, w(bs), w(bs+8), w(bs+16), w(bs+24), payload)
	}
	return meta, payload, body, nil
}

func decodeSchema(s fbTable) (meta graph.Chunk, typ byte, bits int, signed bool, prec int, err error) {
	fail := func(format string, args ...any) (graph.Chunk, byte, int, bool, int, error) {
		return graph.Chunk{}, 0, 0, false, 0, fmt.Errorf("%w: schema: %s", ErrProtocol, fmt.Sprintf(format, args...))
	}
	if e, err := s.scalar(0, 2, 0); err != nil || e != 0 {
		return fail("endianness %d (err %v), want little", e, err)
	}
	fs, nf, err := s.vector(1, 4)
	if err != nil {
		return graph.Chunk{}, 0, 0, false, 0, err
	}
	if nf != 1 {
		return fail("%d fields, want 1", nf)
	}
	f, err := s.tableAt(fs, 0)
	if err != nil {
		return graph.Chunk{}, 0, 0, false, 0, err
	}
	if nullable, err := f.scalar(1, 1, 0); err != nil || nullable != 0 {
		return fail("nullable field (err %v)", err)
	}
	if _, ok, err := f.ref(4); err != nil || ok {
		return fail("dictionary-encoded field")
	}
	if _, n, err := f.vector(5, 4); err != nil || n != 0 {
		return fail("field with %d children (err %v)", n, err)
	}
	t, err := f.scalar(2, 1, 0)
	if err != nil {
		return graph.Chunk{}, 0, 0, false, 0, err
	}
	tt, ok, err := f.table(3)
	if err != nil || !ok {
		return fail("field without a type (err %v)", err)
	}
	typ = byte(t)
	switch typ {
	case arrowTypeInt:
		b, err1 := tt.scalar(0, 4, 0)
		sg, err2 := tt.scalar(1, 1, 0)
		if err1 != nil || err2 != nil {
			return fail("int type: %v %v", err1, err2)
		}
		bits, signed = int(b), sg != 0
	case arrowTypeFloat:
		p, err := tt.scalar(0, 2, 0)
		if err != nil {
			return graph.Chunk{}, 0, 0, false, 0, err
		}
		prec = int(p)
	default:
		return fail("column type %d, want Int or FloatingPoint", typ)
	}

	ks, nk, err := s.vector(2, 4)
	if err != nil {
		return graph.Chunk{}, 0, 0, false, 0, err
	}
	var dtype, shape string
	var haveD, haveS bool
	for i := range nk {
		kv, err := s.tableAt(ks, i)
		if err != nil {
			return graph.Chunk{}, 0, 0, false, 0, err
		}
		k, err1 := kv.str(0)
		v, err2 := kv.str(1)
		if err1 != nil || err2 != nil {
			return fail("metadata %d: %v %v", i, err1, err2)
		}
		switch k {
		case metaDType:
			dtype, haveD = v, true
		case metaShape:
			shape, haveS = v, true
		}
	}
	if !haveD || !haveS {
		return fail("no %q or %q metadata", metaDType, metaShape)
	}
	meta.DType, err = graph.ParseDType(dtype)
	if err != nil {
		return fail("%v", err)
	}
	meta.Shape, err = parseShape(shape)
	if err != nil {
		return fail("%v", err)
	}
	return meta, typ, bits, signed, prec, nil
}

// parseShape parses a JSON array of at most maxNDim non-negative ints,
// as encodeMeta writes it (no spaces). Dimensions are checked against the
// chunk limit by checkChunk.
func parseShape(s string) ([]int, error) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("shape %.40q is not a JSON array", s)
	}
	s = s[1 : len(s)-1]
	if s == "" {
		return []int{}, nil
	}
	if n := strings.Count(s, ",") + 1; n > maxNDim {
		return nil, fmt.Errorf("shape of %d dimensions, at most %d", n, maxNDim)
	}
	var shape []int
	for p := range strings.SplitSeq(s, ",") {
		if p == "" || len(p) > 19 || strings.TrimLeft(p, "0123456789") != "" {
			return nil, fmt.Errorf("shape dimension %.40q", p)
		}
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || int64(int(v)) != v {
			return nil, fmt.Errorf("shape dimension %.40q", p)
		}
		shape = append(shape, int(v))
	}
	return shape, nil
}
