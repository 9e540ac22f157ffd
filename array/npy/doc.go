// Package npy reads and writes NumPy's .npy files and .npz archives
// blockwise: every chunk of a loaded array is read by its own load task,
// and every chunk of a saved array is written by its own store task, so
// no process ever holds a whole file.
//
// It owns the .npy format (the magic string, header versions 1.0, 2.0 and
// 3.0, and a strict parser for exactly the header dict NumPy writes:
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }), the
// mapping between NumPy dtypes and graph.DType, and the zip layout of
// .npz archives. It takes URLs ("file:///dir/x.npy", a plain path, or a
// "scheme://bucket/prefix/x.npy" of any store package storage opens) and
// lazy *array.Array values; it hands on lazy arrays built with
// array.FromBlocks (loader "npy.read") and runs array.Store (writer
// "npy.write") to write. Both functions are registered in init, and
// their argument blobs (JSON) name a store URL and offsets, never memory,
// so any worker process can run the tasks.
//
// # Reading
//
// Load parses the header, checks it against the file size (the data must
// be exactly shape x itemsize bytes: "truncated" when shorter, "trailing
// bytes" when longer, so a header claiming 2^60 elements is an error
// before anything is allocated) and returns a lazy array. A block of a
// local file is read with pread: runs of 16 KiB or more that need no
// conversion straight into the block, shorter ones in ranges of nearby
// runs (holes up to 16 KiB, ranges up to 4 MiB) through a scratch
// buffer. (Memory-mapped reads were measured first and dropped: on the
// development VM page faults made sums of a 4 GiB file 10-19x slower
// than pread, with a higher peak RSS; see BenchmarkSumFile.) On any
// other store through Store.GetRange, with nearby runs merged into one request
// of at most RangeBytes. C-order files are read as runs of contiguous
// elements; Fortran-order files are read as the C-order transpose and
// transposed in memory per block (correct, a little slower, and a load
// task then holds its block twice).
//
// Dtypes: '|b1' -> Bool, '<i4' -> Int32, '<i8' -> Int64, '<f4' ->
// Float32, '<f8' -> Float64; big-endian ('>') variants are byte-swapped
// on load. Narrower integers are widened losslessly: int8, int16, uint8,
// uint16 -> Int32 and uint32 -> Int64 (so saving such an array back
// writes '<i4' / '<i8'). Everything else (uint64, float16, complex,
// strings, objects, datetimes, structured dtypes) is a clear error. Bool
// bytes other than 0 load as 1.
//
// # Writing
//
// Save writes a version 1.0 header (2.0 if the header would not fit 1.0's
// 16-bit length) padded so the data starts at a multiple of 64 bytes, as
// NumPy does, and always C order with little-endian data. On a local
// directory it creates a temporary file beside the target at full size,
// writes the header, lets each store task pwrite its block at its
// offsets, and renames the file into place only after every task has
// succeeded; on any failure the temporary file is removed and the target
// is untouched. The temporary file's path is in the task arguments, so a
// cluster whose workers write must share that file system. On any other
// store (no pwrite there) Save computes the array in memory and Puts it
// when it is at most MaxInMemoryBytes (default 256 MiB), and is an error
// otherwise.
//
// # .npz archives
//
// LoadNPZ lists the archive (archive/zip, zip64 included) and loads each
// "<name>.npy" member as Load would. Stored members (np.savez) are read
// blockwise at their offset inside the zip. Deflated members
// (np.savez_compressed) cannot be entered in the middle: each block
// decompresses the member as a stream from its start up to the block's
// last byte, keeping only its own bytes, so memory stays one block but a
// member of B blocks costs up to B partial decompressions (choose large
// chunks for compressed members). CRC-32s are not checked on load
// (blockwise reads never see a whole member).
//
// SaveNPZ writes stored members, as np.savez does, with zip64 fields on
// every entry (as NumPy's force_zip64). The layout is fixed before any
// data is written, each store task pwrites its block into the temporary
// archive and records its block's CRC-32 contribution (CRC-32 is linear,
// so each block's runs are combined at their distance from the member's
// end) in a small side file; after all tasks succeed the contributions
// are XORed per member and patched into the headers, then the archive is
// renamed into place. Non-local stores assemble in memory under the same
// limit as Save.
//
// Every size read from a file is checked against the limits of Options
// before anything is allocated; bad input gives errors, never panics.
package npy
