package arrowio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	aarray "github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// One random case of the IPC round trips.
type ipcCase struct {
	shape []int
	dt    graph.DType
	vals  []float64
	raw   []byte
	x     *array.Array
	opts  []Option
	batch int64
	desc  string
}

func newIPCCase(r *rand.Rand, dt graph.DType, ndim int) ipcCase {
	c := ipcCase{shape: randShape(r, ndim), dt: dt, batch: DefaultBatchBytes}
	n := 1
	for _, s := range c.shape {
		n *= s
	}
	c.vals, c.raw = randValues(r, dt, n)
	ch := randChunks(r, c.shape)
	c.x = fromValues(c.vals, dt, c.shape, array.ExplicitChunks(ch))
	if r.IntN(2) == 0 {
		c.batch = int64(1 + r.IntN(40*dt.Size()))
		c.opts = append(c.opts, BatchBytes(c.batch))
	}
	if r.IntN(2) == 0 {
		c.opts = append(c.opts, GroupBytes(int64(1+r.IntN(200))))
	}
	comp := []string{"none", "lz4", "zstd"}[r.IntN(3)]
	c.opts = append(c.opts, Compression(comp))
	c.desc = fmt.Sprintf("%v %v chunks %v batch %d %s", c.shape, dt, ch, c.batch, comp)
	return c
}

func TestIPCFileRoundTrip(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	k := 0
	for _, dt := range allDTypes {
		for ndim := 1; ndim <= 3; ndim++ {
			for rep := 0; rep < 4; rep++ {
				c := newIPCCase(r, dt, ndim)
				k++
				p := filepath.Join(dir, fmt.Sprintf("f%d.arrow", k))
				if err := WriteIPCFile(ctx, c.x, p, c.opts...); err != nil {
					t.Fatalf("%s: write: %v", c.desc, err)
				}
				y, err := ReadIPCFile(ctx, p)
				if err != nil {
					t.Fatalf("%s: read: %v", c.desc, err)
				}
				rb := int64(dt.Size())
				for _, s := range c.shape[1:] {
					rb *= int64(s)
				}
				bands := wantBands(c.x.Chunks()[0], rb, c.batch)
				if len(bands) == 0 {
					bands = []int{0}
				}
				if got := y.Chunks(); !slices.Equal(got[0], bands) {
					t.Fatalf("%s: axis-0 chunks %v, want the bands %v", c.desc, got[0], bands)
				}
				checkBytes(t, c.desc, y, c.shape, dt, c.raw)
				checkWithArrow(t, c.desc, p, c.shape, dt, c.vals, bands)
			}
		}
	}
}

// checkWithArrow reads the file with arrow-go's own FileReader and checks
// the layout the package doc promises: one column "x", primitive or
// FixedSizeList of prod(shape[1:]), the blockwork.* metadata, one record
// batch per band, and the values row by row.
func checkWithArrow(t *testing.T, what, path string, shape []int, dt graph.DType, vals []float64, bands []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	fr, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatalf("%s: arrow reader: %v", what, err)
	}
	defer fr.Close()
	sc := fr.Schema()
	if sc.NumFields() != 1 || sc.Field(0).Name != "x" {
		t.Fatalf("%s: schema %v", what, sc)
	}
	w := 1
	for _, s := range shape[1:] {
		w *= s
	}
	typ := sc.Field(0).Type
	if len(shape) > 1 {
		fsl, ok := typ.(*arrow.FixedSizeListType)
		if !ok || int(fsl.Len()) != w {
			t.Fatalf("%s: column type %v, want fixed_size_list[%d]", what, typ, w)
		}
		typ = fsl.Elem()
	}
	if want := arrowType(dt); !arrow.TypeEqual(typ, want) {
		t.Fatalf("%s: element type %v, want %v", what, typ, want)
	}
	md := sc.Metadata()
	var mshape []int
	if err := json.Unmarshal([]byte(md.Values()[md.FindKey("blockwork.shape")]), &mshape); err != nil || !slices.Equal(mshape, shape) {
		t.Fatalf("%s: blockwork.shape %v (%v)", what, mshape, err)
	}
	if got := md.Values()[md.FindKey("blockwork.dtype")]; got != dt.String() {
		t.Fatalf("%s: blockwork.dtype %q", what, got)
	}
	nb := len(bands)
	if shape[0] == 0 {
		nb = 0
	}
	if fr.NumRecords() != nb {
		t.Fatalf("%s: %d record batches, want %d", what, fr.NumRecords(), nb)
	}
	var got []float64
	for i := 0; i < fr.NumRecords(); i++ {
		rec, err := fr.RecordBatchAt(i)
		if err != nil {
			t.Fatal(err)
		}
		if int(rec.NumRows()) != bands[i] {
			t.Fatalf("%s: batch %d has %d rows, want %d", what, i, rec.NumRows(), bands[i])
		}
		col := rec.Column(0)
		if fsl, ok := col.(*aarray.FixedSizeList); ok {
			for row := 0; row < fsl.Len(); row++ {
				lo, hi := fsl.ValueOffsets(row)
				s := aarray.NewSlice(fsl.ListValues(), lo, hi)
				got = append(got, arrowFloat64s(t, s)...)
				s.Release()
			}
		} else {
			got = append(got, arrowFloat64s(t, col)...)
		}
		rec.Release()
	}
	if !sameFloats(got, vals) {
		t.Fatalf("%s: arrow reads other values", what)
	}
}

func TestIPCStreamRoundTrip(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	for _, dt := range allDTypes {
		for ndim := 1; ndim <= 3; ndim++ {
			c := newIPCCase(r, dt, ndim)
			var buf bytes.Buffer
			if err := WriteIPCStream(ctx, c.x, &buf, c.opts...); err != nil {
				t.Fatalf("%s: write: %v", c.desc, err)
			}
			// arrow-go's stream reader sees the same rows
			rdr, err := ipc.NewReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%s: arrow reader: %v", c.desc, err)
			}
			rows := 0
			for rdr.Next() {
				rows += int(rdr.RecordBatch().NumRows())
			}
			if rdr.Err() != nil || rows != c.shape[0] {
				t.Fatalf("%s: arrow read %d rows (%v), want %d", c.desc, rows, rdr.Err(), c.shape[0])
			}
			rdr.Release()
			y, err := ReadIPCStream(ctx, bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%s: read: %v", c.desc, err)
			}
			checkBytes(t, c.desc, y, c.shape, dt, c.raw)
		}
	}
}

// foreignColumn builds a random Arrow column of type typ with n values
// (nulls at a rate of nullRate) and returns it with its values as float64
// (NaN for nulls).
func foreignColumn(r *rand.Rand, mem memory.Allocator, typ arrow.DataType, n int, nullRate float64) (arrow.Array, []float64) {
	b := aarray.NewBuilder(mem, typ)
	defer b.Release()
	vals := make([]float64, n)
	for i := range vals {
		if r.Float64() < nullRate {
			b.AppendNull()
			vals[i] = nanF
			continue
		}
		switch bb := b.(type) {
		case *aarray.BooleanBuilder:
			v := r.IntN(2) == 1
			bb.Append(v)
			if v {
				vals[i] = 1
			}
		case *aarray.Int8Builder:
			v := int8(r.Uint32())
			bb.Append(v)
			vals[i] = float64(v)
		case *aarray.Int16Builder:
			v := int16(r.Uint32())
			bb.Append(v)
			vals[i] = float64(v)
		case *aarray.Int32Builder:
			v := int32(r.Uint32())
			bb.Append(v)
			vals[i] = float64(v)
		case *aarray.Int64Builder:
			v := r.Int64N(1<<53) - 1<<52
			bb.Append(v)
			vals[i] = float64(v)
		case *aarray.Uint8Builder:
			v := uint8(r.Uint32())
			bb.Append(v)
			vals[i] = float64(v)
		case *aarray.Uint16Builder:
			v := uint16(r.Uint32())
			bb.Append(v)
			vals[i] = float64(v)
		case *aarray.Uint32Builder:
			v := r.Uint32() | 1<<31*uint32(r.IntN(2))
			bb.Append(v)
			vals[i] = float64(v)
		case *aarray.Float32Builder:
			v := float32(r.NormFloat64())
			bb.Append(v)
			vals[i] = float64(v)
		case *aarray.Float64Builder:
			v := r.NormFloat64()
			bb.Append(v)
			vals[i] = v
		case *aarray.StringBuilder:
			bb.Append(fmt.Sprint(i))
		}
	}
	return b.NewArray(), vals
}

// writeForeignIPC writes batches of the given row counts with arrow-go's
// FileWriter: columns of the given types, random values. It returns the
// values of each column (float64, NaN for nulls).
func writeForeignIPC(t *testing.T, r *rand.Rand, path string, names []string, types []arrow.DataType, rows []int, nullRate float64) [][]float64 {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	fields := make([]arrow.Field, len(types))
	for i, typ := range types {
		fields[i] = arrow.Field{Name: names[i], Type: typ, Nullable: true}
	}
	sc := arrow.NewSchema(fields, nil)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(sc), ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	vals := make([][]float64, len(types))
	for _, n := range rows {
		cols := make([]arrow.Array, len(types))
		for i, typ := range types {
			var v []float64
			cols[i], v = foreignColumn(r, mem, typ, n, nullRate)
			vals[i] = append(vals[i], v...)
		}
		rec := aarray.NewRecordBatch(sc, cols, int64(n))
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		for _, c := range cols {
			c.Release()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return vals
}

func randRows(r *rand.Rand) []int {
	rows := make([]int, 1+r.IntN(5))
	for i := range rows {
		rows[i] = r.IntN(30)
	}
	return rows
}

// Files written by arrow-go's FileWriter from plain columns (no Blockwork
// metadata): every supported type, widened as documented, chunked by the
// batches' row counts, any column picked with Columns.
func TestIPCForeignFile(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	types := []arrow.DataType{
		arrow.FixedWidthTypes.Boolean, arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32,
		arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32,
		arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64,
	}
	want := []graph.DType{graph.Bool, graph.Int32, graph.Int32, graph.Int32, graph.Int64, graph.Int32, graph.Int32, graph.Int64, graph.Float32, graph.Float64}
	names := make([]string, len(types))
	for i, typ := range types {
		names[i] = "col_" + typ.String()
	}
	rows := randRows(r)
	p := filepath.Join(dir, "foreign.arrow")
	vals := writeForeignIPC(t, r, p, names, types, rows, 0)
	total := 0
	for _, n := range rows {
		total += n
	}
	for i, name := range names {
		x, err := ReadIPCFile(ctx, p, Columns(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if x.DType() != want[i] || !slices.Equal(x.Shape(), []int{total}) || !slices.Equal(x.Chunks()[0], rows) {
			t.Fatalf("%s: %v %v chunks %v, want %v %v chunks %v", name, x.DType(), x.Shape(), x.Chunks(), want[i], total, rows)
		}
		nd, err := x.Compute(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !sameFloats(nd.Float64s(), vals[i]) {
			t.Fatalf("%s: values differ", name)
		}
	}
	// several columns and none named x: the reader asks for a name
	if _, err := ReadIPCFile(ctx, p); err == nil || !strings.Contains(err.Error(), "Columns") {
		t.Fatalf("no column chosen: got %v", err)
	}
	if _, err := ReadIPCFile(ctx, p, Columns("nope")); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("missing column: got %v", err)
	}
}

// A foreign FixedSizeList column (no metadata) reads as (rows, width);
// its null rows and null elements are NaN in a float array.
func TestIPCForeignFixedSizeList(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const width = 3
	typ := arrow.FixedSizeListOf(width, arrow.PrimitiveTypes.Float32)
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: typ, Nullable: true}}, nil)
	p := filepath.Join(t.TempDir(), "fsl.arrow")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(sc), ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	rows := append(randRows(r), 1+r.IntN(20), 1+r.IntN(20))
	var want []float64
	for bi, n := range rows {
		if bi%2 == 1 {
			// null rows over valid child values (a builder would make the
			// children null too): the list's own validity must give NaN
			vals := make([]float32, n*width)
			valid := make([]byte, (n+7)/8)
			for i := 0; i < n; i++ {
				null := i == 0 || r.IntN(3) == 0
				if !null {
					valid[i/8] |= 1 << (i % 8)
				}
				for k := 0; k < width; k++ {
					vals[i*width+k] = float32(r.NormFloat64())
					if null {
						want = append(want, nanF)
					} else {
						want = append(want, float64(vals[i*width+k]))
					}
				}
			}
			child := aarray.NewFloat32Data(aarray.NewData(arrow.PrimitiveTypes.Float32, n*width,
				[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Float32Traits.CastToBytes(vals))}, nil, 0, 0))
			ld := aarray.NewData(typ, n, []*memory.Buffer{memory.NewBufferBytes(valid), nil}, []arrow.ArrayData{child.Data()}, -1, 0)
			col := aarray.MakeFromData(ld)
			rec := aarray.NewRecordBatch(sc, []arrow.Array{col}, int64(n))
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			col.Release()
			ld.Release()
			child.Release()
			continue
		}
		b := aarray.NewFixedSizeListBuilder(mem, width, arrow.PrimitiveTypes.Float32)
		vb := b.ValueBuilder().(*aarray.Float32Builder)
		for i := 0; i < n; i++ {
			if r.IntN(5) == 0 {
				b.AppendNull()
				want = append(want, nanF, nanF, nanF)
				continue
			}
			b.Append(true)
			for k := 0; k < width; k++ {
				if r.IntN(7) == 0 {
					vb.AppendNull()
					want = append(want, nanF)
					continue
				}
				v := float32(r.NormFloat64())
				vb.Append(v)
				want = append(want, float64(v))
			}
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
	f.Close()
	x, err := ReadIPCFile(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	total := len(want) / width
	if x.DType() != graph.Float32 || !slices.Equal(x.Shape(), []int{total, width}) {
		t.Fatalf("got %v %v, want float32 [%d %d]", x.DType(), x.Shape(), total, width)
	}
	nd, err := x.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(nd.Float64s(), want) {
		t.Fatalf("values differ:\n got %v\nwant %v", nd.Float64s(), want)
	}
}

// Nulls: NaN in float columns; in bool and integer columns an error at
// compute time naming the column and the batch.
func TestIPCNulls(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	types := []arrow.DataType{arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64, arrow.FixedWidthTypes.Boolean}
	names := []string{"f64", "f32", "i32", "i64", "b"}
	rows := []int{5 + r.IntN(20), 5 + r.IntN(20)}
	p := filepath.Join(dir, "nulls.arrow")
	vals := writeForeignIPC(t, r, p, names, types, rows, 0.3)
	for i, name := range names {
		x, err := ReadIPCFile(ctx, p, Columns(name))
		if err != nil {
			t.Fatal(err)
		}
		nd, err := x.Compute(ctx)
		if x.DType().IsFloat() {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !sameFloats(nd.Float64s(), vals[i]) {
				t.Fatalf("%s: values differ", name)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "null") || !strings.Contains(err.Error(), name) {
			t.Fatalf("%s: want a null error naming the column, got %v", name, err)
		}
	}
	// the same stream: ReadIPCStream fails at once for an int column
	var buf bytes.Buffer
	f, _ := os.Open(p)
	fr, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sw := ipc.NewWriter(&buf, ipc.WithSchema(fr.Schema()))
	for i := 0; i < fr.NumRecords(); i++ {
		rec, _ := fr.RecordBatch(i)
		if err := sw.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	sw.Close()
	fr.Close()
	f.Close()
	if _, err := ReadIPCStream(ctx, bytes.NewReader(buf.Bytes()), Columns("i32")); err == nil || !strings.Contains(err.Error(), "null") {
		t.Fatalf("stream with nulls in an int column: got %v", err)
	}
	y, err := ReadIPCStream(ctx, bytes.NewReader(buf.Bytes()), Columns("f64"))
	if err != nil {
		t.Fatal(err)
	}
	nd, err := y.Compute(ctx)
	if err != nil || !sameFloats(nd.Float64s(), vals[0]) {
		t.Fatalf("stream f64 with nulls: %v", err)
	}
}
