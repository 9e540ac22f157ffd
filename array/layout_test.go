package array_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// reshapeTarget is a random shape with the same number of elements:
// adjacent axes merged, an axis split, ones inserted or removed, or the
// size's factors spread at random; sometimes with one -1.
func (v *env) reshapeTarget(shape []int) (given, want []int) {
	n := size(shape)
	var out []int
	switch p := v.r.IntN(4); {
	case n == 0:
		out = make([]int, 1+v.r.IntN(4))
		for a := range out {
			out[a] = v.r.IntN(4)
		}
		out[v.r.IntN(len(out))] = 0
	case p == 0 && len(shape) > 1: // merge a run
		i := v.r.IntN(len(shape) - 1)
		j := i + 2 + v.r.IntN(len(shape)-i-1)
		out = append(append(append([]int{}, shape[:i]...), size(shape[i:j])), shape[j:]...)
	case p == 1 && len(shape) > 0: // split an axis
		a := v.r.IntN(len(shape))
		fs := factors(shape[a])
		parts := []int{1, 1}
		for _, f := range fs {
			parts[v.r.IntN(2)] *= f
		}
		out = append(append(append([]int{}, shape[:a]...), parts...), shape[a+1:]...)
	case p == 2: // ones in and out
		for _, s := range shape {
			if s != 1 || v.r.IntN(2) == 0 {
				out = append(out, s)
			}
			if v.r.IntN(3) == 0 {
				out = append(out, 1)
			}
		}
	default:
		nd := v.r.IntN(5)
		if nd == 0 && n != 1 {
			nd = 1
		}
		out = make([]int, nd)
		for a := range out {
			out[a] = 1
		}
		for _, f := range factors(n) {
			out[v.r.IntN(nd)] *= f
		}
	}
	want = out
	given = append([]int{}, out...)
	if n > 0 && len(given) > 0 && v.r.IntN(3) == 0 {
		given[v.r.IntN(len(given))] = -1
	}
	return given, want
}

func factors(n int) []int {
	var fs []int
	for p := 2; p*p <= n; p++ {
		for n%p == 0 {
			fs = append(fs, p)
			n /= p
		}
	}
	if n > 1 {
		fs = append(fs, n)
	}
	return fs
}

func TestReshape(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(150); c++ {
		x := v.operand(v.shape(0, 4), v.dtype(), vSpecial)
		given, want := v.reshapeTarget(x.ref.shape)
		desc := fmt.Sprintf("case %d: reshape(%v, %v)", c, x, given)
		z := x.a.Reshape(given...)
		if err := z.Err(); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		got := v.one(desc, z)
		exact(t, desc, got, x.ref.reshaped(want))
		if c%4 == 0 { // a consumer, and back
			back := z.Add(z).Reshape(x.ref.shape...)
			exact(t, desc+" x+x back", v.one(desc, back), refArith("add", x.ref, x.ref))
		}
		if c%5 == 0 {
			exact(t, desc+" ravel", v.one(desc, x.a.Ravel()), x.ref.reshaped([]int{x.ref.n()}))
		}
		if t.Failed() {
			return
		}
	}
}

// TestReshapeLowering checks that merging whole trailing axes and
// splitting aligned blocks are alias tasks with no rechunk, and that
// inserting ones is an index map.
func TestReshapeLowering(t *testing.T) {
	count := func(x *array.Array) map[string]int {
		g, _, err := array.Graph([]*array.Array{x}, array.NoFuse())
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, tk := range g.Tasks {
			m[tk.Op.Name]++
		}
		return m
	}
	x := array.Zeros([]int{6, 4, 5}, graph.Float32, array.Chunked(2, 4, 5)).Add(array.Float(1))
	if m := count(x.Reshape(6, 20)); m[graph.OpAlias] != 3 || m[graph.OpAssemble] != 0 {
		t.Errorf("merge: tasks %v", m)
	}
	if got := x.Reshape(6, 20).Chunks(); !slices.Equal(got[1], []int{20}) || !slices.Equal(got[0], []int{2, 2, 2}) {
		t.Errorf("merge chunks %v", got)
	}
	if m := count(x.Reshape(3, 2, 4, 5)); m[graph.OpAlias] != 3 || m[graph.OpAssemble] != 0 {
		t.Errorf("split: tasks %v", m)
	}
	if m := count(x.Reshape(6, 1, 4, 5, 1)); m[graph.OpAlias] != 0 || m[graph.OpAssemble] != 0 {
		t.Errorf("ones: tasks %v", m)
	}
	// a trailing axis that is not whole must be rechunked first
	y := array.FromSlice(make([]float32, 24), []int{6, 4}, array.Chunked(3, 2))
	if m := count(y.Reshape(24)); m[graph.OpAssemble] != 2 || m[graph.OpAlias] != 2 {
		t.Errorf("rechunked merge: tasks %v", m)
	}
	// a generator is rechunked by generating it on the new chunks
	y = array.Zeros([]int{6, 4}, graph.Float32, array.Chunked(3, 2)).Add(array.Float(1))
	if m := count(y.Reshape(24)); m[graph.OpAssemble] != 0 || m[graph.OpAlias] != 2 {
		t.Errorf("rechunked merge of a generator: tasks %v", m)
	}
}

func TestSqueezeExpandMove(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(100); c++ {
		x := v.operand(v.shape(0, 4), v.dtype(), vSpecial)
		shape := x.ref.shape
		nd := len(shape)
		desc := fmt.Sprintf("case %d: %v", c, x)
		// squeeze some or all ones
		var axes, kept []int
		for a, n := range shape {
			if n == 1 && v.r.IntN(2) == 0 {
				axes = append(axes, a-nd*v.r.IntN(2))
			} else {
				kept = append(kept, n)
			}
		}
		if len(axes) == 0 {
			kept = dropOnesRef(shape)
		}
		exact(t, desc+fmt.Sprintf(" squeeze%v", axes), v.one(desc, x.a.Squeeze(axes...)), x.ref.reshaped(kept))
		exact(t, desc+" squeeze()", v.one(desc, x.a.Squeeze()), x.ref.reshaped(dropOnesRef(shape)))
		// expand
		k := v.r.IntN(3)
		pos := v.r.Perm(nd + k)[:k]
		ex := make([]int, 0, nd+k)
		isNew := make([]bool, nd+k)
		for _, p := range pos {
			isNew[p] = true
		}
		for o, a := 0, 0; o < nd+k; o++ {
			if isNew[o] {
				ex = append(ex, 1)
			} else {
				ex = append(ex, shape[a])
				a++
			}
		}
		exact(t, desc+fmt.Sprintf(" expand_dims%v", pos), v.one(desc, x.a.ExpandDims(pos...)), x.ref.reshaped(ex))
		if nd == 0 {
			continue
		}
		// moveaxis, swapaxes, flip
		s, d := v.r.IntN(nd), v.r.IntN(nd)
		var perm []int
		for a := 0; a < nd; a++ {
			if a != s {
				perm = append(perm, a)
			}
		}
		perm = slices.Insert(perm, d, s)
		exact(t, desc+fmt.Sprintf(" moveaxis(%d, %d)", s, d), v.one(desc, x.a.MoveAxis(s-nd, d)), x.ref.transpose(perm))
		sw := make([]int, nd)
		for a := range sw {
			sw[a] = a
		}
		sw[s], sw[d] = d, s
		exact(t, desc+fmt.Sprintf(" swapaxes(%d, %d)", s, d), v.one(desc, x.a.SwapAxes(s, d-nd)), x.ref.transpose(sw))
		var fl []int
		flipped := make([]bool, nd)
		for a := 0; a < nd; a++ {
			if v.r.IntN(2) == 0 {
				fl = append(fl, a)
				flipped[a] = true
			}
		}
		if len(fl) == 0 {
			for a := range flipped {
				flipped[a] = true
			}
		}
		want := gatherRef(x.ref, shape, func(a, i int) int {
			if flipped[a] {
				return shape[a] - 1 - i
			}
			return i
		}, 0)
		exact(t, desc+fmt.Sprintf(" flip%v", fl), v.one(desc, x.a.Flip(fl...)), want)
		if t.Failed() {
			return
		}
	}
}

func dropOnesRef(s []int) []int {
	var out []int
	for _, n := range s {
		if n != 1 {
			out = append(out, n)
		}
	}
	return out
}

func TestBroadcastTo(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(100); c++ {
		x := v.operand(v.shape(0, 3), v.dtype(), vSpecial)
		var out []int
		for k := v.r.IntN(3); k > 0; k-- {
			out = append(out, v.axisLen())
		}
		for _, n := range x.ref.shape {
			if n == 1 && v.r.IntN(2) == 0 {
				n = v.axisLen()
			}
			out = append(out, n)
		}
		desc := fmt.Sprintf("case %d: broadcast_to(%v, %v)", c, x, out)
		want := mapN(x.ref.dt, []*ref{x.ref, newRef(out, graph.Bool)}, func(o *ref, k int, ks []int) { o.copyFrom(k, x.ref, ks[0]) })
		exact(t, desc, v.one(desc, x.a.BroadcastTo(out...)), want)
		ch := v.chunks(out)
		z := x.a.BroadcastToWith(out, array.ExplicitChunks(ch))
		exact(t, desc+fmt.Sprintf(" chunks %v", ch), v.one(desc, z), want)
		if got := z.Chunks(); !got.Equal(ch) {
			t.Errorf("%s: chunks %v, want %v", desc, got, ch)
		}
		if t.Failed() {
			return
		}
	}
}

func TestConcatenateStackBlock(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(60); c++ {
		base := v.shape(1, 4)
		nd := len(base)
		ax := v.r.IntN(nd)
		k := 1 + v.r.IntN(3)
		xs := make([]operand, k)
		refs := make([]*ref, k)
		arrs := make([]*array.Array, k)
		for i := range xs {
			s := append([]int{}, base...)
			s[ax] = v.axisLen()
			xs[i] = v.operand(s, v.dtype(), vSpecial)
			refs[i], arrs[i] = xs[i].ref, xs[i].a
		}
		desc := fmt.Sprintf("case %d: concatenate(%v, %d)", c, xs, ax)
		z := array.Concatenate(arrs, ax-nd*v.r.IntN(2))
		exact(t, desc, v.one(desc, z), refConcat(refs, ax))
		if c%5 == 0 { // one input twice
			exact(t, desc+" (x, x)", v.one(desc, array.Concatenate([]*array.Array{arrs[0], arrs[0]}, ax)), refConcat([]*ref{refs[0], refs[0]}, ax))
		}
		if c%3 == 0 {
			sameResult(t, desc+" NoFuse", v.one(desc, z.MulScalar(3)), v.one(desc, z.MulScalar(3), array.NoFuse()))
		}
		// stack: same shapes
		sx := make([]*array.Array, k)
		sr := make([]*ref, k)
		for i := range sx {
			o := v.operand(base, xs[i].ref.dt, vSpecial)
			sx[i] = o.a
			e := append(append(append([]int{}, base[:ax]...), 1), base[ax:]...)
			sr[i] = o.ref.reshaped(e)
		}
		desc = fmt.Sprintf("case %d: stack(%v, %d)", c, base, ax)
		exact(t, desc, v.one(desc, array.Stack(sx, ax)), refConcat(sr, ax))
		// block: a 2x2 grid of 2-d pieces
		if nd == 2 {
			r0, r1, c0, c1 := v.axisLen(), v.axisLen(), v.axisLen(), v.axisLen()
			dt := v.dtype()
			a, b := v.operand([]int{r0, c0}, dt, vSmall), v.operand([]int{r0, c1}, dt, vSmall)
			cc, d := v.operand([]int{r1, c0}, dt, vSmall), v.operand([]int{r1, c1}, dt, vSmall)
			want := refConcat([]*ref{refConcat([]*ref{a.ref, b.ref}, 1), refConcat([]*ref{cc.ref, d.ref}, 1)}, 0)
			desc = fmt.Sprintf("case %d: block(%v %v; %v %v)", c, a, b, cc, d)
			exact(t, desc, v.one(desc, array.Block([][]*array.Array{{a.a, b.a}, {cc.a, d.a}})), want)
		}
		if t.Failed() {
			return
		}
	}
}

func TestRollTileRepeat(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(60); c++ {
		x := v.operand(v.shape(0, 4), v.dtype(), vSpecial)
		shape := x.ref.shape
		nd := len(shape)
		shift := v.r.IntN(21) - 10
		desc := fmt.Sprintf("case %d: %v", c, x)
		// roll flat
		n := x.ref.n()
		flat := x.ref.reshaped([]int{n})
		rolled := gatherRef(flat, []int{n}, func(_, i int) int { return ((i-shift)%n + n) % n }, 0)
		exact(t, desc+fmt.Sprintf(" roll(%d)", shift), v.one(desc, x.a.Roll(shift)), rolled.reshaped(shape))
		if nd > 0 {
			ax := v.r.IntN(nd)
			want := gatherRef(x.ref, shape, func(a, i int) int {
				if a != ax {
					return i
				}
				return ((i-shift)%shape[a] + shape[a]) % shape[a]
			}, 0)
			exact(t, desc+fmt.Sprintf(" roll(%d, %d)", shift, ax), v.one(desc, x.a.Roll(shift, ax)), want)
			// repeat along an axis
			r := v.r.IntN(4)
			out := append([]int{}, shape...)
			out[ax] *= r
			want = gatherRef(x.ref, out, func(a, i int) int {
				if a == ax {
					return i / r
				}
				return i
			}, 0)
			exact(t, desc+fmt.Sprintf(" repeat(%d, %d)", r, ax), v.one(desc, x.a.Repeat(r, ax-nd)), want)
		}
		r := v.r.IntN(3)
		want := gatherRef(flat, []int{n * r}, func(_, i int) int { return i / r }, 0)
		exact(t, desc+fmt.Sprintf(" repeat(%d)", r), v.one(desc, x.a.Repeat(r)), want)
		// tile
		reps := make([]int, v.r.IntN(nd+2))
		for i := range reps {
			reps[i] = v.r.IntN(4)
		}
		td := max(nd, len(reps))
		xs := append(onesInts(td-nd), shape...)
		fr := append(onesInts(td-len(reps)), reps...)
		out := make([]int, td)
		for a := range out {
			out[a] = xs[a] * fr[a]
		}
		want = gatherRef(x.ref.reshaped(xs), out, func(a, i int) int { return i % xs[a] }, 0)
		exact(t, desc+fmt.Sprintf(" tile(%v)", reps), v.one(desc, x.a.Tile(reps...)), want)
		if t.Failed() {
			return
		}
	}
}

func onesInts(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

func TestPad(t *testing.T) {
	v := newEnv(t)
	modes := []array.PadMode{array.PadConstant, array.PadEdge, array.PadReflect, array.PadWrap, array.PadSymmetric}
	for c := 0; c < cases(60); c++ {
		mode := modes[v.r.IntN(len(modes))]
		var shape []int
		for _, n := range v.shape(0, 4) {
			if mode != array.PadConstant && n == 0 {
				n = 1 + v.r.IntN(4)
			}
			shape = append(shape, n)
		}
		x := v.operand(shape, v.dtype(), vSpecial)
		nd := len(shape)
		w := make([][2]int, nd)
		for a := range w {
			if v.r.IntN(3) > 0 {
				w[a] = [2]int{v.r.IntN(6), v.r.IntN(6)}
			}
		}
		given := w
		if nd > 1 && v.r.IntN(5) == 0 {
			given = w[:1]
			for a := range w {
				w[a] = w[0]
			}
		}
		out := make([]int, nd)
		for a := range out {
			out[a] = shape[a] + w[a][0] + w[a][1]
		}
		value := float64(v.r.IntN(7) - 3)
		desc := fmt.Sprintf("case %d: pad(%v, %v, %v, %v)", c, x, given, mode, value)
		want := gatherRef(x.ref, out, func(a, i int) int { return padSrc(mode.String(), shape[a], w[a][0], i) }, value)
		z := x.a.Pad(given, mode, value)
		exact(t, desc, v.one(desc, z), want)
		if c%4 == 0 {
			sameResult(t, desc+" NoFuse", v.one(desc, z), v.one(desc, z, array.NoFuse()))
		}
		if t.Failed() {
			return
		}
	}
}

func TestTriDiag(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(60); c++ {
		x := v.operand(v.shape(2, 4), v.dtype(), vSpecial)
		k := v.r.IntN(9) - 4
		desc := fmt.Sprintf("case %d: %v k=%d", c, x, k)
		exact(t, desc+" tril", v.one(desc, x.a.Tril(k)), refTri(x.ref, k, true))
		exact(t, desc+" triu", v.one(desc, x.a.Triu(k)), refTri(x.ref, k, false))
		m := v.operand(v.shape(2, 2), v.dtype(), vSpecial)
		desc = fmt.Sprintf("case %d: diag(%v, %d)", c, m, k)
		exact(t, desc, v.one(desc, m.a.Diag(k)), refDiag(m.ref, k))
		d := v.operand(v.shape(1, 1), v.dtype(), vSpecial)
		desc = fmt.Sprintf("case %d: diag(%v, %d)", c, d, k)
		exact(t, desc, v.one(desc, d.a.Diag(k)), refDiag(d.ref, k))
		if t.Failed() {
			return
		}
	}
}

func TestLayoutErrors(t *testing.T) {
	x := array.Zeros([]int{2, 3}, graph.Float64)
	s := array.Zeros(nil, graph.Float64)
	bad := x.Reshape(7)
	for _, tc := range []struct {
		desc  string
		z     *array.Array
		parts []string
	}{
		{"reshape size", x.Reshape(4, 2), []string{"reshape", "(2, 3)", "[4 2]"}},
		{"reshape two -1", x.Reshape(-1, -1), []string{"reshape", "one unknown"}},
		{"reshape negative", x.Reshape(-2, 3), []string{"reshape", "negative"}},
		{"reshape -1 of 0", array.Zeros([]int{0, 3}, graph.Float64).Reshape(0, -1), []string{"reshape", "size 0"}},
		{"squeeze", x.Squeeze(0), []string{"squeeze", "(2, 3)"}},
		{"squeeze axis", x.Squeeze(5), []string{"squeeze", "out of bounds"}},
		{"expand_dims", x.ExpandDims(3), []string{"expand_dims", "out of bounds"}},
		{"expand_dims repeat", x.ExpandDims(0, 0), []string{"expand_dims", "repeated"}},
		{"moveaxis", x.MoveAxis(2, 0), []string{"moveaxis", "out of bounds"}},
		{"swapaxes", x.SwapAxes(0, -3), []string{"swapaxes", "out of bounds"}},
		{"flip", x.Flip(2), []string{"flip", "out of bounds"}},
		{"broadcast_to", x.BroadcastTo(4, 3), []string{"broadcast_to", "(2, 3)", "(4, 3)"}},
		{"broadcast_to rank", x.BroadcastTo(3), []string{"broadcast_to", "(2, 3)"}},
		{"concatenate none", array.Concatenate(nil, 0), []string{"concatenate"}},
		{"concatenate 0-d", array.Concatenate([]*array.Array{s, s}, 0), []string{"concatenate", "zero-dimensional"}},
		{"concatenate shapes", array.Concatenate([]*array.Array{x, x.T()}, 0), []string{"concatenate", "(2, 3), (3, 2)"}},
		{"concatenate ndim", array.Concatenate([]*array.Array{x, x.Ravel()}, 0), []string{"concatenate", "(2, 3), (6,)"}},
		{"concatenate axis", array.Concatenate([]*array.Array{x, x}, 2), []string{"concatenate", "out of bounds"}},
		{"concatenate sticky", array.Concatenate([]*array.Array{x, bad}, 0), []string{"reshape"}},
		{"stack shapes", array.Stack([]*array.Array{x, x.T()}, 0), []string{"stack", "(2, 3), (3, 2)"}},
		{"stack axis", array.Stack([]*array.Array{x, x}, 3), []string{"stack", "out of bounds"}},
		{"block empty", array.Block([][]*array.Array{{}}), []string{"block"}},
		{"block shapes", array.Block([][]*array.Array{{x, x.T()}}), []string{"block", "concatenate"}},
		{"roll", x.Roll(1, 2), []string{"roll", "out of bounds"}},
		{"tile", x.Tile(-1), []string{"tile", "negative", "(2, 3)"}},
		{"repeat", x.Repeat(-1, 0), []string{"repeat", "negative"}},
		{"repeat axis", x.Repeat(2, 2), []string{"repeat", "out of bounds"}},
		{"pad widths", x.Pad([][2]int{{1, 1}, {1, 1}, {1, 1}}, array.PadConstant, 0), []string{"pad", "(2, 3)"}},
		{"pad negative", x.Pad([][2]int{{-1, 1}}, array.PadEdge, 0), []string{"pad", "negative"}},
		{"pad empty", array.Zeros([]int{0, 3}, graph.Float64).Pad([][2]int{{1, 0}, {0, 0}}, array.PadReflect, 0), []string{"pad", "empty axis", "reflect"}},
		{"tril", s.Tril(0), []string{"tril", "()"}},
		{"triu", s.Triu(0), []string{"triu", "()"}},
		{"diag", array.Zeros([]int{2, 2, 2}, graph.Float64).Diag(0), []string{"diag", "(2, 2, 2)"}},
	} {
		wantErr(t, tc.desc, tc.z.Err(), tc.parts...)
	}
}
