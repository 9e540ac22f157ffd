package cpu

import (
	"math"
	"math/big"
	"testing"
)

// TestSumF64 checks sumF64 and sumSqDevF64 on random rows (lengths 0 to
// a few tiles, values over many magnitudes, NaN and infinities now and
// then): the vector path gives the bits of the portable loop, and both
// are within a few ulps of the sum (of the rounded squares) of the row
// times its length, computed exactly in big.Float.
func TestSumF64(t *testing.T) {
	r := seededRand(t, 11)
	defer func(on bool) { binaryVecOn = on }(binaryVecOn)
	for trial := 0; trial < 2000; trial++ {
		n := r.IntN(70)
		if trial%10 == 0 {
			n = r.IntN(1300)
		}
		x := make([]float64, n)
		shift := r.NormFloat64() * 100
		for i := range x {
			x[i] = shift + r.NormFloat64()*math.Exp2(float64(r.IntN(30)-15))
			switch r.IntN(3000) {
			case 0:
				x[i] = math.NaN()
			case 1:
				x[i] = math.Inf(1 - 2*r.IntN(2))
			}
		}
		m := shift + r.NormFloat64()
		on := cpuHasAVX2()
		binaryVecOn = on
		vs, vq := sumF64(x), sumSqDevF64(x, m)
		binaryVecOn = false
		gs, gq := sumF64(x), sumSqDevF64(x, m)
		if math.Float64bits(vs) != math.Float64bits(gs) || math.Float64bits(vq) != math.Float64bits(gq) {
			t.Fatalf("trial %d (n %d): vector path %v, %v; portable %v, %v", trial, n, vs, vq, gs, gq)
		}
		// exact references
		var es, eq, abs, absq big.Float
		special := false
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				special = true
				break
			}
			d := v - m
			d2 := d * d
			es.Add(&es, big.NewFloat(v))
			eq.Add(&eq, big.NewFloat(d2))
			abs.Add(&abs, big.NewFloat(math.Abs(v)))
			absq.Add(&absq, big.NewFloat(d2))
		}
		if special {
			if !math.IsNaN(gs) && !math.IsInf(gs, 0) {
				t.Fatalf("trial %d: a row with NaN or Inf sums to %v", trial, gs)
			}
			continue
		}
		tol := func(a *big.Float) float64 {
			f, _ := a.Float64()
			return float64(n+16) * 0x1p-52 * f
		}
		want, _ := es.Float64()
		wantq, _ := eq.Float64()
		if math.Abs(gs-want) > tol(&abs)+1e-300 || math.Abs(gq-wantq) > tol(&absq)+1e-300 {
			t.Fatalf("trial %d (n %d): sum %v want %v, sum of squares %v want %v", trial, n, gs, want, gq, wantq)
		}
	}
}

func BenchmarkSumF64(b *testing.B) {
	x := make([]float64, TileLen)
	for i := range x {
		x[i] = float64(i%7) + 0.25
	}
	b.SetBytes(8 * TileLen)
	for b.Loop() {
		sink = sumF64(x)
	}
}

var sink float64
