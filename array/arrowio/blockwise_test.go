package arrowio

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// Through a store without local files (GetRange only): the write is
// built in memory and Put, the read is right, and computing a slice that
// lies inside one record batch (row group) reads only that batch's bytes
// besides the footer, in a bounded number of range reads.
func TestIPCReadsOnlyItsBatch(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	st := newMemStore(fmt.Sprintf("ipc-%d", r.Uint64()))
	rows, w := 40+r.IntN(40), 1+r.IntN(30)
	vals, raw := randValues(r, graph.Float64, rows*w)
	x := fromValues(vals, graph.Float64, []int{rows, w}, array.Chunked(7, w))
	url := st.URL() + "/x.arrow"
	if err := WriteIPCFile(ctx, x, url); err != nil {
		t.Fatal(err)
	}
	y, err := ReadIPCFile(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	checkBytes(t, "whole", y, []int{rows, w}, graph.Float64, raw)
	if st.gets.Load() != 0 {
		t.Fatalf("%d whole-object Gets", st.gets.Load())
	}
	size := int64(len(st.objs["x.arrow"]))
	batch := int64(7 * w * 8)
	for k := 0; k*7 < rows; k++ {
		lo, hi := k*7, min(rows, k*7+7)
		st.reset()
		nd, err := y.Slice(array.Span(lo, hi)).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !sameFloats(nd.Float64s(), vals[lo*w:hi*w]) {
			t.Fatalf("batch %d: values differ", k)
		}
		// footer (< 1 KiB here) + one batch (metadata < 1 KiB + body)
		if got := st.bytesRead.Load(); got > batch+4096 || got >= size/2 {
			t.Fatalf("batch %d: read %d bytes of a %d-byte file for a %d-byte batch", k, got, size, batch)
		}
		if n := st.ranges.Load(); n > 2 {
			t.Fatalf("batch %d: %d range reads, want 2 (footer, batch)", k, n)
		}
	}
}

func TestParquetReadsOnlyItsRowGroup(t *testing.T) {
	r := newRand(t)
	ctx := context.Background()
	st := newMemStore(fmt.Sprintf("pq-%d", r.Uint64()))
	rows, w := 60+r.IntN(60), 1+r.IntN(6)
	vals, raw := randValues(r, graph.Float64, rows*w)
	x := fromValues(vals, graph.Float64, []int{rows, w}, array.Chunked(10, w))
	url := st.URL() + "/x.parquet"
	if err := WriteParquet(ctx, x, url); err != nil {
		t.Fatal(err)
	}
	y, err := ReadParquet(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	checkBytes(t, "whole", y, []int{rows, w}, graph.Float64, raw)
	file := st.objs["x.parquet"]
	size := int64(len(file))
	footer := int64(binary.LittleEndian.Uint32(file[size-8:]))
	group := int64(10 * w * 8)
	for k := 0; k*10 < rows; k++ {
		lo, hi := k*10, min(rows, k*10+10)
		st.reset()
		nd, err := y.Slice(array.Span(lo, hi)).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !sameFloats(nd.Float64s(), vals[lo*w:hi*w]) {
			t.Fatalf("row group %d: values differ", k)
		}
		// head, tail, footer, and the group's column chunks (values +
		// page headers and statistics)
		if got := st.bytesRead.Load(); got > footer+group+12+int64(w)*128 {
			t.Fatalf("row group %d: read %d bytes of a %d-byte file for a %d-byte group and a %d-byte footer", k, got, size, group, footer)
		}
		// head and tail checks, the library's tail and footer reads, one
		// read per column chunk
		if n := st.ranges.Load(); n > int64(4+w) {
			t.Fatalf("row group %d: %d range reads, want at most %d", k, n, 4+w)
		}
	}
}
