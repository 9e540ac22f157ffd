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
// Open understands "file:///abs/path", a plain path, and
// "s3://bucket/prefix" (the S3 client is configured once per process with
// ConfigureS3; cmd/ reads the usual AWS_* variables for it).
package storage
