package bench

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

// Size names a workload's scale. Tiny is for tests (each check runs in
// milliseconds); small fits a laptop run of the whole suite; medium is
// the size of the benchmark issue.
type Size string

// The sizes.
const (
	Tiny   Size = "tiny"
	Small  Size = "small"
	Medium Size = "medium"
)

// ParseSize checks a size name.
func ParseSize(s string) (Size, error) {
	switch Size(s) {
	case Tiny, Small, Medium:
		return Size(s), nil
	}
	return "", fmt.Errorf("bench: unknown size %q (tiny, small, medium)", s)
}

// Variant says how a workload's inputs are made.
type Variant string

// The variants: inputs generated inside the graph (timed), or persisted
// first (untimed) and the expression timed on them.
const (
	EndToEnd  Variant = "end-to-end"
	Persisted Variant = "persisted"
)

// Seed is the seed of every workload's random inputs (the peers use it
// too, with their own generators, so their values differ).
const Seed = 42

// Dims are a workload's sizes at one Size. Which fields count depends on
// the workload (see its Params doc).
type Dims struct {
	N, Chunk int   // side (or length) and chunk
	From, To []int // rechunk: chunks before and after
	Lo, Hi   int   // slicing: the column range
	Cols     int   // tsqr: the columns of the tall matrix (N rows)
	// Path is where a workload with Setup keeps its data (set by
	// RunWorkload from RunConfig.DataDir: DataPath).
	Path string
}

// Workload is one named benchmark: random inputs made in the graph, the
// expression, and a check of its result against an independent
// computation.
type Workload struct {
	Name string
	Expr string // the expression, NumPy-style
	Note string // printed with the results (limits of the API, ...)
	// Persist: the workload also runs on persisted inputs.
	Persist bool
	// Direct: Check has direct loops over the n x n input.
	Direct bool
	Sizes  map[Size]Dims
	// Inputs makes the random inputs.
	Inputs func(d Dims) []*array.Array
	// Outputs builds the expression on the inputs.
	Outputs func(d Dims, in []*array.Array) []*array.Array
	// Value reduces the outputs to the one number reported.
	Value func(out []*array.NDArray) float64
	// Check compares the outputs with an independent computation:
	// analytical expectations or identities at every size, and direct
	// float64 loops over the materialised inputs where direct is true.
	Check func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error
	// Flops and Bytes, where set, give GFLOP/s and GB/s: floating point
	// operations, and the least bytes read plus written by the
	// persisted variant: one pass over the inputs plus the outputs, or
	// more where the expression needs more (transpose_sum's mean before
	// its sum; rechunk's copy, written and read).
	Flops func(d Dims) float64
	Bytes func(d Dims) float64
	// BytesEndToEnd: Bytes gives a rate for the end-to-end variant too
	// (streaming: the array's bytes, made and folded chunk by chunk and
	// never whole, against the triad as the issue asks).
	BytesEndToEnd bool
	// Setup, where set, makes the workload's data at d.Path before it
	// runs (untimed; kept between runs, so it only writes what is
	// missing). Such workloads read persisted data: their GB/s is
	// reported for every variant.
	Setup func(ctx context.Context, d Dims, opts []array.ComputeOption) error
	// Ceiling, where set, measures the hardware ceiling the workload is
	// bound by (GB/s) in the same run, e.g. the disk's sequential read.
	Ceiling func(ctx context.Context, d Dims) (float64, error)
}

// Checker computes other expressions on the same executor for checks.
type Checker struct {
	Opts []array.ComputeOption
}

// Compute computes xs together.
func (c Checker) Compute(ctx context.Context, xs ...*array.Array) ([]*array.NDArray, error) {
	return array.Compute(ctx, xs, c.Opts...)
}

// DirectLimit is the largest input (elements) checked by direct loops
// over materialised values; larger ones are checked analytically.
const DirectLimit = 1 << 25

func random(shape []int, chunk ...int) *array.Array {
	return array.NewRandom(Seed).Uniform(0, 1, shape, graph.Float64, array.Chunked(chunk...))
}

func scalar(out []*array.NDArray) float64 {
	v, _ := out[0].Scalar()
	return v
}

// near reports whether got is within tol of want (absolute).
func near(what string, got, want, tol float64) error {
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		return fmt.Errorf("%s = %.17g, want %.17g +- %.3g", what, got, want, tol)
	}
	return nil
}

// rel: relative tolerance.
func rel(what string, got, want, tol float64) error {
	return near(what, got, want, tol*math.Max(1, math.Abs(want)))
}

// uniformSum checks a sum of n uniform [0, 1) values to 6 sigma.
func uniformSum(what string, got float64, n float64) error {
	return near(what, got, n/2, 6*math.Sqrt(n/12)+1e-9*n)
}

func sq(n int) float64 { return float64(n) * float64(n) }

// Permutation is a fixed pseudo-random permutation of 0..n-1: Fisher-Yates
// driven by a 64-bit LCG seeded with Seed (bench/peers/run.py draws the
// same one).
func Permutation(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	s := uint64(Seed)
	for i := n - 1; i > 0; i-- {
		s = s*6364136223846793005 + 1442695040888963407
		j := int((s >> 33) % uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Workloads is the suite, in the order it runs.
var Workloads = []*Workload{
	{
		Name: "transpose_sum", Direct: true, Expr: "(x + x.T - x.mean(axis=0)).sum()", Persist: true,
		Sizes: map[Size]Dims{Tiny: {N: 300, Chunk: 70}, Small: {N: 4000, Chunk: 1000}, Medium: {N: 20000, Chunk: 2000}},
		Inputs: func(d Dims) []*array.Array {
			return []*array.Array{random([]int{d.N, d.N}, d.Chunk)}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array {
			x := in[0]
			return []*array.Array{x.Add(x.T()).Sub(x.Mean(0)).Sum()}
		},
		Value: scalar,
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			got := scalar(out)
			// (x + x.T - mean0).sum() = 2 sum(x) - sum(x) = sum(x)
			x := random([]int{d.N, d.N}, d.Chunk)
			if direct {
				xv, err := c.Compute(ctx, x)
				if err != nil {
					return err
				}
				v, n := xv[0].Float64s(), d.N
				mean := make([]float64, n)
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						mean[j] += v[i*n+j]
					}
				}
				var s float64
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						s += v[i*n+j] + v[j*n+i] - mean[j]/float64(n)
					}
				}
				if err := rel("direct", got, s, 1e-9); err != nil {
					return err
				}
			} else {
				r, err := c.Compute(ctx, x.Sum())
				if err != nil {
					return err
				}
				if err := rel("identity x.sum()", got, scalar(r), 1e-9); err != nil {
					return err
				}
			}
			return uniformSum("result", got, sq(d.N))
		},
		// x read twice: each term x[i,j] + x[j,i] - m[j] needs the mean
		// of a whole column, so a pass for the mean comes before any of
		// the sum (short of reassociating the sum as 2 sum(x) - n sum(m),
		// which loses the cancellation); the second pass reads blocks
		// (i,j) and (j,i) once together (graph.FusePairs)
		Bytes: func(d Dims) float64 { return 2 * 8 * sq(d.N) },
	},
	{
		Name: "matmul", Direct: true, Expr: "(A @ B).sum()", Persist: true,
		Sizes: map[Size]Dims{Tiny: {N: 200, Chunk: 64}, Small: {N: 2000, Chunk: 500}, Medium: {N: 6000, Chunk: 1500}},
		Inputs: func(d Dims) []*array.Array {
			r := array.NewRandom(Seed)
			a := r.Uniform(0, 1, []int{d.N, d.N}, graph.Float64, array.Chunked(d.Chunk))
			b := r.Uniform(0, 1, []int{d.N, d.N}, graph.Float64, array.Chunked(d.Chunk))
			return []*array.Array{a, b}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array {
			return []*array.Array{in[0].MatMul(in[1]).Sum()}
		},
		Value: scalar,
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			got := scalar(out)
			// (A @ B).sum() = sum_k colsum(A)_k rowsum(B)_k
			r := array.NewRandom(Seed)
			a := r.Uniform(0, 1, []int{d.N, d.N}, graph.Float64, array.Chunked(d.Chunk))
			b := r.Uniform(0, 1, []int{d.N, d.N}, graph.Float64, array.Chunked(d.Chunk))
			n := d.N
			colA, rowB := make([]float64, n), make([]float64, n)
			if direct {
				v, err := c.Compute(ctx, a, b)
				if err != nil {
					return err
				}
				av, bv := v[0].Float64s(), v[1].Float64s()
				for i := 0; i < n; i++ {
					for k := 0; k < n; k++ {
						colA[k] += av[i*n+k]
						rowB[i] += bv[i*n+k]
					}
				}
			} else {
				v, err := c.Compute(ctx, a.Sum(0), b.Sum(1))
				if err != nil {
					return err
				}
				colA, rowB = v[0].Float64s(), v[1].Float64s()
			}
			var want float64
			for k := range colA {
				want += colA[k] * rowB[k]
			}
			if err := rel("colsum(A) . rowsum(B)", got, want, 1e-9); err != nil {
				return err
			}
			return rel("expectation n^3/4", got, float64(n)*sq(n)/4, 0.05)
		},
		Flops: func(d Dims) float64 { return 2 * float64(d.N) * sq(d.N) },
	},
	{
		Name: "fused_chain", Expr: "((sin(x)**2 + cos(x)**2) * 3 - 1).sum()", Persist: true,
		Sizes: map[Size]Dims{Tiny: {N: 10000, Chunk: 1500}, Small: {N: 20_000_000, Chunk: 1_000_000}, Medium: {N: 200_000_000, Chunk: 10_000_000}},
		Inputs: func(d Dims) []*array.Array {
			return []*array.Array{array.NewRandom(Seed).Uniform(-100, 100, []int{d.N}, graph.Float64, array.Chunked(d.Chunk))}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array {
			x := in[0]
			return []*array.Array{x.Sin().PowScalar(2).Add(x.Cos().PowScalar(2)).MulScalar(3).SubScalar(1).Sum()}
		},
		Value: scalar,
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			// each element is 2 to a few ulp
			return rel("result", scalar(out), 2*float64(d.N), 1e-9)
		},
		Bytes: func(d Dims) float64 { return 8 * float64(d.N) },
	},
	{
		Name: "reductions", Direct: true, Expr: "x.mean(axis=0), x.std(axis=0), x.max(axis=0), and the same along axis=1", Persist: true,
		Sizes: map[Size]Dims{Tiny: {N: 300, Chunk: 70}, Small: {N: 4000, Chunk: 1000}, Medium: {N: 20000, Chunk: 2000}},
		Inputs: func(d Dims) []*array.Array {
			return []*array.Array{random([]int{d.N, d.N}, d.Chunk)}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array {
			x := in[0]
			return []*array.Array{x.Mean(0), x.Std(0), x.Max(0), x.Mean(1), x.Std(1), x.Max(1)}
		},
		Value: func(out []*array.NDArray) float64 {
			var s float64
			for _, o := range out {
				for _, v := range o.Float64s() {
					s += v
				}
			}
			return s
		},
		Check: checkReductions,
		Bytes: func(d Dims) float64 { return 8 * sq(d.N) },
	},
	{
		Name: "rechunk", Direct: true, Expr: "x.rechunk(to).sum()", Persist: true,
		Sizes: map[Size]Dims{
			Tiny:   {N: 240, From: []int{240, 10}, To: []int{10, 240}},
			Small:  {N: 4000, From: []int{4000, 40}, To: []int{40, 4000}},
			Medium: {N: 20000, From: []int{20000, 200}, To: []int{200, 20000}},
		},
		Inputs: func(d Dims) []*array.Array {
			return []*array.Array{random([]int{d.N, d.N}, d.From...)}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array {
			return []*array.Array{in[0].Rechunk(array.Chunked(d.To...)).Sum()}
		},
		Value: scalar,
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			got := scalar(out)
			x := random([]int{d.N, d.N}, d.From...)
			if direct {
				v, err := c.Compute(ctx, x, x.Rechunk(array.Chunked(d.To...)))
				if err != nil {
					return err
				}
				xv, rv := v[0].Float64s(), v[1].Float64s()
				var s float64
				for i := range xv {
					if xv[i] != rv[i] {
						return fmt.Errorf("rechunked element %d = %v, want %v", i, rv[i], xv[i])
					}
					s += xv[i]
				}
				if err := rel("direct", got, s, 1e-9); err != nil {
					return err
				}
			} else {
				r, err := c.Compute(ctx, x.Sum())
				if err != nil {
					return err
				}
				if err := rel("identity x.sum()", got, scalar(r), 1e-9); err != nil {
					return err
				}
			}
			return uniformSum("result", got, sq(d.N))
		},
		// read x, write and read the rechunked copy
		Bytes: func(d Dims) float64 { return 3 * 8 * sq(d.N) },
	},
	{
		Name: "slicing", Direct: true, Expr: "x[::3, lo:hi][perm].sum(axis=1), perm a fixed permutation of the rows", Persist: true,
		Sizes: map[Size]Dims{
			Tiny:   {N: 300, Chunk: 70, Lo: 15, Hi: 75},
			Small:  {N: 4000, Chunk: 1000, Lo: 200, Hi: 1000},
			Medium: {N: 20000, Chunk: 2000, Lo: 1000, Hi: 5000},
		},
		Inputs: func(d Dims) []*array.Array {
			return []*array.Array{random([]int{d.N, d.N}, d.Chunk)}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array {
			perm := Permutation((d.N + 2) / 3)
			return []*array.Array{in[0].Slice(array.Sl(array.None, array.None, 3), array.Span(d.Lo, d.Hi)).Slice(array.Ix(perm...)).Sum(1)}
		},
		Value: func(out []*array.NDArray) float64 {
			var s float64
			for _, v := range out[0].Float64s() {
				s += v
			}
			return s
		},
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			r := out[0].Float64s()
			rows, k := (d.N+2)/3, d.Hi-d.Lo
			if len(r) != rows {
				return fmt.Errorf("result has %d rows, want %d", len(r), rows)
			}
			if direct {
				x := random([]int{d.N, d.N}, d.Chunk)
				xv, err := c.Compute(ctx, x)
				if err != nil {
					return err
				}
				v := xv[0].Float64s()
				perm := Permutation(rows)
				for i := 0; i < rows; i++ {
					var s float64
					for j := d.Lo; j < d.Hi; j++ {
						s += v[3*perm[i]*d.N+j]
					}
					if err := rel(fmt.Sprintf("row %d", i), r[i], s, 1e-12); err != nil {
						return err
					}
				}
			}
			for i, v := range r {
				if err := near(fmt.Sprintf("row %d", i), v, float64(k)/2, 6.5*math.Sqrt(float64(k)/12)); err != nil {
					return err
				}
			}
			return nil
		},
		Bytes: func(d Dims) float64 { return 8 * float64((d.N+2)/3) * float64(d.Hi-d.Lo) },
	},
	{
		Name: "task_overhead", Expr: "ones(n, chunks=1).sum()",
		Sizes:   map[Size]Dims{Tiny: {N: 1000}, Small: {N: 20000}, Medium: {N: 100000}},
		Inputs:  func(d Dims) []*array.Array { return nil },
		Outputs: func(d Dims, _ []*array.Array) []*array.Array { return []*array.Array{TaskOverhead(d.N)} },
		Value:   scalar,
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			if v := scalar(out); v != float64(d.N) {
				return fmt.Errorf("sum = %v, want %d", v, d.N)
			}
			return nil
		},
	},
	{
		Name: "streaming", Expr: "random(n, chunks).sum(), never whole",
		Sizes: map[Size]Dims{
			Tiny:   {N: 100000, Chunk: 10000},
			Small:  {N: 187_500_000, Chunk: 12_500_000},   // 1.5 GB in 100 MB chunks
			Medium: {N: 1_875_000_000, Chunk: 12_500_000}, // 15 GB
		},
		Inputs: func(d Dims) []*array.Array {
			return []*array.Array{array.NewRandom(Seed).Uniform(0, 1, []int{d.N}, graph.Float64, array.Chunked(d.Chunk))}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array { return []*array.Array{in[0].Sum()} },
		Value:   scalar,
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			return uniformSum("sum", scalar(out), float64(d.N))
		},
		Bytes:         func(d Dims) float64 { return 8 * float64(d.N) },
		BytesEndToEnd: true,
	},
}

func checkReductions(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
	n := d.N
	names := []string{"mean(axis=0)", "std(axis=0)", "max(axis=0)", "mean(axis=1)", "std(axis=1)", "max(axis=1)"}
	vals := make([][]float64, len(out))
	for i, o := range out {
		vals[i] = o.Float64s()
		if len(vals[i]) != n {
			return fmt.Errorf("%s has %d values, want %d", names[i], len(vals[i]), n)
		}
	}
	if direct {
		x := random([]int{n, n}, d.Chunk)
		xv, err := c.Compute(ctx, x)
		if err != nil {
			return err
		}
		v := xv[0].Float64s()
		at := func(axis, k, i int) float64 { // element i of line k along axis
			if axis == 0 {
				return v[i*n+k]
			}
			return v[k*n+i]
		}
		for axis := 0; axis < 2; axis++ {
			for k := 0; k < n; k++ {
				var s, m float64
				m = math.Inf(-1)
				for i := 0; i < n; i++ {
					e := at(axis, k, i)
					s += e
					m = math.Max(m, e)
				}
				mu := s / float64(n)
				var ss float64
				for i := 0; i < n; i++ {
					e := at(axis, k, i) - mu
					ss += e * e
				}
				sd := math.Sqrt(ss / float64(n))
				for j, want := range []float64{mu, sd, m} {
					if err := rel(fmt.Sprintf("%s[%d]", names[3*axis+j], k), vals[3*axis+j][k], want, 1e-10); err != nil {
						return err
					}
				}
			}
		}
	}
	// analytical: uniform [0, 1) lines of n values
	fn := float64(n)
	for axis := 0; axis < 2; axis++ {
		for k := 0; k < n; k++ {
			if err := near(names[3*axis]+fmt.Sprintf("[%d]", k), vals[3*axis][k], 0.5, 6.5*math.Sqrt(1/(12*fn))); err != nil {
				return err
			}
			if err := near(names[3*axis+1]+fmt.Sprintf("[%d]", k), vals[3*axis+1][k], math.Sqrt(1.0/12), 6.5*0.13/math.Sqrt(fn)); err != nil {
				return err
			}
			if m := vals[3*axis+2][k]; !(m < 1 && m > 1-40/fn) {
				return fmt.Errorf("%s[%d] = %v, want in (1 - 40/n, 1)", names[3*axis+2], k, m)
			}
		}
	}
	// both means average to the global mean
	var s0, s1 float64
	for k := 0; k < n; k++ {
		s0 += vals[0][k]
		s1 += vals[3][k]
	}
	return rel("mean of mean(axis=0) vs mean of mean(axis=1)", s0/fn, s1/fn, 1e-12)
}

// Lookup finds workloads by name ("" or "all": every one, in suite order).
// memory_bandwidth is not an array workload: it is measured by Triad.
func Lookup(names string) ([]string, error) {
	known := map[string]bool{MemoryBandwidth: true}
	all := []string{}
	for _, w := range Workloads {
		known[w.Name] = true
		all = append(all, w.Name)
	}
	all = append(all, MemoryBandwidth)
	if names == "" || names == "all" {
		return all, nil
	}
	var out []string
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		if !known[n] {
			sort.Strings(all)
			return nil, fmt.Errorf("bench: unknown workload %q (have %s)", n, strings.Join(all, ", "))
		}
		out = append(out, n)
	}
	return out, nil
}

// Find returns the named array workload, or nil.
func Find(name string) *Workload {
	for _, w := range Workloads {
		if w.Name == name {
			return w
		}
	}
	return nil
}
