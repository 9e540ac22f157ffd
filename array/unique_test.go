package array_test

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

func TestUnique(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(10); c++ {
		x := v.operand(v.shape(0, 3), v.dtype(), vSpecial)
		// reference: a map of counts, then sorted keys, NaN last
		counts := map[float64]int64{}
		nans := int64(0)
		for k := 0; k < x.ref.n(); k++ {
			f := x.ref.fl(k)
			if f != f {
				nans++
				continue
			}
			counts[f+0]++ // -0 and 0 are one value
		}
		var keys []float64
		for f := range counts {
			keys = append(keys, f)
		}
		sort.Float64s(keys)
		n := len(keys)
		if nans > 0 {
			n++
		}
		wv, wc := newRef([]int{n}, x.ref.dt), newRef([]int{n}, graph.Int64)
		for i, f := range keys {
			if isF(x.ref.dt) {
				wv.f[i] = f
			} else {
				wv.i[i] = int64(f)
			}
			wc.i[i] = counts[f]
		}
		if nans > 0 {
			wv.f[n-1], wc.i[n-1] = math.NaN(), nans
		}
		desc := fmt.Sprintf("case %d: unique(%v)", c, x)
		vals, cnts := x.a.Unique()
		if !errors.Is(vals.Sum().Err(), array.ErrUnknownChunks) {
			t.Errorf("%s: Sum of unknown-size values: %v", desc, vals.Sum().Err())
		}
		res, err := v.compute([]*array.Array{vals, cnts})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		// -0 and 0: either may stand for the value
		for i := range res[0].Float64s() {
			if isF(x.ref.dt) && wv.f[i] == 0 {
				wv.f[i] = res[0].Float64s()[i]
			}
		}
		exact(t, desc+" values", res[0], wv)
		exact(t, desc+" counts", res[1], wc)
		k, err := cnts.ComputeChunkSizes(v.ctx, array.On(v.e))
		if err != nil {
			t.Fatal(err)
		}
		if s := v.one(desc, k.Sum()); s.Int64s()[0] != int64(x.ref.n()) {
			t.Errorf("%s: counts sum to %d, want %d", desc, s.Int64s()[0], x.ref.n())
		}
		if t.Failed() {
			return
		}
	}
}
