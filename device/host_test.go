package device

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"unsafe"
)

// span is a live buffer's address range, for the overlap check.
type span struct{ lo, hi uintptr }

type spans struct {
	mu   sync.Mutex
	live map[*Buffer]span
}

func (s *spans) add(t *testing.T, b *Buffer) {
	if b.Len() == 0 {
		return
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b.Bytes())))
	sp := span{lo, lo + uintptr(b.Len())}
	s.mu.Lock()
	defer s.mu.Unlock()
	for o, x := range s.live {
		if sp.lo < x.hi && x.lo < sp.hi {
			t.Errorf("buffer [%#x, %#x) of %d bytes overlaps live [%#x, %#x) of %d", sp.lo, sp.hi, b.Len(), x.lo, x.hi, o.Len())
		}
	}
	s.live[b] = sp
}

func (s *spans) remove(b *Buffer) {
	s.mu.Lock()
	delete(s.live, b)
	s.mu.Unlock()
}

// randomSize is 0 bytes to 40 MB: zero, small (Go heap) or large (mapped).
func randomSize(r *rand.Rand) int64 {
	switch x := r.IntN(20); {
	case x == 0:
		return 0
	case x < 8:
		return 1 + r.Int64N(smallMax+1024)
	default:
		return 1 + r.Int64N(40_000_000)
	}
}

// fill writes a pattern naming (id, word index) into every stride-th
// int64, the last int64 and the bytes after it; check verifies it.
// Sparse, so -race stays fast.
const stride = 509

func words(b *Buffer) (w []int64, idx func(yield func(int) bool)) {
	w = ViewBytes[int64](b.Bytes()[:b.Len()&^7])
	return w, func(yield func(int) bool) {
		for i := 0; i < len(w); i += stride {
			if !yield(i) {
				return
			}
		}
		if len(w) > 0 && (len(w)-1)%stride != 0 {
			yield(len(w) - 1)
		}
	}
}

func fill(b *Buffer, id uint64) {
	w, idx := words(b)
	for i := range idx {
		w[i] = int64(id<<32 | uint64(i))
	}
	for i := b.Len() &^ 7; i < b.Len(); i++ {
		b.Bytes()[i] = byte(id)
	}
}

func check(b *Buffer, id uint64) error {
	w, idx := words(b)
	for i := range idx {
		if want := int64(id<<32 | uint64(i)); w[i] != want {
			return fmt.Errorf("buffer %d of %d bytes: word %d is %#x, want %#x", id, b.Len(), i, w[i], want)
		}
	}
	for i := b.Len() &^ 7; i < b.Len(); i++ {
		if b.Bytes()[i] != byte(id) {
			return fmt.Errorf("buffer %d of %d bytes: byte %d changed", id, b.Len(), i)
		}
	}
	return nil
}

func TestHostConcurrent(t *testing.T) {
	base := testSeed(t)
	h := NewHost()
	live := &spans{live: map[*Buffer]span{}}
	const workers, rounds = 8, 60
	var wg sync.WaitGroup
	var sizes [workers]int64
	for g := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(base, uint64(g)))
			var mine []*Buffer
			var ids []uint64
			for i := range rounds {
				n := randomSize(r)
				b, err := h.Alloc(n)
				if err != nil {
					t.Error(err)
					return
				}
				sizes[g] += n
				if b.Len() != n || int64(len(b.Bytes())) != n || int64(cap(b.Bytes())) != n {
					t.Errorf("asked %d bytes, got Len %d, len %d, cap %d", n, b.Len(), len(b.Bytes()), cap(b.Bytes()))
				}
				live.add(t, b)
				id := uint64(g*rounds + i)
				fill(b, id)
				mine, ids = append(mine, b), append(ids, id)
				// Keep up to 3 live; release a random one.
				for len(mine) > 3 || (len(mine) > 0 && r.IntN(3) == 0) {
					k := r.IntN(len(mine))
					if err := check(mine[k], ids[k]); err != nil {
						t.Error(err)
					}
					live.remove(mine[k])
					mine[k].Release()
					mine = append(mine[:k], mine[k+1:]...)
					ids = append(ids[:k], ids[k+1:]...)
				}
			}
			for k, b := range mine {
				if err := check(b, ids[k]); err != nil {
					t.Error(err)
				}
				live.remove(b)
				b.Release()
			}
		})
	}
	wg.Wait()
	s := h.Stats()
	if s.LiveBytes != 0 || s.LiveBuffers != 0 || s.Allocs != workers*rounds {
		t.Errorf("after all released: %+v, want 0 live and %d allocs", s, workers*rounds)
	}
	if s.PeakBytes <= 0 || s.PeakBytes > 4*workers*40_000_000 {
		t.Errorf("peak %d out of range", s.PeakBytes)
	}
	h.Trim()
	if got := h.Stats().PoolBytes; got != 0 {
		t.Errorf("pool holds %d bytes after trim with nothing live", got)
	}
	if err := h.Err(); err != nil {
		t.Error(err)
	}
}

func TestHostStats(t *testing.T) {
	h := NewHost()
	sizes := []int64{0, 1, 100, 70 << 10, 5 << 20, 8 << 20}
	var bufs []*Buffer
	var sum int64
	for i, n := range sizes {
		b, err := h.Alloc(n)
		if err != nil {
			t.Fatal(err)
		}
		bufs = append(bufs, b)
		sum += n
		s := h.Stats()
		if s.LiveBytes != sum || s.LiveBuffers != int64(i+1) || s.PeakBytes != sum || s.Allocs != int64(i+1) {
			t.Fatalf("after %d allocs of total %d: %+v", i+1, sum, s)
		}
		if s.PoolBytes < s.LiveBytes {
			t.Fatalf("pool holds %d < %d live", s.PoolBytes, s.LiveBytes)
		}
	}
	bufs[len(bufs)-1].Release()
	s := h.Stats()
	if s.LiveBytes != sum-8<<20 || s.PeakBytes != sum || s.LiveBuffers != int64(len(sizes)-1) {
		t.Fatalf("after one release: %+v", s)
	}
	h.ResetPeak()
	if s := h.Stats(); s.PeakBytes != sum-8<<20 {
		t.Fatalf("after ResetPeak: %+v", s)
	}
	for _, b := range bufs[:len(bufs)-1] {
		b.Release()
	}
	s = h.Stats()
	if s.LiveBytes != 0 || s.LiveBuffers != 0 || s.Allocs != int64(len(sizes)) || s.PeakBytes != sum-8<<20 {
		t.Fatalf("after all released: %+v", s)
	}
	if err := LeakError(h); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Alloc(-1); err == nil {
		t.Fatal("Alloc(-1) succeeded")
	}
}

func TestHostLimit(t *testing.T) {
	h := NewHost(WithLimit(1 << 20))
	a, err := h.Alloc(600 << 10)
	if err != nil {
		t.Fatal(err)
	}
	before := h.Stats()
	if _, err := h.Alloc(600 << 10); !errors.Is(err, ErrOutOfMemory) {
		t.Fatalf("over the limit: err %v, want ErrOutOfMemory", err)
	}
	if after := h.Stats(); after != before {
		t.Fatalf("a refused Alloc changed the stats: %+v -> %+v", before, after)
	}
	if err := LeakError(h); err == nil {
		t.Fatal("LeakError is nil with a buffer live")
	}
	a.Release()
	b, err := h.Alloc(1 << 20) // exactly the limit
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	if _, err := h.Alloc(maxAlloc + 1); !errors.Is(err, ErrOutOfMemory) {
		t.Fatalf("beyond the pool: err %v, want ErrOutOfMemory", err)
	}
	if s := h.Stats(); s.LiveBytes != 0 || s.LiveBuffers != 0 || s.Allocs != 2 {
		t.Fatalf("at the end: %+v", s)
	}
}

func TestRefcount(t *testing.T) {
	h := NewHost()
	b, err := h.Alloc(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	b.Retain()
	if b.Refs() != 2 {
		t.Fatalf("refs %d after Retain", b.Refs())
	}
	b.Release()
	if b.Refs() != 1 || h.Stats().LiveBytes != 1<<20 || b.Bytes() == nil {
		t.Fatalf("one reference left but refs %d, stats %+v", b.Refs(), h.Stats())
	}
	b.Release()
	if b.Refs() != 0 || h.Stats().LiveBytes != 0 || h.Stats().LiveBuffers != 0 || b.Bytes() != nil {
		t.Fatalf("released: refs %d, stats %+v", b.Refs(), h.Stats())
	}
	mustPanic(t, "double Release", b.Release)
	mustPanic(t, "Retain after release", b.Retain)
	if s := h.Stats(); s.LiveBytes != 0 || s.LiveBuffers != 0 {
		t.Fatalf("a panicking Release changed the stats: %+v", s)
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}

func TestViews(t *testing.T) {
	h := NewHost()
	b, err := h.Alloc(8 * 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	f := View[float64](b)
	if len(f) != 1000 {
		t.Fatalf("View[float64] of 8000 bytes has %d elements", len(f))
	}
	for i := range f {
		f[i] = float64(i) + 0.5
	}
	p := AsBytes(f)
	if len(p) != 8000 || unsafe.SliceData(p) != unsafe.SliceData(b.Bytes()) {
		t.Fatal("AsBytes(View(b)) is not b's bytes")
	}
	g := ViewBytes[float64](p)
	for i := range g {
		if g[i] != float64(i)+0.5 {
			t.Fatalf("element %d is %v after a round trip", i, g[i])
		}
	}
	if n := len(ViewBytes[int32](b.Bytes())); n != 2000 {
		t.Fatalf("ViewBytes[int32] of 8000 bytes has %d elements", n)
	}
	if n := len(ViewBytes[uint8](b.Bytes()[:7])); n != 7 {
		t.Fatalf("ViewBytes[uint8] of 7 bytes has %d elements", n)
	}
	if ViewBytes[float64](nil) != nil || AsBytes[int64](nil) != nil {
		t.Fatal("empty views are not nil")
	}
	z, err := h.Alloc(0)
	if err != nil {
		t.Fatal(err)
	}
	if View[float32](z) != nil || z.Len() != 0 {
		t.Fatal("a zero-byte buffer has elements")
	}
	z.Release()
}

func TestTrim(t *testing.T) {
	h := NewHost()
	keep, err := h.Alloc(3 << 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{1 << 20, 5 << 20, 100, 9 << 20} {
		b, err := h.Alloc(n)
		if err != nil {
			t.Fatal(err)
		}
		b.Release()
	}
	if h.pool.held() <= h.pool.live {
		t.Fatalf("nothing cached: held %d, live %d", h.pool.held(), h.pool.live)
	}
	h.Trim()
	if h.pool.held() != h.pool.live || h.pool.live != classSize(classOf(3<<20)) {
		t.Fatalf("after trim: held %d, live %d", h.pool.held(), h.pool.live)
	}
	if s := h.Stats(); s.PoolBytes != h.pool.held() {
		t.Fatalf("Stats.PoolBytes %d, pool holds %d", s.PoolBytes, h.pool.held())
	}
	keep.Release()
	h.Trim()
	if h.pool.held() != 0 || h.Err() != nil {
		t.Fatalf("after the last release and trim: held %d, err %v", h.pool.held(), h.Err())
	}
}

func ExampleHost() {
	h := NewHost()
	b, err := h.Alloc(4 * 8)
	if err != nil {
		panic(err)
	}
	x := View[float64](b)
	for i := range x {
		x[i] = float64(i * i)
	}
	fmt.Println(x, h.Stats().LiveBytes)
	b.Release()
	fmt.Println(LeakError(h))
	// Output:
	// [0 1 4 9] 32
	// <nil>
}
