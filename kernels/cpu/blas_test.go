package cpu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
	"github.com/blockwork-dev/blockwork/kernels/kerneltest"
)

// blasSave restores the BLAS choice, the thread setting and the test
// hooks when t ends.
func blasSave(t testing.TB) {
	t.Helper()
	blasState.mu.Lock()
	cur, threads := blasState.cur.Load(), blasState.threads
	blasState.mu.Unlock()
	off, minWork := blasOff.Load(), blasMinWork
	t.Cleanup(func() {
		blasState.mu.Lock()
		blasState.threads = threads
		if cur != nil {
			blasInstall(cur)
		} else {
			blasState.cur.Store(nil)
		}
		blasState.mu.Unlock()
		blasOff.Store(off)
		blasMinWork = minWork
	})
}

// blasMode sets the gemm kernel to the library (every product, however
// small) or to gonum, and reports whether a library is in use. Without
// one the library half logs that it checks the fallback.
func blasMode(t *testing.T, useLib bool) bool {
	t.Helper()
	blasSave(t)
	blasMinWork = 0
	blasOff.Store(!useLib)
	if !useLib {
		return false
	}
	if blasGemm(1, 1, 1) == nil {
		t.Logf("no CBLAS library available (%s): checking the gonum fallback", BLASName())
		return false
	}
	t.Logf("gemm through %s", BLASName())
	return true
}

func TestBLASName(t *testing.T) {
	name := BLASName()
	t.Logf("BLASName: %s", name)
	lib := blasGet()
	switch {
	case lib.dgemm != nil:
		if !strings.HasPrefix(name, "openblas (") && !strings.HasPrefix(name, "cblas (") {
			t.Errorf("BLASName %q with a library loaded", name)
		}
		if lib.name == "openblas" && lib.getThreads != nil {
			if n := lib.getThreads(); n != 1 {
				t.Errorf("OpenBLAS runs %d threads by default, want 1", n)
			}
		}
	default:
		if !strings.HasPrefix(name, "gonum") {
			t.Errorf("BLASName %q without a library", name)
		}
	}
}

// TestGemmConformanceBothWays runs the kerneltest suite with every float
// product sent to the run-time BLAS, and with gonum forced.
func TestGemmConformanceBothWays(t *testing.T) {
	for _, useLib := range []bool{true, false} {
		t.Run(map[bool]string{true: "blas", false: "gonum"}[useLib], func(t *testing.T) {
			blasMode(t, useLib)
			r := kernels.NewRegistry()
			Register(r)
			dev := device.NewHost()
			kerneltest.Run(t, r, dev, kerneltest.WithSeed(*conformanceSeed))
			devicetest.AssertNoLeaks(t, dev)
		})
	}
}

// gemmRandom fills A and B of l with values in [-1, 1).
func gemmRandom(l *kernels.Launch, dt graph.DType, rng *rand.Rand) {
	for _, b := range l.Src {
		switch dt {
		case graph.Float64:
			x := device.View[float64](b)
			for i := range x {
				x[i] = 2*rng.Float64() - 1
			}
		case graph.Float32:
			x := device.View[float32](b)
			for i := range x {
				x[i] = float32(2*rng.Float64() - 1)
			}
		}
	}
}

// gemmFloats returns a buffer's elements as float64.
func gemmFloats(dt graph.DType, b *device.Buffer) []float64 {
	var out []float64
	switch dt {
	case graph.Float64:
		out = append(out, device.View[float64](b)...)
	case graph.Float32:
		for _, v := range device.View[float32](b) {
			out = append(out, float64(v))
		}
	}
	return out
}

// TestGemmBLASMatchesGonum compares the library's products with gonum's on
// random shapes, zero-sized dimensions, 1×K @ K×1, K×1 @ 1×K and shapes
// past the blocking sizes, within (k+2)·eps·Σ|a||b| per element.
func TestGemmBLASMatchesGonum(t *testing.T) {
	blasSave(t)
	blasMinWork = 0
	have := blasGemm(1, 1, 1) != nil
	if have {
		t.Logf("comparing %s with gonum", BLASName())
	} else {
		t.Logf("no CBLAS library available (%s): checking that the fallback is gonum", BLASName())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{ // m, n, k
		{0, 0, 0}, {0, 5, 3}, {4, 0, 3}, {4, 5, 0}, {1, 1, 1},
		{1, 1, 37}, {1, 29, 37}, {31, 1, 37}, {37, 37, 1}, {1, 300, 700}, {700, 1, 300},
		{3, 517, 260}, {130, 70, 129},
	}
	for range 12 {
		shapes = append(shapes, [3]int{rng.IntN(90), rng.IntN(90), rng.IntN(90)})
	}
	dev := device.NewHost()
	for _, dt := range []graph.DType{graph.Float64, graph.Float32} {
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			l := gemmLaunch(t, dev, dt, m, n, k)
			gemmRandom(l, dt, rng)
			blasOff.Store(false)
			if got := blasGemm(m, n, k) != nil; got != have {
				t.Fatalf("blasGemm(%d, %d, %d) in use %v, want %v", m, n, k, got, have)
			}
			if err := (gemmKernel{}).Run(l); err != nil {
				t.Fatalf("%v %dx%d @ %dx%d: %v", dt, m, k, k, n, err)
			}
			lib := gemmFloats(dt, l.Dst[0])
			blasOff.Store(true)
			if blasGemm(m, n, k) != nil {
				t.Fatal("blasOff set and a library in use")
			}
			if err := (gemmKernel{}).Run(l); err != nil {
				t.Fatalf("%v %dx%d @ %dx%d, gonum: %v", dt, m, k, k, n, err)
			}
			gon := gemmFloats(dt, l.Dst[0])
			if len(lib) != m*n || len(gon) != m*n {
				t.Fatalf("%v %dx%d @ %dx%d: %d and %d results", dt, m, k, k, n, len(lib), len(gon))
			}
			a, b := gemmFloats(dt, l.Src[0]), gemmFloats(dt, l.Src[1])
			eps := 0x1p-52
			if dt == graph.Float32 {
				eps = 0x1p-23
			}
			bad := 0
			for i := range m {
				for j := range n {
					var mag float64
					for p := range k {
						mag += math.Abs(a[i*k+p] * b[p*n+j])
					}
					tol := 2 * float64(k+2) * eps * mag // both sides may err by (k+2)·eps·mag
					if d := math.Abs(lib[i*n+j] - gon[i*n+j]); !(d <= tol) {
						if bad++; bad <= 3 {
							t.Errorf("%v %dx%d @ %dx%d: C[%d,%d] = %v (library), %v (gonum), tolerance %.3g",
								dt, m, k, k, n, i, j, lib[i*n+j], gon[i*n+j], tol)
						}
					}
				}
			}
		}
	}
}

// TestGemmBLASConcurrent runs products on several goroutines at once (as
// the executor's workers do): each must give the bits it gives alone.
func TestGemmBLASConcurrent(t *testing.T) {
	if !blasMode(t, true) {
		t.Log("(the goroutines run gonum)")
	}
	dev := device.NewHost()
	const workers, rounds, n = 4, 5, 96
	rng := rand.New(rand.NewPCG(3, 4))
	launches := make([]*kernels.Launch, workers)
	want := make([][]float64, workers)
	for w := range launches {
		launches[w] = gemmLaunch(t, dev, graph.Float64, n, n+w, n-w)
		gemmRandom(launches[w], graph.Float64, rng)
		if err := (gemmKernel{}).Run(launches[w]); err != nil {
			t.Fatal(err)
		}
		want[w] = gemmFloats(graph.Float64, launches[w].Dst[0])
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			l := launches[w]
			for range rounds {
				clear(l.Dst[0].Bytes())
				if err := (gemmKernel{}).Run(l); err != nil {
					errs[w] = err
					return
				}
				got := gemmFloats(graph.Float64, l.Dst[0])
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[w][i]) {
						errs[w] = fmt.Errorf("worker %d: C[%d] = %v, alone %v", w, i, got[i], want[w][i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Error(err)
	}
}

// TestBLASFirstUseConcurrent: concurrent first uses load the library once
// and agree on it.
func TestBLASFirstUseConcurrent(t *testing.T) {
	blasSave(t)
	blasState.cur.Store(nil)
	libs := make([]*blasLib, 8)
	var wg sync.WaitGroup
	for i := range libs {
		wg.Go(func() { libs[i] = blasGet() })
	}
	wg.Wait()
	for i, lib := range libs {
		if lib == nil || lib != libs[0] {
			t.Fatalf("first use %d got %p, first use 0 got %p", i, lib, libs[0])
		}
	}
	t.Logf("loaded %s", BLASName())
}

func TestSetBLASLibrary(t *testing.T) {
	blasSave(t)
	def := BLASName()
	dev := device.NewHost()
	run := func(what string) {
		t.Helper()
		l := gemmLaunch(t, dev, graph.Float64, 40, 40, 40)
		if err := (gemmKernel{}).Run(l); err != nil {
			t.Fatalf("%s: gemm: %v", what, err)
		}
	}

	if err := SetBLASLibrary("gonum"); err != nil {
		t.Fatal(err)
	}
	if got := BLASName(); got != "gonum" {
		t.Errorf(`after SetBLASLibrary("gonum"): BLASName %q`, got)
	}
	if blasGemm(100, 100, 100) != nil {
		t.Error(`after SetBLASLibrary("gonum"): a library in use`)
	}
	run("gonum")

	missing := "/nonexistent/libblockwork-no-such-blas.so"
	if err := SetBLASLibrary(missing); err == nil {
		t.Errorf("SetBLASLibrary(%q): no error", missing)
	}
	if got := BLASName(); !strings.HasPrefix(got, "gonum (") || !strings.Contains(got, missing) {
		t.Errorf("after a failed SetBLASLibrary: BLASName %q, want gonum with the reason", got)
	}
	run("missing library")

	if blasCandidates() != nil {
		// libc.so.6 opens on every glibc system and has no cblas_dgemm.
		err := SetBLASLibrary("libc.so.6")
		if !errors.Is(err, errNoCBLAS) {
			t.Errorf(`SetBLASLibrary("libc.so.6") = %v, want %v`, err, errNoCBLAS)
		}
		if got, want := BLASName(), "gonum (libc.so.6: no cblas_dgemm)"; got != want {
			t.Errorf("BLASName %q, want %q", got, want)
		}
		run("libc")
	}

	if err := SetBLASLibrary(""); err != nil {
		t.Fatal(err)
	}
	if got := BLASName(); got != def {
		t.Errorf(`after SetBLASLibrary(""): BLASName %q, want the default %q`, got, def)
	}
	if lib := blasGet(); lib.dgemm != nil {
		// The file it came from, by path, works too.
		if err := SetBLASLibrary(lib.path); err != nil {
			t.Errorf("SetBLASLibrary(%q): %v", lib.path, err)
		} else if got := BLASName(); got != def {
			t.Errorf("after SetBLASLibrary(%q): BLASName %q, want %q", lib.path, got, def)
		}
		run("explicit path")
	}
}

func TestBLASThreads(t *testing.T) {
	blasSave(t)
	lib := blasGet()
	if lib.getThreads == nil {
		t.Logf("%s: no openblas_get_num_threads; checking that BLASThreads is harmless", BLASName())
	}
	check := func(want int32) {
		t.Helper()
		if lib.getThreads != nil {
			if got := lib.getThreads(); got != want {
				t.Errorf("OpenBLAS threads %d, want %d", got, want)
			}
		}
	}
	check(1)
	BLASThreads(2)
	check(2)
	BLASThreads(0)
	check(1)
	// a library loaded later gets the setting
	BLASThreads(2)
	if err := SetBLASLibrary(""); err != nil {
		t.Fatal(err)
	}
	lib = blasGet()
	check(2)
	BLASThreads(1)
	check(1)
}

func TestBLASSearchReason(t *testing.T) {
	if blasCandidates() == nil {
		t.Log("no run-time BLAS on this platform")
		return
	}
	// libc.so.6 opens on every glibc system and has no cblas_dgemm.
	lib := blasSearch([]string{"/nonexistent/libblockwork-no-such-blas.so", "libc.so.6"})
	if lib.dgemm != nil || lib.reason != "libc.so.6: no cblas_dgemm" {
		t.Errorf("search over a missing library and libc: %+v", lib)
	}
	if lib := blasSearch(nil); lib.dgemm != nil || lib.reason != "" {
		t.Errorf("search over nothing: %+v", lib)
	}
	def := blasGet()
	if def.dgemm == nil {
		t.Logf("no CBLAS library available (%s): search past libc not checked", BLASName())
		return
	}
	lib = blasSearch([]string{"libc.so.6", def.path})
	if lib.dgemm == nil || lib.path != def.path {
		t.Errorf("search over libc and %s: %+v", def.path, lib)
	}
}

func TestDebianMultiarch(t *testing.T) {
	c := blasCandidates()
	if c == nil {
		t.Log("no run-time BLAS on this platform")
		return
	}
	if c[0] != "libopenblas.so.0" {
		t.Errorf("first candidate %q", c[0])
	}
	last := c[len(c)-1]
	if !strings.HasPrefix(last, "/usr/lib/") || !strings.HasSuffix(last, "-linux-gnu/openblas-pthread/libopenblas.so.0") {
		t.Errorf("explicit fallback %q", last)
	}
}
