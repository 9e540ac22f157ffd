package zarr

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/array/zarr/codec"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// LoaderName and WriterName are the funcs registry names of this
// package's block loader and writer.
const (
	LoaderName = "zarr.read"
	WriterName = "zarr.write"
)

func init() {
	funcs.MustRegisterLoader(LoaderName, load)
	funcs.MustRegisterWriter(WriterName, write)
}

// taskArgs is the argument blob of a load or store task.
type taskArgs struct {
	URL       string `json:"url"`
	Path      string `json:"path"`
	Meta      *meta  `json:"meta"`
	SkipEmpty bool   `json:"skip_empty,omitempty"`
}

// Open returns the array stored at url (a storage URL or a local path),
// lazily: only the metadata is read now; each block is read by its own
// task when a computation needs it. Options: Path, Chunks.
func Open(ctx context.Context, url string, opts ...Option) (*array.Array, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if len(c.writeOnly) > 0 {
		return nil, fmt.Errorf("zarr: open: options %v apply only to writing", c.writeOnly)
	}
	st, err := storage.Open(url)
	if err != nil {
		return nil, fmt.Errorf("zarr: open %q: %w", url, err)
	}
	m, err := readMeta(ctx, st, c.path)
	if err != nil {
		return nil, fmt.Errorf("zarr: open %q: %w", where(st, c.path), err)
	}
	od, _ := m.DType.out() // checked by the parser
	args, err := json.Marshal(taskArgs{URL: st.URL(), Path: c.path, Meta: m})
	if err != nil {
		return nil, fmt.Errorf("zarr: open: %w", err)
	}
	copts := c.chunks
	if !c.hasChunks {
		copts = []array.Option{array.ExplicitChunks(regularChunks(m.Shape, m.Chunk))}
	}
	x := array.FromBlocks(m.Shape, od, LoaderName, args, copts...)
	if err := x.Err(); err != nil {
		return nil, fmt.Errorf("zarr: open %q: %w", where(st, c.path), err)
	}
	return x, nil
}

func where(st storage.Store, path string) string {
	if path == "" {
		return st.URL()
	}
	return st.URL() + " path " + path
}

// readMeta reads and parses the array metadata at path: v3 "zarr.json"
// if present, else v2 ".zarray".
func readMeta(ctx context.Context, st storage.Store, path string) (*meta, error) {
	doc, err := getMeta(ctx, st, storage.Join(path, "zarr.json"))
	if err == nil {
		return parseV3(doc)
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	doc, err = getMeta(ctx, st, storage.Join(path, ".zarray"))
	if err == nil {
		return parseV2(doc)
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if _, gerr := st.Size(ctx, storage.Join(path, ".zgroup")); gerr == nil {
		return nil, fmt.Errorf("zarr: a v2 group, not an array (pick an array inside it with Path)")
	}
	return nil, fmt.Errorf("zarr: no array metadata (zarr.json or .zarray): %w", storage.ErrNotFound)
}

// getMeta reads a metadata document, refusing one above
// MaxMetadataBytes before reading it.
func getMeta(ctx context.Context, st storage.Store, key string) ([]byte, error) {
	n, err := st.Size(ctx, key)
	if err != nil {
		return nil, err
	}
	if n > MaxMetadataBytes {
		return nil, fmt.Errorf("zarr: %s is %d bytes (at most %d)", key, n, MaxMetadataBytes)
	}
	return st.Get(ctx, key)
}

// regularChunks is the Blockwork chunking of a Zarr chunk grid: whole
// chunks, a partial last one; a zero-length axis has one block of 0.
func regularChunks(shape, chunk []int) chunks.Chunks {
	c := make(chunks.Chunks, len(shape))
	for a, n := range shape {
		if n == 0 {
			c[a] = []int{0}
			continue
		}
		for s := 0; s < n; s += chunk[a] {
			c[a] = append(c[a], min(chunk[a], n-s))
		}
	}
	return c
}

// pipe is a layout with its codecs built.
type pipe struct {
	perm   []int
	big    bool
	codecs []codec.Codec
	shard  *shardPipe
}

type shardPipe struct {
	chunk   []int // inner chunk shape
	per     []int // inner chunks per shard, per axis
	n       int   // inner chunks per shard
	inner   pipe
	index   pipe
	atStart bool
}

func buildPipe(l *layout, shard []int) (pipe, error) {
	p := pipe{perm: l.Perm, big: l.BigEndian}
	for _, cs := range l.Codecs {
		cd, err := cs.build()
		if err != nil {
			return p, fmt.Errorf("codec %s: %w", cs, err)
		}
		p.codecs = append(p.codecs, cd)
	}
	if s := l.Shard; s != nil {
		if s.Inner.Shard != nil {
			return p, fmt.Errorf("nested sharding is not supported")
		}
		sp := &shardPipe{chunk: s.Chunk, atStart: s.IndexAtStart, n: 1}
		for a, c := range s.Chunk {
			sp.per = append(sp.per, shard[a]/c)
			sp.n *= shard[a] / c
		}
		var err error
		if sp.inner, err = buildPipe(&s.Inner, s.Chunk); err != nil {
			return p, err
		}
		if sp.index, err = buildPipe(&s.Index, nil); err != nil {
			return p, err
		}
		p.shard = sp
	}
	return p, nil
}

// reader reads regions of one array; it is built once per argument
// blob and process and shared by that array's load tasks.
type reader struct {
	st   storage.Store
	path string
	m    *meta
	od   graph.DType
	p    pipe
}

func newReader(args []byte) (*reader, error) {
	var a taskArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, fmt.Errorf("zarr: bad task arguments: %w", err)
	}
	if a.Meta == nil {
		return nil, fmt.Errorf("zarr: task arguments without metadata")
	}
	st, err := storage.Open(a.URL)
	if err != nil {
		return nil, fmt.Errorf("zarr: %w", err)
	}
	od, err := a.Meta.DType.out()
	if err != nil {
		return nil, fmt.Errorf("zarr: %w", err)
	}
	r := &reader{st: st, path: a.Path, m: a.Meta, od: od}
	if r.p, err = buildPipe(&a.Meta.Layout, a.Meta.Chunk); err != nil {
		return nil, fmt.Errorf("zarr: %w", err)
	}
	return r, nil
}

// cache of readers and writers by argument blob
var cache struct {
	sync.Mutex
	m map[string]any
}

const maxCached = 64

func cached[T any](args []byte, mk func([]byte) (T, error)) (T, error) {
	k := string(args)
	cache.Lock()
	if v, ok := cache.m[k].(T); ok {
		cache.Unlock()
		return v, nil
	}
	cache.Unlock()
	v, err := mk(args)
	if err != nil {
		return v, err
	}
	cache.Lock()
	if cache.m == nil || len(cache.m) >= maxCached {
		cache.m = map[string]any{}
	}
	cache.m[k] = v
	cache.Unlock()
	return v, nil
}

// load is the "zarr.read" loader.
func load(ctx context.Context, args []byte, b funcs.Block, dst []byte) error {
	r, err := cached(args, newReader)
	if err != nil {
		return err
	}
	if b.DType != r.od || len(b.Start) != len(r.m.Shape) || len(b.Shape) != len(r.m.Shape) || len(dst) != b.Bytes() {
		return fmt.Errorf("zarr: read: block %v (shape %v, %v, %d bytes) does not fit the array (shape %v, %v)", b.Index, b.Shape, b.DType, len(dst), r.m.Shape, r.od)
	}
	for a := range b.Shape {
		if b.Start[a] < 0 || b.Shape[a] < 0 || b.Start[a]+b.Shape[a] > r.m.Shape[a] {
			return fmt.Errorf("zarr: read: block at %v of shape %v lies outside the array (shape %v)", b.Start, b.Shape, r.m.Shape)
		}
	}
	if b.Elems() == 0 {
		return nil
	}
	return r.read(ctx, region{b.Start, b.Shape}, dst)
}

// eachChunk calls fn with the index and origin of every chunk of a grid
// of chunk shape chunk (origin org) that overlaps box.
func eachChunk(box region, org, chunk []int, fn func(idx, start []int) error) error {
	n := len(chunk)
	lo, hi := make([]int, n), make([]int, n)
	for a := range n {
		if box.Shape[a] == 0 {
			return nil
		}
		lo[a] = (box.Start[a] - org[a]) / chunk[a]
		hi[a] = (box.Start[a]+box.Shape[a]-1-org[a])/chunk[a] + 1
	}
	idx := append([]int(nil), lo...)
	start := make([]int, n)
	for {
		for a := range n {
			start[a] = org[a] + idx[a]*chunk[a]
		}
		if err := fn(idx, start); err != nil {
			return err
		}
		a := n - 1
		for ; a >= 0; a-- {
			idx[a]++
			if idx[a] < hi[a] {
				break
			}
			idx[a] = lo[a]
		}
		if a < 0 {
			return nil
		}
	}
}

// read fills dst (C order, the box's shape) from every stored object
// overlapping the box.
func (r *reader) read(ctx context.Context, box region, dst []byte) error {
	org := make([]int, len(r.m.Shape))
	return eachChunk(box, org, r.m.Chunk, func(idx, start []int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		key := r.m.key(r.path, idx)
		at := region{start, r.m.Chunk}
		if r.p.shard != nil {
			return r.readShard(ctx, key, at, box, dst)
		}
		whole := r.whole(box, start)
		if whole {
			done, err := r.stream(ctx, key, dst)
			if errors.Is(err, storage.ErrNotFound) {
				fillBox(dst, box, r.od, at, r.m.Fill)
				return nil
			}
			if err != nil {
				return fmt.Errorf("zarr: chunk %q: %w", key, err)
			}
			if done {
				return nil
			}
		}
		raw, put, err := r.get(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			fillBox(dst, box, r.od, at, r.m.Fill)
			return nil
		}
		if err != nil {
			return fmt.Errorf("zarr: chunk %q: %w", key, err)
		}
		defer put()
		if whole {
			// the block is exactly this chunk, stored as it is wanted:
			// decode straight into the block
			out, err := decodeInto(&r.p, raw, dst)
			if err != nil {
				return fmt.Errorf("zarr: chunk %q: %w", key, err)
			}
			if &out[0] != &dst[0] {
				copy(dst, out)
			}
			return nil
		}
		buf, err := r.decode(&r.p, raw, r.m.Chunk)
		if err != nil {
			return fmt.Errorf("zarr: chunk %q: %w", key, err)
		}
		copyChunk(dst, box, r.od, buf, chunkView{Start: start, Shape: r.m.Chunk, Perm: r.p.perm, DType: r.m.DType, Big: r.p.big})
		return nil
	})
}

// stream decodes the object under key straight into dst as it is read,
// where the store streams and the one codec can (codec.StreamDecoder:
// zstd frames of raw and RLE blocks, what incompressible data encodes
// to), so that no buffer holds the encoded chunk; done is false where
// the chunk must be read whole instead.
func (r *reader) stream(ctx context.Context, key string, dst []byte) (done bool, err error) {
	st, ok := r.st.(storage.Streamer)
	if !ok || len(r.p.codecs) != 1 {
		return false, nil
	}
	sd, ok := r.p.codecs[0].(codec.StreamDecoder)
	if !ok {
		return false, nil
	}
	rc, n, err := st.GetStream(ctx, key)
	if err != nil {
		return false, err
	}
	err = sd.DecodeStream(dst, rc, n)
	if cerr := rc.Close(); err == nil && cerr != nil {
		return false, cerr
	}
	if errors.Is(err, codec.ErrNeedWhole) {
		return false, nil
	}
	return err == nil, err
}

// scratch holds compressed chunks read from stores that can read into a
// caller's buffer (storage.Appender): off the Go heap, in the device
// package's size-class pool, so reading a store neither allocates a
// chunk's worth of Go heap per chunk nor leaves it to the collector.
var scratch = device.NewHost()

// get reads the object under key, into a scratch buffer where the store
// allows; put releases the buffer once the caller is done with raw.
func (r *reader) get(ctx context.Context, key string) (raw []byte, put func(), err error) {
	ap, ok := r.st.(storage.Appender)
	if !ok {
		raw, err = r.st.Get(ctx, key)
		return raw, func() {}, err
	}
	n, err := r.st.Size(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	b, err := scratch.Alloc(n)
	if err != nil {
		return nil, nil, err
	}
	raw, err = ap.GetAppend(ctx, key, b.Bytes()[:0])
	if err != nil {
		b.Release()
		return nil, nil, err
	}
	return raw, b.Release, nil
}

// whole reports whether the chunk at start is exactly box and stored
// the way the block wants it (C order, native byte order, the output's
// dtype), so it can be decoded in place.
func (r *reader) whole(box region, start []int) bool {
	// bools are normalised to 0/1 by copyChunk, so never decoded in place
	if r.p.perm != nil || r.p.big || r.m.DType.Kind == 'b' || r.m.DType.Size != r.od.Size() || len(r.p.codecs) == 0 {
		return false
	}
	for a := range start {
		if start[a] != box.Start[a] || r.m.Chunk[a] != box.Shape[a] {
			return false
		}
	}
	return len(start) > 0
}

// decodeInto undoes p's byte codecs, the last into dst (exactly the
// chunk's size).
func decodeInto(p *pipe, raw, dst []byte) ([]byte, error) {
	buf := raw
	for i := len(p.codecs) - 1; i >= 0; i-- {
		size := stageLimit(len(dst))
		var out []byte
		if i == 0 {
			size, out = len(dst), dst[:0]
		}
		o, err := p.codecs[i].Decode(out, buf, size)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.codecs[i].Name(), err)
		}
		buf = o
	}
	if len(buf) != len(dst) {
		return nil, fmt.Errorf("%d bytes after decoding, want %d (truncated or corrupt)", len(buf), len(dst))
	}
	return buf, nil
}

// decode undoes p's byte codecs and checks the size: a chunk of shape
// decodes to exactly prod(shape) elements.
func (r *reader) decode(p *pipe, raw []byte, shape []int) ([]byte, error) {
	want := r.m.DType.Size
	for _, s := range shape {
		want *= s
	}
	return decodeBytes(p, raw, want)
}

// stageLimit bounds what an intermediate codec of a chain may decode to
// for a chunk of want bytes: its input is the encoded form of the
// stages after it, at most a little over want bytes for any compressor
// or checksum here. Without the bound a small chunk file (a compressed
// bomb under a second compressor) could decode to MaxDecoded bytes
// before the chunk's size is checked.
func stageLimit(want int) int {
	return 2*want + 64<<10
}

func decodeBytes(p *pipe, raw []byte, want int) ([]byte, error) {
	buf := raw
	for i := len(p.codecs) - 1; i >= 0; i-- {
		size := stageLimit(want)
		var dst []byte
		if i == 0 {
			size, dst = want, make([]byte, 0, want)
		}
		out, err := p.codecs[i].Decode(dst, buf, size)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.codecs[i].Name(), err)
		}
		buf = out
	}
	if len(buf) != want {
		return nil, fmt.Errorf("%d bytes after decoding, want %d (truncated or corrupt)", len(buf), want)
	}
	return buf, nil
}

// readShard reads the part of box inside the shard stored under key:
// its index, then each inner chunk that overlaps box.
func (r *reader) readShard(ctx context.Context, key string, shard, box region, dst []byte) error {
	sp := r.p.shard
	size, err := r.st.Size(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		fillBox(dst, box, r.od, shard, r.m.Fill)
		return nil
	}
	if err != nil {
		return fmt.Errorf("zarr: shard %q: %w", key, err)
	}
	// the index codecs are bytes and crc32c (checked by the parser):
	// 16 bytes per inner chunk and 4 per checksum
	idxLen := int64(16*sp.n + 4*len(sp.index.codecs))
	if size < idxLen {
		return fmt.Errorf("zarr: shard %q: %d bytes, shorter than its %d-byte index", key, size, idxLen)
	}
	off := size - idxLen
	if sp.atStart {
		off = 0
	}
	raw, err := r.st.GetRange(ctx, key, off, idxLen)
	if err != nil {
		return fmt.Errorf("zarr: shard %q: index: %w", key, err)
	}
	index, err := decodeBytes(&sp.index, raw, 16*sp.n)
	if err != nil {
		return fmt.Errorf("zarr: shard %q: index: %w", key, err)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if sp.index.big {
		bo = binary.BigEndian
	}
	// the part of box inside the shard, in array coordinates
	blo, bhi, ok := intersect(box, shard)
	if !ok {
		return nil
	}
	sub := region{blo, make([]int, len(blo))}
	for a := range blo {
		sub.Shape[a] = bhi[a] - blo[a]
	}
	// the inner chunks wanted: missing ones are the fill value, the
	// others are read with one ranged read when they lie close together
	// (their span at most twice their bytes, plus 64 KiB), else one each
	type want struct {
		idx, start []int
		o, n       uint64
	}
	var wants []want
	var lo, hi, total uint64 = math.MaxUint64, 0, 0
	err = eachChunk(sub, shard.Start, sp.chunk, func(idx, start []int) error {
		j := chunks.Ravel(idx, sp.per)
		o, n := bo.Uint64(index[16*j:]), bo.Uint64(index[16*j+8:])
		if o == math.MaxUint64 && n == math.MaxUint64 {
			fillBox(dst, box, r.od, region{start, sp.chunk}, r.m.Fill)
			return nil
		}
		if o > uint64(size) || n > uint64(size)-o {
			return fmt.Errorf("zarr: shard %q: inner chunk %v at [%d, +%d) outside the shard's %d bytes", key, idx, o, n, size)
		}
		wants = append(wants, want{append([]int(nil), idx...), append([]int(nil), start...), o, n})
		lo, hi, total = min(lo, o), max(hi, o+n), total+n
		return nil
	})
	if err != nil || len(wants) == 0 {
		return err
	}
	var span []byte
	if len(wants) > 1 && hi-lo <= 2*total+64<<10 {
		if span, err = r.st.GetRange(ctx, key, int64(lo), int64(hi-lo)); err != nil {
			return fmt.Errorf("zarr: shard %q: %w", key, err)
		}
	}
	for _, w := range wants {
		if err := ctx.Err(); err != nil {
			return err
		}
		var craw []byte
		if span != nil {
			craw = span[w.o-lo : w.o-lo+w.n]
		} else if craw, err = r.st.GetRange(ctx, key, int64(w.o), int64(w.n)); err != nil {
			return fmt.Errorf("zarr: shard %q: inner chunk %v: %w", key, w.idx, err)
		}
		buf, err := r.decode(&sp.inner, craw, sp.chunk)
		if err != nil {
			return fmt.Errorf("zarr: shard %q: inner chunk %v: %w", key, w.idx, err)
		}
		copyChunk(dst, box, r.od, buf, chunkView{Start: w.start, Shape: sp.chunk, Perm: sp.inner.perm, DType: r.m.DType, Big: sp.inner.big})
	}
	return nil
}
