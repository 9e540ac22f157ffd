package storage

import (
	"strings"
	"testing"
)

func TestListAsk(t *testing.T) {
	for in, want := range map[string]string{
		"":          "",
		"a/b":       "a/b",
		".z":        ".z",
		"a/.":       "a/",
		".":         "",
		"..":        "",
		"a/../b":    "a/",
		"a/./b/.":   "a/",
		"a/\xc3":    "a/",
		"\xc3\xbc":  "\xc3\xbc",
		"a\xffb/c":  "a",
		"x/y/.zarr": "x/y/.zarr",
		"a/":        "a/",
		"/":         "",
		"//":        "",
		"a//b":      "a/",
		"/a":        "",
	} {
		if got := listAsk(in); got != want {
			t.Errorf("listAsk(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	for _, c := range []struct {
		h                  string
		first, last, total int64
		ok                 bool
	}{
		{"bytes 0-0/1", 0, 0, 1, true},
		{"bytes 5-9/100", 5, 9, 100, true},
		{"bytes 99-99/100", 99, 99, 100, true},
		{"", 0, 0, 0, false},
		{"bytes 5-9/*", 0, 0, 0, false},
		{"bytes */100", 0, 0, 0, false},
		{"bytes 9-5/100", 0, 0, 0, false},
		{"bytes 5-100/100", 0, 0, 0, false},
		{"bytes -1-5/100", 0, 0, 0, false},
		{"items 0-1/2", 0, 0, 0, false},
	} {
		f, l, n, err := parseContentRange(c.h)
		if (err == nil) != c.ok || f != c.first || l != c.last || n != c.total {
			t.Errorf("parseContentRange(%q) = %d, %d, %d, %v", c.h, f, l, n, err)
		}
	}
}

func TestOpenS3Unconfigured(t *testing.T) {
	s3state.Lock()
	saved := s3state.def
	s3state.def = nil
	s3state.Unlock()
	defer func() {
		s3state.Lock()
		s3state.def = saved
		s3state.Unlock()
	}()
	_, err := Open("s3://bucket/prefix")
	if err == nil || !strings.Contains(err.Error(), "ConfigureS3") {
		t.Fatalf("Open of an s3 URL with no server configured: %v; want an error naming ConfigureS3", err)
	}
	if err := ConfigureS3(S3Config{Endpoint: "https://example.com"}); err != nil {
		t.Fatal(err)
	}
	s, err := Open("s3://bucket/a/b/")
	if err != nil {
		t.Fatal(err)
	}
	s3, ok := s.(*S3)
	if !ok || s3.bucket != "bucket" || s3.prefix != "a/b" || !s3.cfg.Secure || s3.cfg.Endpoint != "example.com" {
		t.Fatalf("Open(s3://bucket/a/b/) = %+v", s)
	}
	if s.URL() != "s3://bucket/a/b" {
		t.Fatalf("URL() = %q", s.URL())
	}
	if _, err := Open("s3:///x"); err == nil {
		t.Fatal("Open(s3:///x) (no bucket): no error")
	}
}
