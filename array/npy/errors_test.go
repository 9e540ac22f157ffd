package npy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

func init() {
	// a loader whose block 1 (along axis 0) fails, to make a save fail
	// half-way
	funcs.MustRegisterLoader("npytest.fail", func(ctx context.Context, args []byte, b funcs.Block, dst []byte) error {
		if b.Index[0] == 1 {
			return fmt.Errorf("injected failure")
		}
		for i := range dst {
			dst[i] = 7
		}
		return nil
	})
}

func TestLoadErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	hdr := func(dict string) []byte { return prelude(1, dict+"\n") }
	f8 := func(shape string) []byte {
		return hdr("{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }")
	}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"bad magic", []byte("not a numpy file at all"), "bad magic"},
		{"truncated header", FormatHeader("<f8", false, []int{3})[:30], "truncated"},
		{"truncated data", append(FormatHeader("<f8", false, []int{3, 4}), make([]byte, 95)...), "truncated"},
		{"trailing bytes", append(FormatHeader("<f8", false, []int{3, 4}), make([]byte, 97)...), "trailing bytes"},
		{"2^60 elements", append(f8("(1152921504606846976,)"), make([]byte, 64)...), "truncated"},
		{"2^40 x 2^40", f8("(1099511627776, 1099511627776)"), "truncated"},
		{"malformed dict", hdr("{'descr': '<f8', 'fortran_order': False 'shape': (3,)}"), "want ',' or '}' after the value of \"fortran_order\""},
		{"complex", append(FormatHeader("<c16", false, []int{1}), make([]byte, 16)...), "complex"},
		{"object", append(FormatHeader("|O", false, []int{1}), make([]byte, 8)...), "unsupported"},
		{"unicode", append(FormatHeader("<U3", false, []int{1}), make([]byte, 12)...), "strings"},
		{"uint64", append(FormatHeader("<u8", false, []int{1}), make([]byte, 8)...), "uint64"},
	}
	for _, c := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".npy")
		if err := os.WriteFile(p, c.file, 0o644); err != nil {
			t.Fatal(err)
		}
		x, err := Load(ctx, p)
		if err == nil {
			t.Errorf("%s: loaded %v", c.name, x)
			continue
		}
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrFormat mentioning %q", c.name, err, c.want)
		}
	}
	// a valid but empty array whose auto chunks would be too many blocks:
	// the chunking error, and a whole-axis chunk loads it
	p := filepath.Join(dir, "empty.npy")
	os.WriteFile(p, FormatHeader("<f8", false, []int{0, 1 << 61}), 0o644)
	if _, err := Load(ctx, p); err == nil || !strings.Contains(err.Error(), "blocks") {
		t.Errorf("zero-size array with a 2^61 axis, auto chunks: %v", err)
	}
	if x, err := Load(ctx, p, Chunks(array.Chunked(-1, -1))); err != nil || x.Size() != 0 {
		t.Errorf("zero-size array with a 2^61 axis, whole chunks: %v", err)
	} else if nd, err := x.Compute(ctx); err != nil || len(nd.Data) != 0 {
		t.Errorf("computing it: %v", err)
	}
	if _, err := Load(ctx, filepath.Join(dir, "missing.npy")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing file: %v, want ErrNotFound", err)
	}
	if _, err := Load(ctx, "nosuchscheme://b/x.npy"); err == nil {
		t.Errorf("unknown scheme: no error")
	}
	if _, err := Load(ctx, "npytest://"); err == nil {
		t.Errorf("url without object: no error")
	}
}

// TestFileChangedAfterLoad: a load task re-checks the file's size, so a
// file replaced between Load and Compute is an error, not garbage.
func TestFileChangedAfterLoad(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "x.npy")
	os.WriteFile(p, append(FormatHeader("<f8", false, []int{4}), make([]byte, 32)...), 0o644)
	x, err := Load(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, append(FormatHeader("<f8", false, []int{2}), make([]byte, 16)...), 0o644)
	if _, err := x.Compute(ctx); err == nil || !strings.Contains(err.Error(), "changed since it was loaded") {
		t.Fatalf("compute after the file changed: %v", err)
	}
}

// TestSaveFailureLeavesNothing: a save whose store tasks fail half-way
// leaves no partial file, no temporary files, and an existing target as
// it was.
func TestSaveFailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := array.FromBlocks([]int{6, 5}, graph.Float64, "npytest.fail", nil, array.Chunked(2, 5))
	if err := Save(ctx, bad, filepath.Join(dir, "a.npy")); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("save of a failing array: %v", err)
	}
	if err := SaveNPZ(ctx, filepath.Join(dir, "z.npz"), map[string]*array.Array{"ok": array.Ones([]int{3}, graph.Int32), "bad": bad}); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("SaveNPZ of a failing array: %v", err)
	}
	noTempFiles(t, dir)
	old := append(FormatHeader("<f8", false, []int{1}), make([]byte, 8)...)
	os.WriteFile(filepath.Join(dir, "a.npy"), old, 0o644)
	if err := Save(ctx, bad, filepath.Join(dir, "a.npy")); err == nil {
		t.Fatalf("save of a failing array over a file: no error")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.npy")); string(b) != string(old) {
		t.Fatalf("a failed save changed the existing file")
	}
	noTempFiles(t, dir, "a.npy")
	// a sticky array error is returned before anything is created
	if err := Save(ctx, array.Ones([]int{2}, graph.Float64).Reshape(3), filepath.Join(dir, "b.npy")); err == nil {
		t.Fatalf("save of an error array: no error")
	}
	noTempFiles(t, dir, "a.npy")
}

// TestLoaderRejectsBadArgs: task arguments travel between processes; a
// corrupt blob or a block that does not fit is an error.
func TestLoaderRejectsBadArgs(t *testing.T) {
	ctx := context.Background()
	b := funcs.Block{Index: []int{0}, Start: []int{0}, Shape: []int{4}, ArrayShape: []int{4}, DType: graph.Float64}
	dst := make([]byte, 32)
	for _, raw := range []string{
		`not json`,
		`{"url":"npytest://x","key":"k","size":96,"offset":64,"end":96,"descr":"<c16","shape":[4]}`,
		`{"url":"npytest://x","key":"k","size":96,"offset":64,"end":96,"descr":"<f4","shape":[4]}`,
		`{"url":"npytest://x","key":"k","size":96,"offset":64,"end":96,"descr":"<f8","shape":[3]}`,
		`{"url":"npytest://x","key":"k","size":96,"offset":64,"end":96,"descr":"<f8","shape":[4,1]}`,
		`{"url":"npytest://x","key":"k","size":96,"offset":64,"end":100,"descr":"<f8","shape":[4]}`,
		`{"url":"npytest://x","key":"k","size":96,"offset":-8,"end":24,"descr":"<f8","shape":[4]}`,
		`{"url":"npytest://x","key":"k","size":96,"offset":64,"end":96,"descr":"<f8","shape":[4],"deflate":{"offset":90,"csize":10,"usize":96}}`,
	} {
		if err := loadBlock(ctx, []byte(raw), b, dst); err == nil {
			t.Errorf("%s: no error", raw)
		}
	}
	if _, err := writeBlock(ctx, []byte(`{"path":"/nonexistent/x","offset":0,"descr":">f8","shape":[4]}`), b, dst); err == nil {
		t.Errorf("big-endian write: no error")
	}
	if _, err := writeBlock(ctx, []byte(`{"path":"/nonexistent/x","offset":0,"descr":"<f8","shape":[4]}`), b, dst[:8]); err == nil {
		t.Errorf("short source: no error")
	}
}
