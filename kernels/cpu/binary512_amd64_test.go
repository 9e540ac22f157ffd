package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

// TestBinaryLevelsBitIdentical: float64 and float32 Add, Sub, Mul and Div
// of two arrays, of an array and a scalar and of a scalar and an array
// give the scalar loop's bits on every vector level, for lengths across
// several 256-byte blocks, every start offset up to 7 and in place.
func TestBinaryLevelsBitIdentical(t *testing.T) {
	seed := *conformanceSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -seed)", seed)
	defer binLevel(2)
	t.Run("float64", func(t *testing.T) { binaryLevels[float64](t, seed) })
	t.Run("float32", func(t *testing.T) { binaryLevels[float32](t, seed) })
}

func binaryLevels[T float](t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 11))
	specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64,
		math.MaxFloat64, 1, 2, -2, 1e-40, 3.4e38}
	gen := func(n int) []T {
		x := make([]T, n)
		for i := range x {
			x[i] = T(r.NormFloat64() * math.Exp2(float64(r.IntN(160)-80)))
			if r.IntN(8) == 0 {
				x[i] = T(specials[r.IntN(len(specials))])
			}
		}
		return x
	}
	same := func(x, y T) bool {
		return x == y && math.Signbit(float64(x)) == math.Signbit(float64(y)) || x != x && y != y
	}
	const maxN = 300
	a, b := gen(maxN+8), gen(maxN+8)
	for _, op := range []graph.ElemOp{graph.OpAdd, graph.OpSub, graph.OpMul, graph.OpDiv} {
		for trial := 0; trial < 60; trial++ {
			s, n := r.IntN(8), r.IntN(maxN+1)
			c := T(specials[r.IntN(len(specials))])
			if r.IntN(2) == 0 {
				c = gen(1)[0]
			}
			// kind 0: a op b; 1: a op c; 2: c op a
			for kind := 0; kind < 3; kind++ {
				run := func(d, x []T) {
					switch kind {
					case 0:
						if err := binaryFloat(op, d, x, b[s:s+n]); err != nil {
							t.Fatal(err)
						}
					default:
						if binaryConstFloat(op, d, x, c, kind == 2) {
							break
						}
						if constVecOn() {
							t.Fatalf("%v declined with its vector kernels on", op)
						}
						cs := make([]T, len(d))
						for i := range cs {
							cs[i] = c
						}
						var err error
						if kind == 2 {
							err = binaryFloat(op, d, cs, x)
						} else {
							err = binaryFloat(op, d, x, cs)
						}
						if err != nil {
							t.Fatal(err)
						}
					}
				}
				binLevel(0)
				want := make([]T, n)
				run(want, a[s:s+n])
				for l := 1; l <= 2; l++ {
					binLevel(l)
					got := make([]T, n)
					run(got, a[s:s+n])
					inPlace := append([]T(nil), a[s:s+n]...)
					run(inPlace, inPlace)
					for i := range want {
						if !same(got[i], want[i]) || !same(inPlace[i], want[i]) {
							t.Fatalf("level %d kind %d %v n=%d s=%d at %d: a=%v b=%v c=%v: %v (in place %v), scalar %v",
								l, kind, op, n, s, i, a[s+i], b[s+i], c, got[i], inPlace[i], want[i])
						}
					}
				}
			}
		}
	}
	binLevel(2)
	if binaryConstFloat(graph.OpMax, make([]T, 4), make([]T, 4), 1, false) {
		t.Fatal("binaryConstFloat took Max")
	}
}
