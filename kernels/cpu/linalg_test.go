package cpu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// dm is a dense row-major test matrix.
type dm struct {
	r, c int
	v    []float64
}

func (m dm) at(i, j int) float64 { return m.v[i*m.c+j] }

func randDM(rng *rand.Rand, r, c int) dm {
	m := dm{r, c, make([]float64, r*c)}
	for i := range m.v {
		m.v[i] = rng.NormFloat64()
	}
	return m
}

// mulDM is a @ b by the plain triple loop (opA, opB transpose when set).
func mulDM(a dm, ta bool, b dm, tb bool) dm {
	ar, ac := a.r, a.c
	if ta {
		ar, ac = ac, ar
	}
	br, bc := b.r, b.c
	if tb {
		br, bc = bc, br
	}
	if ac != br {
		panic(fmt.Sprintf("mulDM: %dx%d @ %dx%d", ar, ac, br, bc))
	}
	get := func(m dm, t bool, i, j int) float64 {
		if t {
			return m.at(j, i)
		}
		return m.at(i, j)
	}
	out := dm{ar, bc, make([]float64, ar*bc)}
	for i := 0; i < ar; i++ {
		for j := 0; j < bc; j++ {
			var s float64
			for p := 0; p < ac; p++ {
				s += get(a, ta, i, p) * get(b, tb, p, j)
			}
			out.v[i*bc+j] = s
		}
	}
	return out
}

// maxDiff is the largest |a - b| over elements, relative to b's largest
// magnitude (at least 1).
func maxDiff(a, b dm) float64 {
	if a.r != b.r || a.c != b.c {
		return math.Inf(1)
	}
	scale, d := 1.0, 0.0
	for i := range b.v {
		scale = math.Max(scale, math.Abs(b.v[i]))
		d = math.Max(d, math.Abs(a.v[i]-b.v[i]))
	}
	return d / scale
}

func eyeDM(n int) dm {
	m := dm{n, n, make([]float64, n*n)}
	for i := 0; i < n; i++ {
		m.v[i*n+i] = 1
	}
	return m
}

// bothLAPACKs runs f with the library's LAPACK (when one is loaded: a
// library without one is logged) and with gonum's.
func bothLAPACKs(t *testing.T, f func(*testing.T)) {
	for _, lib := range []bool{true, false} {
		t.Run(map[bool]string{true: "library", false: "gonum"}[lib], func(t *testing.T) {
			if blasMode(t, lib) {
				if lapackGet(1) == nil {
					t.Logf("%s has no LAPACK: checking gonum's", BLASName())
				} else {
					t.Logf("LAPACK of %s", BLASName())
				}
			}
			f(t)
		})
	}
}

// runLinalg runs one OpLinalg task on the sources and returns its
// outputs (shapes outs).
func runLinalg(t *testing.T, p *graph.LinalgParams, srcs []dm, outs [][]int) ([][]float64, error) {
	t.Helper()
	dev := device.NewHost()
	l := &kernels.Launch{Task: &graph.Task{Op: graph.Op{Name: graph.OpLinalg, Params: p}}}
	for _, s := range srcs {
		c := graph.Chunk{DType: graph.Float64, Shape: []int{s.r, s.c}}
		buf, err := dev.Alloc(c.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		defer buf.Release()
		copy(device.View[float64](buf), s.v)
		l.Src, l.SrcMeta = append(l.Src, buf), append(l.SrcMeta, c)
	}
	for _, sh := range outs {
		c := graph.Chunk{DType: graph.Float64, Shape: sh}
		buf, err := dev.Alloc(c.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		defer buf.Release()
		v := device.View[float64](buf)
		for i := range v {
			v[i] = math.NaN() // every element must be written
		}
		l.Dst, l.Task.Outputs = append(l.Dst, buf), append(l.Task.Outputs, c)
	}
	r := kernels.NewRegistry()
	Register(r)
	k, ok := r.Lookup(l.Task, graph.CPU)
	if !ok {
		t.Fatal("no CPU kernel registered for linalg")
	}
	if err := kernels.Run(k, l); err != nil {
		return nil, err
	}
	res := make([][]float64, len(l.Dst))
	for i, b := range l.Dst {
		res[i] = append([]float64(nil), device.View[float64](b)...)
	}
	return res, nil
}

// stackDM stacks matrices of one column count by rows.
func stackDM(ms []dm) dm {
	out := dm{0, ms[0].c, nil}
	for _, m := range ms {
		out.r += m.r
		out.v = append(out.v, m.v...)
	}
	return out
}

// mgs is the QR of a full-rank tall a by modified Gram-Schmidt in plain
// loops: the unique factorization with a positive diagonal of R.
func mgs(a dm) (q, r dm) {
	m, n := a.r, a.c
	q = dm{m, n, append([]float64(nil), a.v...)}
	r = dm{n, n, make([]float64, n*n)}
	for j := 0; j < n; j++ {
		var s float64
		for i := 0; i < m; i++ {
			s += q.v[i*n+j] * q.v[i*n+j]
		}
		r.v[j*n+j] = math.Sqrt(s)
		for i := 0; i < m; i++ {
			q.v[i*n+j] /= r.v[j*n+j]
		}
		for k := j + 1; k < n; k++ {
			var d float64
			for i := 0; i < m; i++ {
				d += q.v[i*n+j] * q.v[i*n+k]
			}
			r.v[j*n+k] = d
			for i := 0; i < m; i++ {
				q.v[i*n+k] -= d * q.v[i*n+j]
			}
		}
	}
	return q, r
}

func TestLinalgQR(t *testing.T) { bothLAPACKs(t, testLinalgQR) }

func testLinalgQR(t *testing.T) {
	rng := seededRand(t, 41)
	for trial := 0; trial < 40; trial++ {
		k := 1 + rng.IntN(4)
		n := rng.IntN(12)
		ins := make([]dm, k)
		outs := make([][]int, 0, k+1)
		m := 0
		for i := range ins {
			ins[i] = randDM(rng, rng.IntN(15), n)
			m += ins[i].r
		}
		r := min(m, n)
		for i := range ins {
			outs = append(outs, []int{ins[i].r, r})
		}
		outs = append(outs, []int{r, n})
		res, err := runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgQR}, ins, outs)
		if err != nil {
			t.Fatal(err)
		}
		var qs []dm
		for i := range ins {
			qs = append(qs, dm{ins[i].r, r, res[i]})
		}
		if m == 0 {
			continue
		}
		q, rr, a := stackDM(qs), dm{r, n, res[k]}, stackDM(ins)
		name := fmt.Sprintf("trial %d: %d blocks, A %dx%d", trial, k, m, n)
		if d := maxDiff(mulDM(q, false, rr, false), a); d > 1e-12 {
			t.Errorf("%s: |QR - A| = %g", name, d)
		}
		if d := maxDiff(mulDM(q, true, q, false), eyeDM(r)); d > 1e-12 {
			t.Errorf("%s: |QtQ - I| = %g", name, d)
		}
		for i := 0; i < r; i++ {
			if rr.at(i, i) < 0 {
				t.Errorf("%s: R[%d,%d] = %g < 0", name, i, i, rr.at(i, i))
			}
			for j := 0; j < i; j++ {
				if rr.at(i, j) != 0 {
					t.Errorf("%s: R[%d,%d] = %g below the diagonal", name, i, j, rr.at(i, j))
				}
			}
		}
		if m >= n && n > 0 {
			mq, mr := mgs(a)
			if d := maxDiff(rr, mr); d > 1e-9 {
				t.Errorf("%s: R differs from Gram-Schmidt's by %g", name, d)
			}
			if d := maxDiff(q, mq); d > 1e-9 {
				t.Errorf("%s: Q differs from Gram-Schmidt's by %g", name, d)
			}
		}
	}
}

func TestLinalgSVD(t *testing.T) { bothLAPACKs(t, testLinalgSVD) }

func testLinalgSVD(t *testing.T) {
	rng := seededRand(t, 42)
	for trial := 0; trial < 40; trial++ {
		k := 1 + rng.IntN(3)
		n := rng.IntN(10)
		ins := make([]dm, k)
		var outs [][]int
		m := 0
		for i := range ins {
			ins[i] = randDM(rng, rng.IntN(12), n)
			m += ins[i].r
		}
		r := min(m, n)
		for i := range ins {
			outs = append(outs, []int{ins[i].r, r})
		}
		outs = append(outs, []int{r}, []int{r, n})
		res, err := runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgSVD}, ins, outs)
		if err != nil {
			t.Fatal(err)
		}
		if m == 0 {
			continue
		}
		var us []dm
		for i := range ins {
			us = append(us, dm{ins[i].r, r, res[i]})
		}
		u, s, vt, a := stackDM(us), res[k], dm{r, n, res[k+1]}, stackDM(ins)
		name := fmt.Sprintf("trial %d: %d blocks, A %dx%d", trial, k, m, n)
		us2 := dm{m, r, append([]float64(nil), u.v...)}
		for i := 0; i < m; i++ {
			for j := 0; j < r; j++ {
				us2.v[i*r+j] *= s[j]
			}
		}
		if d := maxDiff(mulDM(us2, false, vt, false), a); d > 1e-12 {
			t.Errorf("%s: |U S Vt - A| = %g", name, d)
		}
		if d := maxDiff(mulDM(u, true, u, false), eyeDM(r)); d > 1e-12 {
			t.Errorf("%s: |UtU - I| = %g", name, d)
		}
		if d := maxDiff(mulDM(vt, false, vt, true), eyeDM(r)); d > 1e-12 {
			t.Errorf("%s: |V Vt - I| = %g", name, d)
		}
		// the squares of the singular values sum to the squared
		// Frobenius norm, and come in descending order
		var fro, ss float64
		for _, v := range a.v {
			fro += v * v
		}
		for j, v := range s {
			ss += v * v
			if v < 0 || (j > 0 && v > s[j-1]) {
				t.Errorf("%s: S = %v is not descending and non-negative", name, s)
				break
			}
		}
		if math.Abs(fro-ss) > 1e-12*math.Max(fro, 1) {
			t.Errorf("%s: sum S^2 = %g, |A|_F^2 = %g", name, ss, fro)
		}
	}
}

// TestLinalgQRTall: the TSQR of qrTall's panels (panels of 50 to 90 rows
// here) gives Q R = A, QᵀQ = I and Gram-Schmidt's R and Q.
func TestLinalgQRTall(t *testing.T) { bothLAPACKs(t, testLinalgQRTall) }

func testLinalgQRTall(t *testing.T) {
	rng := seededRand(t, 46)
	old := qrPanelBytes
	defer func() { qrPanelBytes = old }()
	for trial := 0; trial < 6; trial++ {
		n := 1 + rng.IntN(12)
		p := 50 + rng.IntN(40)
		qrPanelBytes = 8 * n * p
		m := 4*qrPanelRows(n) + rng.IntN(3*p)
		a := randDM(rng, m, n)
		res, err := runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgQR}, []dm{a}, [][]int{{m, n}, {n, n}})
		if err != nil {
			t.Fatal(err)
		}
		q, r := dm{m, n, res[0]}, dm{n, n, res[1]}
		name := fmt.Sprintf("trial %d: %dx%d in panels of %d rows", trial, m, n, qrPanelRows(n))
		if d := maxDiff(mulDM(q, false, r, false), a); d > 1e-12 {
			t.Errorf("%s: |QR - A| = %g", name, d)
		}
		if d := maxDiff(mulDM(q, true, q, false), eyeDM(n)); d > 1e-12 {
			t.Errorf("%s: |QtQ - I| = %g", name, d)
		}
		mq, mr := mgs(a)
		if d := maxDiff(r, mr); d > 1e-9 {
			t.Errorf("%s: R differs from Gram-Schmidt's by %g", name, d)
		}
		if d := maxDiff(q, mq); d > 1e-9 {
			t.Errorf("%s: Q differs from Gram-Schmidt's by %g", name, d)
		}
	}
}

// spdDM is a random symmetric positive definite n × n matrix.
func spdDM(rng *rand.Rand, n int) dm {
	g := randDM(rng, n, n)
	a := mulDM(g, false, g, true)
	for i := 0; i < n; i++ {
		a.v[i*n+i] += float64(n)
	}
	return a
}

func TestLinalgCholesky(t *testing.T) { bothLAPACKs(t, testLinalgCholesky) }

func testLinalgCholesky(t *testing.T) {
	rng := seededRand(t, 43)
	for trial := 0; trial < 30; trial++ {
		n := rng.IntN(20)
		a := spdDM(rng, n)
		// the upper triangle is not read
		in := dm{n, n, append([]float64(nil), a.v...)}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				in.v[i*n+j] = rng.NormFloat64() * 1e6
			}
		}
		for _, upper := range []bool{false, true} {
			res, err := runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgCholesky, Upper: upper}, []dm{in}, [][]int{{n, n}})
			if err != nil {
				t.Fatal(err)
			}
			f := dm{n, n, res[0]}
			var got dm
			if upper {
				got = mulDM(f, true, f, false)
			} else {
				got = mulDM(f, false, f, true)
			}
			if d := maxDiff(got, a); d > 1e-13 {
				t.Errorf("trial %d (n %d, upper %v): |factor product - A| = %g", trial, n, upper, d)
			}
			for i := 0; i < n; i++ {
				if f.at(i, i) <= 0 {
					t.Errorf("trial %d: diagonal %d is %g", trial, i, f.at(i, i))
				}
				for j := 0; j < n; j++ {
					if (upper && j < i || !upper && j > i) && f.at(i, j) != 0 {
						t.Errorf("trial %d (upper %v): element (%d, %d) = %g outside the triangle", trial, upper, i, j, f.at(i, j))
					}
				}
			}
		}
	}
	bad := dm{2, 2, []float64{1, 2, 2, 1}}
	if _, err := runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgCholesky}, []dm{bad}, [][]int{{2, 2}}); err == nil || !errors.Is(err, errLinalg) {
		t.Errorf("Cholesky of an indefinite matrix: err = %v, want errLinalg", err)
	}
}

func TestLinalgTriSolve(t *testing.T) { bothLAPACKs(t, testLinalgTriSolve) }

func testLinalgTriSolve(t *testing.T) {
	rng := seededRand(t, 44)
	for trial := 0; trial < 64; trial++ {
		p := &graph.LinalgParams{Kind: graph.LinalgTriSolve, Upper: trial&1 != 0, Trans: trial&2 != 0, Right: trial&4 != 0}
		n, q := rng.IntN(9), rng.IntN(6)
		tm := randDM(rng, n, n)
		for i := 0; i < n; i++ {
			tm.v[i*n+i] = 2 + rng.Float64() // well conditioned
		}
		// the triangle used, as a full matrix
		tri := dm{n, n, make([]float64, n*n)}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if (p.Upper && j >= i) || (!p.Upper && j <= i) {
					tri.v[i*n+j] = tm.v[i*n+j]
				}
			}
		}
		var b dm
		if p.Right {
			b = randDM(rng, q, n)
		} else {
			b = randDM(rng, n, q)
		}
		res, err := runLinalg(t, p, []dm{tm, b}, [][]int{{b.r, b.c}})
		if err != nil {
			t.Fatal(err)
		}
		x := dm{b.r, b.c, res[0]}
		var got dm
		if p.Right {
			got = mulDM(x, false, tri, p.Trans)
		} else {
			got = mulDM(tri, p.Trans, x, false)
		}
		if d := maxDiff(got, b); d > 1e-12 {
			t.Errorf("trial %d %+v (n %d): |op(T) X - B| = %g", trial, *p, n, d)
		}
	}
	z := dm{2, 2, []float64{1, 0, 3, 0}}
	if _, err := runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgTriSolve}, []dm{z, {2, 1, []float64{1, 1}}}, [][]int{{2, 1}}); !errors.Is(err, errLinalg) {
		t.Errorf("triangular solve with a zero diagonal: err = %v, want errLinalg", err)
	}
}

func TestLinalgSolveApply(t *testing.T) { bothLAPACKs(t, testLinalgSolveApply) }

func testLinalgSolveApply(t *testing.T) {
	rng := seededRand(t, 45)
	for trial := 0; trial < 30; trial++ {
		n, q := rng.IntN(15), rng.IntN(5)
		a, b := randDM(rng, n, n), randDM(rng, n, q)
		for i := 0; i < n; i++ {
			a.v[i*n+i] += 3 * math.Sqrt(float64(n))
		}
		res, err := runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgSolve}, []dm{a, b}, [][]int{{n, q}})
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(mulDM(a, false, dm{n, q, res[0]}, false), b); d > 1e-12 {
			t.Errorf("trial %d (n %d): |A X - B| = %g", trial, n, d)
		}
		m, p := rng.IntN(9), rng.IntN(7)
		x, extra, w := randDM(rng, m, p), randDM(rng, p, 2), randDM(rng, p, q)
		res, err = runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgApply}, []dm{x, extra, w}, [][]int{{m, q}})
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(dm{m, q, res[0]}, mulDM(x, false, w, false)); d > 1e-13 {
			t.Errorf("trial %d: apply differs from the loop by %g", trial, d)
		}
	}
	sing := dm{3, 3, []float64{1, 2, 3, 2, 4, 6, 0, 1, 1}}
	if _, err := runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgSolve}, []dm{sing, {3, 1, []float64{1, 2, 3}}}, [][]int{{3, 1}}); !errors.Is(err, errLinalg) {
		t.Errorf("solve with a singular matrix: err = %v, want errLinalg", err)
	}
	if _, err := runLinalg(t, &graph.LinalgParams{Kind: graph.LinalgSolve}, []dm{sing, {2, 1, []float64{1, 2}}}, [][]int{{2, 1}}); err == nil {
		t.Error("solve with mismatched shapes: no error")
	}
}

// BenchmarkLinalgQR is the QR of one tall block (a TSQR leaf) by the
// library's LAPACK and by gonum's; GFLOP/s counts dgeqrf's and dorgqr's
// 2mn² - 2n³/3 each.
func BenchmarkLinalgQR(b *testing.B) {
	for _, sz := range [][2]int{{10000, 100}, {100000, 100}, {4000, 1000}} {
		m, n := sz[0], sz[1]
		rng := rand.New(rand.NewPCG(1, 2))
		a := randDM(rng, m, n)
		for _, lib := range []bool{true, false} {
			b.Run(fmt.Sprintf("%dx%d/%s", m, n, map[bool]string{true: "library", false: "gonum"}[lib]), func(b *testing.B) {
				blasSave(b)
				blasOff.Store(!lib)
				if lib && lapackGet(1) == nil {
					b.Skipf("no LAPACK in %s", BLASName())
				}
				q, r := make([]float64, m*n), make([]float64, n*n)
				work := make([]float64, m*n)
				b.SetBytes(int64(8 * m * n))
				b.ResetTimer()
				for range b.N {
					copy(work, a.v)
					if err := qrDense(work, m, n, q, r); err != nil {
						b.Fatal(err)
					}
				}
				flops := 2 * (2*float64(m)*float64(n)*float64(n) - 2*float64(n)*float64(n)*float64(n)/3)
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkLinalgQRTall is the TSQR leaf (qrTall) of a 100 000 × 100
// block over panels of several sizes, and without panels (0).
func BenchmarkLinalgQRTall(b *testing.B) {
	const m, n = 100000, 100
	a := randDM(rand.New(rand.NewPCG(1, 2)), m, n)
	for _, pb := range []int{0, 128 << 10, 384 << 10, 1 << 20, 4 << 20} {
		b.Run(fmt.Sprintf("panel=%dKiB", pb>>10), func(b *testing.B) {
			old := qrPanelBytes
			defer func() { qrPanelBytes = old }()
			qrPanelBytes = pb
			if pb == 0 {
				qrPanelBytes = 8 * m * n // one panel
			}
			r, work := make([]float64, n*n), make([]float64, m*n)
			b.SetBytes(8 * m * n)
			for range b.N {
				copy(work, a.v)
				if err := qrTall(work, m, n, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
