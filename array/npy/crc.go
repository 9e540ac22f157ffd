package npy

// CRC-32 (IEEE, as zip uses) is linear over GF(2): the CRC of a message
// is the XOR, over any split of it into pieces, of each piece's CRC
// carried across the bytes that follow the piece. Carrying a CRC across
// n zero bytes multiplies it by x^(8n) modulo the CRC polynomial, so a
// store task can compute its block's share of a whole member's CRC from
// its own runs and their distance to the member's end, and the shares of
// all blocks XOR to the member's CRC (see crcShare).

const crcPoly = 0xedb88320 // reflected IEEE polynomial

// gfMul multiplies a and b, polynomials modulo crcPoly in the reflected
// bit order (bit 31 is x^0).
func gfMul(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// xPow2 holds x^(2^k) modulo the polynomial, k = 0..63.
var xPow2 = func() (t [64]uint32) {
	p := uint32(1) << 30 // x^1
	for k := range t {
		t[k] = p
		p = gfMul(p, p)
	}
	return t
}()

// zerosOp is the operator that carries a CRC across n zero bytes:
// x^(8n) modulo the polynomial.
func zerosOp(n int64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; n, k = n>>1, k+1 {
		if n&1 != 0 {
			p = gfMul(xPow2[k&63], p)
		}
	}
	return p
}

// crcCombine is the CRC of A||B from crc(A), crc(B) and len(B).
func crcCombine(crcA, crcB uint32, lenB int64) uint32 {
	return gfMul(zerosOp(lenB), crcA) ^ crcB
}

// crcShare accumulates the share of pieces of one message, added in
// increasing position order, in the message's CRC.
type crcShare struct {
	acc     uint32
	end     int64 // end of the last piece added
	lastGap int64
	lastOp  uint32
}

// add adds a piece with CRC c ending at position end (> the previous
// piece's end).
func (s *crcShare) add(c uint32, end int64) {
	gap := end - s.end
	if gap != s.lastGap || s.lastOp == 0 {
		s.lastGap, s.lastOp = gap, zerosOp(gap)
	}
	s.acc = gfMul(s.lastOp, s.acc) ^ c
	s.end = end
}

// share is the accumulated share in the CRC of a message of length n.
func (s *crcShare) share(n int64) uint32 {
	return gfMul(zerosOp(n-s.end), s.acc)
}
