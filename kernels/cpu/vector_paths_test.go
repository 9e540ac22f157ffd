package cpu

import (
	"math"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// TestFillBandLevels checks the transposed band gather (fillBand) on
// every path it has, AVX-512 8x8 blocks, the scalar assembly and Go,
// against the plain loop buf[r*inner+k] = src[off+k*stride+r], on random
// shapes: bands of 1 to 8 rows, lengths around the 8-element blocks,
// strides from a band's width up.
func TestFillBandLevels(t *testing.T) {
	r := seededRand(t, 11)
	defer func(v bool) { vec512On = v }(vec512On)
	for trial := 0; trial < 300; trial++ {
		rb := 1 + r.IntN(bandRows)
		if trial%2 == 0 {
			rb = bandRows
		}
		inner := r.IntN(70)
		if trial%17 == 0 {
			inner = 2000
		}
		stride := rb + r.IntN(40)
		off := r.IntN(9)
		src := make([]int64, off+inner*stride+rb)
		for i := range src {
			src[i] = r.Int64()
		}
		want := make([]int64, bandRows*inner)
		for k := 0; k < inner; k++ {
			for row := 0; row < rb; row++ {
				want[row*inner+k] = src[off+k*stride+row]
			}
		}
		for _, dt := range []graph.DType{graph.Float64, graph.Int64} {
			for _, v512 := range []bool{false, true} {
				vec512On = v512 && cpuHasAVX512F()
				got := make([]int64, bandRows*inner)
				fillBand(dt, device.AsBytes(got), device.AsBytes(src), off, stride, inner, rb)
				for i := range want[:rb*inner] {
					if got[i] != want[i] {
						t.Fatalf("%v rb %d inner %d stride %d off %d avx512 %v: element %d (row %d, k %d) = %d, want %d",
							dt, rb, inner, stride, off, vec512On, i, i/inner, i%inner, got[i], want[i])
					}
				}
			}
		}
	}
}

// BenchmarkFillBand gathers every band of a 2000x2000 float64 block
// transposed, as x.T's tiles do (bytes: the block once).
func BenchmarkFillBand(b *testing.B) {
	const n = 2000
	src := make([]int64, n*n)
	for i := range src {
		src[i] = int64(i)
	}
	buf := make([]int64, bandRows*n)
	b.SetBytes(8 * n * n)
	for b.Loop() {
		for c := 0; c < n; c += bandRows {
			fillBand(graph.Float64, device.AsBytes(buf), device.AsBytes(src), c, n, n, bandRows)
		}
	}
}

// TestExtremeVecLevels: the vector max/min of a row (extremeVec), AVX2 and
// AVX-512, equal the plain loop's whenever they answer, and answer for
// every row of 32 or more values without NaNs whose extreme is not zero.
func TestExtremeVecLevels(t *testing.T) {
	r := seededRand(t, 13)
	defer func(v bool) { vec512On = v }(vec512On)
	for trial := 0; trial < 2000; trial++ {
		x := make([]float64, r.IntN(300))
		for i := range x {
			x[i] = r.NormFloat64() * 1e3
			if trial%3 == 0 && r.IntN(100) == 0 {
				x[i] = []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)}[r.IntN(5)]
			}
		}
		if trial%7 == 0 {
			for i := range x {
				x[i] = -math.Abs(x[i]) // max is 0 where a zero is there
			}
			if len(x) > 0 {
				x[r.IntN(len(x))] = 0
			}
		}
		nan := slices.ContainsFunc(x, math.IsNaN)
		for _, isMax := range []bool{true, false} {
			var want float64
			for i, v := range x {
				if i == 0 || isMax && v > want || !isMax && v < want {
					want = v
				}
			}
			zero := len(x) > 0 && want == 0
			for _, v512 := range []bool{false, true} {
				vec512On = v512 && cpuHasAVX512F()
				m, ok := extremeVec(x, isMax)
				if ok && m != want {
					t.Fatalf("len %d max %v avx512 %v: %v, want %v", len(x), isMax, vec512On, m, want)
				}
				if !ok && cpuHasAVX2() && len(x) >= 32 && !nan && !zero {
					t.Fatalf("len %d max %v avx512 %v: declined a row without NaNs or a zero extreme", len(x), isMax, vec512On)
				}
				if ok && nan {
					t.Fatalf("len %d max %v avx512 %v: answered %v for a row with a NaN", len(x), isMax, vec512On, m)
				}
			}
		}
	}
}

// TestSelectOrder: selectOrder puts at each asked index the value a sort
// puts there, with the smaller values before it and the larger after, on
// random lengths, many repeated values, sorted and reversed inputs.
func TestSelectOrder(t *testing.T) {
	r := seededRand(t, 14)
	for trial := 0; trial < 3000; trial++ {
		n := 1 + r.IntN(600)
		s := make([]float64, n)
		distinct := 1 + r.IntN(2*n)
		for i := range s {
			s[i] = float64(r.IntN(distinct)) - float64(distinct)/3
		}
		switch trial % 5 {
		case 0:
			slices.Sort(s)
		case 1:
			slices.Sort(s)
			slices.Reverse(s)
		}
		want := slices.Clone(s)
		slices.Sort(want)
		ks := make([]int, 1+r.IntN(4))
		for i := range ks {
			ks[i] = r.IntN(n)
		}
		selectOrder(s, ks)
		for _, k := range ks {
			if s[k] != want[k] {
				t.Fatalf("n %d ks %v: s[%d] = %v, want %v", n, ks, k, s[k], want[k])
			}
			for i := range s {
				if i < k && s[i] > s[k] || i > k && s[i] < s[k] {
					t.Fatalf("n %d k %d: s[%d] = %v on the wrong side of %v", n, k, i, s[i], s[k])
				}
			}
		}
		got := slices.Clone(s)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("n %d: selectOrder lost or changed values", n)
		}
	}
}

// TestArgExtremeInnerVector: a row's argmax/argmin by the vector extreme
// and its first position equals the element-by-element fold (NumPy's
// first occurrence, the first NaN), tile after tile into one partial, on
// rows with many ties, zeros of both signs and NaNs.
func TestArgExtremeInnerVector(t *testing.T) {
	r := seededRand(t, 15)
	dev := device.NewHost()
	defer func(v bool) { binaryVecOn = v }(binaryVecOn)
	for trial := 0; trial < 500; trial++ {
		n := r.IntN(700)
		x := make([]float64, n)
		distinct := 1 + r.IntN(20)
		for i := range x {
			x[i] = float64(r.IntN(distinct)) - float64(distinct/2)
			switch r.IntN(400) {
			case 0:
				x[i] = math.NaN()
			case 1:
				x[i] = math.Copysign(0, -1)
			}
		}
		for _, kind := range []graph.ReduceKind{graph.ReduceArgMax, graph.ReduceArgMin} {
			var res [2][2]int64 // [vector on/off][value bits, index]
			for v, on := range []bool{false, true} {
				binaryVecOn = on && cpuHasAVX2()
				val, err := dev.Alloc(8)
				if err != nil {
					t.Fatal(err)
				}
				ix, err := dev.Alloc(8)
				if err != nil {
					t.Fatal(err)
				}
				dst := []*device.Buffer{val, ix}
				initPartials(kind, graph.Float64, dst)
				for k0 := 0; k0 < n; k0 += TileLen {
					k1 := min(k0+TileLen, n)
					foldT(kind, dst, 0, true, x[k0:k1], k0, 1)
				}
				res[v] = [2]int64{int64(math.Float64bits(device.View[float64](val)[0])), device.View[int64](ix)[0]}
				val.Release()
				ix.Release()
			}
			if res[0] != res[1] {
				t.Fatalf("n %d %v: vector path gives (%x, %d), element by element (%x, %d)", n, kind, res[1][0], res[1][1], res[0][0], res[0][1])
			}
		}
	}
}
