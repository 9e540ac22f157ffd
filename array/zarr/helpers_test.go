package zarr

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/graph"
)

var allDTypes = []graph.DType{graph.Bool, graph.Int32, graph.Int64, graph.Float32, graph.Float64}

// randBytes is n random elements of dt (native bytes): bools 0/1,
// integers over their whole range, floats with some NaN, infinities,
// negative zeros and tiny values mixed in.
func randBytes(r *rand.Rand, dt graph.DType, n int) []byte {
	b := make([]byte, n*dt.Size())
	for i := range n {
		switch dt {
		case graph.Bool:
			b[i] = byte(r.IntN(2))
		case graph.Int32:
			binary.LittleEndian.PutUint32(b[4*i:], r.Uint32())
		case graph.Int64:
			binary.LittleEndian.PutUint64(b[8*i:], r.Uint64())
		case graph.Float32:
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(specialOr(r))))
		case graph.Float64:
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(specialOr(r)))
		}
	}
	return b
}

func specialOr(r *rand.Rand) float64 {
	switch r.IntN(20) {
	case 0:
		return math.NaN()
	case 1:
		return math.Inf(1 - 2*r.IntN(2))
	case 2:
		return math.Copysign(0, -1)
	case 3:
		return 1e-310
	}
	return r.NormFloat64() * math.Pow(10, float64(r.IntN(20)-10))
}

// fromRaw makes an array of dt from native bytes.
func fromRaw(raw []byte, dt graph.DType, shape []int, opts ...array.Option) *array.Array {
	switch dt {
	case graph.Bool:
		v := make([]bool, len(raw))
		for i, b := range raw {
			v[i] = b != 0
		}
		return array.FromSlice(v, shape, opts...)
	case graph.Int32:
		v := make([]int32, len(raw)/4)
		for i := range v {
			v[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return array.FromSlice(v, shape, opts...)
	case graph.Int64:
		v := make([]int64, len(raw)/8)
		for i := range v {
			v[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		return array.FromSlice(v, shape, opts...)
	case graph.Float32:
		v := make([]float32, len(raw)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return array.FromSlice(v, shape, opts...)
	}
	v := make([]float64, len(raw)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return array.FromSlice(v, shape, opts...)
}

// randShape is a shape of 0 to maxDims axes, sometimes with a
// zero-length axis, of at most about maxElems elements.
func randShape(r *rand.Rand, maxDims, maxElems int, allowZero bool) []int {
	nd := r.IntN(maxDims + 1)
	shape := make([]int, nd)
	left := maxElems
	for a := range shape {
		hi := max(1, int(math.Pow(float64(left), 1/float64(nd-a))))
		shape[a] = 1 + r.IntN(min(hi, 40)+1)
		left = max(1, left/shape[a])
	}
	if allowZero && nd > 0 && r.IntN(8) == 0 {
		shape[r.IntN(nd)] = 0
	}
	return shape
}

// randChunks is a random chunking of shape: per axis either regular
// (random size) or an irregular random partition.
func randChunks(r *rand.Rand, shape []int) chunks.Chunks {
	c := make(chunks.Chunks, len(shape))
	for a, n := range shape {
		if n == 0 {
			c[a] = []int{0}
			continue
		}
		if r.IntN(2) == 0 {
			c[a] = regularChunks([]int{n}, []int{1 + r.IntN(n)})[0]
			continue
		}
		for left := n; left > 0; {
			s := 1 + r.IntN(left)
			c[a] = append(c[a], s)
			left -= s
		}
	}
	return c
}

// randGrid is a random Zarr chunk shape for shape (sometimes larger than
// the axis).
func randGrid(r *rand.Rand, shape []int) []int {
	g := make([]int, len(shape))
	for a, n := range shape {
		g[a] = 1 + r.IntN(n+2)
	}
	return g
}

// mustCompute computes x and returns its bytes.
func mustCompute(t *testing.T, x *array.Array) []byte {
	t.Helper()
	nd, err := x.Compute(context.Background())
	if err != nil {
		t.Fatalf("compute: %v", err)
	}
	return nd.Data
}

// firstDiff describes the first differing element of two byte buffers.
func firstDiff(got, want []byte, es int) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %d bytes, want %d", len(got), len(want))
	}
	for i := 0; i < len(got); i += es {
		if !bytes.Equal(got[i:i+es], want[i:i+es]) {
			return fmt.Sprintf("element %d: got % x, want % x", i/es, got[i:i+es], want[i:i+es])
		}
	}
	return "equal"
}

func mustStore(t *testing.T, dir string) storage.Store {
	t.Helper()
	st, err := storage.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

const systemPython = "/usr/bin/python3"

// runPython runs one Python script with Debian's numpy and zarr (never
// the PATH's python3) and returns its standard output. Missing
// dependencies fail the test.
func runPython(t *testing.T, script string, args ...string) string {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Fatalf("%s is missing: run make deps", systemPython)
	}
	if out, err := exec.Command(systemPython, "-c", "import numpy, zarr, numcodecs").CombinedOutput(); err != nil {
		t.Fatalf("numpy/zarr/numcodecs missing for %s (%v: %s): run make deps", systemPython, err, out)
	}
	cmd := exec.Command(systemPython, append([]string{"-c", script}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python: %v\nstderr:\n%s\nstdout:\n%s", err, stderr.String(), stdout.String())
	}
	return stdout.String()
}

// verdicts checks Python's "OK name" / "FAIL name why" lines: every
// wanted name has an OK line and there is no FAIL.
func verdicts(t *testing.T, out string, names []string) {
	t.Helper()
	ok := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "OK":
			ok[f[1]] = true
		case len(f) >= 1 && f[0] == "FAIL":
			t.Errorf("python: %s", line)
		}
	}
	for _, n := range names {
		if !ok[n] {
			t.Errorf("python gave no OK for %s", n)
		}
	}
}
