package npy

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/storage"
)

// Defaults and limits, all in one place.
const (
	// DefaultMaxHeaderBytes bounds the header dict a file may declare
	// (NumPy itself refuses more than 10000 bytes by default).
	DefaultMaxHeaderBytes = 1 << 20
	// DefaultRangeBytes is the largest single GetRange request a load
	// task makes on a non-local store; nearby runs of a block are merged
	// up to it.
	DefaultRangeBytes = 8 << 20
	// DefaultMaxInMemoryBytes bounds what Save and SaveNPZ assemble in
	// memory for a store without random-access writes (S3).
	DefaultMaxInMemoryBytes = 256 << 20
	// MaxNPZMembers bounds the members LoadNPZ accepts.
	MaxNPZMembers = 1 << 16
	// localWindow is the largest range of a local file a load task
	// reads at once into its scratch buffer.
	localWindow = 4 << 20
	// localGap is the largest hole between two runs of a local file read
	// in one pread.
	localGap = 16 << 10
	// preadRunBytes: runs at least this long that need no conversion
	// are read from a local file with pread straight into the block.
	preadRunBytes = 16 << 10
	// maxGapBytes is the largest hole between two runs merged into one
	// GetRange request.
	maxGapBytes = 64 << 10
)

// Option configures Load, LoadNPZ, Save and SaveNPZ.
type Option func(*config)

type config struct {
	chunks      []array.Option
	compute     []array.ComputeOption
	maxHeader   int
	rangeBytes  int64
	maxInMemory int64
}

func newConfig(opts []Option) (*config, error) {
	c := &config{maxHeader: DefaultMaxHeaderBytes, rangeBytes: DefaultRangeBytes, maxInMemory: DefaultMaxInMemoryBytes}
	for _, o := range opts {
		o(c)
	}
	if c.maxHeader < 1 || c.rangeBytes < 1 || c.maxInMemory < 0 {
		return nil, fmt.Errorf("npy: bad limits: MaxHeaderBytes %d, RangeBytes %d, MaxInMemoryBytes %d", c.maxHeader, c.rangeBytes, c.maxInMemory)
	}
	return c, nil
}

// Chunks sets the chunking of loaded arrays (default "auto", see
// array.ChunkBytes); with LoadNPZ it applies to every member.
func Chunks(opts ...array.Option) Option {
	return func(c *config) { c.chunks = append(c.chunks, opts...) }
}

// Compute passes options (an executor: array.On) to the computation that
// Save and SaveNPZ run.
func Compute(opts ...array.ComputeOption) Option {
	return func(c *config) { c.compute = append(c.compute, opts...) }
}

// MaxHeaderBytes bounds the header length a file may declare.
func MaxHeaderBytes(n int) Option { return func(c *config) { c.maxHeader = n } }

// RangeBytes bounds a single ranged read of a load task on a non-local
// store.
func RangeBytes(n int64) Option { return func(c *config) { c.rangeBytes = n } }

// MaxInMemoryBytes bounds the file Save and SaveNPZ assemble in memory
// for a non-local store.
func MaxInMemoryBytes(n int64) Option { return func(c *config) { c.maxInMemory = n } }

// splitURL opens the store holding the object a URL names and returns
// the object's key: "file:///dir/x.npy" and "dir/x.npy" (made absolute)
// are key "x.npy" of directory dir; "s3://bucket/p/x.npy" is key "x.npy"
// of store "s3://bucket/p".
func splitURL(url string) (storage.Store, string, error) {
	var dir, key string
	if scheme, rest, ok := strings.Cut(url, "://"); ok && scheme != "file" {
		i := strings.LastIndexByte(rest, '/')
		if i < 0 {
			return nil, "", fmt.Errorf("npy: url %q names no object inside a store", url)
		}
		dir, key = scheme+"://"+rest[:i], rest[i+1:]
	} else {
		p := strings.TrimPrefix(url, "file://")
		if p == "" {
			return nil, "", fmt.Errorf("npy: empty path")
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, "", fmt.Errorf("npy: %w", err)
		}
		dir, key = filepath.Dir(abs), filepath.Base(abs)
	}
	if err := storage.CheckKey(key); err != nil {
		return nil, "", fmt.Errorf("npy: url %q: %w", url, err)
	}
	st, err := storage.Open(dir)
	if err != nil {
		return nil, "", fmt.Errorf("npy: url %q: %w", url, err)
	}
	return st, key, nil
}
