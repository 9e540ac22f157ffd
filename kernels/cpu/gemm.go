package cpu

import (
	"fmt"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// gemmKernel runs graph.OpGemm, a sum of P >= 1 products: Src is A_0,
// B_0, A_1, B_1, ... with A_q of m×k_q and B_q of k_q×n, Dst[0] is C
// (m×n), all row-major with the shapes of l.SrcMeta and
// l.Task.Outputs[0]. It equals the plain loop
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s T
//			for q := 0; q < P; q++ {
//				for p := 0; p < k[q]; p++ {
//					s += A[q][i*k[q]+p] * B[q][p*n+j]
//				}
//			}
//			C[i*n+j] = s
//		}
//	}
//
// up to the summation order of floats: one library call per pair, in
// input order, the first writing C (beta = 0) and each later one adding
// its product to it (beta = 1), so C is a running sum whose order is
// fixed by the inputs. float64 goes to cblas_dgemm and float32 to
// cblas_sgemm of the BLAS opened at run time (blas.go: OpenBLAS when
// found, row-major, lda = k_q, ldb = ldc = n, the chunk layout; products
// of m·n·k_q < blasMinWork stay on gonum, cheaper than the call), else to
// gonum's blas64.Gemm / blas32.Gemm, on the buffers as they are (no
// copies); int32 and int64 use a cache-blocked loop that wraps on
// overflow. A pair with k_q == 0 adds nothing; when every k_q is 0, C is
// all zeros. bool is not supported.
//
// C must not share memory with any source (a product cannot be formed in
// place without a copy, and kernels do not allocate): the kernel returns
// an error when it does. Sources may share memory with each other (x @ x).
//
// gonum's Dgemm splits large products over GOMAXPROCS goroutines by
// blocks of C; each element of C is still summed by one goroutine in a
// fixed order, so the bits do not depend on the split. OpenBLAS runs on 1
// thread unless BLASThreads says otherwise. Its bits differ from gonum's
// (another summation order): the same binary on the same machine gives
// the same bits only with the same library (BLASName).
type gemmKernel struct{}

func (gemmKernel) Run(l *kernels.Launch) error {
	m, n, err := gemmCheck(l)
	if err != nil {
		return err
	}
	if m == 0 || n == 0 {
		return nil
	}
	dt := l.Task.Outputs[0].DType
	c := l.Dst[0].Bytes()
	acc := false // C holds the sum of the pairs before q
	for q := 0; q < len(l.Src)/2; q++ {
		k := l.SrcMeta[2*q].Shape[1]
		if k == 0 {
			continue
		}
		gemmPair(dt, c, l.Src[2*q].Bytes(), l.Src[2*q+1].Bytes(), m, n, k, acc)
		acc = true
	}
	if !acc {
		clear(c)
	}
	return nil
}

// gemmPair is C = A @ B (acc false) or C += A @ B (acc true) for one pair
// of dtype dt, k > 0; gemmCheck has vetted the dtype and the sizes.
func gemmPair(dt graph.DType, c, a, b []byte, m, n, k int, acc bool) {
	switch dt {
	case graph.Float64:
		beta := 0.0
		if acc {
			beta = 1
		}
		if lib := blasGemm(m, n, k); lib != nil {
			a, b, c := device.ViewBytes[float64](a), device.ViewBytes[float64](b), device.ViewBytes[float64](c)
			lib.dgemm(cblasRowMajor, cblasNoTrans, cblasNoTrans, int32(m), int32(n), int32(k),
				1, &a[0], int32(k), &b[0], int32(n), beta, &c[0], int32(n))
			return
		}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: m, Cols: k, Stride: k, Data: device.ViewBytes[float64](a)},
			blas64.General{Rows: k, Cols: n, Stride: n, Data: device.ViewBytes[float64](b)},
			beta, blas64.General{Rows: m, Cols: n, Stride: n, Data: device.ViewBytes[float64](c)})
	case graph.Float32:
		var beta float32
		if acc {
			beta = 1
		}
		if lib := blasGemm(m, n, k); lib != nil && lib.sgemm != nil {
			a, b, c := device.ViewBytes[float32](a), device.ViewBytes[float32](b), device.ViewBytes[float32](c)
			lib.sgemm(cblasRowMajor, cblasNoTrans, cblasNoTrans, int32(m), int32(n), int32(k),
				1, &a[0], int32(k), &b[0], int32(n), beta, &c[0], int32(n))
			return
		}
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: m, Cols: k, Stride: k, Data: device.ViewBytes[float32](a)},
			blas32.General{Rows: k, Cols: n, Stride: n, Data: device.ViewBytes[float32](b)},
			beta, blas32.General{Rows: m, Cols: n, Stride: n, Data: device.ViewBytes[float32](c)})
	case graph.Int64:
		gemmInt(device.ViewBytes[int64](c), device.ViewBytes[int64](a), device.ViewBytes[int64](b), m, n, k, acc)
	case graph.Int32:
		gemmInt(device.ViewBytes[int32](c), device.ViewBytes[int32](a), device.ViewBytes[int32](b), m, n, k, acc)
	}
}

// gemmCheck validates the launch and returns the dimensions of C.
func gemmCheck(l *kernels.Launch) (m, n int, err error) {
	if len(l.Task.Outputs) != 1 || len(l.Dst) != 1 || len(l.Src) == 0 || len(l.Src)%2 != 0 || len(l.SrcMeta) != len(l.Src) {
		return 0, 0, fmt.Errorf("gemm: want an even number (>= 2) of sources and 1 destination, have %d (%d meta) and %d (%d outputs)",
			len(l.Src), len(l.SrcMeta), len(l.Dst), len(l.Task.Outputs))
	}
	out := l.Task.Outputs[0]
	dt := out.DType
	switch dt {
	case graph.Float32, graph.Float64, graph.Int32, graph.Int64:
	default:
		return 0, 0, fmt.Errorf("gemm: dtype %v not supported", dt)
	}
	if len(out.Shape) == 3 && out.Shape[2] == 1 {
		// a partial product of a blocked matmul: (m, n, 1), same bytes as (m, n)
		out.Shape = out.Shape[:2]
	}
	if len(out.Shape) != 2 {
		return 0, 0, fmt.Errorf("gemm: output shape %v is not 2-d", out.Shape)
	}
	m, n = out.Shape[0], out.Shape[1]
	for q := 0; q < len(l.Src)/2; q++ {
		am, bm := l.SrcMeta[2*q], l.SrcMeta[2*q+1]
		if am.DType != dt || bm.DType != dt {
			return 0, 0, fmt.Errorf("gemm: pair %d: dtypes %v @ %v -> %v, want one dtype", q, am.DType, bm.DType, dt)
		}
		if len(am.Shape) != 2 || len(bm.Shape) != 2 ||
			am.Shape[1] != bm.Shape[0] || am.Shape[0] != m || bm.Shape[1] != n {
			return 0, 0, fmt.Errorf("gemm: pair %d: shapes %v @ %v -> %v do not match", q, am.Shape, bm.Shape, out.Shape)
		}
	}
	if err := gemmBuffer(l.Dst[0], out, "destination"); err != nil {
		return 0, 0, err
	}
	for i, buf := range l.Src {
		if err := gemmBuffer(buf, l.SrcMeta[i], fmt.Sprintf("source %d", i)); err != nil {
			return 0, 0, err
		}
		if gemmOverlap(l.Dst[0].Bytes(), buf.Bytes()) {
			return 0, 0, fmt.Errorf("gemm: destination shares memory with source %d", i)
		}
	}
	return m, n, nil
}

// gemmBuffer checks that buf is a host buffer of c's size.
func gemmBuffer(buf *device.Buffer, c graph.Chunk, what string) error {
	if buf == nil || buf.Len() != c.Bytes() || (c.Bytes() > 0 && buf.Bytes() == nil) {
		return fmt.Errorf("gemm: %s is not a host buffer of %d bytes for %v", what, c.Bytes(), c)
	}
	return nil
}

// gemmOverlap reports whether two byte slices share memory.
func gemmOverlap(x, y []byte) bool {
	if len(x) == 0 || len(y) == 0 {
		return false
	}
	px, py := uintptr(unsafe.Pointer(&x[0])), uintptr(unsafe.Pointer(&y[0]))
	return px < py+uintptr(len(y)) && py < px+uintptr(len(x))
}

// Block sizes of the integer loop: a gemmBlockK × gemmBlockN panel of B
// (128 × 256 int64 = 256 KiB at most) stays in L2 while every row of A
// passes over it, and a row of C's panel (2 KiB) stays in L1.
const (
	gemmBlockK = 128
	gemmBlockN = 256
)

// gemmInt is C = A @ B (acc false) or C += A @ B (acc true) for integers
// with wrapping arithmetic, blocked over k and n; each C element is summed
// in order of p.
func gemmInt[T int32 | int64](c, a, b []T, m, n, k int, acc bool) {
	if !acc {
		clear(c[:m*n])
	}
	for j0 := 0; j0 < n; j0 += gemmBlockN {
		j1 := min(j0+gemmBlockN, n)
		for p0 := 0; p0 < k; p0 += gemmBlockK {
			p1 := min(p0+gemmBlockK, k)
			for i := 0; i < m; i++ {
				crow := c[i*n+j0 : i*n+j1]
				arow := a[i*k+p0 : i*k+p1]
				for p, av := range arow {
					if av == 0 {
						continue
					}
					brow := b[(p0+p)*n+j0 : (p0+p)*n+j1]
					brow = brow[:len(crow)]
					for j, bv := range brow {
						crow[j] += av * bv
					}
				}
			}
		}
	}
}
