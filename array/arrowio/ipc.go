package arrowio

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	aarray "github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// Loader names registered in package funcs.
const (
	LoaderIPC     = "arrowio.read_ipc"
	LoaderParquet = "arrowio.read_parquet"
)

func init() {
	funcs.MustRegisterLoader(LoaderIPC, loadIPC)
	funcs.MustRegisterLoader(LoaderParquet, loadParquet)
}

var ipcMagic = []byte("ARROW1")

// safely runs f, turning a panic inside the Arrow library (malformed
// data it does not check) into an error.
func safely(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: malformed data: %v", what, r)
		}
	}()
	return f()
}

// checkWritable rejects arrays the IPC and Parquet layouts cannot hold.
func checkWritable(op string, x *array.Array, minDim, maxDim int) error {
	if x == nil {
		return fmt.Errorf("arrowio: %s: nil array", op)
	}
	if err := x.Err(); err != nil {
		return fmt.Errorf("arrowio: %s: %w", op, err)
	}
	if n := x.NDim(); n < minDim || n > maxDim {
		return fmt.Errorf("arrowio: %s: array of shape %v has %d dimensions, want %d to %d", op, x.Shape(), n, minDim, maxDim)
	}
	if _, ok := prodChecked(x.Shape()[1:]); !ok || !x.DType().Valid() {
		return fmt.Errorf("arrowio: %s: array of shape %v, %v cannot be written", op, x.Shape(), x.DType())
	}
	return nil
}

func ipcOptions(cfg *config) ([]ipc.Option, error) {
	opts := []ipc.Option{ipc.WithAllocator(memory.DefaultAllocator)}
	switch cfg.compression {
	case "", "none":
	case "lz4":
		opts = append(opts, ipc.WithLZ4())
	case "zstd":
		opts = append(opts, ipc.WithZstd())
	default:
		return nil, fmt.Errorf("arrowio: IPC compression %q: want none, lz4 or zstd", cfg.compression)
	}
	return opts, nil
}

// writeIPC computes x band by band and hands each band's record batch to
// emit, which must not keep it.
func writeIPC(ctx context.Context, op string, x *array.Array, cfg *config, open func(*arrow.Schema) error, emit func(arrow.RecordBatch) error) error {
	if err := checkWritable(op, x, 1, maxNDim); err != nil {
		return err
	}
	shape, dt := x.Shape(), x.DType()
	bands := planBands(x.Chunks()[0], rowBytes(x), cfg.batchBytes)
	rows := make([]int, len(bands))
	for i, b := range bands {
		rows[i] = b.hi - b.lo
	}
	sc := schemaFor(shape, dt, x.Chunks(), rows)
	if err := open(sc); err != nil {
		return err
	}
	width, _ := prodChecked(shape[1:])
	return computeBands(ctx, x, bands, cfg, func(b band, nd *array.NDArray) error {
		n := b.hi - b.lo
		col := makeRows(memory.DefaultAllocator, dt, nd.Data, n, width, len(shape) > 1)
		defer col.Release()
		rec := aarray.NewRecordBatch(sc, []arrow.Array{col}, int64(n))
		defer rec.Release()
		if err := emit(rec); err != nil {
			return fmt.Errorf("arrowio: %s: rows [%d, %d): %w", op, b.lo, b.hi, err)
		}
		return nil
	})
}

// WriteIPCFile writes x (N >= 1 dimensions) to the Arrow IPC file url
// names, one record batch per band of rows (see the package doc for the
// layout, memory use and atomicity). Options: BatchBytes, GroupBytes,
// Compression, ComputeWith.
func WriteIPCFile(ctx context.Context, x *array.Array, url string, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	iopts, err := ipcOptions(cfg)
	if err != nil {
		return err
	}
	if err := checkWritable("write_ipc_file", x, 1, maxNDim); err != nil {
		return err
	}
	sk, err := createSink(url)
	if err != nil {
		return err
	}
	defer sk.abort()
	var w *ipc.FileWriter
	err = writeIPC(ctx, "write_ipc_file", x, cfg, func(sc *arrow.Schema) error {
		var err error
		w, err = ipc.NewFileWriter(sk.w, append(iopts, ipc.WithSchema(sc))...)
		if err != nil {
			return fmt.Errorf("arrowio: write_ipc_file: %w", err)
		}
		return nil
	}, func(rec arrow.RecordBatch) error { return w.Write(rec) })
	if w != nil {
		if cerr := w.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("arrowio: write_ipc_file: %w", cerr)
		}
	}
	if err != nil {
		return err
	}
	return sk.commit(ctx)
}

// WriteIPCStream writes x to w in the Arrow IPC stream format (schema,
// one record batch per band, end-of-stream marker), with the layout and
// options of WriteIPCFile.
func WriteIPCStream(ctx context.Context, x *array.Array, w io.Writer, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	iopts, err := ipcOptions(cfg)
	if err != nil {
		return err
	}
	var sw *ipc.Writer
	err = writeIPC(ctx, "write_ipc_stream", x, cfg, func(sc *arrow.Schema) error {
		sw = ipc.NewWriter(w, append(iopts, ipc.WithSchema(sc))...)
		return nil
	}, func(rec arrow.RecordBatch) error { return sw.Write(rec) })
	if sw != nil {
		if cerr := sw.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("arrowio: write_ipc_stream: %w", cerr)
		}
	}
	return err
}

// ipcArgs is the argument blob of "arrowio.read_ipc": enough for any
// process to find and decode one record batch.
type ipcArgs struct {
	URL       string `json:"url"`  // the store
	Key       string `json:"key"`  // the file in it
	Size      int64  `json:"size"` // the file's size when opened
	FooterOff int64  `json:"footer_off"`
	FooterLen int64  `json:"footer_len"`
	Column    int    `json:"column"`
	Width     int    `json:"width"`
	Nested    bool   `json:"nested"`
	Schema    []byte `json:"schema"` // encapsulated IPC schema message
}

// ipcFile is what opening an IPC file learns.
type ipcFile struct {
	blocks    []fileBlock
	footerOff int64
	footerLen int64
	schema    *arrow.Schema
}

// readFooter checks the magic bytes and returns the footer's position
// and its record batch blocks.
func readFooter(src *source) (off, n int64, blocks []fileBlock, err error) {
	const tail = 10 // int32 footer length + "ARROW1"
	if src.size < 8+tail {
		return 0, 0, nil, fmt.Errorf("not an Arrow IPC file: %d bytes", src.size)
	}
	head, err := src.rng(0, 8)
	if err != nil {
		return 0, 0, nil, err
	}
	end, err := src.rng(src.size-tail, tail)
	if err != nil {
		return 0, 0, nil, err
	}
	if !bytes.Equal(head[:6], ipcMagic) || !bytes.Equal(end[4:], ipcMagic) {
		return 0, 0, nil, fmt.Errorf("not an Arrow IPC file (no ARROW1 magic at both ends)")
	}
	n = int64(int32(binary.LittleEndian.Uint32(end[:4])))
	if n <= 0 || n > MaxFooterBytes || n > src.size-8-tail {
		return 0, 0, nil, fmt.Errorf("footer length %d is impossible for a file of %d bytes (limit %d)", n, src.size, int64(MaxFooterBytes))
	}
	off = src.size - tail - n
	footer, err := src.rng(off, n)
	if err != nil {
		return 0, 0, nil, err
	}
	if err := verifyFooter(footer); err != nil {
		return 0, 0, nil, err
	}
	blocks, err = parseFooter(footer)
	if err != nil {
		return 0, 0, nil, err
	}
	if len(blocks) > array.MaxBlocks {
		return 0, 0, nil, fmt.Errorf("footer lists %d record batches, more than %d", len(blocks), array.MaxBlocks)
	}
	for i, k := range blocks {
		if err := k.check(i, off); err != nil {
			return 0, 0, nil, err
		}
	}
	return off, n, blocks, nil
}

func openIPC(src *source) (*ipcFile, error) {
	off, n, blocks, err := readFooter(src)
	if err != nil {
		return nil, err
	}
	f := &ipcFile{blocks: blocks, footerOff: off, footerLen: n}
	err = safely("schema", func() error {
		fr, err := ipc.NewFileReader(src, ipc.WithEnsureNativeEndian(false), ipc.WithFooterOffset(src.size))
		if err != nil {
			return err
		}
		defer fr.Close()
		if fr.NumRecords() != len(blocks) {
			return fmt.Errorf("footer lists %d record batches, arrow reads %d", len(blocks), fr.NumRecords())
		}
		if fr.NumDictionaries() > 0 {
			return fmt.Errorf("dictionary-encoded columns are not supported")
		}
		f.schema = fr.Schema()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !f.schema.IsNativeEndian() {
		return nil, fmt.Errorf("big-endian Arrow files are not supported")
	}
	return f, nil
}

// schemaMessage encodes sc as an encapsulated IPC schema message.
func schemaMessage(sc *arrow.Schema) ([]byte, error) {
	var buf bytes.Buffer
	err := safely("schema message", func() error {
		p := ipc.GetSchemaPayload(sc, memory.DefaultAllocator)
		defer p.Release()
		_, err := p.WritePayload(&buf)
		return err
	})
	return buf.Bytes(), err
}

// batchRows returns each record batch's row count: from the metadata's
// chunks when they list one entry per batch (checked against the first
// batch's header), else from each batch's message header. Row counts an
// uncompressed body cannot hold (a bit per element at least) are errors,
// so that a corrupt count does not make a load task allocate a large
// block for nothing.
func batchRows(ctx context.Context, src *source, f *ipcFile, l ipcLayout) ([]int, error) {
	n := len(f.blocks)
	rows := make([]int, n)
	read := n
	fromMeta := l.chunks != nil && len(l.chunks[0]) == n && n > 0
	if fromMeta {
		copy(rows, l.chunks[0])
		read = 1
	}
	compressed := make([]bool, n)
	errs := make([]error, read)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := 0; i < read; i++ {
		k := f.blocks[i]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			meta, err := src.rng(k.Offset, k.Meta)
			if err == nil {
				var r int64
				r, compressed[i], err = batchLength(meta)
				switch {
				case err != nil:
				case r > int64(array.MaxBytes):
					err = fmt.Errorf("row count %d", r)
				case fromMeta && r != int64(rows[i]):
					err = fmt.Errorf("has %d rows, the blockwork.chunks metadata says %d", r, rows[i])
				default:
					rows[i] = int(r)
				}
			}
			if err != nil {
				errs[i] = fmt.Errorf("record batch %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for i, r := range rows {
		c := compressed[i]
		if fromMeta {
			c = compressed[0]
		}
		need, ok := prodChecked([]int{r, l.width})
		if !ok || !c && int64(need) > 8*f.blocks[i].Body+64 {
			return nil, fmt.Errorf("record batch %d: %d rows of %d elements do not fit its %d-byte body", i, r, l.width, f.blocks[i].Body)
		}
	}
	return rows, ctx.Err()
}

// ReadIPCFile opens the Arrow IPC file url names as a lazy array: one
// load task per record batch, reading only that batch's bytes (and the
// footer). Options: Columns (one name). See the package doc for how the
// column, shape and chunks are chosen.
func ReadIPCFile(ctx context.Context, url string, opts ...Option) (*array.Array, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	st, key, err := openStore(url)
	if err != nil {
		return nil, err
	}
	src, err := openSource(ctx, st, key)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	wrap := func(err error) error { return fmt.Errorf("arrowio: read_ipc_file %s: %w", url, err) }
	f, err := openIPC(src)
	if err != nil {
		return nil, wrap(err)
	}
	l, err := layoutOf(f.schema, cfg.columns)
	if err != nil {
		return nil, wrap(err)
	}
	rows, err := batchRows(ctx, src, f, l)
	if err != nil {
		return nil, wrap(err)
	}
	total := 0
	for i, r := range rows {
		if bytes, ok := prodChecked([]int{r, l.width, l.dt.Size()}); !ok || bytes > MaxBatchBytes {
			return nil, wrap(fmt.Errorf("record batch %d: %d rows of %d %v elements exceed the block limit of %d bytes", i, r, l.width, l.dt, int64(MaxBatchBytes)))
		}
		total += r
		if total < 0 || total > int(array.MaxBytes) {
			return nil, wrap(fmt.Errorf("row count overflows"))
		}
	}
	shape := l.shapeFor(total)
	ch := make(chunks.Chunks, len(shape))
	ch[0] = rows
	if len(rows) == 0 {
		ch[0] = []int{0}
	}
	for a := 1; a < len(shape); a++ {
		ch[a] = []int{shape[a]}
	}
	sm, err := schemaMessage(f.schema)
	if err != nil {
		return nil, wrap(err)
	}
	args, err := json.Marshal(ipcArgs{URL: st.URL(), Key: key, Size: src.size, FooterOff: f.footerOff, FooterLen: f.footerLen,
		Column: l.col, Width: l.width, Nested: l.nested, Schema: sm})
	if err != nil {
		return nil, wrap(err)
	}
	x := array.FromBlocks(shape, l.dt, LoaderIPC, args, array.ExplicitChunks(ch))
	if err := x.Err(); err != nil {
		return nil, wrap(err)
	}
	return x, nil
}

// decodeBatch decodes one encapsulated record batch message with the
// schema message sm in front of it.
func decodeBatch(sm, msg []byte) (arrow.RecordBatch, error) {
	var rec arrow.RecordBatch
	err := safely("record batch", func() error {
		rdr, err := newStreamReader(nil, sm, msg)
		if err != nil {
			return err
		}
		defer rdr.Release()
		if !rdr.Next() {
			if err := rdr.Err(); err != nil {
				return err
			}
			return fmt.Errorf("no record batch")
		}
		rec = rdr.RecordBatch()
		rec.Retain()
		return nil
	})
	return rec, err
}

// loadIPC is the "arrowio.read_ipc" loader: block b is record batch
// b.Index[0].
func loadIPC(ctx context.Context, raw []byte, b funcs.Block, dst []byte) error {
	var a ipcArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("arrowio: read_ipc: bad arguments: %w", err)
	}
	if len(b.Index) == 0 || len(b.Shape) == 0 {
		return fmt.Errorf("arrowio: read_ipc: block without index")
	}
	i := b.Index[0]
	wrap := func(err error) error { return fmt.Errorf("arrowio: read_ipc %s/%s batch %d: %w", a.URL, a.Key, i, err) }
	if len(dst) == 0 {
		return nil
	}
	if want := b.Elems(); b.Shape[0]*a.Width != want {
		return wrap(fmt.Errorf("block shape %v does not hold rows of %d elements", b.Shape, a.Width))
	}
	src, err := reopen(ctx, a.URL, a.Key, a.Size)
	if err != nil {
		return wrap(err)
	}
	defer src.Close()
	if a.FooterLen <= 0 || a.FooterLen > MaxFooterBytes {
		return wrap(fmt.Errorf("bad footer length %d", a.FooterLen))
	}
	footer, err := src.rng(a.FooterOff, a.FooterLen)
	if err != nil {
		return wrap(err)
	}
	blocks, err := parseFooter(footer)
	if err != nil {
		return wrap(err)
	}
	if i < 0 || i >= len(blocks) {
		return wrap(fmt.Errorf("the footer lists %d record batches", len(blocks)))
	}
	k := blocks[i]
	if err := k.check(i, a.FooterOff); err != nil {
		return wrap(err)
	}
	msg, err := src.rng(k.Offset, k.Meta+k.Body)
	if err != nil {
		return wrap(err)
	}
	rec, err := decodeBatch(a.Schema, msg)
	if err != nil {
		return wrap(err)
	}
	defer rec.Release()
	if rec.NumRows() != int64(b.Shape[0]) {
		return wrap(fmt.Errorf("batch has %d rows, the array's chunk %d", rec.NumRows(), b.Shape[0]))
	}
	if a.Column < 0 || a.Column >= int(rec.NumCols()) {
		return wrap(fmt.Errorf("no column %d", a.Column))
	}
	l := ipcLayout{width: a.Width, nested: a.Nested}
	err = safely("column data", func() error { return fillRows(dst, b.DType, rec.Column(a.Column), l, b.Shape[0]) })
	if err != nil {
		return wrap(fmt.Errorf("column %q: %w", rec.ColumnName(a.Column), err))
	}
	return nil
}

// ReadIPCStream reads an Arrow IPC stream into memory (a stream has no
// footer to seek by) and returns it as a literal array chunked by record
// batches along axis 0, with the column, shape and dtype rules of
// ReadIPCFile. Options: Columns (one name).
func ReadIPCStream(ctx context.Context, r io.Reader, opts ...Option) (*array.Array, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("arrowio: read_ipc_stream: %w", err) }
	var (
		parts [][]byte
		rows  []int
		l     ipcLayout
	)
	err = safely("stream", func() error {
		rdr, err := newStreamReader(r)
		if err != nil {
			return err
		}
		defer rdr.Release()
		if !rdr.Schema().IsNativeEndian() {
			return fmt.Errorf("big-endian Arrow streams are not supported")
		}
		if l, err = layoutOf(rdr.Schema(), cfg.columns); err != nil {
			return err
		}
		total := 0
		for rdr.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec := rdr.RecordBatch()
			n := int(rec.NumRows())
			nb, ok := prodChecked([]int{n, l.width, l.dt.Size()})
			if total += n; !ok || total > int(array.MaxBytes) || nb > MaxBatchBytes {
				return fmt.Errorf("record batch %d: %d rows of %d elements: too large", len(rows), n, l.width)
			}
			if have := dataBytes(rec.Column(l.col).Data()); int64(nb) > 8*have+64 {
				return fmt.Errorf("record batch %d claims %d rows but holds %d bytes", len(rows), n, have)
			}
			buf := make([]byte, nb)
			if err := fillRows(buf, l.dt, rec.Column(l.col), l, n); err != nil {
				return fmt.Errorf("record batch %d, column %q: %w", len(rows), l.name, err)
			}
			parts = append(parts, buf)
			rows = append(rows, n)
		}
		return rdr.Err()
	})
	if err != nil {
		return nil, wrap(err)
	}
	total := 0
	for _, n := range rows {
		total += n
	}
	shape := l.shapeFor(total)
	ch := make(chunks.Chunks, len(shape))
	ch[0] = rows
	if len(rows) == 0 {
		ch[0] = []int{0}
	}
	for a := 1; a < len(shape); a++ {
		ch[a] = []int{shape[a]}
	}
	x := literal(bytes.Join(parts, nil), l.dt, shape, array.ExplicitChunks(ch))
	if err := x.Err(); err != nil {
		return nil, wrap(err)
	}
	return x, nil
}

// dataBytes is the size of an Arrow array's buffers, children included.
func dataBytes(d arrow.ArrayData) int64 {
	n := int64(0)
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataBytes(c)
	}
	return n
}

// literal makes an array from raw C-order bytes of dtype dt.
func literal(raw []byte, dt graph.DType, shape []int, opts ...array.Option) *array.Array {
	switch dt {
	case graph.Bool:
		v := make([]bool, len(raw))
		for i, b := range raw {
			v[i] = b != 0
		}
		return array.FromSlice(v, shape, opts...)
	case graph.Int32:
		return array.FromSlice(append([]int32(nil), device.ViewBytes[int32](raw)...), shape, opts...)
	case graph.Int64:
		return array.FromSlice(append([]int64(nil), device.ViewBytes[int64](raw)...), shape, opts...)
	case graph.Float32:
		return array.FromSlice(append([]float32(nil), device.ViewBytes[float32](raw)...), shape, opts...)
	}
	return array.FromSlice(append([]float64(nil), device.ViewBytes[float64](raw)...), shape, opts...)
}
