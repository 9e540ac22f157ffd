package kerneltest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// scanDTypes are the dtypes a scan kernel sees (bool and int32 arrays
// scan as int64, but int32 is checked too).
var scanDTypes = []graph.DType{graph.Int32, graph.Int64, graph.Float32, graph.Float64}

// checkScan runs graph.OpScan (Sum and Prod, every scan dtype, every axis
// of random 1-d to 4-d blocks with size-0 and size-1 axes, sometimes in
// place) against a sequential reference in the dtype's own arithmetic,
// bit for bit; then graph.OpAssertNone on clear and on set conditions,
// and scan launches that do not fit (which must error, not panic).
func checkScan(t *testing.T, e *env) {
	for _, kind := range []graph.ReduceKind{graph.ReduceSum, graph.ReduceProd} {
		for _, dt := range scanDTypes {
			t.Run(fmt.Sprintf("%v/%v", kind, dt), func(t *testing.T) {
				for trial := range e.trials {
					e.scanCase(t, kind, dt, trial)
				}
			})
		}
	}
	t.Run("assert-none", func(t *testing.T) {
		for trial := range e.trials {
			e.assertCase(t, trial)
		}
	})
	t.Run("errors", func(t *testing.T) { e.scanErrors(t) })
}

func (e *env) scanCase(t *testing.T, kind graph.ReduceKind, dt graph.DType, trial int) {
	t.Helper()
	shape := e.randShape(4, 6)
	if len(shape) == 0 {
		shape = []int{1 + e.rng.IntN(9)}
	}
	axis := e.rng.IntN(len(shape))
	x := newTensor(dt, shape)
	for k := range x.size() {
		switch {
		case kind == graph.ReduceSum && dt.IsFloat() && e.rng.IntN(16) == 0:
			x.setF(k, math.NaN())
		case kind == graph.ReduceSum:
			f, v := e.randValue(dt)
			x.setF(k, f)
			if !dt.IsFloat() {
				x.setI(k, v)
			}
		case dt.IsFloat():
			x.setF(k, (0.5+e.rng.Float64())*float64(1-2*e.rng.IntN(2)))
		case e.rng.IntN(4) == 0:
			_, v := e.randValue(dt)
			x.setI(k, v) // products wrap
		default:
			x.setI(k, int64(e.rng.IntN(7)-3))
		}
	}
	out := graph.Chunk{DType: dt, Shape: shape}
	src := e.put(t, x)
	dst := src
	inPlace := e.rng.IntN(3) == 0
	if !inPlace {
		dst = e.alloc(t, out)
	}
	what := fmt.Sprintf("trial %d: scan %v of %v along axis %d (in place %v)", trial, kind, out, axis, inPlace)
	tk := task(graph.OpScan, graph.ScanParams{Kind: kind, Axis: axis}, 1, []graph.Chunk{out})
	if err := e.launch(t, tk, []*device.Buffer{dst}, []*device.Buffer{src}, []graph.Chunk{out}); err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	want := scanRef(x, kind, axis)
	got := load(dt, shape, dst.Bytes())
	bad := 0
	for k := range want.size() {
		ok := true
		if dt.IsFloat() {
			ok = sameFloat(got.f[k], want.f[k])
		} else {
			ok = got.i[k] == want.i[k]
		}
		if !ok {
			if bad++; bad <= 5 {
				t.Errorf("%s: element %d: got %v, want %v", what, k, got.get(k), want.get(k))
			}
		}
	}
}

// scanRef is the inclusive scan of x along axis, one element at a time
// by its multi-index, in x's dtype (float32 rounded and int32 wrapped
// after every step, through setF and setI).
func scanRef(x *tensor, kind graph.ReduceKind, axis int) *tensor {
	out := newTensor(x.dt, x.shape)
	strides := graph.Strides(x.shape)
	for k := range x.size() {
		i := (k / strides[axis]) % x.shape[axis]
		if i == 0 {
			if x.dt.IsFloat() {
				out.setF(k, x.f[k])
			} else {
				out.setI(k, x.i[k])
			}
			continue
		}
		p := k - strides[axis] // already set: C order visits it first
		switch {
		case x.dt.IsFloat() && kind == graph.ReduceSum:
			out.setF(k, out.f[p]+x.f[k])
		case x.dt.IsFloat():
			out.setF(k, out.f[p]*x.f[k])
		case kind == graph.ReduceSum:
			out.setI(k, out.i[p]+x.i[k])
		default:
			out.setI(k, out.i[p]*x.i[k])
		}
	}
	return out
}

// assertCase passes a random buffer of a random dtype through
// graph.OpAssertNone with a clear condition (a copy), then with one bit
// set (the task's error must be the message).
func (e *env) assertCase(t *testing.T, trial int) {
	t.Helper()
	dt := valueDTypes[e.rng.IntN(len(valueDTypes))]
	shape := e.randShape(3, 5)
	x := newTensor(dt, shape)
	e.fillRandom(x)
	c := newTensor(graph.Bool, shape)
	out := x.chunk()
	msg := fmt.Sprintf("trial %d: All-NaN slice encountered", trial)
	tk := task(graph.OpAssertNone, graph.AssertParams{Message: msg}, 2, []graph.Chunk{out})
	src := []*device.Buffer{e.put(t, x), e.put(t, c)}
	meta := []graph.Chunk{out, c.chunk()}
	dst := e.alloc(t, out)
	if err := e.launch(t, tk, []*device.Buffer{dst}, src, meta); err != nil {
		t.Errorf("trial %d: assert-none of %v with a clear condition: %v", trial, out, err)
		return
	}
	if string(dst.Bytes()) != string(src[0].Bytes()) {
		t.Errorf("trial %d: assert-none of %v did not copy its input", trial, out)
	}
	if c.size() == 0 {
		return
	}
	c.i[e.rng.IntN(c.size())] = 1
	src[1] = e.put(t, c)
	err := e.launch(t, tk, []*device.Buffer{e.alloc(t, out)}, src, meta)
	if err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("trial %d: assert-none of %v with a set condition: error %v, want %q", trial, out, err, msg)
	}
}

// scanErrors: launches a scan kernel must refuse.
func (e *env) scanErrors(t *testing.T) {
	f64 := func(shape ...int) graph.Chunk { return graph.Chunk{DType: graph.Float64, Shape: shape} }
	buf := func(c graph.Chunk) *device.Buffer { return e.alloc(t, c) }
	cases := []struct {
		name   string
		params any
		out    graph.Chunk
		meta   graph.Chunk
	}{
		{"axis out of range", graph.ScanParams{Kind: graph.ReduceSum, Axis: 2}, f64(2, 3), f64(2, 3)},
		{"negative axis", graph.ScanParams{Kind: graph.ReduceSum, Axis: -1}, f64(2, 3), f64(2, 3)},
		{"0-d block", graph.ScanParams{Kind: graph.ReduceSum}, f64(), f64()},
		{"kind max", graph.ScanParams{Kind: graph.ReduceMax}, f64(4), f64(4)},
		{"source shape differs", graph.ScanParams{Kind: graph.ReduceProd}, f64(2, 3), f64(3, 2)},
		{"params of another op", graph.CombineParams{Kind: graph.ReduceSum}, f64(4), f64(4)},
	}
	for _, c := range cases {
		tk := task(graph.OpScan, c.params, 1, []graph.Chunk{c.out})
		err := e.launch(t, tk, []*device.Buffer{buf(c.out)}, []*device.Buffer{buf(c.meta)}, []graph.Chunk{c.meta})
		if err == nil {
			t.Errorf("scan %s: no error", c.name)
		}
	}
}
