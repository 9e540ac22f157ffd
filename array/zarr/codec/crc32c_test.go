package codec

import (
	"encoding/binary"
	"errors"
	"testing"
)

// refCRC32C is CRC-32C one bit at a time (reflected polynomial
// 0x82F63B78).
func refCRC32C(b []byte) uint32 {
	crc := ^uint32(0)
	for _, x := range b {
		crc ^= uint32(x)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0x82F63B78
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

func TestCRC32C(t *testing.T) {
	// The standard check value.
	if got := refCRC32C([]byte("123456789")); got != 0xE3069283 {
		t.Fatalf("reference CRC-32C of 123456789 = %08x", got)
	}
	r := newRand(t)
	c := NewCRC32C()
	for _, n := range []int{0, 1, 9, 1000 + r.IntN(1000)} {
		data := makeData(r, "random", n)
		enc, err := c.Encode(nil, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) != n+4 || binary.LittleEndian.Uint32(enc[n:]) != refCRC32C(data) {
			t.Fatalf("%d bytes: encoding does not end in the little-endian CRC-32C", n)
		}
		bad := append([]byte(nil), enc...)
		bad[r.IntN(len(bad))] ^= 1 << r.IntN(8)
		if _, err := c.Decode(nil, bad, n); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%d bytes with one bit flipped: got %v, want ErrCorrupt", n, err)
		}
	}
}
