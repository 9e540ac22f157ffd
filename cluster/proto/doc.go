// Package proto is the wire form of Blockwork's control plane: the
// protobuf messages and gRPC service definitions in blockwork.proto, the
// Go code generated from them (blockwork.pb.go, blockwork_grpc.pb.go;
// regenerate with `make generate`, check with `make generate-check`), and
// the codec between graph.Graph and its message.
//
// It owns: the schema (package blockwork.v1), the generated types, and
// EncodeGraph / DecodeGraph with the Limits that bound everything a
// decoded graph holds.
//
// It takes: a *graph.Graph as lowering and optimisation leave it (the op
// names and params types of package graph; leaves whose Value is []byte)
// to encode, and a *Graph message read from the network to decode.
//
// It hands on: a *Graph message for a gRPC call, and from a message a
// *graph.Graph whose ops and params have the Go forms the kernels expect
// (pointers to params structs, CombineParams by value). Decoding checks
// sizes, counts, dtypes, op names and the op/params pairing; it does not
// validate graph structure (call Validate) or the semantics of params
// (kernels check what they index).
//
// The scheduler service (Scheduler) is what package cluster's workers and
// clients call: a worker's session (Connect), a client's Submit (which
// streams the computation's events), Release and Info. Chunk bytes never
// travel in these messages; they go worker to worker, and worker to
// client, over cluster/transport.
package proto
