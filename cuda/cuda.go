//go:build cuda

package cuda

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"gorgonia.org/cu"
)

// Built reports whether the binary has the CUDA driver layer (the cuda
// build tag).
const Built = true

// check turns an error of cu (its result codes) into an *Error.
func check(op string, err error) error {
	if err == nil {
		return nil
	}
	if v := reflect.ValueOf(err); v.Kind() >= reflect.Int && v.Kind() <= reflect.Int64 {
		return driverError(op, int(v.Int()))
	}
	return fmt.Errorf("cuda: %s: %w", op, err)
}

// Count is the number of GPUs the driver sees.
func Count() (int, error) {
	n, err := cu.NumDevices()
	return n, check("cuDeviceGetCount", err)
}

// DriverVersion is the CUDA driver's version (1000*major + 10*minor).
func DriverVersion() (int, error) {
	v := cu.Version()
	if v < 0 {
		return 0, driverError("cuDriverGetVersion", 999)
	}
	return v, nil
}

// Devices lists the GPUs with their properties.
func Devices() ([]DeviceInfo, error) {
	n, err := Count()
	if err != nil {
		return nil, err
	}
	ds := make([]DeviceInfo, n)
	for i := range ds {
		if ds[i], err = deviceInfo(i); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

func deviceInfo(ordinal int) (DeviceInfo, error) {
	d, err := cu.GetDevice(ordinal)
	if err != nil {
		return DeviceInfo{}, check("cuDeviceGet", err)
	}
	info := DeviceInfo{Ordinal: ordinal}
	if info.Name, err = d.Name(); err != nil {
		return info, check("cuDeviceGetName", err)
	}
	if u, err := d.UUID(); err == nil {
		info.UUID = u.String()
	}
	if info.TotalMem, err = d.TotalMem(); err != nil {
		return info, check("cuDeviceTotalMem", err)
	}
	attrs, err := d.Attributes(cu.ComputeCapabilityMajor, cu.ComputeCapabilityMinor, cu.MultiprocessorCount,
		cu.ClockRate, cu.MemoryClockRate, cu.GlobalMemoryBusWidth, cu.PciBusID, cu.UnifiedAddressing)
	if err != nil {
		return info, check("cuDeviceGetAttribute", err)
	}
	info.Major, info.Minor, info.SMs = attrs[0], attrs[1], attrs[2]
	info.ClockKHz, info.MemClockKHz, info.BusWidth, info.PCIBus = attrs[3], attrs[4], attrs[5], attrs[6]
	info.Unified = attrs[7] != 0
	return info, nil
}

// GPU is one CUDA device: its primary context, made current on one
// OS-thread-locked goroutine that runs every driver call for it (Do), and
// a pool of pinned staging buffers for copies from and to Go memory.
type GPU struct {
	info  DeviceInfo
	dev   cu.Device
	ctx   cu.CUContext
	th    *thread
	pool  *stagingPool
	close sync.Once
}

// Open retains the primary context of GPU ordinal and starts its thread.
func Open(ordinal int) (*GPU, error) {
	info, err := deviceInfo(ordinal)
	if err != nil {
		return nil, err
	}
	g := &GPU{info: info}
	if g.dev, err = cu.GetDevice(ordinal); err != nil {
		return nil, check("cuDeviceGet", err)
	}
	g.th, err = newThread(func() error {
		ctx, err := g.dev.RetainPrimaryCtx()
		if err != nil {
			return check("cuDevicePrimaryCtxRetain", err)
		}
		g.ctx = ctx
		if err := cu.SetCurrentContext(ctx); err != nil {
			_ = g.dev.ReleasePrimaryCtx()
			return check("cuCtxSetCurrent", err)
		}
		return nil
	}, func() { _ = g.dev.ReleasePrimaryCtx() })
	if err != nil {
		return nil, err
	}
	g.pool = newStagingPool(hostAlloc, hostFree, stagingLimit)
	return g, nil
}

// Info returns the GPU's properties.
func (g *GPU) Info() DeviceInfo { return g.info }

// Do runs f on the GPU's thread with its context current, after the
// closures submitted before it. f must not call Do (or a method of the
// GPU, its streams, events or modules, which all go through Do): it would
// wait for itself.
func (g *GPU) Do(f func() error) error { return g.th.do(f) }

// MemInfo reports the free and total device memory.
func (g *GPU) MemInfo() (free, total int64, err error) {
	err = g.Do(func() error {
		var e error
		free, total, e = cu.MemInfo()
		return check("cuMemGetInfo", e)
	})
	return
}

// Alloc allocates n bytes of device memory. An allocation that does not
// fit is an error matching device.ErrOutOfMemory.
func (g *GPU) Alloc(n int64) (p DevicePtr, err error) {
	err = g.Do(func() error {
		d, e := cu.MemAlloc(n)
		p = DevicePtr(d)
		return check("cuMemAlloc", e)
	})
	return
}

// Free frees memory from Alloc.
func (g *GPU) Free(p DevicePtr) error {
	return g.Do(func() error { return check("cuMemFree", cu.MemFree(cu.DevicePtr(p))) })
}

// CanAccessPeer reports whether g can read and write o's memory directly.
func (g *GPU) CanAccessPeer(o *GPU) (ok bool, err error) {
	v, err := g.dev.CanAccessPeer(o.dev)
	return v != 0, check("cuDeviceCanAccessPeer", err)
}

// EnablePeer lets kernels and copies on g reach o's memory directly.
func (g *GPU) EnablePeer(o *GPU) error {
	return g.Do(func() error {
		err := check("cuCtxEnablePeerAccess", o.ctx.EnablePeerAccess(0))
		if e, ok := err.(*Error); ok && e.Code == 704 { // already enabled
			return nil
		}
		return err
	})
}

// Close frees the staging buffers, releases the primary context and ends
// the thread. Streams and device memory must be gone first.
func (g *GPU) Close() error {
	var err error
	g.close.Do(func() {
		err = g.Do(func() error { return g.pool.close() })
		g.th.close()
	})
	return err
}

// Stream is a CUDA stream of one GPU. Copies from and to Go memory go
// through pinned staging buffers, returned to the pool as their copies
// complete (at the latest at Synchronize).
type Stream struct {
	g       *GPU
	s       cu.Stream
	pending pendingList
}

// NewStream makes a non-blocking stream.
func (g *GPU) NewStream() (*Stream, error) {
	st := &Stream{g: g, pending: pendingList{pool: g.pool}}
	err := g.Do(func() error {
		s, e := cu.MakeStream(cu.NonBlocking)
		st.s = s
		return check("cuStreamCreate", e)
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

type eventFence struct{ e cu.Event }

func (f eventFence) query() (bool, error) {
	err := check("cuEventQuery", f.e.Query())
	if e, ok := err.(*Error); ok && e.Code == 600 { // not ready
		return false, nil
	}
	return err == nil, err
}
func (f eventFence) sync() error    { return check("cuEventSynchronize", f.e.Synchronize()) }
func (f eventFence) destroy() error { return check("cuEventDestroy", cu.DestroyEvent(&f.e)) }

func (s *Stream) fenceLocked() (fence, error) {
	e, err := cu.MakeEvent(cu.DisableTiming)
	if err != nil {
		return nil, check("cuEventCreate", err)
	}
	if err := e.Record(s.s); err != nil {
		_ = cu.DestroyEvent(&e)
		return nil, check("cuEventRecord", err)
	}
	return eventFence{e}, nil
}

// CopyHtoD enqueues a copy of src to dst: src is copied into a pinned
// staging buffer before CopyHtoD returns, so it may be reused at once.
func (s *Stream) CopyHtoD(dst DevicePtr, src []byte) error {
	if len(src) == 0 {
		return nil
	}
	return s.g.Do(func() error {
		if err := s.pending.reap(false); err != nil {
			return err
		}
		buf, err := s.g.pool.get(len(src))
		if err != nil {
			return err
		}
		copy(buf, src)
		if err := cu.MemcpyHtoDAsync(cu.DevicePtr(dst), unsafe.Pointer(&buf[0]), int64(len(src)), s.s); err != nil {
			s.g.pool.put(buf)
			return check("cuMemcpyHtoDAsync", err)
		}
		f, err := s.fenceLocked()
		if err != nil {
			_ = check("cuStreamSynchronize", s.s.Synchronize())
			s.g.pool.put(buf)
			return err
		}
		s.pending.add(f, buf, nil)
		return nil
	})
}

// CopyDtoH enqueues a copy of len(dst) bytes from src to dst through a
// staging buffer: dst holds the bytes once Synchronize has returned (dst
// must stay untouched until then).
func (s *Stream) CopyDtoH(dst []byte, src DevicePtr) error {
	if len(dst) == 0 {
		return nil
	}
	return s.g.Do(func() error {
		if err := s.pending.reap(false); err != nil {
			return err
		}
		buf, err := s.g.pool.get(len(dst))
		if err != nil {
			return err
		}
		if err := cu.MemcpyDtoHAsync(unsafe.Pointer(&buf[0]), cu.DevicePtr(src), int64(len(dst)), s.s); err != nil {
			s.g.pool.put(buf)
			return check("cuMemcpyDtoHAsync", err)
		}
		f, err := s.fenceLocked()
		if err != nil {
			_ = check("cuStreamSynchronize", s.s.Synchronize())
			s.g.pool.put(buf)
			return err
		}
		s.pending.add(f, buf, func(b []byte) { copy(dst, b) })
		return nil
	})
}

// CopyDtoD enqueues a copy of n bytes within the GPU.
func (s *Stream) CopyDtoD(dst, src DevicePtr, n int64) error {
	return s.g.Do(func() error {
		return check("cuMemcpyDtoDAsync", cu.MemcpyDtoDAsync(cu.DevicePtr(dst), cu.DevicePtr(src), n, s.s))
	})
}

// CopyPeer enqueues a copy of n bytes from src on GPU sg to dst on GPU dg.
func (s *Stream) CopyPeer(dst DevicePtr, dg *GPU, src DevicePtr, sg *GPU, n int64) error {
	return s.g.Do(func() error {
		return check("cuMemcpyPeerAsync", cu.MemcpyPeerAsync(cu.DevicePtr(dst), dg.ctx, cu.DevicePtr(src), sg.ctx, n, s.s))
	})
}

// Memset enqueues setting n bytes at dst to v.
func (s *Stream) Memset(dst DevicePtr, v byte, n int64) error {
	return s.g.Do(func() error {
		return check("cuMemsetD8Async", cu.MemsetD8Async(cu.DevicePtr(dst), v, n, s.s))
	})
}

// Event marks a point in a stream; it fires when the work enqueued before
// it is done.
type Event struct {
	g *GPU
	e cu.Event
}

// Record enqueues an event.
func (s *Stream) Record() (*Event, error) {
	ev := &Event{g: s.g}
	err := s.g.Do(func() error {
		e, err := cu.MakeEvent(cu.DisableTiming)
		if err != nil {
			return check("cuEventCreate", err)
		}
		if err := e.Record(s.s); err != nil {
			_ = cu.DestroyEvent(&e)
			return check("cuEventRecord", err)
		}
		ev.e = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// Wait makes later work on s wait for e (which may be another GPU's).
func (s *Stream) Wait(e *Event) error {
	return s.g.Do(func() error { return check("cuStreamWaitEvent", s.s.Wait(e.e, 0)) })
}

// Synchronize waits for everything enqueued on s and finishes its
// device-to-host copies.
func (s *Stream) Synchronize() error {
	return s.g.Do(func() error {
		err := check("cuStreamSynchronize", s.s.Synchronize())
		if e := s.pending.reap(true); err == nil {
			err = e
		}
		return err
	})
}

// Destroy synchronizes and destroys the stream.
func (s *Stream) Destroy() error {
	err := s.Synchronize()
	if e := s.g.Do(func() error { return check("cuStreamDestroy", s.s.Destroy()) }); err == nil {
		err = e
	}
	return err
}

// Done reports whether the event has fired.
func (e *Event) Done() (done bool, err error) {
	err = e.g.Do(func() error {
		var er error
		done, er = eventFence{e.e}.query()
		return er
	})
	return
}

// Synchronize waits for the event.
func (e *Event) Synchronize() error {
	return e.g.Do(func() error { return eventFence{e.e}.sync() })
}

// Destroy destroys the event.
func (e *Event) Destroy() error {
	return e.g.Do(func() error { return check("cuEventDestroy", cu.DestroyEvent(&e.e)) })
}

// Module is PTX loaded on one GPU (the driver JITs it for the device).
type Module struct {
	g *GPU
	m cu.Module
}

// LoadModule loads PTX text (from PTX or NVRTC).
func (g *GPU) LoadModule(ptx string) (*Module, error) {
	mod := &Module{g: g}
	err := g.Do(func() error {
		m, err := cu.LoadData(ptx)
		mod.m = m
		return check("cuModuleLoadData", err)
	})
	if err != nil {
		return nil, err
	}
	return mod, nil
}

// Function looks a kernel up by its (extern "C") name.
func (m *Module) Function(name string) (*Function, error) {
	f := &Function{g: m.g}
	err := m.g.Do(func() error {
		fn, err := m.m.Function(name)
		f.f = fn
		if err != nil {
			return fmt.Errorf("kernel %s: %w", name, check("cuModuleGetFunction", err))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Unload unloads the module.
func (m *Module) Unload() error {
	return m.g.Do(func() error { return check("cuModuleUnload", m.m.Unload()) })
}

// Function is a kernel of a Module.
type Function struct {
	g *GPU
	f cu.Function
}

// Launch enqueues the kernel on s. Each argument is 8 bytes: a DevicePtr
// or a 64-bit scalar (float64 as math.Float64bits).
func (f *Function) Launch(s *Stream, grid, block Dim, shared int, args ...uint64) error {
	return f.g.Do(func() error {
		ps := make([]unsafe.Pointer, len(args))
		for i := range args {
			ps[i] = unsafe.Pointer(&args[i])
		}
		return check("cuLaunchKernel", f.f.Launch(grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, shared, s.s, ps))
	})
}

// Handle is the CUstream, for libraries that enqueue on it (cuBLAS).
func (s *Stream) Handle() uintptr { return uintptr(unsafe.Pointer(s.s.C())) }
