package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

// TestBinaryVecBitIdentical: the vector float64 Add, Sub, Mul, Div, Max
// and Min give the scalar loop's bits (special values included; for Max
// and Min the very NaN, among NaNs of different payloads, and the zero's
// sign) for every length up to
// 70 and every start offset, also with the destination being an operand.
func TestBinaryVecBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, math.MaxFloat64, 1,
		math.Float64frombits(0x7ff8000000000123), math.Float64frombits(0xfff8000000000456), 2, -2}
	gen := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = r.NormFloat64() * math.Exp2(float64(r.IntN(200)-100))
			if r.IntN(8) == 0 {
				x[i] = specials[r.IntN(len(specials))]
			}
		}
		return x
	}
	a, b := gen(100), gen(100)
	for _, op := range []graph.ElemOp{graph.OpAdd, graph.OpSub, graph.OpMul, graph.OpDiv, graph.OpMax, graph.OpMin} {
		same := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) || x != x && y != y }
		if op == graph.OpMax || op == graph.OpMin {
			same = func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
		}
		for s := 0; s < 5; s++ {
			for n := 0; n <= 70; n++ {
				want := make([]float64, n)
				binaryVecOn = false
				if err := binaryFloat(op, want, a[s:s+n], b[s:s+n]); err != nil {
					t.Fatal(err)
				}
				binaryVecOn = cpuHasAVX2()
				got := make([]float64, n)
				if err := binaryFloat(op, got, a[s:s+n], b[s:s+n]); err != nil {
					t.Fatal(err)
				}
				inPlace := append([]float64(nil), a[s:s+n]...)
				if err := binaryFloat(op, inPlace, inPlace, b[s:s+n]); err != nil {
					t.Fatal(err)
				}
				for i := range want {
					if !same(got[i], want[i]) || !same(inPlace[i], want[i]) {
						t.Fatalf("%v n=%d at %d: %v %v %v = %v (in place %v), scalar %v", op, n, i, a[s+i], op, b[s+i], got[i], inPlace[i], want[i])
					}
				}
			}
		}
	}
}
