package chunks

import "fmt"

// NormalizeIndex returns the integer index i on an axis of length n as a
// position in [0, n), counting negative i from the end as Python does, or an
// error naming i and n.
func NormalizeIndex(i, n int) (int, error) {
	if n < 0 {
		return 0, fmt.Errorf("chunks: index %d on an axis of negative length %d", i, n)
	}
	j := i
	if j < 0 {
		j += n
	}
	if j < 0 || j >= n {
		return 0, fmt.Errorf("chunks: index %d is out of bounds for an axis of length %d", i, n)
	}
	return j, nil
}

// NormalizeSlice turns Python-style slice bounds on an axis of length n into
// concrete ones, exactly as Python's slice(start, stop, step).indices(n)
// does, and also returns the number of elements selected (len(range(s, e,
// st))). hasStart and hasStop false mean the bound was omitted; negative
// bounds count from the end; out-of-range bounds are clipped, to [0, n] for
// a positive step and to [-1, n-1] for a negative one. A step of 0 or a
// negative n is an error.
func NormalizeSlice(n int, start int, hasStart bool, stop int, hasStop bool, step int) (s, e, st, length int, err error) {
	if n < 0 {
		return 0, 0, 0, 0, fmt.Errorf("chunks: slice on an axis of negative length %d", n)
	}
	if step == 0 {
		return 0, 0, 0, 0, fmt.Errorf("chunks: slice step cannot be zero (axis of length %d)", n)
	}
	lower, upper := 0, n
	if step < 0 {
		lower, upper = -1, n-1
	}
	clip := func(v int) int {
		if v < 0 {
			v += n // v < 0 and n >= 0: no overflow
			if v < lower {
				v = lower
			}
		} else if v > upper {
			v = upper
		}
		return v
	}
	switch {
	case !hasStart && step < 0:
		s = upper
	case !hasStart:
		s = lower
	default:
		s = clip(start)
	}
	switch {
	case !hasStop && step < 0:
		e = lower
	case !hasStop:
		e = upper
	default:
		e = clip(stop)
	}
	return s, e, step, rangeLen(s, e, step), nil
}

// rangeLen returns len(range(start, stop, step)) for step != 0 and bounds
// within [-1, n]; it handles any step, including math.MinInt.
func rangeLen(start, stop, step int) int {
	if step > 0 {
		if stop <= start {
			return 0
		}
		return int(uint(stop-start-1)/uint(step)) + 1
	}
	if start <= stop {
		return 0
	}
	return int(uint(start-stop-1)/(-uint(step))) + 1 // -uint(step) is |step|, also for MinInt
}

// SlicePart is the share of one input block in a 1-d slice: elements
// Start, Start+Step, ..., Start+(Count-1)*Step of block Block, in local
// (within-block) coordinates. Step is the slice's step, negative when the
// slice runs backwards.
type SlicePart struct {
	Block, Start, Step, Count int
}

// Slice1D plans the basic slice start:stop:step on one axis chunked as
// chunks. start, stop and step must come from [NormalizeSlice] on the
// axis's length (sum of chunks); indices outside the axis are dropped rather
// than panicking, and a step of 0 selects nothing.
//
// The output chunking follows the input's: each input block that holds at
// least one selected element gives one output block, in the order the slice
// visits them (blocks in reverse for a negative step); out[i] ==
// parts[i].Count. An empty selection gives out = [0] and one part from block
// 0 with Count 0, so the result always has one block to carry its dtype and
// placement. Concatenating the parts' elements in order gives exactly the
// selected elements in slice order.
func Slice1D(chunks []int, start, stop, step int) (out []int, parts []SlicePart) {
	if step != 0 {
		n := rangeLen(start, stop, step)
		off := 0
		if step > 0 {
			for b, size := range chunks {
				if p, ok := slicePart(b, off, size, start, step, n); ok {
					parts = append(parts, p)
				}
				off += size
			}
		} else {
			off = sumInts(chunks)
			for b := len(chunks) - 1; b >= 0; b-- {
				off -= chunks[b]
				if p, ok := slicePart(b, off, chunks[b], start, step, n); ok {
					parts = append(parts, p)
				}
			}
		}
	}
	if len(parts) == 0 {
		if step == 0 {
			step = 1
		}
		return []int{0}, []SlicePart{{Block: 0, Start: 0, Step: step, Count: 0}}
	}
	out = make([]int, len(parts))
	for i, p := range parts {
		out[i] = p.Count
	}
	return out, parts
}

// slicePart returns the elements k in [0, n) of the progression
// start + k*step that fall in block b, which spans [off, off+size).
func slicePart(b, off, size, start, step, n int) (SlicePart, bool) {
	if size <= 0 {
		return SlicePart{}, false
	}
	// For step > 0 the element is in the block when off <= start+k*step <
	// off+size; for step < 0, when start-k*|step| < off+size and
	// start-k*|step| >= off. Either way k lies in [lo, hi).
	var lo, hi int
	if step > 0 {
		m := uint(step)
		lo, hi = ceilDiv(off-start, m, n), ceilDiv(off+size-start, m, n)
	} else {
		m := -uint(step)
		lo, hi = ceilDiv(start-(off+size)+1, m, n), ceilDiv(start-off+1, m, n)
	}
	if hi <= lo {
		return SlicePart{}, false
	}
	// start + lo*step lies in the block, so the wrapped arithmetic is exact.
	return SlicePart{Block: b, Start: start + lo*step - off, Step: step, Count: hi - lo}, true
}

// ceilDiv returns ceil(a/m) clamped to [0, limit], for m >= 1.
func ceilDiv(a int, m uint, limit int) int {
	if a <= 0 {
		return 0
	}
	q := (uint(a)-1)/m + 1
	if q > uint(limit) {
		return limit
	}
	return int(q)
}

func sumInts(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
