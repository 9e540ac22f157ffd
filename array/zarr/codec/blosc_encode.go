package codec

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/pierrec/lz4/v4"
)

// hcr reports whether c-blosc counts the compressor as a "high
// compression ratio" one, which gets larger blocks.
func hcr(cname string) bool {
	return cname == "lz4hc" || cname == "zlib" || cname == "zstd"
}

// bloscSplit is c-blosc 1.21's default ("forward compatible") rule for
// splitting a block into typesize streams: every compressor but zstd,
// small types, blocks of at least 128 elements.
func bloscSplit(cname string, typesize, blocksize int) bool {
	return cname != "zstd" && typesize <= bloscMaxSplits && blocksize/typesize >= bloscMinBuffer
}

// bloscBlocksize is c-blosc 1.21's block size: a forced size
// (numcodecs' blocksize parameter, at least 128 bytes) or else 32 KiB
// scaled by compression level (doubled for the high-ratio compressors);
// then, when blocks are split into typesize streams, typesize times that
// (at most 256 KiB per stream), at least 64 KiB and at most 1 MiB; never
// more than the data, and a multiple of typesize.
func bloscBlocksize(cname string, clevel, typesize, nbytes, forced int) int {
	if nbytes < typesize {
		return 1
	}
	bs := nbytes
	switch {
	case forced > 0:
		bs = max(forced, bloscMinBuffer)
	case nbytes >= bloscL1:
		bs = bloscL1
		if hcr(cname) {
			bs *= 2
		}
		switch clevel {
		case 0:
			bs /= 4
		case 1:
			bs /= 2
		case 2:
		case 3:
			bs *= 2
		case 4, 5:
			bs *= 4
		case 6, 7, 8:
			bs *= 8
		case 9:
			bs *= 8
			if hcr(cname) {
				bs *= 2
			}
		}
	}
	if clevel > 0 && bloscSplit(cname, typesize, bs) {
		bs = min(bs, 1<<18) * typesize
		bs = min(max(bs, 1<<16), 1<<20)
	}
	bs = min(bs, nbytes)
	if bs > typesize {
		bs = bs / typesize * typesize
	}
	return bs
}

// Encode writes a Blosc 1.x container (format version 2) with the
// codec's compressor, level, shuffle and typesize. Data under 128 bytes,
// clevel 0, and data that does not compress into len(src)+16 bytes are
// stored memcpyed, as c-blosc does.
func (c *Blosc) Encode(dst, src []byte) ([]byte, error) {
	nbytes := len(src)
	if nbytes > bloscMaxBuffer {
		return nil, fmt.Errorf("%s: %d bytes exceed the format's limit of %d: %w", c.Name(), nbytes, bloscMaxBuffer, ErrTooLarge)
	}
	if c.o.Cname == "blosclz" {
		return nil, fmt.Errorf("%s: encoding with blosclz is not implemented (decoding is; use lz4 or zstd): %w", c.Name(), ErrUnsupported)
	}
	if overlaps(dst, src) {
		dst = nil
	}
	o := c.o
	typesize := o.Typesize
	if typesize > 255 {
		typesize = 1
	}
	shuffle := o.Shuffle
	if shuffle == BloscAutoShuffle {
		shuffle = BloscShuffle
		if typesize == 1 {
			shuffle = BloscBitShuffle
		}
	}
	format, _ := bloscFormat(o.Cname)
	flags := format << 5
	switch shuffle {
	case BloscShuffle:
		flags |= bloscFlagShuffle
	case BloscBitShuffle:
		flags |= bloscFlagBitShuffle
	}
	blocksize := bloscBlocksize(o.Cname, o.Clevel, typesize, nbytes, o.Blocksize)
	split := bloscSplit(o.Cname, typesize, blocksize)
	if !split {
		flags |= bloscFlagDontSplit
	}
	if o.Clevel > 0 && nbytes >= bloscMinBuffer {
		out, ok, err := c.compress(dst[:0], src, flags, typesize, blocksize, shuffle, split)
		if err != nil {
			return nil, fmt.Errorf("%s: encode: %w", c.Name(), err)
		}
		if ok {
			return out, nil
		}
	}
	out := appendBloscHeader(dst[:0], flags|bloscFlagMemcpy, typesize, nbytes, blocksize, bloscHeaderSize+nbytes)
	return append(out, src...), nil
}

func appendBloscHeader(dst []byte, flags, typesize, nbytes, blocksize, cbytes int) []byte {
	dst = append(dst, bloscVersion, bloscVersionLZ, byte(flags), byte(typesize))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(nbytes))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(blocksize))
	return binary.LittleEndian.AppendUint32(dst, uint32(cbytes))
}

// compress writes the compressed container; ok is false when it would
// not fit in len(src)+16 bytes (the caller then stores it memcpyed).
func (c *Blosc) compress(out, src []byte, flags, typesize, blocksize, shuffle int, split bool) ([]byte, bool, error) {
	nbytes := len(src)
	maxbytes := nbytes + bloscHeaderSize
	nblocks := (nbytes + blocksize - 1) / blocksize
	out = appendBloscHeader(out, flags, typesize, nbytes, blocksize, 0)
	tableAt := len(out)
	out = append(out, make([]byte, 4*nblocks)...)
	var filt, scratch []byte
	if shuffle != BloscNoShuffle {
		filt = make([]byte, 2*min(blocksize, nbytes))
	}
	for j := range nblocks {
		binary.LittleEndian.PutUint32(out[tableAt+4*j:], uint32(len(out)))
		block := src[j*blocksize : min((j+1)*blocksize, nbytes)]
		bsize := len(block)
		data := block
		switch shuffle {
		case BloscShuffle:
			if typesize > 1 {
				data = filt[:bsize]
				byteShuffle(data, block, typesize)
			}
		case BloscBitShuffle:
			data = filt[:bsize]
			bitShuffleBlock(data, block, filt[bsize:2*bsize], typesize)
		}
		nsplits := 1
		if split && bsize == blocksize && (nblocks*blocksize == nbytes || j < nblocks-1) {
			nsplits = typesize
		}
		neblock := bsize / nsplits
		for k := range nsplits {
			part := data[k*neblock : (k+1)*neblock]
			var err error
			scratch, err = c.inner(scratch[:0], part)
			if err != nil {
				return nil, false, err
			}
			stored := scratch
			if len(scratch) == 0 || len(scratch) >= neblock {
				stored = part // incompressible: raw, marked by length == neblock
			}
			if len(out)+4+len(stored) > maxbytes {
				return nil, false, nil
			}
			out = binary.LittleEndian.AppendUint32(out, uint32(len(stored)))
			out = append(out, stored...)
		}
	}
	binary.LittleEndian.PutUint32(out[12:], uint32(len(out)))
	return out, true, nil
}

var lz4HCCompressors sync.Map // clevel -> *sync.Pool of *lz4.CompressorHC

// inner compresses one stream with the codec's compressor, appending to
// dst.
func (c *Blosc) inner(dst, src []byte) ([]byte, error) {
	switch c.o.Cname {
	case "lz4":
		return lz4Block(dst, src)
	case "lz4hc":
		p, _ := lz4HCCompressors.LoadOrStore(c.o.Clevel, &sync.Pool{})
		pool := p.(*sync.Pool)
		comp, _ := pool.Get().(*lz4.CompressorHC)
		if comp == nil {
			// pierrec's levels are Level1 = 1<<9 ... Level9 = 1<<17.
			comp = &lz4.CompressorHC{Level: lz4.CompressionLevel(1 << (8 + c.o.Clevel))}
		}
		start := len(dst)
		dst = append(dst, make([]byte, lz4.CompressBlockBound(len(src)))...)
		n, err := comp.CompressBlock(src, dst[start:])
		pool.Put(comp)
		if err != nil {
			return nil, err
		}
		return dst[:start+n], nil
	case "zlib":
		return deflateEncode(false, c.o.Clevel, dst, src)
	case "zstd":
		// c-blosc maps clevel 1..8 to zstd level 2*clevel-1, 9 to the
		// maximum.
		level := 2*c.o.Clevel - 1
		if c.o.Clevel == 9 {
			level = 22
		}
		e, err := zstdEncoder(level, false)
		if err != nil {
			return nil, err
		}
		return e.EncodeAll(src, dst), nil
	case "snappy":
		return append(dst, s2.EncodeSnappy(nil, src)...), nil
	}
	return nil, fmt.Errorf("compressor %q: %w", c.o.Cname, ErrUnsupported)
}
