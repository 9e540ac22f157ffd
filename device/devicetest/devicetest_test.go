package devicetest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
)

// recorder is a testing.TB that keeps its errors.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestAssertNoLeaks(t *testing.T) {
	h := device.NewHost()
	g := devicetest.NewFakeGPU("gpu0", 0)
	hb, _ := h.Alloc(100)
	gb, _ := g.Alloc(300)
	gb2, _ := g.Alloc(5)
	r := &recorder{TB: t}
	devicetest.AssertNoLeaks(r, h, g)
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "cpu: 100 bytes in 1 buffers") ||
		!strings.Contains(r.errs[0], "gpu0: 305 bytes in 2 buffers") {
		t.Fatalf("AssertNoLeaks reported %q", r.errs)
	}
	hb.Release()
	gb.Release()
	gb2.Release()
	r = &recorder{TB: t}
	devicetest.AssertNoLeaks(r, h, g)
	if r.errs != nil {
		t.Fatalf("AssertNoLeaks with nothing live reported %q", r.errs)
	}
}

func TestFakeGPU(t *testing.T) {
	g := devicetest.NewFakeGPU("gpu1", 1000)
	defer devicetest.AssertNoLeaks(t, g)
	if g.Kind() != graph.GPU || g.Name() != "gpu1" {
		t.Fatalf("kind %v name %q", g.Kind(), g.Name())
	}
	a, err := g.Alloc(600)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	if a.Bytes() != nil || a.Ptr() == 0 || a.Len() != 600 || a.Device() != g {
		t.Fatalf("buffer: bytes %v ptr %#x len %d", a.Bytes(), a.Ptr(), a.Len())
	}
	if _, err := g.Alloc(401); !errors.Is(err, device.ErrOutOfMemory) || errors.Is(err, devicetest.ErrInjected) {
		t.Fatalf("past the memory size: %v", err)
	}
	g.FailAlloc(2)
	b, err := g.Alloc(10)
	if err != nil {
		t.Fatal(err)
	}
	if b.Ptr() < a.Ptr()+600 {
		t.Fatalf("buffers overlap: %#x and %#x", a.Ptr(), b.Ptr())
	}
	b.Release()
	if _, err := g.Alloc(10); !errors.Is(err, device.ErrOutOfMemory) || !errors.Is(err, devicetest.ErrInjected) {
		t.Fatalf("injected failure: %v", err)
	}
	c, err := g.Alloc(400) // the injection fires once; exactly full
	if err != nil {
		t.Fatal(err)
	}
	c.Release()
	want := device.Stats{LiveBytes: 600, LiveBuffers: 1, PeakBytes: 1000, Allocs: 3, PoolBytes: 600}
	if s := g.Stats(); s != want {
		t.Fatalf("stats %+v, want %+v", s, want)
	}
	g.CopyIn(600)
	g.CopyIn(5)
	g.CopyOut(600)
	if c := g.Copies(); c != (devicetest.Copies{In: 2, Out: 1, BytesIn: 605, BytesOut: 600}) {
		t.Fatalf("copies %+v", c)
	}
}
