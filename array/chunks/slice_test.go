package chunks

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestNormalizeSliceGolden checks NormalizeSlice against
// testdata/slice_indices.txt, written by CPython with:
//
//	f = lambda v: "_" if v is None else str(v)
//	B = [None, -7, -6, -5, -1, 0, 1, 4, 5, 6, 7]
//	for n in [0, 1, 5]:
//	    for st in [1, 2, -1, -2, 6, -6]:
//	        for a in B:
//	            for b in B:
//	                r = slice(a, b, st).indices(n)
//	                print(n, f(a), f(b), st, "->", *r, len(range(*r)))
func TestNormalizeSliceGolden(t *testing.T) {
	f, err := os.Open("testdata/slice_indices.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	rows := 0
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		var n, step, s, e, st, length int
		var a, b string
		if _, err := fmt.Sscanf(text, "%d %s %s %d -> %d %d %d %d", &n, &a, &b, &step, &s, &e, &st, &length); err != nil {
			t.Fatalf("line %d %q: %v", line, text, err)
		}
		start, hasStart := parseBound(t, a)
		stop, hasStop := parseBound(t, b)
		gs, ge, gst, glen, err := NormalizeSlice(n, start, hasStart, stop, hasStop, step)
		if err != nil || gs != s || ge != e || gst != st || glen != length {
			t.Errorf("line %d: NormalizeSlice(%d, %s, %s, %d) = %d %d %d %d, %v; Python gives %d %d %d %d",
				line, n, a, b, step, gs, ge, gst, glen, err, s, e, st, length)
		}
		rows++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows < 2000 {
		t.Fatalf("read only %d rows", rows)
	}
}

func parseBound(t *testing.T, s string) (int, bool) {
	if s == "_" {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("bad bound %q", s)
	}
	return v, true
}

func TestNormalizeSliceEdges(t *testing.T) {
	for _, tc := range []struct {
		n, start         int
		hasStart         bool
		stop             int
		hasStop          bool
		step             int
		s, e, st, length int
	}{
		// Checked with CPython's slice.indices.
		{10, math.MinInt, true, math.MaxInt, true, 1, 0, 10, 1, 10},
		{10, math.MaxInt, true, math.MinInt, true, -1, 9, -1, -1, 10},
		{10, 0, false, 0, false, math.MaxInt, 0, 10, math.MaxInt, 1},
		{10, 0, false, 0, false, math.MinInt, 9, -1, math.MinInt, 1},
		{10, 3, true, 0, false, math.MinInt, 3, -1, math.MinInt, 1},
		{math.MaxInt, 0, false, 0, false, 1, 0, math.MaxInt, 1, math.MaxInt},
		{math.MaxInt, 0, false, 0, false, -1, math.MaxInt - 1, -1, -1, math.MaxInt},
		{math.MaxInt, 0, false, 0, false, 2, 0, math.MaxInt, 2, math.MaxInt/2 + 1},
		{0, -1, true, 0, false, -1, -1, -1, -1, 0},
	} {
		s, e, st, length, err := NormalizeSlice(tc.n, tc.start, tc.hasStart, tc.stop, tc.hasStop, tc.step)
		if err != nil || s != tc.s || e != tc.e || st != tc.st || length != tc.length {
			t.Errorf("NormalizeSlice(%+v) = %d %d %d %d, %v; want %d %d %d %d", tc, s, e, st, length, err, tc.s, tc.e, tc.st, tc.length)
		}
	}
	if _, _, _, _, err := NormalizeSlice(5, 0, false, 0, false, 0); err == nil || !strings.Contains(err.Error(), "step cannot be zero") {
		t.Errorf("step 0: err = %v", err)
	}
	if _, _, _, _, err := NormalizeSlice(-1, 0, false, 0, false, 1); err == nil || !strings.Contains(err.Error(), "negative length -1") {
		t.Errorf("n = -1: err = %v", err)
	}
}

func TestNormalizeIndex(t *testing.T) {
	for _, tc := range []struct{ i, n, want int }{
		{0, 1, 0}, {-1, 1, 0}, {3, 5, 3}, {-5, 5, 0}, {-1, 5, 4},
	} {
		if got, err := NormalizeIndex(tc.i, tc.n); err != nil || got != tc.want {
			t.Errorf("NormalizeIndex(%d, %d) = %d, %v; want %d", tc.i, tc.n, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ i, n int }{{0, 0}, {-1, 0}, {5, 5}, {-6, 5}, {math.MinInt, 5}, {math.MaxInt, 5}, {0, -1}} {
		_, err := NormalizeIndex(tc.i, tc.n)
		if err == nil || !strings.Contains(err.Error(), strconv.Itoa(tc.i)) || !strings.Contains(err.Error(), strconv.Itoa(tc.n)) {
			t.Errorf("NormalizeIndex(%d, %d): err = %v, want one naming both", tc.i, tc.n, err)
		}
	}
}

func TestSlice1D(t *testing.T) {
	type sl struct {
		start    int
		hasStart bool
		stop     int
		hasStop  bool
		step     int
	}
	all := func(step int) sl { return sl{step: step} }
	rng := func(a, b, step int) sl { return sl{a, true, b, true, step} }
	for _, tc := range []struct {
		chunks []int
		sl     sl
		out    []int
		parts  []SlicePart
	}{
		{[]int{2, 2, 1}, all(1), []int{2, 2, 1}, []SlicePart{{0, 0, 1, 2}, {1, 0, 1, 2}, {2, 0, 1, 1}}},
		{[]int{2, 2, 1}, rng(1, 4, 1), []int{1, 2}, []SlicePart{{0, 1, 1, 1}, {1, 0, 1, 2}}},
		{[]int{2, 2, 1}, all(-1), []int{1, 2, 2}, []SlicePart{{2, 0, -1, 1}, {1, 1, -1, 2}, {0, 1, -1, 2}}},
		{[]int{2, 2, 1}, all(2), []int{1, 1, 1}, []SlicePart{{0, 0, 2, 1}, {1, 0, 2, 1}, {2, 0, 2, 1}}},
		{[]int{2, 2, 1}, all(-2), []int{1, 1, 1}, []SlicePart{{2, 0, -2, 1}, {1, 0, -2, 1}, {0, 0, -2, 1}}},
		{[]int{2, 2, 1}, all(10), []int{1}, []SlicePart{{0, 0, 10, 1}}},
		{[]int{2, 2, 1}, all(-10), []int{1}, []SlicePart{{2, 0, -10, 1}}},
		{[]int{2, 2, 1}, rng(3, 3, 1), []int{0}, []SlicePart{{0, 0, 1, 0}}},
		{[]int{2, 2, 1}, rng(1, 3, -1), []int{0}, []SlicePart{{0, 0, -1, 0}}},
		{[]int{2, 2, 1}, rng(-2, 100, 1), []int{1, 1}, []SlicePart{{1, 1, 1, 1}, {2, 0, 1, 1}}},
		{[]int{2, 2, 1}, rng(-100, 1, 1), []int{1}, []SlicePart{{0, 0, 1, 1}}},
		{[]int{2, 2, 1}, rng(3, -100, -3), []int{1, 1}, []SlicePart{{1, 1, -3, 1}, {0, 0, -3, 1}}},
		{[]int{3, 0, 3}, all(1), []int{3, 3}, []SlicePart{{0, 0, 1, 3}, {2, 0, 1, 3}}},
		{[]int{0, 5, 0}, all(-1), []int{5}, []SlicePart{{1, 4, -1, 5}}},
		{[]int{0}, all(1), []int{0}, []SlicePart{{0, 0, 1, 0}}},
		{[]int{0}, all(-1), []int{0}, []SlicePart{{0, 0, -1, 0}}},
		{[]int{1}, all(-1), []int{1}, []SlicePart{{0, 0, -1, 1}}},
		{[]int{1}, rng(1, 2, 1), []int{0}, []SlicePart{{0, 0, 1, 0}}},
		{[]int{4, 4, 4}, rng(1, 12, 5), []int{1, 1, 1}, []SlicePart{{0, 1, 5, 1}, {1, 2, 5, 1}, {2, 3, 5, 1}}},
		{[]int{4, 4, 4}, rng(11, 0, -4), []int{1, 1, 1}, []SlicePart{{2, 3, -4, 1}, {1, 3, -4, 1}, {0, 3, -4, 1}}},
		{[]int{4, 4, 4}, all(math.MaxInt), []int{1}, []SlicePart{{0, 0, math.MaxInt, 1}}},
		{[]int{4, 4, 4}, all(math.MinInt), []int{1}, []SlicePart{{2, 3, math.MinInt, 1}}},
	} {
		n := sumInts(tc.chunks)
		s, e, st, _, err := NormalizeSlice(n, tc.sl.start, tc.sl.hasStart, tc.sl.stop, tc.sl.hasStop, tc.sl.step)
		if err != nil {
			t.Fatal(err)
		}
		out, parts := Slice1D(tc.chunks, s, e, st)
		if !slices.Equal(out, tc.out) || !slices.Equal(parts, tc.parts) {
			t.Errorf("Slice1D(%v, %d, %d, %d) = %v %v, want %v %v", tc.chunks, s, e, st, out, parts, tc.out, tc.parts)
		}
	}
}

// TestSlice1DRandom checks Slice1D against the selected global indices
// enumerated with a plain loop: concatenating the parts gives the same
// indices, each part lies inside its block and selects at least one element,
// and out follows the parts.
func TestSlice1DRandom(t *testing.T) {
	r := newRand(t)
	for iter := range 20000 {
		chunks := randSizes(r, 8, 6)
		n := sumInts(chunks)
		bound := func() (int, bool) {
			if r.IntN(4) == 0 {
				return 0, false
			}
			return r.IntN(2*n+7) - n - 3, true
		}
		start, hasStart := bound()
		stop, hasStop := bound()
		step := r.IntN(n+4) + 1
		if r.IntN(2) == 0 {
			step = -step
		}
		s, e, st, length, err := NormalizeSlice(n, start, hasStart, stop, hasStop, step)
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for i := s; (st > 0 && i < e) || (st < 0 && i > e); i += st {
			want = append(want, i)
		}
		if len(want) != length {
			t.Fatalf("iter %d: NormalizeSlice length %d, loop selects %d (%v)", iter, length, len(want), want)
		}
		for _, i := range want {
			if i < 0 || i >= n {
				t.Fatalf("iter %d: NormalizeSlice(%d, %d, %d, %d) selects %d outside the axis", iter, n, start, stop, step, i)
			}
		}
		out, parts := Slice1D(chunks, s, e, st)
		ctx := fmt.Sprintf("iter %d: Slice1D(%v, %d, %d, %d) = %v %v", iter, chunks, s, e, st, out, parts)
		if len(out) != len(parts) {
			t.Fatalf("%s: %d blocks but %d parts", ctx, len(out), len(parts))
		}
		if length == 0 {
			if !slices.Equal(out, []int{0}) || parts[0] != (SlicePart{0, 0, st, 0}) {
				t.Fatalf("%s: want the empty plan", ctx)
			}
			continue
		}
		off := offsets(chunks)
		var got []int
		for k, p := range parts {
			if p.Count <= 0 || p.Step != st || out[k] != p.Count || p.Block < 0 || p.Block >= len(chunks) {
				t.Fatalf("%s: bad part %d", ctx, k)
			}
			if k > 0 && (p.Block-parts[k-1].Block)*st <= 0 {
				t.Fatalf("%s: parts out of slice order", ctx)
			}
			first, last := p.Start, p.Start+(p.Count-1)*p.Step
			if min(first, last) < 0 || max(first, last) >= chunks[p.Block] {
				t.Fatalf("%s: part %d leaves block %d", ctx, k, p.Block)
			}
			for j := range p.Count {
				got = append(got, off[p.Block]+p.Start+j*p.Step)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: selects %v, want %v", ctx, got, want)
		}
	}
}

func TestSlice1DUnnormalized(t *testing.T) {
	// Bad input must not panic; indices off the axis are dropped.
	for _, tc := range []struct{ start, stop, step int }{
		{0, 5, 0}, {-3, 8, 1}, {7, -5, -1}, {math.MinInt, math.MaxInt, 1}, {math.MaxInt, math.MinInt, -1},
	} {
		out, parts := Slice1D([]int{2, 2}, tc.start, tc.stop, tc.step)
		if len(out) != len(parts) || len(out) == 0 {
			t.Errorf("Slice1D([2 2], %d, %d, %d) = %v %v", tc.start, tc.stop, tc.step, out, parts)
		}
	}
	if out, parts := Slice1D(nil, 0, 0, 1); !slices.Equal(out, []int{0}) || len(parts) != 1 {
		t.Errorf("Slice1D(nil) = %v %v", out, parts)
	}
}
