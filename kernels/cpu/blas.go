package cpu

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
)

// A CPU BLAS opened at run time, without cgo.
//
// The gemm kernel (gemm.go) calls cblas_dgemm / cblas_sgemm of a CBLAS
// library opened with dlopen through github.com/ebitengine/purego, which
// works with CGO_ENABLED=0 (linux/amd64 and linux/arm64, blas_dlopen.go);
// elsewhere, and whenever no usable library is found, gonum's pure Go
// blas64 / blas32 serve (blas_none.go). Finding no library is not an
// error: the kernel falls back. A library that opens but lacks
// cblas_dgemm is passed over, and when nothing else is found the reason
// is recorded and shown by BLASName.
//
// The library is looked for once, lazily, on the first float gemm (or the
// first call of BLASName), safely under concurrent first uses (a
// double-checked atomic pointer and a mutex, which unlike sync.Once lets
// SetBLASLibrary replace the choice); SetBLASLibrary replaces the
// choice explicitly (cmd/blockwork may pass it an environment variable;
// this package reads none). A library once opened is never closed: a
// kernel may still be running in it.
//
// Threads: inside the executor every worker runs its own gemm, so by
// default OpenBLAS is set to 1 thread (openblas_set_num_threads(1)), which
// also keeps the result's bits independent of the machine's core count
// (DESIGN.md, Determinism). BLASThreads changes that, for a single-worker
// executor or a benchmark.

// blasLib is one choice of gemm implementation. A nil dgemm means gonum.
type blasLib struct {
	name   string // "openblas", "cblas" or "gonum"
	path   string // the file the functions come from (or the name it was opened by)
	reason string // for gonum: why no library was used ("" when none was found)

	dgemm func(order, transA, transB, m, n, k int32, alpha float64, a *float64, lda int32,
		b *float64, ldb int32, beta float64, c *float64, ldc int32)
	sgemm func(order, transA, transB, m, n, k int32, alpha float32, a *float32, lda int32,
		b *float32, ldb int32, beta float32, c *float32, ldc int32)
	setThreads func(n int32) // openblas_set_num_threads; nil when the library has none
	lapack     *lapackFuncs  // the LAPACK routines linalg uses; nil when the library lacks one
	getThreads func() int32  // openblas_get_num_threads; nil when the library has none
}

// blasMinWork is the smallest m·n·k sent to the library: a call through
// purego costs about 1.1 µs (and a dozen small allocations) on the project
// machine, which gonum's Dgemm beats below about 1,300 multiply-adds
// (n ≈ 11 for a cube). Tests set it to 0 to send every product.
var blasMinWork = 1 << 10

// CBLAS enum values (cblas.h).
const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
)

// blasState holds the current choice. cur is loaded lock-free by every
// gemm; it is nil until the first load, which happens once under mu
// (double-checked, so concurrent first uses wait for the one search).
var blasState struct {
	mu      sync.Mutex // serialises the first load, SetBLASLibrary and BLASThreads
	cur     atomic.Pointer[blasLib]
	threads int // wanted OpenBLAS threads; 0 means the default, 1
}

// blasOff forces gonum whatever library is loaded: a test hook.
var blasOff atomic.Bool

// gonumBLAS is the fallback with no recorded reason.
var gonumBLAS = &blasLib{name: "gonum"}

// blasGet returns the current choice, loading the default on first use.
func blasGet() *blasLib {
	if lib := blasState.cur.Load(); lib != nil {
		return lib
	}
	blasState.mu.Lock()
	defer blasState.mu.Unlock()
	if blasState.cur.Load() == nil {
		blasInstall(blasSearch(blasCandidates()))
	}
	return blasState.cur.Load()
}

// blasGemm returns the library the gemm kernel is to call for an m×k @
// k×n product, or nil for gonum (none loaded, the test hook, a product too
// small to pay for the call, or dimensions past the 32-bit int of an LP64
// CBLAS).
func blasGemm(m, n, k int) *blasLib {
	if blasOff.Load() || float64(m)*float64(n)*float64(k) < float64(blasMinWork) || !blasFits(m, n, k) {
		return nil
	}
	lib := blasGet()
	if lib.dgemm == nil {
		return nil
	}
	return lib
}

// blasInstall makes lib current and applies the thread setting to it;
// blasState.mu is held.
func blasInstall(lib *blasLib) {
	if lib.setThreads != nil {
		lib.setThreads(int32(max(1, blasState.threads)))
	}
	blasState.cur.Store(lib)
}

// BLASName says which gemm implementation float products use: "openblas
// (PATH)" (or "cblas (PATH)" for another CBLAS library), else "gonum",
// followed by the reason in parentheses when a library was found but not
// used ("gonum (libblas.so.3: no cblas_dgemm)"). It loads the library if
// that has not happened yet.
func BLASName() string {
	lib := blasGet()
	switch {
	case lib.dgemm != nil:
		return fmt.Sprintf("%s (%s)", lib.name, lib.path)
	case lib.reason != "":
		return fmt.Sprintf("%s (%s)", lib.name, lib.reason)
	}
	return lib.name
}

// BLASThreads sets the number of threads OpenBLAS uses inside one gemm
// (n < 1 counts as 1, the default). It applies to the library loaded now
// and to any loaded later; it does nothing with gonum (whose Dgemm splits
// over GOMAXPROCS) or a CBLAS library without openblas_set_num_threads.
// Call it before computing, not while gemms run.
func BLASThreads(n int) {
	n = max(1, min(n, math.MaxInt32))
	blasState.mu.Lock()
	defer blasState.mu.Unlock()
	blasState.threads = n
	if lib := blasState.cur.Load(); lib != nil && lib.setThreads != nil {
		lib.setThreads(int32(n))
	}
}

// SetBLASLibrary replaces the automatic search with an explicit choice:
// path is a file path or a library name for the dynamic loader
// ("libopenblas.so.0"); "gonum" selects the pure Go fallback; "" runs the
// default search again. When the library cannot be opened or lacks
// cblas_dgemm, gemm falls back to gonum, BLASName says why, and the error
// is returned. The current thread setting (BLASThreads) is applied to the
// new library. Call it before computing, not while gemms run.
func SetBLASLibrary(path string) error {
	blasState.mu.Lock()
	defer blasState.mu.Unlock()
	switch path {
	case "":
		blasInstall(blasSearch(blasCandidates()))
		return nil
	case "gonum":
		blasInstall(gonumBLAS)
		return nil
	}
	lib, err := blasOpen(path)
	if err != nil {
		blasInstall(&blasLib{name: "gonum", reason: err.Error()})
		return fmt.Errorf("cpu: BLAS library: %w", err)
	}
	blasInstall(lib)
	return nil
}

// errNoCBLAS marks a library that opened but has no cblas_dgemm.
var errNoCBLAS = errors.New("no cblas_dgemm")

// blasSearch opens the first usable library of candidates
// (blasCandidates); with none, gonum, with the reasons of the libraries
// that opened but were passed over.
func blasSearch(candidates []string) *blasLib {
	var passed []string
	for _, c := range candidates {
		lib, err := blasOpen(c)
		if err == nil {
			return lib
		}
		if errors.Is(err, errNoCBLAS) {
			passed = append(passed, err.Error())
		}
	}
	return &blasLib{name: "gonum", reason: strings.Join(passed, "; ")}
}

// blasFits reports whether the dimensions fit the 32-bit int of an LP64
// CBLAS.
func blasFits(dims ...int) bool {
	for _, d := range dims {
		if d > math.MaxInt32 {
			return false
		}
	}
	return true
}
