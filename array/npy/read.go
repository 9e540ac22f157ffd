package npy

import (
	"context"
	"encoding/json"
	"fmt"
	"math/bits"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/funcs"
)

// LoaderName and WriterName are the names of the package's block
// functions in package funcs.
const (
	LoaderName = "npy.read"
	WriterName = "npy.write"
)

func init() {
	funcs.MustRegisterLoader(LoaderName, loadBlock)
	funcs.MustRegisterWriter(WriterName, writeBlock)
}

// readArgs is the load task's argument blob: everything a process needs
// to read any block.
type readArgs struct {
	URL     string    `json:"url"`    // store URL (storage.Open)
	Key     string    `json:"key"`    // object key in the store
	Size    int64     `json:"size"`   // object size at Load time
	Offset  int64     `json:"offset"` // first data byte in the object (or in the inflated member)
	End     int64     `json:"end"`    // one past the last data byte, counted as Offset
	Descr   string    `json:"descr"`
	Fortran bool      `json:"fortran,omitempty"`
	Shape   []int     `json:"shape"`
	Range   int64     `json:"range"` // largest ranged read (non-local stores)
	Deflate *deflated `json:"deflate,omitempty"`
}

// deflated locates a deflate-compressed .npz member.
type deflated struct {
	Offset int64 `json:"offset"` // first compressed byte in the object
	CSize  int64 `json:"csize"`  // compressed bytes
	USize  int64 `json:"usize"`  // inflated bytes (header and data)
}

// Load opens the .npy file url names and returns it as a lazy array: the
// header is read and checked now, each block's bytes when a computation
// needs that block.
func Load(ctx context.Context, url string, opts ...Option) (*array.Array, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	st, key, err := splitURL(url)
	if err != nil {
		return nil, err
	}
	size, err := st.Size(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("npy: load %q: %w", url, err)
	}
	h, err := readHeaderAt(ctx, st, key, 0, size, cfg.maxHeader)
	if err != nil {
		return nil, fmt.Errorf("npy: load %q: %w", url, err)
	}
	x, err := fromHeader(h, readArgs{URL: st.URL(), Key: key, Size: size, Offset: h.DataOffset}, size, cfg)
	if err != nil {
		return nil, fmt.Errorf("npy: load %q: %w", url, err)
	}
	return x, nil
}

// readHeaderAt reads and parses the header of the .npy data starting at
// base in object key, of which avail bytes belong to it.
func readHeaderAt(ctx context.Context, st storage.Store, key string, base, avail int64, maxHeader int) (*Header, error) {
	pre, err := st.GetRange(ctx, key, base, min(avail, 12))
	if err != nil {
		return nil, err
	}
	_, _, off, err := ReadPrelude(pre, maxHeader)
	if err != nil {
		return nil, err
	}
	if off > avail {
		return nil, formatErr("truncated: the header needs %d bytes, the file has %d", off, avail)
	}
	hb, err := st.GetRange(ctx, key, base, off)
	if err != nil {
		return nil, err
	}
	return ParseHeader(hb, maxHeader)
}

// shapeBytes is the byte size of an array of shape with es-byte
// elements; ok is false when it exceeds array.MaxBytes (a zero-size
// shape is 0 bytes whatever its other axes).
func shapeBytes(shape []int, es int) (n int64, ok bool) {
	total := uint64(es)
	over := false
	for _, s := range shape {
		if s < 0 {
			return 0, false
		}
		if s == 0 {
			return 0, true
		}
		hi, lo := bits.Mul64(total, uint64(s))
		over = over || hi != 0 || lo > uint64(array.MaxBytes)
		total = lo
	}
	if over {
		return 0, false
	}
	return int64(total), true
}

// dataBytes checks the header's shape and returns the byte size of the
// data it declares, checking it against avail (the bytes of the file or
// member): a header claiming more than the file holds is "truncated",
// one claiming less leaves "trailing bytes".
func dataBytes(h *Header, t diskType, avail int64) (int64, error) {
	have := avail - h.DataOffset
	need, ok := shapeBytes(h.Shape, t.size)
	switch {
	case !ok:
		return 0, formatErr("truncated: shape %v of %s claims more than 2^62 bytes, the file holds %d after the header", h.Shape, h.Descr, have)
	case need > have:
		return 0, formatErr("truncated: shape %v of %s needs %d data bytes, the file holds %d after the header", h.Shape, h.Descr, need, have)
	case need < have:
		return 0, formatErr("shape %v of %s needs %d data bytes, the file holds %d after the header (trailing bytes)", h.Shape, h.Descr, need, have)
	}
	return need, nil
}

// fromHeader checks a parsed header and builds the lazy array; a holds
// the location fields of the load tasks' arguments.
func fromHeader(h *Header, a readArgs, avail int64, cfg *config) (*array.Array, error) {
	t, err := parseDescr(h.Descr)
	if err != nil {
		return nil, err
	}
	if _, err := dataBytes(h, t, avail); err != nil {
		return nil, err
	}
	a.Descr, a.Fortran, a.Shape, a.Range = h.Descr, h.Fortran, h.Shape, cfg.rangeBytes
	a.End = a.Offset + (avail - h.DataOffset)
	args, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	x := array.FromBlocks(h.Shape, t.dt, LoaderName, args, cfg.chunks...)
	if err := x.Err(); err != nil {
		return nil, err
	}
	return x, nil
}

// loadBlock is the "npy.read" loader.
func loadBlock(ctx context.Context, raw []byte, b funcs.Block, dst []byte) error {
	var a readArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("npy.read: bad arguments: %w", err)
	}
	t, err := checkBlock(&a, b, len(dst))
	if err != nil {
		return fmt.Errorf("npy.read %s block %v: %w", a.Key, b.Index, err)
	}
	if err := readBlock(ctx, &a, t, b, dst); err != nil {
		return fmt.Errorf("npy.read %s block %v: %w", a.Key, b.Index, err)
	}
	return nil
}

// checkBlock validates a task's arguments against its block (arguments
// travel between processes; a bad blob is an error, not a crash).
func checkBlock(a *readArgs, b funcs.Block, dstLen int) (diskType, error) {
	t, err := checkBlockShape(a.Descr, a.Shape, b, dstLen)
	if err != nil {
		return t, err
	}
	avail := a.Size
	if a.Deflate != nil {
		avail = a.Deflate.USize
		if a.Deflate.Offset < 0 || a.Deflate.CSize < 0 || a.Deflate.Offset > a.Size-a.Deflate.CSize {
			return t, fmt.Errorf("compressed member [%d,+%d) outside the %d-byte object", a.Deflate.Offset, a.Deflate.CSize, a.Size)
		}
	}
	if a.Offset < 0 || a.Offset > a.End || a.End > avail {
		return t, fmt.Errorf("data [%d,%d) outside %d bytes", a.Offset, a.End, avail)
	}
	if _, err := dataBytes(&Header{Descr: a.Descr, Shape: a.Shape, DataOffset: a.Offset}, t, a.End); err != nil {
		return t, err
	}
	if a.Range < 1 {
		a.Range = DefaultRangeBytes
	}
	return t, nil
}

// checkBlockShape checks that block b of an array of shape and descr
// fits the array and a buffer of bufLen bytes.
func checkBlockShape(descr string, shape []int, b funcs.Block, bufLen int) (diskType, error) {
	t, err := parseDescr(descr)
	if err != nil {
		return t, err
	}
	if t.dt != b.DType {
		return t, fmt.Errorf("descr %s loads as %v, the block is %v", descr, t.dt, b.DType)
	}
	if len(shape) != len(b.ArrayShape) || len(b.Start) != len(shape) || len(b.Shape) != len(shape) {
		return t, fmt.Errorf("array shape %v, block of array %v at %v shape %v", shape, b.ArrayShape, b.Start, b.Shape)
	}
	for i, s := range shape {
		if s != b.ArrayShape[i] || b.Start[i] < 0 || b.Shape[i] < 0 || b.Start[i] > s-b.Shape[i] {
			return t, fmt.Errorf("block at %v shape %v is outside array %v", b.Start, b.Shape, shape)
		}
	}
	if bufLen != b.Bytes() {
		return t, fmt.Errorf("buffer of %d bytes for a %d-byte block", bufLen, b.Bytes())
	}
	return t, nil
}

// readBlock fills dst with block b. A Fortran-order file is the C-order
// file of the transposed array: its block is read in that order into a
// scratch buffer and transposed.
func readBlock(ctx context.Context, a *readArgs, t diskType, b funcs.Block, dst []byte) error {
	shape, start, bs := a.Shape, b.Start, b.Shape
	out := dst
	if a.Fortran && len(shape) > 1 {
		shape, start, bs = reverse(shape), reverse(start), reverse(bs)
		out = make([]byte, len(dst))
	}
	plan := newRunPlan(shape, start, bs)
	if plan.nRuns > 0 {
		var err error
		if a.Deflate != nil {
			err = readDeflated(ctx, a, t, &plan, out)
		} else {
			err = readStored(ctx, a, t, &plan, out)
		}
		if err != nil {
			return err
		}
	}
	if a.Fortran && len(shape) > 1 {
		transposeReversed(dst, out, b.Shape, t.dt.Size())
	}
	return nil
}

// fetcher hands out byte ranges of one object.
type fetcher interface {
	// fetch returns bytes [off, off+n); release, when not nil, must be
	// called once the bytes are no longer used.
	fetch(ctx context.Context, off, n int64) (data []byte, release func() error, err error)
	// limits: the largest range fetched at once and the largest hole
	// merged into a range (0: no limit).
	limits() (span, gap int64)
}

// readStored reads the runs of plan from a stored (uncompressed) object.
func readStored(ctx context.Context, a *readArgs, t diskType, plan *runPlan, dst []byte) error {
	st, err := storage.Open(a.URL)
	if err != nil {
		return err
	}
	var f fetcher
	if d, ok := st.(*storage.Dir); ok {
		p, err := d.Path(a.Key)
		if err != nil {
			return err
		}
		lf, err := openLocal(p, a.Size)
		if err != nil {
			return err
		}
		defer lf.close()
		if t.identity() && plan.runElems*int64(t.size) >= preadRunBytes {
			return lf.readRuns(ctx, a.Offset, t, plan, dst)
		}
		f = lf
	} else {
		f = &storeFetcher{st: st, key: a.Key, span: a.Range}
	}
	return gatherRuns(ctx, f, a.Offset, t, plan, dst)
}

// gatherRuns fetches the runs of plan (element offsets relative to the
// data start base) in groups, converting each run into its place in dst.
func gatherRuns(ctx context.Context, f fetcher, base int64, t diskType, plan *runPlan, dst []byte) error {
	span, gap := f.limits()
	es, outSize := int64(t.size), int64(t.dt.Size())
	runBytes := plan.runElems * es
	runOut := plan.runElems * outSize
	if span > 0 && runBytes > span {
		// a run longer than span is fetched in pieces of whole elements
		piece := max(span/es, 1) * es
		for r := int64(0); r < plan.nRuns; r++ {
			off := base + plan.offset(r)*es
			for p := int64(0); p < runBytes; p += piece {
				if err := ctx.Err(); err != nil {
					return err
				}
				n := min(piece, runBytes-p)
				o := r*runOut + p/es*outSize
				err := withFetch(ctx, f, off+p, n, func(data []byte) {
					t.convert(dst[o:o+n/es*outSize], data)
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	}
	for r0 := int64(0); r0 < plan.nRuns; {
		if err := ctx.Err(); err != nil {
			return err
		}
		first := base + plan.offset(r0)*es
		end := first + runBytes
		r1 := r0 + 1
		for ; r1 < plan.nRuns; r1++ {
			off := base + plan.offset(r1)*es
			if (gap > 0 && off-end > gap) || (span > 0 && off+runBytes-first > span) {
				break
			}
			end = off + runBytes
		}
		err := withFetch(ctx, f, first, end-first, func(data []byte) {
			for r := r0; r < r1; r++ {
				o := base + plan.offset(r)*es - first
				t.convert(dst[r*runOut:(r+1)*runOut], data[o:o+runBytes])
			}
		})
		if err != nil {
			return err
		}
		r0 = r1
	}
	return nil
}

// withFetch fetches [off, off+n) from f, hands the bytes to use and
// releases them.
func withFetch(ctx context.Context, f fetcher, off, n int64, use func(data []byte)) (err error) {
	data, release, err := f.fetch(ctx, off, n)
	if err != nil {
		return err
	}
	if release != nil {
		defer func() {
			if rerr := release(); err == nil {
				err = rerr
			}
		}()
	}
	use(data)
	return nil
}

// storeFetcher reads ranges with Store.GetRange.
type storeFetcher struct {
	st   storage.Store
	key  string
	span int64
}

func (s *storeFetcher) fetch(ctx context.Context, off, n int64) ([]byte, func() error, error) {
	b, err := s.st.GetRange(ctx, s.key, off, n)
	if err != nil {
		return nil, nil, err
	}
	if int64(len(b)) != n {
		return nil, nil, fmt.Errorf("store returned %d bytes for a %d-byte range", len(b), n)
	}
	return b, nil, nil
}

func (s *storeFetcher) limits() (int64, int64) { return s.span, maxGapBytes }
