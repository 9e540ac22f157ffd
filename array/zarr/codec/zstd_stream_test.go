package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// streamDecode runs DecodeStream into a buffer of exactly size bytes.
func streamDecode(t *testing.T, c *Zstd, src []byte, size int) ([]byte, error) {
	t.Helper()
	dst := make([]byte, size)
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("DecodeStream of %d bytes into %d: panic: %v", len(src), size, r)
		}
	}()
	return dst, c.DecodeStream(dst, bytes.NewReader(src), int64(len(src)))
}

// checkStream checks DecodeStream against Decode on one input: it
// succeeds only where Decode does, with the same bytes, and otherwise
// says ErrNeedWhole. It reports whether the input streamed.
func checkStream(t *testing.T, c *Zstd, src []byte, size int, what string) bool {
	t.Helper()
	got, err := streamDecode(t, c, src, size)
	want, werr := c.Decode(nil, src, size)
	if err != nil {
		if !errors.Is(err, ErrNeedWhole) {
			t.Fatalf("%s: DecodeStream: %v, want nil or ErrNeedWhole", what, err)
		}
		return false
	}
	if werr != nil {
		t.Fatalf("%s: DecodeStream accepted what Decode refuses (%v)", what, werr)
	}
	if len(want) != size || !bytes.Equal(got, want) {
		t.Fatalf("%s: DecodeStream and Decode differ (%d and %d bytes)", what, len(got), len(want))
	}
	return true
}

// TestZstdStreamEncoded: what the encoder writes decodes by stream where
// it is raw or RLE blocks only (incompressible data at any level, so the
// zarr_read benchmark's random floats) and otherwise says ErrNeedWhole,
// never a different result from Decode.
func TestZstdStreamEncoded(t *testing.T) {
	r := newRand(t)
	for _, level := range []int{1, 3, 9} {
		for _, sum := range []bool{false, true} {
			z, _ := NewZstd(level)
			z = z.WithChecksum(sum)
			for _, kind := range dataKinds {
				for _, n := range []int{1, 1000, 300<<10 + 17, 1<<20 + 8} {
					data := makeData(r, kind, n)
					enc, err := z.Encode(nil, data)
					if err != nil {
						t.Fatal(err)
					}
					what := z.Name() + " " + kind
					streamed := checkStream(t, z, enc, n, what)
					if kind == "random" && n >= 1000 && !sum && !streamed {
						t.Errorf("%s, %d bytes: incompressible data did not stream", what, n)
					}
					if sum && streamed {
						t.Errorf("%s: a frame with a checksum streamed (it is not verified)", what)
					}
					// a buffer of the wrong size is never filled by stream
					for _, m := range []int{n - 1, n + 1} {
						if _, err := streamDecode(t, z, enc, m); !errors.Is(err, ErrNeedWhole) {
							t.Errorf("%s: %d bytes into %d: %v, want ErrNeedWhole", what, n, m, err)
						}
					}
				}
			}
		}
	}
}

// zstdFrame writes a frame by hand: descriptor flags, window descriptor
// (-1: single segment), content size field (of fcsLen bytes, 0: none)
// and blocks (raw ones of data, RLE ones of rle bytes).
type testBlock struct {
	raw []byte
	rle byte
	n   int // RLE length
}

func zstdFrame(window int, fcsLen int, fcs uint64, blocks []testBlock) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, zstdMagic)
	fcsFlag := map[int]byte{0: 0, 1: 0, 2: 1, 4: 2, 8: 3}[fcsLen]
	fhd := fcsFlag << 6
	if window < 0 {
		fhd |= 1 << 5
	}
	b = append(b, fhd)
	if window >= 0 {
		b = append(b, byte(window))
	}
	switch fcsLen {
	case 1:
		b = append(b, byte(fcs))
	case 2:
		b = binary.LittleEndian.AppendUint16(b, uint16(fcs-256))
	case 4:
		b = binary.LittleEndian.AppendUint32(b, uint32(fcs))
	case 8:
		b = binary.LittleEndian.AppendUint64(b, fcs)
	}
	for i, bl := range blocks {
		var h uint32
		if i == len(blocks)-1 {
			h = 1
		}
		if bl.raw != nil {
			h |= uint32(len(bl.raw)) << 3
			b = append(b, byte(h), byte(h>>8), byte(h>>16))
			b = append(b, bl.raw...)
		} else {
			h |= 1<<1 | uint32(bl.n)<<3
			b = append(b, byte(h), byte(h>>8), byte(h>>16), bl.rle)
		}
	}
	return b
}

func blocksBytes(blocks []testBlock) []byte {
	var out []byte
	for _, bl := range blocks {
		if bl.raw != nil {
			out = append(out, bl.raw...)
		} else {
			out = append(out, bytes.Repeat([]byte{bl.rle}, bl.n)...)
		}
	}
	return out
}

// TestZstdStreamFrames: hand-made frames of raw and RLE blocks (every
// content size field, single segment or a window, several frames one
// after another) stream and equal Decode; every truncation and every
// one-byte change of them gives Decode's result or ErrNeedWhole.
func TestZstdStreamFrames(t *testing.T) {
	r := newRand(t)
	z, _ := NewZstd(1)
	mk := func(n int) []byte { return makeData(r, "random", n) }
	a := []testBlock{{raw: mk(100)}, {rle: 7, n: 5000}, {raw: mk(128 << 10)}, {rle: 0, n: 1}, {raw: mk(3)}}
	b := []testBlock{{rle: 9, n: 300}}
	na, nb := uint64(len(blocksBytes(a))), uint64(len(blocksBytes(b)))
	cases := []struct {
		name string
		enc  []byte
		want []byte
	}{
		{"single segment, 4-byte size", zstdFrame(-1, 4, na, a), blocksBytes(a)},
		{"single segment, 8-byte size", zstdFrame(-1, 8, na, a), blocksBytes(a)},
		{"window 8 MiB, no size", zstdFrame(13<<3, 0, 0, a), blocksBytes(a)},
		{"single segment, 1-byte size", zstdFrame(-1, 1, 250, []testBlock{{raw: make([]byte, 250)}}), make([]byte, 250)},
		{"window 1 MiB, 2-byte size", zstdFrame(10<<3, 2, nb, b), blocksBytes(b)},
		{"two frames", append(zstdFrame(-1, 4, na, a), zstdFrame(10<<3, 2, nb, b)...), append(blocksBytes(a), blocksBytes(b)...)},
	}
	for _, c := range cases {
		got, err := streamDecode(t, z, c.enc, len(c.want))
		if err != nil || !bytes.Equal(got, c.want) {
			t.Fatalf("%s: DecodeStream: %v (equal: %v)", c.name, err, bytes.Equal(got, c.want))
		}
		checkStream(t, z, c.enc, len(c.want), c.name)
		for cut := 0; cut < len(c.enc); cut += 1 + cut/64 {
			checkStream(t, z, c.enc[:cut], len(c.want), c.name+" truncated")
		}
		for range 200 {
			bad := bytes.Clone(c.enc)
			bad[r.IntN(len(bad))] ^= byte(1 + r.IntN(255))
			checkStream(t, z, bad, len(c.want), c.name+" changed")
		}
	}
	// refused up front: a window of 1 KiB for a larger raw block, a
	// checksum, a dictionary, a skippable frame, an empty input
	small := zstdFrame(0, 0, 0, []testBlock{{raw: mk(2000)}})
	sum := zstdFrame(-1, 4, na, a)
	sum[4] |= 1 << 2
	dict := zstdFrame(-1, 4, na, a)
	dict[4] |= 1
	skip := binary.LittleEndian.AppendUint32(nil, 0x184D2A50)
	skip = binary.LittleEndian.AppendUint32(skip, 0)
	for name, enc := range map[string][]byte{"small window": small, "checksum": sum, "dictionary": dict, "skippable": append(skip, zstdFrame(-1, 4, na, a)...), "empty": nil} {
		if _, err := streamDecode(t, z, enc, int(na)); !errors.Is(err, ErrNeedWhole) {
			t.Errorf("%s: %v, want ErrNeedWhole", name, err)
		}
	}
}

// failingReader gives n bytes, then an error.
type failingReader struct {
	r   io.Reader
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	p = p[:min(len(p), f.n)]
	k, err := f.r.Read(p)
	f.n -= k
	return k, err
}

// TestZstdStreamReadError: the reader's error is DecodeStream's (not
// ErrNeedWhole: reading the object whole would fail too), and so is an
// object shorter than its size.
func TestZstdStreamReadError(t *testing.T) {
	z, _ := NewZstd(1)
	data := makeData(newRand(t), "random", 1<<20)
	enc, _ := z.Encode(nil, data)
	boom := errors.New("boom")
	dst := make([]byte, len(data))
	err := z.DecodeStream(dst, &failingReader{r: bytes.NewReader(enc), n: len(enc) / 2, err: boom}, int64(len(enc)))
	if !errors.Is(err, boom) || errors.Is(err, ErrNeedWhole) {
		t.Errorf("failing reader: %v, want boom", err)
	}
	err = z.DecodeStream(dst, bytes.NewReader(enc[:len(enc)/2]), int64(len(enc)))
	if !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrNeedWhole) {
		t.Errorf("short object: %v, want io.ErrUnexpectedEOF", err)
	}
	var _ StreamDecoder = z
}
