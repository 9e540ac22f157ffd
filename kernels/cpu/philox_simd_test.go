package cpu

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// philoxLevels is every Philox level this CPU runs, best first, then the
// scalar path (vecNone).
func philoxLevels() []int {
	var ls []int
	for l := philoxLevelMax; l >= vecNone; l-- {
		ls = append(ls, l)
	}
	return ls
}

var philoxLevelNames = map[int]string{vecNone: "scalar", vecAVX2: "avx2", vecAVX512: "avx512"}

// withPhiloxLevel runs f with the Philox fills on level l.
func withPhiloxLevel(l int, f func()) {
	saved := philoxLevel
	philoxLevel = l
	defer func() { philoxLevel = saved }()
	f()
}

// philoxTestRand is a generator seeded from -seed (or the clock), logging
// the seed so a failure can be rerun.
func philoxTestRand(t *testing.T) *rand.Rand {
	t.Helper()
	s := *conformanceSeed
	if s == 0 {
		s = rand.Uint64()
	}
	t.Logf("seed %d (rerun with -seed=%d)", s, s)
	return rand.New(rand.NewPCG(s, 0x9e3779b97f4a7c15))
}

// The plain reference loops of the stream definition (philox.go), through
// Philox4x32 one element at a time.

func refBlock(b, seed, stream uint64) [4]uint32 {
	return Philox4x32([4]uint32{uint32(b), uint32(b >> 32), uint32(stream), uint32(stream >> 32)},
		[2]uint32{uint32(seed), uint32(seed >> 32)})
}

func refBits64(i, seed, stream uint64) uint64 {
	o := refBlock(i/2, seed, stream)
	if i%2 == 1 {
		return uint64(o[2]) | uint64(o[3])<<32
	}
	return uint64(o[0]) | uint64(o[1])<<32
}

func refBits32(i, seed, stream uint64) uint32 { return refBlock(i/4, seed, stream)[i%4] }

func refUniform64(i, seed, stream uint64) float64 {
	return math.Ldexp(float64(refBits64(i, seed, stream)>>11), -53)
}

func refUniform32(i, seed, stream uint64) float32 {
	return float32(math.Ldexp(float64(refBits32(i, seed, stream)>>8), -24))
}

func refNormal(i, seed, stream uint64) float64 {
	o := refBlock(i, seed, stream)
	u1 := 1 - math.Ldexp(float64((uint64(o[0])|uint64(o[1])<<32)>>11), -53)
	u2 := math.Ldexp(float64((uint64(o[2])|uint64(o[3])<<32)>>11), -53)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

func refInt(i, seed, stream uint64, low, high int64) int64 {
	hi, _ := bits.Mul64(refBits64(i, seed, stream), uint64(high)-uint64(low))
	return int64(hi + uint64(low))
}

// philoxCase is one fill: n elements from flat index first by stride.
type philoxCase struct {
	seed, stream  uint64
	first, stride int64
	n             int
}

func (c philoxCase) String() string {
	return fmt.Sprintf("seed=%#x stream=%#x first=%d stride=%d n=%d", c.seed, c.stream, c.first, c.stride, c.n)
}

// philoxCases is random fills with the edges: firsts odd and even and
// near the 2^32 and 2^64 wraps, strides ±1, 0, small, odd and huge,
// lengths around the vector widths, philoxChunk and a tile.
func philoxCases(r *rand.Rand, count int) []philoxCase {
	pick64 := func(xs []uint64) uint64 { return xs[r.IntN(len(xs))] }
	pickI := func(xs []int64) int64 { return xs[r.IntN(len(xs))] }
	firsts := []int64{0, 1, 2, 3, 5, 1<<32 - 5, 1<<32 - 2, -1, -2, -3, -33, -67, math.MaxInt64 - 2, math.MinInt64, math.MinInt64 + 1}
	strides := []int64{1, 1, 1, 1, 0, -1, 2, 3, -2, -3, 7, 1 << 31, -(1 << 33) + 7, math.MaxInt64, math.MinInt64}
	lengths := []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 66, 67, 127, 129,
		philoxChunk - 1, philoxChunk, philoxChunk + 9, 2*philoxChunk + 3, TileLen, TileLen + 3}
	var cs []philoxCase
	for len(cs) < count {
		c := philoxCase{
			seed:   pick64([]uint64{0, math.MaxUint64, r.Uint64(), r.Uint64()}),
			stream: pick64([]uint64{0, math.MaxUint64, r.Uint64(), r.Uint64() & 0xff}),
			first:  pickI(firsts),
			stride: pickI(strides),
			n:      lengths[r.IntN(len(lengths))],
		}
		if r.IntN(3) == 0 {
			c.first = int64(r.Uint64())
		}
		if r.IntN(4) == 0 {
			c.first = int64(r.IntN(1 << 20))
		}
		if r.IntN(5) == 0 {
			c.stride = int64(r.Uint64())
		}
		if r.IntN(5) == 0 {
			c.stride = int64(r.IntN(2001) - 1000)
		}
		if r.IntN(6) == 0 {
			c.n = r.IntN(3*philoxChunk + 100)
		}
		cs = append(cs, c)
	}
	return cs
}

// Every fill on every level equals the reference loop, bit for bit.
func TestPhiloxFillsMatchReference(t *testing.T) {
	r := philoxTestRand(t)
	cases := philoxCases(r, 1500)
	for _, l := range philoxLevels() {
		t.Run(philoxLevelNames[l], func(t *testing.T) {
			withPhiloxLevel(l, func() {
				for _, c := range cases {
					if !checkPhiloxFills(t, c) {
						return
					}
				}
			})
		})
	}
}

// checkPhiloxFills runs every fill of c and compares with the reference;
// it reports the first difference and returns false.
func checkPhiloxFills(t *testing.T, c philoxCase) bool {
	t.Helper()
	n := c.n
	u64, n64 := make([]float64, n), make([]float64, n)
	u32, n32 := make([]float32, n), make([]float32, n)
	i64, f64 := make([]int64, n), make([]int64, n)
	i32 := make([]int32, n)
	RandUniform64(u64, c.seed, c.stream, c.first, c.stride)
	RandUniform32(u32, c.seed, c.stream, c.first, c.stride)
	RandNormal64(n64, c.seed, c.stream, c.first, c.stride)
	RandNormal32(n32, c.seed, c.stream, c.first, c.stride)
	RandInt64(i64, -1000, 12345, c.seed, c.stream, c.first, c.stride)
	RandInt64(f64, math.MinInt64, math.MaxInt64, c.seed, c.stream, c.first, c.stride)
	RandInt32(i32, math.MinInt32, math.MaxInt32, c.seed, c.stream, c.first, c.stride)
	for k := 0; k < n; k++ {
		i := uint64(c.first + int64(k)*c.stride)
		bad := func(what string, got, want any) bool {
			t.Errorf("%v: %s[%d] (flat %d) = %v, want %v", c, what, k, i, got, want)
			return false
		}
		if want := refUniform64(i, c.seed, c.stream); math.Float64bits(u64[k]) != math.Float64bits(want) {
			return bad("uniform64", u64[k], want)
		}
		if want := refUniform32(i, c.seed, c.stream); math.Float32bits(u32[k]) != math.Float32bits(want) {
			return bad("uniform32", u32[k], want)
		}
		if want := refNormal(i, c.seed, c.stream); math.Float64bits(n64[k]) != math.Float64bits(want) {
			return bad("normal64", n64[k], want)
		}
		if want := float32(refNormal(i, c.seed, c.stream)); math.Float32bits(n32[k]) != math.Float32bits(want) {
			return bad("normal32", n32[k], want)
		}
		if want := refInt(i, c.seed, c.stream, -1000, 12345); i64[k] != want {
			return bad("int64", i64[k], want)
		}
		if want := refInt(i, c.seed, c.stream, math.MinInt64, math.MaxInt64); f64[k] != want {
			return bad("full-range int64", f64[k], want)
		}
		if want := int32(refInt(i, c.seed, c.stream, math.MinInt32, math.MaxInt32)); i32[k] != want {
			return bad("int32", i32[k], want)
		}
	}
	return true
}

// blocks (the vector kernels' raw words) equals philoxBlock at every
// block on every level, for every count up to a few vector iterations and
// steps 1, -1, 0 and random, through the 2^64 wrap.
func TestPhiloxBlocksMatchBlock(t *testing.T) {
	r := philoxTestRand(t)
	for _, l := range philoxLevels() {
		withPhiloxLevel(l, func() {
			if w := philoxVecWidth(); w > philoxVecMax {
				t.Fatalf("%s: %d lanes an iteration, more than philoxVecMax (%d), the tail buffers' size",
					philoxLevelNames[l], w, philoxVecMax)
			}
			for n := 0; n <= 3*philoxVecMax+1; n++ {
				seed, stream := r.Uint64(), r.Uint64()
				k := newPhiloxKey(seed, stream)
				c0, step := r.Uint64(), []uint64{1, math.MaxUint64, 0, r.Uint64()}[r.IntN(4)]
				if r.IntN(2) == 0 {
					c0 = -uint64(r.IntN(40))
				}
				got := make([]uint32, 4*n)
				k.blocks(got, c0, step)
				for j := 0; j < n; j++ {
					if want := refBlock(c0+uint64(j)*step, seed, stream); [4]uint32(got[4*j:]) != want {
						t.Fatalf("%s n=%d seed=%#x stream=%#x c0=%#x step=%#x: block %d = %08x, want %08x",
							philoxLevelNames[l], n, seed, stream, c0, step, j, got[4*j:4*j+4], want)
					}
				}
			}
		})
	}
}

// Known answers from Random123's kat_vectors (philox4x32 10 rounds), on
// every level: counter (c0, c1, c2, c3) is block c0 | c1<<32 of stream
// c2 | c3<<32, key (k0, k1) the seed k0 | k1<<32.
var philoxKAT = []struct {
	ctr  [4]uint32
	key  [2]uint32
	want [4]uint32
}{
	{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0},
		[4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
	{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff},
		[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
	{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0},
		[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
}

func TestPhiloxKnownAnswersEveryLevel(t *testing.T) {
	for _, l := range philoxLevels() {
		withPhiloxLevel(l, func() {
			for _, c := range philoxKAT {
				k := newPhiloxKey(uint64(c.key[0])|uint64(c.key[1])<<32, uint64(c.ctr[2])|uint64(c.ctr[3])<<32)
				b := uint64(c.ctr[0]) | uint64(c.ctr[1])<<32
				// the block alone, and in the middle of runs long enough
				// for the vector path, by step 1 and by step 0
				for _, c0step := range [][3]uint64{{1, b, 1}, {2*philoxVecMax + 3, b - philoxVecMax - 1, 1}, {philoxVecMax, b, 0}} {
					n, c0, step := int(c0step[0]), c0step[1], c0step[2]
					got := make([]uint32, 4*n)
					k.blocks(got, c0, step)
					j := int((b - c0) / max(step, 1))
					if [4]uint32(got[4*j:]) != c.want {
						t.Errorf("%s n=%d: block %08x under %08x = %08x, want %08x",
							philoxLevelNames[l], n, c.ctr, c.key, got[4*j:4*j+4], c.want)
					}
				}
			}
		})
	}
}

// The fused interpreter fills tiles: a run cut anywhere, with odd and
// even cuts, gives the same values as one fill, on every level.
func TestPhiloxTilesEqualWhole(t *testing.T) {
	r := philoxTestRand(t)
	const n = 3*TileLen + 7
	for _, l := range philoxLevels() {
		withPhiloxLevel(l, func() {
			seed, stream := r.Uint64(), r.Uint64()
			first := int64(r.IntN(1000))
			w64, w32 := make([]float64, n), make([]float32, n)
			RandUniform64(w64, seed, stream, first, 1)
			RandUniform32(w32, seed, stream, first, 1)
			p64, p32 := make([]float64, n), make([]float32, n)
			for at := 0; at < n; {
				m := min(n-at, 1+r.IntN(TileLen))
				RandUniform64(p64[at:at+m], seed, stream, first+int64(at), 1)
				RandUniform32(p32[at:at+m], seed, stream, first+int64(at), 1)
				at += m
			}
			for k := range w64 {
				if math.Float64bits(w64[k]) != math.Float64bits(p64[k]) || math.Float32bits(w32[k]) != math.Float32bits(p32[k]) {
					t.Fatalf("%s seed=%#x stream=%#x first=%d: element %d differs cut up: %v %v, whole %v %v",
						philoxLevelNames[l], seed, stream, first, k, p64[k], p32[k], w64[k], w32[k])
				}
			}
		})
	}
}

// BenchmarkRandLevel is the contiguous fills on each level (ns/elem), in
// TileLen pieces as the fused interpreter calls them.
func BenchmarkRandLevel(b *testing.B) {
	for _, l := range philoxLevels() {
		for _, f := range []struct {
			name string
			fill func(f64 []float64, f32 []float32, first int64)
		}{
			{"uniform64", func(d []float64, _ []float32, first int64) { RandUniform64(d, 1, 0, first, 1) }},
			{"uniform32", func(_ []float64, d []float32, first int64) { RandUniform32(d, 1, 0, first, 1) }},
		} {
			b.Run(philoxLevelNames[l]+"/"+f.name, func(b *testing.B) {
				withPhiloxLevel(l, func() {
					f64, f32 := make([]float64, TileLen), make([]float32, TileLen)
					for i := 0; b.Loop(); i++ {
						f.fill(f64, f32, int64(i)*TileLen)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/TileLen, "ns/elem")
				})
			})
		}
	}
}
