package codec

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// testCodecs returns one of each codec kind and the blosc variants.
func testCodecs(t testing.TB, typesize int) []Codec {
	t.Helper()
	must := func(c Codec, err error) Codec {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cs := []Codec{
		must(NewZstd(1)), must(NewZstd(5)), must(NewZstd(19)),
		must(NewGzip(1)), must(NewGzip(9)), must(NewZlib(0)), must(NewZlib(6)),
		NewLZ4(), NewCRC32C(), must(NewShuffle(typesize)),
	}
	z, _ := NewZstd(3)
	cs = append(cs, z.WithChecksum(true))
	for _, cname := range []string{"lz4", "lz4hc", "zstd", "zlib", "snappy"} {
		for _, sh := range []int{BloscNoShuffle, BloscShuffle, BloscBitShuffle, BloscAutoShuffle} {
			for _, cl := range []int{0, 1, 5, 9} {
				if cname != "lz4" && cl == 1 || cname == "lz4hc" && cl == 9 {
					continue // keep the slow ones few
				}
				for _, bs := range []int{0, 256, 1000} {
					cs = append(cs, must(NewBloscOptions(BloscOptions{Cname: cname, Clevel: cl, Shuffle: sh, Typesize: typesize, Blocksize: bs})))
				}
			}
		}
	}
	return cs
}

func codecLabel(c Codec) string {
	if b, ok := c.(*Blosc); ok {
		o := b.Options()
		return fmt.Sprintf("%s/ts%d/bs%d", c.Name(), o.Typesize, o.Blocksize)
	}
	return c.Name()
}

func TestRoundTrip(t *testing.T) {
	r := newRand(t)
	for _, ts := range []int{1, 2, 4, 8} {
		sizes := []int{0, 1, ts, 3*ts + 1, 127, 128, 129, 255 * ts, 4099, 20000 + ts*r.IntN(100)}
		for _, c := range testCodecs(t, ts) {
			for _, n := range sizes {
				if sh, ok := c.(*Shuffle); ok && n%sh.Elementsize() != 0 {
					continue
				}
				kind := dataKinds[r.IntN(len(dataKinds))]
				checkRoundTrip(t, r, c, makeData(r, kind, n), kind)
			}
		}
	}
}

// TestRoundTripLarge: several automatic blocks (c-blosc's split blocks
// are up to 1 MiB) and big gzip/zstd streams.
func TestRoundTripLarge(t *testing.T) {
	r := newRand(t)
	n := 3<<20 + 8*r.IntN(1000)
	data := makeData(r, "walk", n)
	for _, c := range []Codec{
		mustBlosc(t, "lz4", 5, BloscShuffle, 8), mustBlosc(t, "lz4", 5, BloscBitShuffle, 8),
		mustBlosc(t, "zstd", 5, BloscShuffle, 8), mustBlosc(t, "zlib", 1, BloscNoShuffle, 4),
		mustBlosc(t, "snappy", 5, BloscShuffle, 2), mustBlosc(t, "lz4", 0, BloscShuffle, 8),
	} {
		enc := checkRoundTrip(t, r, c, data, "walk")
		if info, err := ReadBloscInfo(enc); err != nil || info.Nbytes != n || (!info.Memcpyed && info.Blocksize >= n) {
			t.Errorf("%s: header %+v, %v: want several blocks of %d bytes", codecLabel(c), info, err, n)
		}
	}
	for _, c := range []Codec{NewLZ4()} {
		checkRoundTrip(t, r, c, data, "walk")
	}
	z, _ := NewZstd(3)
	checkRoundTrip(t, r, z, data, "walk")
}

func mustBlosc(t testing.TB, cname string, clevel, shuffle, typesize int) *Blosc {
	t.Helper()
	b, err := NewBlosc(cname, clevel, shuffle, typesize)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkRoundTrip encodes and decodes data with every way of passing dst
// and size, and returns the encoded bytes.
func checkRoundTrip(t *testing.T, r *rand.Rand, c Codec, data []byte, kind string) []byte {
	t.Helper()
	label := fmt.Sprintf("%s, %d bytes of %s", codecLabel(c), len(data), kind)
	orig := bytes.Clone(data)
	enc, err := c.Encode(nil, data)
	if err != nil {
		t.Fatalf("%s: encode: %v", label, err)
	}
	if !bytes.Equal(data, orig) {
		t.Fatalf("%s: encode changed its input", label)
	}
	// Encoding into a recycled buffer gives the same bytes.
	junk := makeData(r, "random", len(enc)+r.IntN(64))
	enc2, err := c.Encode(junk[:r.IntN(len(junk)+1)], data)
	if err != nil || !bytes.Equal(enc, enc2) {
		t.Fatalf("%s: encode into a used buffer differs (%v)", label, err)
	}
	for _, size := range []int{len(data), -1} {
		dec, err := c.Decode(nil, enc, size)
		if err != nil {
			t.Fatalf("%s: decode (size %d): %v", label, size, err)
		}
		if !bytes.Equal(dec, data) {
			t.Fatalf("%s: decode (size %d) gives %d bytes that differ from the input", label, size, len(dec))
		}
		buf := makeData(r, "random", len(data)+r.IntN(64))
		dec, err = c.Decode(buf[:r.IntN(len(buf)+1)], enc, size)
		if err != nil || !bytes.Equal(dec, data) {
			t.Fatalf("%s: decode into a used buffer (size %d) is wrong (%v)", label, size, err)
		}
	}
	// Decoding in place (dst sharing src's memory) must not corrupt.
	encCopy := bytes.Clone(enc)
	dec, err := c.Decode(encCopy, encCopy, len(data))
	if err != nil || !bytes.Equal(dec, data) {
		t.Fatalf("%s: decode with dst == src is wrong (%v)", label, err)
	}
	if len(data) > 0 {
		_, err := c.Decode(nil, enc, len(data)-1)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s: decode with a size one short: got %v, want ErrTooLarge", label, err)
		}
	}
	return enc
}
