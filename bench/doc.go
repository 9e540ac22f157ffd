// Package bench holds Blockwork's reproducible workloads and their
// measurement: each workload is an array expression with inputs generated
// inside the graph (as Dask's own benchmarks do), a check of its result
// against an independent computation, and `go test -bench` suites.
//
// The demo (`blockwork demo`, `make demo`) is the workload Demo:
// (x + x.T - x.mean(axis=0)).std() over a random n x n float64 array.
// Nothing imports bench but cmd/blockwork.
package bench
