package array_test

// A small reference ndarray computed without Blockwork: shape, flat C-order
// data and a dtype, with a plain loop for each operation and NumPy's
// semantics per dtype. Floats are kept as float64 (float32 values rounded
// to float32 after every operation); bools and integers as int64 (int32
// wrapped to 32 bits after every operation).

import (
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

type ref struct {
	shape []int
	dt    graph.DType
	f     []float64 // float dtypes
	i     []int64   // bool (0/1), int32, int64
}

func isF(dt graph.DType) bool { return dt.IsFloat() }

func size(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

func newRef(shape []int, dt graph.DType) *ref {
	r := &ref{shape: append([]int{}, shape...), dt: dt}
	if isF(dt) {
		r.f = make([]float64, size(shape))
	} else {
		r.i = make([]int64, size(shape))
	}
	return r
}

func (r *ref) n() int { return size(r.shape) }

// fl returns element k as float64.
func (r *ref) fl(k int) float64 {
	if isF(r.dt) {
		return r.f[k]
	}
	return float64(r.i[k])
}

// in returns element k as int64 (floats truncate toward zero).
func (r *ref) in(k int) int64 {
	if isF(r.dt) {
		return castFloatInt(r.f[k], graph.Int64)
	}
	return r.i[k]
}

func (r *ref) truth(k int) bool {
	if isF(r.dt) {
		return r.f[k] != 0 // NaN is true
	}
	return r.i[k] != 0
}

// setF stores v rounded to r's float dtype.
func (r *ref) setF(k int, v float64) {
	if r.dt == graph.Float32 {
		v = float64(float32(v))
	}
	r.f[k] = v
}

// setI stores v wrapped to r's integer dtype (bool: != 0).
func (r *ref) setI(k int, v int64) {
	switch r.dt {
	case graph.Int32:
		v = int64(int32(v))
	case graph.Bool:
		if v != 0 {
			v = 1
		}
	}
	r.i[k] = v
}

func castFloatInt(f float64, dt graph.DType) int64 {
	if f != f || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return math.MinInt64
	}
	v := int64(f)
	if dt == graph.Int32 {
		v = int64(int32(v))
	}
	return v
}

// astype converts with NumPy's unsafe casting.
func (r *ref) astype(dt graph.DType) *ref {
	o := newRef(r.shape, dt)
	for k := 0; k < r.n(); k++ {
		switch {
		case dt == graph.Bool:
			o.i[k] = b2i(r.truth(k))
		case isF(dt):
			o.setF(k, r.fl(k))
		case isF(r.dt):
			o.i[k] = castFloatInt(r.f[k], dt)
		default:
			o.setI(k, r.i[k])
		}
	}
	return o
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func strides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for a := len(shape) - 1; a >= 0; a-- {
		st[a] = s
		s *= shape[a]
	}
	return st
}

// unravel fills idx with the coordinates of flat index k in shape.
func unravel(k int, shape []int, idx []int) {
	for a := len(shape) - 1; a >= 0; a-- {
		if shape[a] == 0 {
			idx[a] = 0
			continue
		}
		idx[a] = k % shape[a]
		k /= shape[a]
	}
}

func bcastShape(shapes ...[]int) ([]int, error) {
	nd := 0
	for _, s := range shapes {
		nd = max(nd, len(s))
	}
	out := make([]int, nd)
	for a := range out {
		out[a] = 1
	}
	for _, s := range shapes {
		for k, n := range s {
			a := nd - len(s) + k
			switch {
			case n == out[a] || n == 1:
			case out[a] == 1:
				out[a] = n
			default:
				return nil, fmt.Errorf("cannot broadcast %v", shapes)
			}
		}
	}
	return out, nil
}

// bcastIndex maps the output coordinates idx to r's flat index.
func (r *ref) bcastIndex(idx []int) int {
	off := len(idx) - len(r.shape)
	st := strides(r.shape)
	k := 0
	for a, n := range r.shape {
		if n != 1 {
			k += idx[a+off] * st[a]
		}
	}
	return k
}

// mapN applies f over the broadcast of xs; f gets the flat index per input.
func mapN(dt graph.DType, xs []*ref, f func(o *ref, k int, ks []int)) *ref {
	shapes := make([][]int, len(xs))
	for i, x := range xs {
		shapes[i] = x.shape
	}
	shape, err := bcastShape(shapes...)
	if err != nil {
		panic(err)
	}
	o := newRef(shape, dt)
	idx := make([]int, len(shape))
	ks := make([]int, len(xs))
	for k := 0; k < o.n(); k++ {
		unravel(k, shape, idx)
		for i, x := range xs {
			ks[i] = x.bcastIndex(idx)
		}
		f(o, k, ks)
	}
	return o
}

func promote(a, b graph.DType) graph.DType { return graph.Promote(a, b) }

// ---- binary arithmetic

func nanMax(x, y float64) float64 {
	if x != x || y != y {
		return math.NaN()
	}
	if x >= y {
		return x
	}
	return y
}

func nanMin(x, y float64) float64 {
	if x != x || y != y {
		return math.NaN()
	}
	if x <= y {
		return x
	}
	return y
}

func floorDiv(x, y int64, dt graph.DType) int64 {
	if y == 0 {
		return 0
	}
	if y == -1 {
		return -x
	}
	q := x / y
	if x%y != 0 && (x < 0) != (y < 0) {
		q--
	}
	return q
}

func ipow(x, e int64) int64 {
	r := int64(1)
	for ; e > 0; e-- {
		r *= x
	}
	return r
}

// refArith is x op y with NumPy's dtype rules; op is one of add sub mul
// div floordiv pow maximum minimum.
func refArith(op string, x, y *ref) *ref {
	dt := promote(x.dt, y.dt)
	switch {
	case op == "div" && !isF(dt):
		dt = graph.Float64
	case op == "pow" && dt == graph.Bool, op == "floordiv" && dt == graph.Bool:
		dt = graph.Int64
	}
	return mapN(dt, []*ref{x, y}, func(o *ref, k int, ks []int) {
		if isF(dt) {
			a, b := x.fl(ks[0]), y.fl(ks[1])
			if dt == graph.Float32 {
				a, b = float64(float32(a)), float64(float32(b))
			}
			var v float64
			switch op {
			case "add":
				v = a + b
			case "sub":
				v = a - b
			case "mul":
				v = a * b
			case "div":
				v = a / b
			case "pow":
				v = math.Pow(a, b)
			case "maximum":
				v = nanMax(a, b)
			case "minimum":
				v = nanMin(a, b)
			default:
				panic(op)
			}
			o.setF(k, v)
			return
		}
		a, b := x.i[ks[0]], y.i[ks[1]]
		if dt == graph.Bool {
			switch op {
			case "add", "maximum":
				o.i[k] = a | b
			case "mul", "minimum":
				o.i[k] = a & b
			default:
				panic(op)
			}
			return
		}
		var v int64
		switch op {
		case "add":
			v = a + b
		case "sub":
			v = a - b
		case "mul":
			v = a * b
		case "floordiv":
			v = floorDiv(a, b, dt)
		case "pow":
			v = ipow(a, b)
		case "maximum":
			v = max(a, b)
		case "minimum":
			v = min(a, b)
		default:
			panic(op)
		}
		o.setI(k, v)
	})
}

func refCmp(op string, x, y *ref) *ref {
	dt := promote(x.dt, y.dt)
	return mapN(graph.Bool, []*ref{x, y}, func(o *ref, k int, ks []int) {
		var c int
		var unordered bool
		if isF(dt) {
			a, b := x.fl(ks[0]), y.fl(ks[1])
			unordered = a != a || b != b
			switch {
			case a < b:
				c = -1
			case a > b:
				c = 1
			}
		} else {
			a, b := x.i[ks[0]], y.i[ks[1]]
			switch {
			case a < b:
				c = -1
			case a > b:
				c = 1
			}
		}
		var v bool
		switch op {
		case "eq":
			v = !unordered && c == 0
		case "ne":
			v = unordered || c != 0
		case "lt":
			v = !unordered && c < 0
		case "le":
			v = !unordered && c <= 0
		case "gt":
			v = !unordered && c > 0
		case "ge":
			v = !unordered && c >= 0
		}
		o.i[k] = b2i(v)
	})
}

func refLogic(op string, x, y *ref) *ref {
	return mapN(graph.Bool, []*ref{x, y}, func(o *ref, k int, ks []int) {
		a, b := x.truth(ks[0]), y.truth(ks[1])
		var v bool
		switch op {
		case "and":
			v = a && b
		case "or":
			v = a || b
		case "xor":
			v = a != b
		}
		o.i[k] = b2i(v)
	})
}

func refWhere(c, x, y *ref) *ref {
	dt := promote(x.dt, y.dt)
	xc, yc := x.astype(dt), y.astype(dt)
	return mapN(dt, []*ref{c, xc, yc}, func(o *ref, k int, ks []int) {
		src, sk := yc, ks[2]
		if c.truth(ks[0]) {
			src, sk = xc, ks[1]
		}
		if isF(dt) {
			o.f[k] = src.f[sk]
		} else {
			o.i[k] = src.i[sk]
		}
	})
}

// refUnary applies neg, abs, logical_not or a float math function.
func refUnary(op string, x *ref) *ref {
	switch op {
	case "neg", "abs":
		o := newRef(x.shape, x.dt)
		for k := 0; k < x.n(); k++ {
			if isF(x.dt) {
				v := x.f[k]
				if op == "neg" {
					v = -v
				} else {
					v = math.Abs(v)
				}
				o.f[k] = v
				continue
			}
			v := x.i[k]
			if op == "neg" || v < 0 {
				v = -v
			}
			o.setI(k, v)
		}
		return o
	case "not":
		o := newRef(x.shape, graph.Bool)
		for k := 0; k < x.n(); k++ {
			o.i[k] = b2i(!x.truth(k))
		}
		return o
	}
	dt := graph.Float64
	switch x.dt {
	case graph.Float32, graph.Bool:
		dt = graph.Float32
	}
	o := newRef(x.shape, dt)
	f := map[string]func(float64) float64{"sqrt": math.Sqrt, "exp": math.Exp, "log": math.Log, "sin": math.Sin, "cos": math.Cos, "tanh": math.Tanh}[op]
	for k := 0; k < x.n(); k++ {
		a := x.fl(k)
		if dt == graph.Float32 {
			a = float64(float32(a))
		}
		o.setF(k, f(a))
	}
	return o
}

// ---- shape

func (r *ref) transpose(perm []int) *ref {
	shape := make([]int, len(perm))
	for o, a := range perm {
		shape[o] = r.shape[a]
	}
	o := newRef(shape, r.dt)
	st := strides(r.shape)
	idx := make([]int, len(shape))
	for k := 0; k < o.n(); k++ {
		unravel(k, shape, idx)
		src := 0
		for oa, a := range perm {
			src += idx[oa] * st[a]
		}
		o.copyFrom(k, r, src)
	}
	return o
}

func (o *ref) copyFrom(k int, r *ref, src int) {
	if isF(r.dt) {
		o.f[k] = r.f[src]
	} else {
		o.i[k] = r.i[src]
	}
}

// ix is a test-side basic index entry (converted to array.Index).
type ix struct {
	kind              byte // 's' slice, 'i' integer, 'n' new axis, 'e' ellipsis
	start, stop, step int  // array.None for omitted bounds
	i                 int
}

func (e ix) index() array.Index {
	switch e.kind {
	case 'i':
		return array.At(e.i)
	case 'n':
		return array.NewAxis()
	case 'e':
		return array.Ellipsis()
	}
	return array.Sl(e.start, e.stop, e.step)
}

func (e ix) String() string {
	b := func(v int) string {
		if v == array.None {
			return ""
		}
		return fmt.Sprint(v)
	}
	switch e.kind {
	case 'i':
		return fmt.Sprint(e.i)
	case 'n':
		return "None"
	case 'e':
		return "..."
	}
	return fmt.Sprintf("%s:%s:%s", b(e.start), b(e.stop), b(e.step))
}

// pySlice is Python's slice.indices: start, step and length.
func pySlice(n, start, stop, step int) (int, int, int) {
	if step == array.None {
		step = 1
	}
	lo, hi := 0, n
	if step < 0 {
		lo, hi = -1, n-1
	}
	norm := func(v, def int) int {
		if v == array.None {
			return def
		}
		if v < 0 {
			v += n
			if v < lo {
				v = lo
			}
		} else if v > hi {
			v = hi
		}
		return v
	}
	var s, e int
	if step > 0 {
		s, e = norm(start, lo), norm(stop, hi)
	} else {
		s, e = norm(start, hi), norm(stop, lo)
	}
	l := 0
	if step > 0 && e > s {
		l = (e - s + step - 1) / step
	} else if step < 0 && s > e {
		l = (s - e - step - 1) / -step
	}
	return s, step, l
}

// slice applies a valid basic index (NumPy semantics).
func (r *ref) slice(index []ix) *ref {
	consumes := 0
	for _, e := range index {
		if e.kind == 's' || e.kind == 'i' {
			consumes++
		}
	}
	var full []ix
	hasEll := false
	for _, e := range index {
		if e.kind == 'e' {
			hasEll = true
			for k := 0; k < len(r.shape)-consumes; k++ {
				full = append(full, ix{kind: 's', start: array.None, stop: array.None, step: 1})
			}
			continue
		}
		full = append(full, e)
	}
	if !hasEll {
		for k := consumes; k < len(r.shape); k++ {
			full = append(full, ix{kind: 's', start: array.None, stop: array.None, step: 1})
		}
	}
	// per output axis: input axis (or -1), start, step; fixed offsets
	type oax struct{ in, start, step int }
	var outs []oax
	var shape []int
	base := 0
	st := strides(r.shape)
	a := 0
	for _, e := range full {
		switch e.kind {
		case 'n':
			outs = append(outs, oax{in: -1})
			shape = append(shape, 1)
		case 'i':
			i := e.i
			if i < 0 {
				i += r.shape[a]
			}
			base += i * st[a]
			a++
		case 's':
			s, step, l := pySlice(r.shape[a], e.start, e.stop, e.step)
			outs = append(outs, oax{in: a, start: s, step: step})
			shape = append(shape, l)
			a++
		}
	}
	o := newRef(shape, r.dt)
	idx := make([]int, len(shape))
	for k := 0; k < o.n(); k++ {
		unravel(k, shape, idx)
		src := base
		for q, ax := range outs {
			if ax.in >= 0 {
				src += (ax.start + idx[q]*ax.step) * st[ax.in]
			}
		}
		o.copyFrom(k, r, src)
	}
	return o
}

// ---- matmul

func refMatMul(x, y *ref) *ref {
	dt := promote(x.dt, y.dt)
	m, kk, n := x.shape[0], x.shape[1], y.shape[1]
	o := newRef([]int{m, n}, dt)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if isF(dt) {
				s := 0.0
				for l := 0; l < kk; l++ {
					s += x.fl(i*kk+l) * y.fl(l*n+j)
				}
				o.setF(i*n+j, s)
			} else {
				var s int64
				for l := 0; l < kk; l++ {
					s += x.i[i*kk+l] * y.i[l*n+j]
				}
				o.setI(i*n+j, s)
			}
		}
	}
	return o
}
