package storage_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array/storage"
)

// TestS3SizeLimit: a server claiming a 1 TiB object is refused before
// anything that size is allocated, for Get and for an open-ended range.
func TestS3SizeLimit(t *testing.T) {
	const huge = "1099511627776"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		h.Set("Content-Type", "application/octet-stream")
		if rg := r.Header.Get("Range"); rg != "" {
			h.Set("Content-Range", "bytes 5-1099511627775/"+huge)
			h.Set("Content-Length", "1099511627771")
			w.WriteHeader(http.StatusPartialContent)
			return
		}
		h.Set("Content-Length", huge)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	cfg := storage.S3Config{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Region: "us-east-1",
		AccessKey: "k", SecretKey: "secretsecret", PathStyle: true, MaxRetries: 1}
	s, err := storage.NewS3(cfg, "bucket", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for what, f := range map[string]func() ([]byte, error){
		"Get":            func() ([]byte, error) { return s.Get(ctx, "k") },
		"GetRange(5,-1)": func() ([]byte, error) { return s.GetRange(ctx, "k", 5, -1) },
		"GetRange(0,5G)": func() ([]byte, error) { return s.GetRange(ctx, "k", 0, 5<<30) },
	} {
		b, err := f()
		if err == nil || !strings.Contains(err.Error(), "MaxObjectBytes") {
			t.Errorf("%s of a 1 TiB object: %d bytes, error %v; want a MaxObjectBytes error", what, len(b), err)
		}
	}
}
