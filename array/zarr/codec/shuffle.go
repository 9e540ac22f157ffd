package codec

import (
	"encoding/binary"
	"fmt"
)

// byteShuffle writes src's bytes grouped by their position within each
// typesize-byte element: dst[j*n+i] = src[i*typesize+j] for the n =
// len(src)/typesize whole elements; bytes past the last whole element are
// copied unchanged. len(dst) == len(src); dst and src must not overlap.
func byteShuffle(dst, src []byte, typesize int) {
	n := len(src) / typesize
	switch typesize {
	case 4:
		d0, d1, d2, d3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		for i := range n {
			s := src[4*i : 4*i+4]
			d0[i], d1[i], d2[i], d3[i] = s[0], s[1], s[2], s[3]
		}
	case 8:
		d := [8][]byte{}
		for j := range d {
			d[j] = dst[j*n : (j+1)*n]
		}
		for i := range n {
			s := src[8*i : 8*i+8]
			d[0][i], d[1][i], d[2][i], d[3][i] = s[0], s[1], s[2], s[3]
			d[4][i], d[5][i], d[6][i], d[7][i] = s[4], s[5], s[6], s[7]
		}
	default:
		for j := range typesize {
			row := dst[j*n : (j+1)*n]
			for i := range row {
				row[i] = src[i*typesize+j]
			}
		}
	}
	copy(dst[n*typesize:], src[n*typesize:])
}

// byteUnshuffle is byteShuffle's inverse: dst[i*typesize+j] = src[j*n+i].
func byteUnshuffle(dst, src []byte, typesize int) {
	n := len(src) / typesize
	switch typesize {
	case 4:
		s0, s1, s2, s3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		for i := range n {
			d := dst[4*i : 4*i+4]
			d[0], d[1], d[2], d[3] = s0[i], s1[i], s2[i], s3[i]
		}
	case 8:
		s := [8][]byte{}
		for j := range s {
			s[j] = src[j*n : (j+1)*n]
		}
		for i := range n {
			d := dst[8*i : 8*i+8]
			d[0], d[1], d[2], d[3] = s[0][i], s[1][i], s[2][i], s[3][i]
			d[4], d[5], d[6], d[7] = s[4][i], s[5][i], s[6][i], s[7][i]
		}
	default:
		for j := range typesize {
			row := src[j*n : (j+1)*n]
			for i, b := range row {
				dst[i*typesize+j] = b
			}
		}
	}
	copy(dst[n*typesize:], src[n*typesize:])
}

// transpose8 transposes the 8x8 bit matrix held in x, byte i being row i
// and bit k column k: afterwards bit i of byte k is the former bit k of
// byte i.
func transpose8(x uint64) uint64 {
	t := (x ^ (x >> 7)) & 0x00AA00AA00AA00AA
	x ^= t ^ (t << 7)
	t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCC
	x ^= t ^ (t << 14)
	t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0
	x ^= t ^ (t << 28)
	return x
}

// bitShuffle is the bitshuffle filter (Masui's bitshuffle, as c-blosc
// applies it) on n = len(src)/typesize elements, n a multiple of 8: it
// transposes the n x (8*typesize) bit matrix whose row e is element e's
// bits (least significant bit of its first byte first). Output row b
// (n bits, n/8 bytes, element e at bit e%8 of byte e/8) holds bit b of
// every element. Bytes past n*typesize are copied unchanged. tmp needs
// len(src) bytes. dst, src and tmp must not overlap.
func bitShuffle(dst, src, tmp []byte, typesize int) {
	n := len(src) / typesize
	byteShuffle(tmp[:n*typesize], src[:n*typesize], typesize)
	g := n / 8
	for j := range typesize {
		plane := tmp[j*n : (j+1)*n]
		out := dst[j*8*g : (j+1)*8*g]
		for i := range g {
			x := transpose8(binary.LittleEndian.Uint64(plane[8*i:]))
			for k := range 8 {
				out[k*g+i] = byte(x >> (8 * k))
			}
		}
	}
	copy(dst[n*typesize:], src[n*typesize:])
}

// bitUnshuffle is bitShuffle's inverse.
func bitUnshuffle(dst, src, tmp []byte, typesize int) {
	n := len(src) / typesize
	g := n / 8
	for j := range typesize {
		in := src[j*8*g : (j+1)*8*g]
		plane := tmp[j*n : (j+1)*n]
		for i := range g {
			var x uint64
			for k := range 8 {
				x |= uint64(in[k*g+i]) << (8 * k)
			}
			binary.LittleEndian.PutUint64(plane[8*i:], transpose8(x))
		}
	}
	byteUnshuffle(dst[:n*typesize], tmp[:n*typesize], typesize)
	copy(dst[n*typesize:], src[n*typesize:])
}

// Shuffle is numcodecs' "shuffle" filter: a byte shuffle of the whole
// buffer with the given element size.
type Shuffle struct{ elementsize int }

// NewShuffle returns the shuffle filter for elements of elementsize bytes
// (numcodecs' default is 4; 1 or less leaves data unchanged).
func NewShuffle(elementsize int) (*Shuffle, error) {
	if elementsize > 1<<20 {
		return nil, fmt.Errorf("shuffle: elementsize %d: %w", elementsize, ErrUnsupported)
	}
	return &Shuffle{elementsize: elementsize}, nil
}

// Elementsize is the filter's element size in bytes.
func (c *Shuffle) Elementsize() int { return c.elementsize }

func (c *Shuffle) Name() string { return fmt.Sprintf("shuffle(%d)", c.elementsize) }

func (c *Shuffle) check(n int) error {
	if c.elementsize > 1 && n%c.elementsize != 0 {
		return fmt.Errorf("%s: %d bytes are not a whole number of elements: %w", c.Name(), n, ErrCorrupt)
	}
	return nil
}

func (c *Shuffle) Encode(dst, src []byte) ([]byte, error) {
	if err := c.check(len(src)); err != nil {
		return nil, err
	}
	if c.elementsize <= 1 {
		return append(dst[:0], src...), nil
	}
	out := resizeApart(dst, len(src), src)
	byteShuffle(out, src, c.elementsize)
	return out, nil
}

func (c *Shuffle) Decode(dst, src []byte, size int) ([]byte, error) {
	if err := c.check(len(src)); err != nil {
		return nil, err
	}
	if err := checkDecoded(c.Name(), int64(len(src)), size); err != nil {
		return nil, err
	}
	if c.elementsize <= 1 {
		return append(dst[:0], src...), nil
	}
	out := resizeApart(dst, len(src), src)
	byteUnshuffle(out, src, c.elementsize)
	return out, nil
}
