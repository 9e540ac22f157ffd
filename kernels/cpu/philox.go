package cpu

import (
	"math"
	"math/bits"
	"unsafe"
)

// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as
// easy as 1, 2, 3", SC'11) is the counter-based generator behind every
// random array (DESIGN.md, Random). The generator is a pure function of a
// 128-bit counter and a 64-bit key, so any element can be computed on its
// own. Block b of stream s under seed k is
//
//	block(b) = Philox4x32-10(ctr = (lo32(b), hi32(b), lo32(s), hi32(s)),
//	                         key = (lo32(k), hi32(k)))
//
// and the element at flat C-order index i of the whole generated array
// (as uint64) takes its bits from one block, every word used once:
//
//	64 bits (float64 uniform, integers): block i>>1, words (0, 1) for even i, (2, 3) for odd i
//	32 bits (float32 uniform):           block i>>2, word i&3
//	normal (Box-Muller on four words):   block i, all four words
//
// So each value is a pure function of (seed, stream, i): the same seed
// gives the same values whatever the chunking, the stride or the order of
// the fill.
const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9
	philoxW1 = 0xBB67AE85
)

// Philox4x32 returns the 10-round Philox4x32 block of counter ctr under key.
func Philox4x32(ctr [4]uint32, key [2]uint32) [4]uint32 {
	a, b, c, d := philoxBlock(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1])
	return [4]uint32{a, b, c, d}
}

// philoxRound is one Philox4x32 round.
func philoxRound(c0, c1, c2, c3, k0, k1 uint32) (uint32, uint32, uint32, uint32) {
	hi0, lo0 := bits.Mul32(philoxM0, c0)
	hi1, lo1 := bits.Mul32(philoxM1, c2)
	return hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
}

// philoxBlock is Philox4x32-10 on scalars: ten rounds, the key bumped by
// the Weyl constants between rounds.
func philoxBlock(c0, c1, c2, c3, k0, k1 uint32) (uint32, uint32, uint32, uint32) {
	c0, c1, c2, c3 = philoxRound(c0, c1, c2, c3, k0, k1)
	k0, k1 = k0+philoxW0, k1+philoxW1
	c0, c1, c2, c3 = philoxRound(c0, c1, c2, c3, k0, k1)
	k0, k1 = k0+philoxW0, k1+philoxW1
	c0, c1, c2, c3 = philoxRound(c0, c1, c2, c3, k0, k1)
	k0, k1 = k0+philoxW0, k1+philoxW1
	c0, c1, c2, c3 = philoxRound(c0, c1, c2, c3, k0, k1)
	k0, k1 = k0+philoxW0, k1+philoxW1
	c0, c1, c2, c3 = philoxRound(c0, c1, c2, c3, k0, k1)
	k0, k1 = k0+philoxW0, k1+philoxW1
	c0, c1, c2, c3 = philoxRound(c0, c1, c2, c3, k0, k1)
	k0, k1 = k0+philoxW0, k1+philoxW1
	c0, c1, c2, c3 = philoxRound(c0, c1, c2, c3, k0, k1)
	k0, k1 = k0+philoxW0, k1+philoxW1
	c0, c1, c2, c3 = philoxRound(c0, c1, c2, c3, k0, k1)
	k0, k1 = k0+philoxW0, k1+philoxW1
	c0, c1, c2, c3 = philoxRound(c0, c1, c2, c3, k0, k1)
	k0, k1 = k0+philoxW0, k1+philoxW1
	return philoxRound(c0, c1, c2, c3, k0, k1)
}

// philoxKey is one (seed, stream): key words k0, k1 and the stream
// words s0, s1 of the counter.
type philoxKey struct{ s0, s1, k0, k1 uint32 }

func newPhiloxKey(seed, stream uint64) philoxKey {
	return philoxKey{uint32(stream), uint32(stream >> 32), uint32(seed), uint32(seed >> 32)}
}

// at is block b.
func (k *philoxKey) at(b uint64) (uint32, uint32, uint32, uint32) {
	return philoxBlock(uint32(b), uint32(b>>32), k.s0, k.s1, k.k0, k.k1)
}

// block is block b as an array.
func (k *philoxKey) block(b uint64) [4]uint32 {
	o0, o1, o2, o3 := k.at(b)
	return [4]uint32{o0, o1, o2, o3}
}

// pair is blocks a and b at once: the two dependency chains interleave,
// which the out-of-order core overlaps (about 1.5x the throughput of one
// block per call).
func (k *philoxKey) pair(a, b uint64) (a0, a1, a2, a3, b0, b1, b2, b3 uint32) {
	a0, a1, a2, a3 = uint32(a), uint32(a>>32), k.s0, k.s1
	b0, b1, b2, b3 = uint32(b), uint32(b>>32), k.s0, k.s1
	k0, k1 := k.k0, k.k1
	for r := 0; r < 10; r++ {
		a0, a1, a2, a3 = philoxRound(a0, a1, a2, a3, k0, k1)
		b0, b1, b2, b3 = philoxRound(b0, b1, b2, b3, k0, k1)
		k0, k1 = k0+philoxW0, k1+philoxW1
	}
	return
}

// What the vector path writes for lane j, whose value is x (c0 + j*step
// for vec, a pattern of eight lanes for vecPattern): kinds philoxRaw to
// philoxF32 take x as a block number and write 16 bytes a lane, the picks
// take x as a flat index and write its element, and the row kinds take x
// as a block number and write its elements to column j of two or four
// rows (a band of a transposed draw, fillRandBand).
const (
	philoxRaw     = iota // the four words of block x
	philoxF64            // the two float64 uniforms of block x: philoxU53 of words (0, 1), (2, 3)
	philoxF32            // the four float32 uniforms of block x: philoxU24 of each word
	philoxBits64         // 8 bytes: the 64 bits of flat index x (words (0, 1) or (2, 3) of block x>>1)
	philoxPickF64        // 8 bytes: the float64 uniform of flat index x
	philoxPickF32        // 4 bytes: the float32 uniform of flat index x (word x&3 of block x>>2)
	philoxRowsF64        // 8 bytes in rows 0, 1: the float64 uniforms of words (0, 1), (2, 3) of block x
	philoxRowsF32        // 4 bytes in rows 0-3: the float32 uniform of word w of block x in row w
)

var (
	philoxKindBytes = [...]int{16, 16, 16, 8, 8, 4, 8, 4} // a lane's bytes (in each row)
	philoxKindShift = [...]uint64{0, 0, 0, 1, 1, 2, 0, 0} // block = x >> shift
	philoxKindRows  = [...]int{1, 1, 1, 1, 1, 1, 2, 4}
)

// philoxVecMax is the most lanes one iteration of any vector path
// computes (philoxVecWidth).
const philoxVecMax = 32

// vec writes n lanes of kind (philoxVec) to out: the whole vector
// iterations in place, the rest through one more iteration into a buffer.
// It returns false, writing nothing, without a vector path.
func (k *philoxKey) vec(out unsafe.Pointer, n, kind int, c0, step uint64) bool {
	var ctr [8]uint64
	for j := range ctr {
		ctr[j] = c0 + uint64(j)*step
	}
	return k.vecPattern(out, n, kind, &ctr, 8*step, 0)
}

// vecPattern is vec with lane j's value ctr[j%8] + (j/8)*step (mod 2^64):
// eight lane values stepped by step every eight lanes; the rows of a row
// kind are rowBytes apart. A band of a transposed draw gets the blocks of
// all its inner positions from one call this way (fused_randband.go).
func (k *philoxKey) vecPattern(out unsafe.Pointer, n, kind int, ctr *[8]uint64, step uint64, rowBytes int) bool {
	w := philoxVecWidth()
	if w == 0 {
		return false
	}
	d := philoxVec(out, n, kind, ctr, step, rowBytes, k)
	if d < n {
		// one more iteration, its rows packed: 512 bytes at most (16 a
		// lane, 8 in two rows or 4 in four)
		var buf [2 * philoxVecMax]uint64
		rest := *ctr
		for j := range rest {
			rest[j] += uint64(d/8) * step // d is a multiple of w, of 8
		}
		sz := philoxKindBytes[kind]
		philoxVec(unsafe.Pointer(&buf), w, kind, &rest, step, w*sz, k)
		for r := range philoxKindRows[kind] {
			copy(unsafe.Slice((*byte)(unsafe.Add(out, r*rowBytes+d*sz)), (n-d)*sz),
				unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&buf), r*w*sz)), (n-d)*sz))
		}
	}
	return true
}

// blocks writes the four words of the len(out)/4 blocks c0, c0+step, ...
// (mod 2^64) to out, word w of block j at out[4j+w].
func (k *philoxKey) blocks(out []uint32, c0, step uint64) {
	n := len(out) / 4
	if n == 0 || k.vec(unsafe.Pointer(&out[0]), n, philoxRaw, c0, step) {
		return
	}
	for j := 0; j < n; j += 2 {
		b := c0 + uint64(j)*step
		if j+1 == n {
			out[4*j], out[4*j+1], out[4*j+2], out[4*j+3] = k.at(b)
			break
		}
		o := out[4*j : 4*j+8]
		o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = k.pair(b, b+step)
	}
}

const (
	philoxInv53 = 1.0 / (1 << 53) // 2^-53
	philoxInv24 = 1.0 / (1 << 24) // 2^-24
)

// philoxU53 maps two words to [0, 1) with 53 bits: (u64 >> 11) * 2^-53,
// u64 = lo | hi<<32.
func philoxU53(lo, hi uint32) float64 {
	return philoxU53Bits(uint64(lo) | uint64(hi)<<32)
}

// philoxU53Bits is philoxU53 of u64.
func philoxU53Bits(u uint64) float64 {
	return float64(int64(u>>11)) * philoxInv53
}

// philoxU24 maps a word to [0, 1) with 24 bits: (w >> 8) * 2^-24.
func philoxU24(w uint32) float32 {
	return float32(int32(w>>8)) * philoxInv24
}

// philoxNoWrap is how many of n elements from flat index i (stride 1)
// come before the index wraps from 2^64-1 to 0: there the block numbers
// of the 64- and 32-bit streams jump back to 0, so a run of blocks ends.
func philoxNoWrap(n int, i uint64) int {
	if i != 0 && uint64(n) > -i {
		return int(-i)
	}
	return n
}

// bits64At is the 64 bits of flat index x: lo | hi<<32 of words (0, 1)
// of block x>>1 for even x, (2, 3) for odd x.
func (k *philoxKey) bits64At(x uint64) uint64 {
	o0, o1, o2, o3 := k.at(x >> 1)
	if x&1 != 0 {
		o0, o1 = o2, o3
	}
	return uint64(o0) | uint64(o1)<<32
}

// bits64 writes the 64 bits of flat indices i, i+st, ... (mod 2^64), one
// per element of dst: lo | hi<<32 of words (0, 1) of block i>>1 for even
// i, (2, 3) for odd i. Stride 1 computes each block once for two
// elements, any other stride one block per element.
func (k *philoxKey) bits64(dst []uint64, i, st uint64) {
	if st != 1 {
		if len(dst) == 0 || k.vec(unsafe.Pointer(&dst[0]), len(dst), philoxBits64, i, st) {
			return
		}
		for j := range dst {
			dst[j] = k.bits64At(i + uint64(j)*st)
		}
		return
	}
	for len(dst) > 0 {
		n := philoxNoWrap(len(dst), i)
		d, x := dst[:n], i
		if x&1 != 0 {
			d[0] = k.bits64At(x)
			d, x = d[1:], x+1
		}
		// The raw words of block b, read as two uint64 on little-endian
		// amd64 (the only place with a vector path), are elements 2b and
		// 2b+1.
		m := len(d) &^ 1
		if m > 0 && !k.vec(unsafe.Pointer(&d[0]), m/2, philoxRaw, x>>1, 1) {
			for j := 0; j < m; j += 2 {
				o0, o1, o2, o3 := k.at((x + uint64(j)) >> 1)
				d[j], d[j+1] = uint64(o0)|uint64(o1)<<32, uint64(o2)|uint64(o3)<<32
			}
		}
		if m < len(d) {
			d[m] = k.bits64At(x + uint64(m))
		}
		dst, i = dst[n:], i+uint64(n)
	}
}

// uniform64 writes the two float64 uniforms of each of the len(dst)/2
// blocks b, b+1, ... (mod 2^64; len(dst) even) in block order.
func (k *philoxKey) uniform64(dst []float64, b uint64) {
	if len(dst) < 2 || k.vec(unsafe.Pointer(&dst[0]), len(dst)/2, philoxF64, b, 1) {
		return
	}
	for ; len(dst) >= 4; dst, b = dst[4:], b+2 {
		a0, a1, a2, a3, b0, b1, b2, b3 := k.pair(b, b+1)
		dst[0], dst[1] = philoxU53(a0, a1), philoxU53(a2, a3)
		dst[2], dst[3] = philoxU53(b0, b1), philoxU53(b2, b3)
	}
	if len(dst) == 2 {
		a0, a1, a2, a3 := k.at(b)
		dst[0], dst[1] = philoxU53(a0, a1), philoxU53(a2, a3)
	}
}

// uniform32 writes the four float32 uniforms of each of the len(dst)/4
// blocks b, b+1, ... (mod 2^64; len(dst) a multiple of 4) in block order.
func (k *philoxKey) uniform32(dst []float32, b uint64) {
	if len(dst) < 4 || k.vec(unsafe.Pointer(&dst[0]), len(dst)/4, philoxF32, b, 1) {
		return
	}
	for ; len(dst) >= 8; dst, b = dst[8:], b+2 {
		a0, a1, a2, a3, b0, b1, b2, b3 := k.pair(b, b+1)
		dst[0], dst[1], dst[2], dst[3] = philoxU24(a0), philoxU24(a1), philoxU24(a2), philoxU24(a3)
		dst[4], dst[5], dst[6], dst[7] = philoxU24(b0), philoxU24(b1), philoxU24(b2), philoxU24(b3)
	}
	if len(dst) == 4 {
		a0, a1, a2, a3 := k.at(b)
		dst[0], dst[1], dst[2], dst[3] = philoxU24(a0), philoxU24(a1), philoxU24(a2), philoxU24(a3)
	}
}

// RandUniform64 fills dst with float64 uniforms on [0, 1): element k is
// the value at flat index i = first + k*stride (mod 2^64; stride may be
// any int64, negative or 0), (u64 >> 11) * 2^-53 with u64 the 64 bits of
// i (see the stream definition above). As a loop:
//
//	for k := range dst {
//		i := uint64(first + int64(k)*stride)
//		o := Philox4x32(ctr(i>>1, stream), key(seed))
//		u64 := uint64(o[0]) | uint64(o[1])<<32 // even i
//		if i&1 == 1 {
//			u64 = uint64(o[2]) | uint64(o[3])<<32
//		}
//		dst[k] = float64(u64>>11) * 0x1p-53
//	}
//
// Stride 1 computes each block once for two elements, any other stride
// one block per element.
func RandUniform64(dst []float64, seed, stream uint64, first, stride int64) {
	k := newPhiloxKey(seed, stream)
	i, st := uint64(first), uint64(stride)
	if st != 1 {
		if len(dst) == 0 || k.vec(unsafe.Pointer(&dst[0]), len(dst), philoxPickF64, i, st) {
			return
		}
		for j := range dst {
			dst[j] = philoxU53Bits(k.bits64At(i + uint64(j)*st))
		}
		return
	}
	for len(dst) > 0 {
		n := philoxNoWrap(len(dst), i)
		d, x := dst[:n], i
		if x&1 != 0 {
			d[0] = philoxU53Bits(k.bits64At(x))
			d, x = d[1:], x+1
		}
		m := len(d) &^ 1
		k.uniform64(d[:m], x>>1)
		if m < len(d) {
			d[m] = philoxU53Bits(k.bits64At(x + uint64(m)))
		}
		dst, i = dst[n:], i+uint64(n)
	}
}

// RandUniform32 fills dst with float32 uniforms on [0, 1): (w >> 8) *
// 2^-24 with w word i&3 of block i>>2 at flat index i = first + k*stride
// (see RandUniform64). Stride 1 computes each block once for four
// elements, any other stride one block per element.
func RandUniform32(dst []float32, seed, stream uint64, first, stride int64) {
	k := newPhiloxKey(seed, stream)
	i, st := uint64(first), uint64(stride)
	if st != 1 {
		if len(dst) == 0 || k.vec(unsafe.Pointer(&dst[0]), len(dst), philoxPickF32, i, st) {
			return
		}
		for j := range dst {
			x := i + uint64(j)*st
			dst[j] = philoxU24(k.block(x >> 2)[x&3])
		}
		return
	}
	for len(dst) > 0 {
		n := philoxNoWrap(len(dst), i)
		d, x := dst[:n], i
		if x&3 != 0 {
			o := k.block(x >> 2)
			for ; x&3 != 0 && len(d) > 0; d, x = d[1:], x+1 {
				d[0] = philoxU24(o[x&3])
			}
		}
		m := len(d) &^ 3
		k.uniform32(d[:m], x>>2)
		if m < len(d) {
			o := k.block((x + uint64(m)) >> 2)
			for j := m; j < len(d); j++ {
				d[j] = philoxU24(o[j-m])
			}
		}
		dst, i = dst[n:], i+uint64(n)
	}
}

// philoxChunk is how many elements a normal or int32 fill generates words
// for at a time (stack buffers).
const philoxChunk = 256

// philoxNormal is the Box-Muller normal of one Philox block: u1 from words
// 0 and 1 mapped to (0, 1] (1 - u, so the log is finite), u2 from words 2
// and 3 on [0, 1); z = sqrt(-2 ln u1) * cos(2π u2).
//
// TODO(DESIGN.md, Random): this uses Go's math.Log, math.Sqrt and math.Cos,
// so it is bit-identical only among Go builds. The design wants the
// project's own log and sincos with explicit FMA in both backends so that
// CPU and GPU give the same bits; switch to those when they exist.
func philoxNormal(o0, o1, o2, o3 uint32) float64 {
	u1 := 1 - philoxU53(o0, o1)
	u2 := philoxU53(o2, o3)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// RandNormal64 fills dst with standard normals by Box-Muller on all four
// words of block i (philoxNormal) at flat index i = first + k*stride (see
// RandUniform64).
func RandNormal64(dst []float64, seed, stream uint64, first, stride int64) {
	k := newPhiloxKey(seed, stream)
	i, st := uint64(first), uint64(stride)
	var o [4 * philoxChunk]uint32
	for len(dst) > 0 {
		n := min(len(dst), philoxChunk)
		k.blocks(o[:4*n], i, st)
		for j, d := 0, dst[:n]; j < len(d); j++ {
			d[j] = philoxNormal(o[4*j], o[4*j+1], o[4*j+2], o[4*j+3])
		}
		dst = dst[n:]
		i += uint64(n) * st
	}
}

// RandNormal32 is RandNormal64 rounded to float32.
func RandNormal32(dst []float32, seed, stream uint64, first, stride int64) {
	k := newPhiloxKey(seed, stream)
	i, st := uint64(first), uint64(stride)
	var o [4 * philoxChunk]uint32
	for len(dst) > 0 {
		n := min(len(dst), philoxChunk)
		k.blocks(o[:4*n], i, st)
		for j, d := 0, dst[:n]; j < len(d); j++ {
			d[j] = float32(philoxNormal(o[4*j], o[4*j+1], o[4*j+2], o[4*j+3]))
		}
		dst = dst[n:]
		i += uint64(n) * st
	}
}

// RandInt64 fills dst with integers uniform on [low, high) by 64-bit
// multiply-shift: hi64(u64 * uint64(high-low)) + low, u64 the 64 bits of
// flat index i = first + k*stride (as RandUniform64's). The width
// high-low is taken as uint64, so every range up to 2^64-1 wide works.
// high <= low is the caller's error (checked when the array is built);
// the values are then unspecified but the call does not panic.
func RandInt64(dst []int64, low, high int64, seed, stream uint64, first, stride int64) {
	k := newPhiloxKey(seed, stream)
	w := uint64(high) - uint64(low)
	u := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst))
	k.bits64(u, uint64(first), uint64(stride))
	for j, x := range u {
		dst[j] = int64(philoxMulShift(x, w, low))
	}
}

// RandInt32 is RandInt64 into int32: low and high must fit int32 (the
// caller's duty, as high > low), so every value does.
func RandInt32(dst []int32, low, high int64, seed, stream uint64, first, stride int64) {
	k := newPhiloxKey(seed, stream)
	w := uint64(high) - uint64(low)
	i, st := uint64(first), uint64(stride)
	var u [philoxChunk]uint64
	for len(dst) > 0 {
		n := min(len(dst), philoxChunk)
		k.bits64(u[:n], i, st)
		for j, d := 0, dst[:n]; j < len(d); j++ {
			d[j] = int32(philoxMulShift(u[j], w, low))
		}
		dst = dst[n:]
		i += uint64(n) * st
	}
}

// philoxMulShift maps 64 bits u to [low, low+w) by multiply-shift:
// hi64(u * w) + low, wrapping.
func philoxMulShift(u, w uint64, low int64) uint64 {
	h, _ := bits.Mul64(u, w)
	return h + uint64(low)
}
