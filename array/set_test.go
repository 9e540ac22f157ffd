package array_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

// TestSet assigns random values through random indices (slices with
// any step, ints, one integer-array index with repeats) and compares
// with NumPy's assignment done element by element: the target
// positions in the C order of x[index] (the list's axis first when ints
// are separated from it), values broadcast, later writes winning.
func TestSet(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(20); c++ {
		var shape []int
		for _, n := range v.shape(1, 3) {
			shape = append(shape, max(n, 1))
		}
		nd := len(shape)
		x := v.operand(shape, v.dtype(), vSpecial)
		index := make([]array.Index, nd)
		pos := make([][]int, nd) // positions per axis
		kind := make([]byte, nd) // 's' slice, 'i' int, 'l' list
		list := -1
		for a := range index {
			n := shape[a]
			switch r := v.r.IntN(6); {
			case r == 0:
				i := v.r.IntN(n)
				index[a], pos[a], kind[a] = array.At(i-n*v.r.IntN(2)), []int{i}, 'i'
			case r == 1 && list < 0:
				idx, norm := v.randIdx(n, 1+v.r.IntN(2*n))
				index[a], pos[a], kind[a], list = array.Ix(idx...), norm, 'l', a
			default:
				s, st := v.r.IntN(n), 1+v.r.IntN(2)
				if v.r.IntN(3) == 0 {
					st = -st
				}
				e := v.r.IntN(n + 1)
				if st < 0 {
					e = v.r.IntN(n+1) - 1 // -1: through 0 (as None would)
				}
				if st > 0 {
					index[a] = array.Sl(s, e, st)
				} else if e < 0 {
					index[a] = array.Sl(s, array.None, st)
				} else {
					index[a] = array.Sl(s, e, st)
				}
				for i := s; (st > 0 && i < e) || (st < 0 && i > e); i += st {
					pos[a] = append(pos[a], i)
				}
				kind[a] = 's'
			}
		}
		// the target's axes: non-int axes in order, or the list first
		// when ints are not all next to it
		var taxes []int
		for a := range kind {
			if kind[a] != 'i' {
				taxes = append(taxes, a)
			}
		}
		if list >= 0 {
			lo, hi := list, list
			for a := range kind {
				if kind[a] == 'i' {
					lo, hi = min(lo, a), max(hi, a)
				}
			}
			sep := false
			for a := lo; a <= hi; a++ {
				sep = sep || kind[a] == 's'
			}
			if sep {
				rest := []int{list}
				for _, a := range taxes {
					if a != list {
						rest = append(rest, a)
					}
				}
				taxes = rest
			}
		}
		tshape := make([]int, len(taxes))
		for i, a := range taxes {
			tshape[i] = len(pos[a])
		}
		// values: the target's shape, or a broadcastable tail of it
		vshape := append([]int{}, tshape...)
		if len(vshape) > 0 && v.r.IntN(3) == 0 {
			vshape = vshape[1:]
			if len(vshape) > 0 && v.r.IntN(2) == 0 {
				vshape[0] = 1
			}
		}
		vals := v.operand(vshape, v.dtype(), vSpecial)
		want := newRef(shape, x.ref.dt)
		copy(want.f, x.ref.f)
		copy(want.i, x.ref.i)
		cv := vals.ref.astype(x.ref.dt)
		for k := range cv.i {
			if cv.dt == graph.Int32 && cv.i[k] == math.MinInt64 {
				cv.i[k] = math.MinInt32 // NaN and out-of-range casts give int32's minimum (NumPy on x86)
			}
		}
		tn := 1
		for _, s := range tshape {
			tn *= s
		}
		ti := make([]int, len(tshape))
		xi := make([]int, nd)
		st := strides(shape)
		for k := 0; k < tn; k++ {
			unravel(k, tshape, ti)
			for a := range kind {
				if kind[a] == 'i' {
					xi[a] = pos[a][0]
				}
			}
			for i, a := range taxes {
				xi[a] = pos[a][ti[i]]
			}
			off := 0
			for a := range xi {
				off += xi[a] * st[a]
			}
			want.copyFrom(off, cv, cv.bcastIndex(ti))
		}
		desc := fmt.Sprintf("case %d: %v[%v] = %v", c, x, index, vals)
		exact(t, desc, v.one(desc, x.a.Set(index, vals.a)), want)
		if t.Failed() {
			return
		}
	}
	x := array.Ones([]int{4, 5}, graph.Float64, array.Chunked(2, 2))
	wantErr(t, "bad values shape", x.Set([]array.Index{array.Span(0, 2)}, array.Ones([]int{3}, graph.Float64)).Err(), "setitem", "broadcast")
	wantErr(t, "out of range", x.Set([]array.Index{array.At(9)}, array.Ones([]int{}, graph.Float64)).Err(), "setitem", "out of bounds")
	wantErr(t, "new axis", x.Set([]array.Index{array.NewAxis()}, array.Ones([]int{}, graph.Float64)).Err(), "setitem", "NewAxis")
}

// TestSetCopyOnWrite: blocks the index does not touch are handed on (no
// copy), and the input is unchanged.
func TestSetCopyOnWrite(t *testing.T) {
	v := newEnv(t)
	x := v.operand([]int{6, 6}, graph.Float64, vSmall)
	xa := arr(x.ref, chunks.Chunks{{2, 2, 2}, {3, 3}})
	y := xa.Set([]array.Index{array.At(1), array.Span(0, 2)}, array.Full([]int{}, 7, graph.Float64))
	g, _, err := array.Graph([]*array.Array{y})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	for _, task := range g.Tasks {
		ops[task.Op.Name]++
	}
	if ops[graph.OpPatch] != 1 {
		t.Errorf("tasks by op %v: want one patch (one block touched)", ops)
	}
	got := v.one("set", y)
	want := newRef([]int{6, 6}, graph.Float64)
	copy(want.f, x.ref.f)
	want.f[6], want.f[7] = 7, 7
	exact(t, "set", got, want)
	exact(t, "x unchanged", v.one("x", xa), x.ref)
}
