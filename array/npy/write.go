package npy

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/funcs"
)

// writeArgs is the store task's argument blob.
type writeArgs struct {
	Path   string   `json:"path"`   // local file (created at full size) to pwrite into
	Offset int64    `json:"offset"` // first data byte in the file
	Descr  string   `json:"descr"`
	Shape  []int    `json:"shape"`
	CRC    *crcArgs `json:"crc,omitempty"`
}

// crcArgs asks a store task to record its block's share of the CRC-32
// of the zip member holding the array (SaveNPZ).
type crcArgs struct {
	Path  string `json:"path"`  // side file: one little-endian uint32 per block
	Slot  int64  `json:"slot"`  // this array's first slot
	Grid  []int  `json:"grid"`  // the array's block grid (slot = Slot + flat block index)
	Start int64  `json:"start"` // position of the data inside the member
	Len   int64  `json:"len"`   // member length
}

// Save writes x to url as a .npy file (see the package doc): blockwise
// into a temporary file renamed into place on success for a local path,
// in memory (up to MaxInMemoryBytes) for any other store.
func Save(ctx context.Context, x *array.Array, url string, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	if err := x.Err(); err != nil {
		return fmt.Errorf("npy: save %q: %w", url, err)
	}
	descr, err := descrOf(x.DType())
	if err != nil {
		return fmt.Errorf("npy: save %q: %w", url, err)
	}
	hdr := FormatHeader(descr, false, x.Shape())
	total := int64(len(hdr)) + int64(x.Size())*int64(x.DType().Size())
	st, key, err := splitURL(url)
	if err != nil {
		return err
	}
	d, ok := st.(*storage.Dir)
	if !ok {
		err = saveInMemory(ctx, st, key, total, cfg, func(buf []byte) error {
			nd, err := x.Compute(ctx, cfg.compute...)
			if err != nil {
				return err
			}
			copy(buf, hdr)
			copy(buf[len(hdr):], nd.Data)
			return nil
		})
		if err != nil {
			return fmt.Errorf("npy: save %q: %w", url, err)
		}
		return nil
	}
	err = saveLocal(d, key, total, func(tmp *os.File) error {
		if _, err := tmp.WriteAt(hdr, 0); err != nil {
			return err
		}
		return nil
	}, func(tmp string) error {
		a := writeArgs{Path: tmp, Offset: int64(len(hdr)), Descr: descr, Shape: x.Shape()}
		return storeAll(ctx, cfg, []*array.Array{x}, []writeArgs{a})
	})
	if err != nil {
		return fmt.Errorf("npy: save %q: %w", url, err)
	}
	return nil
}

// saveInMemory assembles a whole file of total bytes with fill and Puts
// it, if total is within the in-memory limit.
func saveInMemory(ctx context.Context, st storage.Store, key string, total int64, cfg *config, fill func(buf []byte) error) error {
	if total > cfg.maxInMemory {
		return fmt.Errorf("%s has no random-access writes and the file would be %d bytes, over MaxInMemoryBytes (%d): save to a local path", st.URL(), total, cfg.maxInMemory)
	}
	buf := make([]byte, total)
	if err := fill(buf); err != nil {
		return err
	}
	return st.Put(ctx, key, buf)
}

// saveLocal creates a temporary file of total bytes beside the target,
// lets prepare write into it (headers), closes it, runs the store tasks
// (write, given its path), and renames it over the target; on any
// failure the temporary file is removed.
func saveLocal(d *storage.Dir, key string, total int64, prepare func(*os.File) error, write func(tmp string) error) (err error) {
	p, err := d.Path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(p)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	err = f.Truncate(total)
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp makes 0600; a saved array is an ordinary file
	}
	if err == nil {
		err = prepare(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// storeAll runs the store tasks of every array together and checks that
// each wrote all its bytes.
func storeAll(ctx context.Context, cfg *config, xs []*array.Array, args []writeArgs) error {
	sums := make([]*array.Array, len(xs))
	for i, x := range xs {
		raw, err := json.Marshal(args[i])
		if err != nil {
			return err
		}
		sums[i] = array.Store(x, WriterName, raw).Sum()
	}
	nds, err := array.Compute(ctx, sums, cfg.compute...)
	if err != nil {
		return err
	}
	for i, nd := range nds {
		want := int64(xs[i].Size()) * int64(xs[i].DType().Size())
		if got := nd.Int64s(); len(got) != 1 || got[0] != want {
			return fmt.Errorf("store tasks wrote %v bytes of %d", got, want)
		}
	}
	return nil
}

// writeBlock is the "npy.write" writer: it pwrites block b's runs at
// their offsets of a C-order file that already has its full size.
func writeBlock(ctx context.Context, raw []byte, b funcs.Block, src []byte) (n int64, err error) {
	var a writeArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return 0, fmt.Errorf("npy.write: bad arguments: %w", err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("npy.write %s block %v: %w", a.Path, b.Index, err)
		}
	}()
	t, err := checkBlockShape(a.Descr, a.Shape, b, len(src))
	if err != nil {
		return 0, err
	}
	if t.size != b.DType.Size() || t.big {
		return 0, fmt.Errorf("descr %s cannot hold a %v block as it is", a.Descr, b.DType)
	}
	es := int64(t.size)
	f, err := os.OpenFile(a.Path, os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	need, ok := shapeBytes(a.Shape, t.size)
	if !ok || a.Offset < 0 || st.Size()-need < a.Offset {
		return 0, fmt.Errorf("file of %d bytes cannot hold shape %v of %s at %d", st.Size(), a.Shape, a.Descr, a.Offset)
	}
	plan := newRunPlan(a.Shape, b.Start, b.Shape)
	runBytes := plan.runElems * es
	var share crcShare
	for r := int64(0); r < plan.nRuns; r++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		run := src[r*runBytes : (r+1)*runBytes]
		off := plan.offset(r) * es
		if _, err := f.WriteAt(run, a.Offset+off); err != nil {
			return 0, err
		}
		if a.CRC != nil {
			share.add(crc32.ChecksumIEEE(run), a.CRC.Start+off+runBytes)
		}
	}
	if a.CRC != nil {
		if err := writeShare(a.CRC, b.Index, share.share(a.CRC.Len)); err != nil {
			return 0, err
		}
	}
	return int64(len(src)), nil
}

// writeShare records a block's CRC share in its slot of the side file.
func writeShare(c *crcArgs, index []int, share uint32) error {
	if len(index) != len(c.Grid) {
		return fmt.Errorf("block index %v for a grid %v", index, c.Grid)
	}
	for i, g := range c.Grid {
		if index[i] < 0 || index[i] >= g {
			return fmt.Errorf("block index %v outside the grid %v", index, c.Grid)
		}
	}
	f, err := os.OpenFile(c.Path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	var w [4]byte
	binary.LittleEndian.PutUint32(w[:], share)
	_, err = f.WriteAt(w[:], 4*(c.Slot+int64(chunks.Ravel(index, c.Grid))))
	return errors.Join(err, f.Close())
}
