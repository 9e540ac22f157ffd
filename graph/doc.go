// Package graph owns the one intermediate representation of Blockwork: a
// Graph of Tasks, each naming its output chunk(s) by a Key, its operation
// (an Op: a name plus typed, closure-free params) and the keys it reads.
//
// It takes what package array lowers (one layer of tasks per array
// operation) and hands a validated, culled, fused and ordered Graph to an
// executor (cluster/local or cluster), whose scheduler turns keys into
// dense ids.
//
// It also owns the small vocabulary every other stage shares: DType and
// the promotion table (NumPy's NEP 50, in promote.go), DeviceKind, chunk
// metadata, and the fused elementwise Program (program.go) that kernels
// run over cache-sized tiles.
//
// Every pass (Cull, Fuse, FuseSiblings, FusePairs, Order) returns a new
// value; Validate checks a Graph between passes. FuseSiblings merges fused
// reductions of the same blocks into one task of several results
// (Program.More), so several reductions of one array read it once;
// FusePairs merges the two reductions that read the same two blocks, one
// transposed (blocks (i,j) and (j,i) of (x + x.T).sum()), iterating the
// second's domain transposed, so each block is read once instead of twice.
// graph imports the standard library only.
package graph
