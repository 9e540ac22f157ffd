package cpu

import (
	"github.com/blockwork-dev/blockwork/graph"

	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactFloor is floor(x/y) of exact rationals.
func exactFloor(x, y float64) float64 {
	q := new(big.Rat).Quo(new(big.Rat).SetFloat64(x), new(big.Rat).SetFloat64(y))
	f, _ := new(big.Rat).SetInt(new(big.Int).Div(q.Num(), q.Denom())).Float64()
	return f
}

// TestFloorDivExact: NumPy's divmod quotient is the exact floor of x/y
// while that is an integer float64 holds, also where x - fmod(x, y)
// rounds (the quotient then needs its snap to the nearest integer), and
// x == q*y + r holds exactly in rationals for the remainder.
func TestFloorDivExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200000 {
		y := (rng.Float64()*2 - 1) * math.Pow(2, float64(rng.IntN(40)-20))
		k := float64(rng.Int64N(1<<50) - 1<<49)
		if i%2 == 0 {
			k = math.Trunc(k / math.Pow(2, float64(rng.IntN(50))))
		}
		x := k*y + (rng.Float64()*2-1)*y // rounds: x is near, not at, k*y
		if y == 0 || math.IsInf(x, 0) {
			continue
		}
		want := exactFloor(x, y)
		if math.Abs(want) >= 1<<52 {
			continue
		}
		q := floorDivFloat(x, y)
		if q != want && !(q == 0 && want == 0) {
			t.Fatalf("%v // %v = %v, want %v", x, y, q, want)
		}
		r := modFloat(x, y)
		// r is x - q*y rounded once: within half an ulp of the exact value
		ex := new(big.Rat).Sub(new(big.Rat).SetFloat64(x), new(big.Rat).Mul(new(big.Rat).SetFloat64(want), new(big.Rat).SetFloat64(y)))
		if e, _ := ex.Float64(); e != r && !(e == 0 && r == 0) {
			t.Fatalf("%v %% %v = %v, want %v", x, y, r, e)
		}
	}
}

// TestFloorDivSnap: quotients that only the snap to the nearest integer
// gets right (x - fmod(x, y) rounds, and the division lands just below
// the multiple of y) still give the exact floor.
func TestFloorDivSnap(t *testing.T) {
	found := 0
	rng := rand.New(rand.NewPCG(3, 4))
	for range 400000 {
		y := rng.Float64()*4 + 0.1
		x := float64(rng.Int64N(1<<51))*y + rng.Float64()*y
		m := math.Mod(x, y)
		if div := (x - m) / y; div == math.Floor(div) {
			continue
		}
		found++
		if q, want := floorDivFloat(x, y), exactFloor(x, y); q != want {
			t.Fatalf("%v // %v = %v, want %v", x, y, q, want)
		}
	}
	if found == 0 {
		t.Fatal("no quotient needed the snap")
	}
	t.Logf("%d quotients snapped", found)
}

func TestShiftCounts(t *testing.T) {
	x := []int64{1, 1, 1, 1, -8, -8, 8, math.MaxInt64}
	n := []int64{63, 64, -1, 1000, 1, 64, 64, 1}
	d := make([]int64, len(x))
	if err := binaryInt(opShl, d, x, n); err != nil {
		t.Fatal(err)
	}
	if want := []int64{math.MinInt64, 0, 0, 0, -16, 0, 0, -2}; !equal(d, want) {
		t.Errorf("<<: %v, want %v", d, want)
	}
	if err := binaryInt(opShr, d, x, n); err != nil {
		t.Fatal(err)
	}
	if want := []int64{0, 0, 0, 0, -4, -1, 0, math.MaxInt64 >> 1}; !equal(d, want) {
		t.Errorf(">>: %v, want %v", d, want)
	}
	x32, n32, d32 := []int32{1, 1, -1, -5}, []int32{31, 32, 40, -3}, make([]int32, 4)
	if err := binaryInt(opShl, d32, x32, n32); err != nil {
		t.Fatal(err)
	}
	if want := []int32{math.MinInt32, 0, 0, 0}; !equal(d32, want) {
		t.Errorf("int32 <<: %v, want %v", d32, want)
	}
	if err := binaryInt(opShr, d32, x32, n32); err != nil {
		t.Fatal(err)
	}
	if want := []int32{0, 0, -1, -1}; !equal(d32, want) {
		t.Errorf("int32 >>: %v, want %v", d32, want)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNearOne: asin, acos, log2 and log10 stay within a few ulps of the
// fdlibm-style references near 1, where Go's math functions lose up to
// 10^5 ulps.
func TestNearOne(t *testing.T) {
	ulps := func(got, want float64) float64 {
		return math.Abs(got-want) / (math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want))
	}
	for _, x := range []float64{0.999, 0.999999, 1 - 1e-10, 1 - 0x1p-53, -0.999999, 0.75, 0.5, 1e-9} {
		want := math.Asin(x)
		if math.Abs(x) > 0.5 {
			want = math.Copysign(math.Pi/2-2*math.Asin(math.Sqrt((1-math.Abs(x))/2)), x)
		}
		if u := ulps(asin(x), want); u > 4 {
			t.Errorf("asin(%v): %v ulps", x, u)
		}
		want = 2 * math.Asin(math.Sqrt((1-x)/2))
		if math.Abs(x) <= 0.5 {
			want = math.Pi/2 - math.Asin(x)
		} else if x < 0 {
			want = math.Pi - 2*math.Asin(math.Sqrt((1+x)/2))
		}
		if u := ulps(acos(x), want); u > 4 {
			t.Errorf("acos(%v): %v ulps", x, u)
		}
	}
	for _, x := range []float64{1.0001, 1 + 1e-9, 0.9999, 3, 1e300, 1e-300} {
		if u := ulps(log2(x), math.Log1p(x-1)/math.Ln2); x < 2 && u > 4 {
			t.Errorf("log2(%v): %v ulps", x, u)
		}
		if u := ulps(log10(x), math.Log(x)/math.Ln10); u > 4 {
			t.Errorf("log10(%v): %v ulps", x, u)
		}
	}
	for k := -22; k <= 22; k++ {
		if got := log10(math.Pow10(k)); got != float64(k) {
			t.Errorf("log10(1e%d) = %v", k, got)
		}
	}
	for k := -1074; k <= 1023; k += 7 {
		if got := log2(math.Ldexp(1, k)); got != float64(k) {
			t.Errorf("log2(2^%d) = %v", k, got)
		}
	}
}

const (
	opShl = graph.OpShl
	opShr = graph.OpShr
)
