package cpu

import (
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// A library with cblas_dgemm but no cblas_sgemm: float32 gemm must fall
// back to gonum and give gonum's result.
func TestReviewBLASNoSgemm(t *testing.T) {
	blasSave(t)
	blasMinWork = 0
	blasOff.Store(false)
	lib := blasGet()
	if lib.dgemm == nil {
		t.Skipf("no CBLAS: %s", BLASName())
	}
	cp := *lib
	cp.sgemm = nil
	blasState.mu.Lock()
	blasInstall(&cp)
	blasState.mu.Unlock()
	dev := device.NewHost()
	l := gemmLaunch(t, dev, graph.Float32, 7, 5, 6)
	if err := (gemmKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	got := append([]float32(nil), device.View[float32](l.Dst[0])...)
	blasOff.Store(true)
	if err := (gemmKernel{}).Run(l); err != nil {
		t.Fatal(err)
	}
	want := device.View[float32](l.Dst[0])
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("at %d: %v vs gonum %v", i, got[i], want[i])
		}
	}
	// netlib libblas.so.3 may lack cblas_dgemm: the name should say why
	if err := SetBLASLibrary("libblas.so.3"); err != nil {
		t.Logf("libblas.so.3: %v; name %s", err, BLASName())
	} else {
		t.Logf("libblas.so.3 opened: %s", BLASName())
	}
	if err := SetBLASLibrary("/nonexistent/libfoo.so"); err == nil {
		t.Error("want error")
	}
	t.Log(BLASName())
}
