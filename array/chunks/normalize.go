package chunks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DefaultLimit is the target chunk size in bytes for [Auto] axes when
// [Normalize] is given no limit: 128 MiB, the top of the 64-128 MiB range
// the design targets (dask's array.chunk-size default).
const DefaultLimit int64 = 128 << 20

// MaxAxisBlocks bounds the number of blocks [Normalize] makes along one axis
// (16 Mi blocks, 128 MiB of sizes), so that a request such as Regular(1) on a
// huge axis is an error rather than an allocation that kills the process.
const MaxAxisBlocks = 1 << 24

type specKind uint8

const (
	specAuto specKind = iota // the zero AxisSpec is Auto
	specRegular
	specExplicit
	specWhole
)

// AxisSpec is a user's chunk request for one axis, resolved against the
// axis length by [Normalize]. Build one with [Regular], [Explicit], [Whole]
// or [Auto]; the zero AxisSpec is Auto. Invalid requests (Regular(0), sizes
// that do not sum to the axis) are reported by Normalize, which knows the
// shape.
type AxisSpec struct {
	kind  specKind
	size  int   // Regular
	sizes []int // Explicit, owned
}

// Regular asks for blocks of n elements along the axis, the last one
// possibly smaller; n must be > 0, or -1 for the whole axis (as dask's -1).
// An n larger than the axis gives one block.
func Regular(n int) AxisSpec {
	if n == -1 {
		return Whole()
	}
	return AxisSpec{kind: specRegular, size: n}
}

// Explicit asks for exactly these block sizes, which must be >= 0 and sum
// to the axis length. On a zero-length axis, Explicit() with no sizes means
// one block of 0.
func Explicit(sizes ...int) AxisSpec {
	return AxisSpec{kind: specExplicit, sizes: append([]int(nil), sizes...)}
}

// Whole asks for one block spanning the axis.
func Whole() AxisSpec { return AxisSpec{kind: specWhole} }

// Auto leaves the block size along the axis to the auto rule of [Normalize].
func Auto() AxisSpec { return AxisSpec{kind: specAuto} }

// String formats the spec as it appears in error messages: auto, whole,
// regular(4), explicit(2, 2, 1).
func (s AxisSpec) String() string {
	switch s.kind {
	case specAuto:
		return "auto"
	case specWhole:
		return "whole"
	case specRegular:
		return "regular(" + strconv.Itoa(s.size) + ")"
	case specExplicit:
		parts := make([]string, len(s.sizes))
		for i, n := range s.sizes {
			parts[i] = strconv.Itoa(n)
		}
		return "explicit(" + strings.Join(parts, ", ") + ")"
	}
	return "invalid"
}

// Normalize resolves per-axis chunk requests into concrete [Chunks] for an
// array of the given shape with elemSize bytes per element.
//
// specs has one entry per axis, or a single entry applied to every axis
// (also for a 0-d shape). Regular, Explicit and Whole axes are resolved
// first; a zero-length axis always becomes one block of 0 (Explicit may also
// list several zeros). The remaining Auto axes share limitBytes (DefaultLimit
// when limitBytes <= 0) as dask.array.core.auto_chunks does for a fresh
// array:
//
//  1. budget = limitBytes / elemSize / (product over the non-Auto axes of
//     their largest block), in elements, at least 1;
//  2. s = floor(budget^(1/k)) for the k Auto axes still open, computed
//     exactly in integers (at least 1);
//  3. every open axis of length <= s takes its whole length as one block and
//     is closed, its length joins the product in step 1, and the rule
//     restarts from step 1;
//  4. otherwise every open axis gets regular blocks of s (the last smaller).
//
// So the largest block never exceeds limitBytes unless the non-Auto axes
// alone do (then Auto axes get blocks of 1), and when no axis was closed in
// step 3 the largest block is s^k >= (budget^(1/k) - 1)^k elements, within 2x
// of the budget once s >= 2k. float64 20000x20000 at 128 MiB gives 4096x4096
// (exactly 128 MiB), as dask does.
func Normalize(specs []AxisSpec, shape []int, elemSize int, limitBytes int64) (Chunks, error) {
	if len(specs) != len(shape) && len(specs) != 1 {
		return nil, fmt.Errorf("chunks: %d chunk specs %s for %d-d shape %s: want one per axis or a single one",
			len(specs), specsString(specs), len(shape), ShapeString(shape))
	}
	spec := func(ax int) AxisSpec {
		if len(specs) == 1 {
			return specs[0]
		}
		return specs[ax]
	}
	for ax, n := range shape {
		if n < 0 {
			return nil, fmt.Errorf("chunks: shape %s has negative length on axis %d", ShapeString(shape), ax)
		}
	}
	c := make(Chunks, len(shape))
	var autos []int
	for ax, n := range shape {
		sp := spec(ax)
		if sp.kind == specAuto {
			if n == 0 {
				c[ax] = []int{0}
			} else {
				autos = append(autos, ax)
			}
			continue
		}
		sizes, err := resolveAxis(sp, n)
		if err != nil {
			return nil, fmt.Errorf("chunks: axis %d of shape %s: %w", ax, ShapeString(shape), err)
		}
		c[ax] = sizes
	}
	if len(autos) == 0 {
		return c, nil
	}
	if elemSize <= 0 {
		return nil, fmt.Errorf("chunks: auto chunks for shape %s need an element size > 0, got %d", ShapeString(shape), elemSize)
	}
	if limitBytes <= 0 {
		limitBytes = DefaultLimit
	}
	if err := autoChunks(c, shape, autos, int64(elemSize), limitBytes); err != nil {
		return nil, err
	}
	return c, nil
}

// resolveAxis turns one non-Auto spec into block sizes for an axis of length n.
func resolveAxis(sp AxisSpec, n int) ([]int, error) {
	switch sp.kind {
	case specWhole:
		return []int{n}, nil
	case specRegular:
		if sp.size <= 0 {
			return nil, fmt.Errorf("%v: block size must be > 0 (or -1 for the whole axis)", sp)
		}
		return regularSizes(n, sp.size)
	case specExplicit:
		if len(sp.sizes) == 0 {
			if n == 0 {
				return []int{0}, nil
			}
			return nil, fmt.Errorf("%v: no block sizes for an axis of length %d", sp, n)
		}
		for b, s := range sp.sizes {
			if s < 0 {
				return nil, fmt.Errorf("%v: negative size %d in block %d", sp, s, b)
			}
		}
		if sum, ok := sumChecked(sp.sizes); !ok || sum != n {
			return nil, fmt.Errorf("%v: sizes sum to %s, want the axis length %d", sp, sumString(sp.sizes), n)
		}
		if len(sp.sizes) > MaxAxisBlocks {
			return nil, fmt.Errorf("%v: %d blocks, more than MaxAxisBlocks (%d)", sp, len(sp.sizes), MaxAxisBlocks)
		}
		return append([]int(nil), sp.sizes...), nil
	}
	return nil, fmt.Errorf("invalid chunk spec %v", sp)
}

// regularSizes splits n into blocks of size (the last smaller); n == 0 gives
// one block of 0.
func regularSizes(n, size int) ([]int, error) {
	if n == 0 {
		return []int{0}, nil
	}
	nb := n / size
	if n%size != 0 {
		nb++
	}
	if nb > MaxAxisBlocks {
		return nil, fmt.Errorf("blocks of %d on an axis of length %d make %d blocks, more than MaxAxisBlocks (%d)",
			size, n, nb, MaxAxisBlocks)
	}
	sizes := make([]int, nb)
	for i := range sizes {
		sizes[i] = size
	}
	if r := n % size; r != 0 {
		sizes[nb-1] = r
	}
	return sizes, nil
}

// autoChunks fills c[ax] for the open auto axes (all of non-zero length)
// following the rule documented on Normalize.
func autoChunks(c Chunks, shape []int, autos []int, elemSize, limit int64) error {
	isAuto := make([]bool, len(shape))
	for _, ax := range autos {
		isAuto[ax] = true
	}
	fixed := int64(1) // elements in the largest block of the closed axes
	for ax, sizes := range c {
		if isAuto[ax] {
			continue
		}
		m := 1
		for _, s := range sizes {
			m = max(m, s)
		}
		fixed = mulSat(fixed, int64(m))
	}
	open := autos
	for {
		budget := max(limit/elemSize/fixed, 1)
		s := iroot(budget, len(open))
		var still []int
		for _, ax := range open {
			if int64(shape[ax]) <= s {
				c[ax] = []int{shape[ax]}
				fixed = mulSat(fixed, int64(shape[ax]))
			} else {
				still = append(still, ax)
			}
		}
		if len(still) == len(open) {
			for _, ax := range open {
				sizes, err := regularSizes(shape[ax], int(s))
				if err != nil {
					return fmt.Errorf("chunks: auto chunks for axis %d of shape %s (%d-byte elements, limit %d bytes): %w",
						ax, ShapeString(shape), elemSize, limit, err)
				}
				c[ax] = sizes
			}
			return nil
		}
		if len(still) == 0 {
			return nil
		}
		open = still
	}
}

// iroot returns the largest x >= 1 with x^k <= b, for b >= 1 and k >= 1.
func iroot(b int64, k int) int64 {
	if k == 1 {
		return b
	}
	x := max(int64(math.Pow(float64(b), 1/float64(k))), 1)
	for x > 1 && !powAtMost(x, k, b) {
		x--
	}
	for powAtMost(x+1, k, b) {
		x++
	}
	return x
}

// powAtMost reports whether x^k <= b, for x >= 1 and b >= 1, without
// overflowing.
func powAtMost(x int64, k int, b int64) bool {
	p := int64(1)
	for range k {
		if p > b/x {
			return false
		}
		p *= x
	}
	return true
}

func specsString(specs []AxisSpec) string {
	parts := make([]string, len(specs))
	for i, s := range specs {
		parts[i] = s.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
