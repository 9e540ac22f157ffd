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
	i0 := 0
	switch typesize {
	case 8:
		// Eight elements at a time: an 8x8 byte transpose in registers.
		le := binary.LittleEndian
		p0, p1, p2, p3 := dst[:n], dst[n:2*n], dst[2*n:3*n], dst[3*n:4*n]
		p4, p5, p6, p7 := dst[4*n:5*n], dst[5*n:6*n], dst[6*n:7*n], dst[7*n:8*n]
		for ; i0+8 <= n; i0 += 8 {
			s := src[8*i0 : 8*i0+64]
			a, b, c, d, e, f, g, h := transposeBytes8(le.Uint64(s[0:]), le.Uint64(s[8:]), le.Uint64(s[16:]), le.Uint64(s[24:]),
				le.Uint64(s[32:]), le.Uint64(s[40:]), le.Uint64(s[48:]), le.Uint64(s[56:]))
			le.PutUint64(p0[i0:], a)
			le.PutUint64(p1[i0:], b)
			le.PutUint64(p2[i0:], c)
			le.PutUint64(p3[i0:], d)
			le.PutUint64(p4[i0:], e)
			le.PutUint64(p5[i0:], f)
			le.PutUint64(p6[i0:], g)
			le.PutUint64(p7[i0:], h)
		}
	case 4:
		for ; i0+4 <= n; i0 += 4 {
			s := src[4*i0 : 4*i0+16]
			a, b, c, d := transposeBytes4(binary.LittleEndian.Uint32(s), binary.LittleEndian.Uint32(s[4:]),
				binary.LittleEndian.Uint32(s[8:]), binary.LittleEndian.Uint32(s[12:]))
			binary.LittleEndian.PutUint32(dst[i0:], a)
			binary.LittleEndian.PutUint32(dst[n+i0:], b)
			binary.LittleEndian.PutUint32(dst[2*n+i0:], c)
			binary.LittleEndian.PutUint32(dst[3*n+i0:], d)
		}
	}
	for j := range typesize {
		row := dst[j*n : (j+1)*n]
		for i := i0; i < n; i++ {
			row[i] = src[i*typesize+j]
		}
	}
	copy(dst[n*typesize:], src[n*typesize:])
}

// byteUnshuffle is byteShuffle's inverse: dst[i*typesize+j] = src[j*n+i].
func byteUnshuffle(dst, src []byte, typesize int) {
	n := len(src) / typesize
	i0 := 0
	switch typesize {
	case 8:
		le := binary.LittleEndian
		p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		p4, p5, p6, p7 := src[4*n:5*n], src[5*n:6*n], src[6*n:7*n], src[7*n:8*n]
		for ; i0+8 <= n; i0 += 8 {
			a, b, c, d, e, f, g, h := transposeBytes8(le.Uint64(p0[i0:]), le.Uint64(p1[i0:]), le.Uint64(p2[i0:]), le.Uint64(p3[i0:]),
				le.Uint64(p4[i0:]), le.Uint64(p5[i0:]), le.Uint64(p6[i0:]), le.Uint64(p7[i0:]))
			o := dst[8*i0 : 8*i0+64]
			le.PutUint64(o[0:], a)
			le.PutUint64(o[8:], b)
			le.PutUint64(o[16:], c)
			le.PutUint64(o[24:], d)
			le.PutUint64(o[32:], e)
			le.PutUint64(o[40:], f)
			le.PutUint64(o[48:], g)
			le.PutUint64(o[56:], h)
		}
	case 4:
		for ; i0+4 <= n; i0 += 4 {
			a, b, c, e := transposeBytes4(binary.LittleEndian.Uint32(src[i0:]), binary.LittleEndian.Uint32(src[n+i0:]),
				binary.LittleEndian.Uint32(src[2*n+i0:]), binary.LittleEndian.Uint32(src[3*n+i0:]))
			d := dst[4*i0 : 4*i0+16]
			binary.LittleEndian.PutUint32(d, a)
			binary.LittleEndian.PutUint32(d[4:], b)
			binary.LittleEndian.PutUint32(d[8:], c)
			binary.LittleEndian.PutUint32(d[12:], e)
		}
	}
	for j := range typesize {
		row := src[j*n : (j+1)*n]
		for i := i0; i < n; i++ {
			dst[i*typesize+j] = row[i]
		}
	}
	copy(dst[n*typesize:], src[n*typesize:])
}

// transposeBytes8 transposes the 8x8 byte matrix whose rows are a..h
// (column c is byte c, little-endian): byte c of result row r is byte r
// of row c. Off-diagonal blocks are swapped at 4-, 2- and 1-byte
// granularity. (Eight values in and out travel in registers.)
func transposeBytes8(a, b, c, d, e, f, g, h uint64) (uint64, uint64, uint64, uint64, uint64, uint64, uint64, uint64) {
	const m4, m2, m1 = 0x00000000FFFFFFFF, 0x0000FFFF0000FFFF, 0x00FF00FF00FF00FF
	t := (a>>32 ^ e) & m4
	a, e = a^t<<32, e^t
	t = (b>>32 ^ f) & m4
	b, f = b^t<<32, f^t
	t = (c>>32 ^ g) & m4
	c, g = c^t<<32, g^t
	t = (d>>32 ^ h) & m4
	d, h = d^t<<32, h^t

	t = (a>>16 ^ c) & m2
	a, c = a^t<<16, c^t
	t = (b>>16 ^ d) & m2
	b, d = b^t<<16, d^t
	t = (e>>16 ^ g) & m2
	e, g = e^t<<16, g^t
	t = (f>>16 ^ h) & m2
	f, h = f^t<<16, h^t

	t = (a>>8 ^ b) & m1
	a, b = a^t<<8, b^t
	t = (c>>8 ^ d) & m1
	c, d = c^t<<8, d^t
	t = (e>>8 ^ f) & m1
	e, f = e^t<<8, f^t
	t = (g>>8 ^ h) & m1
	g, h = g^t<<8, h^t
	return a, b, c, d, e, f, g, h
}

// transposeBytes4 is transposeBytes8 for a 4x4 byte matrix in four
// uint32 rows.
func transposeBytes4(a, b, c, d uint32) (uint32, uint32, uint32, uint32) {
	t := (a>>16 ^ c) & 0x0000FFFF
	c ^= t
	a ^= t << 16
	t = (b>>16 ^ d) & 0x0000FFFF
	d ^= t
	b ^= t << 16
	t = (a>>8 ^ b) & 0x00FF00FF
	b ^= t
	a ^= t << 8
	t = (c>>8 ^ d) & 0x00FF00FF
	d ^= t
	c ^= t << 8
	return a, b, c, d
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
	g := n / 8 // bytes per output row
	le := binary.LittleEndian
	for j := range typesize {
		plane := tmp[j*n : (j+1)*n]
		out := dst[j*8*g : (j+1)*8*g]
		i := 0
		// Eight groups at a time: bit-transpose each group's 8 bytes,
		// then byte-transpose so that each output row gets 8 bytes.
		r0, r1, r2, r3 := out[:g], out[g:2*g], out[2*g:3*g], out[3*g:4*g]
		r4, r5, r6, r7 := out[4*g:5*g], out[5*g:6*g], out[6*g:7*g], out[7*g:8*g]
		for ; i+8 <= g; i += 8 {
			p := plane[8*i : 8*i+64]
			a, b, c, d, e, f, gg, h := transposeBytes8(transpose8(le.Uint64(p[0:])), transpose8(le.Uint64(p[8:])),
				transpose8(le.Uint64(p[16:])), transpose8(le.Uint64(p[24:])), transpose8(le.Uint64(p[32:])),
				transpose8(le.Uint64(p[40:])), transpose8(le.Uint64(p[48:])), transpose8(le.Uint64(p[56:])))
			le.PutUint64(r0[i:], a)
			le.PutUint64(r1[i:], b)
			le.PutUint64(r2[i:], c)
			le.PutUint64(r3[i:], d)
			le.PutUint64(r4[i:], e)
			le.PutUint64(r5[i:], f)
			le.PutUint64(r6[i:], gg)
			le.PutUint64(r7[i:], h)
		}
		for ; i < g; i++ {
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
	le := binary.LittleEndian
	for j := range typesize {
		in := src[j*8*g : (j+1)*8*g]
		plane := tmp[j*n : (j+1)*n]
		i := 0
		r0, r1, r2, r3 := in[:g], in[g:2*g], in[2*g:3*g], in[3*g:4*g]
		r4, r5, r6, r7 := in[4*g:5*g], in[5*g:6*g], in[6*g:7*g], in[7*g:8*g]
		for ; i+8 <= g; i += 8 {
			a, b, c, d, e, f, gg, h := transposeBytes8(le.Uint64(r0[i:]), le.Uint64(r1[i:]), le.Uint64(r2[i:]), le.Uint64(r3[i:]),
				le.Uint64(r4[i:]), le.Uint64(r5[i:]), le.Uint64(r6[i:]), le.Uint64(r7[i:]))
			o := plane[8*i : 8*i+64]
			le.PutUint64(o[0:], transpose8(a))
			le.PutUint64(o[8:], transpose8(b))
			le.PutUint64(o[16:], transpose8(c))
			le.PutUint64(o[24:], transpose8(d))
			le.PutUint64(o[32:], transpose8(e))
			le.PutUint64(o[40:], transpose8(f))
			le.PutUint64(o[48:], transpose8(gg))
			le.PutUint64(o[56:], transpose8(h))
		}
		for ; i < g; i++ {
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
