package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/array/storage/s3test"
)

// bucketOf is the bucket of an "s3://bucket" URL.
func bucketOf(t *testing.T, url string) string {
	t.Helper()
	b, ok := strings.CutPrefix(url, "s3://")
	if !ok || b == "" || strings.Contains(b, "/") {
		t.Fatalf("s3test.Start gave URL %q, want s3://bucket", url)
	}
	return b
}

func TestS3(t *testing.T) {
	url, cfg := s3test.Start(t)
	t.Run("bucket", func(t *testing.T) {
		s, err := storage.Open(url)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(*storage.S3); !ok || s.URL() != url {
			t.Fatalf("Open(%q) = %T with URL %q", url, s, s.URL())
		}
		testStore(t, s)
	})
	t.Run("prefix", func(t *testing.T) {
		ctx := context.Background()
		root, err := storage.NewS3(cfg, bucketOf(t, url), "")
		if err != nil {
			t.Fatal(err)
		}
		// Objects beside the prefix, one sharing its leading characters,
		// must stay invisible to the prefixed store and untouched by it.
		outside := map[string]string{"p/qq/a/0.0": "sibling", "other": "x"}
		for k, v := range outside {
			if err := root.Put(ctx, k, []byte(v)); err != nil {
				t.Fatal(err)
			}
		}
		s, err := storage.NewS3(cfg, bucketOf(t, url), "/p/q/")
		if err != nil {
			t.Fatal(err)
		}
		if want := url + "/p/q"; s.URL() != want {
			t.Fatalf("URL() = %q, want %q", s.URL(), want)
		}
		testStore(t, s)
		for k, v := range outside {
			got, err := root.Get(ctx, k)
			if err != nil || string(got) != v {
				t.Fatalf("object %q outside the prefix: %q, %v; want %q", k, got, err, v)
			}
		}
		// What the prefixed store puts is under the prefix in the bucket.
		if err := s.Put(ctx, "a/0.0", []byte("in")); err != nil {
			t.Fatal(err)
		}
		if got, err := root.Get(ctx, "p/q/a/0.0"); err != nil || string(got) != "in" {
			t.Fatalf("bucket object p/q/a/0.0 = %q, %v", got, err)
		}
	})
}

// TestS3Large puts an object above the client's single-PUT size (16 MiB,
// so it goes as a multipart upload) and reads it back whole and in
// ranges.
func TestS3Large(t *testing.T) {
	url, _ := s3test.Start(t)
	s, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := newRand(t)
	d := randBytes(r, 20<<20+r.IntN(1000))
	if err := s.Put(ctx, "big", d); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "big")
	if err != nil || !bytes.Equal(got, d) {
		t.Fatalf("Get of %d bytes: %d bytes back, equal %v, err %v", len(d), len(got), bytes.Equal(got, d), err)
	}
	for range 5 {
		off := r.Int64N(int64(len(d)))
		n := r.Int64N(int64(len(d)) - off + 1)
		got, err := s.GetRange(ctx, "big", off, n)
		if err != nil || !bytes.Equal(got, d[off:off+n]) {
			t.Fatalf("GetRange(%d, %d): %d bytes back, err %v", off, n, len(got), err)
		}
	}
	if n, err := s.Size(ctx, "big"); err != nil || n != int64(len(d)) {
		t.Fatalf("Size = %d, %v; want %d", n, err, len(d))
	}
}

func TestS3Errors(t *testing.T) {
	url, cfg := s3test.Start(t)
	ctx := context.Background()
	good, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := good.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}

	t.Run("wrong secret", func(t *testing.T) {
		bad := cfg
		bad.SecretKey += "x"
		s, err := storage.NewS3(bad, bucketOf(t, url), "")
		if err != nil {
			t.Fatal(err)
		}
		_, gerr := s.Get(ctx, "k")
		_, serr := s.Size(ctx, "k")
		_, lerr := s.List(ctx, "")
		perr := s.Put(ctx, "k2", []byte("no"))
		for what, err := range map[string]error{"Get": gerr, "Size": serr, "List": lerr, "Put": perr} {
			if !errors.Is(err, storage.ErrAuth) || errors.Is(err, storage.ErrNotFound) {
				t.Errorf("%s with a wrong secret key: %v, want ErrAuth", what, err)
			}
		}
		if gerr != nil && !strings.Contains(gerr.Error(), cfg.AccessKey) {
			t.Errorf("auth error %q does not name the access key", gerr)
		}
		if _, err := good.Size(ctx, "k2"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Put with a wrong secret key wrote k2 (Size: %v)", err)
		}
	})

	t.Run("wrong access key", func(t *testing.T) {
		bad := cfg
		bad.AccessKey = "nosuchuser"
		s, err := storage.NewS3(bad, bucketOf(t, url), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "k"); !errors.Is(err, storage.ErrAuth) {
			t.Errorf("Get with an unknown access key: %v, want ErrAuth", err)
		}
	})

	t.Run("missing bucket", func(t *testing.T) {
		s, err := storage.NewS3(cfg, "no-such-bucket-here", "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Get(ctx, "k")
		wantErr(t, "Get in a missing bucket", err)
		if !strings.Contains(err.Error(), "no-such-bucket-here") {
			t.Errorf("error %q does not name the bucket", err)
		}
		wantErr(t, "Put in a missing bucket", s.Put(ctx, "k", []byte("v")))
	})

	t.Run("no server", func(t *testing.T) {
		dead := cfg
		dead.Endpoint = "127.0.0.1:1" // nothing listens on port 1
		dead.MaxRetries = 1
		s, err := storage.NewS3(dead, bucketOf(t, url), "")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = s.Get(ctx, "k")
		wantErr(t, "Get from a dead endpoint", err)
		if !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Errorf("error %q does not name the endpoint", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("Get from a dead endpoint took %v", d)
		}
	})

	t.Run("config", func(t *testing.T) {
		for _, c := range []struct {
			cfg            storage.S3Config
			bucket, prefix string
		}{
			{storage.S3Config{}, "b", ""},
			{storage.S3Config{Endpoint: "host/path"}, "b", ""},
			{cfg, "", ""},
			{cfg, "Bad_Bucket", ""},
			{cfg, "b", "a/../b"},
			{cfg, "b", "a//b"},
		} {
			if _, err := storage.NewS3(c.cfg, c.bucket, c.prefix); err == nil {
				t.Errorf("NewS3(%+v, %q, %q): no error", c.cfg, c.bucket, c.prefix)
			}
		}
		if err := storage.ConfigureS3(storage.S3Config{}); err == nil {
			t.Error("ConfigureS3 without an endpoint: no error")
		}
		// A scheme on the endpoint sets Secure; http:// reaches the test
		// server.
		withScheme := cfg
		withScheme.Endpoint = "http://" + cfg.Endpoint + "/"
		withScheme.Secure = true
		s, err := storage.NewS3(withScheme, bucketOf(t, url), "")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, "k"); err != nil || string(got) != "v" {
			t.Fatalf("Get via endpoint %q: %q, %v", withScheme.Endpoint, got, err)
		}
	})
}
