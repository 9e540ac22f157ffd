//go:build cuda

package cuda

// Tests that need a GPU (build tag cuda: the binary exits before main
// without one). make gpu-bundle builds them for a GPU machine. Nothing
// here has run yet: no GPU was available where it was written.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/device"
)

func openGPU(t testing.TB) *GPU {
	t.Helper()
	n, err := Count()
	if err != nil || n == 0 {
		t.Fatalf("no GPU: %d, %v", n, err)
	}
	g, err := Open(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Error(err)
		}
	})
	return g
}

func libConfig() LibConfig { return LibConfig{Dir: os.Getenv("BLOCKWORK_CUDA_LIB_DIR")} }

func TestGPUDevices(t *testing.T) {
	v, err := DriverVersion()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := Devices()
	if err != nil || len(ds) == 0 {
		t.Fatalf("Devices = %v, %v", ds, err)
	}
	t.Logf("driver %d", v)
	for _, d := range ds {
		t.Logf("%+v", d)
		if d.Name == "" || d.TotalMem <= 0 || d.Major < 5 || d.SMs <= 0 {
			t.Errorf("implausible device %+v", d)
		}
	}
}

func alloc(t testing.TB, g *GPU, n int64) DevicePtr {
	t.Helper()
	p, err := g.Alloc(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Free(p); err != nil {
			t.Error(err)
		}
	})
	return p
}

func TestGPUCopiesAndEvents(t *testing.T) {
	g := openGPU(t)
	s, err := g.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	const n = 3<<20 + 5
	src := make([]byte, n)
	for i := range src {
		src[i] = byte(i*7 + i>>11)
	}
	a, b := alloc(t, g, n), alloc(t, g, n)
	if err := s.CopyHtoD(a, src); err != nil {
		t.Fatal(err)
	}
	clear(src[:10]) // staged: changing src after the call must not matter
	if err := s.CopyDtoD(b, a, n); err != nil {
		t.Fatal(err)
	}
	if err := s.Memset(b, 0xEE, 4); err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, n)
	if err := s.CopyDtoH(dst, b); err != nil {
		t.Fatal(err)
	}
	ev, err := s.Record()
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.Synchronize(); err != nil {
		t.Fatal(err)
	}
	if done, err := ev.Done(); !done || err != nil {
		t.Fatalf("event after Synchronize: %v, %v", done, err)
	}
	s2, err := g.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Destroy()
	if err := s2.Wait(ev); err != nil {
		t.Fatal(err)
	}
	ev.Destroy()
	if err := s.Synchronize(); err != nil {
		t.Fatal(err)
	}
	for i := range dst {
		want := byte(i*7 + i>>11)
		if i < 4 {
			want = 0xEE
		}
		if dst[i] != want {
			t.Fatalf("byte %d = %#x, want %#x", i, dst[i], want)
		}
	}
	free, total, err := g.MemInfo()
	if err != nil || free <= 0 || total < free {
		t.Fatalf("MemInfo = %d, %d, %v", free, total, err)
	}
}

func TestGPUOutOfMemory(t *testing.T) {
	g := openGPU(t)
	_, err := g.Alloc(4 * g.Info().TotalMem)
	if !errors.Is(err, device.ErrOutOfMemory) {
		t.Fatalf("Alloc of 4x the GPU's memory: %v", err)
	}
}

func putF64(v []float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

func getF64(b []byte) []float64 {
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v
}

func launch1(t testing.TB, f *Function, s *Stream, n int64, args ...uint64) {
	t.Helper()
	grid := int(min((n+255)/256, 65535))
	if err := f.Launch(s, Dim1(max(grid, 1)), Dim1(256), 0, args...); err != nil {
		t.Fatal(err)
	}
}

func TestGPUFixedKernels(t *testing.T) {
	g := openGPU(t)
	s, err := g.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	fns := map[string]*Function{}
	for mod, names := range Kernels() {
		ptx, err := PTX(mod)
		if err != nil {
			t.Fatal(err)
		}
		m, err := g.LoadModule(ptx)
		if err != nil {
			t.Fatalf("loading %s.ptx (compute_80 JIT): %v", mod, err)
		}
		defer m.Unload()
		for _, name := range names {
			if fns[name], err = m.Function(name); err != nil {
				t.Fatal(err)
			}
		}
	}
	const n = 1<<20 + 3
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = float64(i%1000)-500.5, float64(i%7)+0.25
	}
	x[17] = math.NaN()
	dx, dy, dz := alloc(t, g, 8*n), alloc(t, g, 8*n), alloc(t, g, 8*n)
	s.CopyHtoD(dx, putF64(x))
	s.CopyHtoD(dy, putF64(y))
	launch1(t, fns["add_f64"], s, n, uint64(dz), uint64(dx), uint64(dy), n)
	out := make([]byte, 8*n)
	s.CopyDtoH(out, dz)
	if err := s.Synchronize(); err != nil {
		t.Fatal(err)
	}
	for i, v := range getF64(out) {
		if w := x[i] + y[i]; v != w && !(v != v && w != w) {
			t.Fatalf("add_f64[%d] = %v, want %v", i, v, w)
		}
	}
	// max reduction, two passes: NaN propagates
	blocks := int64(120)
	part := alloc(t, g, 8*blocks)
	res := alloc(t, g, 8)
	if err := fns["max_f64"].Launch(s, Dim1(int(blocks)), Dim1(ReduceThreads), 0, uint64(part), uint64(dx), n); err != nil {
		t.Fatal(err)
	}
	if err := fns["max_f64"].Launch(s, Dim1(1), Dim1(ReduceThreads), 0, uint64(res), uint64(part), uint64(blocks)); err != nil {
		t.Fatal(err)
	}
	r := make([]byte, 8)
	s.CopyDtoH(r, res)
	s.Synchronize()
	if v := getF64(r)[0]; !math.IsNaN(v) {
		t.Fatalf("max with a NaN = %v", v)
	}
	// sum of y (exact: multiples of 1/4 far below 2^53)
	fns["sum_f64"].Launch(s, Dim1(int(blocks)), Dim1(ReduceThreads), 0, uint64(part), uint64(dy), n)
	fns["sum_f64"].Launch(s, Dim1(1), Dim1(ReduceThreads), 0, uint64(res), uint64(part), uint64(blocks))
	s.CopyDtoH(r, res)
	if err := s.Synchronize(); err != nil {
		t.Fatal(err)
	}
	var want float64
	for _, v := range y {
		want += v
	}
	if v := getF64(r)[0]; v != want {
		t.Fatalf("sum_f64 = %v, want %v", v, want)
	}
	// 2-d transpose of 8-byte elements, and the same through copy_strided
	const rows, cols = 333, 517
	launchT := func(dst DevicePtr) {
		grid := Dim{(cols + 31) / 32, (rows + 31) / 32, 1}
		if err := fns["transpose2d_b8"].Launch(s, grid, Dim{32, 8, 1}, 0, uint64(dst), uint64(dx), rows, cols); err != nil {
			t.Fatal(err)
		}
	}
	launchT(dz)
	geom := []int64{0, cols, rows, 1, cols} // off, shape (cols, rows), strides (1, cols)
	gb := make([]byte, 8*len(geom))
	for i, v := range geom {
		binary.LittleEndian.PutUint64(gb[8*i:], uint64(v))
	}
	dg := alloc(t, g, int64(len(gb)))
	s.CopyHtoD(dg, gb)
	launch1(t, fns["copy_strided_b8"], s, rows*cols, uint64(dy), uint64(dx), uint64(dg), 2, rows*cols)
	t1, t2 := make([]byte, 8*rows*cols), make([]byte, 8*rows*cols)
	s.CopyDtoH(t1, dz)
	s.CopyDtoH(t2, dy)
	if err := s.Synchronize(); err != nil {
		t.Fatal(err)
	}
	a, b := getF64(t1), getF64(t2)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			w := x[i*cols+j]
			if v := a[j*rows+i]; v != w && !(v != v && w != w) {
				t.Fatalf("transpose2d [%d,%d] = %v, want %v", j, i, v, w)
			}
			if v := b[j*rows+i]; v != w && !(v != v && w != w) {
				t.Fatalf("copy_strided [%d,%d] = %v, want %v", j, i, v, w)
			}
		}
	}
}

// gpuRun runs an emulation case on the GPU through NVRTC.
func gpuRun(t *testing.T, g *GPU, s *Stream, c *Compiler, ec *emuCase) ([][]byte, int) {
	t.Helper()
	src, err := Render(ec.p.Prog, len(ec.p.Shape))
	if err != nil {
		t.Fatal(err)
	}
	ptx, err := c.PTX(src)
	if err != nil {
		t.Fatal(err)
	}
	m, err := g.LoadModule(ptx)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Unload()
	f, err := m.Function(src.Name)
	if err != nil {
		t.Fatal(err)
	}
	shapes := make([][]int, len(ec.srcs))
	for k, sc := range ec.srcs {
		shapes[k] = sc.Shape
	}
	geom, items, err := Geometry(ec.p, shapes)
	if err != nil {
		t.Fatal(err)
	}
	gb := make([]byte, 8*len(geom)+8)
	for i, v := range geom {
		binary.LittleEndian.PutUint64(gb[8*i:], uint64(v))
	}
	var args []uint64
	outs := ec.outChunks()
	var dOuts []DevicePtr
	for _, o := range outs {
		p := alloc(t, g, o.Bytes()+8)
		dOuts = append(dOuts, p)
		args = append(args, uint64(p))
	}
	dg := alloc(t, g, int64(len(gb)))
	s.CopyHtoD(dg, gb)
	status := alloc(t, g, 8)
	s.Memset(status, 0, 8)
	args = append(args, uint64(dg), uint64(status))
	for k := 0; k < src.NumSrc; k++ {
		p := alloc(t, g, int64(len(ec.data[k]))+8)
		s.CopyHtoD(p, ec.data[k])
		args = append(args, uint64(p))
	}
	args = append(args, uint64(items))
	launch1(t, f, s, max(items, 1), args...)
	res := make([][]byte, len(outs))
	for k, o := range outs {
		res[k] = make([]byte, o.Bytes())
		s.CopyDtoH(res[k], dOuts[k])
	}
	st := make([]byte, 4)
	s.CopyDtoH(st, status)
	if err := s.Synchronize(); err != nil {
		t.Fatal(err)
	}
	return res, int(int32(binary.LittleEndian.Uint32(st)))
}

// TestGPUFusedMatchesCPU runs the emulation test's cases on the GPU.
func TestGPUFusedMatchesCPU(t *testing.T) {
	g := openGPU(t)
	s, err := g.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	nv, err := OpenNVRTC(libConfig())
	if err != nil {
		t.Fatal(err)
	}
	info := g.Info()
	c := NewCompiler(nv, fmt.Sprintf("compute_%d%d", info.Major, info.Minor))
	rng := rand.New(rand.NewPCG(7, 11))
	for k := 0; k < 60; k++ {
		nd := 1 + rng.IntN(3)
		shape := make([]int, nd)
		for a := range shape {
			shape[a] = 1 + rng.IntN(40)
		}
		ec := newEmuCase(rng, exactProgram(rng, nd), shape, fmt.Sprintf("gpu_%d", k))
		want, cpuErr := ec.cpuRun(t)
		got, status := gpuRun(t, g, s, c, ec)
		if cpuErr != nil {
			if status != 1 {
				t.Errorf("%s: CPU error %v, GPU status %d", ec.name, cpuErr, status)
			}
			continue
		}
		for i, o := range ec.outChunks() {
			if at, ok := sameBits(o.DType, got[i], want[i], 0); !ok {
				t.Errorf("%s: output %d differs at %d: program %+v", ec.name, i, at, ec.p.Prog.Instrs)
			}
		}
	}
	t.Logf("%d NVRTC compilations with %s", c.Compilations(), nv.Path())
}

func TestGPUCUBLAS(t *testing.T) {
	g := openGPU(t)
	b, err := OpenCUBLAS(libConfig())
	if err != nil {
		t.Fatal(err)
	}
	s, err := g.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	var h BLASHandle
	if err := g.Do(func() error {
		var err error
		if h, err = b.Create(); err != nil {
			return err
		}
		return b.SetStream(h, s.Handle())
	}); err != nil {
		t.Fatal(err)
	}
	defer g.Do(func() error { return b.Destroy(h) })
	const n = 96
	a, bm := make([]float64, n*n), make([]float64, n*n)
	for i := range a {
		a[i], bm[i] = float64(i%13)-6, float64(i%5)-2
	}
	da, db, dc := alloc(t, g, 8*n*n), alloc(t, g, 8*n*n), alloc(t, g, 8*n*n)
	s.CopyHtoD(da, putF64(a))
	s.CopyHtoD(db, putF64(bm))
	if err := g.Do(func() error { return b.Dgemm(h, NoTrans, NoTrans, n, n, n, 1, da, n, db, n, 0, dc, n) }); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 8*n*n)
	s.CopyDtoH(out, dc)
	if err := s.Synchronize(); err != nil {
		t.Fatal(err)
	}
	c := getF64(out)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var w float64
			for k := 0; k < n; k++ {
				w += a[i+k*n] * bm[k+j*n]
			}
			if c[i+j*n] != w {
				t.Fatalf("C[%d,%d] = %v, want %v (cuBLAS %s)", i, j, c[i+j*n], w, b.Path())
			}
		}
	}
}

func TestGPUPeerCopy(t *testing.T) {
	n, _ := Count()
	if n < 2 {
		t.Skip("one GPU: peer copies need two")
	}
	g0 := openGPU(t)
	g1, err := Open(1)
	if err != nil {
		t.Fatal(err)
	}
	defer g1.Close()
	if ok, err := g0.CanAccessPeer(g1); err != nil {
		t.Fatal(err)
	} else if ok {
		if err := g0.EnablePeer(g1); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := g0.NewStream()
	defer s.Destroy()
	src := []byte("peer to peer through CopyPeer")
	a := alloc(t, g0, int64(len(src)))
	b := alloc(t, g1, int64(len(src)))
	s.CopyHtoD(a, src)
	if err := s.CopyPeer(b, g1, a, g0, int64(len(src))); err != nil {
		t.Fatal(err)
	}
	s.Synchronize()
	s1, _ := g1.NewStream()
	defer s1.Destroy()
	out := make([]byte, len(src))
	s1.CopyDtoH(out, b)
	s1.Synchronize()
	if string(out) != string(src) {
		t.Fatalf("peer copy gave %q", out)
	}
}

// BenchmarkGPUBandwidth reports device-to-device copy and add_f32
// bandwidth (bytes read + written) on 256 MiB buffers.
func BenchmarkGPUBandwidth(b *testing.B) {
	g := openGPU(b)
	s, _ := g.NewStream()
	defer s.Destroy()
	const n = 64 << 20 // float32 elements
	x, y, z := alloc(b, g, 4*n), alloc(b, g, 4*n), alloc(b, g, 4*n)
	ptx, _ := PTX("elementwise")
	m, err := g.LoadModule(ptx)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Unload()
	add, _ := m.Function("add_f32")
	info := g.Info()
	for _, c := range []struct {
		name  string
		bytes float64
		run   func()
	}{
		{"copy", 2 * 4 * n, func() { s.CopyDtoD(y, x, 4*n) }},
		{"add_f32", 3 * 4 * n, func() {
			add.Launch(s, Dim1(info.SMs*8), Dim1(256), 0, uint64(z), uint64(x), uint64(y), n)
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.run()
			s.Synchronize()
			t0 := time.Now()
			for i := 0; i < b.N; i++ {
				c.run()
			}
			if err := s.Synchronize(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(c.bytes*float64(b.N)/time.Since(t0).Seconds()/1e9, "GB/s")
		})
	}
}
