package zarr

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
)

// randCompressor picks a compressor the format can name (nil: none).
func randCompressor(t *testing.T, r *rand.Rand, format, typesize int) (codec.Codec, string) {
	t.Helper()
	must := func(c codec.Codec, err error) codec.Codec {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	switch r.IntN(7) {
	case 0:
		return nil, "none"
	case 1:
		return must(codec.NewZstd(1 + r.IntN(5))), "zstd"
	case 2:
		return must(codec.NewGzip(r.IntN(10))), "gzip"
	case 3:
		cname := []string{"lz4", "lz4hc", "zstd", "zlib"}[r.IntN(4)]
		return must(codec.NewBlosc(cname, 1+r.IntN(9), r.IntN(3), typesize)), "blosc-" + cname
	case 4:
		return defaultComp, "default"
	case 5:
		return must(codec.NewZlib(r.IntN(10))), "zlib"
	}
	return codec.NewLZ4(), "lz4"
}

// defaultComp marks "no Compressor option" in the tests.
var defaultComp codec.Codec = codec.NewCRC32C()

// A random array written by Save (random format, dtype, shape, source
// chunks, store chunks, separator, compressor) and read back by Open
// (with random read chunks) equals the source bit for bit.
func TestRoundTrip(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	for i := range 60 {
		dt := allDTypes[r.IntN(len(allDTypes))]
		format := 2 + r.IntN(2)
		shape := randShape(r, 4, 3000, true)
		n := 1
		for _, s := range shape {
			n *= s
		}
		raw := randBytes(r, dt, n)
		src := fromRaw(raw, dt, shape, array.ExplicitChunks(randChunks(r, shape)))
		grid := randGrid(r, shape)
		comp, cname := randCompressor(t, r, format, dt.Size())
		sep := []string{".", "/"}[r.IntN(2)]
		opts := []Option{Format(format), Separator(sep), Chunks(array.Chunked(grid...))}
		if len(grid) == 0 {
			opts = opts[:2]
		}
		if comp != defaultComp {
			opts = append(opts, Compressor(comp))
		}
		if r.IntN(4) == 0 {
			opts = append(opts, SkipEmptyChunks())
		}
		dir := filepath.Join(t.TempDir(), "a.zarr")
		what := fmt.Sprintf("case %d: v%d %v shape %v src chunks %v grid %v sep %q %s", i, format, dt, shape, src.Chunks(), grid, sep, cname)
		if err := Save(ctx, src, dir, opts...); err != nil {
			t.Fatalf("%s: save: %v", what, err)
		}
		var ropts []Option
		if r.IntN(2) == 0 {
			ropts = append(ropts, Chunks(array.ExplicitChunks(randChunks(r, shape))))
		}
		x, err := Open(ctx, dir, ropts...)
		if err != nil {
			t.Fatalf("%s: open: %v", what, err)
		}
		if x.DType() != dt || fmt.Sprint(x.Shape()) != fmt.Sprint(shape) {
			t.Fatalf("%s: opened as %v %v", what, x.DType(), x.Shape())
		}
		if len(ropts) == 0 && n > 0 {
			if want := regularChunks(shape, grid); !x.Chunks().Equal(want) {
				t.Errorf("%s: default read chunks %v, want the store's %v", what, x.Chunks(), want)
			}
		}
		got := mustCompute(t, x)
		if d := firstDiff(got, raw, dt.Size()); d != "equal" {
			t.Fatalf("%s (read chunks %v): %s", what, x.Chunks(), d)
		}
	}
}

// Without a Chunks option the store takes x's chunks when they are
// regular, and the largest block per axis when not.
func TestWriteChunkDefaults(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		shape  []int
		chunks [][]int
		want   []int
	}{
		{[]int{10, 7}, [][]int{{4, 4, 2}, {7}}, []int{4, 7}},
		{[]int{10}, [][]int{{3, 5, 2}}, []int{5}},
		{[]int{0, 3}, [][]int{{0}, {2, 1}}, []int{1, 2}},
		{[]int{}, nil, []int{}},
	}
	for _, c := range cases {
		n := 1
		for _, s := range c.shape {
			n *= s
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(i)
		}
		var opts []array.Option
		if c.chunks != nil {
			opts = append(opts, array.ExplicitChunks(c.chunks))
		}
		dir := t.TempDir()
		if err := Save(ctx, array.FromSlice(v, c.shape, opts...), dir); err != nil {
			t.Fatal(err)
		}
		x, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		m, err := readMeta(ctx, mustStore(t, dir), "")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(m.Chunk) != fmt.Sprint(c.want) {
			t.Errorf("shape %v chunks %v: store chunks %v, want %v", c.shape, c.chunks, m.Chunk, c.want)
		}
		got, _ := array.ToSlice[float64](mustNDArray(t, x))
		if fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("shape %v: read %v, want %v", c.shape, got, v)
		}
	}
}

func mustNDArray(t *testing.T, x *array.Array) *array.NDArray {
	t.Helper()
	nd, err := x.Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return nd
}

// Paths inside a hierarchy get parent groups; an existing array is an
// error without Overwrite and replaced (no stale chunks) with it;
// FillValue and SkipEmptyChunks leave fill-only chunks out.
func TestWriteHierarchyOverwriteFill(t *testing.T) {
	ctx := context.Background()
	for _, format := range []int{2, 3} {
		dir := t.TempDir()
		st := mustStore(t, dir)
		x := array.FromSlice([]int32{1, 2, 3, 4, 5, 6}, []int{6}, array.Chunked(2))
		if err := Save(ctx, x, dir, Path("g/h/a"), Format(format)); err != nil {
			t.Fatal(err)
		}
		groups := []string{".zgroup", "g/.zgroup", "g/h/.zgroup"}
		if format == 3 {
			groups = []string{"zarr.json", "g/zarr.json", "g/h/zarr.json"}
		}
		for _, k := range groups {
			if _, err := st.Get(ctx, k); err != nil {
				t.Errorf("v%d: group metadata %s: %v", format, k, err)
			}
		}
		if err := Save(ctx, x, dir, Path("g/h/a"), Format(format)); err == nil {
			t.Errorf("v%d: second Save without Overwrite: no error", format)
		}
		if _, err := Open(ctx, dir, Path("g")); err == nil {
			t.Errorf("v%d: opening a group as an array: no error", format)
		}
		// overwrite with fill 7, chunks of 3, skipping empty chunks: the
		// old chunks of 2 must be gone
		y := array.FromSlice([]int32{7, 7, 7, 1, 7, 7, 7}, []int{7}, array.Chunked(3))
		if err := Save(ctx, y, dir, Path("g/h/a"), Format(format), Overwrite(), FillValue(7), SkipEmptyChunks()); err != nil {
			t.Fatal(err)
		}
		keys, err := st.List(ctx, "g/h/a/")
		if err != nil {
			t.Fatal(err)
		}
		want := "[g/h/a/.zarray g/h/a/1]"
		if format == 3 {
			want = "[g/h/a/c/1 g/h/a/zarr.json]"
		}
		if fmt.Sprint(keys) != want {
			t.Errorf("v%d: keys after overwrite %v, want %v", format, keys, want)
		}
		z, err := Open(ctx, dir, Path("/g/h/a/"))
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(mustNDArray(t, z).Int64s()); got != "[7 7 7 1 7 7 7]" {
			t.Errorf("v%d: read %s", format, got)
		}
	}
}

// Write-only options are refused by Open; bad write options are errors.
func TestOptionErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x := array.FromSlice([]float64{1, 2, 3}, []int{3})
	if err := Save(ctx, x, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dir, Overwrite()); err == nil {
		t.Error("Open with Overwrite: no error")
	}
	bad := map[string][]Option{
		"format 4":       {Format(4)},
		"separator":      {Separator("_")},
		"int fill 0.5":   {FillValue(0.5)},
		"irregular grid": {Chunks(array.ExplicitChunks([][]int{{1, 2}}))},
		"path ..":        {Path("a/../b")},
	}
	for name, opts := range bad {
		y := x
		if name == "int fill 0.5" {
			y = array.FromSlice([]int32{1, 2, 3}, []int{3})
		}
		if err := Save(ctx, y, t.TempDir(), opts...); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	if err := Save(ctx, array.FromSlice([]float64{1, 2}, []int{3}), t.TempDir()); err == nil {
		t.Error("saving an array with an error: no error")
	}
}

// Every dtype in both formats: a fixed 3-d case with partial edge
// chunks on every axis, read back through a different chunking.
func TestRoundTripDTypes(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	shape := []int{7, 5, 9}
	for _, format := range []int{2, 3} {
		for _, dt := range allDTypes {
			raw := randBytes(r, dt, 7*5*9)
			dir := t.TempDir()
			if err := Save(ctx, fromRaw(raw, dt, shape), dir, Format(format), Chunks(array.Chunked(3, 2, 4))); err != nil {
				t.Fatal(err)
			}
			x, err := Open(ctx, dir, Chunks(array.Chunked(4, 5, 5)))
			if err != nil {
				t.Fatal(err)
			}
			if d := firstDiff(mustCompute(t, x), raw, dt.Size()); d != "equal" {
				t.Errorf("v%d %v: %s", format, dt, d)
			}
		}
	}
}
