package chunks

import (
	"slices"
	"strings"
	"testing"
)

func TestBroadcastShapes(t *testing.T) {
	for _, tc := range []struct {
		shapes [][]int
		want   []int
	}{
		{nil, []int{}},
		{[][]int{{}}, []int{}},
		{[][]int{{}, {3}}, []int{3}},
		{[][]int{{5, 1}, {3}}, []int{5, 3}},
		{[][]int{{1, 4}, {3, 1}, {2, 1, 1}}, []int{2, 3, 4}},
		{[][]int{{0}, {1}}, []int{0}},
		{[][]int{{1, 0}, {7, 1}}, []int{7, 0}},
		{[][]int{{2, 3}, {2, 3}}, []int{2, 3}},
	} {
		got, err := BroadcastShapes(tc.shapes...)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("BroadcastShapes(%v) = %v, %v; want %v", tc.shapes, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		shapes [][]int
		err    string
	}{
		{[][]int{{2, 3}, {4, 3}}, "cannot broadcast shapes (2, 3), (4, 3): axis 0 has lengths 2 and 4"},
		{[][]int{{3}, {1, 2}, {5, 1}}, "shapes (3,), (1, 2), (5, 1): axis 1 has lengths 3 and 2"},
		{[][]int{{0}, {2}}, "axis 0 has lengths 0 and 2"},
		{[][]int{{2, -1}}, "negative length in (2, -1)"},
	} {
		if _, err := BroadcastShapes(tc.shapes...); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("BroadcastShapes(%v): err = %v, want one containing %q", tc.shapes, err, tc.err)
		}
	}
}

// TestBroadcastShapesRandom compares BroadcastShapes with the rule applied
// axis by axis from the right: the result is the one length other than 1
// seen there (or 1), and it is an error when there are two.
func TestBroadcastShapesRandom(t *testing.T) {
	r := newRand(t)
	for range 5000 {
		shapes := make([][]int, r.IntN(4))
		for i := range shapes {
			shapes[i] = make([]int, r.IntN(4))
			for k := range shapes[i] {
				shapes[i][k] = r.IntN(4)
			}
		}
		ndim := 0
		for _, s := range shapes {
			ndim = max(ndim, len(s))
		}
		want := make([]int, ndim)
		ok := true
		for back := 1; back <= ndim; back++ {
			seen := map[int]bool{}
			for _, s := range shapes {
				if len(s) >= back && s[len(s)-back] != 1 {
					seen[s[len(s)-back]] = true
				}
			}
			want[ndim-back] = 1
			for n := range seen {
				want[ndim-back] = n
			}
			if len(seen) > 1 {
				ok = false
			}
		}
		got, err := BroadcastShapes(shapes...)
		if ok != (err == nil) || (ok && !slices.Equal(got, want)) {
			t.Fatalf("BroadcastShapes(%v) = %v, %v; want %v (ok %v)", shapes, got, err, want, ok)
		}
		if err != nil {
			for _, s := range shapes {
				if !strings.Contains(err.Error(), ShapeString(s)) {
					t.Fatalf("error %q does not name %s", err, ShapeString(s))
				}
			}
		}
	}
}
