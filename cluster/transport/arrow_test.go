package transport

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/blockwork-dev/blockwork/graph"
)

func randShape(r *rand.Rand, maxElems int) []int {
	nd := r.IntN(5)
	shape := make([]int, nd)
	left := maxElems
	for i := range shape {
		shape[i] = r.IntN(min(left, 9) + 1)
		if shape[i] > 0 {
			left /= shape[i]
		}
	}
	return shape
}

// stream is the Arrow part of a chunk response: metadata, body, end of
// stream.
func stream(meta graph.Chunk, payload []byte) []byte {
	elems, n, err := checkChunk(meta, defaultMaxChunkBytes)
	if err != nil {
		panic(err)
	}
	b := encodeMeta(meta, elems, n)
	b = append(b, payload...)
	b = append(b, make([]byte, pad8(n)-n)...)
	return append(b, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0)
}

// TestMetaRoundTrip: encodeMeta then decodeMeta gives the chunk back, and
// arrow-go reads the same bytes as a valid Arrow IPC stream holding the
// chunk's elements and metadata.
func TestMetaRoundTrip(t *testing.T) {
	r := newRand(t)
	shapes := [][]int{{}, {0}, {1}, {3, 0, 5}, {2, 3}, {1, 1, 1, 1}, make([]int, maxNDim)}
	for i := range shapes[len(shapes)-1] {
		shapes[len(shapes)-1][i] = 1
	}
	for range 30 {
		shapes = append(shapes, randShape(r, 500))
	}
	for _, dt := range allDTypes {
		for _, shape := range shapes {
			meta := graph.Chunk{DType: dt, Shape: shape}
			t.Run(meta.String(), func(t *testing.T) {
				elems, n, err := checkChunk(meta, defaultMaxChunkBytes)
				if err != nil {
					t.Fatal(err)
				}
				md := encodeMeta(meta, elems, n)
				got, payload, body, err := decodeMeta(md, defaultMaxChunkBytes)
				if err != nil {
					t.Fatal(err)
				}
				if got.DType != dt || !slices.Equal(got.Shape, shape) || payload != n || body != pad8(n) {
					t.Fatalf("decoded %v payload %d body %d, want %v %d %d", got, payload, body, meta, n, pad8(n))
				}
				data := make([]byte, n)
				for i := range data {
					data[i] = byte(r.Uint32())
				}
				if dt == graph.Bool {
					for i := range data {
						data[i] &= 1
					}
				}
				checkWithArrowGo(t, meta, elems, data)
			})
		}
	}
}

func checkWithArrowGo(t *testing.T, meta graph.Chunk, elems int64, data []byte) {
	t.Helper()
	rd, err := ipc.NewReader(bytes.NewReader(stream(meta, data)))
	if err != nil {
		t.Fatalf("arrow-go: %v", err)
	}
	defer rd.Release()
	sc := rd.Schema()
	if sc.NumFields() != 1 || sc.Field(0).Name != "x" || sc.Field(0).Nullable {
		t.Fatalf("schema %v", sc)
	}
	want := map[graph.DType]arrow.DataType{graph.Bool: arrow.PrimitiveTypes.Uint8, graph.Int32: arrow.PrimitiveTypes.Int32,
		graph.Int64: arrow.PrimitiveTypes.Int64, graph.Float32: arrow.PrimitiveTypes.Float32, graph.Float64: arrow.PrimitiveTypes.Float64}[meta.DType]
	if !arrow.TypeEqual(sc.Field(0).Type, want) {
		t.Fatalf("column type %v, want %v", sc.Field(0).Type, want)
	}
	md := sc.Metadata()
	shape := fmt.Sprint(meta.Shape)
	shape = "[" + string(bytes.ReplaceAll([]byte(shape[1:len(shape)-1]), []byte(" "), []byte(","))) + "]"
	if v, _ := md.GetValue(metaDType); v != meta.DType.String() {
		t.Errorf("dtype metadata %q", v)
	}
	if v, _ := md.GetValue(metaShape); v != shape {
		t.Errorf("shape metadata %q, want %q", v, shape)
	}
	if !rd.Next() {
		t.Fatalf("no record batch: %v", rd.Err())
	}
	rec := rd.RecordBatch()
	if rec.NumRows() != elems {
		t.Fatalf("%d rows, want %d", rec.NumRows(), elems)
	}
	col := rec.Column(0).Data().Buffers()[1]
	var got []byte
	if col != nil {
		got = col.Bytes()[:len(data)]
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("arrow-go column bytes differ")
	}
	if rd.Next() {
		t.Fatal("a second record batch")
	}
	if rd.Err() != nil {
		t.Fatal(rd.Err())
	}
}

// TestDecodeMetaCorrupt: every single-byte change and every truncation of
// valid metadata decodes to an error or to a consistent chunk, never a
// panic.
func TestDecodeMetaCorrupt(t *testing.T) {
	meta := graph.Chunk{DType: graph.Float64, Shape: []int{3, 4, 5}}
	elems, n, _ := checkChunk(meta, defaultMaxChunkBytes)
	md := encodeMeta(meta, elems, n)
	try := func(b []byte) {
		got, payload, body, err := decodeMeta(b, defaultMaxChunkBytes)
		if err != nil {
			if !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps neither ErrProtocol nor ErrTooLarge", err)
			}
			return
		}
		if got.Bytes() != payload || body != pad8(payload) {
			t.Fatalf("inconsistent decode %v %d %d", got, payload, body)
		}
	}
	for i := range md {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			b := slices.Clone(md)
			b[i] ^= x
			try(b)
		}
		try(md[:i])
	}
}

func TestParseShape(t *testing.T) {
	for _, c := range []struct {
		s    string
		want []int
		ok   bool
	}{
		{"[]", []int{}, true}, {"[0]", []int{0}, true}, {"[3,4]", []int{3, 4}, true},
		{"", nil, false}, {"[", nil, false}, {"[3,]", nil, false}, {"[-1]", nil, false}, {"[ 3]", nil, false},
		{"[99999999999999999999]", nil, false}, {"[1e3]", nil, false},
	} {
		got, err := parseShape(c.s)
		if (err == nil) != c.ok || c.ok && !slices.Equal(got, c.want) {
			t.Errorf("parseShape(%q) = %v, %v", c.s, got, err)
		}
	}
	big := "[" + string(bytes.Repeat([]byte("1,"), maxNDim)) + "1]"
	if _, err := parseShape(big); err == nil {
		t.Errorf("%d dimensions accepted", maxNDim+1)
	}
}

func TestCheckChunk(t *testing.T) {
	for _, c := range []struct {
		meta graph.Chunk
		max  int64
		err  error
	}{
		{graph.Chunk{DType: graph.Float64, Shape: []int{1 << 37}}, defaultMaxChunkBytes, ErrTooLarge}, // 1 TiB
		{graph.Chunk{DType: graph.Float64, Shape: []int{1 << 20, 1 << 20, 1 << 20}}, maxMaxChunkBytes, ErrTooLarge},
		{graph.Chunk{DType: graph.Int32, Shape: []int{0, 1 << 62}}, defaultMaxChunkBytes, ErrTooLarge},
		{graph.Chunk{DType: graph.Int32, Shape: []int{-1}}, defaultMaxChunkBytes, ErrProtocol},
		{graph.Chunk{DType: graph.Invalid, Shape: []int{1}}, defaultMaxChunkBytes, ErrProtocol},
		{graph.Chunk{DType: graph.Bool, Shape: make([]int, maxNDim+1)}, defaultMaxChunkBytes, ErrTooLarge},
		{graph.Chunk{DType: graph.Float64, Shape: []int{1 << 10, 1 << 10, 1 << 9}}, defaultMaxChunkBytes, nil}, // 4 GiB
		{graph.Chunk{DType: graph.Float64, Shape: []int{1 << 10, 1 << 10, 1<<9 + 1}}, defaultMaxChunkBytes, ErrTooLarge},
	} {
		_, _, err := checkChunk(c.meta, c.max)
		if c.err == nil && err != nil || c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("checkChunk(%v, %d) = %v, want %v", c.meta, c.max, err, c.err)
		}
	}
}

// FuzzDecodeMeta: no input panics the metadata decoder.
func FuzzDecodeMeta(f *testing.F) {
	for _, dt := range allDTypes {
		meta := graph.Chunk{DType: dt, Shape: []int{2, 3}}
		elems, n, _ := checkChunk(meta, defaultMaxChunkBytes)
		f.Add(encodeMeta(meta, elems, n))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, payload, body, err := decodeMeta(b, 1<<20)
		if err == nil && (got.Bytes() != payload || body != pad8(payload) || payload > 1<<20) {
			t.Fatalf("inconsistent decode %v %d %d", got, payload, body)
		}
	})
}
