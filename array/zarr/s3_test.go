package zarr

import (
	"context"
	"fmt"
	"os"
	"strings"
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

// TestS3RoundTrip writes random arrays to a real S3-compatible server
// (MinIO started on loopback), in both formats and with a random
// compressor, reads them back in other chunks, and checks every chunk
// object is where the format says and no temporary object is left.
func TestS3RoundTrip(t *testing.T) {
	url, _ := s3test.Start(t)
	r := newRand(t)
	ctx := context.Background()
	st, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		dt := allDTypes[r.IntN(len(allDTypes))]
		format := 2 + r.IntN(2)
		shape := randShape(r, 3, 2000, false)
		n := 1
		for _, s := range shape {
			n *= s
		}
		raw := randBytes(r, dt, n)
		src := fromRaw(raw, dt, shape, array.ExplicitChunks(randChunks(r, shape)))
		grid := randGrid(r, shape)
		comp, cname := randCompressor(t, r, format, dt.Size())
		opts := []Option{Format(format), Path(fmt.Sprintf("g/a%d", i))}
		if len(grid) > 0 {
			opts = append(opts, Chunks(array.Chunked(grid...)))
		}
		if comp != defaultComp {
			opts = append(opts, Compressor(comp))
		}
		what := fmt.Sprintf("case %d: v%d %v shape %v grid %v %s", i, format, dt, shape, grid, cname)
		if err := Save(ctx, src, url, opts...); err != nil {
			t.Fatalf("%s: save to %s: %v", what, url, err)
		}
		ropts := []Option{Path(fmt.Sprintf("g/a%d", i))}
		if r.IntN(2) == 0 {
			ropts = append(ropts, Chunks(array.ExplicitChunks(randChunks(r, shape))))
		}
		x, err := Open(ctx, url, ropts...)
		if err != nil {
			t.Fatalf("%s: open: %v", what, err)
		}
		if d := firstDiff(mustCompute(t, x), raw, dt.Size()); d != "equal" {
			t.Fatalf("%s: %s", what, d)
		}
	}
	keys, err := st.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatal("nothing listed in the bucket after the writes")
	}
	for _, k := range keys {
		if strings.Contains(k, ".tmp") {
			t.Errorf("temporary object %q left in the bucket", k)
		}
	}
}
