package array_test

// The test harness: the -seed flag, a leak-checked executor per test, the
// random case generator (shapes, irregular chunkings, dtypes, values) and
// the comparisons of a computed NDArray against a ref.

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
)

var seed = flag.Int64("seed", 0, "seed of the random array test cases (0: from the time)")

var (
	seedOnce  sync.Once
	seedValue int64
)

// raceEnabled is set under -race (race_test.go) to run fewer cases.
var raceEnabled bool

// cases scales a test's number of random cases: eight times n normally
// (a few seconds in all on two cores), fewer under -short and -race.
func cases(n int) int {
	n *= 8
	if testing.Short() {
		n /= 4
	}
	if raceEnabled {
		n /= 4
	}
	return max(n, 3)
}

// env is one test's executor, random source and context.
type env struct {
	t   *testing.T
	r   *rand.Rand
	e   *local.Executor
	ctx context.Context
}

// newEnv makes a dedicated executor whose host must end the test (and
// every Compute) with no live buffers, and a rand.Rand derived from -seed
// and the test's name.
func newEnv(t *testing.T) *env {
	t.Helper()
	seedOnce.Do(func() {
		seedValue = *seed
		if seedValue == 0 {
			seedValue = time.Now().UnixNano()
		}
	})
	t.Logf("seed %d (rerun with -seed=%d)", seedValue, seedValue)
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	e, err := local.New(local.Device(device.NewHost()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { devicetest.AssertNoLeaks(t, e.Host()) })
	return &env{t: t, r: rand.New(rand.NewPCG(uint64(seedValue), h.Sum64())), e: e, ctx: context.Background()}
}

// compute runs xs on the env's executor and checks that nothing is left
// live on the host afterwards.
func (v *env) compute(xs []*array.Array, opts ...array.ComputeOption) ([]*array.NDArray, error) {
	v.t.Helper()
	res, err := array.Compute(v.ctx, xs, append([]array.ComputeOption{array.On(v.e)}, opts...)...)
	if lerr := device.LeakError(v.e.Host()); lerr != nil {
		v.t.Fatalf("after compute: %v", lerr)
	}
	return res, err
}

// persisted persists x on an executor of its own (v's checks that
// nothing stays live after each computation, which a persisted array's
// chunks would fail), released at the end of the test, and returns it and
// a compute function on that executor.
func (v *env) persisted(x *array.Array) (*array.Array, func(xs []*array.Array, opts ...array.ComputeOption) ([]*array.NDArray, error)) {
	v.t.Helper()
	e, err := local.New()
	if err != nil {
		v.t.Fatal(err)
	}
	p, err := x.Persist(v.ctx, array.On(e))
	if err != nil {
		v.t.Fatal(err)
	}
	v.t.Cleanup(p.Release)
	return p.Array(), func(xs []*array.Array, opts ...array.ComputeOption) ([]*array.NDArray, error) {
		return array.Compute(v.ctx, xs, append([]array.ComputeOption{array.On(e)}, opts...)...)
	}
}

// one computes x, failing the test (with the case description) on error.
func (v *env) one(desc string, x *array.Array, opts ...array.ComputeOption) *array.NDArray {
	v.t.Helper()
	res, err := v.compute([]*array.Array{x}, opts...)
	if err != nil {
		v.t.Fatalf("%s: compute: %v", desc, err)
	}
	return res[0]
}

// ---- random cases

var allDTypes = []graph.DType{graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64}

func (v *env) dtype(from ...graph.DType) graph.DType {
	if len(from) == 0 {
		from = allDTypes
	}
	return from[v.r.IntN(len(from))]
}

// axisLen is 0 to 7, with 0 and 1 often.
func (v *env) axisLen() int {
	switch p := v.r.IntN(10); {
	case p == 0:
		return 0
	case p <= 2:
		return 1
	default:
		return 2 + v.r.IntN(6)
	}
}

// shape has minDims to maxDims axes.
func (v *env) shape(minDims, maxDims int) []int {
	s := make([]int, minDims+v.r.IntN(maxDims-minDims+1))
	for a := range s {
		s[a] = v.axisLen()
	}
	return s
}

// axisChunks splits n into random blocks, sometimes with empty ones.
func (v *env) axisChunks(n int) []int {
	var out []int
	if v.r.IntN(4) == 0 {
		out = append(out, n) // whole axis
	} else {
		for left := n; left > 0; {
			c := 1 + v.r.IntN(left)
			if v.r.IntN(2) == 0 {
				c = 1 + v.r.IntN(min(left, 3))
			}
			out = append(out, c)
			left -= c
		}
	}
	if len(out) == 0 {
		out = []int{0}
	}
	if v.r.IntN(6) == 0 { // an empty block somewhere
		i := v.r.IntN(len(out) + 1)
		out = slices.Insert(out, i, 0)
	}
	return out
}

func (v *env) chunks(shape []int) chunks.Chunks {
	c := make(chunks.Chunks, len(shape))
	for a, n := range shape {
		c[a] = v.axisChunks(n)
	}
	return c
}

// valueKind selects the range of random values.
type valueKind int

const (
	vSmall   valueKind = iota // ints in [-5, 5], floats on quarters in [-4, 4]
	vSpecial                  // vSmall plus NaN, ±Inf and -0 among floats
	vNear1                    // floats in [0.75, 1.25], ints in [-2, 2] (products)
	vWide                     // ints over the whole dtype (wrapping), floats in [-1e6, 1e6]
)

func (v *env) values(shape []int, dt graph.DType, kind valueKind) *ref {
	r := newRef(shape, dt)
	for k := 0; k < r.n(); k++ {
		switch {
		case dt == graph.Bool:
			r.i[k] = int64(v.r.IntN(2))
		case dt.IsInt():
			switch kind {
			case vNear1:
				r.setI(k, int64(v.r.IntN(5))-2)
			case vWide:
				r.setI(k, int64(v.r.Uint64()))
			default:
				r.setI(k, int64(v.r.IntN(11))-5)
			}
		default:
			var f float64
			switch kind {
			case vNear1:
				f = 0.75 + 0.5*v.r.Float64()
			case vWide:
				f = (v.r.Float64()*2 - 1) * 1e6
			default:
				f = float64(v.r.IntN(33)-16) / 4
				if v.r.IntN(3) == 0 {
					f = v.r.Float64()*8 - 4
				}
			}
			if kind == vSpecial && v.r.IntN(8) == 0 {
				f = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}[v.r.IntN(4)]
			}
			r.setF(k, f)
		}
	}
	return r
}

// arr makes an array holding r's values with chunks ch.
func arr(r *ref, ch chunks.Chunks) *array.Array {
	opt := array.ExplicitChunks(ch)
	switch r.dt {
	case graph.Float64:
		return array.FromSlice(slices.Clone(r.f), r.shape, opt)
	case graph.Float32:
		d := make([]float32, len(r.f))
		for k, f := range r.f {
			d[k] = float32(f)
		}
		return array.FromSlice(d, r.shape, opt)
	case graph.Int64:
		return array.FromSlice(slices.Clone(r.i), r.shape, opt)
	case graph.Int32:
		d := make([]int32, len(r.i))
		for k, x := range r.i {
			d[k] = int32(x)
		}
		return array.FromSlice(d, r.shape, opt)
	case graph.Bool:
		d := make([]bool, len(r.i))
		for k, x := range r.i {
			d[k] = x != 0
		}
		return array.FromSlice(d, r.shape, opt)
	}
	panic(r.dt)
}

// operand is a random input: values, chunks and the array.
type operand struct {
	ref *ref
	ch  chunks.Chunks
	a   *array.Array
}

func (v *env) operand(shape []int, dt graph.DType, kind valueKind) operand {
	r := v.values(shape, dt, kind)
	ch := v.chunks(shape)
	return operand{r, ch, arr(r, ch)}
}

func (o operand) String() string {
	s := fmt.Sprintf("%v%v chunks %v", o.ref.dt, o.ref.shape, o.ref.shapeChunks(o.ch))
	if o.ref.n() <= 16 {
		s += fmt.Sprintf(" values %v", o.ref.vals())
	}
	return s
}

func (r *ref) shapeChunks(ch chunks.Chunks) string { return fmt.Sprint([][]int(ch)) }

func (r *ref) vals() any {
	if isF(r.dt) {
		return r.f
	}
	return r.i
}

// ---- comparisons

// refOf reads a computed NDArray back into a ref.
func refOf(nd *array.NDArray) *ref {
	r := newRef(nd.Shape, nd.DType)
	if isF(nd.DType) {
		copy(r.f, nd.Float64s())
	} else {
		copy(r.i, nd.Int64s())
	}
	return r
}

// checkMeta checks shape and dtype and the size of the data.
func checkMeta(t *testing.T, desc string, got *array.NDArray, want *ref) bool {
	t.Helper()
	if !slices.Equal(got.Shape, want.shape) || got.DType != want.dt {
		t.Errorf("%s: got %v%v, want %v%v", desc, got.DType, got.Shape, want.dt, want.shape)
		return false
	}
	if len(got.Data) != want.n()*want.dt.Size() {
		t.Errorf("%s: %d bytes of data, want %d", desc, len(got.Data), want.n()*want.dt.Size())
		return false
	}
	if want.dt == graph.Bool {
		for k, b := range got.Data {
			if b > 1 {
				t.Errorf("%s: bool byte %d is %d", desc, k, b)
				return false
			}
		}
	}
	return true
}

// sameBits: equal values; floats equal bit for bit (-0 differs from 0),
// any NaN matching any NaN.
func sameBits(a, b float64) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// exact compares got with want exactly.
func exact(t *testing.T, desc string, got *array.NDArray, want *ref) {
	t.Helper()
	if !checkMeta(t, desc, got, want) {
		return
	}
	g := refOf(got)
	var bad []string
	for k := 0; k < want.n() && len(bad) < 5; k++ {
		if isF(want.dt) {
			if !sameBits(g.f[k], want.f[k]) {
				bad = append(bad, fmt.Sprintf("[%d] got %v want %v", k, g.f[k], want.f[k]))
			}
		} else if g.i[k] != want.i[k] {
			bad = append(bad, fmt.Sprintf("[%d] got %v want %v", k, g.i[k], want.i[k]))
		}
	}
	if bad != nil {
		t.Errorf("%s: %s", desc, strings.Join(bad, "; "))
	}
}

// relTol is the relative tolerance of accumulated float rounding for n
// terms.
func relTol(dt graph.DType, n int) float64 {
	if dt == graph.Float32 {
		return 1e-5 * float64(max(n, 1))
	}
	return 1e-12 * float64(max(n, 1))
}

// near compares floats within tol*scale[k] (plus a tiny absolute slack);
// NaN must match NaN and infinities exactly. Integers compare exactly.
func near(t *testing.T, desc string, got *array.NDArray, want *ref, scale []float64, tol float64) {
	t.Helper()
	if !isF(want.dt) {
		exact(t, desc, got, want)
		return
	}
	if !checkMeta(t, desc, got, want) {
		return
	}
	g := refOf(got)
	var bad []string
	for k := 0; k < want.n() && len(bad) < 5; k++ {
		a, b := g.f[k], want.f[k]
		ok := a == b || a != a && b != b
		if !ok && !math.IsInf(b, 0) && b == b {
			s := 1.0
			if scale != nil {
				s = scale[k]
			}
			ok = math.Abs(a-b) <= tol*s+1e-300
		}
		if !ok {
			bad = append(bad, fmt.Sprintf("[%d] got %v want %v", k, a, b))
		}
	}
	if bad != nil {
		t.Errorf("%s: %s", desc, strings.Join(bad, "; "))
	}
}

// sameResult compares two computed arrays bit for bit.
func sameResult(t *testing.T, desc string, a, b *array.NDArray) {
	t.Helper()
	if !slices.Equal(a.Shape, b.Shape) || a.DType != b.DType || string(a.Data) != string(b.Data) {
		t.Errorf("%s: results differ: %v%v %v vs %v%v %v", desc, a.DType, a.Shape, a.Float64s(), b.DType, b.Shape, b.Float64s())
	}
}

// wantErr checks that err names the op and every one of parts.
func wantErr(t *testing.T, desc string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one mentioning %q", desc, parts)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not mention %q", desc, err, p)
		}
	}
}
