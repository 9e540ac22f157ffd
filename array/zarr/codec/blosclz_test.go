package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"
)

// numcodecsBlosclz is numcodecs 0.11 (c-blosc 1.21.3) output for
// Blosc("blosclz", 5, SHUFFLE) of blosclzInput(): one block split into
// two streams, with literal runs, near matches, runs and extended
// lengths.
const numcodecsBlosclz = "02010102a00f0000a00f00002201000014000000f30000002600010203040506e05306070103040506070102e05306070406070802030405e05306070709030405060708e05306070305060708090a04e05306070608090a0b050607e0530607090b0c060708090ae05306070c0708090a0b0c0de0530607080a0b0c0d0e0809e05306070b0d0e0f090a0b0ce05306070e100a0b0c0d0e0fe05306070a0c0d0e0f10110be05306070d0f1011120c0d0ee05306071012130d0e0f1011e0530607130e0f1011121314e05306070f11121314150f10e05306071214151610111213e05306071517111213141516e05306071113141516171812e05306071416171819131415e0510602151617130000002300000000e0ffffffffffffffc70302000000"

// blosclzInput is numpy's (arange(2000) % 7 + arange(2000) // 100) as
// little-endian uint16.
func blosclzInput() []byte {
	b := make([]byte, 4000)
	for i := range 2000 {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(i%7+i/100))
	}
	return b
}

func TestBlosclzKnown(t *testing.T) {
	enc, err := hex.DecodeString(numcodecsBlosclz)
	if err != nil {
		t.Fatal(err)
	}
	want := blosclzInput()
	b := mustBloscOpts(t, BloscOptions{Cname: "blosclz", Clevel: 5, Shuffle: BloscShuffle, Typesize: 2})
	got, err := b.Decode(nil, enc, len(want))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("decoding numcodecs' blosclz container: wrong bytes or %v", err)
	}
	for i := range len(enc) {
		if out, err := decodeNoPanic(t, b, enc[:i], len(want), "truncated blosclz"); err == nil {
			t.Fatalf("blosclz container truncated to %d of %d bytes decodes to %d bytes without error", i, len(enc), len(out))
		}
	}
	// Any change to a compressed stream's bytes: an error or other
	// bytes, never a panic.
	for i := bloscHeaderSize + 4; i < len(enc); i++ {
		for _, mask := range []byte{0x01, 0x20, 0xe0, 0xff} {
			bad := bytes.Clone(enc)
			bad[i] ^= mask
			decodeNoPanic(t, b, bad, len(want), "changed blosclz byte")
		}
	}
	if _, err := b.Encode(nil, want); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("blosclz Encode: got %v, want ErrUnsupported", err)
	}
}
