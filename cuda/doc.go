// Package cuda is everything GPU: the driver layer, the CUDA libraries
// opened at run time, the fixed kernels and the renderer of fused programs
// to CUDA source.
//
// Where it sits in the pipeline: it takes graph tasks (graph.Program and
// graph.FusedParams for fused tasks, fixed op names for the rest) and
// device pointers from the executor, and hands on kernels enqueued on a
// GPU's stream, events that fire when they are done, and errors as Go
// values. It owns no scheduling decision: the executor (cluster/local,
// cluster) says what runs where; this package only makes it happen on a GPU.
//
// What is here, by layer:
//
//   - Driver (build tag cuda, on gorgonia.org/cu): Count and Devices
//     enumerate GPUs and their properties; Open gives a GPU, which runs
//     every driver call on one goroutine locked to an OS thread with the
//     device's primary context current (GPU.Do). Streams, events, device
//     memory, async host<->device copies through pinned staging buffers
//     (cuMemHostAlloc, a few lines of cgo on cuda.h since cu lacks it),
//     peer copies and modules loaded from PTX. CUDA result codes become
//     *Error values (errors.Is(err, device.ErrOutOfMemory) for an
//     allocation that does not fit).
//   - Without the cuda tag the same names exist, Count reports zero GPUs
//     and everything that would need the driver returns ErrNotBuilt; the
//     default build does not depend on gorgonia.org/cu (make check proves
//     it), because cu's package init exits the process when no GPU is found.
//   - Libraries at run time (any build with cgo, no CUDA header or
//     package needed): OpenNVRTC and OpenCUBLAS find libnvrtc and
//     libcublas by dlopen (sonames .so.13, .12, .11, ...; a directory the
//     caller passes, which cmd/blockwork reads from BLOCKWORK_CUDA_LIB_DIR;
//     the loader's own path; /usr/local/cuda/lib64; pip wheel layouts under
//     site-packages) and resolve their entry points with dlsym, so a binary
//     built against CUDA 11.8 headers runs where only CUDA 13 is installed.
//   - Fixed kernels: CUDA C in kernels/*.cu, compiled to PTX for
//     compute_80 by `make ptx` (nvcc), committed and embedded (PTX,
//     KernelSource, Kernels).
//   - Fused kernels: Render turns a graph.Program into CUDA C source for
//     NVRTC (one kernel per program and rank, cached by hash in Compiler);
//     Geometry packs a task's FusedParams into the int64 array the kernel
//     reads its shape and per-leaf affine maps from.
//
// Kernels take device pointers and 64-bit scalars only (cu copies 8 bytes
// per parameter). The CPU interpreter of the same programs is in
// kernels/cpu (fused.go); Render follows its semantics op by op.
package cuda
