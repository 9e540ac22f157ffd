package array_test

import (
	"fmt"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster/local"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
)

// expr is an expression built on both sides: the lazy array and its ref.
type expr struct {
	a   *array.Array
	r   *ref
	str string
}

// chain builds a random elementwise expression of the given depth over
// leaves (all of one square shape, so transposes keep it).
func (v *env) chain(leaves []expr, depth int) expr {
	if depth == 0 {
		return leaves[v.r.IntN(len(leaves))]
	}
	x := v.chain(leaves, depth-1)
	y := v.chain(leaves, v.r.IntN(depth))
	bin := func(op string) expr {
		dt := graph.Promote(x.r.dt, y.r.dt)
		if dt == graph.Bool && op == "sub" {
			op = "add"
		}
		return expr{binaryArray(op, x.a, y.a), refArith(op, x.r, y.r), fmt.Sprintf("%s(%s, %s)", op, x.str, y.str)}
	}
	switch v.r.IntN(9) {
	case 0:
		return bin("add")
	case 1:
		return bin("sub")
	case 2:
		return bin("mul")
	case 3:
		return bin("maximum")
	case 4:
		return expr{array.Where(x.a.Gt(y.a), x.a, y.a), refWhere(refCmp("gt", x.r, y.r), x.r, y.r), fmt.Sprintf("where(%s > %s)", x.str, y.str)}
	case 5:
		if x.r.dt == graph.Bool {
			return expr{x.a.LogicalNot(), refUnary("not", x.r), "not " + x.str}
		}
		return expr{x.a.Neg(), refUnary("neg", x.r), "-" + x.str}
	case 6:
		rev := make([]int, len(x.r.shape))
		for i := range rev {
			rev[i] = len(rev) - 1 - i
		}
		return expr{x.a.T(), x.r.transpose(rev), x.str + ".T"}
	case 7:
		if len(x.r.shape) == 0 {
			return x
		}
		idx := []ix{{kind: 's', start: array.None, stop: array.None, step: -1}}
		return expr{x.a.Slice(idx[0].index()), x.r.slice(idx), x.str + "[::-1]"}
	default:
		dt := v.dtype(graph.Int64, graph.Float32, graph.Float64)
		return expr{x.a.Astype(dt), x.r.astype(dt), fmt.Sprintf("%s.astype(%v)", x.str, dt)}
	}
}

// TestChains: random elementwise chains against the ref, bit for bit,
// fused and unfused.
func TestChains(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(250); c++ {
		n := v.axisLen()
		sh := []int{n, n}
		if v.r.IntN(4) == 0 {
			sh = []int{n, n, n}
		}
		var leaves []expr
		for i := 0; i < 3; i++ {
			dt := v.dtype()
			if i == 0 {
				dt = v.dtype(graph.Float32, graph.Float64)
			}
			o := v.operand(sh, dt, vSpecial)
			leaves = append(leaves, expr{o.a, o.ref, fmt.Sprintf("x%d=%v", i, o)})
		}
		e := v.chain(leaves, 1+v.r.IntN(4))
		desc := fmt.Sprintf("case %d: %s", c, e.str)
		if err := e.a.Err(); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		got := v.one(desc, e.a)
		exact(t, desc, got, e.r)
		sameResult(t, desc+" NoFuse", got, v.one(desc, e.a, array.NoFuse()))
		if t.Failed() {
			return
		}
	}
}

// TestCompositions: the brief's chains mixing reductions with
// elementwise work and broadcasting, against the ref.
func TestCompositions(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(150); c++ {
		n := v.axisLen()
		dt := v.dtype(graph.Float32, graph.Float64)
		x := v.operand([]int{n, n}, dt, vSmall)
		y := v.operand([]int{n, n}, v.dtype(), vSmall)
		desc := fmt.Sprintf("case %d: x=%v y=%v", c, x, y)

		// (x + x.T - x.Mean(0)).Std()
		xr := x.ref
		m, _ := refReduce("mean", xr, []int{0}, false, 0)
		s := refArith("sub", refArith("add", xr, xr.transpose([]int{1, 0})), m)
		want, scale := refReduce("std", s, nil, false, 0)
		z := x.a.Add(x.a.T()).Sub(x.a.Mean(0)).Std()
		near(t, desc+" (x + x.T - x.mean(0)).std()", v.one(desc, z), want, scale, 8*relTol(dt, n*n))

		// Where(x > y, x, -y).Sum(1)
		yneg := y.ref
		if yneg.dt == graph.Bool {
			yneg = yneg.astype(graph.Int64)
		}
		w := refWhere(refCmp("gt", xr, y.ref), xr, refUnary("neg", yneg))
		want, scale = refReduce("sum", w, []int{1}, false, 0)
		ya := y.a
		if y.ref.dt == graph.Bool {
			ya = ya.Astype(graph.Int64)
		}
		z = array.Where(x.a.Gt(y.a), x.a, ya.Neg()).Sum(1)
		near(t, desc+" where(x > y, x, -y).sum(1)", v.one(desc, z), want, scale, relTol(want.dt, n))

		// x @ x.T with a rechunked operand, and (x * 2).max(0) - x.min(0)
		mm := refMatMul(xr, xr.transpose([]int{1, 0}))
		got := v.one(desc, x.a.MatMul(x.a.T().Rechunk(array.ExplicitChunks(v.chunks([]int{n, n})))))
		near(t, desc+" x @ x.T", got, mm, nil, relTol(dt, n)*64)
		if n > 0 {
			mx, _ := refReduce("max", refArith("mul", xr, xr), []int{0}, false, 0)
			mn, _ := refReduce("min", xr, []int{0}, false, 0)
			exact(t, desc+" (x*x).max(0) - x.min(0)", v.one(desc, x.a.Mul(x.a).Max(0).Sub(x.a.Min(0))), refArith("sub", mx, mn))
		}
		if t.Failed() {
			return
		}
	}
}

// TestComputeMany: several arrays over one shared graph give the same
// results as computing each alone; an empty list computes nothing.
func TestComputeMany(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(60); c++ {
		x := v.operand(v.shape(1, 3), v.dtype(graph.Float64, graph.Int64), vSmall)
		shared := x.a.Mul(x.a)
		xs := []*array.Array{shared.Sum(), shared.Add(x.a), x.a, shared.Max(0), x.a.T()}
		if x.ref.shape[0] == 0 {
			xs[3] = shared.Sum(0)
		}
		all, err := v.compute(xs)
		if err != nil {
			t.Fatalf("case %d (%v): %v", c, x, err)
		}
		for i, a := range xs {
			sameResult(t, fmt.Sprintf("case %d (%v): array %d", c, x, i), all[i], v.one("alone", a))
		}
	}
	got, err := v.compute(nil)
	if err != nil || len(got) != 0 {
		t.Errorf("Compute of no arrays: %v, %v", got, err)
	}
}

// TestPersist: a persisted result is reused by two later computations,
// stays live until Release, and computing on it afterwards is an error.
func TestPersist(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(30); c++ {
		sh := v.shape(1, 3)
		x := v.operand(sh, v.dtype(graph.Float64, graph.Int32), vSmall)
		p, err := x.a.Mul(x.a).Persist(v.ctx, array.On(v.e))
		if err != nil {
			t.Fatal(err)
		}
		live := v.e.Host().Stats().LiveBytes
		if size(sh) > 0 && live == 0 {
			t.Errorf("case %d: nothing live after Persist", c)
		}
		sq := refArith("mul", x.ref, x.ref)
		pa := p.Array()
		s1, scale := refReduce("sum", sq, nil, false, 0)
		r1, err := pa.Sum().Compute(v.ctx, array.On(v.e))
		if err != nil {
			t.Fatal(err)
		}
		near(t, "persisted sum", r1, s1, scale, relTol(sq.dt, sq.n()))
		r2, err := array.Compute(v.ctx, []*array.Array{pa.Add(x.a), pa}, array.On(v.e))
		if err != nil {
			t.Fatal(err)
		}
		exact(t, "persisted + x", r2[0], refArith("add", sq, x.ref))
		exact(t, "persisted", r2[1], sq)
		if got := v.e.Host().Stats().LiveBytes; got != live {
			t.Errorf("case %d: %d bytes live after computing on a persisted array, want %d", c, got, live)
		}
		p.Release()
		p.Release() // a second release does nothing
		if err := device.LeakError(v.e.Host()); err != nil {
			t.Errorf("case %d: after Release: %v", c, err)
		}
		if size(sh) > 0 {
			_, err = pa.Sum().Compute(v.ctx, array.On(v.e))
			wantErr(t, "compute after Release", err, "released")
		}
		if t.Failed() {
			return
		}
	}
	// a persisted array used on another executor is an error, not a panic
	x := array.Arange(0, 10, 1, graph.Float64, array.Chunked(4))
	p, err := x.Persist(v.ctx, array.On(v.e))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := local.New(local.Device(device.NewHost()))
	_, err = p.Array().Sum().Compute(v.ctx, array.On(other))
	wantErr(t, "persisted on another executor", err, "another executor")
	p.Release()
	devicetest.AssertNoLeaks(t, other.Host())
}

// TestDeterminism: the same graph gives the same bits with one worker or
// several.
func TestDeterminism(t *testing.T) {
	v := newEnv(t)
	one, _ := local.New(local.Device(device.NewHost()), local.Workers(1))
	three, _ := local.New(local.Device(device.NewHost()), local.Workers(3))
	for c := 0; c < cases(40); c++ {
		sh := []int{v.r.IntN(40), v.r.IntN(40)}
		x := v.operand(sh, v.dtype(graph.Float32, graph.Float64), vWide)
		z := x.a.Add(x.a.Mean(0)).Mul(x.a).Sum(1)
		a, err1 := z.Compute(v.ctx, array.On(one))
		b, err2 := z.Compute(v.ctx, array.On(three))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		sameResult(t, fmt.Sprintf("case %d: %v", c, x), a, b)
	}
	devicetest.AssertNoLeaks(t, one.Host(), three.Host())
}

// TestProgressOption: the callback sees tasks done rise to the total and
// chunk bytes resident while the computation runs.
func TestProgressOption(t *testing.T) {
	v := newEnv(t)
	x := array.NewRandom(1).Uniform(0, 1, []int{64, 64}, graph.Float64, array.Chunked(16, 16))
	var last, total, calls int
	var peak int64
	_, err := v.compute([]*array.Array{x.Add(x.T()).Sum(0)}, array.Progress(func(done, tot int, resident int64) {
		if done < last || tot <= 0 {
			t.Errorf("progress (%d of %d) after %d", done, tot, last)
		}
		last, total, calls = done, tot, calls+1
		peak = max(peak, resident)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != total || peak <= 0 {
		t.Errorf("%d calls, last %d of %d, peak resident %d bytes", calls, last, total, peak)
	}
}
