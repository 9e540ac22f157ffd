package array_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/graph"
)

func TestTranspose(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(300); c++ {
		x := v.operand(v.shape(0, 4), v.dtype(), vSpecial)
		nd := len(x.ref.shape)
		perm := v.r.Perm(nd)
		given := append([]int{}, perm...)
		for i := range given {
			if v.r.IntN(3) == 0 {
				given[i] -= nd
			}
		}
		desc := fmt.Sprintf("case %d: transpose(%v, %v)", c, x, given)
		exact(t, desc, v.one(desc, x.a.Transpose(given...)), x.ref.transpose(perm))
		rev := make([]int, nd)
		for i := range rev {
			rev[i] = nd - 1 - i
		}
		exact(t, desc+" .T", v.one(desc, x.a.T()), x.ref.transpose(rev))
		exact(t, desc+" transpose()", v.one(desc, x.a.Transpose()), x.ref.transpose(rev))
		if got := x.a.Transpose(given...).Chunks(); nd > 0 && !got.Equal(permChunks(x.ch, perm)) {
			t.Errorf("%s: chunks %v", desc, got)
		}
		if t.Failed() {
			return
		}
	}
}

func permChunks(c chunks.Chunks, perm []int) chunks.Chunks {
	out := make(chunks.Chunks, len(perm))
	for o, a := range perm {
		out[o] = c[a]
	}
	return out
}

// randIndex makes a valid basic index for shape: nc consuming entries
// (slices, integers), maybe split by an ellipsis, with new axes sprinkled.
func (v *env) randIndex(shape []int) []ix {
	nd := len(shape)
	nc := v.r.IntN(nd + 1)
	ell := v.r.IntN(3) == 0
	p := nc
	if ell {
		p = v.r.IntN(nc + 1)
	}
	var axes []int
	for a := 0; a < p; a++ {
		axes = append(axes, a)
	}
	if ell {
		axes = append(axes, -1)
		for a := nd - (nc - p); a < nd; a++ {
			axes = append(axes, a)
		}
	}
	var out []ix
	for _, a := range axes {
		if v.r.IntN(6) == 0 {
			out = append(out, ix{kind: 'n'})
		}
		switch {
		case a < 0:
			out = append(out, ix{kind: 'e'})
		case shape[a] > 0 && v.r.IntN(3) == 0:
			i := v.r.IntN(shape[a])
			if v.r.IntN(2) == 0 {
				i -= shape[a]
			}
			out = append(out, ix{kind: 'i', i: i})
		default:
			bound := func() int {
				if v.r.IntN(4) == 0 {
					return array.None
				}
				return v.r.IntN(2*shape[a]+5) - shape[a] - 2
			}
			step := []int{1, 1, 2, 3, -1, -2, array.None}[v.r.IntN(7)]
			out = append(out, ix{kind: 's', start: bound(), stop: bound(), step: step})
		}
	}
	if v.r.IntN(6) == 0 {
		out = append(out, ix{kind: 'n'})
	}
	return out
}

func TestSlice(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(600); c++ {
		x := v.operand(v.shape(0, 4), v.dtype(), vSpecial)
		index := v.randIndex(x.ref.shape)
		idx := make([]array.Index, len(index))
		for i, e := range index {
			idx[i] = e.index()
		}
		desc := fmt.Sprintf("case %d: (%v)%v", c, x, index)
		z := x.a.Slice(idx...)
		if err := z.Err(); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		want := x.ref.slice(index)
		exact(t, desc, v.one(desc, z), want)
		// slicing again, and a consumer: fusion of index maps
		if len(want.shape) > 0 && c%3 == 0 {
			z2 := z.Transpose(v.r.Perm(len(want.shape))...).Slice(array.Sl(array.None, array.None, -1))
			got := v.one(desc, z2)
			sameResult(t, desc+" NoFuse", got, v.one(desc, z2, array.NoFuse()))
		}
		if t.Failed() {
			return
		}
	}
}

func TestRechunk(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(300); c++ {
		x := v.operand(v.shape(0, 4), v.dtype(), vSpecial)
		want := v.chunks(x.ref.shape)
		desc := fmt.Sprintf("case %d: rechunk(%v, %v)", c, x, want)
		z := x.a.Rechunk(array.ExplicitChunks(want))
		if !z.Chunks().Equal(want) {
			t.Errorf("%s: chunks %v", desc, z.Chunks())
		}
		exact(t, desc, v.one(desc, z), x.ref)
		// rechunk feeding elementwise and a reduction
		if len(x.ref.shape) > 0 && x.ref.dt.IsFloat() {
			y := z.Add(x.a)
			exact(t, desc+" + x", v.one(desc, y), refArith("add", x.ref, x.ref))
		}
		if t.Failed() {
			return
		}
	}
	// regular chunk specs
	x := array.Arange(0, 10, 1, graph.Int64, array.Chunked(3)).Rechunk(array.Chunked(4))
	if got := fmt.Sprint([][]int(x.Chunks())); got != "[[4 4 2]]" {
		t.Errorf("rechunk(4) chunks %v", got)
	}
	if got := v.one("rechunk", x).Int64s(); fmt.Sprint(got) != "[0 1 2 3 4 5 6 7 8 9]" {
		t.Errorf("rechunk values %v", got)
	}
}

func TestMatMul(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(250); c++ {
		m, k, n := v.axisLen(), v.axisLen(), v.axisLen()
		dx, dy := v.dtype(), v.dtype()
		kind := vSmall
		// a 1-d x is a row, a 1-d y a column, whose axis the result drops
		xs, ys, out := []int{m, k}, []int{k, n}, []int{m, n}
		if v.r.IntN(4) == 0 {
			m, xs, out = 1, []int{k}, out[1:]
		}
		if v.r.IntN(4) == 0 {
			n, ys, out = 1, []int{k}, out[:len(out)-1]
		}
		x := v.operand(xs, dx, kind)
		y := v.operand(ys, dy, kind)
		desc := fmt.Sprintf("case %d: matmul(%v, %v)", c, x, y)
		z := x.a.MatMul(y.a)
		if err := z.Err(); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		x2, y2 := *x.ref, *y.ref
		x2.shape, y2.shape = []int{m, k}, []int{k, n}
		want := refMatMul(&x2, &y2)
		want.shape = out
		scale := make([]float64, want.n())
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				for l := 0; l < k; l++ {
					scale[i*n+j] += abs(x.ref.fl(i*k+l) * y.ref.fl(l*n+j))
				}
			}
		}
		near(t, desc, v.one(desc, z), want, scale, relTol(want.dt, k))
		if t.Failed() {
			return
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestRechunkGenerator: a generator (random numbers, a range) is
// rechunked by generating it on the new chunks; its values must be those
// of the generator on its own chunks, for every kind and dtype, also when
// an elementwise generator expression is rechunked.
func TestRechunkGenerator(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(60); c++ {
		shape := v.shape(1, 3)
		from, to := v.chunks(shape), v.chunks(shape)
		r := array.NewRandom(v.r.Uint64())
		var x *array.Array
		switch c % 4 {
		case 0:
			x = r.Uniform(-3, 5, shape, graph.Float64, array.ExplicitChunks(from))
		case 1:
			x = r.Normal(1, 2, shape, graph.Float32, array.ExplicitChunks(from))
		case 2:
			x = r.Integers(-7, 100, shape, graph.Int64, array.ExplicitChunks(from))
		default:
			x = r.Uniform(0, 1, shape, graph.Float64, array.ExplicitChunks(from)).MulScalar(3).AddScalar(1)
		}
		desc := fmt.Sprintf("case %d: rechunk of a generator %v from %v to %v", c, shape, from, to)
		want := refOf(v.one(desc+" (own chunks)", x))
		z := x.Rechunk(array.ExplicitChunks(to))
		if !z.Chunks().Equal(to) {
			t.Errorf("%s: chunks %v", desc, z.Chunks())
		}
		exact(t, desc, v.one(desc, z), want)
		if t.Failed() {
			return
		}
	}
}

// TestMatMulStack: operands of 3 or more axes are stacks of matrices
// whose batch axes broadcast (np.matmul), a 1-d operand on either side;
// each matrix against a direct float64 product of the operands' values.
func TestMatMulStack(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(60); c++ {
		m, k, n := 1+v.r.IntN(4), v.r.IntN(4), 1+v.r.IntN(4)
		// batch axes: up to 2, each 1 on one side now and then
		nb := 1 + v.r.IntN(2)
		bx, by := make([]int, nb), make([]int, nb)
		batch := make([]int, nb)
		for i := range batch {
			batch[i] = v.r.IntN(4)
			bx[i], by[i] = batch[i], batch[i]
			switch v.r.IntN(4) {
			case 0:
				bx[i] = 1
			case 1:
				by[i] = 1
			}
			if bx[i] == 1 && by[i] == 1 {
				batch[i] = 1
			}
		}
		// one side may have fewer batch axes, or be 1-d
		xs, ys := append(slices.Clone(bx), m, k), append(slices.Clone(by), k, n)
		oneX, oneY := false, false
		switch v.r.IntN(5) {
		case 0:
			xs, bx = xs[1:], bx[1:]
			batch[0] = by[0]
		case 1:
			ys, by = []int{k}, nil
			oneY = true
			copy(batch, bx)
		case 2:
			xs, bx = []int{k}, nil
			oneX = true
			copy(batch, by)
		}
		dx, dy := v.dtype(), v.dtype()
		x, y := v.operand(xs, dx, vSmall), v.operand(ys, dy, vSmall)
		desc := fmt.Sprintf("case %d: matmul(%v, %v)", c, x, y)
		z := x.a.MatMul(y.a)
		if err := z.Err(); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		out := slices.Clone(batch)
		if !oneX {
			out = append(out, m)
		}
		if !oneY {
			out = append(out, n)
		}
		if !slices.Equal(z.Shape(), out) {
			t.Fatalf("%s: shape %v, want %v", desc, z.Shape(), out)
		}
		// the reference: for each batch position, the matrices of x and y
		// at the broadcast positions
		total := 1
		for _, b := range batch {
			total *= b
		}
		dt := refMatMul(&ref{dt: dx, shape: []int{0, 0}}, &ref{dt: dy, shape: []int{0, 0}}).dt
		want := newRef(out, dt)
		scale := make([]float64, want.n())
		at := func(r *ref, bshape []int, pos []int, rows, cols, i, j int) float64 {
			// the element (i, j) of r's matrix at batch position pos
			// (right-aligned, 1 broadcasting)
			off := 0
			for a, s := range bshape {
				p := pos[len(pos)-len(bshape)+a]
				if s == 1 {
					p = 0
				}
				off = off*s + p
			}
			return r.fl((off*rows+i)*cols + j)
		}
		pos := make([]int, nb)
		for b := 0; b < total; b++ {
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var s, sc float64
					for l := 0; l < k; l++ {
						var a, bv float64
						if oneX {
							a = x.ref.fl(l)
						} else {
							a = at(x.ref, bx, pos, m, k, i, l)
						}
						if oneY {
							bv = y.ref.fl(l)
						} else {
							bv = at(y.ref, by, pos, k, n, l, j)
						}
						s += a * bv
						sc += abs(a * bv)
					}
					o := b
					if !oneX {
						o = o*m + i
					}
					if !oneY {
						o = o*n + j
					}
					if isF(dt) {
						want.setF(o, s)
					} else {
						want.setI(o, int64(s))
					}
					scale[o] = sc
				}
			}
			for a := nb - 1; a >= 0; a-- {
				if pos[a]++; pos[a] < batch[a] {
					break
				}
				pos[a] = 0
			}
		}
		near(t, desc, v.one(desc, z), want, scale, relTol(want.dt, k))
		if t.Failed() {
			return
		}
	}
}
