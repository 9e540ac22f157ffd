package kerneltest

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRefPow: the reference pow gives exact powers exactly, the true
// value where math.Pow is 9 ulps off, and stays within a few ulps of
// math.Pow on random moderate pairs (where math.Pow is good).
func TestRefPow(t *testing.T) {
	for _, c := range [][3]float64{{2, 10, 1024}, {3, 3, 27}, {0.25, 0.5, 0.5}, {10, -2, 0.01}, {1.5, 2, 2.25},
		{3.2452003594573517e+18, -14.517830408706878, 1.8069037726222478e-269}, {-2, 3, -8}, {-2, -2, 0.25}, {-0.5, 5, -0.03125}} {
		if got := refPow(c[0], c[1]); got != c[2] {
			t.Errorf("refPow(%v, %v) = %v, want %v", c[0], c[1], got, c[2])
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		x := math.Exp(r.NormFloat64() * 5)
		y := r.NormFloat64() * 3
		got, want := refPow(x, y), math.Pow(x, y)
		if math.Abs(got-want) > 4*0x1p-52*math.Abs(want) {
			t.Fatalf("refPow(%v, %v) = %v, math.Pow %v", x, y, got, want)
		}
	}
}
