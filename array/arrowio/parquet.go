package arrowio

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// Parquet is read and written with arrow-go's parquet/file column API
// (not pqarrow, which would link gRPC into every binary through Arrow
// Flight).

var parquetMagic = []byte("PAR1")

// pqColumn is a selected Parquet leaf column.
type pqColumn struct {
	Leaf   int    `json:"leaf"` // leaf column index in the file schema
	Name   string `json:"name"`
	Uint32 bool   `json:"uint32,omitempty"` // INT32 holding uint32 bit patterns
}

// pqArgs is the argument blob of "arrowio.read_parquet".
type pqArgs struct {
	URL     string     `json:"url"`
	Key     string     `json:"key"`
	Size    int64      `json:"size"`
	Columns []pqColumn `json:"columns"`
}

// pqDType maps a flat Parquet column to the dtype it is read as.
func pqDType(c *schema.Column) (dt graph.DType, uint32s bool, err error) {
	if c.MaxRepetitionLevel() > 0 || len(c.ColumnPath()) != 1 {
		return graph.Invalid, false, fmt.Errorf("nested or repeated column %s is not supported", c.Path())
	}
	lt, ct := c.LogicalType(), c.ConvertedType()
	none := lt == nil || lt.IsNone()
	bad := func() (graph.DType, bool, error) {
		return graph.Invalid, false, fmt.Errorf("type %v (logical %v) has no Blockwork dtype", c.PhysicalType(), lt)
	}
	switch c.PhysicalType() {
	case parquet.Types.Boolean:
		if none {
			return graph.Bool, false, nil
		}
	case parquet.Types.Int32:
		if il, ok := lt.(*schema.IntLogicalType); ok {
			if il.BitWidth() == 32 && !il.IsSigned() {
				return graph.Int64, true, nil
			}
			return graph.Int32, false, nil
		}
		if il, ok := lt.(schema.IntLogicalType); ok {
			if il.BitWidth() == 32 && !il.IsSigned() {
				return graph.Int64, true, nil
			}
			return graph.Int32, false, nil
		}
		if none {
			switch ct {
			case schema.ConvertedTypes.Uint32:
				return graph.Int64, true, nil
			case schema.ConvertedTypes.None, schema.ConvertedTypes.NA, schema.ConvertedTypes.Int8, schema.ConvertedTypes.Int16,
				schema.ConvertedTypes.Int32, schema.ConvertedTypes.Uint8, schema.ConvertedTypes.Uint16:
				return graph.Int32, false, nil
			}
		}
	case parquet.Types.Int64:
		signed := true
		if il, ok := lt.(*schema.IntLogicalType); ok {
			signed = il.IsSigned()
		} else if il, ok := lt.(schema.IntLogicalType); ok {
			signed = il.IsSigned()
		} else if !none || (ct != schema.ConvertedTypes.None && ct != schema.ConvertedTypes.NA && ct != schema.ConvertedTypes.Int64) {
			if ct == schema.ConvertedTypes.Uint64 {
				signed = false
			} else {
				return bad()
			}
		}
		if !signed {
			return graph.Invalid, false, fmt.Errorf("type uint64 has no lossless Blockwork dtype (int64 would wrap values above 2^63-1)")
		}
		return graph.Int64, false, nil
	case parquet.Types.Float:
		if none {
			return graph.Float32, false, nil
		}
	case parquet.Types.Double:
		if none {
			return graph.Float64, false, nil
		}
	}
	return bad()
}

// checkParquetFooter reads the tail of the file and checks its magic and
// footer length before the Parquet library allocates anything.
func checkParquetFooter(src *source) error {
	if src.size < 12 {
		return fmt.Errorf("not a Parquet file: %d bytes", src.size)
	}
	head, err := src.rng(0, 4)
	if err != nil {
		return err
	}
	tail, err := src.rng(src.size-8, 8)
	if err != nil {
		return err
	}
	if bytes.Equal(tail[4:], []byte("PARE")) {
		return fmt.Errorf("encrypted Parquet files are not supported")
	}
	if !bytes.Equal(head, parquetMagic) || !bytes.Equal(tail[4:], parquetMagic) {
		return fmt.Errorf("not a Parquet file (no PAR1 magic at both ends)")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n == 0 || n > MaxFooterBytes || n > src.size-12 {
		return fmt.Errorf("footer length %d is impossible for a file of %d bytes (limit %d)", n, src.size, int64(MaxFooterBytes))
	}
	return nil
}

func openParquet(src *source) (*file.Reader, error) {
	if err := checkParquetFooter(src); err != nil {
		return nil, err
	}
	var pf *file.Reader
	err := safely("parquet footer", func() error {
		props := parquet.NewReaderProperties(memory.DefaultAllocator)
		var err error
		pf, err = file.NewParquetReader(src, file.WithReadProps(props))
		return err
	})
	return pf, err
}

// checkChunks validates the byte ranges of the selected column chunks of
// row group rg against the file, before the library reads them.
func checkChunks(pf *file.Reader, rg int, cols []pqColumn, size int64) error {
	md := pf.MetaData().RowGroup(rg)
	for _, c := range cols {
		cc, err := md.ColumnChunk(c.Leaf)
		if err != nil {
			return fmt.Errorf("row group %d column %q: %w", rg, c.Name, err)
		}
		start := cc.DataPageOffset()
		if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
			start = cc.DictionaryPageOffset()
		}
		n := cc.TotalCompressedSize()
		if start < 4 || n < 0 || n > MaxBatchBytes || start > size || n > size-start {
			return fmt.Errorf("row group %d column %q: chunk [%d, +%d) outside the file's %d bytes or over the limit of %d", rg, c.Name, start, n, size, int64(MaxBatchBytes))
		}
	}
	return nil
}

// ReadParquet opens columns of the Parquet file url names as a lazy 2-d
// array (rows, ncols), one load task per row group (see the package doc
// for the column choice, promotion and nulls). Options: Columns.
func ReadParquet(ctx context.Context, url string, opts ...Option) (*array.Array, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	st, key, err := openStore(url)
	if err != nil {
		return nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("arrowio: read_parquet %s: %w", url, err) }
	src, err := openSource(ctx, st, key)
	if err != nil {
		return nil, wrap(err)
	}
	defer src.Close()
	pf, err := openParquet(src)
	if err != nil {
		return nil, wrap(err)
	}
	sc := pf.MetaData().Schema
	var cols []pqColumn
	dt := graph.Invalid
	add := func(i int, c *schema.Column, cdt graph.DType, u bool) {
		cols = append(cols, pqColumn{Leaf: i, Name: c.Name(), Uint32: u})
		if dt == graph.Invalid {
			dt = cdt
		} else {
			dt = graph.Promote(dt, cdt)
		}
	}
	if len(cfg.columns) > 0 {
		for _, name := range cfg.columns {
			i := sc.ColumnIndexByName(name)
			if i < 0 {
				return nil, wrap(fmt.Errorf("no column %q", name))
			}
			c := sc.Column(i)
			cdt, u, err := pqDType(c)
			if err != nil {
				return nil, wrap(fmt.Errorf("column %q: %w", name, err))
			}
			add(i, c, cdt, u)
		}
	} else {
		for i := 0; i < sc.NumColumns(); i++ {
			c := sc.Column(i)
			if cdt, u, err := pqDType(c); err == nil {
				add(i, c, cdt, u)
			}
		}
		if len(cols) == 0 {
			return nil, wrap(fmt.Errorf("no bool or numeric top-level column among %d", sc.NumColumns()))
		}
	}
	md := pf.MetaData()
	if md.NumRowGroups() > array.MaxBlocks {
		return nil, wrap(fmt.Errorf("%d row groups, more than %d", md.NumRowGroups(), array.MaxBlocks))
	}
	rows := make([]int, md.NumRowGroups())
	total := int64(0)
	for g := range rows {
		n := md.RowGroup(g).NumRows()
		if b, ok := prodChecked([]int{int(min(max(n, 0), math.MaxInt32*4)), len(cols), dt.Size()}); n < 0 || !ok || b > MaxBatchBytes {
			return nil, wrap(fmt.Errorf("row group %d: %d rows of %d columns exceed the block limit of %d bytes", g, n, len(cols), int64(MaxBatchBytes)))
		}
		if err := checkChunks(pf, g, cols, src.size); err != nil {
			return nil, wrap(err)
		}
		rows[g] = int(n)
		total += n
	}
	if total != md.NumRows {
		return nil, wrap(fmt.Errorf("row groups hold %d rows, the footer says %d", total, md.NumRows))
	}
	ch := chunks.Chunks{rows, {len(cols)}}
	if len(rows) == 0 {
		ch[0] = []int{0}
	}
	args, err := json.Marshal(pqArgs{URL: st.URL(), Key: key, Size: src.size, Columns: cols})
	if err != nil {
		return nil, wrap(err)
	}
	x := array.FromBlocks([]int{int(total), len(cols)}, dt, LoaderParquet, args, array.ExplicitChunks(ch))
	if err := x.Err(); err != nil {
		return nil, wrap(err)
	}
	return x, nil
}

// loadParquet is the "arrowio.read_parquet" loader: block b is row group
// b.Index[0], all selected columns.
func loadParquet(ctx context.Context, raw []byte, b funcs.Block, dst []byte) error {
	var a pqArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("arrowio: read_parquet: bad arguments: %w", err)
	}
	if len(b.Index) != 2 || len(b.Shape) != 2 {
		return fmt.Errorf("arrowio: read_parquet: block %v of shape %v is not 2-d", b.Index, b.Shape)
	}
	g := b.Index[0]
	wrap := func(err error) error {
		return fmt.Errorf("arrowio: read_parquet %s/%s row group %d: %w", a.URL, a.Key, g, err)
	}
	if len(dst) == 0 {
		return nil
	}
	if b.Shape[1] != len(a.Columns) {
		return wrap(fmt.Errorf("block has %d columns, %d selected", b.Shape[1], len(a.Columns)))
	}
	src, err := reopen(ctx, a.URL, a.Key, a.Size)
	if err != nil {
		return wrap(err)
	}
	defer src.Close()
	pf, err := openParquet(src)
	if err != nil {
		return wrap(err)
	}
	if g < 0 || g >= pf.NumRowGroups() {
		return wrap(fmt.Errorf("the file has %d row groups", pf.NumRowGroups()))
	}
	if err := checkChunks(pf, g, a.Columns, src.size); err != nil {
		return wrap(err)
	}
	rows := b.Shape[0]
	if n := pf.MetaData().RowGroup(g).NumRows(); n != int64(rows) {
		return wrap(fmt.Errorf("row group has %d rows, the array's chunk %d", n, rows))
	}
	err = safely("column data", func() error {
		rg := pf.RowGroup(g)
		for j, c := range a.Columns {
			if err := ctx.Err(); err != nil {
				return err
			}
			cr, err := rg.Column(c.Leaf)
			if err != nil {
				return err
			}
			if err := readColumn(cr, c, dst, b.DType, j, len(a.Columns), rows); err != nil {
				return fmt.Errorf("column %q: %w", c.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

const pqBatch = 1 << 16

// readColumn reads one column chunk into column j of the (rows, ncols)
// block dst.
func readColumn(cr file.ColumnChunkReader, c pqColumn, dst []byte, dt graph.DType, j, ncols, rows int) error {
	maxDef := cr.Descriptor().MaxDefinitionLevel()
	switch r := cr.(type) {
	case *file.BooleanColumnChunkReader:
		return readValues(r, maxDef, dst, dt, j, ncols, rows, func(v []bool) []uint8 {
			return unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
		})
	case *file.Int32ColumnChunkReader:
		if c.Uint32 {
			return readValues(r, maxDef, dst, dt, j, ncols, rows, func(v []int32) []uint32 {
				return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
			})
		}
		return readValues(r, maxDef, dst, dt, j, ncols, rows, same[int32])
	case *file.Int64ColumnChunkReader:
		return readValues(r, maxDef, dst, dt, j, ncols, rows, same[int64])
	case *file.Float32ColumnChunkReader:
		return readValues(r, maxDef, dst, dt, j, ncols, rows, same[float32])
	case *file.Float64ColumnChunkReader:
		return readValues(r, maxDef, dst, dt, j, ncols, rows, same[float64])
	}
	return fmt.Errorf("column reader %T not handled", cr)
}

func same[T any](v []T) []T { return v }

type batchReader[T any] interface {
	HasNext() bool
	Err() error
	ReadBatch(batchSize int64, values []T, defLvls, repLvls []int16) (total int64, valuesRead int, err error)
}

// readValues reads a column chunk in batches, converting with conv (a
// reinterpretation of the raw values) and put, and scattering around
// nulls (definition level below maxDef) when the column is optional.
func readValues[T any, S number](r batchReader[T], maxDef int16, dst []byte, dt graph.DType, j, ncols, rows int, conv func([]T) []S) error {
	vals := make([]T, min(pqBatch, max(rows, 1)))
	var def []int16
	var one [1]S
	if maxDef > 0 {
		def = make([]int16, len(vals))
	}
	row := 0
	for r.HasNext() {
		want := min(len(vals), rows-row)
		if want <= 0 {
			return fmt.Errorf("more values than the row group's %d rows", rows)
		}
		total, nv, err := r.ReadBatch(int64(want), vals[:want], def[:min(len(def), want)], nil)
		if err != nil {
			return err
		}
		if total == 0 {
			break
		}
		if total > int64(want) || nv > int(total) {
			return fmt.Errorf("reader returned %d levels, %d values for a batch of %d", total, nv, want)
		}
		v := conv(vals[:nv])
		if maxDef == 0 {
			put(dst, dt, v, j+row*ncols, ncols)
			row += nv
			continue
		}
		k := 0
		for i := 0; i < int(total); i++ {
			at := j + (row+i)*ncols
			if def[i] == maxDef {
				if k >= len(v) {
					return fmt.Errorf("definition levels name more values than were read")
				}
				one[0] = v[k]
				put(dst, dt, one[:], at, 1)
				k++
				continue
			}
			if err := setNaN(dst, dt, at, row+i); err != nil {
				return err
			}
		}
		row += int(total)
	}
	if err := r.Err(); err != nil {
		return err
	}
	if row != rows {
		return fmt.Errorf("read %d values, the row group has %d rows", row, rows)
	}
	return nil
}

func parquetCodec(name string) (compress.Compression, error) {
	switch name {
	case "", "none":
		return compress.Codecs.Uncompressed, nil
	case "snappy":
		return compress.Codecs.Snappy, nil
	case "zstd":
		return compress.Codecs.Zstd, nil
	case "gzip":
		return compress.Codecs.Gzip, nil
	case "lz4":
		return compress.Codecs.Lz4Raw, nil
	}
	return 0, fmt.Errorf("arrowio: Parquet compression %q: want none, snappy, zstd, gzip or lz4", name)
}

// WriteParquet writes the 2-d array x to the Parquet file url names: one
// required column per column of x ("c0", "c1", ... or the names given by
// Columns), one row group per band of rows (see the package doc). Options:
// Columns, BatchBytes, GroupBytes, Compression, ComputeWith.
func WriteParquet(ctx context.Context, x *array.Array, url string, opts ...Option) error {
	const op = "write_parquet"
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	codec, err := parquetCodec(cfg.compression)
	if err != nil {
		return err
	}
	if err := checkWritable(op, x, 2, 2); err != nil {
		return err
	}
	shape, dt := x.Shape(), x.DType()
	ncols := shape[1]
	if ncols == 0 {
		// A Parquet file without columns keeps no rows: ReadParquet
		// could not read it back.
		return fmt.Errorf("arrowio: %s: array of shape %v has no columns, which Parquet cannot hold", op, shape)
	}
	names := cfg.columns
	if names == nil {
		for j := 0; j < ncols; j++ {
			names = append(names, fmt.Sprintf("c%d", j))
		}
	}
	if len(names) != ncols {
		return fmt.Errorf("arrowio: %s: %d column names for %d columns", op, len(names), ncols)
	}
	fields := make(schema.FieldList, ncols)
	for j, n := range names {
		var node *schema.PrimitiveNode
		switch dt {
		case graph.Bool:
			node = schema.NewBooleanNode(n, parquet.Repetitions.Required, -1)
		case graph.Int32:
			node = schema.NewInt32Node(n, parquet.Repetitions.Required, -1)
		case graph.Int64:
			node = schema.NewInt64Node(n, parquet.Repetitions.Required, -1)
		case graph.Float32:
			node = schema.NewFloat32Node(n, parquet.Repetitions.Required, -1)
		default:
			node = schema.NewFloat64Node(n, parquet.Repetitions.Required, -1)
		}
		fields[j] = node
	}
	root, err := schema.NewGroupNode("schema", parquet.Repetitions.Required, fields, -1)
	if err != nil {
		return fmt.Errorf("arrowio: %s: %w", op, err)
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(codec), parquet.WithDictionaryDefault(false),
		parquet.WithMaxRowGroupLength(math.MaxInt64), parquet.WithAllocator(memory.DefaultAllocator))
	sk, err := createSink(url)
	if err != nil {
		return err
	}
	defer sk.abort()
	pw, err := file.NewParquetWriterWithError(writeOnly{sk.w}, root, file.WithWriterProps(props))
	if err != nil {
		return fmt.Errorf("arrowio: %s: %w", op, err)
	}
	bands := planBands(x.Chunks()[0], rowBytes(x), cfg.batchBytes)
	err = computeBands(ctx, x, bands, cfg, func(b band, nd *array.NDArray) error {
		err := safely("parquet write", func() error { return writeRowGroup(pw, nd.Data, dt, b.hi-b.lo, ncols) })
		if err != nil {
			return fmt.Errorf("arrowio: %s: rows [%d, %d): %w", op, b.lo, b.hi, err)
		}
		return nil
	})
	if cerr := safely("parquet close", pw.Close); err == nil && cerr != nil {
		err = fmt.Errorf("arrowio: %s: %w", op, cerr)
	}
	if err != nil {
		return err
	}
	return sk.commit(ctx)
}

// writeRowGroup writes a (rows, ncols) C-order band as one row group,
// column by column.
func writeRowGroup(pw *file.Writer, data []byte, dt graph.DType, rows, ncols int) error {
	rg, err := pw.AppendRowGroupChecked()
	if err != nil {
		return err
	}
	for j := 0; j < ncols; j++ {
		cw, err := rg.NextColumn()
		if err != nil {
			return err
		}
		switch w := cw.(type) {
		case *file.BooleanColumnChunkWriter:
			v := make([]bool, rows)
			for i := range v {
				v[i] = data[i*ncols+j] != 0
			}
			_, err = w.WriteBatch(v, nil, nil)
		case *file.Int32ColumnChunkWriter:
			_, err = w.WriteBatch(column(device.ViewBytes[int32](data), j, rows, ncols), nil, nil)
		case *file.Int64ColumnChunkWriter:
			_, err = w.WriteBatch(column(device.ViewBytes[int64](data), j, rows, ncols), nil, nil)
		case *file.Float32ColumnChunkWriter:
			_, err = w.WriteBatch(column(device.ViewBytes[float32](data), j, rows, ncols), nil, nil)
		case *file.Float64ColumnChunkWriter:
			_, err = w.WriteBatch(column(device.ViewBytes[float64](data), j, rows, ncols), nil, nil)
		default:
			err = fmt.Errorf("column writer %T not handled", cw)
		}
		if err != nil {
			return err
		}
		if err := cw.Close(); err != nil {
			return err
		}
	}
	return rg.Close()
}

// column copies column j of a (rows, ncols) C-order matrix.
func column[T any](m []T, j, rows, ncols int) []T {
	if ncols == 1 {
		return m[:rows]
	}
	out := make([]T, rows)
	for i := range out {
		out[i] = m[i*ncols+j]
	}
	return out
}
