// Package s3test gives tests a live S3 store: a real MinIO server,
// started once per test binary on 127.0.0.1 and shared by its tests, and
// a fresh bucket for each caller of Start.
//
// The server is <repo>/.tools/bin/minio, installed by scripts/minio.sh
// (make deps); without it Start fails the test (it does not skip). Its
// data lives in a temporary directory; the root user and password are
// random per run. A package's TestMain should call Stop after m.Run; if
// it does not, the server still dies with the test binary (Linux parent
// death signal) and the next Start removes the data directories of dead
// runs.
//
// It is for tests only: nothing outside _test.go files imports it.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/blockwork-dev/blockwork/array/storage"
)

// ReadyTimeout bounds how long Start waits for a new server to answer
// its readiness check.
const ReadyTimeout = 30 * time.Second

var (
	mu      sync.Mutex
	srv     *server // nil until started, again after Stop
	srvErr  error   // a failed start is not retried
	buckets atomic.Int64
)

// Start returns "s3://<bucket>" for a new empty bucket on the shared
// server (started on the first call) and the server's config, which it
// also installs with storage.ConfigureS3 so storage.Open understands the
// URL. Any failure fails t.
func Start(t testing.TB) (url string, cfg storage.S3Config) {
	t.Helper()
	cfg, err := server0()
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	if err := storage.ConfigureS3(cfg); err != nil {
		t.Fatalf("s3test: %v", err)
	}
	bucket := fmt.Sprintf("t%d-%s", buckets.Add(1), randHex(4))
	if err := MakeBucket(cfg, bucket); err != nil {
		t.Fatalf("s3test: %v", err)
	}
	return "s3://" + bucket, cfg
}

// MakeBucket creates a bucket on the server cfg names.
func MakeBucket(cfg storage.S3Config, bucket string) error {
	cl, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: cfg.Region,
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
		return fmt.Errorf("make bucket %q: %w", bucket, err)
	}
	return nil
}

// server0 starts the shared server once.
func server0() (storage.S3Config, error) {
	mu.Lock()
	defer mu.Unlock()
	if srvErr != nil {
		return storage.S3Config{}, srvErr
	}
	if srv == nil {
		srv, srvErr = start()
		if srvErr != nil {
			return storage.S3Config{}, srvErr
		}
	}
	return srv.cfg, nil
}

// Stop kills the shared server and removes its data; a later Start
// starts a new one. Call it from TestMain after m.Run.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if srv != nil {
		srv.stop()
		srv = nil
	}
	srvErr = nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
