//go:build !cuda

package cuda

// Built reports whether the binary has the CUDA driver layer (the cuda
// build tag).
const Built = false

// Count is the number of GPUs: none without the cuda build tag.
func Count() (int, error) { return 0, nil }

// Devices lists the GPUs: none without the cuda build tag.
func Devices() ([]DeviceInfo, error) { return nil, nil }

// DriverVersion is the CUDA driver's version (1000*major + 10*minor).
func DriverVersion() (int, error) { return 0, ErrNotBuilt }

// GPU is one CUDA device with its primary context and driver thread.
type GPU struct{}

// Open returns ErrNotBuilt without the cuda build tag.
func Open(ordinal int) (*GPU, error) { return nil, ErrNotBuilt }

func (g *GPU) Info() DeviceInfo                        { return DeviceInfo{} }
func (g *GPU) Do(f func() error) error                 { return ErrNotBuilt }
func (g *GPU) MemInfo() (free, total int64, err error) { return 0, 0, ErrNotBuilt }
func (g *GPU) Alloc(n int64) (DevicePtr, error)        { return 0, ErrNotBuilt }
func (g *GPU) Free(p DevicePtr) error                  { return ErrNotBuilt }
func (g *GPU) NewStream() (*Stream, error)             { return nil, ErrNotBuilt }
func (g *GPU) LoadModule(ptx string) (*Module, error)  { return nil, ErrNotBuilt }
func (g *GPU) CanAccessPeer(o *GPU) (bool, error)      { return false, ErrNotBuilt }
func (g *GPU) EnablePeer(o *GPU) error                 { return ErrNotBuilt }
func (g *GPU) Close() error                            { return ErrNotBuilt }

// Stream is a CUDA stream of one GPU.
type Stream struct{}

func (s *Stream) CopyHtoD(dst DevicePtr, src []byte) error   { return ErrNotBuilt }
func (s *Stream) CopyDtoH(dst []byte, src DevicePtr) error   { return ErrNotBuilt }
func (s *Stream) CopyDtoD(dst, src DevicePtr, n int64) error { return ErrNotBuilt }
func (s *Stream) CopyPeer(dst DevicePtr, dg *GPU, src DevicePtr, sg *GPU, n int64) error {
	return ErrNotBuilt
}
func (s *Stream) Memset(dst DevicePtr, v byte, n int64) error { return ErrNotBuilt }
func (s *Stream) Record() (*Event, error)                     { return nil, ErrNotBuilt }
func (s *Stream) Wait(e *Event) error                         { return ErrNotBuilt }
func (s *Stream) Synchronize() error                          { return ErrNotBuilt }
func (s *Stream) Destroy() error                              { return ErrNotBuilt }

// Event marks a point in a stream.
type Event struct{}

func (e *Event) Done() (bool, error) { return false, ErrNotBuilt }
func (e *Event) Synchronize() error  { return ErrNotBuilt }
func (e *Event) Destroy() error      { return ErrNotBuilt }

// Module is PTX loaded on one GPU.
type Module struct{}

func (m *Module) Function(name string) (*Function, error) { return nil, ErrNotBuilt }
func (m *Module) Unload() error                           { return ErrNotBuilt }

// Function is a kernel of a Module.
type Function struct{}

func (f *Function) Launch(s *Stream, grid, block Dim, shared int, args ...uint64) error {
	return ErrNotBuilt
}

// Handle is the CUstream (0 without the cuda build tag).
func (s *Stream) Handle() uintptr { return 0 }
