package cpu

import (
	"math"
	"slices"
	"unsafe"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// The reduce stage of the fused interpreter: partial outputs are
// initialised to the identity of their kind, then each result tile is
// folded in, either to one partial element (the inner axis is reduced) or
// elementwise (the inner axis is kept).

func float64frombits(b uint64) float64 { return math.Float64frombits(b) }

func initPartials(kind graph.ReduceKind, dt graph.DType, dst []*device.Buffer) {
	switch kind {
	case graph.ReduceSum, graph.ReduceAny, graph.ReduceMoments:
		for _, b := range dst {
			clear(b.Bytes())
		}
	case graph.ReduceProd:
		setAll(dst[0], graph.SumDType(dt), 1, 1) // bool and int32 multiply in int64
	case graph.ReduceAll:
		fill(dst[0].Bytes(), 1)
	case graph.ReduceMin:
		setAll(dst[0], dt, math.Inf(1), math.MaxInt64)
	case graph.ReduceMax:
		setAll(dst[0], dt, math.Inf(-1), math.MinInt64)
	case graph.ReduceArgMin, graph.ReduceArgMax:
		clear(dst[0].Bytes())
		fill(device.View[int64](dst[1]), -1)
	}
}

func setAll(b *device.Buffer, dt graph.DType, f float64, i int64) {
	switch dt {
	case graph.Float64:
		fill(device.View[float64](b), f)
	case graph.Float32:
		fill(device.View[float32](b), float32(f))
	case graph.Int64:
		fill(device.View[int64](b), i)
	case graph.Int32:
		v := int32(math.MaxInt32)
		if i < 0 {
			v = math.MinInt32
		}
		if i == 1 {
			v = 1
		}
		fill(device.View[int32](b), v)
	case graph.Bool:
		v := uint8(0)
		if i > 0 {
			v = 1
		}
		fill(b.Bytes(), v)
	}
}

// reduceTile folds n result elements x (dtype dt) into the partials at
// offset off; inner tells whether the tile runs along a reduced axis.
// arg, argStride give each element's global index (ArgMin/ArgMax).
// The partials are laid out as kind.PartialOutputs(dt): Sum and Prod of
// bool and int32 accumulate in int64, Moments in float64, Any and All in
// bool, so x is first converted into tmp (a register-sized scratch tile)
// where their dtypes differ.
func reduceTile(kind graph.ReduceKind, dt graph.DType, dst []*device.Buffer, off int, inner bool, x, tmp []byte, n, arg, argStride int) {
	conv := func(to graph.DType) {
		if dt != to {
			castTile(tmp, to, dt, x, n)
			x, dt = tmp, to
		}
	}
	switch kind {
	case graph.ReduceMoments:
		conv(graph.Float64)
		moments(dst, off, inner, view[float64](x, n))
		return
	case graph.ReduceSum, graph.ReduceProd:
		conv(graph.SumDType(dt))
	case graph.ReduceAny, graph.ReduceAll:
		conv(graph.Bool)
	case graph.ReduceArgMin, graph.ReduceArgMax:
		if dt == graph.Bool {
			foldT(kind, dst, off, inner, view[uint8](x, n), arg, argStride)
			return
		}
	}
	switch dt {
	case graph.Float64:
		foldT(kind, dst, off, inner, view[float64](x, n), arg, argStride)
	case graph.Float32:
		foldT(kind, dst, off, inner, view[float32](x, n), arg, argStride)
	case graph.Int64:
		foldT(kind, dst, off, inner, view[int64](x, n), arg, argStride)
	case graph.Int32:
		foldT(kind, dst, off, inner, view[int32](x, n), arg, argStride)
	case graph.Bool:
		foldBool(kind, dst, off, inner, view[uint8](x, n), arg, argStride)
	}
}

func foldT[T device.Number](kind graph.ReduceKind, dst []*device.Buffer, off int, inner bool, x []T, arg, argStride int) {
	acc := device.View[T](dst[0])
	switch kind {
	case graph.ReduceSum:
		if inner {
			if xf, ok := any(x).([]float64); ok {
				v := sumF64(xf)
				acc[off] += *(*T)(unsafe.Pointer(&v)) // T is float64
			} else {
				acc[off] += sum4(x)
			}
		} else {
			a := acc[off : off+len(x)]
			k := foldIntoVec(graph.OpAdd, a, x)
			a, x = a[k:], x[k:]
			for i, v := range x {
				a[i] += v
			}
		}
	case graph.ReduceProd:
		if inner {
			p := acc[off]
			for _, v := range x {
				p *= v
			}
			acc[off] = p
		} else {
			a := acc[off : off+len(x)]
			for i, v := range x {
				a[i] *= v
			}
		}
	case graph.ReduceMin, graph.ReduceMax:
		isMax := kind == graph.ReduceMax
		if inner {
			if xf, ok := any(x).([]float64); ok && acc[off] == acc[off] {
				if m, ok := extremeVec(xf, isMax); ok {
					if a := any(acc[off]).(float64); isMax && m > a || !isMax && m < a {
						acc[off] = any(m).(T)
					}
					return
				}
			}
			acc[off] = extreme(acc[off], x, isMax)
		} else {
			a := acc[off : off+len(x)]
			op := graph.OpMin
			if isMax {
				op = graph.OpMax
			}
			k := foldIntoVec(op, a, x)
			a, x = a[k:], x[k:]
			// the vector kernels' rule (ties keep a), so every column
			// folds alike whichever path it takes
			if isMax {
				for i, v := range x {
					a[i] = binaryMax(a[i], v)
				}
			} else {
				for i, v := range x {
					a[i] = binaryMin(a[i], v)
				}
			}
		}
	case graph.ReduceArgMin, graph.ReduceArgMax:
		isMax := kind == graph.ReduceArgMax
		ix := device.View[int64](dst[1])
		if inner {
			if xf, ok := any(x).([]float64); ok {
				// the tile's extreme by the vector kernels, then its first
				// position: the loop's answer where they answer (no NaN,
				// not a zero)
				if m, ok := extremeVec(xf, isMax); ok {
					af := any(acc).([]float64)
					if better(m, af[off], ix[off], isMax) {
						i := slices.Index(xf, m)
						af[off], ix[off] = m, int64(arg+i*argStride)
					}
					return
				}
			}
			for i, v := range x {
				if better(v, acc[off], ix[off], isMax) {
					acc[off], ix[off] = v, int64(arg+i*argStride)
				}
			}
		} else {
			for i, v := range x {
				if better(v, acc[off+i], ix[off+i], isMax) {
					acc[off+i], ix[off+i] = v, int64(arg+i*argStride)
				}
			}
		}
	}
}

// sum4 adds with four accumulators: faster (independent chains) and a
// little more accurate than one running sum.
func sum4[T device.Number](x []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func extreme[T device.Number](a T, x []T, isMax bool) T {
	if a != a {
		return a
	}
	for _, v := range x {
		if v != v {
			return v
		}
		if isMax {
			if v > a {
				a = v
			}
		} else if v < a {
			a = v
		}
	}
	return a
}

// better reports whether v replaces the current arg-extreme cur (whose
// index is curIx, -1 when empty): strictly better, or NaN over a number;
// the first NaN stays.
func better[T device.Number](v, cur T, curIx int64, isMax bool) bool {
	if curIx < 0 {
		return true
	}
	if cur != cur {
		return false
	}
	if v != v {
		return true
	}
	if isMax {
		return v > cur
	}
	return v < cur
}

func foldBool(kind graph.ReduceKind, dst []*device.Buffer, off int, inner bool, x []uint8, arg, argStride int) {
	acc := dst[0].Bytes()
	switch kind {
	case graph.ReduceAny, graph.ReduceMax:
		if inner {
			var o uint8
			for _, v := range x {
				o |= v
			}
			acc[off] |= o
		} else {
			for i, v := range x {
				acc[off+i] |= v
			}
		}
	case graph.ReduceAll, graph.ReduceMin:
		if inner {
			a := uint8(1)
			for _, v := range x {
				a &= v
			}
			acc[off] &= a
		} else {
			for i, v := range x {
				acc[off+i] &= v
			}
		}
	}
	// Sum and Prod arrive as int64, ArgMin and ArgMax go through foldT
}

// castTile converts n elements of x (dtype from) into dst (dtype to).
func castTile(dst []byte, to, from graph.DType, x []byte, n int) {
	switch from {
	case graph.Float64:
		castFrom(dst, to, view[float64](x, n))
	case graph.Float32:
		castFrom(dst, to, view[float32](x, n))
	case graph.Int64:
		castFrom(dst, to, view[int64](x, n))
	case graph.Int32:
		castFrom(dst, to, view[int32](x, n))
	case graph.Bool:
		castFrom(dst, to, view[uint8](x, n))
	}
}

// moments folds x into (count, mean, M2) partials.
func moments(dst []*device.Buffer, off int, inner bool, x []float64) {
	cnt := device.View[float64](dst[0])
	mean := device.View[float64](dst[1])
	m2 := device.View[float64](dst[2])
	if inner {
		momentsInner(dst, off, x, sumF64(x))
		return
	}
	c, mu, q := cnt[off:off+len(x)], mean[off:off+len(x)], m2[off:off+len(x)]
	if len(c) > 0 {
		// a row of a tile: the columns have usually seen the same count,
		// so one division serves the row (Welford's update with 1/n); a
		// column with another count takes the division
		c0 := c[0]
		n := c0 + 1
		r := 1 / n
		mu, q, c = mu[:len(x)], q[:len(x)], c[:len(x)]
		k := momentsRowVec(x, mu, q, c, c0, n, r)
		for i := k; i < len(x); i++ {
			v := x[i]
			if c[i] != c0 {
				ni := c[i] + 1
				d := v - mu[i]
				mu[i] += d / ni
				q[i] += d * (v - mu[i])
				c[i] = ni
				continue
			}
			d := v - mu[i]
			m := mu[i] + d*r
			mu[i] = m
			q[i] += d * (v - m)
			c[i] = n
		}
	}
}

// momentsInner merges the moments of x, whose sum is s (sumF64(x)), into
// partial off (moments' inner case; runProgram passes s when a sum of the
// same tile has it already).
func momentsInner(dst []*device.Buffer, off int, x []float64, s float64) {
	cnt := device.View[float64](dst[0])
	mean := device.View[float64](dst[1])
	m2 := device.View[float64](dst[2])
	nb := float64(len(x))
	mb := s / nb
	q := sumSqDevF64(x, mb)
	na := cnt[off]
	if na == 0 {
		// the first tile: its own moments (the merge below would
		// square the mean, which overflows for |mean| > 1e154)
		mean[off], m2[off], cnt[off] = mb, q, nb
		return
	}
	n := na + nb
	d := mb - mean[off]
	mean[off] += d * nb / n
	m2[off] += q + d*d*na*nb/n
	cnt[off] = n
}

// foldRows is foldT(kind, dst, off, false, x) for each x of rows in turn
// (all of one length, float64) for a sum, max or min, with the same bits:
// a column's accumulator stays in a register across the rows (the fused
// interpreter batches the rows of a column reduction it reads in place:
// runProgram). Moments go to momentsRows.
func foldRows(kind graph.ReduceKind, dst []*device.Buffer, off int, rows [][]float64) {
	if kind == graph.ReduceMoments {
		momentsRows(dst, off, rows)
		return
	}
	if len(rows) == 0 {
		return
	}
	acc := device.View[float64](dst[0])[off : off+len(rows[0])]
	j := foldRowsVec(kind, acc, rows)
	for i := j; i < len(acc); i++ {
		a := acc[i]
		for _, x := range rows {
			switch kind {
			case graph.ReduceSum:
				a += x[i]
			case graph.ReduceMax:
				a = binaryMax(a, x[i])
			default:
				a = binaryMin(a, x[i])
			}
		}
		acc[i] = a
	}
}

// binaryMax and binaryMin are OpMax and OpMin of binaryFloat (and of its
// vector kernels): a NaN in a wins, else a NaN in b, else b when strictly
// greater (smaller), else a, so ties (±0 included) keep a.
func binaryMax[T device.Number](a, b T) T {
	switch {
	case a != a:
		return a
	case b != b || b > a:
		return b
	}
	return a
}

func binaryMin[T device.Number](a, b T) T {
	switch {
	case a != a:
		return a
	case b != b || b < a:
		return b
	}
	return a
}

// foldBatch is the most rows momentsRows takes at once.
const foldBatch = 8

// momentsRows is moments(dst, off, false, x) for each x of rows in turn
// (all of one length), with the same bits: a column's running mean and M2
// stay in registers across the rows instead of being loaded and stored
// for each (the fused interpreter batches the rows of a column reduction
// it reads in place: runProgram).
func momentsRows(dst []*device.Buffer, off int, rows [][]float64) {
	if len(rows) == 0 {
		return
	}
	n := len(rows[0])
	cnt := device.View[float64](dst[0])
	c, mu, q := cnt[off:off+n], device.View[float64](dst[1])[off:off+n], device.View[float64](dst[2])[off:off+n]
	if n == 0 {
		return
	}
	// row k's count and reciprocal, as moments takes them from column 0
	// (which always moves in step with itself)
	c0 := c[0]
	var ns, rs [foldBatch]float64
	for k := range rows {
		ns[k] = c0 + float64(k+1)
		rs[k] = 1 / ns[k]
	}
	j := momentsRowsVec(rows, mu, q, c, c0, rs[:len(rows)], ns[len(rows)-1])
	for i := j; i < n; i++ {
		m, s, ci := mu[i], q[i], c[i]
		inStep := ci == c0
		for k, x := range rows {
			v := x[i]
			d := v - m
			if inStep {
				m2 := m + d*rs[k]
				m = m2
				s += d * (v - m2)
				ci = ns[k]
				continue
			}
			ni := ci + 1
			m += d / ni
			s += d * (v - m)
			ci = ni
		}
		mu[i], q[i], c[i] = m, s, ci
	}
}

// sumF64 is the sum of x with sixteen accumulators: s[k] adds the
// elements at k mod 16 of each whole block of 16 in order, s[0] then the
// tail, and the lanes are combined by a fixed pairwise tree. Independent
// chains let the additions overlap (the AVX2 path runs four vectors of
// four), and the order, so the bits, are the same on every path.
func sumF64(x []float64) float64 {
	var s [16]float64
	nblk := len(x) / 16
	if !sum16Vec(x, nblk, &s) {
		for i := 0; i < nblk*16; i += 16 {
			b := x[i : i+16 : i+16]
			for k := range s {
				s[k] += b[k]
			}
		}
	}
	for _, v := range x[nblk*16:] {
		s[0] += v
	}
	return tree16(&s)
}

// sumSqDevF64 is the sum of (v - m)^2 over x in sumF64's order (each
// product rounded before it is added: no fused multiply-add).
func sumSqDevF64(x []float64, m float64) float64 {
	var s [16]float64
	nblk := len(x) / 16
	if !sumSqDev16Vec(x, nblk, m, &s) {
		for i := 0; i < nblk*16; i += 16 {
			b := x[i : i+16 : i+16]
			for k := range s {
				d := b[k] - m
				s[k] += float64(d * d)
			}
		}
	}
	for _, v := range x[nblk*16:] {
		d := v - m
		s[0] += float64(d * d)
	}
	return tree16(&s)
}

// tree16 adds sixteen lanes pairwise.
func tree16(s *[16]float64) float64 {
	a := ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
	b := ((s[8] + s[9]) + (s[10] + s[11])) + ((s[12] + s[13]) + (s[14] + s[15]))
	return a + b
}

// foldIntoVec does a[i] = a[i] op x[i] (OpAdd, OpMax or OpMin) for the
// first multiple of 16 elements by the vector binary op when T is float64
// and returns how many it did. Each element is one rounded addition, or
// the scalar loops' NaN and tie rules (of two equal values, ±0, a's stays,
// as NumPy's maximum.reduce keeps the first), so the bits are the same.
func foldIntoVec[T device.Number](op graph.ElemOp, a, x []T) int {
	var z T
	if _, ok := any(z).(float64); !ok || len(a) < 16 {
		return 0
	}
	af := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(a))), len(a))
	xf := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
	return binaryVec(op, af, af, xf)
}
