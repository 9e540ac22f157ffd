package codec

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// walk8MiB is 8 MiB of float64 random walk (1 Mi elements), the kind of
// data Zarr arrays hold. Its low mantissa bytes are noise: zstd alone
// (klauspost's default level) stores it uncompressed.
func walk8MiB() []byte { return walk(false) }

// walkRounded8MiB is the walk rounded to 0.01, like measurements, which
// zstd alone compresses.
func walkRounded8MiB() []byte { return walk(true) }

func walk(rounded bool) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 8<<20)
	x := 0.0
	for i := 0; i < len(b); i += 8 {
		x += r.NormFloat64()
		v := x
		if rounded {
			v = math.Round(x*100) / 100
		}
		binary.LittleEndian.PutUint64(b[i:], math.Float64bits(v))
	}
	return b
}

func benchDecode(b *testing.B, c Codec) { benchDecodeData(b, c, walk8MiB()) }

func benchDecodeData(b *testing.B, c Codec, data []byte) {
	enc, err := c.Encode(nil, data)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, len(data))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		out, err := c.Decode(dst, enc, len(data))
		if err != nil || len(out) != len(data) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/float64(len(enc)), "ratio")
}

func benchEncode(b *testing.B, c Codec) {
	data := walk8MiB()
	var dst []byte
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var err error
		if dst, err = c.Encode(dst, data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/float64(len(dst)), "ratio")
}

// Blosc(lz4, 5, shuffle) is zarr-python 2's default compressor.
func BenchmarkDecodeBloscLZ4Shuffle(b *testing.B) {
	benchDecode(b, mustBlosc(b, "lz4", 5, BloscShuffle, 8))
}
func BenchmarkDecodeBloscLZ4BitShuffle(b *testing.B) {
	benchDecode(b, mustBlosc(b, "lz4", 5, BloscBitShuffle, 8))
}
func BenchmarkDecodeBloscZstdShuffle(b *testing.B) {
	benchDecode(b, mustBlosc(b, "zstd", 5, BloscShuffle, 8))
}
func BenchmarkDecodeZstd(b *testing.B) {
	z, _ := NewZstd(3)
	benchDecode(b, z)
}
func BenchmarkDecodeZstdRounded(b *testing.B) {
	z, _ := NewZstd(3)
	benchDecodeData(b, z, walkRounded8MiB())
}
func BenchmarkDecodeGzip(b *testing.B) {
	g, _ := NewGzip(5)
	benchDecode(b, g)
}

func BenchmarkEncodeBloscLZ4Shuffle(b *testing.B) {
	benchEncode(b, mustBlosc(b, "lz4", 5, BloscShuffle, 8))
}
func BenchmarkEncodeZstd(b *testing.B) {
	z, _ := NewZstd(3)
	benchEncode(b, z)
}
