// Package bench holds Blockwork's reproducible workloads and their
// measurement: each workload is an array expression with inputs generated
// inside the graph (as Dask's own benchmarks do), a check of its result
// against an independent computation, and `go test -bench` suites.
//
// The suite (Workloads: suite.go, plus stencil.go, sort.go, tsqr.go and
// zarrread.go) names each workload with tiny, small and medium sizes. A
// workload that reads files has a Setup that writes its data once under
// RunConfig.DataDir (DataPath; zarr_read's Zarr store) and a Ceiling
// measured in the same run (the disk's O_DIRECT read). RunWorkload times
// one end to end or on persisted
// inputs (median of the timed runs after a warm-up, tasks run, peak RSS)
// and checks it: by direct float64 loops over the materialised inputs
// where they are small, else by identities and analytical expectations.
// Triad measures the machine's memory bandwidth in the same run, so
// memory-bound workloads are also a share of it. `blockwork bench` runs
// each (engine, workload, variant) in its own process (RunChild samples
// the process tree's memory), Blockwork as a child of itself and the
// peers (Dask threaded, Dask distributed, NumPy) through
// bench/peers/run.py, and writes results.jsonl, report.md (ReadRecords,
// Ratios, WriteTable) and ratios.png (WriteChart).
//
// Blockwork has two engines: blockwork, the embedded executor, and
// blockwork-cluster, a scheduler in the child process plus worker
// processes of the same binary on loopback (StartCluster; tasks counted
// by CountingExecutor), compared like for like with Dask distributed (a
// LocalCluster of the same shape, 2 workers of 1 thread by default) in a
// table and a chart series of its own. The cluster's own benchmarks
// (per-task overhead, worker-to-worker transfer against raw TCP) are
// `go test -bench` benchmarks in package cluster.
//
// The demo (`blockwork demo`, `make demo`) is the workload Demo:
// (x + x.T - x.mean(axis=0)).std() over a random n x n float64 array.
// Nothing imports bench but cmd/blockwork.
package bench
