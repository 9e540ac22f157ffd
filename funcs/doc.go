// Package funcs is the process-wide registry of named Go functions that
// tasks call: block loaders (a chunk read from a file, a store or any
// custom source) and block writers (a chunk written to one).
//
// A graph stays closure-free and serialisable: a load or store task
// carries a function's name and an opaque argument blob (graph.LoadParams,
// graph.StoreParams); whichever process runs the task resolves the name
// here. Every process that may run such a task (the embedded executor,
// each cluster worker) must therefore register the same names, normally
// from an init function of the package that owns the format. Names are
// "package.function" by convention ("zarr.read", "npy.read").
//
// It takes nothing but the standard library and graph's types, and hands
// on Lookup results to kernels/cpu, which wraps them as the OpLoad and
// OpStore kernels.
package funcs
