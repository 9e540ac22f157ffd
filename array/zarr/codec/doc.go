// Package codec holds the byte codecs of Zarr chunks: zstd, gzip, zlib,
// lz4, blosc (its container format, byte and bit shuffle, with the lz4,
// lz4hc, zstd, zlib, snappy and, for decoding only, blosclz inner
// compressors), the numcodecs "shuffle" filter and crc32c, built on
// pure-Go libraries (klauspost/compress, pierrec/lz4) so the default
// build needs no cgo.
//
// It takes codec configurations as Zarr v2 writes them (numcodecs JSON
// objects with an "id": FromV2) and as Zarr v3 writes them (a name and a
// configuration object: FromV3), and hands package zarr a Codec for each.
// Blosc needs the array's item size to shuffle when encoding: FromV2
// takes it as an optional argument, FromV3 from the configuration or its
// argument. V2Config and V3Config give the metadata back for a codec made
// here (NewBlosc, NewZstd, NewGzip, NewZlib, NewLZ4, NewCRC32C,
// NewShuffle), so package zarr can write what it read and what it made.
//
// # Formats
//
//   - zstd: one or more zstd frames (Decode); one frame that records its
//     content size (Encode: numcodecs cannot decode a frame without it).
//     Frames of raw and RLE blocks only, without checksum or dictionary,
//     also decode from a reader as it is read (DecodeStream, the
//     StreamDecoder interface), so a caller need not hold them whole;
//     any other input says ErrNeedWhole and goes through Decode.
//   - gzip, zlib: RFC 1952 and RFC 1950 streams.
//   - lz4 (numcodecs): a 4-byte little-endian decoded size, then one LZ4
//     block.
//   - crc32c (Zarr v3): the data, then its 4-byte little-endian CRC-32C
//     (Castagnoli); Decode verifies and strips it.
//   - blosc: the Blosc 1.x container: a 16-byte header, a block-start
//     table, per block one stream or typesize split streams, each
//     prefixed by its int32 compressed length and stored raw when that
//     equals its decoded length; memcpyed containers; a byte or bit
//     shuffle per block (a block is bit-shuffled only when its element
//     count is a multiple of 8, as c-blosc 1.x does; bytes past the last
//     whole element stay in place). Encode writes what c-blosc 1.21
//     writes by default: format version 2, its block-size rule, streams
//     split for every inner compressor but zstd when typesize <= 16 (the
//     tests check both against numcodecs). The blosclz inner compressor
//     (c-blosc's own) is decoded, not encoded: Encode with it gives an
//     error naming it.
//
// # Limits
//
// Every length read from input (a blosc header's sizes, its block table
// and stream lengths, an lz4 size prefix, a zstd frame's content size) is
// checked before anything is allocated: against the input's own size
// (including how far the inner compressor could expand what is there),
// against the size the caller expects, and against MaxDecoded. Corrupt or
// truncated input gives an error wrapping ErrCorrupt (ErrTooLarge for a
// size over a limit), never a panic. Unknown codec ids and unsupported
// parameters give errors wrapping ErrUnsupported that name them.
package codec
