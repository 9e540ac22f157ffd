package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// python is Debian's interpreter, which has numpy and numcodecs (the
// pyenv python3 on PATH does not).
const python = "/usr/bin/python3"

// requireNumcodecs fails (not skips) the test when Debian's numcodecs is
// missing.
func requireNumcodecs(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import numpy, numcodecs; print(numcodecs.__version__)").CombinedOutput()
	if err != nil {
		t.Fatalf("numcodecs cross-check needs %s with numpy and numcodecs (run make deps): %v\n%s", python, err, out)
	}
	t.Logf("numcodecs %s", strings.TrimSpace(string(out)))
}

// crossScript encodes every case's input with numcodecs (py_<i>.bin) and
// decodes the Go encoding (go_<i>.bin) with numcodecs (dec_<i>.bin); a
// numcodecs error on a case is written to err_<i>.txt.
const crossScript = `
import json, os, sys, traceback
import numpy as np
import numcodecs
from numcodecs import get_codec
from numcodecs.compat import ensure_bytes
try:
    numcodecs.blosc.use_threads = False
except Exception:
    pass
d = sys.argv[1]
for c in json.load(open(os.path.join(d, "manifest.json"))):
    i = c["i"]
    try:
        codec = get_codec(dict(c["config"]))
        raw = open(os.path.join(d, "in_%d.bin" % i), "rb").read()
        arr = np.frombuffer(raw, dtype=c["dtype"])
        open(os.path.join(d, "py_%d.bin" % i), "wb").write(ensure_bytes(codec.encode(arr)))
        p = os.path.join(d, "go_%d.bin" % i)
        if os.path.exists(p) and not c["nodecode"]:
            dec = codec.decode(open(p, "rb").read())
            open(os.path.join(d, "dec_%d.bin" % i), "wb").write(ensure_bytes(dec))
    except Exception:
        open(os.path.join(d, "err_%d.txt" % i), "w").write(traceback.format_exc())
`

type crossCase struct {
	I      int            `json:"i"`
	Config map[string]any `json:"config"`
	Dtype  string         `json:"dtype"`
	// NoDecode: numcodecs cannot decode empty blosc, zstd and lz4 data,
	// not even its own; the Go encoding must then equal numcodecs'.
	NoDecode bool   `json:"nodecode"`
	Kind     string `json:"-"`
	Size     int    `json:"-"`
	ts       int
	data     []byte
	goEnc    bool // Go encodes this case (false: numcodecs only, e.g. blosclz)
}

func (c crossCase) String() string {
	return fmt.Sprintf("case %d %v dtype %s, %d bytes of %s", c.I, c.Config, c.Dtype, c.Size, c.Kind)
}

// TestNumcodecsCrossCheck: numcodecs encodes and Go decodes, Go encodes
// and numcodecs decodes, for every codec and the blosc grid (compressor x
// shuffle x clevel 0/5 x typesize, sizes from empty through several
// blocks); decoded bytes must equal the input exactly. It also checks
// that Go picks the block size and split mode c-blosc picks.
func TestNumcodecsCrossCheck(t *testing.T) {
	requireNumcodecs(t)
	r := newRand(t)
	dir := t.TempDir()
	dtypes := map[int]string{1: "<u1", 2: "<u2", 4: "<u4", 8: "<f8"}
	var cases []*crossCase
	add := func(cfg map[string]any, ts, nelem int, kind string) {
		id := cfg["id"]
		noDecode := nelem == 0 && (id == "blosc" || id == "zstd" || id == "lz4")
		cases = append(cases, &crossCase{I: len(cases), Config: cfg, Dtype: dtypes[ts], Kind: kind, Size: nelem * ts, ts: ts, goEnc: true, NoDecode: noDecode})
	}
	for _, cname := range []string{"lz4", "lz4hc", "zstd", "zlib", "snappy"} {
		for _, sh := range []int{BloscNoShuffle, BloscShuffle, BloscBitShuffle} {
			for _, cl := range []int{0, 5} {
				for _, ts := range []int{1, 2, 4, 8} {
					cfg := func(bs int) map[string]any {
						return map[string]any{"id": "blosc", "cname": cname, "clevel": cl, "shuffle": sh, "blocksize": bs}
					}
					kind := dataKinds[r.IntN(len(dataKinds))]
					add(cfg(0), ts, r.IntN(40), kind)                             // memcpyed (under 128 bytes)
					add(cfg(0), ts, 1000+r.IntN(3000), "walk")                    // one block, often a bitshuffle remainder
					add(cfg(1024*ts/2+64), ts, (150<<10)/ts+r.IntN(3000), "walk") // several forced blocks, a leftover block
					add(cfg(0), ts, (40<<10)/ts+r.IntN(50000/ts), "random")       // incompressible
				}
			}
		}
	}
	// Auto block sizes over several blocks, split and not, every level.
	for _, cname := range []string{"lz4", "lz4hc", "zstd", "zlib", "snappy"} {
		for _, cl := range []int{1, 3, 5, 9} {
			sh := []int{BloscShuffle, BloscBitShuffle, BloscNoShuffle}[r.IntN(3)]
			ts := []int{1, 2, 4, 8}[r.IntN(4)]
			add(map[string]any{"id": "blosc", "cname": cname, "clevel": cl, "shuffle": sh, "blocksize": 0}, ts, (1200<<10)/ts+r.IntN(1000), "walk")
		}
	}
	add(map[string]any{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": BloscShuffle, "blocksize": 0}, 8, 0, "zeros")
	add(map[string]any{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": BloscAutoShuffle, "blocksize": 0}, 4, 5000, "walk")
	add(map[string]any{"id": "blosc", "cname": "zstd", "clevel": 5, "shuffle": BloscAutoShuffle, "blocksize": 0}, 1, 5000, "smallint")
	// blosclz: numcodecs encodes, Go only decodes.
	for _, sh := range []int{BloscNoShuffle, BloscShuffle, BloscBitShuffle} {
		for _, ts := range []int{1, 2, 4, 8} {
			for _, cl := range []int{1, 5, 9} {
				kind := []string{"walk", "smallint"}[r.IntN(2)]
				n := []int{100 + r.IntN(3000), (200 << 10) / ts}[r.IntN(2)]
				add(map[string]any{"id": "blosc", "cname": "blosclz", "clevel": cl, "shuffle": sh, "blocksize": 0}, ts, n, kind)
				cases[len(cases)-1].goEnc = false
			}
		}
	}
	for _, ts := range []int{1, 4, 8} {
		for _, n := range []int{0, 1, 7, 3001, 70000} {
			kind := dataKinds[r.IntN(len(dataKinds))]
			add(map[string]any{"id": "zstd", "level": 1 + r.IntN(9)}, ts, n, kind)
			add(map[string]any{"id": "gzip", "level": r.IntN(10)}, ts, n, kind)
			add(map[string]any{"id": "zlib", "level": r.IntN(10)}, ts, n, kind)
			add(map[string]any{"id": "lz4", "acceleration": 1}, ts, n, kind)
			add(map[string]any{"id": "shuffle", "elementsize": ts}, ts, n, kind)
		}
	}

	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	codecs := make([]Codec, len(cases))
	t0 := time.Now()
	for _, c := range cases {
		c.data = makeData(r, c.Kind, c.Size)
		write(fmt.Sprintf("in_%d.bin", c.I), c.data)
		if !c.goEnc {
			continue // numcodecs encodes, Go decodes only
		}
		var err error
		codecs[c.I], err = FromV2(c.Config, c.ts)
		if err != nil {
			t.Fatalf("%v: FromV2: %v", c, err)
		}
		// numcodecs builds its codec from what V2Config writes, so the
		// metadata Go writes is checked too.
		c.Config = V2Config(codecs[c.I])
		enc, err := codecs[c.I].Encode(nil, c.data)
		if err != nil {
			t.Fatalf("%v: encode: %v", c, err)
		}
		write(fmt.Sprintf("go_%d.bin", c.I), enc)
	}
	manifest, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	write("manifest.json", manifest)
	write("cross.py", []byte(crossScript))
	t.Logf("Go side encoded in %v", time.Since(t0))
	t0 = time.Now()
	if out, err := exec.Command(python, filepath.Join(dir, "cross.py"), dir).CombinedOutput(); err != nil {
		t.Fatalf("numcodecs script: %v\n%s", err, out)
	}
	t.Logf("numcodecs ran in %v", time.Since(t0))
	t0 = time.Now()

	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	checked := 0
	blosclzCompressed := 0 // blosclz containers that are not memcpyed
	for _, c := range cases {
		if msg, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("err_%d.txt", c.I))); err == nil {
			t.Errorf("%v: numcodecs failed:\n%s", c, msg)
			continue
		}
		py := read(fmt.Sprintf("py_%d.bin", c.I))
		if !c.goEnc {
			b, err := FromV2(c.Config, c.ts)
			if err != nil {
				t.Fatalf("%v: FromV2: %v", c, err)
			}
			if info, err := ReadBloscInfo(py); err == nil && !info.Memcpyed {
				blosclzCompressed++
			}
			if got, err := b.Decode(nil, py, c.Size); err != nil || !bytes.Equal(got, c.data) {
				t.Errorf("%v: decoding numcodecs' output: wrong bytes or %v", c, err)
			}
			if _, err := b.Encode(nil, c.data); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "blosclz") {
				t.Errorf("%v: encoding: got %v, want an ErrUnsupported naming blosclz", c, err)
			}
			checked++
			continue
		}
		got, err := codecs[c.I].Decode(nil, py, c.Size)
		if err != nil {
			t.Errorf("%v: decoding numcodecs' output: %v", c, err)
		} else if !bytes.Equal(got, c.data) {
			t.Errorf("%v: decoding numcodecs' output gives different bytes", c)
		}
		if c.NoDecode {
			if goEnc := read(fmt.Sprintf("go_%d.bin", c.I)); !bytes.Equal(goEnc, py) {
				t.Errorf("%v: Go encodes empty data as %x, numcodecs as %x", c, goEnc, py)
			}
		} else if dec := read(fmt.Sprintf("dec_%d.bin", c.I)); !bytes.Equal(dec, c.data) {
			t.Errorf("%v: numcodecs decodes the Go encoding to different bytes (%d, want %d)", c, len(dec), len(c.data))
		}
		if c.Config["id"] == "blosc" {
			checkSameBloscLayout(t, c, py, read(fmt.Sprintf("go_%d.bin", c.I)), codecs[c.I].(*Blosc))
		}
		checked++
	}
	if blosclzCompressed < 10 {
		t.Errorf("only %d blosclz containers from numcodecs were compressed: blosclz decoding barely exercised", blosclzCompressed)
	}
	t.Logf("%d blosclz containers decoded", blosclzCompressed)
	t.Logf("%d cases checked both ways against numcodecs (checks took %v)", checked, time.Since(t0))
}

// checkSameBloscLayout compares the header c-blosc wrote with what the Go
// encoder chose for the same input: block size, split flag, shuffle and
// compressor bits (all flags but memcpyed, which depends on how well each
// compressed).
func checkSameBloscLayout(t *testing.T, c *crossCase, py, goEnc []byte, b *Blosc) {
	t.Helper()
	h, err := parseBloscHeader(py)
	if err != nil {
		t.Errorf("%v: numcodecs header: %v", c, err)
		return
	}
	o := b.Options()
	if h.typesize != c.ts {
		t.Errorf("%v: numcodecs wrote typesize %d", c, h.typesize)
	}
	if c.Size == 0 {
		return
	}
	bs := bloscBlocksize(o.Cname, o.Clevel, c.ts, c.Size, o.Blocksize)
	if h.blocksize != bs {
		t.Errorf("%v: c-blosc chose blocksize %d, Go %d", c, h.blocksize, bs)
	}
	goSplit := bloscSplit(o.Cname, c.ts, bs)
	if pySplit := h.flags&bloscFlagDontSplit == 0; pySplit != goSplit {
		t.Errorf("%v: c-blosc split=%v, Go split=%v (flags %#x)", c, pySplit, goSplit, h.flags)
	}
	g, err := parseBloscHeader(goEnc)
	if err != nil {
		t.Errorf("%v: Go header: %v", c, err)
		return
	}
	if pf, gf := h.flags&^bloscFlagMemcpy, g.flags&^bloscFlagMemcpy; pf != gf || g.blocksize != h.blocksize || g.typesize != h.typesize {
		t.Errorf("%v: c-blosc header flags %#x blocksize %d typesize %d, Go %#x %d %d", c, h.flags, h.blocksize, h.typesize, g.flags, g.blocksize, g.typesize)
	}
}
