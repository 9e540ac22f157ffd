package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array/storage"
)

func TestDir(t *testing.T) {
	root := filepath.Join(t.TempDir(), "store") // not there until the first Put
	d, err := storage.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, d)
	// Bad keys wrote nothing beside the root either.
	entries, err := os.ReadDir(filepath.Dir(root))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "store" {
			t.Errorf("file %q beside the store's root", e.Name())
		}
	}
}

func TestDirOpen(t *testing.T) {
	root := t.TempDir()
	for _, u := range []string{root, "file://" + filepath.ToSlash(root)} {
		s, err := storage.Open(u)
		if err != nil {
			t.Fatalf("Open(%q): %v", u, err)
		}
		d, ok := s.(*storage.Dir)
		if !ok || d.Root() != root {
			t.Fatalf("Open(%q) = %#v, want a Dir at %s", u, s, root)
		}
	}
	if _, err := storage.Open("nosuch://x"); err == nil {
		t.Fatal("Open of an unknown scheme: no error")
	}
}

// tempFiles lists the files under root whose names mark an unfinished Put.
func tempFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(e.Name(), ".tmp-") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestDirPutAtomic(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d, err := storage.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "f", []byte("file")); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "dir/x", []byte("in dir")); err != nil {
		t.Fatal(err)
	}
	if tmp := tempFiles(t, root); len(tmp) != 0 {
		t.Fatalf("temporary files after successful Puts: %q", tmp)
	}
	// The parent is a file: fails before anything is written.
	if err := d.Put(ctx, "f/y", []byte("no")); err == nil {
		t.Fatal("Put under a file: no error")
	}
	// The target is a directory: the temporary file is written, then the
	// rename fails; it must be removed.
	if err := d.Put(ctx, "dir", []byte("no")); err == nil {
		t.Fatal("Put over a directory: no error")
	}
	if tmp := tempFiles(t, root); len(tmp) != 0 {
		t.Fatalf("temporary files after failed Puts: %q", tmp)
	}
	for k, want := range map[string]string{"f": "file", "dir/x": "in dir"} {
		got, err := d.Get(ctx, k)
		if err != nil || string(got) != want {
			t.Fatalf("Get(%q) = %q, %v after failed Puts; want %q", k, got, err, want)
		}
	}
	// A directory is not a key.
	_, err = d.Size(ctx, "dir")
	wantNotFound(t, "Size of a directory", err)
	// Unfinished Puts' temporary files are not listed.
	if err := os.WriteFile(filepath.Join(root, "dir", ".tmp-x-123"), []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	keys, err := d.List(ctx, "")
	if err != nil || !sameKeys(keys, []string{"dir/x", "f"}) {
		t.Fatalf("List = %q, %v; want [dir/x f]", keys, err)
	}
}

// TestDirGetAppend reads objects into one reused buffer: the bytes
// equal Get's, the buffer is reused when large enough, and a missing
// key wraps storage.ErrNotFound.
func TestDirGetAppend(t *testing.T) {
	ctx := context.Background()
	d, err := storage.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("abcdefgh"), 1000)
	if err := d.Put(ctx, "a/big", big); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "small", []byte("xyz")); err != nil {
		t.Fatal(err)
	}
	buf, err := d.GetAppend(ctx, "a/big", nil)
	if err != nil || !bytes.Equal(buf, big) {
		t.Fatalf("GetAppend(a/big) = %d bytes, %v", len(buf), err)
	}
	again, err := d.GetAppend(ctx, "small", buf[:0])
	if err != nil || string(again) != "xyz" || &again[0] != &buf[0] {
		t.Fatalf("GetAppend(small) into the big buffer: %q, %v (reused: %v)", again, err, err == nil && &again[0] == &buf[0])
	}
	if _, err := d.GetAppend(ctx, "nope", nil); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing key: %v", err)
	}
	if _, err := d.GetAppend(ctx, "../x", nil); err == nil {
		t.Error("bad key: no error")
	}
	var _ storage.Appender = d
}

// TestDirGetStream streams an object: its bytes and size equal Get's, a
// missing key wraps storage.ErrNotFound, a directory is not an object.
func TestDirGetStream(t *testing.T) {
	ctx := context.Background()
	d, err := storage.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("abcdefgh"), 1000)
	if err := d.Put(ctx, "a/big", big); err != nil {
		t.Fatal(err)
	}
	rc, n, err := d.GetStream(ctx, "a/big")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil || n != int64(len(big)) || !bytes.Equal(got, big) {
		t.Fatalf("GetStream(a/big) = %d of %d bytes (size %d), %v", len(got), len(big), n, err)
	}
	for _, k := range []string{"nope", "a"} {
		if _, _, err := d.GetStream(ctx, k); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("GetStream(%q): %v, want ErrNotFound", k, err)
		}
	}
	if _, _, err := d.GetStream(ctx, "../x"); err == nil {
		t.Error("bad key: no error")
	}
	var _ storage.Streamer = d
}
