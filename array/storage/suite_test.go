package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/blockwork-dev/blockwork/array/storage"
)

// Key pieces: directory segments and leaf segments are disjoint, so no
// key is a directory of another (a local directory cannot hold both "a"
// and "a/b").
var (
	dirSegs  = []string{"a", "ab", "data", "d-1", "ü"}
	leafSegs = []string{"0.0", "1.2", ".zarray", "zz", "x y", "a.npy"}
)

var badKeys = []string{"", "/x", "../x", "x/..", "a//b", "a/./b", "a/", ".", "..", `a\b`, "a\x00b", ".tmp-x", "a/.tmp-b/c"}

func randKey(r *rand.Rand) string {
	parts := make([]string, 0, 3)
	for range r.IntN(3) {
		parts = append(parts, dirSegs[r.IntN(len(dirSegs))])
	}
	parts = append(parts, leafSegs[r.IntN(len(leafSegs))])
	return strings.Join(parts, "/")
}

func randData(r *rand.Rand) []byte {
	var n int
	switch r.IntN(5) {
	case 0:
		n = []int{0, 1, 7}[r.IntN(3)]
	case 1, 2:
		n = r.IntN(5000)
	default:
		n = r.IntN(70000)
	}
	return randBytes(r, n)
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b[:n]
}

// modelList is what List(prefix) must give for the keys of m.
func modelList(m map[string][]byte, prefix string) []string {
	out := []string{}
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func sameKeys(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkAll compares every object of s with the model.
func checkAll(t *testing.T, ctx context.Context, s storage.Store, m map[string][]byte) {
	t.Helper()
	keys, err := s.List(ctx, "")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if want := modelList(m, ""); !sameKeys(keys, want) {
		t.Fatalf("List(\"\") = %q, want %q", keys, want)
	}
	for k, want := range m {
		got, err := s.Get(ctx, k)
		if err != nil {
			t.Fatalf("Get(%q): %v", k, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Get(%q): %d bytes differ from the %d put", k, len(got), len(want))
		}
		n, err := s.Size(ctx, k)
		if err != nil || n != int64(len(want)) {
			t.Fatalf("Size(%q) = %d, %v; want %d", k, n, err, len(want))
		}
	}
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("%s: error %v does not wrap ErrNotFound", what, err)
	}
}

// wantErr wants an error that is not ErrNotFound.
func wantErr(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	if errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("%s: error %v wraps ErrNotFound, want another", what, err)
	}
}

// testStore is the conformance suite every Store must pass; s starts
// empty. Steps build on each other and compare s with a map model.
func testStore(t *testing.T, s storage.Store) {
	ctx := context.Background()
	r := newRand(t)
	m := map[string][]byte{}

	// An empty store.
	checkAll(t, ctx, s, m)
	for _, p := range []string{"", "a", "a/"} {
		if keys, err := s.List(ctx, p); err != nil || len(keys) != 0 {
			t.Fatalf("List(%q) on an empty store = %q, %v", p, keys, err)
		}
	}
	_, err := s.Get(ctx, "a/0.0")
	wantNotFound(t, "Get of a missing key", err)
	_, err = s.GetRange(ctx, "a/0.0", 0, 1)
	wantNotFound(t, "GetRange of a missing key", err)
	_, err = s.GetRange(ctx, "a/0.0", 0, -1)
	wantNotFound(t, "GetRange(0, -1) of a missing key", err)
	_, err = s.GetRange(ctx, "a/0.0", 0, 0)
	wantNotFound(t, "GetRange(0, 0) of a missing key", err)
	_, err = s.Size(ctx, "a/0.0")
	wantNotFound(t, "Size of a missing key", err)
	if err := s.Delete(ctx, "a/0.0"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}

	// Bad keys are refused by every method and write nothing.
	for _, k := range badKeys {
		_, err := s.Get(ctx, k)
		wantErr(t, fmt.Sprintf("Get(%q)", k), err)
		_, err = s.GetRange(ctx, k, 0, -1)
		wantErr(t, fmt.Sprintf("GetRange(%q)", k), err)
		_, err = s.Size(ctx, k)
		wantErr(t, fmt.Sprintf("Size(%q)", k), err)
		wantErr(t, fmt.Sprintf("Put(%q)", k), s.Put(ctx, k, []byte("x")))
		wantErr(t, fmt.Sprintf("Delete(%q)", k), s.Delete(ctx, k))
	}
	checkAll(t, ctx, s, m)

	// Random objects, some keys put twice (overwrites change the size).
	for range 40 {
		k, d := randKey(r), randData(r)
		if err := s.Put(ctx, k, d); err != nil {
			t.Fatalf("Put(%q, %d bytes): %v", k, len(d), err)
		}
		m[k] = d
	}
	for k := range m {
		d := append(randData(r), 1) // never equal in length to an empty old value
		if err := s.Put(ctx, k, d); err != nil {
			t.Fatalf("overwrite Put(%q): %v", k, err)
		}
		m[k] = d
		break
	}
	checkAll(t, ctx, s, m)

	// Ranges: valid ones equal the slice, invalid ones are errors (not
	// ErrNotFound).
	for k, d := range m {
		size := int64(len(d))
		cases := [][2]int64{{0, -1}, {0, size}, {size, 0}, {size, -1}, {0, 0}}
		for range 4 {
			off := r.Int64N(size + 1)
			cases = append(cases, [2]int64{off, r.Int64N(size - off + 1)}, [2]int64{off, -1})
		}
		for _, c := range cases {
			got, err := s.GetRange(ctx, k, c[0], c[1])
			if err != nil {
				t.Fatalf("GetRange(%q, %d, %d) of %d bytes: %v", k, c[0], c[1], size, err)
			}
			want := d[c[0]:]
			if c[1] >= 0 {
				want = d[c[0] : c[0]+c[1]]
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("GetRange(%q, %d, %d): %d bytes, want %d equal to the slice", k, c[0], c[1], len(got), len(want))
			}
		}
		for _, c := range [][2]int64{{-1, 1}, {-1, -1}, {0, size + 1}, {size, 1}, {size + 1, -1}, {size + 1, 0}, {size/2 + 1, size}, {1, math.MaxInt64}} {
			got, err := s.GetRange(ctx, k, c[0], c[1])
			wantErr(t, fmt.Sprintf("GetRange(%q, %d, %d) of %d bytes (got %d bytes)", k, c[0], c[1], size, len(got)), err)
		}
	}

	// Prefixes: whole segments, partial segments, none.
	prefixes := []string{"", "a", "a/", "ab", "ab/", "data/", "a/a", "a/ab/", ".z", "zz", "ü/", "\xc3", "nothing", "x y", ".", "..", "a/.", "a/..", "a/./", "data/.z", "/", "//"}
	for k := range m {
		prefixes = append(prefixes, k, k[:r.IntN(len(k)+1)])
	}
	for _, p := range prefixes {
		got, err := s.List(ctx, p)
		if err != nil {
			t.Fatalf("List(%q): %v", p, err)
		}
		if want := modelList(m, p); !sameKeys(got, want) {
			t.Fatalf("List(%q) = %q, want %q", p, got, want)
		}
	}

	// The URL reopens the same store.
	s2, err := storage.Open(s.URL())
	if err != nil {
		t.Fatalf("Open(%q): %v", s.URL(), err)
	}
	if s2.URL() != s.URL() {
		t.Fatalf("Open(%q).URL() = %q", s.URL(), s2.URL())
	}
	checkAll(t, ctx, s2, m)

	// Concurrent Puts to different keys.
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	conc := map[string][]byte{}
	for i := range 32 {
		k := fmt.Sprintf("conc/%d/0.0", i)
		conc[k] = randData(r)
	}
	for k, d := range conc {
		wg.Go(func() {
			if err := s.Put(ctx, k, d); err != nil {
				errs <- fmt.Errorf("Put(%q): %w", k, err)
			}
		})
		m[k] = d
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent %v", err)
	}
	checkAll(t, ctx, s, m)

	// Delete some; deleting again is fine.
	for k := range m {
		if r.IntN(2) == 0 {
			continue
		}
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("Delete(%q): %v", k, err)
		}
		delete(m, k)
		_, err := s.Get(ctx, k)
		wantNotFound(t, "Get after Delete", err)
		_, err = s.Size(ctx, k)
		wantNotFound(t, "Size after Delete", err)
		_, err = s.GetRange(ctx, k, 0, 0)
		wantNotFound(t, "GetRange after Delete", err)
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("second Delete(%q): %v", k, err)
		}
	}
	checkAll(t, ctx, s, m)

	// A cancelled context stops the calls that do IO.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Get(cctx, "a/0.0")
	wantCanceled(t, "Get", err)
	_, err = s.GetRange(cctx, "a/0.0", 0, 1)
	wantCanceled(t, "GetRange", err)
	wantCanceled(t, "Put", s.Put(cctx, "cancelled/0.0", []byte("no")))
	_, err = s.List(cctx, "")
	wantCanceled(t, "List", err)
	checkAll(t, ctx, s, m)

	// Empty it.
	for k := range m {
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("Delete(%q): %v", k, err)
		}
		delete(m, k)
	}
	checkAll(t, ctx, s, m)
}

func wantCanceled(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%s with a cancelled context: error %v, want context.Canceled", what, err)
	}
}
