package arrowio

import (
	"encoding/json"
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	aarray "github.com/apache/arrow-go/v18/arrow/array"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// Schema metadata keys of the IPC layout.
const (
	metaShape  = "blockwork.shape"
	metaDType  = "blockwork.dtype"
	metaChunks = "blockwork.chunks"
	maxNDim    = 64
)

// ipcLayout is how an IPC column maps to an array.
type ipcLayout struct {
	col    int // column index in the schema
	name   string
	dt     graph.DType
	width  int  // elements per row
	nested bool // FixedSizeList column
	// from the metadata, when present and well-formed (not yet checked
	// against the data)
	shape  []int
	chunks [][]int
}

// pickColumn chooses the column to read: the one named, else the only
// column, else "x".
func pickColumn(sc *arrow.Schema, columns []string) (int, error) {
	switch {
	case len(columns) > 1:
		return 0, fmt.Errorf("an IPC read takes one column, %d named (%v)", len(columns), columns)
	case len(columns) == 1:
		idx := sc.FieldIndices(columns[0])
		if len(idx) == 0 {
			return 0, fmt.Errorf("no column %q (columns: %v)", columns[0], fieldNames(sc))
		}
		return idx[0], nil
	case sc.NumFields() == 1:
		return 0, nil
	}
	idx := sc.FieldIndices("x")
	if len(idx) == 0 {
		return 0, fmt.Errorf("%d columns %v and none named \"x\": name one with Columns", sc.NumFields(), fieldNames(sc))
	}
	return idx[0], nil
}

func fieldNames(sc *arrow.Schema) []string {
	out := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		out[i] = f.Name
	}
	return out
}

// layoutOf reads the layout of the chosen column of sc.
func layoutOf(sc *arrow.Schema, columns []string) (ipcLayout, error) {
	var l ipcLayout
	i, err := pickColumn(sc, columns)
	if err != nil {
		return l, err
	}
	f := sc.Field(i)
	l.col, l.name, l.width = i, f.Name, 1
	t := f.Type
	if fsl, ok := t.(*arrow.FixedSizeListType); ok {
		if fsl.Len() < 0 {
			return l, fmt.Errorf("column %q: negative list size %d", f.Name, fsl.Len())
		}
		l.nested, l.width, t = true, int(fsl.Len()), fsl.Elem()
	}
	if l.dt, err = dtypeOf(t); err != nil {
		return l, fmt.Errorf("column %q: %w", f.Name, err)
	}
	l.shape, l.chunks = parseMeta(sc.Metadata(), l.dt)
	return l, nil
}

// parseMeta reads the blockwork.* metadata; anything malformed or of
// another dtype is ignored (the file is then read by its Arrow layout).
func parseMeta(md arrow.Metadata, dt graph.DType) ([]int, [][]int) {
	get := func(k string) (string, bool) {
		i := md.FindKey(k)
		if i < 0 {
			return "", false
		}
		return md.Values()[i], true
	}
	sd, ok := get(metaDType)
	if !ok || sd != dt.String() {
		return nil, nil
	}
	var shape []int
	if s, ok := get(metaShape); !ok || json.Unmarshal([]byte(s), &shape) != nil || len(shape) == 0 || len(shape) > maxNDim {
		return nil, nil
	}
	for _, n := range shape {
		if n < 0 {
			return nil, nil
		}
	}
	var ch [][]int
	if s, ok := get(metaChunks); ok && json.Unmarshal([]byte(s), &ch) == nil && chunks.Validate(ch, shape) == nil {
		return shape, ch
	}
	return shape, nil
}

// shapeFor is the array shape for rows rows: the metadata's when it agrees
// with the data, else (rows) or (rows, width).
func (l ipcLayout) shapeFor(rows int) []int {
	if m := l.shape; len(m) >= 1 && m[0] == rows {
		if !l.nested && len(m) == 1 {
			return []int{rows}
		}
		if p, ok := prodChecked(m[1:]); l.nested && len(m) >= 2 && ok && p == l.width {
			return append([]int(nil), m...)
		}
	}
	if l.nested {
		return []int{rows, l.width}
	}
	return []int{rows}
}

// prodChecked multiplies s, failing on overflow past array.MaxBytes.
func prodChecked(s []int) (int, bool) {
	n := uint64(1)
	for _, v := range s {
		if v < 0 {
			return 0, false
		}
		hi, lo := bits.Mul64(n, uint64(v))
		if hi != 0 || lo > uint64(array.MaxBytes) {
			return 0, false
		}
		n = lo
	}
	return int(n), true
}

// schemaFor is the IPC schema of x written in bands of the given row
// counts.
func schemaFor(shape []int, dt graph.DType, ch chunks.Chunks, bandRows []int) *arrow.Schema {
	var t arrow.DataType = arrowType(dt)
	if len(shape) > 1 {
		w, _ := prodChecked(shape[1:])
		t = listType(dt, w)
	}
	all := append([][]int{bandRows}, ch[1:]...)
	if len(bandRows) == 0 {
		all[0] = []int{shape[0]}
	}
	js, _ := json.Marshal(shape)
	jc, _ := json.Marshal(all)
	md := arrow.NewMetadata([]string{metaShape, metaDType, metaChunks}, []string{string(js), dt.String(), string(jc)})
	return arrow.NewSchema([]arrow.Field{{Name: "x", Type: t, Nullable: false}}, &md)
}

// fillRows writes the rows of an IPC column (primitive or FixedSizeList
// of width elements per row) into dst, converted to dt; dst must hold
// exactly rows rows.
func fillRows(dst []byte, dt graph.DType, col arrow.Array, l ipcLayout, rows int) error {
	if col.Len() != rows {
		return fmt.Errorf("column has %d rows, its record batch %d", col.Len(), rows)
	}
	if int64(rows)*int64(l.width)*int64(dt.Size()) != int64(len(dst)) {
		return fmt.Errorf("%d rows of %d elements do not fill a %d-byte block", rows, l.width, len(dst))
	}
	if !l.nested {
		return fill(dst, dt, col, 0, 1)
	}
	fsl, ok := col.(*aarray.FixedSizeList)
	if !ok {
		return fmt.Errorf("column is %v, want a fixed-size list", col.DataType())
	}
	n, w := fsl.Len(), l.width
	off := fsl.Data().Offset()
	child := fsl.ListValues()
	if int64(off+n)*int64(w) > int64(child.Len()) {
		return fmt.Errorf("fixed-size list of %d rows x %d has only %d values", n, w, child.Len())
	}
	vals := aarray.NewSlice(child, int64(off*w), int64((off+n)*w))
	defer vals.Release()
	if err := fill(dst, dt, vals, 0, 1); err != nil {
		return err
	}
	if fsl.NullN() == 0 {
		return nil
	}
	for r := 0; r < n; r++ {
		if !fsl.IsNull(r) {
			continue
		}
		for k := 0; k < w; k++ {
			if err := setNaN(dst, dt, r*w+k, r*w+k); err != nil {
				return fmt.Errorf("null row %d: %w", r, err)
			}
		}
	}
	return nil
}
