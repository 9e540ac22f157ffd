package array_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// TestRoundDecimalsNumPy compares RoundDecimals with np.round on random
// values (halfway cases among them) for float64, float32 and int64, and
// decimals from -3 to 4, in one Python run.
func TestRoundDecimalsNumPy(t *testing.T) {
	v := newEnv(t)
	type tc struct {
		DT   string    `json:"dt"`
		D    int       `json:"d"`
		Vals []float64 `json:"vals"`
	}
	var cs []tc
	for c := 0; c < 24; c++ {
		dt := []string{"float64", "float32", "int64"}[c%3]
		d := v.r.IntN(8) - 3
		vals := make([]float64, 40)
		for i := range vals {
			switch v.r.IntN(4) {
			case 0: // a halfway case at d decimals
				vals[i] = (float64(v.r.IntN(2001)-1000) + 0.5) / math.Pow(10, float64(d))
			case 1:
				vals[i] = float64(v.r.IntN(200001) - 100000)
			default:
				vals[i] = (v.r.Float64()*2 - 1) * math.Pow(10, float64(v.r.IntN(7)-2))
			}
			if dt == "int64" {
				vals[i] = math.Round(vals[i])
			}
			if dt == "float32" {
				vals[i] = float64(float32(vals[i]))
			}
		}
		cs = append(cs, tc{dt, d, vals})
	}
	in, _ := json.Marshal(cs)
	script := `import json, sys
import numpy as np
cs = json.loads(sys.argv[1])
print(json.dumps([np.round(np.array(c["vals"], dtype=c["dt"]), c["d"]).astype(float).tolist() for c in cs]))`
	out, err := exec.Command("/usr/bin/python3", "-c", script, string(in)).Output()
	if err != nil {
		t.Fatalf("numpy (run make deps): %v", err)
	}
	var want [][]float64
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		var x *array.Array
		switch c.DT {
		case "float64":
			x = array.FromSlice(c.Vals, []int{len(c.Vals)}, array.Chunked(7))
		case "float32":
			f := make([]float32, len(c.Vals))
			for k, v := range c.Vals {
				f[k] = float32(v)
			}
			x = array.FromSlice(f, []int{len(f)}, array.Chunked(7))
		default:
			n := make([]int64, len(c.Vals))
			for k, v := range c.Vals {
				n[k] = int64(v)
			}
			x = array.FromSlice(n, []int{len(n)}, array.Chunked(7))
		}
		got := v.one("round", x.RoundDecimals(c.D))
		if got.DType.String() != c.DT {
			t.Errorf("case %d: dtype %v, want %s", i, got.DType, c.DT)
		}
		for k, g := range got.Float64s() {
			if !sameBits(g, want[i][k]) {
				t.Errorf("case %d: %s round(%v, %d) = %v, NumPy %v", i, c.DT, c.Vals[k], c.D, g, want[i][k])
				break
			}
		}
	}
}

func TestRepeatEachRollEachCumAll(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(8); c++ {
		shape := v.shape(1, 3)
		x := v.operand(shape, v.dtype(), vSpecial)
		ax := v.r.IntN(len(shape))
		counts := make([]int, shape[ax])
		var pos []int
		for i := range counts {
			counts[i] = v.r.IntN(4)
			for range counts[i] {
				pos = append(pos, i)
			}
		}
		out := append([]int{}, shape...)
		out[ax] = len(pos)
		want := gatherRef(x.ref, out, func(a, i int) int {
			if a == ax {
				return pos[i]
			}
			return i
		}, 0)
		desc := fmt.Sprintf("case %d: repeat(%v, %v, axis %d)", c, x, counts, ax)
		exact(t, desc, v.one(desc, x.a.RepeatEach(counts, ax)), want)

		// roll twice along random axes = one roll by the sum per axis
		a1, a2 := v.r.IntN(len(shape)), v.r.IntN(len(shape))
		s1, s2 := v.r.IntN(11)-5, v.r.IntN(11)-5
		tot := make([]int, len(shape))
		tot[a1] += s1
		tot[a2] += s2
		want2 := gatherRef(x.ref, shape, func(a, i int) int {
			n := shape[a]
			if n == 0 {
				return i
			}
			return ((i-tot[a])%n + n) % n
		}, 0)
		desc = fmt.Sprintf("case %d: roll(%v, (%d, %d), axes (%d, %d))", c, x, s1, s2, a1, a2)
		exact(t, desc, v.one(desc, x.a.RollEach([]int{s1, s2}, []int{a1, a2})), want2)
	}
	// cumsum of the flattened array
	x := v.operand([]int{3, 4}, graph.Int64, vSmall)
	want := newRef([]int{12}, graph.Int64)
	s := int64(0)
	for k, z := range x.ref.i {
		s += z
		want.i[k] = s
	}
	exact(t, "cumsum all", v.one("cumsum all", x.a.CumSumAll()), want)
	wantErr(t, "counts length", x.a.RepeatEach([]int{1, 2}, 0).Err(), "repeat", "2 counts")
	wantErr(t, "negative count", x.a.RepeatEach([]int{1, -2, 1}, 0).Err(), "repeat", "negative")
	wantErr(t, "shifts and axes", x.a.RollEach([]int{1}, []int{0, 1}).Err(), "roll", "1 shifts for 2 axes")
}
