package cuda

import (
	"errors"
	"testing"
)

type fakePinned struct {
	allocs, frees, bytes int
	fail                 bool
}

func (f *fakePinned) alloc(n int) ([]byte, error) {
	if f.fail {
		return nil, errors.New("no pinned memory")
	}
	f.allocs++
	f.bytes += n
	return make([]byte, n), nil
}

func (f *fakePinned) free(b []byte) error { f.frees++; f.bytes -= len(b); return nil }

func TestStagingClasses(t *testing.T) {
	for _, c := range []struct{ n, want int }{{0, minStaging}, {1, minStaging}, {minStaging, minStaging}, {minStaging + 1, 2 * minStaging}, {1 << 20, 1 << 20}, {1<<20 + 1, 2 << 20}} {
		if got := classOf(c.n); got != c.want {
			t.Errorf("classOf(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

func TestStagingReuseAndLimit(t *testing.T) {
	f := &fakePinned{}
	p := newStagingPool(f.alloc, f.free, 2<<20+1)
	a, err := p.get(100)
	if err != nil || len(a) != 100 {
		t.Fatal(len(a), err)
	}
	p.put(a)
	b, _ := p.get(1000)
	if f.allocs != 1 || &a[0] != &b[0] {
		t.Fatalf("a second small buffer was allocated (%d allocations)", f.allocs)
	}
	p.put(b)
	c, _ := p.get(2 << 20) // past the limit with the idle 64 KiB: it is freed first
	if f.frees != 1 || f.bytes != 2<<20 {
		t.Fatalf("frees %d, bytes %d", f.frees, f.bytes)
	}
	if err := p.close(); err == nil {
		t.Fatal("close with a buffer out did not complain")
	}
	p.put(c)
	if err := p.close(); err != nil || f.bytes != 0 {
		t.Fatalf("close: %v, %d bytes left", err, f.bytes)
	}
	f.fail = true
	if _, err := p.get(10); err == nil {
		t.Fatal("a failed pinned allocation gave no error")
	}
}

type fakeFence struct {
	done      bool
	destroyed *int
}

func (f *fakeFence) query() (bool, error) { return f.done, nil }
func (f *fakeFence) sync() error          { f.done = true; return nil }
func (f *fakeFence) destroy() error       { *f.destroyed++; return nil }

func TestPendingReapInOrder(t *testing.T) {
	f := &fakePinned{}
	pl := &pendingList{pool: newStagingPool(f.alloc, f.free, 0)}
	var destroyed int
	var out [3][]byte
	fences := make([]*fakeFence, 3)
	for i := range fences {
		buf, _ := pl.pool.get(4)
		buf[0] = byte(10 + i)
		fences[i] = &fakeFence{destroyed: &destroyed}
		dst := &out[i]
		pl.add(fences[i], buf, func(b []byte) { *dst = append([]byte(nil), b...) })
	}
	fences[1].done = true // later copies never finish before earlier ones are reaped
	if err := pl.reap(false); err != nil || len(pl.list) != 3 || out[1] != nil {
		t.Fatalf("reaped past an unfinished copy: %v, %d left", err, len(pl.list))
	}
	fences[0].done = true
	if err := pl.reap(false); err != nil || len(pl.list) != 1 || out[0][0] != 10 || out[1][0] != 11 {
		t.Fatalf("reap: %v, %d left, out %v", err, len(pl.list), out)
	}
	if err := pl.reap(true); err != nil || len(pl.list) != 0 || out[2][0] != 12 || destroyed != 3 {
		t.Fatalf("reap(wait): %v, %d left, %d destroyed", err, len(pl.list), destroyed)
	}
	if err := pl.pool.close(); err != nil {
		t.Fatal(err)
	}
}
