package cuda

// DevicePtr is an address in a GPU's memory (CUdeviceptr).
type DevicePtr uintptr

// DeviceInfo are a GPU's properties, read once when it is enumerated.
type DeviceInfo struct {
	Ordinal      int
	Name         string
	UUID         string
	TotalMem     int64 // bytes
	Major, Minor int   // compute capability
	SMs          int   // multiprocessors
	ClockKHz     int
	MemClockKHz  int
	BusWidth     int // memory bus width in bits
	PCIBus       int
	Unified      bool // unified addressing (a DevicePtr names one GPU)
}

// Dim is a launch grid or block size.
type Dim struct{ X, Y, Z int }

// Dim1 is a one-dimensional Dim.
func Dim1(n int) Dim { return Dim{n, 1, 1} }

// stagingLimit is the most pinned staging memory one GPU keeps.
const stagingLimit = 256 << 20
