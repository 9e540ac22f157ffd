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

// gemmKernel runs graph.OpGemm: Src[0] is A (m×k), Src[1] is B (k×n),
// Dst[0] is C (m×n), all row-major with the shapes of l.SrcMeta and
// l.Task.Outputs[0]. It equals the plain loop
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s T
//			for p := 0; p < k; p++ {
//				s += A[i*k+p] * B[p*n+j]
//			}
//			C[i*n+j] = s
//		}
//	}
//
// up to the summation order of floats: float64 goes to cblas_dgemm and
// float32 to cblas_sgemm of the BLAS opened at run time (blas.go: OpenBLAS
// when found, row-major, lda = k, ldb = ldc = n, the chunk layout; products
// of m·n·k < blasMinWork stay on gonum, cheaper than the call), else to
// gonum's blas64.Gemm / blas32.Gemm, on the buffers as they are (no
// copies); int32 and int64 use a cache-blocked loop that wraps on
// overflow. k == 0 gives C all zeros. bool is not supported.
//
// C must not share memory with A or B (a product cannot be formed in
// place without a copy, and kernels do not allocate): the kernel returns
// an error when it does.
//
// gonum's Dgemm splits large products over GOMAXPROCS goroutines by
// blocks of C; each element of C is still summed by one goroutine in a
// fixed order, so the bits do not depend on the split. OpenBLAS runs on 1
// thread unless BLASThreads says otherwise. Its bits differ from gonum's
// (another summation order): the same binary on the same machine gives
// the same bits only with the same library (BLASName).
type gemmKernel struct{}

func (gemmKernel) Run(l *kernels.Launch) error {
	m, n, k, err := gemmCheck(l)
	if err != nil {
		return err
	}
	dt := l.Task.Outputs[0].DType
	if m == 0 || n == 0 {
		return nil
	}
	c := l.Dst[0].Bytes()
	if k == 0 {
		clear(c)
		return nil
	}
	a, b := l.Src[0].Bytes(), l.Src[1].Bytes()
	switch dt {
	case graph.Float64:
		if lib := blasGemm(m, n, k); lib != nil {
			a, b, c := device.ViewBytes[float64](a), device.ViewBytes[float64](b), device.ViewBytes[float64](c)
			lib.dgemm(cblasRowMajor, cblasNoTrans, cblasNoTrans, int32(m), int32(n), int32(k),
				1, &a[0], int32(k), &b[0], int32(n), 0, &c[0], int32(n))
			break
		}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: m, Cols: k, Stride: k, Data: device.ViewBytes[float64](a)},
			blas64.General{Rows: k, Cols: n, Stride: n, Data: device.ViewBytes[float64](b)},
			0, blas64.General{Rows: m, Cols: n, Stride: n, Data: device.ViewBytes[float64](c)})
	case graph.Float32:
		if lib := blasGemm(m, n, k); lib != nil && lib.sgemm != nil {
			a, b, c := device.ViewBytes[float32](a), device.ViewBytes[float32](b), device.ViewBytes[float32](c)
			lib.sgemm(cblasRowMajor, cblasNoTrans, cblasNoTrans, int32(m), int32(n), int32(k),
				1, &a[0], int32(k), &b[0], int32(n), 0, &c[0], int32(n))
			break
		}
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: m, Cols: k, Stride: k, Data: device.ViewBytes[float32](a)},
			blas32.General{Rows: k, Cols: n, Stride: n, Data: device.ViewBytes[float32](b)},
			0, blas32.General{Rows: m, Cols: n, Stride: n, Data: device.ViewBytes[float32](c)})
	case graph.Int64:
		gemmInt(device.ViewBytes[int64](c), device.ViewBytes[int64](a), device.ViewBytes[int64](b), m, n, k)
	case graph.Int32:
		gemmInt(device.ViewBytes[int32](c), device.ViewBytes[int32](a), device.ViewBytes[int32](b), m, n, k)
	default:
		return fmt.Errorf("gemm: dtype %v not supported", dt)
	}
	return nil
}

// gemmCheck validates the launch and returns the product's dimensions.
func gemmCheck(l *kernels.Launch) (m, n, k int, err error) {
	if len(l.Task.Outputs) != 1 || len(l.Dst) != 1 || len(l.Src) != 2 || len(l.SrcMeta) != 2 {
		return 0, 0, 0, fmt.Errorf("gemm: want 2 sources and 1 destination, have %d (%d meta) and %d (%d outputs)",
			len(l.Src), len(l.SrcMeta), len(l.Dst), len(l.Task.Outputs))
	}
	out, am, bm := l.Task.Outputs[0], l.SrcMeta[0], l.SrcMeta[1]
	dt := out.DType
	switch dt {
	case graph.Float32, graph.Float64, graph.Int32, graph.Int64:
	default:
		return 0, 0, 0, fmt.Errorf("gemm: dtype %v not supported", dt)
	}
	if am.DType != dt || bm.DType != dt {
		return 0, 0, 0, fmt.Errorf("gemm: dtypes %v @ %v -> %v, want one dtype", am.DType, bm.DType, dt)
	}
	oshape := out.Shape
	if len(oshape) == 3 && oshape[2] == 1 {
		// a partial product of a blocked matmul: (m, n, 1), same bytes as (m, n)
		oshape = oshape[:2]
	}
	out.Shape = oshape
	if len(am.Shape) != 2 || len(bm.Shape) != 2 || len(out.Shape) != 2 ||
		am.Shape[1] != bm.Shape[0] || out.Shape[0] != am.Shape[0] || out.Shape[1] != bm.Shape[1] {
		return 0, 0, 0, fmt.Errorf("gemm: shapes %v @ %v -> %v do not match", am.Shape, bm.Shape, out.Shape)
	}
	for i, c := range []graph.Chunk{am, bm, out} {
		buf := l.Dst[0]
		if i < 2 {
			buf = l.Src[i]
		}
		if buf == nil || buf.Len() != c.Bytes() || (c.Bytes() > 0 && buf.Bytes() == nil) {
			return 0, 0, 0, fmt.Errorf("gemm: buffer %d is not a host buffer of %d bytes for %v", i, c.Bytes(), c)
		}
	}
	for i := range 2 {
		if gemmOverlap(l.Dst[0].Bytes(), l.Src[i].Bytes()) {
			return 0, 0, 0, fmt.Errorf("gemm: destination shares memory with source %d", i)
		}
	}
	return am.Shape[0], bm.Shape[1], am.Shape[1], nil
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

// gemmInt is C = A @ B for integers with wrapping arithmetic, blocked over
// k and n; each C element is summed in order of p.
func gemmInt[T int32 | int64](c, a, b []T, m, n, k int) {
	clear(c[:m*n])
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
