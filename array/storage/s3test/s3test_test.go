package s3test_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/array/storage/s3test"
)

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.Stop()
	os.Exit(code)
}

// Each Start gives a new empty bucket on the one server; Stop ends the
// server and a later Start starts another.
func TestStart(t *testing.T) {
	ctx := context.Background()
	url1, cfg1 := s3test.Start(t)
	url2, cfg2 := s3test.Start(t)
	if url1 == url2 || cfg1 != cfg2 {
		t.Fatalf("two Starts: %q %+v and %q %+v; want two buckets on one server", url1, cfg1, url2, cfg2)
	}
	s1, err := storage.Open(url1)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := storage.Open(url2)
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Put(ctx, "k", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if keys, err := s2.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Fatalf("second bucket lists %q, %v; want nothing", keys, err)
	}

	s3test.Stop()
	once := cfg1
	once.MaxRetries = 1
	gone, err := storage.NewS3(once, strings.TrimPrefix(url1, "s3://"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gone.Get(ctx, "k"); err == nil {
		t.Fatal("Get after Stop: no error")
	}
	url3, cfg3 := s3test.Start(t)
	if cfg3.Endpoint == "" || cfg3.SecretKey == cfg1.SecretKey {
		t.Fatalf("Start after Stop gave %+v; want a new server", cfg3)
	}
	s3, err := storage.Open(url3)
	if err != nil {
		t.Fatal(err)
	}
	if err := s3.Put(ctx, "k", []byte("three")); err != nil {
		t.Fatal(err)
	}
	if got, err := s3.Get(ctx, "k"); err != nil || string(got) != "three" {
		t.Fatalf("Get = %q, %v", got, err)
	}
}

func TestBinaryMissing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if _, err := s3test.Binary(); err == nil || !strings.Contains(err.Error(), "run scripts/minio.sh") {
		t.Fatalf("Binary() outside a module: %v; want a 'run scripts/minio.sh' error", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(dir, "sub"))
	_, err := s3test.Binary()
	if err == nil || !strings.Contains(err.Error(), "run scripts/minio.sh (make deps)") || !strings.Contains(err.Error(), filepath.Join(dir, ".tools", "bin", "minio")) {
		t.Fatalf("Binary() in a module without .tools: %v; want an error naming the path and 'run scripts/minio.sh (make deps)'", err)
	}
}
