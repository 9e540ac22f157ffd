package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
)

// corruptCodecs are the codecs whose encoding has enough structure that
// any truncation must be detected (not the shuffle filter).
func corruptCodecs(t testing.TB) []Codec {
	z, _ := NewZstd(3)
	g, _ := NewGzip(6)
	zl, _ := NewZlib(6)
	return []Codec{
		z, z.WithChecksum(true), g, zl, NewLZ4(), NewCRC32C(),
		// Small blocks so that a short container has several: zstd is
		// never split, typesize 32 is too big to split.
		mustBloscOpts(t, BloscOptions{Cname: "zstd", Clevel: 5, Shuffle: BloscShuffle, Typesize: 4, Blocksize: 128}),
		mustBloscOpts(t, BloscOptions{Cname: "lz4", Clevel: 5, Shuffle: BloscBitShuffle, Typesize: 32, Blocksize: 256}),
		mustBloscOpts(t, BloscOptions{Cname: "zlib", Clevel: 5, Shuffle: BloscNoShuffle, Typesize: 24, Blocksize: 240}),
		mustBloscOpts(t, BloscOptions{Cname: "snappy", Clevel: 5, Shuffle: BloscShuffle, Typesize: 20, Blocksize: 200}),
		mustBloscOpts(t, BloscOptions{Cname: "lz4", Clevel: 5, Shuffle: BloscShuffle, Typesize: 8}),
		mustBloscOpts(t, BloscOptions{Cname: "lz4", Clevel: 0, Shuffle: BloscShuffle, Typesize: 8}),
	}
}

func mustBloscOpts(t testing.TB, o BloscOptions) *Blosc {
	t.Helper()
	b, err := NewBloscOptions(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeNoPanic decodes and turns a panic into a test failure.
func decodeNoPanic(t *testing.T, c Codec, src []byte, size int, what string) (out []byte, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: %s: panic: %v", codecLabel(c), what, r)
		}
	}()
	return c.Decode(nil, src, size)
}

// TestTruncated: every truncation of a small encoding is an error (with
// the size known and unknown), never a panic.
func TestTruncated(t *testing.T) {
	r := newRand(t)
	for _, c := range corruptCodecs(t) {
		for _, kind := range []string{"walk", "random"} {
			n := 1000 + 8*r.IntN(100)
			data := makeData(r, kind, n)
			enc, err := c.Encode(nil, data)
			if err != nil {
				t.Fatal(err)
			}
			for i := range len(enc) {
				for _, size := range []int{n, -1} {
					out, err := decodeNoPanic(t, c, enc[:i], size, fmt.Sprintf("%s truncated to %d of %d bytes", kind, i, len(enc)))
					if err == nil && !validEncoding(c, out, enc[:i]) {
						t.Fatalf("%s: %s truncated to %d of %d bytes (size %d) decodes to %d bytes without error", codecLabel(c), kind, i, len(enc), size, len(out))
					}
				}
			}
		}
	}
}

// validEncoding reports whether enc is exactly what c encodes out to: a
// prefix that is itself a whole encoding (crc32c of 4 leading zero bytes
// is the checksum of the empty payload) is not a truncation the codec
// could detect; the chunk reader's size check catches it.
func validEncoding(c Codec, out, enc []byte) bool {
	again, err := c.Encode(nil, out)
	return err == nil && bytes.Equal(again, enc)
}

// TestBloscHeaderFlips: flipping header bytes never panics; flips of the
// version (to one other than 1), the sizes and the compressed length are
// always detected
// (error, or a decoded length that is not the expected one).
func TestBloscHeaderFlips(t *testing.T) {
	r := newRand(t)
	for _, c := range corruptCodecs(t) {
		b, ok := c.(*Blosc)
		if !ok {
			continue
		}
		data := makeData(r, "walk", 4096+8*r.IntN(100))
		enc, err := b.Encode(nil, data)
		if err != nil {
			t.Fatal(err)
		}
		for pos := range bloscHeaderSize {
			for _, mask := range []byte{0x01, 0x10, 0x80, 0xff, byte(1 + r.IntN(255))} {
				bad := bytes.Clone(enc)
				bad[pos] ^= mask
				what := fmt.Sprintf("header byte %d ^ %#x", pos, mask)
				out, err := decodeNoPanic(t, b, bad, len(data), what)
				// version 1 is a valid older container of the same layout:
				// a flip from 2 to 1 is not corruption the header shows
				mustDetect := (pos == 0 && bad[0] != 1) || (pos >= 4 && pos < 8) || pos >= 12
				if mustDetect && err == nil && len(out) == len(data) {
					t.Errorf("%s: %s not detected", codecLabel(c), what)
				}
				decodeNoPanic(t, b, bad, -1, what)
			}
		}
		// Random bytes anywhere: no panic.
		for range 300 {
			bad := bytes.Clone(enc)
			for range 1 + r.IntN(4) {
				bad[r.IntN(len(bad))] = byte(r.Uint32())
			}
			decodeNoPanic(t, b, bad, len(data), "random byte changes")
			decodeNoPanic(t, b, bad, -1, "random byte changes")
		}
	}
}

// TestHugeClaims: headers claiming enormous sizes are errors, refused
// before allocating.
func TestHugeClaims(t *testing.T) {
	// A zstd frame header claiming 2^60 bytes (single segment, 8-byte
	// content size), then an empty raw last block.
	zf := []byte{0x28, 0xb5, 0x2f, 0xfd, 0xe0}
	zf = binary.LittleEndian.AppendUint64(zf, 1<<60)
	zf = append(zf, 0x01, 0x00, 0x00)
	z, _ := NewZstd(3)
	for _, size := range []int{-1, 1 << 20} {
		if _, err := z.Decode(nil, zf, size); !errors.Is(err, ErrTooLarge) {
			t.Errorf("zstd frame claiming 2^60 bytes (size %d): got %v, want ErrTooLarge", size, err)
		}
	}
	// Under MaxDecoded but far more than the frame can hold.
	zf8 := []byte{0x28, 0xb5, 0x2f, 0xfd, 0xe0}
	zf8 = binary.LittleEndian.AppendUint64(zf8, 1<<33)
	zf8 = append(zf8, 0x01, 0x00, 0x00)
	if _, err := z.Decode(nil, zf8, -1); !errors.Is(err, ErrCorrupt) {
		t.Errorf("13-byte zstd frame claiming 8 GiB: got %v, want ErrCorrupt", err)
	}
	// lz4 claiming 2 GiB from a few bytes.
	lz := binary.LittleEndian.AppendUint32(nil, 1<<31-1)
	lz = append(lz, 0x1f, 0x00, 0x01, 0xff, 0xff)
	if _, err := NewLZ4().Decode(nil, lz, -1); err == nil {
		t.Errorf("lz4 claiming 2 GiB from 5 bytes: no error")
	}
	// blosc: the largest nbytes the format allows, in two huge blocks
	// whose streams are a few bytes.
	for _, format := range []int{bloscFormatLZ4, bloscFormatZstd, bloscFormatZlib, bloscFormatSnappy} {
		h := appendBloscHeader(nil, format<<5|bloscFlagDontSplit, 1, bloscMaxBuffer, 1<<30, 0)
		h = binary.LittleEndian.AppendUint32(h, 24)
		h = binary.LittleEndian.AppendUint32(h, 29)
		h = append(h, 1, 0, 0, 0, 0xaa, 1, 0, 0, 0, 0xbb)
		binary.LittleEndian.PutUint32(h[12:], uint32(len(h)))
		if _, err := decodeFresh(h, -1); err == nil {
			t.Errorf("blosc %s claiming 2 GiB from %d bytes: no error", bloscFormatNames[format], len(h))
		}
		if _, err := decodeFresh(h, 1<<20); !errors.Is(err, ErrTooLarge) {
			t.Errorf("blosc claiming 2 GiB with 1 MiB expected: got %v, want ErrTooLarge", err)
		}
	}
	// nbytes over the format's limit, and negative.
	for _, nb := range []uint32{1<<31 - 1, 1 << 31, 0xffffffff} {
		h := appendBloscHeader(nil, bloscFlagMemcpy, 1, 0, 1, bloscHeaderSize)
		binary.LittleEndian.PutUint32(h[4:], nb)
		if _, err := decodeFresh(h, -1); err == nil {
			t.Errorf("blosc header nbytes %#x: no error", nb)
		}
	}
}

// decodeFresh is bloscDecode into a new buffer.
func decodeFresh(src []byte, size int) ([]byte, error) { return bloscDecode(nil, src, size) }

func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	r := newRand(f)
	for _, c := range corruptCodecs(f) {
		for _, n := range []int{0, 5, 300, 2000} {
			enc, err := c.Encode(nil, makeData(r, "walk", n))
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, enc)
		}
	}
	return seeds
}

// FuzzBloscDecode: no input panics the blosc decoder, and what it
// decodes re-encodes and decodes to the same bytes.
func FuzzBloscDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		if _, err := ReadBloscInfo(s); err == nil {
			f.Add(s)
		}
	}
	lz, _ := hex.DecodeString(numcodecsBlosclz)
	f.Add(lz)
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := bloscDecode(nil, src, 1<<20)
		if err != nil {
			return
		}
		info, _ := ReadBloscInfo(src)
		if len(out) != info.Nbytes {
			t.Fatalf("decoded %d bytes, header says %d", len(out), info.Nbytes)
		}
		b, err := NewBlosc("lz4", 5, BloscShuffle, max(info.Typesize, 1))
		if err != nil {
			t.Fatal(err)
		}
		enc, err := b.Encode(nil, out)
		if err != nil {
			t.Fatal(err)
		}
		back, err := b.Decode(nil, enc, len(out))
		if err != nil || !bytes.Equal(back, out) {
			t.Fatalf("re-encoding what was decoded does not round-trip: %v", err)
		}
	})
}

// FuzzDecode: no input panics any codec's decoder (the first byte picks
// the codec).
func FuzzDecode(f *testing.F) {
	codecs := corruptCodecs(f)
	for i, s := range fuzzSeeds(f) {
		f.Add(append([]byte{byte(i / 4 % len(codecs))}, s...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		c := codecs[int(in[0])%len(codecs)]
		// Known sizes allocate up front: keep them small for speed.
		for _, size := range []int{1 << 14, 100} {
			out, err := c.Decode(nil, in[1:], size)
			if err == nil && len(out) > size {
				t.Fatalf("%s: decoded %d bytes, more than the %d expected", c.Name(), len(out), size)
			}
		}
	})
}
