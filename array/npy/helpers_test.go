package npy

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

var allDTypes = []graph.DType{graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64}

// randShape returns a shape of 0..maxDims axes, each 0..7 long (zero
// rarely), now and then one longer axis.
func randShape(r *rand.Rand, maxDims int) []int {
	s := make([]int, r.IntN(maxDims+1))
	for i := range s {
		s[i] = 1 + r.IntN(7)
		if r.IntN(12) == 0 {
			s[i] = 0
		}
		if r.IntN(10) == 0 {
			s[i] = 20 + r.IntN(60)
		}
	}
	// keep arrays small: at most 20000 elements
	for a := 0; prodInts(s) > 20000; a = (a + 1) % len(s) {
		s[a] = max(1, s[a]/2)
	}
	return s
}

func prodInts(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

// randChunks returns a random chunking of shape: regular, uneven or
// whole per axis, with a zero-length block now and then.
func randChunks(r *rand.Rand, shape []int) chunks.Chunks {
	c := make(chunks.Chunks, len(shape))
	for a, n := range shape {
		var sizes []int
		switch r.IntN(3) {
		case 0:
			sizes = []int{n}
		default:
			left := n
			for left > 0 {
				if r.IntN(10) == 0 {
					sizes = append(sizes, 0)
				}
				s := 1 + r.IntN(min(left, 1+r.IntN(8)))
				sizes = append(sizes, s)
				left -= s
			}
			if len(sizes) == 0 {
				sizes = []int{0}
			}
		}
		c[a] = sizes
	}
	// keep graphs small: at most 500 blocks (merge an axis into one
	// block until there are)
	for a := 0; blockCount(c) > 500; a++ {
		c[a] = []int{shape[a]}
	}
	return c
}

func blockCount(c chunks.Chunks) int {
	n := 1
	for _, s := range c {
		n *= len(s)
	}
	return n
}

// randData returns n random elements of dt as little-endian bytes:
// bools 0/1, integers over their whole range, floats including NaN,
// infinities, signed zeros and subnormals.
func randData(r *rand.Rand, dt graph.DType, n int) []byte {
	b := make([]byte, n*dt.Size())
	switch dt {
	case graph.Bool:
		for i := range b {
			b[i] = byte(r.IntN(2))
		}
	case graph.Float32:
		special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), 1e-45}
		v := device.ViewBytes[float32](b)
		for i := range v {
			if r.IntN(10) == 0 {
				v[i] = special[r.IntN(len(special))]
			} else {
				v[i] = float32(r.NormFloat64() * 1e3)
			}
		}
	case graph.Float64:
		special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 5e-324}
		v := device.ViewBytes[float64](b)
		for i := range v {
			if r.IntN(10) == 0 {
				v[i] = special[r.IntN(len(special))]
			} else {
				v[i] = r.NormFloat64() * 1e6
			}
		}
	default:
		for i := range b {
			b[i] = byte(r.Uint32())
		}
	}
	return b
}

// fromRaw makes a literal array of dt from little-endian bytes.
func fromRaw(dt graph.DType, raw []byte, shape []int, opts ...array.Option) *array.Array {
	switch dt {
	case graph.Bool:
		v := make([]bool, len(raw))
		for i, c := range raw {
			v[i] = c != 0
		}
		return array.FromSlice(v, shape, opts...)
	case graph.Int32:
		return array.FromSlice(append([]int32(nil), device.ViewBytes[int32](raw)...), shape, opts...)
	case graph.Int64:
		return array.FromSlice(append([]int64(nil), device.ViewBytes[int64](raw)...), shape, opts...)
	case graph.Float32:
		return array.FromSlice(append([]float32(nil), device.ViewBytes[float32](raw)...), shape, opts...)
	case graph.Float64:
		return array.FromSlice(append([]float64(nil), device.ViewBytes[float64](raw)...), shape, opts...)
	}
	panic(fmt.Sprintf("fromRaw: %v", dt))
}

// computeBytes computes x and returns its C-order bytes.
func computeBytes(t testing.TB, x *array.Array) []byte {
	t.Helper()
	nd, err := x.Compute(context.Background())
	if err != nil {
		t.Fatalf("compute: %v", err)
	}
	if !equalInts(nd.Shape, x.Shape()) {
		t.Fatalf("computed shape %v, array shape %v", nd.Shape, x.Shape())
	}
	return nd.Data
}

func equalInts(a, b []int) bool {
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

// firstDiff describes where two byte strings differ.
func firstDiff(got, want []byte, es int) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d bytes, want %d", len(got), len(want))
	}
	i := 0
	for i < len(got) && got[i] == want[i] {
		i++
	}
	e := i / es
	return fmt.Sprintf("element %d: bytes % x, want % x", e, got[e*es:e*es+es], want[e*es:e*es+es])
}

// cOrderToF returns the Fortran-order bytes of a C-order array.
func cOrderToF(c []byte, shape []int, es int) []byte {
	n := 1
	for _, s := range shape {
		n *= s
	}
	f := make([]byte, len(c))
	idx := make([]int, len(shape))
	for i := 0; i < n; i++ {
		// idx is the C-order unravel of i
		rem := i
		for a := len(shape) - 1; a >= 0; a-- {
			idx[a] = rem % shape[a]
			rem /= shape[a]
		}
		fo, st := 0, 1
		for a := 0; a < len(shape); a++ {
			fo += idx[a] * st
			st *= shape[a]
		}
		copy(f[fo*es:fo*es+es], c[i*es:i*es+es])
	}
	return f
}

// python is Debian's interpreter with numpy (never the pyenv one on
// PATH).
const python = "/usr/bin/python3"

// runPython runs script with args under /usr/bin/python3 and returns its
// output; a missing interpreter or numpy fails the test.
func runPython(t *testing.T, script string, args ...string) string {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("%s not found: run make deps (%v)", python, err)
	}
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		if strings.Contains(out.String(), "No module named") {
			t.Fatalf("python3 lacks numpy: run make deps\n%s", out.String())
		}
		t.Fatalf("python: %v\n%s", err, out.String())
	}
	return out.String()
}

// memStore is an in-memory storage.Store under the scheme "npytest", to
// exercise the GetRange path of non-local stores. It counts ranged reads
// and the largest one.
type memStore struct {
	mu      sync.Mutex
	objs    map[string][]byte
	ranges  int
	largest int64
	url     string
}

var memStores = struct {
	sync.Mutex
	m map[string]*memStore
}{m: map[string]*memStore{}}

func init() {
	storage.RegisterScheme("npytest", func(url string) (storage.Store, error) {
		memStores.Lock()
		defer memStores.Unlock()
		s := memStores.m[url]
		if s == nil {
			s = &memStore{objs: map[string][]byte{}, url: url}
			memStores.m[url] = s
		}
		return s, nil
	})
}

// newMemStore returns a fresh in-memory store named after the test.
func newMemStore(t *testing.T) *memStore {
	url := "npytest://" + strings.ReplaceAll(t.Name(), "/", "_")
	st, _ := storage.Open(url)
	m := st.(*memStore)
	m.mu.Lock()
	m.objs = map[string][]byte{}
	m.ranges, m.largest = 0, 0
	m.mu.Unlock()
	return m
}

func (m *memStore) Get(ctx context.Context, key string) ([]byte, error) {
	return m.GetRange(ctx, key, 0, -1)
}

func (m *memStore) GetRange(ctx context.Context, key string, off, n int64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[key]
	if !ok {
		return nil, fmt.Errorf("memstore %q: %w", key, storage.ErrNotFound)
	}
	if n < 0 {
		n = int64(len(b)) - off
	}
	if off < 0 || n < 0 || off+n > int64(len(b)) {
		return nil, fmt.Errorf("memstore %q: range [%d,+%d) outside %d bytes", key, off, n, len(b))
	}
	m.ranges++
	m.largest = max(m.largest, n)
	return append([]byte(nil), b[off:off+n]...), nil
}

func (m *memStore) Size(ctx context.Context, key string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[key]
	if !ok {
		return 0, fmt.Errorf("memstore %q: %w", key, storage.ErrNotFound)
	}
	return int64(len(b)), nil
}

func (m *memStore) Put(ctx context.Context, key string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[key] = append([]byte(nil), data...)
	return nil
}

func (m *memStore) Delete(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, key)
	return nil
}

func (m *memStore) List(ctx context.Context, prefix string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.objs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m *memStore) URL() string { return m.url }
