package chunks

import (
	"math"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name  string
		specs []AxisSpec
		shape []int
		elem  int
		limit int64
		want  Chunks
	}{
		{"regular", []AxisSpec{Regular(2), Regular(3)}, []int{5, 3}, 8, 0, Chunks{{2, 2, 1}, {3}}},
		{"regular larger than axis", []AxisSpec{Regular(10)}, []int{4}, 8, 0, Chunks{{4}}},
		{"regular -1 is whole", []AxisSpec{Regular(-1), Regular(1)}, []int{4, 2}, 8, 0, Chunks{{4}, {1, 1}}},
		{"single spec for every axis", []AxisSpec{Regular(2)}, []int{3, 4, 1}, 8, 0, Chunks{{2, 1}, {2, 2}, {1}}},
		{"single spec, 0-d", []AxisSpec{Regular(2)}, []int{}, 8, 0, Chunks{}},
		{"0-d", nil, []int{}, 8, 0, Chunks{}},
		{"explicit", []AxisSpec{Explicit(1, 0, 4), Whole()}, []int{5, 7}, 8, 0, Chunks{{1, 0, 4}, {7}}},
		{"explicit empty on zero axis", []AxisSpec{Explicit()}, []int{0}, 8, 0, Chunks{{0}}},
		{"explicit zeros on zero axis", []AxisSpec{Explicit(0, 0)}, []int{0}, 8, 0, Chunks{{0, 0}}},
		{"zero axes", []AxisSpec{Regular(3), Whole(), Auto()}, []int{0, 0, 0}, 8, 0, Chunks{{0}, {0}, {0}}},
		{"size-1 axes", []AxisSpec{Regular(3), Whole(), Auto()}, []int{1, 1, 1}, 8, 0, Chunks{{1}, {1}, {1}}},
		{"zero value spec is auto", []AxisSpec{{}}, []int{10}, 8, 0, Chunks{{10}}},
		{"auto small array is whole", []AxisSpec{Auto()}, []int{30, 40}, 8, 0, Chunks{{30}, {40}}},
		{"auto 1-d", []AxisSpec{Auto()}, []int{100}, 8, 160, Chunks{{20, 20, 20, 20, 20}}},
		{"auto 2-d", []AxisSpec{Auto()}, []int{25, 25}, 1, 100, Chunks{{10, 10, 5}, {10, 10, 5}}},
		{"auto 2-d floor root", []AxisSpec{Auto()}, []int{25, 25}, 1, 99, Chunks{{9, 9, 7}, {9, 9, 7}}},
		{"auto small axis takes whole", []AxisSpec{Auto()}, []int{4, 100}, 1, 100, Chunks{{4}, {25, 25, 25, 25}}},
		{"auto shares with fixed", []AxisSpec{Regular(5), Auto()}, []int{12, 100}, 2, 200, Chunks{{5, 5, 2}, {20, 20, 20, 20, 20}}},
		{"auto under whole", []AxisSpec{Auto(), Whole()}, []int{100, 10}, 1, 100, Chunks{{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, {10}}},
		{"auto when fixed exceed limit", []AxisSpec{Whole(), Auto()}, []int{1000, 3}, 8, 100, Chunks{{1000}, {1, 1, 1}}},
		{"auto beside zero axis", []AxisSpec{Auto(), Regular(2)}, []int{9, 0}, 1, 3, Chunks{{3, 3, 3}, {0}}},
		{"auto float64 20000x20000 at 128 MiB", []AxisSpec{Auto()}, []int{20000, 20000}, 8, 0,
			Chunks{regular(20000, 4096), regular(20000, 4096)}},
		{"auto float32 1e9", []AxisSpec{Auto()}, []int{1_000_000_000}, 4, 64 * mib, Chunks{regular(1_000_000_000, 16*mib)}},
		{"auto cascade", []AxisSpec{Auto()}, []int{2, 3, 1000}, 1, 600, Chunks{{2}, {3}, regular(1000, 100)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.specs, tc.shape, tc.elem, tc.limit)
			if err != nil {
				t.Fatalf("Normalize(%v, %v, %d, %d): %v", specsString(tc.specs), tc.shape, tc.elem, tc.limit, err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("Normalize(%v, %v, %d, %d) = %v, want %v", specsString(tc.specs), tc.shape, tc.elem, tc.limit, got, tc.want)
			}
			if err := Validate(got, tc.shape); err != nil {
				t.Errorf("result does not validate: %v", err)
			}
		})
	}
}

func regular(n, size int) []int {
	s, err := regularSizes(n, size)
	if err != nil {
		panic(err)
	}
	return s
}

func TestNormalizeErrors(t *testing.T) {
	for _, tc := range []struct {
		specs []AxisSpec
		shape []int
		elem  int
		err   string
	}{
		{[]AxisSpec{Regular(0)}, []int{4}, 8, "axis 0 of shape (4,): regular(0): block size must be > 0"},
		{[]AxisSpec{Whole(), Regular(-2)}, []int{4, 3}, 8, "axis 1 of shape (4, 3): regular(-2)"},
		{[]AxisSpec{Explicit(2, 2)}, []int{5}, 8, "explicit(2, 2): sizes sum to 4, want the axis length 5"},
		{[]AxisSpec{Explicit(6, -1)}, []int{5}, 8, "explicit(6, -1): negative size -1 in block 1"},
		{[]AxisSpec{Explicit()}, []int{5}, 8, "explicit(): no block sizes for an axis of length 5"},
		{[]AxisSpec{Explicit(math.MaxInt, 2)}, []int{5}, 8, "more than the largest int"},
		{[]AxisSpec{Whole(), Whole()}, []int{4, 3, 2}, 8, "2 chunk specs [whole, whole] for 3-d shape (4, 3, 2)"},
		{nil, []int{4}, 8, "0 chunk specs [] for 1-d shape (4,)"},
		{[]AxisSpec{Whole()}, []int{4, -1}, 8, "shape (4, -1) has negative length on axis 1"},
		{[]AxisSpec{Auto()}, []int{4}, 0, "need an element size > 0, got 0"},
		{[]AxisSpec{Regular(1)}, []int{MaxAxisBlocks + 1}, 8, "more than MaxAxisBlocks"},
		{[]AxisSpec{Auto()}, []int{1 << 40}, 1, "auto chunks for axis 0 of shape (1099511627776,)"},
	} {
		_, err := Normalize(tc.specs, tc.shape, tc.elem, 1<<15)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Normalize(%v, %v, %d) = %v, want an error containing %q", specsString(tc.specs), tc.shape, tc.elem, err, tc.err)
		}
	}
}

// TestNormalizeAutoRandom checks the auto rule's invariants on random
// shapes and mixes of specs: the largest block stays within the limit
// (unless the fixed axes alone exceed it); regular auto axes share one block
// size s, and s+1 would go over the limit; whole auto axes are no longer
// than s; and the block is within 2x of the limit when s >= 2k.
func TestNormalizeAutoRandom(t *testing.T) {
	r := newRand(t)
	for range 2000 {
		ndim := 1 + r.IntN(4)
		shape := make([]int, ndim)
		specs := make([]AxisSpec, ndim)
		for ax := range shape {
			shape[ax] = 1 + r.IntN(1<<(1+r.IntN(16)))
			switch r.IntN(5) {
			case 0:
				specs[ax] = Regular(1 + r.IntN(64))
			case 1:
				specs[ax] = Whole()
			default:
				specs[ax] = Auto()
			}
		}
		elem := 1 << r.IntN(4)
		limit := int64(1 + r.IntN(1<<(1+r.IntN(30))))
		c, err := Normalize(specs, shape, elem, limit)
		if err != nil {
			if strings.Contains(err.Error(), "MaxAxisBlocks") {
				continue
			}
			t.Fatalf("Normalize(%v, %v, %d, %d): %v", specsString(specs), shape, elem, limit, err)
		}
		if err := Validate(c, shape); err != nil {
			t.Fatalf("Normalize(%v, %v, %d, %d) = %v: %v", specsString(specs), shape, elem, limit, c, err)
		}
		fixedBytes := int64(elem) // bytes of the largest block over the non-auto axes
		var regularAxes, wholeAxes []int
		for ax, sp := range specs {
			switch {
			case sp.kind != specAuto:
				fixedBytes = mulSat(fixedBytes, int64(maxInt(c[ax])))
			case len(c[ax]) == 1:
				wholeAxes = append(wholeAxes, ax)
			default:
				regularAxes = append(regularAxes, ax)
			}
		}
		block := MaxBlockBytes(c, elem)
		if block > limit && block > fixedBytes {
			t.Fatalf("Normalize(%v, %v, %d, %d) = %v: block of %d bytes over the limit", specsString(specs), shape, elem, limit, c, block)
		}
		if len(regularAxes) == 0 {
			continue
		}
		s := c[regularAxes[0]][0]
		for _, ax := range regularAxes {
			if sz := c[ax]; sz[0] != s || shape[ax] <= s || !equalRegular(sz, s) {
				t.Fatalf("Normalize(%v, %v, %d, %d) = %v: auto axis %d not regular with block %d", specsString(specs), shape, elem, limit, c, ax, s)
			}
		}
		for _, ax := range wholeAxes {
			if shape[ax] > s {
				t.Fatalf("Normalize(%v, %v, %d, %d) = %v: auto axis %d whole but longer than %d", specsString(specs), shape, elem, limit, c, ax, s)
			}
		}
		if s == 1 {
			continue // the budget may be below one element
		}
		others := block // bytes of the largest block with the regular axes at s+1
		for range regularAxes {
			others = others / int64(s) * int64(s+1)
		}
		if others <= limit {
			t.Fatalf("Normalize(%v, %v, %d, %d) = %v: block %d could grow to %d within the limit", specsString(specs), shape, elem, limit, c, s, s+1)
		}
		if k := len(regularAxes); len(wholeAxes) == 0 && s >= 2*k && 2*block < limit {
			t.Fatalf("Normalize(%v, %v, %d, %d) = %v: block of %d bytes under half the limit", specsString(specs), shape, elem, limit, c, block)
		}
	}
}

func maxInt(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// equalRegular reports whether sizes are all s except a smaller, non-zero last.
func equalRegular(sizes []int, s int) bool {
	for i, x := range sizes {
		if x != s && (i != len(sizes)-1 || x <= 0 || x > s) {
			return false
		}
	}
	return true
}

func TestIroot(t *testing.T) {
	for _, b := range []int64{1, 2, 3, 4, 8, 9, 15, 16, 17, 1 << 24, 1<<24 - 1, math.MaxInt64, math.MaxInt64 - 1} {
		for k := 1; k <= 5; k++ {
			x := iroot(b, k)
			// Check with float64 far from the edges, exactly near them.
			lo, hi := math.Pow(float64(x), float64(k)), math.Pow(float64(x)+1, float64(k))
			if x < 1 || lo > float64(b)*(1+1e-12) || hi < float64(b)*(1-1e-12) || !powAtMost(x, k, b) || (x < math.MaxInt64 && powAtMost(x+1, k, b)) {
				t.Errorf("iroot(%d, %d) = %d", b, k, x)
			}
		}
	}
}

func TestAxisSpecString(t *testing.T) {
	for _, tc := range []struct {
		s    AxisSpec
		want string
	}{
		{Auto(), "auto"}, {AxisSpec{}, "auto"}, {Whole(), "whole"}, {Regular(-1), "whole"},
		{Regular(4), "regular(4)"}, {Explicit(3), "explicit(3)"}, {Explicit(2, 2, 1), "explicit(2, 2, 1)"},
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("String = %q, want %q", got, tc.want)
		}
	}
	sizes := []int{2, 3}
	sp := Explicit(sizes...)
	sizes[0] = 4
	if got := sp.String(); got != "explicit(2, 3)" {
		t.Errorf("Explicit keeps the caller's slice: %s", got)
	}
}
