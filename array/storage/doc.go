// Package storage is the small key-value interface the array formats
// (zarr, npy, arrow) read and write through: a local directory or an
// S3-compatible bucket, named by a URL so that any process running a load
// or store task can reopen the same store.
//
// Keys are '/'-separated relative paths ("data/.zarray", "data/0.1").
// Put is atomic per key: a reader sees the old object or the new one,
// never part of one (a directory writes a temporary file and renames it;
// S3 objects are atomic by nature), and a failed Put leaves nothing
// behind. Missing keys give errors wrapping ErrNotFound.
//
// Readers of many objects can avoid an allocation per object where a
// store allows: Appender reads an object into the caller's buffer,
// Streamer hands it out as a stream to decode as it arrives (Dir has
// both; S3 neither).
//
// Open understands "file:///abs/path", a plain path, and
// "s3://bucket/prefix" (the S3 client is configured once per process with
// ConfigureS3; cmd/ reads the usual AWS_* variables for it).
//
// # S3
//
// S3 (s3.go) maps key k to the object "prefix/k" of its bucket, using
// github.com/minio/minio-go. Get is one GET, GetRange one ranged GET whose
// Content-Range total is checked (a range past the end is an error, never
// a short read), Size one HEAD, Put one PUT with the length known (a
// multipart upload above the client's 16 MiB part size, also atomic), List
// a recursive listing. Stores opened with equal S3Configs share one client
// and its connections, so opening a store per task is cheap.
//
// Limits: one Get, GetRange or Put moves at most MaxObjectBytes (4 GiB);
// the size is checked before anything is allocated. Larger objects can be
// read in ranges.
//
// Errors: a missing key wraps ErrNotFound; rejected credentials or denied
// access wrap ErrAuth; a missing bucket is neither (it is a configuration
// mistake, and treating it as "no such chunk" would hide it). All name the
// store URL and the endpoint.
//
// MinIO (the test server, package s3test) differs from AWS S3 in two ways
// callers may meet: beside an object "a", objects under "a/" can be put
// and read but are not listed, and it refuses listing prefixes
// with ".", ".." or empty segments (List asks for the part before them
// and filters itself).
package storage
