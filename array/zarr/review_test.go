package zarr

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
)

// Nested sharding (a sharding_indexed codec inside another's codecs) is
// not read: the error comes from Open, as for every unsupported codec,
// not from a load task at Compute.
func TestReviewNestedShardRefusedAtOpen(t *testing.T) {
	bytesC := map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}
	inner := map[string]any{"name": "sharding_indexed", "configuration": map[string]any{
		"chunk_shape": []int{1, 1}, "codecs": []any{bytesC}, "index_codecs": []any{bytesC}}}
	doc := v3doc(map[string]any{"codecs": []any{map[string]any{"name": "sharding_indexed", "configuration": map[string]any{
		"chunk_shape": []int{2, 2}, "codecs": []any{inner}, "index_codecs": []any{bytesC}}}}})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "zarr.json"), doc)
	_, err := Open(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "nested sharding") {
		t.Fatalf("Open of a nested-sharded array: %v, want a nested sharding error", err)
	}
}

// A stored bool byte other than 0 and 1 reads as 1 (true) whether the
// block is exactly one stored chunk (decoded in place) or cuts chunks.
func TestReviewBoolNormalisedInWholeChunk(t *testing.T) {
	ctx := context.Background()
	z, err := codec.NewZlib(1)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := z.Encode(nil, []byte{0, 2, 1, 0xff})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".zarray"), v2doc(map[string]any{"shape": []int{4}, "chunks": []int{4}, "dtype": "|b1",
		"fill_value": false, "compressor": map[string]any{"id": "zlib", "level": 1}}))
	writeFile(t, filepath.Join(dir, "0"), enc)
	for _, opts := range [][]Option{nil, {Chunks(array.Chunked(2))}} {
		x, err := Open(ctx, dir, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustCompute(t, x); string(got) != string([]byte{0, 1, 1, 1}) {
			t.Errorf("chunks %v: read % x, want 00 01 01 01", x.Chunks(), got)
		}
	}
}

// SkipEmptyChunks with a NaN fill value skips chunks that are all NaN,
// whatever their NaNs' sign and payload bits, as zarr-python's
// write_empty_chunks=False does (math.NaN() is not the fill value's
// canonical NaN bit for bit).
func TestReviewSkipEmptyNaN(t *testing.T) {
	ctx := context.Background()
	neg := math.Float64frombits(0xfff8000000000000)
	v := []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), neg, neg, neg, neg, 1, math.NaN(), 2, 3}
	for _, f32 := range []bool{false, true} {
		dir := t.TempDir()
		x := array.FromSlice(v, []int{12}, array.Chunked(4))
		if f32 {
			v32 := make([]float32, len(v))
			for i, f := range v {
				v32[i] = float32(f)
			}
			x = array.FromSlice(v32, []int{12}, array.Chunked(4))
		}
		if err := Save(ctx, x, dir, FillValue(math.NaN()), SkipEmptyChunks()); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"0", "1"} {
			if _, err := os.Stat(filepath.Join(dir, k)); err == nil {
				t.Errorf("float32 %v: all-NaN chunk %q was written", f32, k)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "2")); err != nil {
			t.Errorf("float32 %v: chunk 2 with numbers: %v", f32, err)
		}
	}
}

// A null entry in a v2 filters list is an error naming the filters.
func TestReviewNullFilter(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".zarray"), v2doc(map[string]any{"filters": raw(`[null]`)}))
	_, err := Open(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "filters") {
		t.Fatalf("null filter: %v", err)
	}
}

// An intermediate stage of a codec chain (v2 filters then compressor)
// may not decode to more than about twice the chunk: a small chunk file
// holding a compressed bomb under a second compressor is refused before
// it is inflated, not decoded to MaxDecoded bytes.
func TestReviewIntermediateStageBounded(t *testing.T) {
	z, err := codec.NewZlib(9)
	if err != nil {
		t.Fatal(err)
	}
	bomb, err := z.Encode(nil, make([]byte, 8<<20)) // 8 MiB for a 32-byte chunk
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zl := map[string]any{"id": "zlib", "level": 1}
	writeFile(t, filepath.Join(dir, ".zarray"), v2doc(map[string]any{"shape": []int{4}, "chunks": []int{4},
		"filters": []any{zl}, "compressor": zl}))
	writeFile(t, filepath.Join(dir, "0"), bomb)
	x, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = x.Compute(context.Background())
	if err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("bomb under two compressors: %v, want a size error", err)
	}
}
