package transport_test

import (
	"context"
	"fmt"

	"github.com/blockwork-dev/blockwork/cluster/transport"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
)

// A worker serves its chunks; another fetches one into its host memory.
func Example() {
	host := device.NewHost()
	buf, _ := host.Alloc(4 * 8)
	copy(device.View[float64](buf), []float64{1, 2, 3, 4})
	meta := graph.Chunk{DType: graph.Float64, Shape: []int{2, 2}}
	key := graph.Key{Layer: "x-1f3a", Block: 0}

	src := transport.SourceFunc(func(ctx context.Context, k graph.Key) (*device.Buffer, graph.Chunk, error) {
		if k != key {
			return nil, graph.Chunk{}, fmt.Errorf("%w: %v", transport.ErrNotFound, k)
		}
		buf.Retain() // the server releases its reference once sent
		return buf, meta, nil
	})
	srv, err := transport.Listen("127.0.0.1:0", src, transport.WithToken("shared secret"))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	cli, _ := transport.NewClient(transport.WithToken("shared secret"))
	defer cli.Close()
	dst := device.NewHost()
	got, m, err := cli.Fetch(context.Background(), srv.Addr().String(), key, dst)
	if err != nil {
		panic(err)
	}
	fmt.Println(m, device.View[float64](got))
	got.Release()

	_, _, err = cli.Fetch(context.Background(), srv.Addr().String(), graph.Key{Layer: "y"}, dst)
	fmt.Println(err != nil, dst.Stats().LiveBytes)
	buf.Release()
	// Output:
	// float64[2 2] [1 2 3 4]
	// true 0
}
