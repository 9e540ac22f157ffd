package chunks

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestChunksAccessors(t *testing.T) {
	c := Chunks{{2, 2, 1}, {3}, {0, 4, 0}}
	if got, want := c.Shape(), []int{5, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("Shape = %v, want %v", got, want)
	}
	if got, want := c.NumBlocks(), []int{3, 1, 3}; !slices.Equal(got, want) {
		t.Errorf("NumBlocks = %v, want %v", got, want)
	}
	if got := c.Total(); got != 9 {
		t.Errorf("Total = %d, want 9", got)
	}
	if got, want := c.BlockShape([]int{2, 0, 1}), []int{1, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("BlockShape = %v, want %v", got, want)
	}
	if got, want := c.Origin([]int{2, 0, 2}), []int{4, 0, 4}; !slices.Equal(got, want) {
		t.Errorf("Origin = %v, want %v", got, want)
	}
	wantOff := [][]int{{0, 2, 4, 5}, {0, 3}, {0, 0, 4, 4}}
	for ax, off := range c.Offsets() {
		if !slices.Equal(off, wantOff[ax]) {
			t.Errorf("Offsets[%d] = %v, want %v", ax, off, wantOff[ax])
		}
	}
	if got, want := c.String(), "((2, 2, 1), (3,), (0, 4, 0))"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestChunksZeroD(t *testing.T) {
	var c Chunks
	if c.Total() != 1 || len(c.Shape()) != 0 || len(c.NumBlocks()) != 0 || len(c.BlockShape(nil)) != 0 {
		t.Errorf("0-d chunks: Total %d Shape %v NumBlocks %v", c.Total(), c.Shape(), c.NumBlocks())
	}
	if got := c.String(); got != "()" {
		t.Errorf("String = %q, want ()", got)
	}
	if err := Validate(c, []int{}); err != nil {
		t.Errorf("Validate 0-d: %v", err)
	}
	if !c.Equal(Chunks{}) || c.Clone() != nil {
		t.Errorf("nil and empty Chunks should be Equal, and Clone(nil) nil")
	}
	if Ravel(nil, nil) != 0 {
		t.Errorf("Ravel of the 0-d grid should be 0")
	}
}

func TestString(t *testing.T) {
	for _, tc := range []struct {
		c    Chunks
		want string
	}{
		{Chunks{{3}}, "((3,),)"},
		{Chunks{{0}}, "((0,),)"},
		{Chunks{{1, 1}, {0}}, "((1, 1), (0,))"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.c, got, tc.want)
		}
	}
	if got := ShapeString([]int{2, 3}); got != "(2, 3)" {
		t.Errorf("ShapeString = %q", got)
	}
}

func TestEqualClone(t *testing.T) {
	c := Chunks{{2, 2, 1}, {3}}
	d := c.Clone()
	if !c.Equal(d) || !d.Equal(c) {
		t.Fatalf("clone %v not equal to %v", d, c)
	}
	d[0][0] = 1
	if c[0][0] != 2 || c.Equal(d) {
		t.Errorf("Clone shares storage: c = %v after changing the clone", c)
	}
	for _, other := range []Chunks{{{2, 2, 1}}, {{2, 2, 1}, {2, 1}}, {{2, 2, 1}, {3}, {1}}, {{2, 3}, {3}}} {
		if c.Equal(other) {
			t.Errorf("%v.Equal(%v) = true", c, other)
		}
	}
}

func TestRavelUnravel(t *testing.T) {
	r := newRand(t)
	for range 200 {
		grid := make([]int, r.IntN(5))
		for i := range grid {
			grid[i] = 1 + r.IntN(4)
		}
		// Walk the grid with an odometer (last axis fastest): C order.
		idx := make([]int, len(grid))
		got := make([]int, len(grid))
		total := 1
		for _, n := range grid {
			total *= n
		}
		for flat := range total {
			if f := Ravel(idx, grid); f != flat {
				t.Fatalf("grid %v: Ravel(%v) = %d, want %d", grid, idx, f, flat)
			}
			Unravel(flat, grid, got)
			if !slices.Equal(got, idx) {
				t.Fatalf("grid %v: Unravel(%d) = %v, want %v", grid, flat, got, idx)
			}
			for ax := len(idx) - 1; ax >= 0; ax-- {
				if idx[ax]++; idx[ax] < grid[ax] {
					break
				}
				idx[ax] = 0
			}
		}
	}
}

func TestOffsetsOriginRandom(t *testing.T) {
	r := newRand(t)
	for range 200 {
		c := make(Chunks, 1+r.IntN(3))
		for ax := range c {
			c[ax] = randSizes(r, 6, 5)
		}
		if err := Validate(c, c.Shape()); err != nil {
			t.Fatalf("Validate(%v, its own shape): %v", c, err)
		}
		offs := c.Offsets()
		grid := c.NumBlocks()
		idx := make([]int, len(c))
		for flat := range c.Total() {
			Unravel(flat, grid, idx)
			org, bs := c.Origin(idx), c.BlockShape(idx)
			for ax := range c {
				if org[ax] != offs[ax][idx[ax]] || org[ax]+bs[ax] != offs[ax][idx[ax]+1] {
					t.Fatalf("%v block %v: origin %v shape %v, offsets %v", c, idx, org, bs, offs)
				}
			}
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		c     Chunks
		shape []int
		err   string // "" for valid; else a substring of the error
	}{
		{Chunks{{2, 2, 1}, {3}}, []int{5, 3}, ""},
		{Chunks{{0}}, []int{0}, ""},
		{Chunks{{0, 0}}, []int{0}, ""},
		{Chunks{{2, 0, 3}}, []int{5}, ""},
		{Chunks{{1}}, []int{1}, ""},
		{Chunks{}, []int{}, ""},
		{Chunks{{2, 2}}, []int{5}, "axis 0 chunks (2, 2) sum to 4, want 5"},
		{Chunks{{3}, {2, 2}}, []int{3, 3}, "sum to 4, want 3"},
		{Chunks{{}}, []int{0}, "no blocks on axis 0"},
		{Chunks{{3, -1}}, []int{2}, "negative size -1 in block 1 of axis 0"},
		{Chunks{{3}}, []int{3, 1}, "have 1 axes but shape (3, 1) has 2"},
		{Chunks{{0}}, []int{-1}, "negative length on axis 0"},
		{Chunks{{math.MaxInt, math.MaxInt}}, []int{5}, "more than the largest int"},
	} {
		err := Validate(tc.c, tc.shape)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("Validate(%v, %v) = %v, want nil", tc.c, tc.shape, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("Validate(%v, %v) = %v, want an error containing %q", tc.c, tc.shape, err, tc.err)
		}
	}
}

func TestMaxBlockBytes(t *testing.T) {
	for _, tc := range []struct {
		c    Chunks
		elem int
		want int64
	}{
		{Chunks{{2, 2, 1}, {3}}, 8, 48},
		{Chunks{{1, 3}, {0, 2}}, 4, 24},
		{Chunks{{0}}, 8, 0},
		{Chunks{}, 8, 8},
		{Chunks{{1 << 40}, {1 << 40}}, 8, math.MaxInt64},
	} {
		if got := MaxBlockBytes(tc.c, tc.elem); got != tc.want {
			t.Errorf("MaxBlockBytes(%v, %d) = %d, want %d", tc.c, tc.elem, got, tc.want)
		}
	}
}
