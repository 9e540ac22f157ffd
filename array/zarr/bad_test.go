package zarr

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
)

// v2doc is a .zarray with some fields replaced.
func v2doc(over map[string]any) []byte {
	doc := map[string]any{
		"zarr_format": 2, "shape": []int{10, 6}, "chunks": []int{4, 4}, "dtype": "<f8",
		"compressor": nil, "fill_value": 0, "order": "C", "filters": nil,
	}
	for k, v := range over {
		if v == nil {
			delete(doc, k)
			continue
		}
		doc[k] = v
	}
	b, _ := json.Marshal(doc)
	return b
}

func v3doc(over map[string]any) []byte {
	doc := map[string]any{
		"zarr_format": 3, "node_type": "array", "shape": []int{10, 6}, "data_type": "float64",
		"chunk_grid":         map[string]any{"name": "regular", "configuration": map[string]any{"chunk_shape": []int{4, 4}}},
		"chunk_key_encoding": map[string]any{"name": "default"},
		"fill_value":         0,
		"codecs":             []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}},
	}
	for k, v := range over {
		if v == nil {
			delete(doc, k)
			continue
		}
		doc[k] = v
	}
	b, _ := json.Marshal(doc)
	return b
}

type raw string // a JSON fragment used as is

func (r raw) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// Bad metadata is an error from Open naming the problem, never a panic
// or an allocation of what the header claims.
func TestOpenBadMetadata(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, file string
		doc        []byte
		want       string
	}{
		{"complex dtype", ".zarray", v2doc(map[string]any{"dtype": "<c16"}), "not supported"},
		{"string dtype", ".zarray", v2doc(map[string]any{"dtype": "|S5"}), "not supported"},
		{"uint64", ".zarray", v2doc(map[string]any{"dtype": "<u8"}), "uint64"},
		{"float16", ".zarray", v2doc(map[string]any{"dtype": "<f2"}), "float16"},
		{"datetime", ".zarray", v2doc(map[string]any{"dtype": "<M8[ns]"}), "not supported"},
		{"structured", ".zarray", v2doc(map[string]any{"dtype": [][]string{{"a", "<f8"}}}), "structured"},
		{"bad order char", ".zarray", v2doc(map[string]any{"dtype": "=f8"}), "byte order"},
		{"2^60 elements", ".zarray", v2doc(map[string]any{"shape": []int{1 << 30, 1 << 30}, "chunks": []int{1024, 1024}}), "larger than"},
		{"huge chunk", ".zarray", v2doc(map[string]any{"shape": []int{1 << 20, 1 << 20}, "chunks": []int{1 << 20, 1 << 20}}), "larger than"},
		{"chunk 0", ".zarray", v2doc(map[string]any{"chunks": []int{0, 4}}), "positive"},
		{"negative shape", ".zarray", v2doc(map[string]any{"shape": []int{-1, 6}}), "negative"},
		{"chunk rank", ".zarray", v2doc(map[string]any{"chunks": []int{4}}), "axes"},
		{"too many axes", ".zarray", v2doc(map[string]any{"shape": make([]int, 40), "chunks": make([]int, 40)}), "axes"},
		{"order", ".zarray", v2doc(map[string]any{"order": "K"}), "order"},
		{"filters", ".zarray", v2doc(map[string]any{"filters": []any{map[string]any{"id": "delta", "dtype": "<f8"}}}), "delta"},
		{"unknown compressor", ".zarray", v2doc(map[string]any{"compressor": map[string]any{"id": "bz2", "level": 1}}), "bz2"},
		{"separator", ".zarray", v2doc(map[string]any{"dimension_separator": "_"}), "dimension_separator"},
		{"fill type", ".zarray", v2doc(map[string]any{"fill_value": "x"}), "fill_value"},
		{"fill range", ".zarray", v2doc(map[string]any{"dtype": "|u1", "fill_value": 300}), "range"},
		{"format", ".zarray", v2doc(map[string]any{"zarr_format": 1}), "zarr_format"},
		{"no shape", ".zarray", v2doc(map[string]any{"shape": nil}), "required"},
		{"not json", ".zarray", []byte("{\"zarr_format\": 2, "), "zarray"},
		{"v3 complex", "zarr.json", v3doc(map[string]any{"data_type": "complex64"}), "not supported"},
		{"v3 raw bytes", "zarr.json", v3doc(map[string]any{"data_type": "r16"}), "not supported"},
		{"v3 grid", "zarr.json", v3doc(map[string]any{"chunk_grid": map[string]any{"name": "rectilinear"}}), "chunk_grid"},
		{"v3 key encoding", "zarr.json", v3doc(map[string]any{"chunk_key_encoding": map[string]any{"name": "weird"}}), "chunk_key_encoding"},
		{"v3 codec", "zarr.json", v3doc(map[string]any{"codecs": []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}, map[string]any{"name": "lzma"}}}), "lzma"},
		{"v3 no bytes codec", "zarr.json", v3doc(map[string]any{"codecs": []any{map[string]any{"name": "gzip", "configuration": map[string]any{"level": 1}}}}), "before"},
		{"v3 endian missing", "zarr.json", v3doc(map[string]any{"codecs": []any{map[string]any{"name": "bytes"}}}), "endian"},
		{"v3 transpose", "zarr.json", v3doc(map[string]any{"codecs": []any{map[string]any{"name": "transpose", "configuration": map[string]any{"order": []int{0, 0}}}, map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}}}), "permutation"},
		{"v3 fill null", "zarr.json", v3doc(map[string]any{"fill_value": raw("null")}), "fill_value"},
		{"v3 fill string", "zarr.json", v3doc(map[string]any{"fill_value": "nan"}), "fill_value"},
		{"v3 group", "zarr.json", []byte(`{"zarr_format": 3, "node_type": "group"}`), "group"},
		{"v3 unknown field", "zarr.json", v3doc(map[string]any{"fancy": 1}), "fancy"},
		{"v3 storage transformer", "zarr.json", v3doc(map[string]any{"storage_transformers": []any{map[string]any{"name": "x"}}}), "storage_transformers"},
		{"v3 shard not dividing", "zarr.json", v3doc(map[string]any{"codecs": []any{map[string]any{"name": "sharding_indexed", "configuration": map[string]any{
			"chunk_shape": []int{3, 4}, "codecs": []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}},
			"index_codecs": []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}}}}}}), "divide"},
		{"v3 shard index codec", "zarr.json", v3doc(map[string]any{"codecs": []any{map[string]any{"name": "sharding_indexed", "configuration": map[string]any{
			"chunk_shape": []int{2, 2}, "codecs": []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}},
			"index_codecs": []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}, map[string]any{"name": "gzip", "configuration": map[string]any{"level": 1}}}}}}}), "index_codecs"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, c.file), c.doc, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(ctx, dir)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
	// no metadata at all; metadata too large to read
	if _, err := Open(ctx, t.TempDir()); err == nil || !strings.Contains(err.Error(), "no array metadata") {
		t.Errorf("empty directory: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".zarray"), make([]byte, MaxMetadataBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dir); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("huge .zarray: %v", err)
	}
}

// Bad chunks are errors from Compute naming the chunk; a missing chunk
// is the fill value.
func TestBadChunks(t *testing.T) {
	ctx := context.Background()
	zs, err := codec.NewZstd(3)
	if err != nil {
		t.Fatal(err)
	}
	for _, comp := range []codec.Codec{nil, zs, defaultComp} {
		dir := t.TempDir()
		v := make([]float64, 10*6)
		for i := range v {
			v[i] = float64(i)
		}
		opts := []Option{Chunks(array.Chunked(4, 4)), FillValue(-1)}
		if comp != defaultComp {
			opts = append(opts, Compressor(comp))
		}
		if err := Save(ctx, array.FromSlice(v, []int{10, 6}), dir, opts...); err != nil {
			t.Fatal(err)
		}
		// missing chunk: fill
		if err := os.Remove(filepath.Join(dir, "0.1")); err != nil {
			t.Fatal(err)
		}
		x, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		got := mustNDArray(t, x).Float64s()
		for i, g := range got {
			w := float64(i)
			if i/6 < 4 && i%6 >= 4 {
				w = -1
			}
			if g != w {
				t.Fatalf("%v: missing chunk: element %d = %v, want %v", comp, i, g, w)
			}
		}
		// truncated chunk
		p := filepath.Join(dir, "1.0")
		b, _ := os.ReadFile(p)
		os.WriteFile(p, b[:len(b)/2], 0o644)
		if _, err := x.Compute(ctx); err == nil || !strings.Contains(err.Error(), `"1.0"`) {
			t.Errorf("%v: truncated chunk: %v", comp, err)
		} else {
			t.Logf("truncated: %v", err)
		}
		// corrupt chunk (same length, bytes flipped in the middle)
		for i := len(b) / 3; i < len(b)/3+8 && i < len(b); i++ {
			b[i] ^= 0x5a
		}
		os.WriteFile(p, b, 0o644)
		if comp != nil {
			if _, err := x.Compute(ctx); err == nil {
				t.Errorf("%v: corrupt chunk: no error", comp)
			} else {
				t.Logf("corrupt: %v", err)
			}
		}
		// an oversized chunk
		os.WriteFile(p, append(b, make([]byte, 64)...), 0o644)
		if _, err := x.Compute(ctx); err == nil {
			t.Errorf("%v: oversized chunk: no error", comp)
		}
	}
}

// A sharded v3 store whose index points outside the shard, or whose
// index checksum is wrong, or which is shorter than its index, is an
// error from Compute.
func TestBadShard(t *testing.T) {
	ctx := context.Background()
	doc := v3doc(map[string]any{"shape": []int{4}, "chunk_grid": map[string]any{"name": "regular", "configuration": map[string]any{"chunk_shape": []int{4}}},
		"codecs": []any{map[string]any{"name": "sharding_indexed", "configuration": map[string]any{
			"chunk_shape": []int{2}, "codecs": []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}},
			"index_codecs": []any{map[string]any{"name": "bytes", "configuration": map[string]any{"endian": "little"}}, map[string]any{"name": "crc32c"}}}}}})
	h := &hvals{d: dtype{'f', 8}, shape: []int{4}, flts: []float64{1, 2, 3, 4}}
	good := func() []byte {
		body := append(handChunk(h, []int{0}, []int{2}, nil, false, nil), handChunk(h, []int{2}, []int{2}, nil, false, nil)...)
		idx := []byte{}
		for _, v := range []uint64{0, 16, 16, 16} {
			idx = append(idx, byte(v), 0, 0, 0, 0, 0, 0, 0)
		}
		return append(body, handBytesCodecs(t, idx, []string{"crc32c"})...)
	}
	cases := map[string]func([]byte) []byte{
		"good":    func(b []byte) []byte { return b },
		"bad crc": func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
		"short":   func(b []byte) []byte { return b[:10] },
		"offset beyond": func(b []byte) []byte {
			// the second inner chunk's offset past the end, with a good checksum
			idx := append([]byte(nil), b[32:64]...)
			idx[16] = 200
			return append(append([]byte(nil), b[:32]...), handBytesCodecs(t, idx, []string{"crc32c"})...)
		},
	}
	for name, mod := range cases {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "zarr.json"), doc)
		writeFile(t, filepath.Join(dir, "c", "0"), mod(good()))
		x, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		nd, err := x.Compute(ctx)
		if name == "good" {
			if err != nil {
				t.Errorf("good shard: %v", err)
			} else if got := fmtFloats(nd.Float64s()); got != "[1 2 3 4]" {
				t.Errorf("good shard: read %s", got)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func fmtFloats(v []float64) string {
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(string(b), ",", " ")
}

// A write that fails (a chunk's file cannot be replaced; the source
// array fails to compute) returns an error naming the chunk and leaves
// no temporary or partial chunk files.
func TestWriteFailureLeavesNoPartialChunks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// chunk "1.0" cannot be renamed over: a non-empty directory is there
	if err := os.MkdirAll(filepath.Join(dir, "1.0", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	v := make([]float64, 8*4)
	x := array.FromSlice(v, []int{8, 4}, array.Chunked(4, 2))
	err := Save(ctx, x, dir)
	if err == nil || !strings.Contains(err.Error(), `"1.0"`) {
		t.Fatalf("save over a directory: %v", err)
	}
	t.Logf("error: %v", err)
	checkNoTemp(t, dir)

	// a source whose blocks fail to load: its chunks are never written
	src := t.TempDir()
	if err := Save(ctx, x, src, Compressor(nil)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "0.0"), []byte("short"), 0o644)
	y, err := Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := Save(ctx, y, out, Chunks(array.Chunked(4, 2))); err == nil {
		t.Fatal("saving an unreadable array: no error")
	}
	checkNoTemp(t, out)
	if _, err := os.Stat(filepath.Join(out, "0.0")); err == nil {
		t.Error("chunk 0.0 of the failed source was written")
	}
}

func checkNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasPrefix(info.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}
