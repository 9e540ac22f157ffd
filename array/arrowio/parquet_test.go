package arrowio

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	aarray "github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// writeForeignParquet writes columns of random values with pqarrow's
// WriteTable (row groups of groupRows rows) and returns each column's
// values (float64, NaN for nulls).
func writeForeignParquet(t *testing.T, r *rand.Rand, path string, names []string, types []arrow.DataType, rows, groupRows int, nullRate map[string]float64) [][]float64 {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	fields := make([]arrow.Field, len(types))
	cols := make([]arrow.Array, len(types))
	vals := make([][]float64, len(types))
	for i, typ := range types {
		fields[i] = arrow.Field{Name: names[i], Type: typ, Nullable: nullRate[names[i]] > 0}
		cols[i], vals[i] = foreignColumn(r, mem, typ, rows, nullRate[names[i]])
	}
	sc := arrow.NewSchema(fields, nil)
	rec := aarray.NewRecordBatch(sc, cols, int64(rows))
	tbl := aarray.NewTableFromRecords(sc, []arrow.RecordBatch{rec})
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(parquet.WithAllocator(mem))
	if err := pqarrow.WriteTable(tbl, f, int64(groupRows), props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem))); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tbl.Release()
	rec.Release()
	for _, c := range cols {
		c.Release()
	}
	return vals
}

// Parquet files written by pqarrow from plain columns: several row
// groups, mixed column types; each selection's dtype is NumPy's
// promotion of its columns' (widened) dtypes, written out by hand here,
// and its values the column data in Go.
func TestParquetForeignMixed(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	names := []string{"i32", "i64", "f32", "f64", "u8", "i16", "u32", "b", "s"}
	types := []arrow.DataType{arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64,
		arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Uint32, arrow.FixedWidthTypes.Boolean, arrow.BinaryTypes.String}
	rows := 1 + r.IntN(200)
	groupRows := 1 + r.IntN(60)
	p := filepath.Join(t.TempDir(), "mixed.parquet")
	vals := writeForeignParquet(t, r, p, names, types, rows, groupRows, nil)
	var groups []int
	for s := 0; s < rows; s += groupRows {
		groups = append(groups, min(groupRows, rows-s))
	}
	cases := []struct {
		cols []string
		want graph.DType
	}{
		{nil, graph.Float64}, // every column but the string one
		{[]string{"i32", "f32"}, graph.Float64},
		{[]string{"i32", "i64"}, graph.Int64},
		{[]string{"f32"}, graph.Float32},
		{[]string{"f32", "b"}, graph.Float32},
		{[]string{"u8", "i16", "b"}, graph.Int32},
		{[]string{"u32"}, graph.Int64},
		{[]string{"u32", "i32"}, graph.Int64},
		{[]string{"b"}, graph.Bool},
		{[]string{"f64", "i32", "f32", "i64"}, graph.Float64},
	}
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	for _, c := range cases {
		sel := c.cols
		if sel == nil {
			sel = names[:len(names)-1]
		}
		var opts []Option
		if c.cols != nil {
			opts = append(opts, Columns(c.cols...))
		}
		x, err := ReadParquet(ctx, p, opts...)
		if err != nil {
			t.Fatalf("%v: %v", sel, err)
		}
		if x.DType() != c.want || !slices.Equal(x.Shape(), []int{rows, len(sel)}) || !slices.Equal(x.Chunks()[0], groups) {
			t.Fatalf("%v: %v %v chunks %v, want %v [%d %d] row groups %v", sel, x.DType(), x.Shape(), x.Chunks(), c.want, rows, len(sel), groups)
		}
		want := make([]float64, rows*len(sel))
		for j, n := range sel {
			for i := 0; i < rows; i++ {
				v := vals[index[n]][i]
				if c.want == graph.Float32 {
					v = float64(float32(v))
				}
				want[i*len(sel)+j] = v
			}
		}
		nd, err := x.Compute(ctx)
		if err != nil {
			t.Fatalf("%v: %v", sel, err)
		}
		if !sameFloats(nd.Float64s(), want) {
			t.Fatalf("%v: values differ", sel)
		}
	}
	if _, err := ReadParquet(ctx, p, Columns("i32", "s")); err == nil || !strings.Contains(err.Error(), `"s"`) {
		t.Fatalf("string column: want an error naming it, got %v", err)
	}
	if _, err := ReadParquet(ctx, p, Columns("zz")); err == nil || !strings.Contains(err.Error(), "zz") {
		t.Fatalf("missing column: got %v", err)
	}
}

// Nulls: NaN in a float array (a float column, or an int column promoted
// with a float one); an error in an int array.
func TestParquetNulls(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	names := []string{"f64", "i32", "f32"}
	types := []arrow.DataType{arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Float32}
	rows := 20 + r.IntN(100)
	p := filepath.Join(t.TempDir(), "nulls.parquet")
	vals := writeForeignParquet(t, r, p, names, types, rows, 1+r.IntN(30), map[string]float64{"f64": 0.3, "i32": 0.3, "f32": 0.2})
	x, err := ReadParquet(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, 3*rows)
	for i := 0; i < rows; i++ {
		for j := range names {
			want[3*i+j] = vals[j][i]
		}
	}
	nd, err := x.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if x.DType() != graph.Float64 || !sameFloats(nd.Float64s(), want) {
		t.Fatalf("float64 with nulls: %v, values differ", x.DType())
	}
	y, err := ReadParquet(ctx, p, Columns("i32"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := y.Compute(ctx); err == nil || !strings.Contains(err.Error(), "null") || !strings.Contains(err.Error(), "i32") {
		t.Fatalf("int32 with nulls: want a null error naming the column, got %v", err)
	}
}

// WriteParquet then ReadParquet: every dtype, random shapes and chunks
// (row groups = bands), every codec; pqarrow reads the same columns.
func TestParquetRoundTrip(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	codecs := []string{"none", "snappy", "zstd", "gzip", "lz4"}
	k := 0
	for _, dt := range allDTypes {
		for rep := 0; rep < 4; rep++ {
			shape := randShape(r, 2)
			if shape[1] == 0 {
				shape[1] = 1
			}
			vals, raw := randValues(r, dt, shape[0]*shape[1])
			ch := randChunks(r, shape)
			x := fromValues(vals, dt, shape, array.ExplicitChunks(ch))
			batch := int64(DefaultBatchBytes)
			codec := codecs[r.IntN(len(codecs))]
			opts := []Option{Compression(codec)}
			if r.IntN(2) == 0 {
				batch = int64(1 + r.IntN(30*dt.Size()))
				opts = append(opts, BatchBytes(batch))
			}
			var names []string
			if r.IntN(2) == 0 {
				for j := 0; j < shape[1]; j++ {
					names = append(names, fmt.Sprintf("col %d", j))
				}
				opts = append(opts, Columns(names...))
			}
			desc := fmt.Sprintf("%v %v chunks %v batch %d %s", shape, dt, ch, batch, codec)
			k++
			p := filepath.Join(dir, fmt.Sprintf("f%d.parquet", k))
			if err := WriteParquet(ctx, x, p, opts...); err != nil {
				t.Fatalf("%s: write: %v", desc, err)
			}
			y, err := ReadParquet(ctx, p)
			if err != nil {
				t.Fatalf("%s: read: %v", desc, err)
			}
			bands := wantBands(ch[0], int64(shape[1]*dt.Size()), batch)
			if len(bands) == 0 {
				bands = []int{0}
			}
			if !slices.Equal(y.Chunks()[0], bands) {
				t.Fatalf("%s: row groups %v, want the bands %v", desc, y.Chunks()[0], bands)
			}
			checkBytes(t, desc, y, shape, dt, raw)
			checkParquetWithArrow(t, desc, p, shape, dt, names, vals)
		}
	}
}

// checkParquetWithArrow reads the file with pqarrow and compares column
// names, types and values.
func checkParquetWithArrow(t *testing.T, what, path string, shape []int, dt graph.DType, names []string, vals []float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := pqarrow.ReadTable(context.Background(), f, parquet.NewReaderProperties(mem), pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatalf("%s: pqarrow: %v", what, err)
	}
	defer tbl.Release()
	if int(tbl.NumCols()) != shape[1] || int(tbl.NumRows()) != shape[0] {
		t.Fatalf("%s: pqarrow reads %d x %d", what, tbl.NumRows(), tbl.NumCols())
	}
	for j := 0; j < shape[1]; j++ {
		name := fmt.Sprintf("c%d", j)
		if names != nil {
			name = names[j]
		}
		fld := tbl.Schema().Field(j)
		if fld.Name != name || !arrow.TypeEqual(fld.Type, arrowType(dt)) {
			t.Fatalf("%s: column %d is %s %v, want %s %v", what, j, fld.Name, fld.Type, name, arrowType(dt))
		}
		var got []float64
		for _, c := range tbl.Column(j).Data().Chunks() {
			got = append(got, arrowFloat64s(t, c)...)
		}
		want := make([]float64, shape[0])
		for i := range want {
			want[i] = vals[i*shape[1]+j]
		}
		if !sameFloats(got, want) {
			t.Fatalf("%s: column %d: pqarrow reads other values", what, j)
		}
	}
}
