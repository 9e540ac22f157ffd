// Package arrowio reads and writes Blockwork arrays as Apache Arrow IPC
// files and streams and as Parquet files, blockwise: a read is one load
// task per record batch (IPC) or row group (Parquet), each reading only
// its own byte ranges from the store; a write computes the array band by
// band along the first axis and appends the bands, in order, from one
// writer.
//
// It takes an *array.Array (writes) or a URL of package storage (reads:
// "file:///dir/x.arrow", a plain path, "s3://bucket/prefix/x.parquet"),
// and hands on lazy arrays made by array.FromBlocks with the loaders it
// registers in package funcs at init: "arrowio.read_ipc" and
// "arrowio.read_parquet". Their argument blobs (JSON) name the store URL,
// the key and the file's size and footer position, so any process that
// links this package can run the tasks. The file's directory is the store
// and its base name the key.
//
// # IPC layout
//
// An N-d array (N >= 1) is a table of shape[0] rows with one
// non-nullable column "x":
//
//   - N = 1: a primitive column of the array's dtype (bool, int32, int64,
//     float32, float64; Arrow bool is bit-packed, Blockwork bool is a byte).
//   - N >= 2: FixedSizeList<dtype>[prod(shape[1:])], row i holding
//     x[i, ...] in C order (child field "item", non-nullable).
//
// The schema metadata records "blockwork.shape" (JSON array of ints),
// "blockwork.dtype" (NumPy name) and "blockwork.chunks" (JSON array of
// arrays: the written chunks, axis 0 being the record batch row counts).
// There is one record batch per band: each block of axis 0, split into
// pieces of at most BatchBytes (default 64 MiB, at least one row). Other
// Arrow readers (pyarrow, polars) see plain rows.
//
// Reading takes the column named by Columns, else the only column, else
// the column "x". A primitive column is a 1-d array; a FixedSizeList of
// width w is (rows, w), or the trailing shape of "blockwork.shape" when
// that metadata agrees with w, the row count and the dtype. Chunks along
// axis 0 are the record batches' row counts (irregular chunks are fine),
// the trailing axes are whole: Rechunk afterwards if you want them split.
// The row counts come from "blockwork.chunks" when it has one entry per
// batch (checked against the first batch's header), else from each
// batch's message header (a small range read per batch when the array is
// opened); a load task checks its batch's row count either way.
// ReadIPCStream has no footer to seek with: it reads the whole stream
// into memory (about three times its decoded size at the peak) and
// returns a literal array.
//
// # Parquet layout
//
// ReadParquet reads columns of a flat Parquet file as a 2-d array of
// shape (rows, ncols), column j being x[:, j], chunked by row groups along
// axis 0 and whole along axis 1. The columns are those named by Columns,
// else every top-level column whose type maps to a Blockwork dtype (bool
// and numeric, see below; strings, dates, decimals and nested columns are
// skipped). Their dtypes are promoted to one by graph.Promote (NumPy's
// rules: int32 with float32 is float64). WriteParquet writes a 2-d array
// of at least one column
// as one row group per band (as for IPC), columns "c0", "c1", ... or the
// names given by Columns.
//
// # Dtypes and nulls
//
// Arrow and Parquet types map to dtypes as the rest of the project does:
// bool, int32, int64, float32 and float64 as themselves; int8, int16,
// uint8 and uint16 widen to int32; uint32 widens to int64. uint64,
// float16, decimals, strings, binary, temporal, dictionary-encoded and
// nested types (other than the FixedSizeList column above) are errors
// naming the column and its type.
//
// A null becomes NaN when the array's dtype is float32 or float64 (a
// float column, or an integer column promoted to float with others in a
// Parquet read); in a bool or integer array a null is an error naming the
// column and the batch or row group. A null FixedSizeList row is a row of
// NaN.
//
// # Writing
//
// WriteIPCFile, WriteIPCStream and WriteParquet compute the bands with
// Compute on slices of x (options ComputeWith pass array.ComputeOptions,
// such as array.On), a group of bands of up to GroupBytes (default 128
// MiB) at a time, in parallel over the group's blocks, while the previous
// group is encoded and written: about two groups are in memory at once,
// never the whole array. A band that splits a block of x recomputes
// that block's inputs for each piece; Persist x first when that is
// costly. An IPC or Parquet file must be written sequentially by one
// writer (the footer lists every batch), which is why writes are not
// store tasks.
//
// To a local directory a file is written beside the target under a
// temporary name and renamed over it when complete (all or nothing, like
// storage.Put). Other stores have only whole-object Put, so the file is
// built in memory, up to MaxBufferedWrite bytes, and Put at the end.
//
// # Limits
//
// Sizes read from a file are checked before anything is allocated: an
// IPC or Parquet footer larger than MaxFooterBytes, a record batch body
// or column chunk, or the decoded bytes of one block, larger than
// MaxBatchBytes, block ranges outside the file, more batches than
// array.MaxBlocks, a shape whose byte count overflows, row counts an
// uncompressed body cannot hold, or metadata that disagrees with the data
// are errors, never panics. arrow-go sizes some allocations by vector
// lengths it does not check (a corrupt schema can ask it for terabytes,
// which no recover catches), so every IPC footer and message is first
// walked by this package's own bounds-checked FlatBuffers reader
// (flatbuf.go), and messages reach arrow-go through a checking
// ipc.MessageReader (ipcmsg.go). Other panics raised inside the Arrow
// library by malformed data are recovered and returned as errors.
//
// A load task reads the footer (IPC: one range; Parquet: the tail and
// the footer) and then only its own batch (one range, decoded without a
// copy) or its row group's column chunks (one range each). The footer is
// re-read by every task, so a file of very many batches or row groups
// pays that many times its footer size in reads.
package arrowio
