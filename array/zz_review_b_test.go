package array_test

import (
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// rvInline checks a reader of generator g three ways: fused, NoFuse, and
// with g replaced by a persisted copy of its values.
func rvInline(t *testing.T, desc string, g *array.Array, read func(*array.Array) *array.Array) {
	t.Helper()
	v := newEnv(t)
	gv := v.one(desc+" gen", g)
	pc := array.FromSlice(gv.Float64s(), gv.Shape, array.ExplicitChunks(g.Chunks()))
	a := v.one(desc, read(g))
	b := v.one(desc+" nofuse", read(g), array.NoFuse())
	c := v.one(desc+" persisted", read(pc))
	fa, fb, fc := a.Float64s(), b.Float64s(), c.Float64s()
	if fmt.Sprint(a.Shape) != fmt.Sprint(c.Shape) || fmt.Sprint(fa) != fmt.Sprint(fc) {
		t.Errorf("%s: fused %v %v\n persisted %v %v", desc, a.Shape, fa, c.Shape, fc)
	}
	if fmt.Sprint(fb) != fmt.Sprint(fc) {
		t.Errorf("%s: nofuse %v\n persisted %v", desc, fb, fc)
	}
}

func TestReviewInline(t *testing.T) {
	rnd := array.NewRandom(7)
	gens := map[string]func() *array.Array{
		"eye":     func() *array.Array { return array.Eye(5, 6, 1, graph.Float64, array.Chunked(2, 4)) },
		"uniform": func() *array.Array { return rnd.Uniform(0, 1, []int{5, 6}, graph.Float64, array.Chunked(3, 4)) },
		"arange2": func() *array.Array {
			a := array.Arange(0, 6, 1, graph.Float64, array.Chunked(4))
			b := array.Arange(0, 5, 1, graph.Float64, array.Chunked(2))
			return b.Slice(array.All(), array.NewAxis()).MulScalar(10).Add(a)
		},
		"slicedgen": func() *array.Array {
			e := rnd.Uniform(0, 1, []int{9, 8}, graph.Float64, array.Chunked(4, 3))
			return e.Slice(array.Sl(1, 6, 1), array.Sl(7, 1, -1))
		},
		"transgen": func() *array.Array {
			e := array.Eye(6, 5, -1, graph.Float64, array.Chunked(4, 3)).Add(rnd.Uniform(0, 1, []int{6, 5}, graph.Float64, array.Chunked(4, 3)))
			return e.T()
		},
		"bcastgen": func() *array.Array {
			a := array.Arange(0, 6, 1, graph.Float64, array.Chunked(4))
			return a.BroadcastTo(5, 6)
		},
		"mixchunks": func() *array.Array {
			a := array.Arange(0, 6, 1, graph.Float64, array.Chunked(4))
			b := array.Arange(0, 6, 1, graph.Float64, array.Chunked(2)).MulScalar(100)
			return a.Add(b).Slice(array.NewAxis(), array.All()).BroadcastTo(5, 6)
		},
	}
	other := rnd.Uniform(0, 1, []int{6, 5}, graph.Float64, array.Chunked(5, 2))
	readers := map[string]func(*array.Array) *array.Array{
		"T":     func(g *array.Array) *array.Array { return g.T().Add(other) },
		"slice": func(g *array.Array) *array.Array { return g.Slice(array.Sl(4, 0, -2), array.Sl(1, 6, 2)).AddScalar(1) },
		"at":    func(g *array.Array) *array.Array { return g.Slice(array.At(3), array.Sl(5, None_, -1)).AddScalar(1) },
		"bcast": func(g *array.Array) *array.Array {
			return g.Slice(array.Sl(1, 2, 1), array.All()).BroadcastTo(3, 5, 6).AddScalar(0)
		},
		"sumT":    func(g *array.Array) *array.Array { return g.T().Sum(0) },
		"argmaxT": func(g *array.Array) *array.Array { return g.T().Slice(array.Sl(1, 5, 1), array.All()).ArgMax(0) },
		"roll":    func(g *array.Array) *array.Array { return g.Roll(2, 1).AddScalar(0) },
		"pad":     func(g *array.Array) *array.Array { return g.Pad([][2]int{{2, 1}}, array.PadReflect, 0).AddScalar(0) },
		"flipT":   func(g *array.Array) *array.Array { return g.Flip().T().Add(other.Flip(0)) },
		"tril":    func(g *array.Array) *array.Array { return g.T().Tril(0) },
		"diag":    func(g *array.Array) *array.Array { return g.Diag(1).AddScalar(0) },
		"selfT": func(g *array.Array) *array.Array {
			return g.Slice(array.Sl(0, 5, 1), array.Sl(0, 5, 1)).Add(g.Slice(array.Sl(0, 5, 1), array.Sl(0, 5, 1)).T())
		},
	}
	for gn, gf := range gens {
		for rn, rf := range readers {
			t.Run(gn+"/"+rn, func(t *testing.T) { rvInline(t, gn+"/"+rn, gf(), rf) })
		}
	}
}

const None_ = array.None
