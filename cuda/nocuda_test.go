//go:build !cuda

package cuda

import (
	"errors"
	"testing"
)

func TestStubReportsNoGPU(t *testing.T) {
	if Built {
		t.Fatal("Built without the cuda tag")
	}
	if n, err := Count(); n != 0 || err != nil {
		t.Fatalf("Count = %d, %v", n, err)
	}
	if ds, err := Devices(); len(ds) != 0 || err != nil {
		t.Fatalf("Devices = %v, %v", ds, err)
	}
	if _, err := DriverVersion(); !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("DriverVersion: %v", err)
	}
	g, err := Open(0)
	if g != nil || !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("Open = %v, %v", g, err)
	}
	var s *Stream
	var e *Event
	var m *Module
	var f *Function
	for i, err := range []error{
		g.Do(nil), g.Free(0), g.EnablePeer(nil), g.Close(),
		s.CopyHtoD(0, nil), s.CopyDtoH(nil, 0), s.CopyDtoD(0, 0, 0), s.CopyPeer(0, nil, 0, nil, 0), s.Memset(0, 0, 0),
		s.Wait(nil), s.Synchronize(), s.Destroy(), e.Synchronize(), e.Destroy(), m.Unload(),
		f.Launch(nil, Dim1(1), Dim1(1), 0),
	} {
		if !errors.Is(err, ErrNotBuilt) {
			t.Errorf("call %d: %v, want ErrNotBuilt", i, err)
		}
	}
}
