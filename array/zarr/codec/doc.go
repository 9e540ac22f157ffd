// Package codec holds the byte codecs of Zarr chunks: zstd, gzip, zlib,
// lz4 and blosc (its container format, byte- and bit-shuffle, with the
// lz4, lz4hc, zstd and zlib inner compressors), and crc32c, built on
// pure-Go libraries (klauspost/compress, pierrec/lz4) so the default
// build needs no cgo.
//
// It takes codec configurations as Zarr v2 writes them (numcodecs JSON
// objects with an "id") and as Zarr v3 writes them (a name and a
// configuration object), and hands package zarr a Codec for each.
package codec
