package npy

import (
	"hash/crc32"
	"testing"
)

func TestCRCShares(t *testing.T) {
	r, _ := newRand(t)
	for i := 0; i < 300; i++ {
		msg := make([]byte, r.IntN(3000))
		for j := range msg {
			msg[j] = byte(r.Uint32())
		}
		want := crc32.ChecksumIEEE(msg)
		// split into pieces and deal them to k "blocks" at random; the
		// blocks' shares XOR to the whole CRC
		k := 1 + r.IntN(4)
		shares := make([]crcShare, k)
		c := uint32(0)
		for p := 0; p < len(msg); {
			n := 1 + r.IntN(min(len(msg)-p, 1+r.IntN(300)))
			piece := msg[p : p+n]
			shares[r.IntN(k)].add(crc32.ChecksumIEEE(piece), int64(p+n))
			c = crcCombine(c, crc32.ChecksumIEEE(piece), int64(n))
			p += n
		}
		got := uint32(0)
		for j := range shares {
			got ^= shares[j].share(int64(len(msg)))
		}
		if got != want || c != want {
			t.Fatalf("message of %d bytes: shares give %08x, combine %08x, want %08x", len(msg), got, c, want)
		}
	}
	if zerosOp(0) != 1<<31 {
		t.Fatalf("zerosOp(0) = %08x, want the identity", zerosOp(0))
	}
}
