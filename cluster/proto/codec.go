package proto

import (
	"errors"

	"github.com/blockwork-dev/blockwork/graph"
)

// Errors wrapped by EncodeGraph and DecodeGraph.
var (
	// ErrLimit: a decoded message holds more than Limits allow.
	ErrLimit = errors.New("proto: limit exceeded")
	// ErrUnknownOp: an op name the codec does not know, or params of a
	// type that no op takes.
	ErrUnknownOp = errors.New("proto: unknown op")
	// ErrMalformed: a message (or graph) that cannot be converted: params
	// that do not match the op, an index out of range, an invalid enum
	// value, a leaf value that is not literal bytes.
	ErrMalformed = errors.New("proto: malformed graph")
)

// External is the Value of a leaf whose chunk lives elsewhere (a chunk
// persisted on a cluster's worker, named by the submission): it is
// encoded without bytes, and decoded as External{}.
type External struct{}

// Limits bound what DecodeGraph accepts from the network. Each is checked
// before the codec allocates anything sized by it. A zero field means its
// default (DefaultLimits). The raw message must be bounded before it is
// unmarshalled, by the transport (grpc.MaxRecvMsgSize): these limits bound
// what a decoded graph holds and what an executor would allocate for it.
type Limits struct {
	MaxTasks      int   // tasks of a graph
	MaxLeaves     int   // leaves of a graph
	MaxLayers     int   // distinct layer names of a graph
	MaxPrograms   int   // distinct fused programs of a graph
	MaxInputs     int   // inputs of a task (also map_blocks input positions)
	MaxOutputs    int   // output buffers of a task or leaf
	MaxNDim       int   // length of every shape, block index, start, axes list and map
	MaxProgramLen int   // instructions of a program; also its random streams and a fused task's maps
	MaxListLen    int   // other per-task lists: assemble pieces, take positions, patch positions per axis, quantiles
	MaxStringLen  int   // bytes of a layer name, op name, function name or message
	MaxArgsBytes  int   // bytes of one args blob (load, store, map_blocks)
	MaxLeafBytes  int64 // bytes of one leaf's literal value
	MaxChunkBytes int64 // bytes of one buffer described by a shape and dtype (what an executor allocates for it)
	MaxTotalBytes int64 // all leaf values and args blobs of a graph together
}

// DefaultLimits are generous for graphs lowering makes (a million tasks,
// chunks up to 16 GiB) and far below what would exhaust a machine.
func DefaultLimits() Limits {
	return Limits{
		MaxTasks:      1 << 22,
		MaxLeaves:     1 << 22,
		MaxLayers:     1 << 20,
		MaxPrograms:   1 << 20,
		MaxInputs:     1 << 17,
		MaxOutputs:    16,
		MaxNDim:       64,
		MaxProgramLen: 1 << 16,
		MaxListLen:    1 << 24,
		MaxStringLen:  1 << 16,
		MaxArgsBytes:  16 << 20,
		MaxLeafBytes:  1 << 30,
		MaxChunkBytes: 16 << 30,
		MaxTotalBytes: 4 << 30,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set64 := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.MaxTasks, d.MaxTasks)
	set(&l.MaxLeaves, d.MaxLeaves)
	set(&l.MaxLayers, d.MaxLayers)
	set(&l.MaxPrograms, d.MaxPrograms)
	set(&l.MaxInputs, d.MaxInputs)
	set(&l.MaxOutputs, d.MaxOutputs)
	set(&l.MaxNDim, d.MaxNDim)
	set(&l.MaxProgramLen, d.MaxProgramLen)
	set(&l.MaxListLen, d.MaxListLen)
	set(&l.MaxStringLen, d.MaxStringLen)
	set(&l.MaxArgsBytes, d.MaxArgsBytes)
	set64(&l.MaxLeafBytes, d.MaxLeafBytes)
	set64(&l.MaxChunkBytes, d.MaxChunkBytes)
	set64(&l.MaxTotalBytes, d.MaxTotalBytes)
	return l
}

// paramsKind is the params type an op takes.
type paramsKind uint8

const (
	pkNone paramsKind = iota
	pkFused
	pkCombine
	pkAssemble
	pkLoad
	pkStore
	pkMap
	pkTake
	pkPatch
	pkCompress
	pkSort
	pkQuantile
	pkScan
	pkAssert
	pkPick
	pkLinalg
)

var kindNames = [...]string{"no", "FusedParams", "CombineParams", "AssembleParams", "LoadParams", "StoreParams",
	"MapParams", "TakeParams", "PatchParams", "CompressParams", "SortParams", "QuantileParams", "ScanParams", "AssertParams", "PickParams", "LinalgParams"}

func (k paramsKind) String() string { return kindNames[k] }

// opParams lists the ops lowering emits and the params each takes. A new
// op needs a line here (and a message in blockwork.proto if it has params).
var opParams = map[string]paramsKind{
	graph.OpFused:      pkFused,
	graph.OpCombine:    pkCombine,
	graph.OpGemm:       pkNone,
	graph.OpAssemble:   pkAssemble,
	graph.OpAlias:      pkNone,
	graph.OpPick:       pkPick,
	graph.OpLoadBlock:  pkLoad,
	graph.OpStoreBlock: pkStore,
	graph.OpMapBlocks:  pkMap,
	graph.OpTake:       pkTake,
	graph.OpPatch:      pkPatch,
	graph.OpCompress:   pkCompress,
	graph.OpSortBlock:  pkSort,
	graph.OpSortMerge:  pkSort,
	graph.OpQuantile:   pkQuantile,
	graph.OpLinalg:     pkLinalg,
	graph.OpScan:       pkScan,
	graph.OpAssertNone: pkAssert,
}
