// Package kernels owns the contract between an executor and the code that
// computes one task: the Kernel interface, the Launch it receives, and the
// Registry keyed by (op name, dtype, device kind).
//
// It takes a graph.Task whose output buffers the executor has already
// allocated (exact sizes from the task's Outputs metadata) and whose input
// buffers are ready; a kernel writes the destinations and returns an error
// for bad data (never panics on data: integer division by zero gives 0,
// integer overflow wraps, an integer to a negative power is an error).
// Destinations come first; a destination may be exactly a source but never
// partly overlap one. Kernels do not allocate chunk-sized memory.
//
// Backends register their kernels: kernels/cpu for the host, package cuda
// for GPUs. kernels/kerneltest is the conformance suite every backend
// must pass against float64 references.
package kernels
