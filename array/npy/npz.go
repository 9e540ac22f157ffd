package npy

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/storage"
)

// LoadNPZ opens the .npz archive url names and returns its arrays by
// name (the member name without ".npy"), each lazy as with Load.
func LoadNPZ(ctx context.Context, url string, opts ...Option) (map[string]*array.Array, error) {
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
	ra := &storeReaderAt{ctx: ctx, st: st, key: key, size: size}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("npy: load %q: %w: %w", url, ErrFormat, err)
	}
	if len(zr.File) > MaxNPZMembers {
		return nil, fmt.Errorf("npy: load %q: %w: %d members, over the limit of %d", url, ErrFormat, len(zr.File), MaxNPZMembers)
	}
	out := make(map[string]*array.Array, len(zr.File))
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue // a directory entry
		}
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			return nil, fmt.Errorf("npy: load %q: %w: member %q is not a .npy file", url, ErrFormat, f.Name)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("npy: load %q: %w: member %q appears twice", url, ErrFormat, f.Name)
		}
		x, err := loadMember(ctx, st, key, size, f, ra, cfg)
		if err != nil {
			return nil, fmt.Errorf("npy: load %q member %q: %w", url, f.Name, err)
		}
		out[name] = x
	}
	return out, nil
}

// loadMember parses one member's .npy header and builds its array.
func loadMember(ctx context.Context, st storage.Store, key string, size int64, f *zip.File, ra io.ReaderAt, cfg *config) (*array.Array, error) {
	if f.Flags&1 != 0 {
		return nil, formatErr("encrypted members are not supported")
	}
	off, err := f.DataOffset()
	if err != nil {
		return nil, formatErr("%v", err)
	}
	cs, us := int64(f.CompressedSize64), int64(f.UncompressedSize64)
	if cs < 0 || us < 0 || off < 0 || off > size-cs {
		return nil, formatErr("truncated: member data [%d,+%d) outside the %d-byte archive", off, cs, size)
	}
	a := readArgs{URL: st.URL(), Key: key, Size: size}
	switch f.Method {
	case zip.Store:
		if cs != us {
			return nil, formatErr("stored member with %d compressed and %d uncompressed bytes", cs, us)
		}
		h, err := readHeaderAt(ctx, st, key, off, us, cfg.maxHeader)
		if err != nil {
			return nil, err
		}
		a.Offset = off + h.DataOffset
		return fromHeader(h, a, us, cfg)
	case zip.Deflate:
		r := flate.NewReader(bufio.NewReaderSize(io.NewSectionReader(ra, off, cs), int(min(64<<10, max(cs, 16)))))
		defer r.Close()
		h, err := readHeaderStream(r, us, cfg.maxHeader)
		if err != nil {
			return nil, err
		}
		a.Offset = h.DataOffset
		a.Deflate = &deflated{Offset: off, CSize: cs, USize: us}
		return fromHeader(h, a, us, cfg)
	}
	return nil, formatErr("compression method %d is not supported (stored or deflate only)", f.Method)
}

// readHeaderStream reads and parses a .npy header from the start of a
// stream of avail bytes.
func readHeaderStream(r io.Reader, avail int64, maxHeader int) (*Header, error) {
	pre := make([]byte, min(avail, 12))
	if _, err := io.ReadFull(r, pre); err != nil {
		return nil, inflateErr(err)
	}
	_, _, off, err := ReadPrelude(pre, maxHeader)
	if err != nil {
		return nil, err
	}
	if off > avail {
		return nil, formatErr("truncated: the header needs %d bytes, the member has %d", off, avail)
	}
	hb := make([]byte, off)
	copy(hb, pre)
	if _, err := io.ReadFull(r, hb[len(pre):]); err != nil {
		return nil, inflateErr(err)
	}
	return ParseHeader(hb, maxHeader)
}

func inflateErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return formatErr("truncated compressed member: %v", err)
	}
	return fmt.Errorf("inflate: %w", err)
}

// readDeflated reads the runs of plan from a deflated member: it inflates
// the member from its start, skipping what the block does not need, up
// to the block's last byte.
func readDeflated(ctx context.Context, a *readArgs, t diskType, plan *runPlan, dst []byte) error {
	st, err := storage.Open(a.URL)
	if err != nil {
		return err
	}
	var ra io.ReaderAt
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
		ra = lf.f
	} else {
		ra = &storeReaderAt{ctx: ctx, st: st, key: a.Key, size: a.Size}
	}
	z := a.Deflate
	r := flate.NewReader(bufio.NewReaderSize(io.NewSectionReader(ra, z.Offset, z.CSize), int(min(a.Range, max(z.CSize, 16)))))
	defer r.Close()
	es, outSize := int64(t.size), int64(t.dt.Size())
	runBytes := plan.runElems * es
	runOut := plan.runElems * outSize
	piece := max(min(runBytes, 1<<20)/es, 1) * es
	buf := make([]byte, piece)
	pos := int64(0)
	for run := int64(0); run < plan.nRuns; run++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		off := a.Offset + plan.offset(run)*es
		if _, err := io.CopyN(io.Discard, r, off-pos); err != nil {
			return inflateErr(err)
		}
		for p := int64(0); p < runBytes; p += piece {
			n := min(piece, runBytes-p)
			if _, err := io.ReadFull(r, buf[:n]); err != nil {
				return inflateErr(err)
			}
			o := run*runOut + p/es*outSize
			t.convert(dst[o:o+n/es*outSize], buf[:n])
		}
		pos = off + runBytes
	}
	return nil
}

// storeReaderAt reads an object of a store through GetRange.
type storeReaderAt struct {
	ctx  context.Context
	st   storage.Store
	key  string
	size int64
}

func (s *storeReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	if off >= s.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), s.size-off)
	b, err := s.st.GetRange(s.ctx, s.key, off, n)
	if err != nil {
		return 0, err
	}
	if int64(len(b)) != n {
		return 0, fmt.Errorf("store returned %d bytes for a %d-byte range", len(b), n)
	}
	copy(p, b)
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}
