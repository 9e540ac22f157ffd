package proto_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	bwproto "github.com/blockwork-dev/blockwork/cluster/proto"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
	gproto "google.golang.org/protobuf/proto"
)

// stored holds what the test writer wrote, by args and block start.
var stored sync.Map

func init() {
	// dst = 2*x + 1 (one input, same shape)
	funcs.MustRegisterBlockFunc("proto_test.twice_plus_one", funcs.Typed(func(ctx context.Context, args []byte, out funcs.Block, dst []float64, in []funcs.Block, src [][]float64) error {
		if len(src) != 1 || len(src[0]) != len(dst) {
			return fmt.Errorf("want one input of %d elements", len(dst))
		}
		for k := range dst {
			dst[k] = 2*src[0][k] + 1
		}
		return nil
	}))
	// each element of the block: its global flat index in the array
	funcs.MustRegisterLoader("proto_test.iota", func(ctx context.Context, args []byte, b funcs.Block, dst []byte) error {
		if b.DType != graph.Float64 || len(b.Shape) != 2 {
			return fmt.Errorf("proto_test.iota makes 2-d float64 arrays")
		}
		k := 0
		for i := 0; i < b.Shape[0]; i++ {
			for j := 0; j < b.Shape[1]; j++ {
				v := float64((b.Start[0]+i)*b.ArrayShape[1] + b.Start[1] + j)
				binary.LittleEndian.PutUint64(dst[8*k:], math.Float64bits(v))
				k++
			}
		}
		return nil
	})
	funcs.MustRegisterWriter("proto_test.keep", func(ctx context.Context, args []byte, b funcs.Block, src []byte) (int64, error) {
		stored.Store(fmt.Sprint(string(args), b.Start), bytes.Clone(src))
		return int64(len(src)), nil
	})
}

// cases are arrays whose graphs cover every op lowering emits.
func cases() map[string]func() []*array.Array {
	f64 := graph.Float64
	return map[string]func() []*array.Array{
		"random-elementwise-transpose": func() []*array.Array {
			x := array.NewRandom(7).Uniform(0, 1, []int{24, 24}, f64, array.Chunked(8, 7))
			return []*array.Array{x.Add(x.Transpose(1, 0)).Sin().Mul(array.Ones([]int{24}, f64)).Sub(array.Float(0.5))}
		},
		"reductions": func() []*array.Array {
			x := array.NewRandom(3).Normal(0, 1, []int{30, 20}, f64, array.Chunked(7, 6))
			return []*array.Array{x.Sum(0), x.Mean(), x.Var(1), x.ArgMax(0), x.Max(), x.Std()}
		},
		"slice-rechunk": func() []*array.Array {
			x := array.NewRandom(4).Uniform(-1, 1, []int{40, 30}, graph.Float32, array.Chunked(9, 8))
			return []*array.Array{x.Slice(array.Sl(1, 39, 2), array.Span(3, 25)).Rechunk(array.Chunked(5, 5))}
		},
		"matmul": func() []*array.Array {
			r := array.NewRandom(5)
			a := r.Uniform(0, 1, []int{20, 12}, f64, array.Chunked(6, 5))
			b := r.Uniform(0, 1, []int{12, 9}, f64, array.Chunked(5, 4))
			return []*array.Array{a.MatMul(b)}
		},
		"fromslice-take": func() []*array.Array {
			data := make([]float64, 60)
			for i := range data {
				data[i] = float64(i*i%17) - 3
			}
			x := array.FromSlice(data, []int{6, 10}, array.Chunked(4, 3))
			return []*array.Array{x.Take([]int{3, 9, 0, 5, 5}, 1), x.Slice(array.Ix(5, 0, 2)), x.Add(array.Float(1)).Exp()}
		},
		"set": func() []*array.Array {
			x := array.NewRandom(6).Uniform(0, 1, []int{10, 10}, f64, array.Chunked(4, 4))
			return []*array.Array{x.Set([]array.Index{array.Span(2, 5), array.At(1)}, array.Ones([]int{3}, f64))}
		},
		"sort-topk": func() []*array.Array {
			x := array.NewRandom(8).Uniform(0, 1, []int{50}, f64, array.Chunked(10))
			return []*array.Array{x.Sort(0), x.ArgSort(0), x.TopK(5, 0), x.ArgTopK(-3, 0)}
		},
		"median-quantile": func() []*array.Array {
			x := array.NewRandom(9).Uniform(0, 1, []int{16, 12}, f64, array.Chunked(5, 4))
			return []*array.Array{x.Median(0), x.Quantile([]float64{0.1, 0.9}, 1)}
		},
		"linalg": func() []*array.Array {
			r := array.NewRandom(13)
			x := r.Normal(0, 1, []int{30, 4}, f64, array.Chunked(3, 2))
			q, rr := array.QR(x)
			_, s, _ := array.SVD(x)
			spd := x.T().MatMul(x).Add(array.Eye(4, 4, 0, f64))
			return []*array.Array{q, rr, s, array.Cholesky(spd), array.Solve(spd, x.Slice(array.Span(0, 4), array.All()))}
		},
		"cumsum-nanargmin": func() []*array.Array {
			x := array.NewRandom(10).Integers(0, 100, []int{12, 14}, graph.Int64, array.Chunked(5, 4))
			y := x.Astype(f64)
			return []*array.Array{x.CumSum(1), y.NanArgMin(0)}
		},
		"where-concatenate": func() []*array.Array {
			r := array.NewRandom(11)
			x := r.Uniform(0, 1, []int{9, 8}, f64, array.Chunked(4, 4))
			y := r.Uniform(0, 1, []int{5, 8}, f64, array.Chunked(3, 4))
			return []*array.Array{array.Concatenate([]*array.Array{x, y}, 0), array.Where(x.Gt(array.Float(0.5)), x, x.Exp())}
		},
		"mapblocks-mapoverlap": func() []*array.Array {
			x := array.NewRandom(12).Uniform(0, 1, []int{15, 11}, f64, array.Chunked(6, 4))
			return []*array.Array{
				array.MapBlocks("proto_test.twice_plus_one", []byte("args"), []*array.Array{x}),
				array.MapOverlap("proto_test.twice_plus_one", nil, x, []int{1}, []array.Boundary{{Mode: array.BoundaryNearest}}),
			}
		},
		"fromblocks-store": func() []*array.Array {
			x := array.FromBlocks([]int{12, 10}, f64, "proto_test.iota", []byte("src"), array.Chunked(5, 4))
			return []*array.Array{x.Sum(1), array.Store(x.Add(array.Float(1)), "proto_test.keep", []byte("dst"))}
		},
		"extract": func() []*array.Array {
			x := array.NewRandom(13).Uniform(0, 1, []int{20}, f64, array.Chunked(6))
			c, err := x.Compress(x.Gt(array.Float(0.3)), 0).ComputeChunkSizes(context.Background())
			if err != nil {
				panic(err)
			}
			e, err := x.Extract(x.Lt(array.Float(0.5))).ComputeChunkSizes(context.Background())
			if err != nil {
				panic(err)
			}
			return []*array.Array{c, e}
		},
	}
}

func graphOf(t testing.TB, name string, mk func() []*array.Array) (*graph.Graph, []graph.Key) {
	t.Helper()
	xs := mk()
	for _, x := range xs {
		if err := x.Err(); err != nil {
			t.Fatalf("%s: building the arrays: %v", name, err)
		}
	}
	g, keys, err := array.Graph(xs)
	if err != nil {
		t.Fatalf("%s: array.Graph: %v", name, err)
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("%s: the original graph is invalid: %v", name, err)
	}
	var all []graph.Key
	for _, k := range keys {
		all = append(all, k...)
	}
	return g, all
}

// roundTrip encodes, marshals, unmarshals and decodes g.
func roundTrip(t testing.TB, g *graph.Graph) (*graph.Graph, []byte) {
	t.Helper()
	m, err := bwproto.EncodeGraph(g)
	if err != nil {
		t.Fatalf("EncodeGraph: %v", err)
	}
	b, err := gproto.Marshal(m)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var m2 bwproto.Graph
	if err := gproto.Unmarshal(b, &m2); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	g2, err := bwproto.DecodeGraph(&m2, bwproto.Limits{})
	if err != nil {
		t.Fatalf("DecodeGraph: %v", err)
	}
	return g2, b
}

func TestRoundTripArrays(t *testing.T) {
	e, err := local.New(local.Workers(2))
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for name, mk := range cases() {
		t.Run(name, func(t *testing.T) {
			g, keys := graphOf(t, name, mk)
			g2, b := roundTrip(t, g)
			if err := g2.Validate(); err != nil {
				t.Fatalf("decoded graph invalid: %v", err)
			}
			if d := diff(reflect.ValueOf(g.Tasks), reflect.ValueOf(g2.Tasks), "Tasks"); d != "" {
				t.Fatalf("tasks differ after the round trip: %s", d)
			}
			if d := diff(reflect.ValueOf(g.Leaves), reflect.ValueOf(g2.Leaves), "Leaves"); d != "" {
				t.Fatalf("leaves differ after the round trip: %s", d)
			}
			if a, b := countPrograms(g), countPrograms(g2); a != b {
				t.Errorf("%d distinct programs before, %d after", a, b)
			}
			for i := range g.Tasks {
				ops[g.Tasks[i].Op.Name] = true
			}
			want := compute(t, e, g, keys)
			got := compute(t, e, g2, keys)
			for i := range want {
				if !bytes.Equal(want[i], got[i]) {
					t.Fatalf("key %v: the decoded graph computes other bytes", keys[i])
				}
			}
			t.Logf("%d tasks, %d leaves, %d bytes on the wire", len(g.Tasks), len(g.Leaves), len(b))
		})
	}
	// every op the codec knows is exercised by some case
	for _, op := range []string{graph.OpFused, graph.OpCombine, graph.OpGemm, graph.OpAssemble, graph.OpAlias,
		graph.OpLoadBlock, graph.OpStoreBlock, graph.OpMapBlocks, graph.OpTake, graph.OpPatch, graph.OpCompress,
		graph.OpSortBlock, graph.OpSortMerge, graph.OpQuantile, graph.OpScan, graph.OpAssertNone, graph.OpPick, graph.OpLinalg} {
		if !ops[op] && !t.Failed() {
			t.Errorf("no case makes a task of op %q", op)
		}
	}
}

func countPrograms(g *graph.Graph) int {
	seen := map[*graph.Program]bool{}
	for i := range g.Tasks {
		if p, ok := g.Tasks[i].Op.Params.(*graph.FusedParams); ok {
			seen[p.Prog] = true
		}
	}
	return len(seen)
}

func compute(t *testing.T, e *local.Executor, g *graph.Graph, keys []graph.Key) [][]byte {
	t.Helper()
	out := make([][]byte, len(keys))
	err := e.Compute(context.Background(), g, keys, func(i int, data []byte) error {
		out[i] = bytes.Clone(data)
		return nil
	}, nil)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return out
}

// diff compares a and b deeply, treating nil and empty slices as equal and
// floats by their bits; it returns the path of the first difference.
func diff(a, b reflect.Value, path string) string {
	if a.IsValid() != b.IsValid() {
		return path + ": one side missing"
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %v vs %v", path, a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := diff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": nil vs non-nil"
			}
			return ""
		}
		return diff(a.Elem(), b.Elem(), path)
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": nil vs non-nil"
			}
			return ""
		}
		return diff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if d := diff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Float32, reflect.Float64:
		if math.Float64bits(a.Float()) != math.Float64bits(b.Float()) {
			return fmt.Sprintf("%s: %v vs %v", path, a.Float(), b.Float())
		}
		return ""
	case reflect.Map, reflect.Func, reflect.Chan:
		return path + ": unexpected " + a.Kind().String()
	}
	if !a.Equal(b) {
		return fmt.Sprintf("%s: %v vs %v", path, a, b)
	}
	return ""
}

func TestEnumsMatchGraph(t *testing.T) {
	n := 0
	for i := 0; ; i++ {
		name := graph.ElemOp(i).String()
		if name == "elemop?" {
			break
		}
		n++
		if got, want := bwproto.ElemOp_name[int32(i)], "ELEM_OP_"+strings.ToUpper(name); got != want {
			t.Errorf("graph.ElemOp(%d) is %q; blockwork.proto names it %q", i, want, got)
		}
	}
	if n != len(bwproto.ElemOp_name) {
		t.Errorf("graph has %d elementwise ops, blockwork.proto %d", n, len(bwproto.ElemOp_name))
	}
	for i := 0; i < len(bwproto.DType_name); i++ {
		if got, want := bwproto.DType_name[int32(i)], "DTYPE_"+strings.ToUpper(graph.DType(i).String()); got != want {
			t.Errorf("dtype %d: %q vs %q", i, got, want)
		}
	}
	if graph.DType(len(bwproto.DType_name)).Valid() {
		t.Errorf("graph has more dtypes than blockwork.proto")
	}
	for i := 0; i < len(bwproto.ReduceKind_name); i++ {
		if got, want := bwproto.ReduceKind_name[int32(i)], "REDUCE_KIND_"+strings.ToUpper(graph.ReduceKind(i).String()); got != want {
			t.Errorf("reduce kind %d: %q vs %q", i, got, want)
		}
	}
	if s := graph.ReduceKind(len(bwproto.ReduceKind_name)).String(); s != "reduce?" {
		t.Errorf("graph has a reduce kind %q that blockwork.proto lacks", s)
	}
	if bwproto.RandKind_RAND_KIND_UNIFORM != bwproto.RandKind(graph.RandUniform) || bwproto.RandKind_RAND_KIND_NORMAL != bwproto.RandKind(graph.RandNormal) ||
		bwproto.RandKind_RAND_KIND_INTEGER != bwproto.RandKind(graph.RandInteger) {
		t.Errorf("RandKind numbers differ from graph's")
	}
}

func small(t *testing.T) *graph.Graph {
	g, _ := graphOf(t, "fromslice-take", cases()["fromslice-take"])
	return g
}

func TestEncodeErrors(t *testing.T) {
	leafKey := graph.Key{Layer: "leaf", Block: 0}
	okLeaf := graph.Leaf{Key: leafKey, Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}}, Value: make([]byte, 8)}
	task := func(op string, p any) *graph.Graph {
		return &graph.Graph{Leaves: []graph.Leaf{okLeaf}, Tasks: []graph.Task{{Key: graph.Key{Layer: "t"}, Op: graph.Op{Name: op, Params: p},
			Inputs: []graph.Key{leafKey}, Outputs: []graph.Chunk{{DType: graph.Float64, Shape: []int{1}}}, Devices: graph.DeviceKinds(graph.CPU)}}}
	}
	for _, c := range []struct {
		name string
		g    *graph.Graph
		want error
	}{
		{"unknown op", task("frobnicate", nil), bwproto.ErrUnknownOp},
		{"unknown params type", task(graph.OpCombine, struct{ X int }{1}), bwproto.ErrUnknownOp},
		{"params of another op", task(graph.OpFused, graph.CombineParams{Kind: graph.ReduceSum}), bwproto.ErrMalformed},
		{"missing params", task(graph.OpSortBlock, nil), bwproto.ErrMalformed},
		{"nil params pointer", task(graph.OpTake, (*graph.TakeParams)(nil)), bwproto.ErrMalformed},
		{"fused without program", task(graph.OpFused, &graph.FusedParams{}), bwproto.ErrMalformed},
		{"fused with output strides", task(graph.OpFused, &graph.FusedParams{Prog: &graph.Program{Instrs: []graph.Instr{{Op: graph.OpLoad, DType: graph.Float64}}},
			Shape: []int{1}, Maps: []graph.Map{graph.Identity(1, nil)}, OutStrides: []int{1}}), bwproto.ErrMalformed},
		{"persisted leaf", &graph.Graph{Leaves: []graph.Leaf{{Key: leafKey, Outputs: okLeaf.Outputs, Value: struct{ handle int }{3}}}}, bwproto.ErrMalformed},
		{"nil leaf", &graph.Graph{Leaves: []graph.Leaf{{Key: leafKey, Outputs: okLeaf.Outputs}}}, bwproto.ErrMalformed},
	} {
		_, err := bwproto.EncodeGraph(c.g)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want an error wrapping %v", c.name, err, c.want)
		}
	}
	// value and pointer params both encode; they decode to the form lowering makes
	g, err := bwproto.DecodeGraph(mustEncode(t, task(graph.OpScan, graph.ScanParams{Kind: graph.ReduceSum, Axis: 0})), bwproto.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := g.Tasks[0].Op.Params.(*graph.ScanParams); !ok || *p != (graph.ScanParams{Kind: graph.ReduceSum}) {
		t.Errorf("ScanParams decoded as %#v", g.Tasks[0].Op.Params)
	}
	g, err = bwproto.DecodeGraph(mustEncode(t, task(graph.OpCombine, &graph.CombineParams{Kind: graph.ReduceMax})), bwproto.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := g.Tasks[0].Op.Params.(graph.CombineParams); !ok || p.Kind != graph.ReduceMax {
		t.Errorf("CombineParams decoded as %#v", g.Tasks[0].Op.Params)
	}
}

func mustEncode(t testing.TB, g *graph.Graph) *bwproto.Graph {
	t.Helper()
	m, err := bwproto.EncodeGraph(g)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fresh returns an unshared copy of m.
func fresh(m *bwproto.Graph) *bwproto.Graph { return gproto.Clone(m).(*bwproto.Graph) }

func TestDecodeLimits(t *testing.T) {
	g := small(t)
	base := mustEncode(t, g)
	if _, err := bwproto.DecodeGraph(base, bwproto.Limits{}); err != nil {
		t.Fatal(err)
	}
	firstFused := func(m *bwproto.Graph) *bwproto.Task {
		for _, tk := range m.Tasks {
			if tk.GetFused() != nil {
				return tk
			}
		}
		t.Fatal("no fused task")
		return nil
	}
	firstTake := func(m *bwproto.Graph) *bwproto.Task {
		for _, tk := range m.Tasks {
			if tk.GetTake() != nil {
				return tk
			}
		}
		t.Fatal("no take task")
		return nil
	}
	for _, c := range []struct {
		name  string
		edit  func(m *bwproto.Graph)
		lim   bwproto.Limits
		want  error
		words string
	}{
		{"too many tasks", nil, bwproto.Limits{MaxTasks: len(base.Tasks) - 1}, bwproto.ErrLimit, "tasks"},
		{"too many leaves", nil, bwproto.Limits{MaxLeaves: 1}, bwproto.ErrLimit, "leaves"},
		{"too many layers", nil, bwproto.Limits{MaxLayers: 1}, bwproto.ErrLimit, "layers"},
		{"too many inputs", nil, bwproto.Limits{MaxInputs: 1}, bwproto.ErrLimit, "inputs"},
		{"too many take positions", nil, bwproto.Limits{MaxListLen: 1}, bwproto.ErrLimit, "take"},
		{"program too long", nil, bwproto.Limits{MaxProgramLen: 1}, bwproto.ErrLimit, "instructions"},
		{"huge ndim", func(m *bwproto.Graph) { m.Tasks[0].Outputs[0].Shape = make([]int64, 1<<20) }, bwproto.Limits{}, bwproto.ErrLimit, "dimensions"},
		{"huge ndim in a map", func(m *bwproto.Graph) {
			f := firstFused(m).GetFused()
			f.Maps = append(f.Maps, &bwproto.Map{Out: make([]int64, 100), Start: make([]int64, 100), Step: make([]int64, 100)})
		}, bwproto.Limits{}, bwproto.ErrLimit, "map axes"},
		{"huge chunk", func(m *bwproto.Graph) { m.Tasks[0].Outputs[0].Shape = []int64{1 << 40, 1 << 10} }, bwproto.Limits{}, bwproto.ErrLimit, "larger than"},
		{"overflowing chunk", func(m *bwproto.Graph) { m.Tasks[0].Outputs[0].Shape = []int64{1 << 40, 1 << 40} }, bwproto.Limits{}, bwproto.ErrLimit, "int64"},
		{"negative extent", func(m *bwproto.Graph) { m.Tasks[0].Outputs[0].Shape = []int64{-1} }, bwproto.Limits{}, bwproto.ErrMalformed, "negative"},
		{"oversized leaf", nil, bwproto.Limits{MaxLeafBytes: 8}, bwproto.ErrLimit, "leaf value"},
		{"oversized total", nil, bwproto.Limits{MaxTotalBytes: 100}, bwproto.ErrLimit, "bytes of leaf values"},
		{"leaf of the wrong size", func(m *bwproto.Graph) { m.Leaves[0].Value = m.Leaves[0].Value[1:] }, bwproto.Limits{}, bwproto.ErrMalformed, "holds"},
		{"long layer name", func(m *bwproto.Graph) { m.Layers[0] = strings.Repeat("x", 1<<17) }, bwproto.Limits{}, bwproto.ErrLimit, "layer name"},
		{"unknown op", func(m *bwproto.Graph) { m.Tasks[0].Op = "frobnicate" }, bwproto.Limits{}, bwproto.ErrUnknownOp, "frobnicate"},
		{"params of another op", func(m *bwproto.Graph) { firstTake(m).Op = graph.OpFused }, bwproto.Limits{}, bwproto.ErrMalformed, "takes FusedParams"},
		{"layer out of range", func(m *bwproto.Graph) { m.Tasks[0].Key.Layer = 1 << 30 }, bwproto.Limits{}, bwproto.ErrMalformed, "layer"},
		{"program out of range", func(m *bwproto.Graph) { firstFused(m).GetFused().Program = 99 }, bwproto.Limits{}, bwproto.ErrMalformed, "program 99"},
		{"invalid dtype", func(m *bwproto.Graph) { m.Tasks[0].Outputs[0].Dtype = 77 }, bwproto.Limits{}, bwproto.ErrMalformed, "dtype"},
		{"forward register", func(m *bwproto.Graph) {
			m.Programs[0].Instrs = append(m.Programs[0].Instrs, &bwproto.Instr{Op: bwproto.ElemOp_ELEM_OP_NEG, Dtype: bwproto.DType_DTYPE_FLOAT64, A: 1000})
		}, bwproto.Limits{}, bwproto.ErrMalformed, "register"},
		{"unknown elementwise op", func(m *bwproto.Graph) { m.Programs[0].Instrs[0].Op = 200 }, bwproto.Limits{}, bwproto.ErrMalformed, "elementwise op"},
		{"unknown device kind", func(m *bwproto.Graph) { m.Tasks[0].Devices = 1 << 7 }, bwproto.Limits{}, bwproto.ErrMalformed, "device"},
	} {
		m := fresh(base)
		if c.edit != nil {
			c.edit(m)
		}
		_, err := bwproto.DecodeGraph(m, c.lim)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: got %v, want an error wrapping %v that says %q", c.name, err, c.want, c.words)
		}
	}
}

func TestDecodeOversizedArgs(t *testing.T) {
	g, _ := graphOf(t, "fromblocks-store", cases()["fromblocks-store"])
	m := mustEncode(t, g)
	if _, err := bwproto.DecodeGraph(m, bwproto.Limits{MaxArgsBytes: 2}); !errors.Is(err, bwproto.ErrLimit) || !strings.Contains(err.Error(), "args blob") {
		t.Errorf("args over the limit: got %v", err)
	}
	g, _ = graphOf(t, "mapblocks-mapoverlap", cases()["mapblocks-mapoverlap"])
	m = mustEncode(t, g)
	if _, err := bwproto.DecodeGraph(m, bwproto.Limits{MaxArgsBytes: 2}); !errors.Is(err, bwproto.ErrLimit) {
		t.Errorf("map_blocks args over the limit: got %v", err)
	}
	if _, err := bwproto.DecodeGraph(m, bwproto.Limits{MaxStringLen: 4}); !errors.Is(err, bwproto.ErrLimit) {
		t.Errorf("names over the limit: got %v", err)
	}
}

// decodeBytes is what a receiver does with bytes off the network: it must
// never panic, and what it accepts must survive another round trip.
func decodeBytes(t testing.TB, b []byte) {
	var m bwproto.Graph
	if gproto.Unmarshal(b, &m) != nil {
		return
	}
	g, err := bwproto.DecodeGraph(&m, bwproto.Limits{})
	if err != nil {
		return
	}
	_ = g.Validate()
	m2, err := bwproto.EncodeGraph(g)
	if err != nil {
		t.Fatalf("a decoded graph does not encode: %v", err)
	}
	g2, err := bwproto.DecodeGraph(m2, bwproto.Limits{})
	if err != nil {
		t.Fatalf("a re-encoded graph does not decode: %v", err)
	}
	if d := diff(reflect.ValueOf(g.Tasks), reflect.ValueOf(g2.Tasks), "Tasks"); d != "" {
		t.Fatalf("second round trip differs: %s", d)
	}
}

func seeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, name := range []string{"fromslice-take", "reductions", "mapblocks-mapoverlap", "set", "median-quantile"} {
		g, _ := graphOf(t, name, cases()[name])
		b, err := gproto.Marshal(mustEncode(t, g))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestDecodeGarbage feeds random bytes and corrupted real messages through
// Unmarshal and DecodeGraph (the fuzz target, deterministic and short).
func TestDecodeGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		b := make([]byte, rng.IntN(512))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		decodeBytes(t, b)
	}
	for _, s := range seeds(t) {
		for i := 0; i < 300; i++ {
			b := bytes.Clone(s)
			for k := rng.IntN(8) + 1; k > 0; k-- {
				switch p := rng.IntN(len(b)); rng.IntN(3) {
				case 0:
					b[p] ^= 1 << rng.IntN(8)
				case 1:
					b[p] = byte(rng.Uint32())
				case 2:
					b = b[:p]
				}
				if len(b) == 0 {
					break
				}
			}
			decodeBytes(t, b)
		}
	}
}

// FuzzDecodeGraph: go test -run '^$' -fuzz FuzzDecodeGraph -fuzztime 30s
// -fuzzminimizetime 2s ./cluster/proto/ (without a short minimize time, the
// minimization of a large new input can outlast a short -fuzztime and the
// run ends in "context deadline exceeded").
func FuzzDecodeGraph(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Add([]byte{})
	f.Add([]byte{0x1a, 0x02, 0x10, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) { decodeBytes(t, b) })
}

// BenchmarkCodec encodes, marshals, unmarshals and decodes a graph of
// about 20,000 tasks; ns/task is the cost per task of the whole trip.
func BenchmarkCodec(b *testing.B) {
	x := array.NewRandom(1).Uniform(0, 1, []int{1000, 1000}, graph.Float64, array.Chunked(10, 10))
	g, _, err := array.Graph([]*array.Array{x.Add(x.Transpose(1, 0)).Sum(0)})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := bwproto.EncodeGraph(g)
		if err != nil {
			b.Fatal(err)
		}
		buf, err := gproto.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		size = len(buf)
		var m2 bwproto.Graph
		if err := gproto.Unmarshal(buf, &m2); err != nil {
			b.Fatal(err)
		}
		if _, err := bwproto.DecodeGraph(&m2, bwproto.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(g.Tasks)), "ns/task")
	b.ReportMetric(float64(size)/float64(len(g.Tasks)), "bytes/task")
	b.ReportMetric(float64(len(g.Tasks)), "tasks")
}
