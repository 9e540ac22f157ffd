package zarr

import (
	"context"
	"encoding/binary"
	"math"
	"path/filepath"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
	"github.com/blockwork-dev/blockwork/graph"
)

// A zstd store read in its own chunks: chunks of random floats (raw
// zstd blocks) are decoded as they are read, with no scratch buffer; a
// compressible chunk is read whole and decoded; a missing one (all
// zeros, skipped when written) is the fill value. The array equals what
// was written either way.
func TestReadStreamsZstd(t *testing.T) {
	ctx := context.Background()
	r := newRand(t)
	const rows, cols, n = 4, 300, 300 // four chunks of 300 x 300
	raw := make([]byte, rows*n*cols*8)
	for i := range rows * n * cols {
		var v float64
		switch row := i / (n * cols); row {
		case 0, 1:
			v = r.Float64() // incompressible: streams
		case 2:
			v = float64(i % 7) // compressible: read whole
		case 3:
			v = 0 // not stored
		}
		binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(v))
	}
	z, err := codec.NewZstd(1)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "a.zarr")
	src := fromRaw(raw, graph.Float64, []int{rows * n, cols})
	if err := Save(ctx, src, dir, Compressor(z), Chunks(array.Chunked(n, cols)), SkipEmptyChunks()); err != nil {
		t.Fatal(err)
	}
	x, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	before := scratch.Stats().Allocs
	got := mustCompute(t, x)
	if d := firstDiff(got, raw, 8); d != "equal" {
		t.Fatalf("read back: %s", d)
	}
	if k := scratch.Stats().Allocs - before; k != 1 {
		t.Errorf("%d chunks read whole, want 1 (the compressible one)", k)
	}
	// a rechunked read cuts chunks: it decodes them whole
	y, err := Open(ctx, dir, Chunks(array.Chunked(200, cols)))
	if err != nil {
		t.Fatal(err)
	}
	if d := firstDiff(mustCompute(t, y), raw, 8); d != "equal" {
		t.Fatalf("read back in other chunks: %s", d)
	}
}
