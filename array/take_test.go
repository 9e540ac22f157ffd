package array_test

import (
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// randIdx is k random positions of an axis of length n, negative ones
// (from the end) mixed in, repeats allowed.
func (v *env) randIdx(n, k int) (idx, norm []int) {
	for i := 0; i < k; i++ {
		g := v.r.IntN(n)
		norm = append(norm, g)
		if v.r.IntN(3) == 0 {
			g -= n
		}
		idx = append(idx, g)
	}
	return idx, norm
}

func TestTake(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(20); c++ {
		shape := v.shape(1, 4)
		ax := v.r.IntN(len(shape))
		if shape[ax] == 0 {
			shape[ax] = 1 + v.r.IntN(5)
		}
		x := v.operand(shape, v.dtype(), vSpecial)
		idx, norm := v.randIdx(shape[ax], v.r.IntN(3*shape[ax]+1))
		axis := ax
		if v.r.IntN(2) == 0 {
			axis -= len(shape)
		}
		desc := fmt.Sprintf("case %d: take(%v, %v, axis %d)", c, x, idx, axis)
		out := append([]int{}, shape...)
		out[ax] = len(idx)
		want := gatherRef(x.ref, out, func(a, i int) int {
			if a == ax {
				return norm[i]
			}
			return i
		}, 0)
		z := x.a.Take(idx, axis)
		exact(t, desc, v.one(desc, z), want)
		// the same through Slice with an Ix index
		index := make([]array.Index, len(shape))
		for a := range index {
			index[a] = array.All()
		}
		index[ax] = array.Ix(idx...)
		exact(t, desc+" via Ix", v.one(desc, x.a.Slice(index...)), want)
		if t.Failed() {
			return
		}
	}
}

// TestFancySlice mixes an Ix or Mask index with basic ones, and checks
// NumPy's placement rule for separated integer indices.
func TestFancySlice(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(10); c++ {
		n0, n1, n2 := 1+v.r.IntN(7), 1+v.r.IntN(7), 1+v.r.IntN(7)
		x := v.operand([]int{n0, n1, n2}, v.dtype(), vSpecial)
		// x[s:e:st, idx, :]
		s, st := v.r.IntN(n0), 1+v.r.IntN(2)
		idx, norm := v.randIdx(n1, v.r.IntN(2*n1+1))
		rows := (n0 - s + st - 1) / st
		want := gatherRef(x.ref, []int{rows, len(idx), n2}, func(a, i int) int {
			switch a {
			case 0:
				return s + i*st
			case 1:
				return norm[i]
			}
			return i
		}, 0)
		desc := fmt.Sprintf("case %d: %v[%d::%d, %v]", c, x, s, st, idx)
		exact(t, desc, v.one(desc, x.a.Slice(array.Sl(s, array.None, st), array.Ix(idx...))), want)

		// x[k, :, idx]: the int and the list are separated, so the list's
		// axis comes first: shape (len(idx), n1)
		k := v.r.IntN(n0)
		idx2, norm2 := v.randIdx(n2, 1+v.r.IntN(2*n2))
		want2 := newRef([]int{len(idx2), n1}, x.ref.dt)
		for p := range norm2 {
			for j := 0; j < n1; j++ {
				want2.copyFrom(p*n1+j, x.ref, (k*n1+j)*n2+norm2[p])
			}
		}
		desc = fmt.Sprintf("case %d: %v[%d, :, %v]", c, x, k, idx2)
		exact(t, desc, v.one(desc, x.a.Slice(array.At(k), array.All(), array.Ix(idx2...))), want2)

		// x[:, mask] with a Go mask
		m := make([]bool, n1)
		var pos []int
		for j := range m {
			if m[j] = v.r.IntN(2) == 0; m[j] {
				pos = append(pos, j)
			}
		}
		want3 := gatherRef(x.ref, []int{n0, len(pos), n2}, func(a, i int) int {
			if a == 1 {
				return pos[i]
			}
			return i
		}, 0)
		desc = fmt.Sprintf("case %d: %v[:, %v]", c, x, m)
		exact(t, desc, v.one(desc, x.a.Slice(array.All(), array.Mask(m))), want3)
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{4, 5}, graph.Float64, array.Chunked(2, 2))
	wantErr(t, "out of range", x.Take([]int{0, 4}, 0).Err(), "take", "out of bounds", "4")
	wantErr(t, "negative out of range", x.Take([]int{-6}, 1).Err(), "take", "-6")
	wantErr(t, "bad axis", x.Take([]int{0}, 2).Err(), "take", "axis")
	wantErr(t, "two lists", x.Slice(array.Ix(0), array.Ix(1)).Err(), "getitem", "more than one")
	wantErr(t, "mask length", x.Slice(array.Mask([]bool{true})).Err(), "getitem", "boolean index of length 1")
}

func TestVIndex(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(20); c++ {
		var shape []int
		for _, n := range v.shape(1, 4) {
			shape = append(shape, max(n, 1))
		}
		x := v.operand(shape, v.dtype(), vSpecial)
		k := 1 + v.r.IntN(len(shape))
		L := v.r.IntN(12)
		idx := make([][]int, k)
		norm := make([][]int, k)
		for a := 0; a < k; a++ {
			if a > 0 && v.r.IntN(4) == 0 && L > 0 { // broadcast one position
				i, n := v.randIdx(shape[a], 1)
				idx[a], norm[a] = i, make([]int, L)
				for p := range norm[a] {
					norm[a][p] = n[0]
				}
				continue
			}
			idx[a], norm[a] = v.randIdx(shape[a], L)
		}
		out := append([]int{L}, shape[k:]...)
		want := newRef(out, x.ref.dt)
		st := strides(shape)
		oi := make([]int, len(out))
		for q := 0; q < want.n(); q++ {
			unravel(q, out, oi)
			off := 0
			for a := 0; a < k; a++ {
				off += norm[a][oi[0]] * st[a]
			}
			for a := k; a < len(shape); a++ {
				off += oi[a-k+1] * st[a]
			}
			want.copyFrom(q, x.ref, off)
		}
		desc := fmt.Sprintf("case %d: %v.vindex%v", c, x, idx)
		exact(t, desc, v.one(desc, x.a.VIndex(idx...)), want)
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{4, 5}, graph.Float64, array.Chunked(2, 2))
	wantErr(t, "lengths", x.VIndex([]int{0, 1}, []int{0, 1, 2}).Err(), "vindex", "broadcast")
	wantErr(t, "too many", x.VIndex([]int{0}, []int{0}, []int{0}).Err(), "vindex", "3 index lists")
	wantErr(t, "out of range", x.VIndex([]int{0}, []int{5}).Err(), "vindex", "out of bounds")
}
