// Package zarr reads and writes Zarr arrays (format 2 and format 3)
// blockwise: every block of a Blockwork array is read, or written, by its
// own task, in whichever process runs it, straight from and to the store.
// No array passes whole through one process.
//
// It owns the Zarr formats: metadata (v2 ".zarray", v3 "zarr.json"),
// chunk keys, the chunk encoding pipeline (order/transpose, endianness,
// compressors, v3 sharding) and the mapping from Zarr dtypes to
// Blockwork's. It takes a store URL (package array/storage: a local
// directory, "file:///...", or "s3://bucket/prefix"), the byte codecs of
// package array/zarr/codec, and Blockwork arrays; it hands on lazy arrays
// (array.FromBlocks with the loader "zarr.read") and lazy write results
// (array.Store with the writer "zarr.write"). Both functions are
// registered in this package's init, so any process that imports it can
// run the tasks; their argument blobs (JSON) hold the store URL, the
// array's path and its parsed metadata, nothing else.
//
// # Reading
//
// Open reads and checks the metadata at once (unsupported dtypes,
// codecs, chunk grids or key encodings are errors from Open, never from
// a later Compute) and returns an array chunked like the store, or as
// the Chunks option asks. A block is read by decoding every stored chunk
// that overlaps it (each once) and copying the overlap, so a chunking
// different from the store's is a rechunk inside the read, as in Dask's
// from_zarr. A block that is exactly one stored chunk, stored as the
// block wants it, is decoded straight into the block's buffer; where the
// store can stream an object (a local directory, storage.Streamer) and
// the chunk's one codec can decode as it reads (codec.StreamDecoder:
// zstd frames of raw and RLE blocks, what incompressible data such as
// random floats encodes to), the file's bytes go into the block with no
// buffer for the encoded chunk at all. Other chunks are read whole into
// a pooled scratch buffer first. A missing chunk reads as the fill value
// (a null v2 fill_value reads as zero). Edge chunks are stored full
// size, as the specification says; only their part inside the array is
// used.
//
// Dtypes: bool, int32, int64, float32 and float64 read as themselves.
// Smaller integers are widened losslessly: int8, int16, uint8 and uint16
// read as Int32, uint32 as Int64. uint64, float16, complex, datetime,
// string, object and structured dtypes are errors. Big-endian data ('>'
// in v2, the bytes codec's "endian": "big" in v3) is byte-swapped.
//
// Layouts: v2 order "C" and "F"; v3 "transpose" (any permutation, also
// several composed) and "bytes" codecs; the bytes-to-bytes codecs of
// package codec (blosc, zstd, gzip, zlib, lz4 in v2; blosc, gzip, zstd,
// crc32c and zarr-python's "numcodecs.zlib", "numcodecs.lz4" and the
// like in v3); v3 "sharding_indexed" (index at the end or the start,
// index codecs "bytes" and "crc32c", inner chunks with any supported
// pipeline; a transpose before sharding is not supported). v2 filters
// are supported where package codec has them (shuffle, crc32c and the
// compressors; not delta, fixedscaleoffset and the like); v3 storage
// transformers are not. Chunk keys: v2
// dimension_separator "." or "/"; v3 chunk_key_encoding "default"
// ("c/0/1", or "c.0.1") and "v2" ("0.1" or "0/1").
//
// # Writing
//
// Write checks the target, writes the metadata (one atomic Put, before
// any chunk; parent groups get their group metadata when missing) and
// returns the lazy write: one task per chunk through array.Store, each
// encoding its chunk (C order, little-endian, the compressor; an edge
// chunk padded to full size with the fill value) and Putting it, which is
// atomic per key, so a failed task leaves no partial chunk behind. Save
// is Write followed by Compute. The default is format 2, blosc lz4
// (clevel 5, byte shuffle), fill value 0, separator "." (v3: "/"), and
// the chunks of x when they are regular (all equal but a smaller last one
// per axis); otherwise, or when Chunks asks for another grid, x is
// rechunked to a regular grid first (per axis the largest of x's block
// sizes). Every chunk is written, also one equal to the fill value
// everywhere, unless SkipEmptyChunks is given (then such a chunk is
// deleted instead, as zarr-python's write_empty_chunks=False does). An
// existing array or group at the path is an error unless Overwrite is
// given, which deletes every key under the path first (at the store's
// root: every key of the store).
//
// Open's load tasks are named by their arguments (store URL, path,
// metadata), so opening the same unchanged array twice gives the same
// layer; data rewritten in place under the same metadata is not noticed
// by arrays opened (or persisted) before.
//
// # Limits
//
// Metadata documents above MaxMetadataBytes, more than MaxDims axes,
// shapes above array.MaxBytes and decoded chunks above MaxChunkBytes are
// errors, checked before anything is allocated.
package zarr
