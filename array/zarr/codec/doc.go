// Package codec holds the byte codecs of Zarr chunks: zstd, gzip, zlib,
// lz4 and blosc (its container format, byte- and bit-shuffle, with the
// lz4, lz4hc, zstd, zlib, snappy and (decode only) blosclz inner
// compressors), the numcodecs
// "shuffle" filter, and crc32c, built on pure-Go libraries
// (klauspost/compress, pierrec/lz4) so the default build needs no cgo.
//
// It takes codec configurations as Zarr v2 writes them (numcodecs JSON
// objects with an "id": FromV2) and as Zarr v3 writes them (a name and a
// configuration object: FromV3), and hands package zarr a Codec for each;
// V2Config and V3Config give the metadata back for a codec made here
// (NewBlosc, NewZstd, NewGzip, NewZlib, NewLZ4, NewCRC32C, NewShuffle), so
// package zarr can write what it read and write what it made.
//
// # Formats
//
//   - zstd: one or more zstd frames (Decode) / one frame with its content
//     size (Encode; numcodecs needs the size in the frame header).
//   - gzip, zlib: RFC 1952 / RFC 1950 streams.
//   - lz4 (numcodecs): a 4-byte little-endian decoded size, then one LZ4
//     block.
//   - crc32c (Zarr v3): the data, then its 4-byte little-endian CRC-32C
//     (Castagnoli); Decode verifies and strips it.
//   - blosc: the Blosc 1.x container (16-byte header, block-start table,
//     per block one stream or typesize split streams, each prefixed by its
//     int32 compressed length and stored raw when that length equals its
//     decoded length; memcpyed containers; byte shuffle or bit shuffle per
//     block, bytes past the last whole element left in place). Encode
//     writes what c-blosc 1.21 writes by default (format version 2, its
//     block-size rule, streams split for every inner compressor but zstd
//     when typesize <= 16), so numcodecs and every c-blosc >= 1.11 read it.
//     The blosclz inner compressor (c-blosc's own) is decoded but not
//     encoded: Encode with it gives an error naming it.
//
// # Limits
//
// Every length read from input (a blosc header's sizes and block table,
// an lz4 size prefix, a zstd frame's content size) is checked against the
// input's own size, against the size the caller expects and against
// MaxDecoded before anything is allocated; corrupt or truncated input
// gives an error wrapping ErrCorrupt (or ErrTooLarge for a size over the
// limit), never a panic. Unknown codec ids and unsupported parameters give
// errors wrapping ErrUnsupported that name them.
package codec
