// Package device owns where chunk bytes live: a Device (the host CPU here;
// CUDA GPUs from package cuda; fakes in tests) hands out refcounted
// Buffers of exact sizes and accounts every live byte.
//
// It takes allocation requests from an executor (sizes from graph.Chunk
// metadata, known before a task runs) and hands Buffers to kernels. A
// Buffer is freed when its last reference is released (Retain/Release);
// no finalizers. Host buffers live off the Go heap, in an mmap'd pool of
// size classes, so the process RSS follows the accounting. Tests end by
// asserting zero live bytes (AssertNoLeaks).
package device
