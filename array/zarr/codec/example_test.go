package codec_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/blockwork-dev/blockwork/array/zarr/codec"
)

// A Zarr v2 array's compressor, as its .zarray names it, encodes and
// decodes a chunk of float64s; V2Config gives the metadata back.
func Example() {
	var zarray struct {
		Compressor map[string]any `json:"compressor"`
	}
	meta := `{"compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}}`
	if err := json.Unmarshal([]byte(meta), &zarray); err != nil {
		panic(err)
	}
	c, err := codec.FromV2(zarray.Compressor, 8) // 8: float64 items
	if err != nil {
		panic(err)
	}

	chunk := make([]byte, 8*10000)
	for i := range 10000 {
		binary.LittleEndian.PutUint64(chunk[8*i:], math.Float64bits(math.Sin(float64(i)/100)))
	}
	enc, err := c.Encode(nil, chunk)
	if err != nil {
		panic(err)
	}
	info, err := codec.ReadBloscInfo(enc)
	if err != nil {
		panic(err)
	}
	dec, err := c.Decode(nil, enc, len(chunk))
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(codec.V2Config(c))
	fmt.Println(c.Name())
	fmt.Printf("header: %s, typesize %d, %d bytes, compressed: %v\n", info.Compressor, info.Typesize, info.Nbytes, len(enc) < len(chunk))
	fmt.Println("round trip:", bytes.Equal(dec, chunk))
	fmt.Println(string(out))
	// Output:
	// blosc(lz4, 5, shuffle)
	// header: lz4, typesize 8, 80000 bytes, compressed: true
	// round trip: true
	// {"blocksize":0,"clevel":5,"cname":"lz4","id":"blosc","shuffle":1}
}

// Zarr v3 names a bytes-to-bytes codec and its configuration.
func ExampleFromV3() {
	c, err := codec.FromV3("zstd", map[string]any{"level": 3.0, "checksum": true}, 4)
	if err != nil {
		panic(err)
	}
	enc, _ := c.Encode(nil, []byte("hello, zarr"))
	dec, err := c.Decode(nil, enc, -1)
	fmt.Println(c.Name(), string(dec), err)
	name, cfg := codec.V3Config(c)
	fmt.Println(name, cfg)
	// Output:
	// zstd(3) hello, zarr <nil>
	// zstd map[checksum:true level:3]
}
