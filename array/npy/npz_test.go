package npy

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
)

type npzCase struct {
	x    *array.Array
	raw  []byte
	name string
}

// checkZip reads an archive with archive/zip (an independent reader that
// checks every member's CRC-32) and compares each member with header +
// data of its array.
func checkZip(t *testing.T, file []byte, cases []npzCase) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatalf("archive/zip: %v", err)
	}
	if len(zr.File) != len(cases) {
		t.Fatalf("%d members, want %d", len(zr.File), len(cases))
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc) // checks the CRC at the end
		rc.Close()
		if err != nil {
			t.Fatalf("member %s: %v", f.Name, err)
		}
		found := false
		for _, c := range cases {
			if c.name+".npy" == f.Name {
				found = true
				descr, _ := descrOf(c.x.DType())
				want := append(FormatHeader(descr, false, c.x.Shape()), c.raw...)
				if !bytes.Equal(got, want) {
					t.Fatalf("member %s differs", f.Name)
				}
			}
		}
		if !found {
			t.Fatalf("unexpected member %q", f.Name)
		}
	}
}

func TestNPZRoundTrip(t *testing.T) {
	r, _ := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	mem := newMemStore(t)
	names := []string{"a", "x_1", "données", "arr_0", "w"}
	for i := 0; i < 12; i++ {
		m := map[string]*array.Array{}
		var cases []npzCase
		for _, name := range names[:1+r.IntN(len(names))] {
			dt := allDTypes[r.IntN(len(allDTypes))]
			shape := randShape(r, 4)
			n := 1
			for _, s := range shape {
				n *= s
			}
			raw := randData(r, dt, n)
			x := fromRaw(dt, raw, shape, array.ExplicitChunks(randChunks(r, shape)))
			m[name] = x
			cases = append(cases, npzCase{x: x, raw: raw, name: name})
		}
		path := filepath.Join(dir, "z.npz")
		if err := SaveNPZ(ctx, path, m); err != nil {
			t.Fatal(err)
		}
		noTempFiles(t, dir, "z.npz")
		file, _ := os.ReadFile(path)
		checkZip(t, file, cases)
		if err := SaveNPZ(ctx, mem.URL()+"/z.npz", m); err != nil {
			t.Fatal(err)
		}
		memFile, _ := mem.Get(ctx, "z.npz")
		if !bytes.Equal(memFile, file) {
			t.Fatalf("in-memory archive differs from the blockwise one")
		}
		for _, url := range []string{path, mem.URL() + "/z.npz"} {
			got, err := LoadNPZ(ctx, url, Chunks(array.ChunkBytes(int64(200+r.IntN(2000)))))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(cases) {
				t.Fatalf("%d arrays, want %d", len(got), len(cases))
			}
			for _, c := range cases {
				y := got[c.name]
				if y == nil || y.DType() != c.x.DType() || !equalInts(y.Shape(), c.x.Shape()) {
					t.Fatalf("%s: loaded %v", c.name, y)
				}
				if b := computeBytes(t, y); !bytes.Equal(b, c.raw) {
					t.Fatalf("%s %v %v: %s", c.name, y.DType(), y.Shape(), firstDiff(b, c.raw, y.DType().Size()))
				}
			}
		}
	}
}

// TestNPZDeflated loads archives whose members are deflated (as
// np.savez_compressed writes them) or stored, written by archive/zip.
func TestNPZDeflated(t *testing.T) {
	r, _ := newRand(t)
	ctx := context.Background()
	dir := t.TempDir()
	for i := 0; i < 20; i++ {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		want := map[string][]byte{}
		for k := 0; k < 1+r.IntN(3); k++ {
			descr := diskDescrs[r.IntN(len(diskDescrs))]
			shape := randShape(r, 4)
			file, w := makeFile(r, descr, r.IntN(2) == 0, shape)
			name := string(rune('a' + k))
			method := zip.Deflate
			if r.IntN(3) == 0 {
				method = zip.Store
			}
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: method})
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(file)
			want[name] = w
		}
		zw.Close()
		path := filepath.Join(dir, "c.npz")
		os.WriteFile(path, buf.Bytes(), 0o644)
		got, err := LoadNPZ(ctx, path, Chunks(array.ChunkBytes(int64(64+r.IntN(4000)))))
		if err != nil {
			t.Fatal(err)
		}
		for name, w := range want {
			y := got[name]
			if y == nil {
				t.Fatalf("member %s missing", name)
			}
			if b := computeBytes(t, y); !bytes.Equal(b, w) {
				t.Fatalf("%s %v chunks %v: %s", name, y.Shape(), y.Chunks(), firstDiff(b, w, y.DType().Size()))
			}
		}
	}
}

// rawDeflate compresses b as a bare deflate stream.
func rawDeflate(b []byte) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestSpeed)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestNPZErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, build func(zw *zip.Writer)) string {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		build(zw)
		zw.Close()
		p := filepath.Join(dir, name)
		os.WriteFile(p, buf.Bytes(), 0o644)
		return p
	}
	good := append(FormatHeader("<f8", false, []int{50}), make([]byte, 400)...)
	// a deflated member whose directory claims more bytes than its
	// stream inflates to: the header and sizes agree, the data is short
	short := append(FormatHeader("<f8", false, []int{100}), make([]byte, 400)...)
	trunc := write("trunc.npz", func(zw *zip.Writer) {
		fw, _ := zw.CreateRaw(&zip.FileHeader{Name: "a.npy", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(short),
			CompressedSize64: uint64(len(rawDeflate(short))), UncompressedSize64: uint64(len(short) + 400)})
		fw.Write(rawDeflate(short))
	})
	xs, err := LoadNPZ(ctx, trunc)
	if err != nil {
		t.Fatalf("the header of a short member is fine: %v", err)
	}
	if _, err := xs["a"].Compute(ctx); err == nil || !strings.Contains(err.Error(), "truncated compressed member") {
		t.Fatalf("short deflated member: %v", err)
	}
	cases := []struct {
		path, want string
	}{
		{write("notnpy.npz", func(zw *zip.Writer) { w, _ := zw.Create("a.txt"); w.Write(good) }), "not a .npy file"},
		{write("bad.npz", func(zw *zip.Writer) { w, _ := zw.Create("a.npy"); w.Write(good[:300]) }), "truncated"},
		{write("badhdr.npz", func(zw *zip.Writer) { w, _ := zw.Create("a.npy"); w.Write([]byte("hello world, not npy")) }), "bad magic"},
		{write("bigshape.npz", func(zw *zip.Writer) {
			w, _ := zw.Create("a.npy")
			w.Write(FormatHeader("<f8", false, []int{1 << 60}))
		}), "truncated"},
	}
	for _, c := range cases {
		_, err := LoadNPZ(ctx, c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", filepath.Base(c.path), err, c.want)
		}
	}
	notZip := filepath.Join(dir, "x.npz")
	os.WriteFile(notZip, good, 0o644)
	if _, err := LoadNPZ(ctx, notZip); err == nil || !strings.Contains(err.Error(), "zip") {
		t.Errorf("not a zip: %v", err)
	}
}
