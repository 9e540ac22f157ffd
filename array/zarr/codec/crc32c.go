package codec

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// CRC32C is Zarr v3's "crc32c" codec: Encode appends the 4-byte
// little-endian CRC-32C (Castagnoli) of the data; Decode checks and strips
// it.
type CRC32C struct{}

// NewCRC32C returns the crc32c codec.
func NewCRC32C() *CRC32C { return &CRC32C{} }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (*CRC32C) Name() string { return "crc32c" }

func (*CRC32C) Encode(dst, src []byte) ([]byte, error) {
	sum := crc32.Checksum(src, castagnoli)
	out := append(dst[:0], src...)
	return binary.LittleEndian.AppendUint32(out, sum), nil
}

func (*CRC32C) Decode(dst, src []byte, size int) ([]byte, error) {
	if len(src) < 4 {
		return nil, fmt.Errorf("crc32c: %d bytes, shorter than the 4-byte checksum: %w", len(src), ErrCorrupt)
	}
	data := src[:len(src)-4]
	if err := checkDecoded("crc32c", int64(len(data)), size); err != nil {
		return nil, err
	}
	want := binary.LittleEndian.Uint32(src[len(data):])
	if got := crc32.Checksum(data, castagnoli); got != want {
		return nil, fmt.Errorf("crc32c: checksum %08x, stored %08x: %w", got, want, ErrCorrupt)
	}
	return append(dst[:0], data...), nil
}
