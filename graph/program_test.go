package graph_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

func apply(m graph.Map, c []int) []int {
	t := make([]int, len(m))
	for a, am := range m {
		t[a] = am.Start
		if am.Out >= 0 {
			t[a] += am.Step * c[am.Out]
		}
	}
	return t
}

func randMap(rng *rand.Rand, nt, nd int) graph.Map {
	m := make(graph.Map, nt)
	for a := range m {
		m[a] = graph.AxisMap{Out: rng.IntN(nd+1) - 1, Start: rng.IntN(7) - 3, Step: rng.IntN(5) - 2}
		if nd == 0 {
			m[a].Out = -1
		}
	}
	return m
}

// TestMapCompose: m.Compose(inner) applied to c equals m applied to
// inner applied to c.
func TestMapCompose(t *testing.T) {
	rng := testRand(t)
	for range 2000 {
		nd, ni, nt := rng.IntN(4), rng.IntN(4), rng.IntN(4)
		inner, m := randMap(rng, ni, nd), randMap(rng, nt, ni)
		c := make([]int, nd)
		for a := range c {
			c[a] = rng.IntN(9)
		}
		if got, want := apply(m.Compose(inner), c), apply(m, apply(inner, c)); !slices.Equal(got, want) {
			t.Fatalf("(%v).Compose(%v) at %v: %v, want %v", m, inner, c, got, want)
		}
	}
}

// TestAffineOf: the flat offset is the C-order flattening of the mapped
// coordinates.
func TestAffineOf(t *testing.T) {
	rng := testRand(t)
	for range 500 {
		nd, nt := rng.IntN(4), rng.IntN(4)
		m := randMap(rng, nt, nd)
		shape := make([]int, nt)
		for a := range shape {
			shape[a] = 1 + rng.IntN(5)
		}
		c := make([]int, nd)
		for a := range c {
			c[a] = rng.IntN(6)
		}
		af := graph.AffineOf(m, graph.Strides(shape), nd)
		got := af.Base
		for a, k := range af.Coef {
			got += k * c[a]
		}
		want := 0
		for a, v := range apply(m, c) {
			want = want*shape[a] + v
		}
		if got != want {
			t.Fatalf("AffineOf(%v) on %v at %v: %d, want %d", m, shape, c, got, want)
		}
	}
}
