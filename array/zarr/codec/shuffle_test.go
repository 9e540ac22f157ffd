package codec

import (
	"bytes"
	"testing"
)

// bitAt and setBit number bits least significant first within each byte.
func bitAt(b []byte, i int) byte { return (b[i/8] >> (i % 8)) & 1 }
func setBit(b []byte, i int, v byte) {
	b[i/8] |= v << (i % 8)
}

// refBitShuffle is the bit-matrix transpose, one bit at a time: output
// bit b*n+e is bit b of element e, for the n elements (n a multiple of
// 8); trailing bytes are copied.
func refBitShuffle(src []byte, typesize int) []byte {
	n := len(src) / typesize
	out := make([]byte, len(src))
	for e := range n {
		for b := range 8 * typesize {
			setBit(out, b*n+e, bitAt(src, e*8*typesize+b))
		}
	}
	copy(out[n*typesize:], src[n*typesize:])
	return out
}

func refByteShuffle(src []byte, typesize int) []byte {
	n := len(src) / typesize
	out := make([]byte, len(src))
	for e := range n {
		for j := range typesize {
			out[j*n+e] = src[e*typesize+j]
		}
	}
	copy(out[n*typesize:], src[n*typesize:])
	return out
}

func TestByteShuffleReference(t *testing.T) {
	r := newRand(t)
	for _, ts := range []int{1, 2, 3, 4, 5, 8, 16, 17} {
		for _, n := range []int{0, 1, ts - 1, ts, 7 * ts, 100*ts + 3, 1000 * ts} {
			if n < 0 {
				continue
			}
			src := makeData(r, "random", n)
			got := make([]byte, n)
			byteShuffle(got, src, ts)
			if want := refByteShuffle(src, ts); !bytes.Equal(got, want) {
				t.Fatalf("byteShuffle typesize %d, %d bytes: differs from the reference", ts, n)
			}
			back := make([]byte, n)
			byteUnshuffle(back, got, ts)
			if !bytes.Equal(back, src) {
				t.Fatalf("byteUnshuffle typesize %d, %d bytes: no round trip", ts, n)
			}
		}
	}
}

func TestBitShuffleReference(t *testing.T) {
	r := newRand(t)
	for _, ts := range []int{1, 2, 3, 4, 8, 16} {
		for _, elems := range []int{0, 8, 16, 64, 8 * 37} {
			// Stray bytes after the last whole element (fewer than typesize).
			for extra := range min(ts, 3) {
				n := elems*ts + extra
				src := makeData(r, "random", n)
				tmp := make([]byte, n)
				got := make([]byte, n)
				bitShuffle(got, src, tmp, ts)
				if want := refBitShuffle(src, ts); !bytes.Equal(got, want) {
					t.Fatalf("bitShuffle typesize %d, %d elements + %d bytes: differs from the bit-by-bit reference", ts, elems, extra)
				}
				back := make([]byte, n)
				bitUnshuffle(back, got, tmp, ts)
				if !bytes.Equal(back, src) {
					t.Fatalf("bitUnshuffle typesize %d, %d elements: no round trip", ts, elems)
				}
			}
		}
	}
}

// TestBitShuffleBlockLeftover: c-blosc 1.x bit-shuffles a block only
// when its element count is a multiple of 8 (stray bytes after the last
// element stay in place); other blocks are stored as they are.
func TestBitShuffleBlockLeftover(t *testing.T) {
	r := newRand(t)
	for _, ts := range []int{1, 2, 4, 8} {
		for _, elems := range []int{1, 7, 8, 9, 13, 128, 130} {
			n := elems*ts + ts/2
			src := makeData(r, "random", n)
			got := make([]byte, n)
			bitShuffleBlock(got, src, make([]byte, n), ts)
			want := src
			if elems%8 == 0 {
				want = refBitShuffle(src, ts)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("bitShuffleBlock typesize %d, %d elements: wrong", ts, elems)
			}
			back := make([]byte, n)
			bitUnshuffleBlock(back, got, make([]byte, n), ts)
			if !bytes.Equal(back, src) {
				t.Fatalf("bitUnshuffleBlock typesize %d, %d elements: no round trip", ts, elems)
			}
		}
	}
}
