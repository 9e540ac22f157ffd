package npy

import (
	"testing"
)

// TestRunPlan checks that the runs of random blocks, expanded element by
// element, visit exactly the array offsets of the block's elements in C
// order.
func TestRunPlan(t *testing.T) {
	r, _ := newRand(t)
	for i := 0; i < 2000; i++ {
		shape := randShape(r, 5)
		start, bs := make([]int, len(shape)), make([]int, len(shape))
		for a, n := range shape {
			start[a] = r.IntN(n + 1)
			bs[a] = r.IntN(n - start[a] + 1)
			if r.IntN(3) == 0 {
				start[a], bs[a] = 0, n
			}
		}
		var want []int64
		n := 1
		for _, s := range bs {
			n *= s
		}
		idx := make([]int, len(bs))
		for e := 0; e < n; e++ {
			rem := e
			for a := len(bs) - 1; a >= 0; a-- {
				idx[a] = rem % bs[a]
				rem /= bs[a]
			}
			off, st := int64(0), int64(1)
			for a := len(shape) - 1; a >= 0; a-- {
				off += int64(start[a]+idx[a]) * st
				st *= int64(shape[a])
			}
			want = append(want, off)
		}
		p := newRunPlan(shape, start, bs)
		var got []int64
		last := int64(-1)
		for run := int64(0); run < p.nRuns; run++ {
			o := p.offset(run)
			if o <= last {
				t.Fatalf("shape %v block %v at %v: run %d at %d after %d: runs out of order", shape, bs, start, run, o, last)
			}
			for k := int64(0); k < p.runElems; k++ {
				got = append(got, o+k)
			}
			last = o
		}
		if len(got) != len(want) {
			t.Fatalf("shape %v block %v at %v: runs cover %d elements, want %d", shape, bs, start, len(got), len(want))
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("shape %v block %v at %v: element %d at offset %d, want %d", shape, bs, start, k, got[k], want[k])
			}
		}
	}
}

func TestTransposeReversed(t *testing.T) {
	r, _ := newRand(t)
	for i := 0; i < 500; i++ {
		shape := randShape(r, 5)
		es := []int{1, 4, 8, 2}[r.IntN(4)]
		n := 1
		for _, s := range shape {
			n *= s
		}
		c := make([]byte, n*es)
		for k := range c {
			c[k] = byte(r.Uint32())
		}
		f := cOrderToF(c, shape, es)
		got := make([]byte, len(c))
		transposeReversed(got, f, shape, es)
		if string(got) != string(c) {
			t.Fatalf("shape %v es %d: %s", shape, es, firstDiff(got, c, es))
		}
	}
}
