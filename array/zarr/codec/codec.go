package codec

// Codec is one bytes-to-bytes stage of a chunk's encoding: a compressor
// (zstd, gzip, zlib, lz4, blosc) or a checksum (crc32c). Implementations
// are safe for concurrent use by many goroutines.
type Codec interface {
	// Encode returns the encoded form of src, appended to dst[:0] when
	// dst has room (pass nil to allocate).
	Encode(dst, src []byte) ([]byte, error)
	// Decode returns the decoded form of src, appended to dst[:0]. size
	// is the expected decoded length when the caller knows it (a chunk's
	// byte size), or -1; a codec whose output would exceed a known size,
	// or a corrupt input, returns an error, never a panic, and never
	// allocates more than size (or, for size -1, than the codec's own
	// header says, capped by MaxDecoded).
	Decode(dst, src []byte, size int) ([]byte, error)
	// Name is a short description for errors ("blosc(lz4, shuffle)").
	Name() string
}

// MaxDecoded caps any single decoded buffer (a header claiming 2^60
// bytes is an error, not an allocation).
const MaxDecoded = 1 << 34
