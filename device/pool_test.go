package device

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

func TestClasses(t *testing.T) {
	prev := int64(0)
	for c := range numClasses {
		s := classSize(c)
		if s <= prev {
			t.Fatalf("class %d size %d not above class %d's %d", c, s, c-1, prev)
		}
		if got := classOf(s); got != c {
			t.Fatalf("classOf(classSize(%d) = %d) = %d", c, s, got)
		}
		if got := classOf(prev + 1); got != c {
			t.Fatalf("classOf(%d) = %d, want %d", prev+1, got, c)
		}
		if s > smallMax && s%8192 != 0 {
			t.Fatalf("large class %d size %d is not a whole number of 8 KiB", c, s)
		}
		prev = s
	}
	if prev != maxAlloc {
		t.Fatalf("largest class is %d, want %d", prev, int64(maxAlloc))
	}
	r := rand.New(rand.NewPCG(testSeed(t), 1))
	for range 100000 {
		n := r.Int64N(int64(1) << r.IntN(41))
		if n == 0 {
			continue
		}
		s := classSize(classOf(n))
		if s < n || (n > 128 && float64(s) > float64(n)*1.125) || (n <= 128 && s-n >= 16) {
			t.Fatalf("n=%d gets class size %d", n, s)
		}
	}
}

// TestColours checks that large buffers of one class start at different
// offsets inside a page, so equal-sized streams do not alias.
func TestColours(t *testing.T) {
	p := newPool()
	const n = 1 << 20 // exactly 2^17 float64
	offs := map[uintptr]bool{}
	var bufs [][]byte
	var class int
	for range 8 {
		b, c, err := p.get(n)
		if err != nil {
			t.Fatal(err)
		}
		class = c
		bufs = append(bufs, b)
		addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		if addr%64 != 0 {
			t.Fatalf("buffer at %#x is not cache-line aligned", addr)
		}
		offs[addr%4096] = true
	}
	if len(offs) < len(bufs) && unsafe.Sizeof(uintptr(0)) == 8 && pageSizeForTest() == 4096 {
		t.Errorf("%d buffers share %d page offsets", len(bufs), len(offs))
	}
	for _, b := range bufs {
		p.put(b, class)
	}
	p.trim()
	if h := p.held(); h != 0 {
		t.Errorf("held %d after trim with nothing live", h)
	}
	if err := p.firstErr(); err != nil {
		t.Error(err)
	}
}

func TestReuseLIFO(t *testing.T) {
	p := newPool()
	a, ca, _ := p.get(3 << 20)
	b, cb, _ := p.get(3 << 20)
	p.put(a, ca)
	p.put(b, cb)
	c, _, _ := p.get(3<<20 - 1000) // same class
	if unsafe.SliceData(c) != unsafe.SliceData(b) {
		t.Error("the last buffer freed was not reused first")
	}
	p.put(c, cb)
	if got, want := p.held(), 2*classSize(ca); got != want {
		t.Errorf("held %d, want %d cached", got, want)
	}
	p.trim()
	if p.held() != 0 {
		t.Errorf("held %d after trim", p.held())
	}
}

func TestCacheBound(t *testing.T) {
	p := newPool()
	p.floor, p.ceil = 8<<20, 16<<20
	var bufs [][]byte
	var class int
	for range 10 {
		b, c, err := p.get(3 << 20)
		if err != nil {
			t.Fatal(err)
		}
		bufs, class = append(bufs, b), c
	}
	size := classSize(class)
	for _, b := range bufs {
		p.put(b, class)
	}
	// Peak live is 10 buffers; a quarter of it, within [floor, ceil].
	limit := min(p.ceil, max(p.floor, 10*size/4))
	if p.cached > limit || p.cached+size <= limit {
		t.Errorf("cached %d bytes, limit %d, buffers of %d", p.cached, limit, size)
	}
	if p.held() != p.cached {
		t.Errorf("held %d, cached %d, nothing live", p.held(), p.cached)
	}
	p.trim()
	if p.held() != 0 || p.firstErr() != nil {
		t.Errorf("held %d after trim, err %v", p.held(), p.firstErr())
	}
}

func TestPutForeignPanics(t *testing.T) {
	p := newPool()
	defer func() {
		if recover() == nil {
			t.Error("put of a buffer with the wrong capacity did not panic")
		}
	}()
	p.put(make([]byte, 100), classOf(200))
}

// TestCacheKeepsOneOfAClass: a buffer bigger than the cache's bound is
// kept when no buffer of its class is cached, so a stream of such
// chunks (freed, then the next allocated) maps memory once; the next
// fresh mapping of another class gives it back, so that live plus
// cached stays within the live peak plus the bound.
func TestCacheKeepsOneOfAClass(t *testing.T) {
	p := newPool()
	p.floor, p.ceil = 4<<20, 64<<20
	const n = 12 << 20
	a, c, err := p.get(n)
	if err != nil {
		t.Fatal(err)
	}
	size := classSize(c)
	if lim := p.cacheLimit(); size <= lim {
		t.Fatalf("test needs a class (%d bytes) over the bound (%d)", size, lim)
	}
	first := unsafe.SliceData(a)
	for i := range 5 {
		p.put(a, c)
		if p.cached != size {
			t.Fatalf("round %d: cached %d bytes, want the freed buffer's %d", i, p.cached, size)
		}
		if a, _, err = p.get(n); err != nil {
			t.Fatal(err)
		}
		if unsafe.SliceData(a) != first {
			t.Fatalf("round %d: a fresh mapping, not the cached buffer", i)
		}
	}
	// a second buffer of the class, freed beside the first, is over the
	// bound and not kept
	b, _, err := p.get(n)
	if err != nil {
		t.Fatal(err)
	}
	p.put(a, c)
	p.put(b, c)
	if p.cached != size {
		t.Errorf("two freed: cached %d, want one buffer (%d)", p.cached, size)
	}
	peak := p.peak
	// another class mapped fresh: the extra goes first
	d, cd, err := p.get(2 * n)
	if err != nil {
		t.Fatal(err)
	}
	if p.cached > p.cacheLimit() {
		t.Errorf("after a fresh mapping: cached %d, over the bound %d", p.cached, p.cacheLimit())
	}
	if p.live+p.cached > max(peak, p.peak)+p.cacheLimit() {
		t.Errorf("live %d + cached %d over the peak %d + the bound", p.live, p.cached, p.peak)
	}
	p.put(d, cd)
	p.trim()
	if p.held() != 0 || p.firstErr() != nil {
		t.Errorf("held %d after trim, err %v", p.held(), p.firstErr())
	}
}
