package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/device/devicetest"
	"github.com/blockwork-dev/blockwork/graph"
)

func fetchCheck(t testing.TB, e *env, key graph.Key, want []byte, meta graph.Chunk) {
	t.Helper()
	buf, got, err := e.cli.Fetch(context.Background(), e.addr, key, e.dst)
	if err != nil {
		t.Fatalf("fetch %v: %v", key, err)
	}
	defer buf.Release()
	if got.DType != meta.DType || !slices.Equal(got.Shape, meta.Shape) {
		t.Fatalf("fetch %v: meta %v, want %v", key, got, meta)
	}
	if buf.Len() != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("fetch %v: %d bytes differ from the %d sent", key, buf.Len(), len(want))
	}
	if buf.Device() != device.Device(e.dst) {
		t.Fatalf("buffer on %v", buf.Device())
	}
}

// TestRoundTrip fetches chunks of every dtype and random shapes (0-d,
// empty, one byte, up to tens of MB) and compares them byte for byte.
func TestRoundTrip(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, nil, nil)
	type chunk struct {
		key  graph.Key
		meta graph.Chunk
		data []byte
	}
	var cs []chunk
	add := func(dt graph.DType, shape []int) {
		key := graph.Key{Layer: fmt.Sprintf("x-%d", len(cs)), Block: r.Int64N(1 << 40)}
		data := e.add(r, key, dt, shape)
		cs = append(cs, chunk{key, graph.Chunk{DType: dt, Shape: shape}, data})
	}
	for _, dt := range allDTypes {
		add(dt, []int{})
		add(dt, []int{0})
		add(dt, []int{4, 0, 3})
		add(dt, []int{1})
		for range 4 {
			add(dt, randShape(r, 5000))
		}
		add(dt, []int{1<<20/dt.Size() + 1}) // one slice and a bit
	}
	add(graph.Bool, []int{1})                            // one byte
	add(graph.Float64, []int{1000, 1000 + r.IntN(3000)}) // tens of MB, odd
	add(graph.Int32, []int{3, 1 << 20, 3})               // 36 MiB
	r.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	for _, c := range cs {
		fetchCheck(t, e, c.key, c.data, c.meta)
	}
	// the connection was reused throughout
	if n := e.dst.Stats().LiveBuffers; n != 0 {
		t.Fatalf("%d buffers live after release", n)
	}
}

// TestConcurrent: several clients fetch from one server at once, more
// goroutines than pooled connections.
func TestConcurrent(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, nil, nil)
	type chunk struct {
		meta graph.Chunk
		data []byte
	}
	cs := map[graph.Key]chunk{}
	var keys []graph.Key
	for i := range 40 {
		dt := allDTypes[r.IntN(len(allDTypes))]
		shape := randShape(r, 1<<16)
		if i%10 == 0 {
			shape = []int{1 << 18, 3} // a few MB
		}
		key := graph.Key{Layer: "c", Block: int64(i)}
		cs[key] = chunk{graph.Chunk{DType: dt, Shape: shape}, e.add(r, key, dt, shape)}
		keys = append(keys, key)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for c := range 3 {
		cli, err := NewClient(WithMaxConnsPerPeer(2 + c))
		if err != nil {
			t.Fatal(err)
		}
		defer cli.Close()
		for g := range 6 {
			order := slices.Clone(keys)
			rg := newRandFrom(r)
			rg.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, k := range order[:20+g] {
					buf, meta, err := cli.Fetch(context.Background(), e.addr, k, e.dst)
					if err != nil {
						errs <- err
						return
					}
					want := cs[k]
					if !bytes.Equal(buf.Bytes(), want.data) || meta.DType != want.meta.DType || !slices.Equal(meta.Shape, want.meta.Shape) {
						errs <- fmt.Errorf("%v: differs", k)
					}
					buf.Release()
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNotFoundAndRemoteErrors(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, nil, nil)
	key := graph.Key{Layer: "here", Block: 1}
	data := e.add(r, key, graph.Int64, []int{10})
	_, _, err := e.cli.Fetch(context.Background(), e.addr, graph.Key{Layer: "missing", Block: 7}, e.dst)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing key: %v, want ErrNotFound", err)
	}
	t.Log(err)
	// the connection is still in sync
	fetchCheck(t, e, key, data, graph.Chunk{DType: graph.Int64, Shape: []int{10}})

	// a source whose buffer disagrees with its metadata
	buf, err := e.srcDev.Alloc(12)
	if err != nil {
		t.Fatal(err)
	}
	e.src.put(graph.Key{Layer: "bad"}, buf, graph.Chunk{DType: graph.Float64, Shape: []int{2}})
	_, _, err = e.cli.Fetch(context.Background(), e.addr, graph.Key{Layer: "bad"}, e.dst)
	if !errors.Is(err, ErrRemote) {
		t.Fatalf("bad source chunk: %v, want ErrRemote", err)
	}
	t.Log(err)
	// a chunk in device memory
	gpu := devicetest.NewFakeGPU("gpu0", 0)
	gb, err := gpu.Alloc(16)
	if err != nil {
		t.Fatal(err)
	}
	e.src.put(graph.Key{Layer: "gpu"}, gb, graph.Chunk{DType: graph.Float64, Shape: []int{2}})
	_, _, err = e.cli.Fetch(context.Background(), e.addr, graph.Key{Layer: "gpu"}, e.dst)
	if !errors.Is(err, ErrRemote) {
		t.Fatalf("gpu chunk: %v, want ErrRemote", err)
	}
	// fetching into a device without host memory
	_, _, err = e.cli.Fetch(context.Background(), e.addr, key, gpu)
	if !errors.Is(err, ErrNotHost) {
		t.Fatalf("fetch into a fake GPU: %v, want ErrNotHost", err)
	}
	e.src.releaseAll()
	devicetest.AssertNoLeaks(t, gpu)
	if _, _, err := e.cli.Fetch(context.Background(), e.addr, key, e.dst); !errors.Is(err, ErrNotFound) {
		t.Fatalf("released chunk: %v, want ErrNotFound", err)
	}
}

func TestKeyTooLong(t *testing.T) {
	e := newEnv(t, nil, []Option{WithMaxKeyBytes(1 << 20)})
	long := graph.Key{Layer: string(make([]byte, 1<<20))}
	_, _, err := e.cli.Fetch(context.Background(), e.addr, long, e.dst)
	if !errors.Is(err, ErrRemote) {
		t.Fatalf("key above the server's limit: %v, want ErrRemote", err)
	}
	cli, _ := NewClient()
	defer cli.Close()
	_, _, err = cli.Fetch(context.Background(), e.addr, graph.Key{Layer: string(make([]byte, defaultMaxKeyBytes+1))}, e.dst)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("key above the client's limit: %v, want ErrTooLarge", err)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Option{WithMaxKeyBytes(0), WithMaxChunkBytes(-1), WithMaxChunkBytes(1 << 41), WithMaxConnsPerPeer(0),
		WithMaxMetadataBytes(10), WithIOTimeout(0), WithDialTimeout(-1), WithIdleTimeout(-1), WithToken(string(make([]byte, 2000)))} {
		if _, err := NewClient(o); err == nil {
			t.Errorf("an invalid option accepted")
		} else {
			t.Log(err)
		}
	}
	if _, err := NewServer(nil); err == nil {
		t.Error("nil source accepted")
	}
}

// TestStaleConnection: a pooled connection the server closed for idling
// is replaced transparently.
func TestStaleConnection(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, []Option{WithIdleTimeout(50 * time.Millisecond)}, nil)
	key := graph.Key{Layer: "s"}
	data := e.add(r, key, graph.Float32, []int{100})
	fetchCheck(t, e, key, data, graph.Chunk{DType: graph.Float32, Shape: []int{100}})
	time.Sleep(200 * time.Millisecond)
	fetchCheck(t, e, key, data, graph.Chunk{DType: graph.Float32, Shape: []int{100}})
}

// TestServerCloseWaits: Close with connections open and a Source call
// blocked returns, and later fetches fail cleanly.
func TestServerClose(t *testing.T) {
	e := newEnv(t, nil, nil)
	block := make(chan struct{})
	e.src.setBlock(block)
	done := make(chan error, 1)
	go func() {
		_, _, err := e.cli.Fetch(context.Background(), e.addr, graph.Key{Layer: "x"}, e.dst)
		done <- err
	}()
	for e.src.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	e.srv.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("fetch from a closed server succeeded")
		}
		t.Log(err)
	case <-time.After(10 * time.Second):
		t.Fatal("fetch hangs after the server closed")
	}
	if _, _, err := e.cli.Fetch(context.Background(), e.addr, graph.Key{Layer: "x"}, e.dst); !errors.Is(err, ErrPeerGone) {
		t.Fatalf("fetch after close: %v, want ErrPeerGone", err)
	}
}
