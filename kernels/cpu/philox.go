package cpu

import (
	"math"
	"math/bits"
)

// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as
// easy as 1, 2, 3", SC'11) is the counter-based generator behind every
// random array (DESIGN.md, Random). The generator is a pure function of a
// 128-bit counter and a 64-bit key, so any element can be computed on its
// own: the counter of an element is its flat C-order index in the whole
// generated array plus the stream, the key is the seed. The same seed gives
// the same values whatever the chunking.
//
// Counter layout for flat index i, stream s and seed k:
//
//	ctr = (lo32(i), hi32(i), lo32(s), hi32(s))
//	key = (lo32(k), hi32(k))
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

// philoxAt is the block for flat index i of (seed, stream) split into key
// words k0, k1 and stream words s0, s1.
func philoxAt(i uint64, s0, s1, k0, k1 uint32) (uint32, uint32, uint32, uint32) {
	return philoxBlock(uint32(i), uint32(i>>32), s0, s1, k0, k1)
}

// philoxPair is philoxAt for flat indices i and j at once: the two
// dependency chains interleave, which the out-of-order core overlaps
// (about 1.5x the throughput of one block per call on the 2-core dev
// machine).
func philoxPair(i, j uint64, s0, s1, k0, k1 uint32) (a0, a1, a2, a3, b0, b1, b2, b3 uint32) {
	a0, a1, a2, a3 = uint32(i), uint32(i>>32), s0, s1
	b0, b1, b2, b3 = uint32(j), uint32(j>>32), s0, s1
	for r := 0; r < 10; r++ {
		a0, a1, a2, a3 = philoxRound(a0, a1, a2, a3, k0, k1)
		b0, b1, b2, b3 = philoxRound(b0, b1, b2, b3, k0, k1)
		k0, k1 = k0+philoxW0, k1+philoxW1
	}
	return
}

// philoxChunk is how many elements the Rand* fills generate words for at
// a time (stack buffers of philoxChunk uint32 per word).
const philoxChunk = 256

// philoxWords writes words 0 and 1 (and 2 and 3 when w2 != nil) of the
// Philox blocks at flat indices i, i+st, i+2*st, ... (wrapping mod 2^64),
// one per element of w0; w1 (and w2, w3) must be as long as w0. The bulk
// goes through the vector path where there is one (philox_amd64.go), the
// rest through philoxPair; both give the same words.
func philoxWords(w0, w1, w2, w3 []uint32, i, st uint64, s0, s1, k0, k1 uint32) {
	n := len(w0)
	k := philoxWordsVec(w0, w1, w2, w3, i, st, s0, s1, k0, k1)
	i += uint64(k) * st
	for ; k+2 <= n; k += 2 {
		a0, a1, a2, a3, b0, b1, b2, b3 := philoxPair(i, i+st, s0, s1, k0, k1)
		w0[k], w0[k+1], w1[k], w1[k+1] = a0, b0, a1, b1
		if w2 != nil {
			w2[k], w2[k+1], w3[k], w3[k+1] = a2, b2, a3, b3
		}
		i += 2 * st
	}
	if k < n {
		a0, a1, a2, a3 := philoxAt(i, s0, s1, k0, k1)
		w0[k], w1[k] = a0, a1
		if w2 != nil {
			w2[k], w3[k] = a2, a3
		}
	}
}

const (
	philoxInv53 = 1.0 / (1 << 53) // 2^-53
	philoxInv24 = 1.0 / (1 << 24) // 2^-24
)

// philoxU53 maps two words to [0, 1) with 53 bits: (u64 >> 11) * 2^-53,
// u64 = lo | hi<<32.
func philoxU53(lo, hi uint32) float64 {
	return float64((uint64(lo)|uint64(hi)<<32)>>11) * philoxInv53
}

// RandUniform64 fills dst with float64 uniforms on [0, 1): element k is
// the value at flat index first + k*stride (stride may be any int64,
// negative or 0), each (u64 >> 11) * 2^-53 with u64 = out[0] | out[1]<<32
// of Philox4x32-10 at that index. As a loop:
//
//	for k := range dst {
//		o := Philox4x32(ctr(first+k*stride, stream), key(seed))
//		dst[k] = float64((uint64(o[0])|uint64(o[1])<<32)>>11) * 0x1p-53
//	}
func RandUniform64(dst []float64, seed, stream uint64, first, stride int64) {
	k0, k1 := uint32(seed), uint32(seed>>32)
	s0, s1 := uint32(stream), uint32(stream>>32)
	i, st := uint64(first), uint64(stride)
	var b0, b1 [philoxChunk]uint32
	for len(dst) > 0 {
		n := min(len(dst), philoxChunk)
		philoxWords(b0[:n], b1[:n], nil, nil, i, st, s0, s1, k0, k1)
		for j, d := 0, dst[:n]; j < len(d); j++ {
			d[j] = philoxU53(b0[j], b1[j])
		}
		dst = dst[n:]
		i += uint64(n) * st
	}
}

// RandUniform32 fills dst with float32 uniforms on [0, 1): (out[0] >> 8) *
// 2^-24 at flat index first + k*stride (see RandUniform64).
func RandUniform32(dst []float32, seed, stream uint64, first, stride int64) {
	k0, k1 := uint32(seed), uint32(seed>>32)
	s0, s1 := uint32(stream), uint32(stream>>32)
	i, st := uint64(first), uint64(stride)
	var b0, b1 [philoxChunk]uint32
	for len(dst) > 0 {
		n := min(len(dst), philoxChunk)
		philoxWords(b0[:n], b1[:n], nil, nil, i, st, s0, s1, k0, k1)
		for j, d := 0, dst[:n]; j < len(d); j++ {
			d[j] = float32(b0[j]>>8) * philoxInv24
		}
		dst = dst[n:]
		i += uint64(n) * st
	}
}

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

// RandNormal64 fills dst with standard normals by Box-Muller (one block
// per element, see philoxNormal) at flat index first + k*stride (see
// RandUniform64).
func RandNormal64(dst []float64, seed, stream uint64, first, stride int64) {
	k0, k1 := uint32(seed), uint32(seed>>32)
	s0, s1 := uint32(stream), uint32(stream>>32)
	i, st := uint64(first), uint64(stride)
	var b0, b1, b2, b3 [philoxChunk]uint32
	for len(dst) > 0 {
		n := min(len(dst), philoxChunk)
		philoxWords(b0[:n], b1[:n], b2[:n], b3[:n], i, st, s0, s1, k0, k1)
		for j, d := 0, dst[:n]; j < len(d); j++ {
			d[j] = philoxNormal(b0[j], b1[j], b2[j], b3[j])
		}
		dst = dst[n:]
		i += uint64(n) * st
	}
}

// RandNormal32 is RandNormal64 rounded to float32.
func RandNormal32(dst []float32, seed, stream uint64, first, stride int64) {
	k0, k1 := uint32(seed), uint32(seed>>32)
	s0, s1 := uint32(stream), uint32(stream>>32)
	i, st := uint64(first), uint64(stride)
	var b0, b1, b2, b3 [philoxChunk]uint32
	for len(dst) > 0 {
		n := min(len(dst), philoxChunk)
		philoxWords(b0[:n], b1[:n], b2[:n], b3[:n], i, st, s0, s1, k0, k1)
		for j, d := 0, dst[:n]; j < len(d); j++ {
			d[j] = float32(philoxNormal(b0[j], b1[j], b2[j], b3[j]))
		}
		dst = dst[n:]
		i += uint64(n) * st
	}
}

// RandInt64 fills dst with integers uniform on [low, high) by 64-bit
// multiply-shift: hi64(u64 * uint64(high-low)) + low, u64 = out[0] |
// out[1]<<32, at flat index first + k*stride (see RandUniform64). The
// width high-low is taken as uint64, so every range up to 2^64-1 wide
// works. high <= low is the caller's error (checked when the array is
// built); the values are then unspecified but the call does not panic.
func RandInt64(dst []int64, low, high int64, seed, stream uint64, first, stride int64) {
	k0, k1 := uint32(seed), uint32(seed>>32)
	s0, s1 := uint32(stream), uint32(stream>>32)
	w := uint64(high) - uint64(low)
	i, st := uint64(first), uint64(stride)
	var b0, b1 [philoxChunk]uint32
	for len(dst) > 0 {
		n := min(len(dst), philoxChunk)
		philoxWords(b0[:n], b1[:n], nil, nil, i, st, s0, s1, k0, k1)
		for j, d := 0, dst[:n]; j < len(d); j++ {
			d[j] = int64(philoxMulShift(b0[j], b1[j], w, low))
		}
		dst = dst[n:]
		i += uint64(n) * st
	}
}

// RandInt32 is RandInt64 into int32: low and high must fit int32 (the
// caller's duty, as high > low), so every value does.
func RandInt32(dst []int32, low, high int64, seed, stream uint64, first, stride int64) {
	k0, k1 := uint32(seed), uint32(seed>>32)
	s0, s1 := uint32(stream), uint32(stream>>32)
	w := uint64(high) - uint64(low)
	i, st := uint64(first), uint64(stride)
	var b0, b1 [philoxChunk]uint32
	for len(dst) > 0 {
		n := min(len(dst), philoxChunk)
		philoxWords(b0[:n], b1[:n], nil, nil, i, st, s0, s1, k0, k1)
		for j, d := 0, dst[:n]; j < len(d); j++ {
			d[j] = int32(philoxMulShift(b0[j], b1[j], w, low))
		}
		dst = dst[n:]
		i += uint64(n) * st
	}
}

// philoxMulShift maps words lo, hi to [low, low+w) by 64-bit multiply-shift:
// hi64((lo | hi<<32) * w) + low, wrapping.
func philoxMulShift(lo, hi uint32, w uint64, low int64) uint64 {
	h, _ := bits.Mul64(uint64(lo)|uint64(hi)<<32, w)
	return h + uint64(low)
}
