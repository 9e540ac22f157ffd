package zarr

import (
	"fmt"
	"strings"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
)

// Option configures Open, Write and Save. Path and Chunks apply to all
// three; the others only to writing (Open rejects them).
type Option func(*config)

type config struct {
	path      string
	chunks    []array.Option
	hasChunks bool

	// writing only
	format     int
	compressor codec.Codec
	noCompress bool
	sep        string
	overwrite  bool
	fill       *float64
	skipEmpty  bool
	writeOnly  []string
}

// Path names the array inside the store's hierarchy ("group/array");
// the default is the store's root.
func Path(p string) Option { return func(c *config) { c.path = p } }

// Chunks sets the chunking: for Open, of the returned array (default:
// the store's chunks; any other chunking rechunks inside the read); for
// writing, the store's chunk grid, which must come out regular (all
// blocks equal per axis but a smaller last one).
func Chunks(opts ...array.Option) Option {
	return func(c *config) { c.chunks, c.hasChunks = opts, true }
}

// Format picks Zarr format 2 (the default) or 3 for writing.
func Format(v int) Option {
	return func(c *config) { c.format = v; c.writeOnly = append(c.writeOnly, "Format") }
}

// Compressor sets the chunks' compressor for writing (default: blosc,
// lz4, clevel 5, byte shuffle, as zarr-python). In format 3, codecs the
// v3 specification does not define (zlib, lz4) are written under
// zarr-python's "numcodecs.<id>" names. A nil codec means no
// compression.
func Compressor(cd codec.Codec) Option {
	return func(c *config) {
		c.compressor, c.noCompress = cd, cd == nil
		c.writeOnly = append(c.writeOnly, "Compressor")
	}
}

// Separator sets the chunk key separator for writing: "." (format 2's
// default, keys "0.1") or "/" (format 3's default, keys "c/0/1").
func Separator(s string) Option {
	return func(c *config) { c.sep = s; c.writeOnly = append(c.writeOnly, "Separator") }
}

// Overwrite lets writing replace an array or group at the path: every
// key under it is deleted first.
func Overwrite() Option {
	return func(c *config) { c.overwrite = true; c.writeOnly = append(c.writeOnly, "Overwrite") }
}

// FillValue sets the fill value for writing (default 0): the value of
// chunks that are missing. For integer and bool arrays it must be an
// integer in range (bool: 0 or 1).
func FillValue(v float64) Option {
	return func(c *config) { c.fill = &v; c.writeOnly = append(c.writeOnly, "FillValue") }
}

// SkipEmptyChunks makes writing store no chunk that equals the fill
// value everywhere (bit for bit, but any NaN matches a NaN fill value,
// as in zarr-python), deleting any old one instead; readers see the fill
// value there all the same.
func SkipEmptyChunks() Option {
	return func(c *config) { c.skipEmpty = true; c.writeOnly = append(c.writeOnly, "SkipEmptyChunks") }
}

func newConfig(opts []Option) (*config, error) {
	c := &config{}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	c.path = strings.Trim(c.path, "/")
	if c.path != "" {
		if err := storage.CheckKey(c.path); err != nil {
			return nil, fmt.Errorf("zarr: path %q: %w", c.path, err)
		}
	}
	return c, nil
}
