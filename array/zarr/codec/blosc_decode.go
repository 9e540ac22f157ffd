package codec

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/klauspost/compress/s2"
)

// Decode decodes any Blosc 1.x container (the codec's own parameters do
// not matter). Trailing bytes after the header's compressed size are
// ignored, as c-blosc does.
func (c *Blosc) Decode(dst, src []byte, size int) ([]byte, error) {
	return bloscDecode(dst, src, size)
}

func bloscDecode(dst, src []byte, size int) ([]byte, error) {
	h, err := parseBloscHeader(src)
	if err != nil {
		return nil, err
	}
	if err := checkDecoded("blosc", int64(h.nbytes), size); err != nil {
		return nil, err
	}
	src = src[:h.cbytes]
	if h.nbytes == 0 {
		return dst[:0], nil
	}
	if h.flags&bloscFlagMemcpy != 0 {
		if h.cbytes != bloscHeaderSize+h.nbytes {
			return nil, fmt.Errorf("blosc: memcpyed container of %d bytes holds %d, header says %d: %w",
				h.cbytes, h.cbytes-bloscHeaderSize, h.nbytes, ErrCorrupt)
		}
		return append(resizeApart(dst, 0, src), src[bloscHeaderSize:]...), nil
	}
	if h.typesize == 0 {
		return nil, fmt.Errorf("blosc: typesize 0: %w", ErrCorrupt)
	}
	if h.blocksize <= 0 {
		return nil, fmt.Errorf("blosc: blocksize %d: %w", h.blocksize, ErrCorrupt)
	}
	if f := h.format(); f > bloscFormatZstd {
		return nil, fmt.Errorf("blosc: inner compressor %s is not implemented: %w", bloscFormatNames[f], ErrUnsupported)
	}
	d := bloscDecoder{h: h, src: src}
	if err := d.scan(); err != nil {
		return nil, err
	}
	// Every length in the container is now known to fit: allocate.
	out := resizeApart(dst, h.nbytes, src)
	if d.filtered() {
		d.tmp = make([]byte, 2*min(h.blocksize, h.nbytes))
	}
	for j := range d.nblocks {
		start, lo, hi := d.block(j)
		if err := d.decodeBlock(out[lo:hi], src[start:], j == d.nblocks-1 && d.leftover); err != nil {
			return nil, fmt.Errorf("blosc: block %d: %w", j, err)
		}
	}
	return out, nil
}

type bloscDecoder struct {
	h        bloscHeader
	src      []byte // the container, cbytes long
	nblocks  int
	leftover bool   // the last block is shorter than blocksize
	tmp      []byte // 2*blocksize: the filtered block, then bitshuffle scratch
}

// block returns block j's start in src and its range in the output.
func (d *bloscDecoder) block(j int) (start, lo, hi int) {
	start = int(int32(binary.LittleEndian.Uint32(d.src[bloscHeaderSize+4*j:])))
	lo = j * d.h.blocksize
	return start, lo, min(lo+d.h.blocksize, d.h.nbytes)
}

// splits returns how many streams a block of bsize bytes is stored in,
// and their decoded size.
func (d *bloscDecoder) splits(bsize int, leftover bool) (nsplits, neblock int, err error) {
	typesize := d.h.typesize
	nsplits = 1
	// c-blosc splits a whole block into typesize streams unless the
	// header says not to; containers from before the flag existed split
	// only small types in big enough blocks, hence the size test.
	if d.h.flags&bloscFlagDontSplit == 0 && !leftover && typesize <= bloscMaxSplits && bsize/typesize >= bloscMinBuffer {
		nsplits = typesize
	}
	neblock = bsize / nsplits
	if neblock*nsplits != bsize {
		return 0, 0, fmt.Errorf("%d bytes do not split into %d streams: %w", bsize, nsplits, ErrCorrupt)
	}
	return nsplits, neblock, nil
}

// maxExpansion bounds how many bytes one compressed byte can become
// (with some slack), per inner format: an LZ4 sequence adds at most 255
// bytes per length byte, deflate at most 258 bytes per 2 bits, a zstd
// RLE block 128 KiB per 4 bytes, a BloscLZ match 255 bytes per length
// byte. 0: no bound checked.
var maxExpansion = [8]int{bloscFormatLZ4: 256, bloscFormatZlib: 1100, bloscFormatZstd: 1 << 15, bloscFormatBloscLZ: 256}

// scan checks the block table and every stream's length against the
// container before anything is allocated: a short container cannot make
// the decoder allocate the (up to 2 GiB) size its header claims.
func (d *bloscDecoder) scan() error {
	h := d.h
	if h.typesize == 0 {
		return fmt.Errorf("blosc: typesize 0: %w", ErrCorrupt)
	}
	if h.blocksize <= 0 {
		return fmt.Errorf("blosc: blocksize %d: %w", h.blocksize, ErrCorrupt)
	}
	if f := h.format(); f > bloscFormatZstd {
		return fmt.Errorf("blosc: inner compressor %s is not implemented: %w", bloscFormatNames[f], ErrUnsupported)
	}
	d.nblocks = h.nbytes / h.blocksize
	if h.nbytes%h.blocksize > 0 {
		d.nblocks++
		d.leftover = true
	}
	tableEnd := bloscHeaderSize + 4*int64(d.nblocks)
	if tableEnd > int64(h.cbytes) {
		return fmt.Errorf("blosc: %d blocks need a %d-byte table, container has %d bytes: %w", d.nblocks, tableEnd, h.cbytes, ErrCorrupt)
	}
	ratio := maxExpansion[h.format()]
	for j := range d.nblocks {
		start, lo, hi := d.block(j)
		if int64(start) < tableEnd || start >= h.cbytes {
			return fmt.Errorf("blosc: block %d starts at %d, outside %d..%d: %w", j, start, tableEnd, h.cbytes, ErrCorrupt)
		}
		nsplits, neblock, err := d.splits(hi-lo, j == d.nblocks-1 && d.leftover)
		if err != nil {
			return fmt.Errorf("blosc: block %d: %w", j, err)
		}
		pos := start
		for k := range nsplits {
			if h.cbytes-pos < 4 {
				return fmt.Errorf("blosc: block %d stream %d: truncated length: %w", j, k, ErrCorrupt)
			}
			csize := int(int32(binary.LittleEndian.Uint32(d.src[pos:])))
			pos += 4
			if csize <= 0 || csize > h.cbytes-pos {
				return fmt.Errorf("blosc: block %d stream %d: compressed length %d, %d bytes left: %w", j, k, csize, h.cbytes-pos, ErrCorrupt)
			}
			if ratio > 0 && csize != neblock && int64(csize)*int64(ratio)+64 < int64(neblock) {
				return fmt.Errorf("blosc: block %d stream %d: %d %s bytes cannot make %d: %w", j, k, csize, bloscFormatNames[h.format()], neblock, ErrCorrupt)
			}
			pos += csize
		}
	}
	return nil
}

func (d *bloscDecoder) byteShuffled() bool {
	return d.h.flags&bloscFlagShuffle != 0 && d.h.typesize > 1
}

func (d *bloscDecoder) filtered() bool {
	return d.byteShuffled() || d.h.flags&bloscFlagBitShuffle != 0
}

// decodeBlock decodes one block (stream starts at its first stream's
// length) into dst, its decoded length. scan has checked the lengths.
func (d *bloscDecoder) decodeBlock(dst, stream []byte, leftover bool) error {
	bsize, typesize := len(dst), d.h.typesize
	target := dst
	if d.filtered() {
		target = d.tmp[:bsize]
	}
	nsplits, neblock, err := d.splits(bsize, leftover)
	if err != nil {
		return err
	}
	pos := 0
	for k := range nsplits {
		csize := int(int32(binary.LittleEndian.Uint32(stream[pos:])))
		data := stream[pos+4 : pos+4+csize]
		pos += 4 + csize
		part := target[k*neblock : (k+1)*neblock]
		if csize == neblock {
			copy(part, data)
			continue
		}
		if err := bloscInner(d.h.format(), part, data); err != nil {
			return fmt.Errorf("stream %d: %w", k, err)
		}
	}
	switch {
	case d.byteShuffled():
		byteUnshuffle(dst, target, typesize)
	case d.h.flags&bloscFlagBitShuffle != 0:
		bitUnshuffleBlock(dst, target, d.tmp[bsize:2*bsize], typesize)
	}
	return nil
}

// bitUnshuffleBlock undoes c-blosc 1.x's per-block bit shuffle: a block
// whose element count is a multiple of 8 is bit-shuffled (stray bytes
// after the last whole element stay in place); any other block is stored
// as it is.
func bitUnshuffleBlock(dst, src, tmp []byte, typesize int) {
	if n := len(src) / typesize; n%8 != 0 {
		copy(dst, src)
		return
	}
	bitUnshuffle(dst, src, tmp, typesize)
}

// bitShuffleBlock is bitUnshuffleBlock's inverse.
func bitShuffleBlock(dst, src, tmp []byte, typesize int) {
	if n := len(src) / typesize; n%8 != 0 {
		copy(dst, src)
		return
	}
	bitShuffle(dst, src, tmp, typesize)
}

// bloscInner decodes one compressed stream that must fill part exactly.
func bloscInner(format int, part, data []byte) error {
	switch format {
	case bloscFormatLZ4:
		return lz4Exact(part, data)
	case bloscFormatBloscLZ:
		return blosclzDecode(part, data)
	case bloscFormatSnappy:
		n, err := s2.DecodedLen(data)
		if err != nil {
			return fmt.Errorf("snappy: %v: %w", err, ErrCorrupt)
		}
		if n != len(part) {
			return fmt.Errorf("snappy: stream decodes to %d bytes, want %d: %w", n, len(part), ErrCorrupt)
		}
		got, err := s2.Decode(part, data)
		if err != nil {
			return fmt.Errorf("snappy: %v: %w", err, ErrCorrupt)
		}
		return sameOrCopy(part, got)
	case bloscFormatZlib:
		got, err := zlibDecode(part[:0], data, len(part))
		if err != nil {
			return err
		}
		return sameOrCopy(part, got)
	case bloscFormatZstd:
		got, err := zstdDecode("zstd", part[:0], data, len(part))
		if err != nil {
			return err
		}
		return sameOrCopy(part, got)
	}
	return fmt.Errorf("inner compressor %s is not implemented: %w", bloscFormatNames[format&7], ErrUnsupported)
}

// sameOrCopy checks that an inner decoder produced exactly len(part)
// bytes and moves them into part if it wrote elsewhere.
func sameOrCopy(part, got []byte) error {
	if len(got) != len(part) {
		return fmt.Errorf("stream decodes to %d bytes, want %d: %w", len(got), len(part), ErrCorrupt)
	}
	if len(got) > 0 && unsafe.SliceData(got) != unsafe.SliceData(part) {
		copy(part, got)
	}
	return nil
}
