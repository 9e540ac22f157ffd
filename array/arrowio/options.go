package arrowio

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/array"
)

// Limits on sizes read from files and on buffered writes, checked before
// any allocation they would cause.
const (
	// MaxFooterBytes bounds an IPC file footer or a Parquet footer.
	MaxFooterBytes = 64 << 20
	// MaxBatchBytes bounds the body of one IPC record batch and the
	// decoded bytes of one block (record batch or row group) of a read.
	MaxBatchBytes = 1 << 30
	// MaxBufferedWrite bounds a file written to a store other than a
	// local directory (built in memory, then Put).
	MaxBufferedWrite = 2 << 30
)

// Defaults of the options.
const (
	DefaultBatchBytes = 64 << 20
	DefaultGroupBytes = 128 << 20
)

// Option configures a read or a write; each says where it applies.
type Option func(*config)

type config struct {
	columns     []string
	batchBytes  int64
	groupBytes  int64
	compression string
	compute     []array.ComputeOption
	err         error
}

func newConfig(opts []Option) (*config, error) {
	c := &config{batchBytes: DefaultBatchBytes, groupBytes: DefaultGroupBytes, compression: "none"}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	return c, nil
}

// Columns names columns. Reads: the columns to read (ReadParquet, in
// this order) or the one column to read (IPC). WriteParquet: the names of
// the written columns, one per column of x.
func Columns(names ...string) Option {
	return func(c *config) {
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" {
				c.err = fmt.Errorf("arrowio: Columns: empty column name")
			}
			if seen[n] {
				c.err = fmt.Errorf("arrowio: Columns: column %q named twice", n)
			}
			seen[n] = true
		}
		c.columns = append([]string(nil), names...)
	}
}

// BatchBytes bounds the bytes of one record batch (IPC) or row group
// (Parquet) when writing (default DefaultBatchBytes): each block of axis
// 0 is split into pieces no larger, of at least one row.
func BatchBytes(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			c.err = fmt.Errorf("arrowio: BatchBytes(%d): must be positive", n)
		}
		c.batchBytes = n
	}
}

// GroupBytes bounds the bytes of bands computed together when writing
// (default DefaultGroupBytes); a group holds at least one band.
func GroupBytes(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			c.err = fmt.Errorf("arrowio: GroupBytes(%d): must be positive", n)
		}
		c.groupBytes = n
	}
}

// Compression sets the codec of written files: "none" (default), "lz4"
// or "zstd" for IPC; "none", "snappy", "zstd", "gzip" or "lz4" (LZ4_RAW)
// for Parquet. Reads decompress whatever the file uses.
func Compression(codec string) Option {
	return func(c *config) { c.compression = codec }
}

// ComputeWith passes options (an executor with array.On, progress) to the
// computations of a write.
func ComputeWith(opts ...array.ComputeOption) Option {
	return func(c *config) { c.compute = append(c.compute, opts...) }
}
