package codec

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// jsonMap decodes a JSON object the way package zarr reads metadata
// (numbers become float64).
func jsonMap(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// jsonRoundTrip marshals and unmarshals m.
func jsonRoundTrip(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return jsonMap(t, string(b))
}

func TestFromV2(t *testing.T) {
	for _, tc := range []struct {
		in       string
		typesize int
		want     Codec
	}{
		{`{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}`, 8, &Blosc{BloscOptions{"lz4", 5, 1, 8, 0}}},
		{`{"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 1024}`, 4, &Blosc{BloscOptions{"zstd", 3, 2, 4, 1024}}},
		{`{"id": "blosc", "cname": "lz4hc", "clevel": 9, "shuffle": -1}`, 0, &Blosc{BloscOptions{"lz4hc", 9, -1, 1, 0}}},
		{`{"id": "blosc"}`, 2, &Blosc{BloscOptions{"lz4", 5, 1, 2, 0}}},
		{`{"id": "blosc", "cname": "blosclz", "clevel": 9, "shuffle": 0}`, 4, &Blosc{BloscOptions{"blosclz", 9, 0, 4, 0}}},
		{`{"id": "zstd", "level": 7}`, 1, &Zstd{level: 7}},
		{`{"id": "zstd", "level": 7, "checksum": true}`, 1, &Zstd{level: 7, checksum: true}},
		{`{"id": "zstd"}`, 1, &Zstd{level: 1}},
		{`{"id": "gzip", "level": 9}`, 1, &Gzip{level: 9}},
		{`{"id": "gzip"}`, 1, &Gzip{level: 1}},
		{`{"id": "zlib", "level": 0}`, 1, &Zlib{level: 0}},
		{`{"id": "lz4", "acceleration": 3}`, 1, &LZ4{acceleration: 3}},
		{`{"id": "lz4"}`, 1, &LZ4{acceleration: 1}},
		{`{"id": "shuffle", "elementsize": 8}`, 1, &Shuffle{elementsize: 8}},
		{`{"id": "shuffle"}`, 1, &Shuffle{elementsize: 4}},
		{`{"id": "crc32c"}`, 1, &CRC32C{}},
		{`{"id": "crc32c", "location": "end"}`, 1, &CRC32C{}},
	} {
		var ts []int
		if tc.typesize > 0 {
			ts = []int{tc.typesize}
		}
		got, err := FromV2(jsonMap(t, tc.in), ts...)
		if err != nil {
			t.Errorf("FromV2(%s): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("FromV2(%s) = %#v, want %#v", tc.in, got, tc.want)
		}
		// V2Config gives back an equivalent configuration.
		again, err := FromV2(jsonRoundTrip(t, V2Config(got)), ts...)
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("FromV2(V2Config(FromV2(%s))) = %#v, %v", tc.in, again, err)
		}
	}
}

func TestFromV2Errors(t *testing.T) {
	for _, tc := range []struct{ in, mention string }{
		{`{"id": "bz2", "level": 1}`, "bz2"},
		{`{"id": "lzma"}`, "lzma"},
		{`{"id": "delta", "dtype": "<i4"}`, "delta"},
		{`{"cname": "lz4"}`, "id"},
		{`{"id": 5}`, "id"},
		{`{"id": "blosc", "cname": "lzo"}`, "lzo"},
		{`{"id": "blosc", "clevel": 10}`, "clevel"},
		{`{"id": "blosc", "clevel": "5"}`, "clevel"},
		{`{"id": "blosc", "clevel": 4.5}`, "clevel"},
		{`{"id": "blosc", "shuffle": 3}`, "shuffle"},
		{`{"id": "blosc", "blocksize": -1}`, "blocksize"},
		{`{"id": "gzip", "level": 11}`, "level"},
		{`{"id": "zstd", "level": 23}`, "level"},
		{`{"id": "zstd", "checksum": 1}`, "checksum"},
		{`{"id": "crc32c", "location": "start"}`, "start"},
	} {
		_, err := FromV2(jsonMap(t, tc.in))
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("FromV2(%s): got %v, want ErrUnsupported mentioning %q", tc.in, err, tc.mention)
		}
	}
}

func TestFromV3(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      string
		typesize int
		want     Codec
	}{
		{"blosc", `{"cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 4, "blocksize": 0}`, 8, &Blosc{BloscOptions{"lz4", 5, 1, 4, 0}}},
		{"blosc", `{"cname": "zstd", "clevel": 1, "shuffle": "bitshuffle", "blocksize": 0}`, 8, &Blosc{BloscOptions{"zstd", 1, 2, 8, 0}}},
		{"blosc", `{"cname": "zlib", "clevel": 0, "shuffle": "noshuffle", "typesize": 2, "blocksize": 512}`, 8, &Blosc{BloscOptions{"zlib", 0, 0, 2, 512}}},
		{"gzip", `{"level": 5}`, 4, &Gzip{level: 5}},
		{"zstd", `{"level": 0, "checksum": false}`, 4, &Zstd{level: 0}},
		{"zstd", `{"level": 3, "checksum": true}`, 4, &Zstd{level: 3, checksum: true}},
		{"crc32c", `{}`, 4, &CRC32C{}},
		{"crc32c", `null`, 4, &CRC32C{}},
		{"numcodecs.lz4", `{"acceleration": 1}`, 4, &LZ4{acceleration: 1}},
		{"numcodecs.zlib", `{"level": 4}`, 4, &Zlib{level: 4}},
		{"numcodecs.shuffle", `{"elementsize": 2}`, 4, &Shuffle{elementsize: 2}},
		{"numcodecs.blosc", `{"cname": "lz4", "clevel": 5, "shuffle": 1}`, 4, &Blosc{BloscOptions{"lz4", 5, 1, 4, 0}}},
	} {
		got, err := FromV3(tc.name, jsonMap(t, tc.cfg), tc.typesize)
		if err != nil {
			t.Errorf("FromV3(%s, %s): %v", tc.name, tc.cfg, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("FromV3(%s, %s) = %#v, want %#v", tc.name, tc.cfg, got, tc.want)
		}
		name, cfg := V3Config(got)
		if cfg != nil {
			cfg = jsonRoundTrip(t, cfg)
		}
		again, err := FromV3(name, cfg, tc.typesize)
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("FromV3(V3Config(FromV3(%s, %s))) = %#v, %v", tc.name, tc.cfg, again, err)
		}
	}
	// Auto shuffle is written as what it means for the typesize.
	for ts, want := range map[int]string{1: "bitshuffle", 4: "shuffle"} {
		_, cfg := V3Config(mustBlosc(t, "lz4", 5, BloscAutoShuffle, ts))
		if cfg["shuffle"] != want {
			t.Errorf("V3Config of autoshuffle, typesize %d: shuffle %v, want %s", ts, cfg["shuffle"], want)
		}
	}
}

func TestFromV3Errors(t *testing.T) {
	for _, tc := range []struct{ name, cfg, mention string }{
		{"bytes", `{"endian": "little"}`, "bytes-to-bytes"},
		{"transpose", `{"order": [1, 0]}`, "bytes-to-bytes"},
		{"lzma", `{}`, "lzma"},
		{"blosc", `{"cname": "lz4", "clevel": 5, "shuffle": "byteshuffle"}`, "byteshuffle"},
		{"blosc", `{"cname": "lz4", "clevel": 5, "shuffle": 1}`, "shuffle"},
		{"blosc", `{"clevel": 5, "shuffle": "shuffle"}`, "compressor"},
		{"gzip", `{}`, "level"},
		{"numcodecs.bz2", `{"level": 1}`, "bz2"},
	} {
		_, err := FromV3(tc.name, jsonMap(t, tc.cfg), 4)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("FromV3(%s, %s): got %v, want ErrUnsupported mentioning %q", tc.name, tc.cfg, err, tc.mention)
		}
	}
}

// otherCodec is a Codec from outside the package.
type otherCodec struct{ CRC32C }

func TestConfigForeignCodec(t *testing.T) {
	if m := V2Config(&otherCodec{}); m != nil {
		t.Errorf("V2Config of a foreign codec = %v, want nil", m)
	}
	if name, _ := V3Config(&otherCodec{}); name != "" {
		t.Errorf("V3Config of a foreign codec = %q, want \"\"", name)
	}
}
