package npy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/array/storage"
	"github.com/blockwork-dev/blockwork/array/storage/s3test"
)

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.Stop()
	os.Exit(code)
}

// TestS3RoundTrip saves random arrays and an archive to a real
// S3-compatible server (MinIO on loopback), loads them back blockwise
// (ranged GETs) in other chunks, and compares the bytes with a local
// save of the same arrays.
func TestS3RoundTrip(t *testing.T) {
	url, _ := s3test.Start(t)
	r, _ := newRand(t)
	ctx := context.Background()
	st, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m := map[string]*array.Array{}
	raws := map[string][]byte{}
	for i := range 6 {
		dt := allDTypes[r.IntN(len(allDTypes))]
		shape := randShape(r, 3)
		n := 1
		for _, s := range shape {
			n *= s
		}
		raw := randData(r, dt, n)
		x := fromRaw(dt, raw, shape, array.ExplicitChunks(randChunks(r, shape)))
		name := fmt.Sprintf("a%d", i)
		m[name], raws[name] = x, raw
		what := fmt.Sprintf("case %d: %v %v", i, dt, shape)
		key := "d/" + name + ".npy"
		if err := Save(ctx, x, url+"/"+key); err != nil {
			t.Fatalf("%s: save: %v", what, err)
		}
		local := dir + "/" + name + ".npy"
		if err := Save(ctx, x, local); err != nil {
			t.Fatal(err)
		}
		remote, err := st.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := os.ReadFile(local); !bytes.Equal(remote, want) {
			t.Fatalf("%s: the object differs from the local file", what)
		}
		y, err := Load(ctx, url+"/"+key, Chunks(array.ExplicitChunks(randChunks(r, shape))), RangeBytes(int64(64+r.IntN(4096))))
		if err != nil {
			t.Fatalf("%s: load: %v", what, err)
		}
		got, err := y.Compute(ctx)
		if err != nil {
			t.Fatalf("%s: compute: %v", what, err)
		}
		if !bytes.Equal(got.Data, raw) {
			t.Fatalf("%s: loaded bytes differ", what)
		}
	}
	if err := SaveNPZ(ctx, url+"/z.npz", m); err != nil {
		t.Fatal(err)
	}
	got, err := LoadNPZ(ctx, url+"/z.npz")
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range raws {
		nd, err := got[name].Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(nd.Data, raw) {
			t.Errorf("npz member %s differs", name)
		}
	}
	if _, err := Load(ctx, url+"/d/missing.npy"); err == nil {
		t.Error("loading a missing object: no error")
	}
}
