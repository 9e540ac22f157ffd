package array_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/chunks"
	"github.com/blockwork-dev/blockwork/funcs"
	"github.com/blockwork-dev/blockwork/graph"
)

// memSource is what the test loader reads and the test writer fills:
// whole arrays as C-order bytes, by id (the args blob).
var memSource = struct {
	sync.Mutex
	data   map[string][]byte
	shape  map[string][]int
	loads  map[string]int
	blocks map[string][]funcs.Block
	nextID atomic.Int64
}{data: map[string][]byte{}, shape: map[string][]int{}, loads: map[string]int{}, blocks: map[string][]funcs.Block{}}

var errTestLoader = errors.New("the test loader was told to fail")

func init() {
	funcs.MustRegisterLoader("array_test.mem", func(ctx context.Context, args []byte, b funcs.Block, dst []byte) error {
		id := string(args)
		if id == "fail" {
			return errTestLoader
		}
		if id == "wait" {
			<-ctx.Done()
			return ctx.Err()
		}
		memSource.Lock()
		src, full := memSource.data[id], memSource.shape[id]
		memSource.loads[id]++
		memSource.blocks[id] = append(memSource.blocks[id], b)
		memSource.Unlock()
		if !slices.Equal(full, b.ArrayShape) {
			return fmt.Errorf("array shape %v, want %v", b.ArrayShape, full)
		}
		region(dst, b, src, false)
		return nil
	})
	funcs.MustRegisterWriter("array_test.mem", func(ctx context.Context, args []byte, b funcs.Block, src []byte) (int64, error) {
		id := string(args)
		if id == "fail" {
			return 0, errTestLoader
		}
		memSource.Lock()
		defer memSource.Unlock()
		dst := memSource.data[id]
		if dst == nil {
			return 0, fmt.Errorf("no target %q", id)
		}
		region(src, b, dst, true)
		return int64(len(src)), nil
	})
}

// region copies block b between its own C-order bytes blk and the whole
// array's bytes full (toFull: blk -> full), element by element.
func region(blk []byte, b funcs.Block, full []byte, toFull bool) {
	es := b.DType.Size()
	idx := make([]int, len(b.Shape))
	for k := 0; k < b.Elems(); k++ {
		rem := k
		for a := len(b.Shape) - 1; a >= 0; a-- {
			idx[a] = rem % b.Shape[a]
			rem /= b.Shape[a]
		}
		off := 0
		for a := range idx {
			off = off*b.ArrayShape[a] + b.Start[a] + idx[a]
		}
		if toFull {
			copy(full[off*es:(off+1)*es], blk[k*es:(k+1)*es])
		} else {
			copy(blk[k*es:(k+1)*es], full[off*es:(off+1)*es])
		}
	}
}

// refBytes is r's values as C-order bytes of its dtype.
func refBytes(r *ref) []byte {
	es := r.dt.Size()
	out := make([]byte, r.n()*es)
	for k := 0; k < r.n(); k++ {
		p := out[k*es:]
		switch r.dt {
		case graph.Bool:
			p[0] = byte(r.i[k])
		case graph.Int32:
			binary.LittleEndian.PutUint32(p, uint32(r.i[k]))
		case graph.Int64:
			binary.LittleEndian.PutUint64(p, uint64(r.i[k]))
		case graph.Float32:
			binary.LittleEndian.PutUint32(p, math.Float32bits(float32(r.f[k])))
		case graph.Float64:
			binary.LittleEndian.PutUint64(p, math.Float64bits(r.f[k]))
		}
	}
	return out
}

func newMemID(data []byte, shape []int) string {
	id := "m" + strconv.FormatInt(memSource.nextID.Add(1), 10)
	memSource.Lock()
	memSource.data[id] = data
	memSource.shape[id] = shape
	memSource.Unlock()
	return id
}

// TestFromBlocksRandom loads random arrays through a registered loader in
// random chunkings and compares them with the same values as a literal.
func TestFromBlocksRandom(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(10); c++ {
		dt := v.dtype()
		shape := v.shape(0, 4)
		r := v.values(shape, dt, vSpecial)
		ch := v.chunks(shape)
		id := newMemID(refBytes(r), shape)
		x := array.FromBlocks(shape, dt, "array_test.mem", []byte(id), array.ExplicitChunks(ch))
		desc := fmt.Sprintf("case %d: %v%v chunks %v", c, dt, shape, ch)
		exact(t, desc, v.one(desc, x), r)
		// every block was loaded once, with its own coordinates
		memSource.Lock()
		blocks := memSource.blocks[id]
		memSource.Unlock()
		if len(blocks) != x.NumBlocks() {
			t.Errorf("%s: %d loads for %d blocks", desc, len(blocks), x.NumBlocks())
		}
		for _, b := range blocks {
			for a := range b.Index {
				if got, want := b.Start[a], sum(ch[a][:b.Index[a]]); got != want {
					t.Errorf("%s: block %v starts at %v on axis %d, want %d", desc, b.Index, b.Start, a, want)
				}
				if b.Shape[a] != ch[a][b.Index[a]] {
					t.Errorf("%s: block %v has shape %v", desc, b.Index, b.Shape)
				}
			}
		}
	}
}

func sum(s []int) int {
	n := 0
	for _, x := range s {
		n += x
	}
	return n
}

// TestFromBlocksReadsOnlyWhatIsNeeded: a one-block slice of a loaded
// array loads one block.
func TestFromBlocksReadsOnlyWhatIsNeeded(t *testing.T) {
	v := newEnv(t)
	r := v.values([]int{40, 30}, graph.Float64, vSmall)
	id := newMemID(refBytes(r), []int{40, 30})
	x := array.FromBlocks([]int{40, 30}, graph.Float64, "array_test.mem", []byte(id), array.Chunked(10, 10))
	got := v.one("slice", x.Slice(array.Span(12, 17), array.Span(21, 29)).Sum())
	want := 0.0
	for i := 12; i < 17; i++ {
		for j := 21; j < 29; j++ {
			want += r.f[i*30+j]
		}
	}
	if s, _ := got.Scalar(); math.Abs(s-want) > 1e-9*math.Abs(want) {
		t.Errorf("sum %v, want %v", s, want)
	}
	memSource.Lock()
	n := memSource.loads[id]
	memSource.Unlock()
	if n != 1 {
		t.Errorf("%d blocks loaded for a one-block slice, want 1", n)
	}
}

// TestStoreRandom writes random expressions through a registered writer
// and compares the target's bytes and the reported counts.
func TestStoreRandom(t *testing.T) {
	v := newEnv(t)
	for c := 0; c < cases(8); c++ {
		dt := v.dtype(graph.Int32, graph.Int64, graph.Float32, graph.Float64)
		shape := v.shape(0, 3)
		a := v.operand(shape, dt, vSmall)
		// x = a + a (an expression, not a literal)
		want := newRef(shape, dt)
		for k := 0; k < want.n(); k++ {
			if isF(dt) {
				want.setF(k, a.ref.f[k]+a.ref.f[k])
			} else {
				want.setI(k, a.ref.i[k]+a.ref.i[k])
			}
		}
		x := a.a.Add(a.a)
		id := newMemID(make([]byte, want.n()*dt.Size()), shape)
		s := array.Store(x, "array_test.mem", []byte(id))
		desc := fmt.Sprintf("case %d: %v", c, a)
		if gs, ws := s.Shape(), x.Chunks().NumBlocks(); !slices.Equal(gs, ws) {
			t.Fatalf("%s: store result shape %v, want the block grid %v", desc, gs, ws)
		}
		// computed together with a reduction of x: one graph
		res, err := v.compute([]*array.Array{s.Sum(), x.Sum()})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		if n := res[0].Int64s()[0]; n != int64(want.n()*dt.Size()) {
			t.Errorf("%s: %d bytes written, want %d", desc, n, want.n()*dt.Size())
		}
		memSource.Lock()
		got := memSource.data[id]
		memSource.Unlock()
		if !slices.Equal(got, refBytes(want)) {
			t.Errorf("%s: target bytes differ from the expression's values", desc)
		}
	}
}

// TestBlockIOErrors: unknown names are sticky errors; a failing loader or
// writer fails the compute naming the task and the function; a loader
// waiting on the outside world stops when the context is cancelled.
func TestBlockIOErrors(t *testing.T) {
	v := newEnv(t)
	x := array.FromBlocks([]int{4}, graph.Float64, "no.such.loader", nil)
	wantErr(t, "unknown loader", x.Err(), "from_blocks", "no.such.loader")
	s := array.Store(array.Ones([]int{4}, graph.Float64), "no.such.writer", nil)
	wantErr(t, "unknown writer", s.Err(), "store", "no.such.writer")
	wantErr(t, "bad dtype", array.FromBlocks([]int{4}, graph.Invalid, "array_test.mem", nil).Err(), "from_blocks", "dtype")
	wantErr(t, "bad chunks", array.FromBlocks([]int{4}, graph.Float64, "array_test.mem", nil, array.ExplicitChunks(chunks.Chunks{{1, 2}})).Err(), "from_blocks")

	f := array.FromBlocks([]int{6}, graph.Float64, "array_test.mem", []byte("fail"), array.Chunked(3))
	_, err := v.compute([]*array.Array{f.Sum()})
	wantErr(t, "failing loader", err, "load", "array_test.mem", errTestLoader.Error())
	if !errors.Is(err, errTestLoader) {
		t.Errorf("failing loader: error %v does not wrap the loader's", err)
	}
	w := array.Store(array.Ones([]int{6}, graph.Float64, array.Chunked(3)), "array_test.mem", []byte("fail"))
	_, err = v.compute([]*array.Array{w})
	wantErr(t, "failing writer", err, "store", "array_test.mem", errTestLoader.Error())

	ctx, cancel := context.WithCancel(context.Background())
	wait := array.FromBlocks([]int{6}, graph.Float64, "array_test.mem", []byte("wait"), array.Chunked(3))
	done := make(chan error, 1)
	go func() {
		_, err := wait.Compute(ctx, array.On(v.e))
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled load: %v, want context.Canceled", err)
	}
}
