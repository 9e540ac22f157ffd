package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/zarr"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
)

// zarrComplete marks a finished store (a Setup killed half-way starts
// again).
const zarrComplete = ".blockwork-complete"

func init() {
	Workloads = append(Workloads, &Workload{
		Name: "zarr_read", Direct: true,
		Expr: "from_zarr(store).sum(): a random n x n float64 Zarr v2 store, zstd level 1, written by Blockwork",
		Sizes: map[Size]Dims{
			Tiny:   {N: 300, Chunk: 100},
			Small:  {N: 12000, Chunk: 2000}, // 1.15 GB in 36 chunks of 32 MB
			Medium: {N: 36000, Chunk: 4000}, // 10.4 GB in 81 chunks of 128 MB
		},
		Setup: zarrSetup,
		Inputs: func(d Dims) []*array.Array {
			x, err := zarr.Open(context.Background(), d.Path)
			if err != nil {
				return []*array.Array{array.Errored(err)}
			}
			return []*array.Array{x}
		},
		Outputs: func(d Dims, in []*array.Array) []*array.Array { return []*array.Array{in[0].Sum()} },
		Value:   scalar,
		Check: func(ctx context.Context, c Checker, d Dims, direct bool, out []*array.NDArray) error {
			got := scalar(out)
			if direct {
				// the generator the store was written from, summed
				r, err := c.Compute(ctx, random([]int{d.N, d.N}, d.Chunk).Sum())
				if err != nil {
					return err
				}
				if err := rel("sum of the generator", got, scalar(r), 1e-12); err != nil {
					return err
				}
			}
			return uniformSum("sum", got, sq(d.N))
		},
		// bytes read: the store's compressed chunks
		Bytes: func(d Dims) float64 {
			n, _ := dirBytes(d.Path)
			return float64(n)
		},
		Ceiling: func(ctx context.Context, d Dims) (float64, error) { return diskRead(ctx, d.Path) },
	})
}

// zarrSetup writes the store unless a complete one is there.
func zarrSetup(ctx context.Context, d Dims, opts []array.ComputeOption) error {
	if _, err := os.Stat(filepath.Join(d.Path, zarrComplete)); err == nil {
		return nil
	}
	if err := os.RemoveAll(d.Path); err != nil {
		return err
	}
	zs, err := codec.NewZstd(1)
	if err != nil {
		return err
	}
	w, err := zarr.Write(ctx, random([]int{d.N, d.N}, d.Chunk), d.Path, zarr.Compressor(zs))
	if err != nil {
		return err
	}
	if _, err := array.Compute(ctx, []*array.Array{w.Sum()}, opts...); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.Path, zarrComplete), nil, 0o644)
}

// dirBytes is the size of the files under dir.
func dirBytes(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		n += info.Size()
		return nil
	})
	return n, err
}

// diskRead is the disk's sequential read speed (GB/s) over the files
// under dir, read with O_DIRECT (past the page cache; Linux only, see
// oDirect) in 8 MiB requests.
func diskRead(ctx context.Context, dir string) (float64, error) {
	const bs = 8 << 20
	raw := make([]byte, bs+4096)
	off := int((4096 - uintptr(unsafe.Pointer(&raw[0]))%4096) % 4096)
	buf := raw[off : off+bs]
	var total int64
	start := time.Now()
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_RDONLY|oDirect, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		for {
			n, err := f.Read(buf)
			total += int64(n)
			if errors.Is(err, io.EOF) || (err == nil && n < bs) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
	})
	if err != nil {
		return 0, err
	}
	return float64(total) / time.Since(start).Seconds() / 1e9, nil
}
