package array_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// Tests of stacking.go: each routine against plain loops over random
// shapes, chunkings (empty blocks included) and dtypes, and its errors.

// sliceAxis is r[start:start+n] along axis ax, by a loop.
func sliceAxis(r *ref, ax, start, n int) *ref {
	shape := slices.Clone(r.shape)
	shape[ax] = n
	return gatherRef(r, shape, func(a, i int) int {
		if a == ax {
			return start + i
		}
		return i
	}, 0)
}

// computeAll computes xs (one Compute), failing the test on error.
func (v *env) computeAll(desc string, xs []*array.Array) []*array.NDArray {
	v.t.Helper()
	for _, x := range xs {
		if err := x.Err(); err != nil {
			v.t.Fatalf("%s: %v", desc, err)
		}
	}
	res, err := v.compute(xs)
	if err != nil {
		v.t.Fatalf("%s: compute: %v", desc, err)
	}
	return res
}

// atLeastShape is the shape NumPy's atleast_nd (n = 1, 2, 3) or
// column_stack's promotion (n = -2) gives an array of shape s.
func atLeastShape(s []int, n int) []int {
	switch {
	case n == -2 && len(s) == 0:
		return []int{1, 1}
	case n == -2 && len(s) == 1:
		return []int{s[0], 1}
	case n == -2:
		return s
	case len(s) >= n:
		return s
	case len(s) == 0:
		out := make([]int, n)
		for a := range out {
			out[a] = 1
		}
		return out
	case n == 2: // (k) -> (1, k)
		return []int{1, s[0]}
	case len(s) == 1: // n == 3: (k) -> (1, k, 1)
		return []int{1, s[0], 1}
	}
	return []int{s[0], s[1], 1}
}

// lowerForm is a random shape that atLeastShape(·, n) turns into p: p
// itself or one with fewer axes.
func (v *env) lowerForm(p []int, n int) []int {
	forms := [][]int{p}
	for k := 0; k < len(p); k++ {
		var s []int
		switch {
		case n == 3 && k == 2: // (m, n, 1)
			s = p[:2]
		case n == 3 && k == 1 || n == 2 && k == 1: // (1, n, 1), (1, n)
			s = p[1:2]
		case n == -2 && k == 1: // (n, 1)
			s = p[:1]
		case k == 0:
			s = []int{}
		}
		if s != nil && slices.Equal(atLeastShape(s, n), p) {
			forms = append(forms, s)
		}
	}
	return forms[v.r.IntN(len(forms))]
}

// TestAtLeast: AtLeast1D/2D/3D of random shapes (0-d to 4-d) keep the
// data and give NumPy's shapes.
func TestAtLeast(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(10); c++ {
		x := v.operand(v.shape(0, 4), v.dtype(), vSpecial)
		desc := fmt.Sprintf("case %d: atleast(%v)", c, x)
		got := v.computeAll(desc, []*array.Array{x.a.AtLeast1D(), x.a.AtLeast2D(), x.a.AtLeast3D()})
		for i, n := range []int{1, 2, 3} {
			exact(t, fmt.Sprintf("%s %dd", desc, n), got[i], x.ref.reshaped(atLeastShape(x.ref.shape, n)))
		}
		if t.Failed() {
			return
		}
	}
}

// TestStacks: Vstack, Hstack, Dstack and ColumnStack of 1 to 3 arrays of
// random dtypes, each given with its full ndim or with fewer axes where
// NumPy's promotion makes it fit, against refConcat of the promoted
// shapes.
func TestStacks(t *testing.T) {
	v := newEnv(t)
	type kind struct {
		name       string
		f          func([]*array.Array) *array.Array
		n          int // atLeastShape's n
		minD, maxD int
	}
	kinds := []kind{
		{"vstack", array.Vstack, 2, 2, 3},
		{"hstack", array.Hstack, 1, 1, 3},
		{"dstack", array.Dstack, 3, 3, 4},
		{"column_stack", array.ColumnStack, -2, 2, 3},
	}
	for c := 0; c < cases(10); c++ {
		for _, k := range kinds {
			base := v.shape(k.minD, k.maxD)
			for a := range base {
				if v.r.IntN(2) == 0 {
					base[a] = 1 // so that fewer axes can be given
				}
			}
			ax := map[string]int{"vstack": 0, "hstack": min(1, len(base)-1), "dstack": 2, "column_stack": 1}[k.name]
			m := 1 + v.r.IntN(3)
			refs := make([]*ref, m)
			arrs := make([]*array.Array, m)
			descs := make([]string, m)
			for i := range refs {
				p := slices.Clone(base)
				if v.r.IntN(2) == 0 {
					p[ax] = v.axisLen()
				}
				g := v.lowerForm(p, k.n)
				o := v.operand(g, v.dtype(), vSpecial)
				refs[i], arrs[i], descs[i] = o.ref.reshaped(p), o.a, o.String()
			}
			desc := fmt.Sprintf("case %d: %s(%v)", c, k.name, descs)
			exact(t, desc, v.one(desc, k.f(arrs)), refConcat(refs, ax))
		}
		if t.Failed() {
			return
		}
	}
}

// TestSplits: Split (equal division), ArraySplit (the first n%k pieces
// one longer), SplitAt (Python slice bounds, negative, out of range and
// unsorted ones) and Hsplit/Vsplit/Dsplit against slices by loops.
func TestSplits(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(15); c++ {
		x := v.operand(v.shape(1, 4), v.dtype(), vSpecial)
		shape := x.ref.shape
		nd := len(shape)
		a := v.r.IntN(nd)
		ax := a - nd*v.r.IntN(2)
		n := shape[a]
		desc := fmt.Sprintf("case %d: %v axis %d", c, x, ax)
		check := func(what string, got []*array.Array, starts, lens []int, axis int) {
			t.Helper()
			if len(got) != len(starts) {
				t.Fatalf("%s %s: %d pieces, want %d", desc, what, len(got), len(starts))
			}
			res := v.computeAll(desc+" "+what, got)
			for i := range res {
				exact(t, fmt.Sprintf("%s %s piece %d", desc, what, i), res[i], sliceAxis(x.ref, axis, starts[i], lens[i]))
			}
		}
		// split: a divisor of n (any count when n == 0)
		var divs []int
		for k := 1; k <= max(n, 3); k++ {
			if n%k == 0 {
				divs = append(divs, k)
			}
		}
		k := divs[v.r.IntN(len(divs))]
		var st, ln []int
		for i := range k {
			st, ln = append(st, i*(n/k)), append(ln, n/k)
		}
		check(fmt.Sprintf("split(%d)", k), x.a.Split(k, ax), st, ln, a)
		// array_split: any count, some pieces empty when k > n
		k = 1 + v.r.IntN(n+3)
		st, ln = nil, nil
		at := 0
		for i := range k {
			l := n / k
			if i < n%k {
				l++
			}
			st, ln = append(st, at), append(ln, l)
			at += l
		}
		check(fmt.Sprintf("array_split(%d)", k), x.a.ArraySplit(k, ax), st, ln, a)
		// split at: Python's slices between 0, the indices and n
		idx := make([]int, v.r.IntN(5))
		for i := range idx {
			idx[i] = v.r.IntN(2*n+5) - n - 2
		}
		if v.r.IntN(2) == 0 {
			slices.Sort(idx)
		}
		pts := append(append([]int{0}, idx...), n)
		st, ln = nil, nil
		for i := 0; i+1 < len(pts); i++ {
			s, _, l := pySlice(n, pts[i], pts[i+1], 1)
			st, ln = append(st, s), append(ln, l)
		}
		check(fmt.Sprintf("split_at(%v)", idx), x.a.SplitAt(idx, ax), st, ln, a)
		// hsplit, vsplit, dsplit: split along 1 (0 for 1-d), 0 and 2
		for _, hs := range []struct {
			name string
			f    func(int) []*array.Array
			axis int
		}{{"hsplit", x.a.Hsplit, min(1, nd-1)}, {"vsplit", x.a.Vsplit, 0}, {"dsplit", x.a.Dsplit, 2}} {
			if hs.axis >= nd || (hs.name == "vsplit" && nd < 2) {
				wantErr(t, desc+" "+hs.name, hs.f(1)[0].Err(), hs.name, "dimensions")
				continue
			}
			m := shape[hs.axis]
			k := 1
			if m > 0 && m%2 == 0 {
				k = 2
			}
			st, ln = nil, nil
			for i := range k {
				st, ln = append(st, i*(m/k)), append(ln, m/k)
			}
			check(fmt.Sprintf("%s(%d)", hs.name, k), hs.f(k), st, ln, hs.axis)
		}
		if t.Failed() {
			return
		}
	}
}

// rot90Once is NumPy's rot90(r, 1, (a0, a1)) by a loop: out[.., i at a0,
// j at a1, ..] = r[.., j at a0, n1-1-i at a1, ..], n1 = r.shape[a1].
func rot90Once(r *ref, a0, a1 int) *ref {
	shape := slices.Clone(r.shape)
	shape[a0], shape[a1] = r.shape[a1], r.shape[a0]
	o := newRef(shape, r.dt)
	st := strides(r.shape)
	idx := make([]int, len(shape))
	for k := 0; k < o.n(); k++ {
		unravel(k, shape, idx)
		src := 0
		for a, i := range idx {
			switch a {
			case a0:
				src += idx[a1] * st[a0]
			case a1:
				src += (r.shape[a1] - 1 - idx[a0]) * st[a1]
			default:
				src += i * st[a]
			}
		}
		o.copyFrom(k, r, src)
	}
	return o
}

// flipRef is r reversed along axis ax by a loop.
func flipRef(r *ref, ax int) *ref {
	return gatherRef(r, r.shape, func(a, i int) int {
		if a == ax {
			return r.shape[a] - 1 - i
		}
		return i
	}, 0)
}

// TestFlipsRot90: Fliplr, Flipud and Rot90 with k from -9 to 9 and
// random (possibly negative, either order) axes, against loops (rot90
// is one quarter turn applied k mod 4 times).
func TestFlipsRot90(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(15); c++ {
		x := v.operand(v.shape(1, 4), v.dtype(), vSpecial)
		nd := len(x.ref.shape)
		desc := fmt.Sprintf("case %d: %v", c, x)
		exact(t, desc+" flipud", v.one(desc, x.a.Flipud()), flipRef(x.ref, 0))
		if nd < 2 {
			wantErr(t, desc+" fliplr", x.a.Fliplr().Err(), "fliplr", ">= 2-d")
			wantErr(t, desc+" rot90", x.a.Rot90(1).Err(), "rot90", "out of bounds")
			continue
		}
		exact(t, desc+" fliplr", v.one(desc, x.a.Fliplr()), flipRef(x.ref, 1))
		k := v.r.IntN(19) - 9
		a0 := v.r.IntN(nd)
		a1 := (a0 + 1 + v.r.IntN(nd-1)) % nd
		axes := []int{a0 - nd*v.r.IntN(2), a1 - nd*v.r.IntN(2)}
		var z *array.Array
		if a0 == 0 && a1 == 1 && v.r.IntN(2) == 0 {
			axes = nil
			z = x.a.Rot90(k)
		} else {
			z = x.a.Rot90(k, axes...)
		}
		want := x.ref
		for range ((k % 4) + 4) % 4 {
			want = rot90Once(want, a0, a1)
		}
		d := fmt.Sprintf("%s rot90(k=%d, axes=%v)", desc, k, axes)
		exact(t, d, v.one(d, z), want)
		if t.Failed() {
			return
		}
	}
}

// TestLike: FullLike, ZerosLike and OnesLike keep the input's shape,
// dtype and chunks (empty blocks too) and hold the value cast to the
// dtype.
func TestLike(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(15); c++ {
		x := v.operand(v.shape(0, 4), v.dtype(), vSmall)
		val := []float64{0, 1, -3, 2.5, -7.75}[v.r.IntN(5)]
		desc := fmt.Sprintf("case %d: like(%v, %v)", c, x, val)
		zs := []*array.Array{array.FullLike(x.a, val), array.ZerosLike(x.a), array.OnesLike(x.a)}
		got := v.computeAll(desc, zs)
		for i, f := range []float64{val, 0, 1} {
			want := newRef(x.ref.shape, x.ref.dt)
			for k := 0; k < want.n(); k++ {
				want.setFill(k, f)
			}
			exact(t, fmt.Sprintf("%s %d", desc, i), got[i], want)
			if !zs[i].Chunks().Equal(x.a.Chunks()) {
				t.Errorf("%s %d: chunks %v, want %v", desc, i, zs[i].Chunks(), x.a.Chunks())
			}
		}
		if t.Failed() {
			return
		}
	}
}

// TestIdentityTri: Identity and Tri (ones where j - i <= k) on random
// sizes, offsets, dtypes and chunks against loops.
func TestIdentityTri(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(15); c++ {
		n, m := v.axisLen(), v.axisLen()
		k := v.r.IntN(11) - 5
		dt := v.dtype()
		ch := v.chunks([]int{n, m})
		desc := fmt.Sprintf("case %d: tri(%d, %d, %d, %v, chunks %v)", c, n, m, k, dt, ch)
		want := newRef([]int{n, m}, dt)
		for i := range n {
			for j := range m {
				want.setFill(i*m+j, float64(b2i(j-i <= k)))
			}
		}
		exact(t, desc, v.one(desc, array.Tri(n, m, k, dt, array.ExplicitChunks(ch))), want)
		sq := v.chunks([]int{n, n})
		desc = fmt.Sprintf("case %d: identity(%d, %v, chunks %v)", c, n, dt, sq)
		want = newRef([]int{n, n}, dt)
		for i := range n {
			want.setFill(i*n+i, 1)
		}
		exact(t, desc, v.one(desc, array.Identity(n, dt, array.ExplicitChunks(sq))), want)
		if t.Failed() {
			return
		}
	}
}

// TestMeshgrid: 0 to 3 inputs (1-d, or 2-d flattened) of random dtypes
// and chunks, "xy" and "ij", against loops; a 1-d input's chunks are the
// chunks of its output axis.
func TestMeshgrid(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(15); c++ {
		m := v.r.IntN(4)
		xs := make([]operand, m)
		arrs := make([]*array.Array, m)
		flat := make([]*ref, m)
		for i := range xs {
			xs[i] = v.operand(v.shape(1, 1+v.r.IntN(2)), v.dtype(), vSpecial)
			arrs[i], flat[i] = xs[i].a, xs[i].ref.reshaped([]int{xs[i].ref.n()})
		}
		indexing := []string{"xy", "ij"}[v.r.IntN(2)]
		at := make([]int, m) // output axis of each input
		for i := range at {
			at[i] = i
		}
		if indexing == "xy" && m > 1 {
			at[0], at[1] = 1, 0
		}
		shape := make([]int, m)
		for i, f := range flat {
			shape[at[i]] = f.n()
		}
		desc := fmt.Sprintf("case %d: meshgrid(%v, %q)", c, xs, indexing)
		zs := array.Meshgrid(arrs, indexing)
		if len(zs) != m {
			t.Fatalf("%s: %d outputs, want %d", desc, len(zs), m)
		}
		if m == 0 {
			continue
		}
		got := v.computeAll(desc, zs)
		idx := make([]int, m)
		for i, f := range flat {
			want := newRef(shape, f.dt)
			for k := 0; k < want.n(); k++ {
				unravel(k, shape, idx)
				want.copyFrom(k, f, idx[at[i]])
			}
			exact(t, fmt.Sprintf("%s output %d", desc, i), got[i], want)
			if len(xs[i].ref.shape) == 1 {
				for j := range xs {
					if len(xs[j].ref.shape) == 1 && !slices.Equal(zs[i].Chunks()[at[j]], xs[j].ch[0]) {
						t.Errorf("%s output %d: chunks %v along axis %d, want input %d's %v", desc, i, zs[i].Chunks(), at[j], j, xs[j].ch[0])
					}
				}
			}
		}
		if t.Failed() {
			return
		}
	}
}

// TestIndices: Indices of random 0-d to 3-d shapes, dtypes and chunks
// against loops.
func TestIndices(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(15); c++ {
		shape := v.shape(0, 3)
		dt := v.dtype()
		ch := v.chunks(shape)
		desc := fmt.Sprintf("case %d: indices(%v, %v, chunks %v)", c, shape, dt, ch)
		out := append([]int{len(shape)}, shape...)
		want := newRef(out, dt)
		idx := make([]int, len(out))
		for k := 0; k < want.n(); k++ {
			unravel(k, out, idx)
			want.setFill(k, float64(idx[1+idx[0]]))
		}
		exact(t, desc, v.one(desc, array.Indices(shape, dt, array.ExplicitChunks(ch))), want)
		if t.Failed() {
			return
		}
	}
}

// insertValues is a random values operand (no NaN or infinities, whose
// casts to integers the ref does not model) for inserting along axis a
// of shape: a scalar, or (k, the other axes...) with some of those 1, or
// (for 2-d or more) a 1-d array the length of the slot's second to last
// axis (NumPy's values of ndim 1 lie along it after moveaxis).
func (v *env) insertValues(shape []int, a int) operand {
	nd := len(shape)
	dt := v.dtype()
	switch p := v.r.IntN(3); {
	case p == 0:
		return v.operand(nil, dt, vSmall)
	case p == 1 && nd >= 2:
		// ndmin: (1, ..., 1, m); moveaxis(0, a) puts m at nd-1, or at
		// nd-2 when a == nd-1
		t := nd - 1
		if a == nd-1 {
			t = nd - 2
		}
		m := shape[t]
		if v.r.IntN(4) == 0 {
			m = 1
		}
		return v.operand([]int{m}, dt, vSmall)
	}
	s := []int{v.r.IntN(4)}
	for b, n := range shape {
		if b != a {
			if v.r.IntN(4) == 0 {
				n = 1
			}
			s = append(s, n)
		}
	}
	return v.operand(s, dt, vSmall)
}

// refInsert is NumPy's insert(x, index, vals, axis) by loops: vals cast
// to x's dtype, given leading ones up to x's ndim, axis 0 moved to
// axis, then broadcast into the slot.
func refInsert(x, vals *ref, index, axis int) *ref {
	nd := len(x.shape)
	w := vals.astype(x.dt)
	for len(w.shape) < nd {
		w = w.reshaped(append([]int{1}, w.shape...))
	}
	perm := []int{}
	for b := 1; b < nd; b++ {
		perm = append(perm, b)
	}
	perm = slices.Insert(perm, axis, 0)
	w = w.transpose(perm)
	k := w.shape[axis]
	shape := slices.Clone(x.shape)
	shape[axis] += k
	o := newRef(shape, x.dt)
	st := strides(x.shape)
	idx := make([]int, nd)
	for q := 0; q < o.n(); q++ {
		unravel(q, shape, idx)
		i := idx[axis]
		if i >= index && i < index+k {
			idx[axis] = i - index
			o.copyFrom(q, w, w.bcastIndex(idx))
			continue
		}
		if i >= index+k {
			idx[axis] = i - k
		}
		src := 0
		for b := range idx {
			src += idx[b] * st[b]
		}
		o.copyFrom(q, x, src)
	}
	return o
}

// TestInsertDeleteAppend: Insert of scalars, rows and 1-d values at
// random (negative) positions, Delete of random (negative, repeated)
// positions, few (an index-map layer) or many (Take), and Append of
// arrays of random dtypes, against loops.
func TestInsertDeleteAppend(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(20); c++ {
		x := v.operand(v.shape(1, 3), v.dtype(), vSpecial)
		shape := x.ref.shape
		nd := len(shape)
		a := v.r.IntN(nd)
		ax := a - nd*v.r.IntN(2)
		n := shape[a]
		desc := fmt.Sprintf("case %d: %v axis %d", c, x, ax)
		// insert
		index := v.r.IntN(2*n+1) - n
		vals := v.insertValues(shape, a)
		norm := index
		if norm < 0 {
			norm += n
		}
		d := fmt.Sprintf("%s insert(%d, %v)", desc, index, vals)
		exact(t, d, v.one(d, x.a.Insert(index, vals.a, ax)), refInsert(x.ref, vals.ref, norm, a))
		// delete: none, a few, or many positions
		del := make([]int, []int{0, 1, 2, 3 + n}[v.r.IntN(4)])
		drop := make([]bool, n)
		for i := range del {
			if n == 0 {
				break
			}
			del[i] = v.r.IntN(2*n) - n
			drop[(del[i]+n)%n] = true
		}
		if n == 0 {
			del = nil
		}
		var keep []int
		for i := range n {
			if !drop[i] {
				keep = append(keep, i)
			}
		}
		kshape := slices.Clone(shape)
		kshape[a] = len(keep)
		want := gatherRef(x.ref, kshape, func(b, i int) int {
			if b == a {
				return keep[i]
			}
			return i
		}, 0)
		d = fmt.Sprintf("%s delete(%v)", desc, del)
		exact(t, d, v.one(d, x.a.Delete(del, ax)), want)
		// append
		s := slices.Clone(shape)
		s[a] = v.axisLen()
		y := v.operand(s, v.dtype(), vSpecial)
		d = fmt.Sprintf("%s append(%v)", desc, y)
		exact(t, d, v.one(d, x.a.Append(y.a, ax)), refConcat([]*ref{x.ref, y.ref}, a))
		if t.Failed() {
			return
		}
	}
}

// TestDeleteLowering: deleting a few positions is an index map over the
// input's blocks; deleting many is a Take.
func TestDeleteLowering(t *testing.T) {
	count := func(x *array.Array) map[string]int {
		g, _, err := array.Graph([]*array.Array{x}, array.NoFuse())
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, tk := range g.Tasks {
			m[tk.Op.Name]++
		}
		return m
	}
	x := array.FromSlice(make([]float64, 40), []int{4, 10}, array.Chunked(2, 5))
	if m := count(x.Delete([]int{3}, 1)); m[graph.OpTake] != 0 {
		t.Errorf("one deleted: tasks %v", m)
	}
	if got := x.Delete([]int{3}, 1).Chunks(); !slices.Equal(got[1], []int{3, 1, 5}) {
		t.Errorf("one deleted: chunks %v, want [3 1 5] along axis 1", got)
	}
	if m := count(x.Delete([]int{1, 3, 5, 7}, 1)); m[graph.OpTake] == 0 {
		t.Errorf("every other deleted: tasks %v, want take", m)
	}
}

// TestStackingErrors: bad input to the routines of stacking.go is a
// sticky error naming the op and what is wrong.
func TestStackingErrors(t *testing.T) {
	x := array.Zeros([]int{2, 3}, graph.Float64)
	s := array.Zeros(nil, graph.Float64)
	bad := x.Reshape(7)
	one := func(xs []*array.Array) *array.Array {
		if len(xs) != 1 {
			return array.Zeros([]int{len(xs)}, graph.Float64) // no error: wantErr reports it
		}
		return xs[0]
	}
	for _, tc := range []struct {
		desc  string
		z     *array.Array
		parts []string
	}{
		{"vstack none", array.Vstack(nil), []string{"vstack", "at least one"}},
		{"vstack shapes", array.Vstack([]*array.Array{x, x.T()}), []string{"vstack", "(2, 3), (3, 2)"}},
		{"vstack sticky", array.Vstack([]*array.Array{x, bad}), []string{"reshape"}},
		{"hstack none", array.Hstack(nil), []string{"hstack"}},
		{"hstack ndim", array.Hstack([]*array.Array{x.Ravel(), x}), []string{"hstack", "same number of dimensions"}},
		{"dstack shapes", array.Dstack([]*array.Array{x, x.T()}), []string{"dstack", "must match"}},
		{"column_stack shapes", array.ColumnStack([]*array.Array{x.Ravel(), x}), []string{"column_stack", "must match"}},
		{"split 0", one(x.Split(0, 1)), []string{"split", "larger than 0"}},
		{"split unequal", one(x.Split(2, 1)), []string{"split", "equal division", "(2, 3)"}},
		{"split axis", one(x.Split(1, 2)), []string{"split", "out of bounds"}},
		{"split 0-d", one(s.Split(1, 0)), []string{"split", "out of bounds"}},
		{"split sticky", one(bad.Split(1, 0)), []string{"reshape"}},
		{"array_split 0", one(x.ArraySplit(0, 0)), []string{"array_split", "larger than 0"}},
		{"array_split axis", one(x.ArraySplit(2, -3)), []string{"array_split", "out of bounds"}},
		{"split_at axis", one(x.SplitAt([]int{1}, 2)), []string{"split", "out of bounds"}},
		{"hsplit 0-d", one(s.Hsplit(1)), []string{"hsplit", "1 or more"}},
		{"hsplit unequal", one(x.Hsplit(2)), []string{"split", "equal division"}},
		{"vsplit 1-d", one(x.Ravel().Vsplit(1)), []string{"vsplit", "2 or more"}},
		{"dsplit 2-d", one(x.Dsplit(1)), []string{"dsplit", "3 or more"}},
		{"fliplr 1-d", x.Ravel().Fliplr(), []string{"fliplr", ">= 2-d"}},
		{"flipud 0-d", s.Flipud(), []string{"flipud", ">= 1-d"}},
		{"rot90 one axis", x.Rot90(1, 0), []string{"rot90", "len(axes) must be 2"}},
		{"rot90 same", x.Rot90(1, 0, -2), []string{"rot90", "different"}},
		{"rot90 range", x.Rot90(1, 0, 2), []string{"rot90", "out of bounds"}},
		{"full_like sticky", array.FullLike(bad, 1), []string{"reshape"}},
		{"zeros_like nil", array.ZerosLike(nil), []string{"nil"}},
		{"identity", array.Identity(-1, graph.Float64), []string{"identity", "negative"}},
		{"identity dtype", array.Identity(2, graph.Invalid), []string{"identity", "dtype"}},
		{"tri", array.Tri(2, -3, 0, graph.Int32), []string{"tri", "negative"}},
		{"tri chunks", array.Tri(2, 3, 0, graph.Int32, array.ExplicitChunks([][]int{{1}, {3}})), []string{"tri", "chunks"}},
		{"meshgrid indexing", one(array.Meshgrid([]*array.Array{x}, "yx")), []string{"meshgrid", "indexing", "yx"}},
		{"meshgrid sticky", one(array.Meshgrid([]*array.Array{x, bad}, "xy")), []string{"reshape"}},
		{"indices", array.Indices([]int{2, -1}, graph.Int64), []string{"indices", "negative"}},
		{"indices chunks", array.Indices([]int{2, 3}, graph.Int64, array.ExplicitChunks([][]int{{2}})), []string{"indices", "chunks"}},
		{"insert index", x.Insert(4, s, 1), []string{"insert", "index 4", "size 3"}},
		{"insert index neg", x.Insert(-4, s, 1), []string{"insert", "index -4", "size 3"}},
		{"insert axis", x.Insert(0, s, 2), []string{"insert", "out of bounds"}},
		{"insert 0-d", s.Insert(0, s, 0), []string{"insert", "out of bounds"}},
		{"insert values", x.Insert(0, array.Zeros([]int{3}, graph.Float64), 1), []string{"insert", "broadcast", "(3,)"}},
		{"insert sticky", x.Insert(0, bad, 0), []string{"reshape"}},
		{"delete index", x.Delete([]int{0, 3}, 1), []string{"delete", "index 3", "size 3"}},
		{"delete index neg", x.Delete([]int{-3}, 0), []string{"delete", "index -3", "size 2"}},
		{"delete axis", x.Delete(nil, -3), []string{"delete", "out of bounds"}},
		{"append ndim", x.Append(x.Ravel(), 0), []string{"append", "same number of dimensions"}},
		{"append shapes", x.Append(x.T(), 0), []string{"append", "must match"}},
		{"append sticky", x.Append(bad, 0), []string{"reshape"}},
	} {
		wantErr(t, tc.desc, tc.z.Err(), tc.parts...)
	}
}
