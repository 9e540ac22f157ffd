package chunks

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestRefine(t *testing.T) {
	for _, tc := range []struct{ a, b, want []int }{
		{[]int{5}, []int{5}, []int{5}},
		{[]int{2, 3}, []int{3, 2}, []int{2, 1, 2}},
		{[]int{2, 2, 2}, []int{3, 3}, []int{2, 1, 1, 2}},
		{[]int{1, 1, 1}, []int{3}, []int{1, 1, 1}},
		{[]int{2, 0, 3}, []int{5}, []int{2, 3}},
		{[]int{0, 5, 0}, []int{0, 0, 5}, []int{5}},
		{[]int{0}, []int{0}, []int{0}},
		{[]int{0, 0}, []int{0}, []int{0}},
		{[]int{1}, []int{1}, []int{1}},
	} {
		got, err := Refine(tc.a, tc.b)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Refine(%v, %v) = %v, %v; want %v", tc.a, tc.b, got, err, tc.want)
		}
	}
}

func TestRechunkErrors(t *testing.T) {
	for _, tc := range []struct {
		a, b []int
		err  string
	}{
		{[]int{2, 2}, []int{5}, "(2, 2) with (5,): totals differ (4 and 5)"},
		{[]int{3, -1}, []int{2}, "negative size -1 in block 1 of (3, -1)"},
		{[]int{}, []int{0}, "at least one block"},
		{[]int{0}, nil, "at least one block"},
		{[]int{math.MaxInt, math.MaxInt}, []int{math.MaxInt, math.MaxInt}, "totals differ"},
	} {
		if _, err := Refine(tc.a, tc.b); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Refine(%v, %v): err = %v, want one containing %q", tc.a, tc.b, err, tc.err)
		}
		if _, err := Intersect1D(tc.a, tc.b); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Intersect1D(%v, %v): err = %v, want one containing %q", tc.a, tc.b, err, tc.err)
		}
	}
}

// TestRefineRandom checks that Refine's boundaries are the union of the
// boundaries of its inputs.
func TestRefineRandom(t *testing.T) {
	r := newRand(t)
	for range 5000 {
		total := r.IntN(40)
		if r.IntN(10) == 0 {
			total = 0
		}
		a, b := randSplit(r, total), randSplit(r, total)
		got, err := Refine(a, b)
		if err != nil {
			t.Fatalf("Refine(%v, %v): %v", a, b, err)
		}
		set := map[int]bool{}
		for _, o := range append(offsets(a), offsets(b)...) {
			set[o] = true
		}
		var want []int
		for p := 1; p <= total; p++ {
			if set[p] {
				want = append(want, p)
			}
		}
		gotB := offsets(got)[1:]
		if total == 0 {
			if !slices.Equal(got, []int{0}) {
				t.Fatalf("Refine(%v, %v) = %v, want [0]", a, b, got)
			}
			continue
		}
		if !slices.Equal(gotB, want) {
			t.Fatalf("Refine(%v, %v) = %v: boundaries %v, want %v", a, b, got, gotB, want)
		}
	}
}

func TestIntersect1D(t *testing.T) {
	for _, tc := range []struct {
		in, out []int
		want    [][]Piece1D
	}{
		{[]int{5}, []int{5}, [][]Piece1D{{{0, 0, 0, 5}}}},
		{[]int{2, 3}, []int{3, 2}, [][]Piece1D{{{0, 0, 0, 2}, {1, 0, 2, 1}}, {{1, 1, 0, 2}}}},
		{[]int{5}, []int{1, 4}, [][]Piece1D{{{0, 0, 0, 1}}, {{0, 1, 0, 4}}}},
		{[]int{2, 0, 3}, []int{5}, [][]Piece1D{{{0, 0, 0, 2}, {2, 0, 2, 3}}}},
		{[]int{2, 3}, []int{2, 0, 3}, [][]Piece1D{{{0, 0, 0, 2}}, {{1, 0, 0, 0}}, {{1, 0, 0, 3}}}},
		{[]int{2, 3}, []int{0, 5, 0}, [][]Piece1D{{{0, 0, 0, 0}}, {{0, 0, 0, 2}, {1, 0, 2, 3}}, {{1, 3, 0, 0}}}},
		{[]int{0}, []int{0}, [][]Piece1D{{{0, 0, 0, 0}}}},
		{[]int{0, 0}, []int{0, 0}, [][]Piece1D{{{1, 0, 0, 0}}, {{1, 0, 0, 0}}}},
	} {
		got, err := Intersect1D(tc.in, tc.out)
		if err != nil || !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("Intersect1D(%v, %v) = %v, %v; want %v", tc.in, tc.out, got, err, tc.want)
		}
	}
}

// TestIntersect1DRandom checks that the pieces tile each output block, lie
// inside their input blocks, and map every element to the same global
// position on both sides.
func TestIntersect1DRandom(t *testing.T) {
	r := newRand(t)
	for range 5000 {
		total := r.IntN(40)
		if r.IntN(10) == 0 {
			total = 0
		}
		in, out := randSplit(r, total), randSplit(r, total)
		got, err := Intersect1D(in, out)
		if err != nil {
			t.Fatalf("Intersect1D(%v, %v): %v", in, out, err)
		}
		ctx := fmt.Sprintf("Intersect1D(%v, %v) = %v", in, out, got)
		if len(got) != len(out) {
			t.Fatalf("%s: %d lists for %d output blocks", ctx, len(got), len(out))
		}
		inOff, outOff := offsets(in), offsets(out)
		// owner[p] is the input block holding global element p, found by a
		// plain scan rather than by the cursor Intersect1D keeps.
		owner := make([]int, total)
		for p := range owner {
			for b := range in {
				if inOff[b] <= p && p < inOff[b+1] {
					owner[p] = b
				}
			}
		}
		for o, pieces := range got {
			if len(pieces) == 0 {
				t.Fatalf("%s: output block %d has no pieces", ctx, o)
			}
			if out[o] == 0 {
				p := pieces[0]
				if len(pieces) != 1 || p.Len != 0 || p.OutStart != 0 || p.InBlock < 0 || p.InBlock >= len(in) ||
					p.InStart < 0 || p.InStart > in[p.InBlock] || inOff[p.InBlock]+p.InStart != outOff[o] {
					t.Fatalf("%s: empty output block %d: want one empty piece at its position", ctx, o)
				}
				continue
			}
			pos := 0
			for _, p := range pieces {
				if p.Len <= 0 || p.OutStart != pos || p.InStart < 0 || p.InStart+p.Len > in[p.InBlock] {
					t.Fatalf("%s: output block %d: bad piece %+v", ctx, o, p)
				}
				for k := range p.Len {
					g := outOff[o] + p.OutStart + k
					if inOff[p.InBlock]+p.InStart+k != g || owner[g] != p.InBlock {
						t.Fatalf("%s: output block %d piece %+v maps element %d wrongly", ctx, o, p, g)
					}
				}
				pos += p.Len
			}
			if pos != out[o] {
				t.Fatalf("%s: output block %d covered to %d of %d", ctx, o, pos, out[o])
			}
		}
	}
}
