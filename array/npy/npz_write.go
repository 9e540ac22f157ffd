package npy

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/storage"
)

// Zip record sizes and signatures (APPNOTE.TXT 4.3).
const (
	zipLocalLen     = 30
	zipCentralLen   = 46
	zipLocalExtra   = 4 + 16 // zip64 extra: uncompressed and compressed size
	zipCentralExtra = 4 + 24 // ... and the local header offset
	zip64EndLen     = 56
	zip64LocatorLen = 20
	zipEndLen       = 22
	zipVersion      = 45   // zip64
	zipDate         = 0x21 // 1980-01-01, the earliest DOS date
	sigLocal        = 0x04034b50
	sigCentral      = 0x02014b50
	sigZip64End     = 0x06064b50
	sigZip64Locator = 0x07064b50
	sigEnd          = 0x06054b50
)

// zipMember is one stored member of an archive being written.
type zipMember struct {
	name     string // "<key>.npy"
	hdr      []byte // the .npy header
	dataLen  int64  // data bytes after the header
	localOff int64  // local file header
	dataOff  int64  // first byte of the member (its .npy header)
	cdOff    int64  // central directory entry
	crc      uint32
}

func (m *zipMember) size() int64 { return int64(len(m.hdr)) + m.dataLen }

// zipLayout places every record of an archive of stored members before
// anything is written: local headers and member bytes in order, then the
// central directory, the zip64 end records and the end record.
type zipLayout struct {
	members      []zipMember
	cdOff, cdLen int64
	total        int64
}

func planZip(members []zipMember) *zipLayout {
	l := &zipLayout{members: members}
	off := int64(0)
	for i := range l.members {
		m := &l.members[i]
		m.localOff = off
		m.dataOff = off + zipLocalLen + int64(len(m.name)) + zipLocalExtra
		off = m.dataOff + m.size()
	}
	l.cdOff = off
	for i := range l.members {
		m := &l.members[i]
		m.cdOff = off
		off += zipCentralLen + int64(len(m.name)) + zipCentralExtra
	}
	l.cdLen = off - l.cdOff
	l.total = off + zip64EndLen + zip64LocatorLen + zipEndLen
	return l
}

func nameFlags(name string) uint16 {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return 1 << 11 // the name is UTF-8
		}
	}
	return 0
}

func clamp32(v int64) uint32 { return uint32(min(v, 0xFFFFFFFF)) }

// writeSkeleton writes everything but the members' data (and with the
// CRCs the members hold now).
func (l *zipLayout) writeSkeleton(w io.WriterAt) error {
	le := binary.LittleEndian
	for i := range l.members {
		m := &l.members[i]
		b := make([]byte, zipLocalLen+len(m.name)+zipLocalExtra)
		le.PutUint32(b[0:], sigLocal)
		le.PutUint16(b[4:], zipVersion)
		le.PutUint16(b[6:], nameFlags(m.name))
		le.PutUint16(b[8:], 0) // stored
		le.PutUint16(b[10:], 0)
		le.PutUint16(b[12:], zipDate)
		le.PutUint32(b[14:], m.crc)
		le.PutUint32(b[18:], 0xFFFFFFFF)
		le.PutUint32(b[22:], 0xFFFFFFFF)
		le.PutUint16(b[26:], uint16(len(m.name)))
		le.PutUint16(b[28:], zipLocalExtra)
		x := b[zipLocalLen+copy(b[zipLocalLen:], m.name):]
		le.PutUint16(x[0:], 1) // zip64 extra field
		le.PutUint16(x[2:], 16)
		le.PutUint64(x[4:], uint64(m.size()))
		le.PutUint64(x[12:], uint64(m.size()))
		if _, err := w.WriteAt(b, m.localOff); err != nil {
			return err
		}
		if _, err := w.WriteAt(m.hdr, m.dataOff); err != nil {
			return err
		}
	}
	cd := make([]byte, 0, l.cdLen+zip64EndLen+zip64LocatorLen+zipEndLen)
	for i := range l.members {
		m := &l.members[i]
		b := make([]byte, zipCentralLen+len(m.name)+zipCentralExtra)
		le.PutUint32(b[0:], sigCentral)
		le.PutUint16(b[4:], 3<<8|zipVersion) // made by: unix
		le.PutUint16(b[6:], zipVersion)
		le.PutUint16(b[8:], nameFlags(m.name))
		le.PutUint16(b[10:], 0)
		le.PutUint16(b[12:], 0)
		le.PutUint16(b[14:], zipDate)
		le.PutUint32(b[16:], m.crc)
		le.PutUint32(b[20:], 0xFFFFFFFF)
		le.PutUint32(b[24:], 0xFFFFFFFF)
		le.PutUint16(b[28:], uint16(len(m.name)))
		le.PutUint16(b[30:], zipCentralExtra)
		le.PutUint32(b[38:], 0o100644<<16) // a regular file, rw-r--r--
		le.PutUint32(b[42:], 0xFFFFFFFF)
		x := b[zipCentralLen+copy(b[zipCentralLen:], m.name):]
		le.PutUint16(x[0:], 1)
		le.PutUint16(x[2:], 24)
		le.PutUint64(x[4:], uint64(m.size()))
		le.PutUint64(x[12:], uint64(m.size()))
		le.PutUint64(x[20:], uint64(m.localOff))
		cd = append(cd, b...)
	}
	n := uint64(len(l.members))
	end64 := l.cdOff + l.cdLen
	var e [zip64EndLen + zip64LocatorLen + zipEndLen]byte
	b := e[:]
	le.PutUint32(b[0:], sigZip64End)
	le.PutUint64(b[4:], zip64EndLen-12)
	le.PutUint16(b[12:], 3<<8|zipVersion)
	le.PutUint16(b[14:], zipVersion)
	le.PutUint64(b[24:], n)
	le.PutUint64(b[32:], n)
	le.PutUint64(b[40:], uint64(l.cdLen))
	le.PutUint64(b[48:], uint64(l.cdOff))
	b = b[zip64EndLen:]
	le.PutUint32(b[0:], sigZip64Locator)
	le.PutUint64(b[8:], uint64(end64))
	le.PutUint32(b[16:], 1)
	b = b[zip64LocatorLen:]
	le.PutUint32(b[0:], sigEnd)
	le.PutUint16(b[8:], uint16(min(n, 0xFFFF)))
	le.PutUint16(b[10:], uint16(min(n, 0xFFFF)))
	le.PutUint32(b[12:], clamp32(l.cdLen))
	le.PutUint32(b[16:], clamp32(l.cdOff))
	cd = append(cd, e[:]...)
	_, err := w.WriteAt(cd, l.cdOff)
	return err
}

// patchCRCs writes each member's CRC into its local header and its
// central directory entry.
func (l *zipLayout) patchCRCs(w io.WriterAt) error {
	for i := range l.members {
		m := &l.members[i]
		var c [4]byte
		binary.LittleEndian.PutUint32(c[:], m.crc)
		if _, err := w.WriteAt(c[:], m.localOff+14); err != nil {
			return err
		}
		if _, err := w.WriteAt(c[:], m.cdOff+16); err != nil {
			return err
		}
	}
	return nil
}

// memWriterAt is an io.WriterAt over a fixed buffer.
type memWriterAt []byte

func (b memWriterAt) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(b))-int64(len(p)) {
		return 0, fmt.Errorf("write [%d,+%d) outside %d bytes", off, len(p), len(b))
	}
	return copy(b[off:], p), nil
}

// SaveNPZ writes the arrays to url as an .npz archive of stored members
// "<name>.npy" (as np.savez), blockwise for a local path (see the
// package doc).
func SaveNPZ(ctx context.Context, url string, arrays map[string]*array.Array, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	if len(arrays) > MaxNPZMembers {
		return fmt.Errorf("npy: save %q: %d arrays, over the limit of %d", url, len(arrays), MaxNPZMembers)
	}
	names := make([]string, 0, len(arrays))
	for name := range arrays {
		names = append(names, name)
	}
	sort.Strings(names)
	members := make([]zipMember, len(names))
	xs := make([]*array.Array, len(names))
	for i, name := range names {
		x := arrays[name]
		if name == "" || len(name)+4 > 0xFFFF || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
			return fmt.Errorf("npy: save %q: bad array name %q", url, name)
		}
		if x == nil {
			return fmt.Errorf("npy: save %q: array %q is nil", url, name)
		}
		if err := x.Err(); err != nil {
			return fmt.Errorf("npy: save %q array %q: %w", url, name, err)
		}
		descr, err := descrOf(x.DType())
		if err != nil {
			return fmt.Errorf("npy: save %q array %q: %w", url, name, err)
		}
		members[i] = zipMember{name: name + ".npy", hdr: FormatHeader(descr, false, x.Shape()), dataLen: int64(x.Size()) * int64(x.DType().Size())}
		xs[i] = x
	}
	l := planZip(members)
	st, key, err := splitURL(url)
	if err != nil {
		return err
	}
	d, ok := st.(*storage.Dir)
	if !ok {
		err = saveInMemory(ctx, st, key, l.total, cfg, func(buf []byte) error {
			nds, err := array.Compute(ctx, xs, cfg.compute...)
			if err != nil {
				return err
			}
			for i, nd := range nds {
				m := &l.members[i]
				copy(buf[m.dataOff+int64(len(m.hdr)):], nd.Data)
				m.crc = crc32.Update(crc32.ChecksumIEEE(m.hdr), crc32.IEEETable, nd.Data)
			}
			return l.writeSkeleton(memWriterAt(buf))
		})
	} else {
		err = saveNPZLocal(ctx, cfg, d, key, l, xs)
	}
	if err != nil {
		return fmt.Errorf("npy: save %q: %w", url, err)
	}
	return nil
}

// saveNPZLocal writes the archive blockwise: skeleton first, then the
// store tasks (each also leaves its CRC share in a side file), then the
// combined CRCs, then the rename.
func saveNPZLocal(ctx context.Context, cfg *config, d *storage.Dir, key string, l *zipLayout, xs []*array.Array) error {
	p, err := d.Path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	side, err := os.CreateTemp(filepath.Dir(p), ".tmp-"+filepath.Base(p)+"-crc-*")
	if err != nil {
		return err
	}
	sidePath := side.Name()
	defer os.Remove(sidePath)
	slots := make([]int64, len(xs)+1)
	for i, x := range xs {
		slots[i+1] = slots[i] + int64(x.NumBlocks())
	}
	err = side.Truncate(4 * slots[len(xs)])
	if cerr := side.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return saveLocal(d, key, l.total, func(f *os.File) error { return l.writeSkeleton(f) }, func(tmp string) error {
		args := make([]writeArgs, len(xs))
		for i, x := range xs {
			m := &l.members[i]
			descr, _ := descrOf(x.DType())
			args[i] = writeArgs{Path: tmp, Offset: m.dataOff + int64(len(m.hdr)), Descr: descr, Shape: x.Shape(),
				CRC: &crcArgs{Path: sidePath, Slot: slots[i], Grid: x.Chunks().NumBlocks(), Start: int64(len(m.hdr)), Len: m.size()}}
		}
		if err := storeAll(ctx, cfg, xs, args); err != nil {
			return err
		}
		shares, err := os.ReadFile(sidePath)
		if err != nil {
			return err
		}
		if int64(len(shares)) != 4*slots[len(xs)] {
			return fmt.Errorf("CRC side file has %d bytes, want %d", len(shares), 4*slots[len(xs)])
		}
		for i := range xs {
			m := &l.members[i]
			c := gfMul(zerosOp(m.dataLen), crc32.ChecksumIEEE(m.hdr))
			for s := slots[i]; s < slots[i+1]; s++ {
				c ^= binary.LittleEndian.Uint32(shares[4*s:])
			}
			m.crc = c
		}
		f, err := os.OpenFile(tmp, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = l.patchCRCs(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
}
