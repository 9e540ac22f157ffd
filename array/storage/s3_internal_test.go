package storage

import "testing"

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
