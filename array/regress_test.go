package array_test

import (
	"context"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/graph"
)

func rvNoPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("panic: %v", r)
		}
	}()
	f()
}

// FromSlice with a shape whose element count overflows int panics.
func TestRegress_FromSliceShapeOverflowPanics(t *testing.T) {
	rvNoPanic(t, func() {
		x := array.FromSlice([]float64{}, []int{1 << 32, 1 << 32})
		if x.Err() == nil {
			_, err := x.Compute(context.Background())
			if err == nil {
				t.Errorf("want an error for shape (2^32, 2^32) from 0 elements")
			}
		}
	})
}

// Zeros of a shape whose size overflows int computes "successfully" to an
// empty result with a huge shape.
func TestRegress_ShapeSizeOverflowSilent(t *testing.T) {
	x := array.Zeros([]int{1 << 31, 1 << 31, 1 << 31}, graph.Float64)
	if x.Err() != nil {
		return
	}
	r, err := x.Compute(context.Background())
	if err == nil {
		t.Errorf("want an error, got shape %v with %d bytes", r.Shape, len(r.Data))
	}
}

// Arange whose length does not fit an int silently gives an empty array
// (NumPy: "Maximum allowed size exceeded").
func TestRegress_ArangeHugeSilentEmpty(t *testing.T) {
	for _, x := range []*array.Array{
		array.Arange(0, 1e300, 1, graph.Float64),
		array.Arange(0, 1e19, 1, graph.Int64),
	} {
		if x.Err() == nil {
			t.Errorf("want an error, got %v", x)
		}
	}
}

// A nil *Random panics instead of giving a sticky error.
func TestRegress_NilRandomPanics(t *testing.T) {
	rvNoPanic(t, func() {
		var r *array.Random
		if x := r.Uniform(0, 1, []int{2}, graph.Float64); x.Err() == nil {
			t.Errorf("want an error")
		}
	})
}

// int32 array + Go int that does not fit int32 wraps silently (NEP 50:
// OverflowError).
func TestRegress_WeakIntOverflowWraps(t *testing.T) {
	x := array.FromSlice([]int32{1}, []int{1}).Add(array.Int(1 << 40))
	if x.Err() == nil {
		r, _ := x.Compute(context.Background())
		t.Errorf("want an error, got %v %v", r.DType, r.Int64s())
	}
}

// The memory-limit error names a dense scheduler id ("task 0"), not the
// task key and op as every other task error does.
func TestRegress_MemoryLimitErrorNamesNoKey(t *testing.T) {
	e, _ := local.New(local.MemoryLimit(1000), local.Workers(2))
	x := array.Ones([]int{4000}, graph.Float64, array.Chunked(2000)).AddScalar(1)
	// persisted: the chunks stay in the executor (computed, x's blocks
	// would go straight into the result, using no executor memory)
	_, err := x.Persist(context.Background(), array.On(e))
	if err == nil || !strings.Contains(err.Error(), x.Name()) {
		t.Errorf("want an error naming the key (layer %s), got %v", x.Name(), err)
	}
}

// With a limit of 6 chunks, a computation that needs at most ~4 chunks at
// once fails: the scheduler fills memory with producers first.
func TestRegress_MemoryLimitSpuriousFailure(t *testing.T) {
	const chunk = 8 * 10000
	e, _ := local.New(local.MemoryLimit(6*chunk), local.Workers(2))
	x := array.NewRandom(1).Uniform(0, 1, []int{200000}, graph.Float64, array.Chunked(10000))
	y := x.Add(x.Slice(array.Sl(array.None, array.None, -1))).Rechunk(array.Chunked(20000)).Sum()
	if _, err := y.Compute(context.Background(), array.On(e)); err != nil {
		t.Errorf("%v", err)
	}
}
