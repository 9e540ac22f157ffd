package array

// NoPairs computes without graph.FusePairs, so tests can compare the
// paired graph with the one it replaces.
func NoPairs() ComputeOption { return func(o *computeOpts) { o.noPairs = true } }
