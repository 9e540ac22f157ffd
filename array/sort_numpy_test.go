package array_test

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// TestOrderStatsNumPy checks NaN placement, stability and the linear
// interpolation against Debian's NumPy in one python call: a float64
// matrix with NaN, ±Inf, -0 and ties, chunked on both axes, through
// sort/argsort (kind="stable"), median, nanmedian, percentile,
// nanpercentile and quantile along each axis, and the median of a
// float32 vector.
func TestOrderStatsNumPy(t *testing.T) {
	v := newEnv(t)
	nan, inf := math.NaN(), math.Inf(1)
	negz := math.Copysign(0, -1)
	data := []float64{
		3, nan, -1, 0, negz, 2.5, 2.5, inf,
		1, 7, -inf, 0.1, 0.2, 0.3, negz, 0,
		nan, nan, nan, 1, 1, 1, 1, 1,
		-2, 5, 5, -inf, inf, 4, 0, 2,
		1e300, -1e300, 3.3, 3.3, 1.1, 2.2, 9, 8,
	}
	shape := []int{5, 8}
	x := array.FromSlice(data, shape, array.ExplicitChunks([][]int{{2, 1, 2}, {3, 1, 4}}))
	noNaN := make([]float64, len(data))
	for k, d := range data {
		noNaN[k] = d
		if math.IsNaN(d) {
			noNaN[k] = float64(k % 5)
		}
	}
	y := array.FromSlice(noNaN, shape, array.ExplicitChunks([][]int{{1, 4}, {5, 3}}))
	f32 := []float32{1.1, 2.7, -3.3, 0.35, 8.1, 2.2}
	z := array.FromSlice(f32, []int{6}, array.Chunked(4))
	qs := []float64{0, 10, 33.3, 50, 77.7, 100}
	type exprCase struct {
		py string // an expression of x, y, z, q in python
		a  *array.Array
	}
	var exprs []exprCase
	for _, ax := range []int{0, 1} {
		exprs = append(exprs,
			exprCase{fmt.Sprintf("np.sort(x, axis=%d, kind='stable')", ax), x.Sort(ax)},
			exprCase{fmt.Sprintf("np.argsort(x, axis=%d, kind='stable')", ax), x.ArgSort(ax)},
			exprCase{fmt.Sprintf("np.median(x, axis=%d)", ax), x.Median(ax)},
			exprCase{fmt.Sprintf("np.nanmedian(x, axis=%d)", ax), x.NanMedian(ax)},
			exprCase{fmt.Sprintf("np.percentile(x, q, axis=%d)", ax), x.Percentile(qs, ax)},
			exprCase{fmt.Sprintf("np.nanpercentile(x, q, axis=%d)", ax), x.NanPercentile(qs, ax)},
			exprCase{fmt.Sprintf("np.percentile(y, q, axis=%d)", ax), y.Percentile(qs, ax)},
			exprCase{fmt.Sprintf("np.quantile(y, np.array(q)/100, axis=%d)", ax), y.Quantile(divAll(qs, 100), ax)},
		)
	}
	exprs = append(exprs,
		exprCase{"np.median(y)", y.Median()},
		exprCase{"np.median(z)", z.Median()},
		exprCase{"np.median(z[:5])", z.Slice(array.Sl(0, 5, 1)).Median()},
	)
	var prog strings.Builder
	fmt.Fprintf(&prog, "import numpy as np, warnings\nwarnings.simplefilter('ignore')\n")
	fmt.Fprintf(&prog, "x = np.array([%s]).reshape(5, 8)\n", pyFloats(data))
	fmt.Fprintf(&prog, "y = np.array([%s]).reshape(5, 8)\n", pyFloats(noNaN))
	fmt.Fprintf(&prog, "z = np.array([%s], dtype=np.float32)\n", pyFloats(f64s(f32)))
	fmt.Fprintf(&prog, "q = [%s]\n", pyFloats(qs))
	for _, e := range exprs {
		fmt.Fprintf(&prog, "r = np.asarray(%s)\nprint(r.dtype, r.shape, ' '.join(repr(float(v)) for v in r.ravel()))\n", e.py)
	}
	cmd := exec.Command("/usr/bin/python3", "-")
	cmd.Stdin = strings.NewReader(prog.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the NumPy cross-check needs /usr/bin/python3 with numpy (run make deps): %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(exprs) {
		t.Fatalf("python printed %d lines for %d expressions:\n%s", len(lines), len(exprs), out)
	}
	arrs := make([]*array.Array, len(exprs))
	for i, e := range exprs {
		arrs[i] = e.a
	}
	res, err := v.compute(arrs)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range exprs {
		dt, shp, vals, err := parseNumPyLine(lines[i])
		if err != nil {
			t.Fatalf("%s: %v", e.py, err)
		}
		got := res[i]
		if got.DType != dt || fmt.Sprint(got.Shape) != fmt.Sprint(shp) {
			t.Errorf("%s: got %v%v, NumPy %v%v", e.py, got.DType, got.Shape, dt, shp)
			continue
		}
		g := refOf(got)
		for k, w := range vals {
			if !sameBits(g.fl(k), w) {
				t.Errorf("%s: element %d is %v, NumPy %v", e.py, k, g.fl(k), w)
				break
			}
		}
	}
}

func divAll(q []float64, d float64) []float64 {
	out := make([]float64, len(q))
	for i, v := range q {
		out[i] = v / d
	}
	return out
}

func f64s(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

// pyFloats writes floats as python expressions (exact: repr round-trips).
func pyFloats(s []float64) string {
	parts := make([]string, len(s))
	for i, v := range s {
		switch {
		case math.IsNaN(v):
			parts[i] = "float('nan')"
		case math.IsInf(v, 1):
			parts[i] = "float('inf')"
		case math.IsInf(v, -1):
			parts[i] = "float('-inf')"
		default:
			parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
			if v == 0 && math.Signbit(v) {
				parts[i] = "-0.0"
			}
		}
	}
	return strings.Join(parts, ", ")
}

// parseNumPyLine reads "dtype (shape) v v v".
func parseNumPyLine(line string) (graph.DType, []int, []float64, error) {
	open, close := strings.Index(line, "("), strings.Index(line, ")")
	if open < 0 || close < open {
		return 0, nil, nil, fmt.Errorf("bad line %q", line)
	}
	dts := map[string]graph.DType{"float64": graph.Float64, "float32": graph.Float32, "int64": graph.Int64}
	dt, ok := dts[strings.TrimSpace(line[:open])]
	if !ok {
		return 0, nil, nil, fmt.Errorf("dtype in %q", line)
	}
	shape := []int{}
	for _, p := range strings.Split(line[open+1:close], ",") {
		if p = strings.TrimSpace(p); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				return 0, nil, nil, err
			}
			shape = append(shape, n)
		}
	}
	var vals []float64
	for _, f := range strings.Fields(line[close+1:]) {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return 0, nil, nil, err
		}
		vals = append(vals, x)
	}
	return dt, shape, vals, nil
}
