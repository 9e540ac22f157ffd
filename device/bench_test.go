package device

import (
	"fmt"
	"testing"
)

// BenchmarkAlloc is one Alloc and Release of a chunk-sized buffer: after
// the first round the pool's cache serves it.
func BenchmarkAlloc(b *testing.B) {
	for _, n := range []int64{1 << 20, 64 << 20} {
		b.Run(fmt.Sprintf("%dMiB", n>>20), func(b *testing.B) {
			h := NewHost()
			defer h.Trim()
			for b.Loop() {
				buf, err := h.Alloc(n)
				if err != nil {
					b.Fatal(err)
				}
				buf.Release()
			}
		})
	}
}

var sink float64

func sum(x []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return s0 + s1 + s2 + s3
}

// float64s returns n float64 from the pool or from make, written once so
// that every page is faulted in (an untouched mapping reads the shared
// zero page and would measure the cache), and a function freeing them.
func float64s(b *testing.B, h *Host, fromPool bool, n int) ([]float64, func()) {
	var x []float64
	free := func() {}
	if fromPool {
		buf, err := h.Alloc(int64(n) * 8)
		if err != nil {
			b.Fatal(err)
		}
		x, free = View[float64](buf), buf.Release
	} else {
		x = make([]float64, n)
	}
	for i := range x {
		x[i] = float64(i & 1023)
	}
	return x, free
}

// BenchmarkStream sums a 256 MiB float64 buffer (exactly 2^25 elements).
func BenchmarkStream(b *testing.B) {
	const n = 1 << 25
	for _, src := range []string{"pool", "make"} {
		b.Run(src, func(b *testing.B) {
			h := NewHost()
			defer h.Trim()
			x, free := float64s(b, h, src == "pool", n)
			defer free()
			b.SetBytes(n * 8)
			for b.Loop() {
				sink += sum(x)
			}
		})
	}
}

// BenchmarkTriad is dst = a + 3*c over three 64 MiB float64 buffers
// (exactly 2^23 elements each), the case where equal page offsets alias.
// Bytes count reads plus writes.
func BenchmarkTriad(b *testing.B) {
	const n = 1 << 23
	for _, src := range []string{"pool", "make"} {
		b.Run(src, func(b *testing.B) {
			h := NewHost()
			defer h.Trim()
			dst, f1 := float64s(b, h, src == "pool", n)
			a, f2 := float64s(b, h, src == "pool", n)
			c, f3 := float64s(b, h, src == "pool", n)
			defer func() { f1(); f2(); f3() }()
			b.SetBytes(3 * n * 8)
			for b.Loop() {
				for i := range dst {
					dst[i] = a[i] + 3*c[i]
				}
			}
		})
	}
}
