package arrowio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	aarray "github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/graph"
)

func wantErr(t *testing.T, what string, err error, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Fatalf("%s: error %q does not mention %q", what, err, substr)
	}
}

// goodIPC writes a small valid IPC file and returns its path and bytes.
func goodIPC(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	data := make([]float64, 40*3)
	for i := range data {
		data[i] = float64(i)
	}
	p := filepath.Join(dir, "good.arrow")
	if err := WriteIPCFile(context.Background(), array.FromSlice(data, []int{40, 3}, array.Chunked(9, 3)), p); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, b
}

func goodParquet(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	data := make([]int64, 50*4)
	for i := range data {
		data[i] = int64(i)
	}
	p := filepath.Join(dir, "good.parquet")
	if err := WriteParquet(context.Background(), array.FromSlice(data, []int{50, 4}, array.Chunked(11, 4)), p); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, b
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIPCBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, good := goodIPC(t, dir)
	_, pq := goodParquet(t, dir)

	_, err := ReadIPCFile(ctx, filepath.Join(dir, "missing.arrow"))
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("missing file: %v, want ErrNotFound", err)
	}
	_, err = ReadIPCFile(ctx, writeFile(t, dir, "empty.arrow", nil))
	wantErr(t, "empty file", err, "not an Arrow IPC file")
	_, err = ReadIPCFile(ctx, writeFile(t, dir, "pq.arrow", pq))
	wantErr(t, "parquet file", err, "not an Arrow IPC file")
	_, err = ReadIPCFile(ctx, writeFile(t, dir, "text.arrow", bytes.Repeat([]byte("hello world\n"), 100)))
	wantErr(t, "text file", err, "not an Arrow IPC file")
	_, err = ReadIPCStream(ctx, bytes.NewReader(bytes.Repeat([]byte("hello world\n"), 100)))
	wantErr(t, "text stream", err, "read_ipc_stream")

	// truncated anywhere: an error when opened
	for _, n := range []int{len(good) - 1, len(good) - 7, len(good) / 2, 20, 8} {
		_, err = ReadIPCFile(ctx, writeFile(t, dir, "trunc.arrow", good[:n]))
		if err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(good))
		}
	}

	// footer claiming absurd sizes
	bad := bytes.Clone(good)
	binary.LittleEndian.PutUint32(bad[len(bad)-10:], 0x7ffffff0)
	_, err = ReadIPCFile(ctx, writeFile(t, dir, "footer.arrow", bad))
	wantErr(t, "footer length 2^31", err, "footer length")

	st, _ := storage.Open(dir)
	src, err := openSource(ctx, st, "good.arrow")
	if err != nil {
		t.Fatal(err)
	}
	off, n, blocks, err := readFooter(src)
	src.Close()
	if err != nil || len(blocks) != 5 {
		t.Fatalf("good file: %d blocks, %v", len(blocks), err)
	}
	patchBlock := func(i int, k fileBlock) []byte {
		var old, neu [24]byte
		for _, e := range []struct {
			b *[24]byte
			k fileBlock
		}{{&old, blocks[i]}, {&neu, k}} {
			binary.LittleEndian.PutUint64(e.b[0:], uint64(e.k.Offset))
			binary.LittleEndian.PutUint32(e.b[8:], uint32(e.k.Meta))
			binary.LittleEndian.PutUint64(e.b[16:], uint64(e.k.Body))
		}
		b := bytes.Clone(good)
		footer := b[off : off+n]
		at := bytes.Index(footer, old[:])
		if at < 0 {
			t.Fatal("block not found in footer")
		}
		copy(footer[at:], neu[:])
		return b
	}
	k := blocks[2]
	k.Body = 1 << 60
	_, err = ReadIPCFile(ctx, writeFile(t, dir, "body.arrow", patchBlock(2, k)))
	wantErr(t, "body 2^60", err, "exceeds the limit")
	k = blocks[2]
	k.Body += 1 << 20
	_, err = ReadIPCFile(ctx, writeFile(t, dir, "body2.arrow", patchBlock(2, k)))
	wantErr(t, "body past the end", err, "outside")
	k = blocks[1]
	k.Offset = -8
	_, err = ReadIPCFile(ctx, writeFile(t, dir, "off.arrow", patchBlock(1, k)))
	wantErr(t, "negative offset", err, "bad offset")
}

// A file of another layout with blockwork.* metadata that lies: absurd
// shapes are ignored (the Arrow layout decides), chunks that disagree
// with the batches fail when computed.
func TestIPCLyingMetadata(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, md map[string]string, rows []int) string {
		mem := memory.NewGoAllocator()
		m := arrow.MetadataFrom(md)
		sc := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float64)}}, &m)
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w, err := ipc.NewFileWriter(f, ipc.WithSchema(sc))
		if err != nil {
			t.Fatal(err)
		}
		v := 0.0
		for _, n := range rows {
			b := aarray.NewFixedSizeListBuilder(mem, 2, arrow.PrimitiveTypes.Float64)
			vb := b.ValueBuilder().(*aarray.Float64Builder)
			for i := 0; i < n; i++ {
				b.Append(true)
				vb.Append(v)
				vb.Append(v + 1)
				v += 2
			}
			col := b.NewArray()
			rec := aarray.NewRecordBatch(sc, []arrow.Array{col}, int64(n))
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			col.Release()
			b.Release()
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := write("huge.arrow", map[string]string{metaShape: "[1099511627776, 1099511627776]", metaDType: "float64", metaChunks: "[[1099511627776],[1099511627776]]"}, []int{3, 4})
	x, err := ReadIPCFile(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Shape(); len(got) != 2 || got[0] != 7 || got[1] != 2 {
		t.Fatalf("absurd metadata shape: read as %v, want [7 2]", got)
	}
	nd, err := x.Compute(ctx)
	if err != nil || nd.Float64s()[13] != 13 {
		t.Fatalf("absurd metadata shape: %v", err)
	}
	// trailing shape from metadata when it agrees
	p = write("shaped.arrow", map[string]string{metaShape: "[7, 1, 2]", metaDType: "float64"}, []int{3, 4})
	x, err = ReadIPCFile(ctx, p)
	if err != nil || len(x.Shape()) != 3 || x.Shape()[2] != 2 {
		t.Fatalf("metadata shape [7 1 2]: %v %v", x.Shape(), err)
	}
	// chunks that list one entry per batch but other row counts: the
	// first batch is checked when opened, the others when loaded
	p = write("chunks0.arrow", map[string]string{metaShape: "[7, 2]", metaDType: "float64", metaChunks: "[[5, 2], [2]]"}, []int{3, 4})
	_, err = ReadIPCFile(ctx, p)
	wantErr(t, "lying chunks, batch 0", err, "rows")
	p = write("chunks1.arrow", map[string]string{metaShape: "[9, 2]", metaDType: "float64", metaChunks: "[[3, 5, 1], [2]]"}, []int{3, 4, 2})
	x, err = ReadIPCFile(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = x.Compute(ctx)
	wantErr(t, "lying chunks, batch 1", err, "rows")
}

func TestIPCUnsupportedTypes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct {
		typ  arrow.DataType
		want string
	}{
		{arrow.BinaryTypes.String, "utf8"},
		{arrow.PrimitiveTypes.Uint64, "uint64"},
		{arrow.FixedWidthTypes.Float16, "float16"},
		{arrow.FixedWidthTypes.Date32, "date32"},
		{arrow.ListOf(arrow.PrimitiveTypes.Float64), "list"},
		{arrow.FixedSizeListOf(2, arrow.BinaryTypes.String), "utf8"},
	} {
		sc := arrow.NewSchema([]arrow.Field{{Name: "col", Type: c.typ}}, nil)
		p := filepath.Join(dir, "t.arrow")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w, err := ipc.NewFileWriter(f, ipc.WithSchema(sc))
		if err != nil {
			t.Fatal(err)
		}
		b := aarray.NewBuilder(memory.NewGoAllocator(), c.typ)
		b.AppendNull()
		col := b.NewArray()
		rec := aarray.NewRecordBatch(sc, []arrow.Array{col}, 1)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		w.Close()
		f.Close()
		_, err = ReadIPCFile(ctx, p)
		wantErr(t, c.typ.String(), err, c.want)
		wantErr(t, c.typ.String(), err, `"col"`)
	}
}

func TestParquetBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, good := goodParquet(t, dir)
	_, ipcFile := goodIPC(t, dir)

	_, err := ReadParquet(ctx, filepath.Join(dir, "missing.parquet"))
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("missing file: %v, want ErrNotFound", err)
	}
	_, err = ReadParquet(ctx, writeFile(t, dir, "ipc.parquet", ipcFile))
	wantErr(t, "ipc file", err, "not a Parquet file")
	_, err = ReadParquet(ctx, writeFile(t, dir, "empty.parquet", nil))
	wantErr(t, "empty", err, "not a Parquet file")
	for _, n := range []int{len(good) - 1, len(good) - 9, len(good) / 2, 12} {
		_, err = ReadParquet(ctx, writeFile(t, dir, "trunc.parquet", good[:n]))
		if err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(good))
		}
	}
	bad := bytes.Clone(good)
	binary.LittleEndian.PutUint32(bad[len(bad)-8:], 0xfffffff0)
	_, err = ReadParquet(ctx, writeFile(t, dir, "footer.parquet", bad))
	wantErr(t, "footer length 2^32", err, "footer length")
}

// Random byte corruption of valid files and streams (plain and
// compressed): opening and computing may fail but never panic or run out
// of memory (either would crash the test binary).
func TestCorruptFilesNoPanic(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	data := make([]float64, 40*3)
	for i := range data {
		data[i] = float64(i % 7)
	}
	x := array.FromSlice(data, []int{40, 3}, array.Chunked(9, 3))
	var sources [][]byte
	var kinds []string
	for _, c := range []struct {
		kind string
		opts []Option
	}{{"ipc", nil}, {"ipc", []Option{Compression("zstd")}}, {"stream", []Option{Compression("lz4")}}, {"stream", nil},
		{"parquet", nil}, {"parquet", []Option{Compression("snappy")}}} {
		var b []byte
		p := filepath.Join(dir, "src")
		switch c.kind {
		case "ipc":
			if err := WriteIPCFile(ctx, x, p, c.opts...); err != nil {
				t.Fatal(err)
			}
			b, _ = os.ReadFile(p)
		case "parquet":
			if err := WriteParquet(ctx, x, p, c.opts...); err != nil {
				t.Fatal(err)
			}
			b, _ = os.ReadFile(p)
		case "stream":
			var buf bytes.Buffer
			if err := WriteIPCStream(ctx, x, &buf, c.opts...); err != nil {
				t.Fatal(err)
			}
			b = buf.Bytes()
		}
		sources, kinds = append(sources, b), append(kinds, c.kind)
	}
	opened, computed := 0, 0
	const reps = 240
	for rep := 0; rep < reps; rep++ {
		src, kind := sources[rep%len(sources)], kinds[rep%len(sources)]
		b := bytes.Clone(src)
		for k := 1 + r.IntN(4); k > 0; k-- {
			i := r.IntN(len(b))
			if r.IntN(2) == 0 {
				i = len(b) - 1 - r.IntN(min(len(b), 300)) // the footer
			}
			b[i] ^= byte(1 + r.IntN(255))
		}
		var y *array.Array
		var err error
		t0 := time.Now()
		switch kind {
		case "ipc":
			y, err = ReadIPCFile(ctx, writeFile(t, dir, "c.arrow", b))
		case "parquet":
			y, err = ReadParquet(ctx, writeFile(t, dir, "c.parquet", b))
		case "stream":
			y, err = ReadIPCStream(ctx, bytes.NewReader(b))
		}
		if err != nil {
			continue
		}
		opened++
		_, err = y.Compute(ctx)
		if err == nil {
			computed++
		}
		if d := time.Since(t0); d > 50*time.Millisecond {
			t.Logf("%s rep %d: %v: %v %v: %v", kind, rep, d, y.Shape(), y.Chunks(), err)
		}
	}
	t.Logf("%d of %d corrupt files opened, %d computed without error", opened, reps, computed)
}

func TestWriteErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	scalar := array.FromSlice([]float64{1}, []int{})
	wantErr(t, "0-d", WriteIPCFile(ctx, scalar, filepath.Join(dir, "s.arrow")), "dimensions")
	x3 := array.FromSlice(make([]float64, 8), []int{2, 2, 2})
	wantErr(t, "3-d parquet", WriteParquet(ctx, x3, filepath.Join(dir, "s.parquet")), "dimensions")
	x2 := array.FromSlice(make([]float64, 8), []int{4, 2})
	wantErr(t, "names", WriteParquet(ctx, x2, filepath.Join(dir, "s.parquet"), Columns("a")), "column names")
	wantErr(t, "codec", WriteIPCFile(ctx, x2, filepath.Join(dir, "s.arrow"), Compression("snappy")), "compression")
	wantErr(t, "codec", WriteParquet(ctx, x2, filepath.Join(dir, "s.parquet"), Compression("brotli?")), "compression")
	wantErr(t, "batch", WriteIPCFile(ctx, x2, filepath.Join(dir, "s.arrow"), BatchBytes(0)), "BatchBytes")
	bad := x2.Add(array.FromSlice(make([]float64, 3), []int{3}))
	wantErr(t, "sticky", WriteIPCFile(ctx, bad, filepath.Join(dir, "s.arrow")), "arrowio")
	wantErr(t, "no file in bucket", WriteIPCFile(ctx, x2, "arrowiotest://bucket"), "names no file")

	// a computation that fails midway (nulls in an int column) leaves
	// neither the target nor a temporary file
	r := newRand(t)
	src := filepath.Join(t.TempDir(), "nulls.arrow")
	writeForeignIPC(t, r, src, []string{"i"}, []arrow.DataType{arrow.PrimitiveTypes.Int32}, []int{5, 5, 5}, 0.5)
	y, err := ReadIPCFile(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	err = WriteIPCFile(ctx, y, filepath.Join(out, "y.arrow"))
	wantErr(t, "failing compute", err, "null")
	err = WriteParquet(ctx, y.Reshape(15, 1), filepath.Join(out, "y.parquet"))
	wantErr(t, "failing compute", err, "null")
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatalf("a failed write left %v", ents)
	}
}

// A cancelled write returns the context's error and leaves nothing; the
// computation options reach Compute (progress is reported).
func TestWriteCancelAndComputeWith(t *testing.T) {
	dir := t.TempDir()
	x := array.NewRandom(3).Uniform(0, 1, []int{5000, 20}, graph.Float64, array.Chunked(100, 20))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := WriteIPCFile(ctx, x, filepath.Join(dir, "c.arrow"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: %v", err)
	}
	err = WriteParquet(ctx, x, filepath.Join(dir, "c.parquet"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("a cancelled write left %v", ents)
	}
	var calls atomic.Int64
	err = WriteIPCFile(context.Background(), x, filepath.Join(dir, "p.arrow"), GroupBytes(1),
		ComputeWith(array.Progress(func(done, total int, _ int64) { calls.Add(1) })))
	if err != nil {
		t.Fatal(err)
	}
	// one group per band (GroupBytes 1): 50 computations, each reporting
	if calls.Load() < 50 {
		t.Fatalf("progress called %d times", calls.Load())
	}
}
