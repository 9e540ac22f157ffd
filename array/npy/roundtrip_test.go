package npy

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// diskDescrs are all descrs Load accepts.
var diskDescrs = []string{"|b1", "<i4", ">i4", "<i8", ">i8", "<f4", ">f4", "<f8", ">f8",
	"|i1", "|u1", "<i2", ">i2", "<u2", ">u2", "<u4", ">u4"}

// refDecode decodes element i of disk data in descr into the
// little-endian bytes of the dtype it loads as, written independently of
// diskType.convert: through int64/float64 values.
func refDecode(descr string, b []byte) []byte {
	var bo binary.ByteOrder = binary.LittleEndian
	if descr[0] == '>' {
		bo = binary.BigEndian
	}
	var v int64
	out := make([]byte, 8)
	switch descr[1:] {
	case "b1":
		if b[0] != 0 {
			return []byte{1}
		}
		return []byte{0}
	case "f4":
		binary.LittleEndian.PutUint32(out, math.Float32bits(math.Float32frombits(bo.Uint32(b))))
		return out[:4]
	case "f8":
		binary.LittleEndian.PutUint64(out, math.Float64bits(math.Float64frombits(bo.Uint64(b))))
		return out
	case "i1":
		v = int64(int8(b[0]))
	case "u1":
		v = int64(b[0])
	case "i2":
		v = int64(int16(bo.Uint16(b)))
	case "u2":
		v = int64(bo.Uint16(b))
	case "i4":
		v = int64(int32(bo.Uint32(b)))
	case "u4":
		v = int64(bo.Uint32(b))
		binary.LittleEndian.PutUint64(out, uint64(v))
		return out
	case "i8":
		binary.LittleEndian.PutUint64(out, bo.Uint64(b))
		return out
	}
	binary.LittleEndian.PutUint32(out, uint32(int32(v)))
	return out[:4]
}

// makeFile returns a .npy file of random data in descr and order, and
// the C-order bytes it must load as.
func makeFile(r *rand.Rand, descr string, fortran bool, shape []int) (file, want []byte) {
	dt, _ := parseDescr(descr)
	n := 1
	for _, s := range shape {
		n *= s
	}
	c := make([]byte, n*dt.size)
	for i := range c {
		c[i] = byte(r.Uint32())
	}
	if dt.kind == 'b' {
		for i := range c {
			c[i] %= 3 // 2 is not a NumPy bool, but loads as true
		}
	}
	for i := 0; i < n; i++ {
		want = append(want, refDecode(descr, c[i*dt.size:(i+1)*dt.size])...)
	}
	data := c
	if fortran {
		data = cOrderToF(c, shape, dt.size)
	}
	return append(FormatHeader(descr, fortran, shape), data...), want
}

// noTempFiles fails if dir holds anything but the named files.
func noTempFiles(t *testing.T, dir string, keep ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		ok := false
		for _, k := range keep {
			ok = ok || e.Name() == k
		}
		if !ok {
			t.Errorf("unexpected file %s left in %s", e.Name(), dir)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	r, _ := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		dt := allDTypes[r.IntN(len(allDTypes))]
		shape := randShape(r, 4)
		n := 1
		for _, s := range shape {
			n *= s
		}
		raw := randData(r, dt, n)
		x := fromRaw(dt, raw, shape, array.ExplicitChunks(randChunks(r, shape)))
		path := filepath.Join(dir, "a.npy")
		url := path
		if r.IntN(2) == 0 {
			url = "file://" + path
		}
		if err := Save(ctx, x, url); err != nil {
			t.Fatalf("save %v %v: %v", dt, shape, err)
		}
		noTempFiles(t, dir, "a.npy")
		file, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		descr, _ := descrOf(dt)
		if hdr := FormatHeader(descr, false, shape); !bytes.HasPrefix(file, hdr) || !bytes.Equal(file[len(hdr):], raw) {
			t.Fatalf("%v %v: file is not header+data", dt, shape)
		}
		y, err := Load(ctx, url, Chunks(array.ExplicitChunks(randChunks(r, shape))))
		if err != nil {
			t.Fatalf("load %v %v: %v", dt, shape, err)
		}
		if y.DType() != dt || !equalInts(y.Shape(), shape) {
			t.Fatalf("loaded %v %v, saved %v %v", y.DType(), y.Shape(), dt, shape)
		}
		if got := computeBytes(t, y); !bytes.Equal(got, raw) {
			t.Fatalf("%v %v chunks %v: %s", dt, shape, y.Chunks(), firstDiff(got, raw, dt.Size()))
		}
	}
}

// TestLoadOrdersAndDTypes loads files of every accepted descr, C and
// Fortran order, with random chunkings, from a local file (memory-mapped
// reads) and from a non-local store with tiny ranged reads.
func TestLoadOrdersAndDTypes(t *testing.T) {
	r, _ := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	mem := newMemStore(t)
	for i := 0; i < 80; i++ {
		descr := diskDescrs[i%len(diskDescrs)]
		fortran := r.IntN(2) == 0
		shape := randShape(r, 4)
		file, want := makeFile(r, descr, fortran, shape)
		dt, _ := parseDescr(descr)
		opts := []Option{Chunks(array.ExplicitChunks(randChunks(r, shape)))}
		var url string
		if i%2 == 0 {
			url = filepath.Join(dir, "f.npy")
			if err := os.WriteFile(url, file, 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			url = mem.URL() + "/f.npy"
			mem.Put(ctx, "f.npy", file)
			opts = append(opts, RangeBytes(int64(1+r.IntN(40))))
		}
		x, err := Load(ctx, url, opts...)
		if err != nil {
			t.Fatalf("%s fortran=%v %v: %v", descr, fortran, shape, err)
		}
		if x.DType() != dt.dt || !equalInts(x.Shape(), shape) {
			t.Fatalf("%s %v loaded as %v %v", descr, shape, x.DType(), x.Shape())
		}
		if got := computeBytes(t, x); !bytes.Equal(got, want) {
			t.Fatalf("%s fortran=%v %v chunks %v (%s): %s", descr, fortran, shape, x.Chunks(), url, firstDiff(got, want, dt.dt.Size()))
		}
	}
}

// TestRangeBytesBound checks that a non-local load never asks for more
// than RangeBytes at once (rounded up to one element) and merges runs.
func TestRangeBytesBound(t *testing.T) {
	r, _ := newRand(t)
	ctx := context.Background()
	mem := newMemStore(t)
	shape := []int{30, 40, 8}
	file, want := makeFile(r, "<f8", false, shape)
	mem.Put(ctx, "x.npy", file)
	for _, rb := range []int64{1, 8, 100, 640, 5000, 1 << 20} {
		x, err := Load(ctx, mem.URL()+"/x.npy", RangeBytes(rb), Chunks(array.Chunked(7, 9, 3)))
		if err != nil {
			t.Fatal(err)
		}
		mem.mu.Lock()
		mem.ranges, mem.largest = 0, 0
		mem.mu.Unlock()
		if got := computeBytes(t, x); !bytes.Equal(got, want) {
			t.Fatalf("RangeBytes %d: %s", rb, firstDiff(got, want, 8))
		}
		bound := max(rb, 8)
		if mem.largest > bound || mem.ranges == 0 {
			t.Fatalf("RangeBytes %d: %d requests, the largest %d bytes", rb, mem.ranges, mem.largest)
		}
		// blocks of 7x9x3: runs of 3 elements (24 bytes) with 40-byte
		// gaps; 640-byte ranges hold several runs, so fewer requests
		// than runs.
		runs := 30 * 40 * 8 / 3
		if rb >= 640 && mem.ranges >= runs {
			t.Fatalf("RangeBytes %d: %d requests for %d runs: runs not merged", rb, mem.ranges, runs)
		}
		t.Logf("RangeBytes %d: %d requests, largest %d", rb, mem.ranges, mem.largest)
	}
}

func TestSaveNonLocalStore(t *testing.T) {
	r, _ := newRand(t)
	ctx := context.Background()
	mem := newMemStore(t)
	dir := t.TempDir()
	for i := 0; i < 10; i++ {
		dt := allDTypes[r.IntN(len(allDTypes))]
		shape := randShape(r, 3)
		n := 1
		for _, s := range shape {
			n *= s
		}
		raw := randData(r, dt, n)
		x := fromRaw(dt, raw, shape, array.ExplicitChunks(randChunks(r, shape)))
		if err := Save(ctx, x, mem.URL()+"/x.npy"); err != nil {
			t.Fatal(err)
		}
		if err := Save(ctx, x, filepath.Join(dir, "x.npy")); err != nil {
			t.Fatal(err)
		}
		got, _ := mem.Get(ctx, "x.npy")
		local, _ := os.ReadFile(filepath.Join(dir, "x.npy"))
		if !bytes.Equal(got, local) {
			t.Fatalf("%v %v: in-memory save differs from the blockwise one", dt, shape)
		}
	}
	x := array.Zeros([]int{100, 100}, graph.Float64)
	err := Save(ctx, x, mem.URL()+"/big.npy", MaxInMemoryBytes(50000))
	if err == nil || !strings.Contains(err.Error(), "MaxInMemoryBytes") {
		t.Fatalf("over the in-memory limit: %v", err)
	}
	if _, err := mem.Size(ctx, "big.npy"); err == nil {
		t.Fatalf("a failed save left big.npy")
	}
}

// TestLocalLongRuns loads a file whose blocks are long contiguous runs
// (read with pread straight into the block) and short ones (memory
// mapped), in both orders and with conversions.
func TestLocalLongRuns(t *testing.T) {
	r, _ := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	shape := []int{300, 100}
	for _, descr := range []string{"<f8", ">f8", "<i4", "|b1", "<u2"} {
		for _, fortran := range []bool{false, true} {
			file, want := makeFile(r, descr, fortran, shape)
			p := filepath.Join(dir, "long.npy")
			os.WriteFile(p, file, 0o644)
			for _, ch := range [][]int{{130, -1}, {-1, 90}, {7, -1}, {-1, -1}, {33, 17}} {
				x, err := Load(ctx, p, Chunks(array.Chunked(ch...)))
				if err != nil {
					t.Fatal(err)
				}
				if got := computeBytes(t, x); !bytes.Equal(got, want) {
					t.Fatalf("%s fortran=%v chunks %v: %s", descr, fortran, ch, firstDiff(got, want, x.DType().Size()))
				}
			}
		}
	}
}
