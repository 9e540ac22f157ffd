package npy

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/blockwork-dev/blockwork/array/storage"

	"github.com/blockwork-dev/blockwork/funcs"
)

// prelude builds a file start: magic, version, header length, dict.
func prelude(major int, dict string) []byte {
	var b bytes.Buffer
	b.WriteString(magic)
	b.WriteByte(byte(major))
	b.WriteByte(0)
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(dict)))
	}
	b.WriteString(dict)
	return b.Bytes()
}

func TestFormatParseRoundTrip(t *testing.T) {
	r, _ := newRand(t)
	descrs := []string{"<f8", "<f4", "<i8", "<i4", "|b1", ">i2", "|u1"}
	for i := 0; i < 500; i++ {
		shape := make([]int, r.IntN(MaxDims+1))
		for a := range shape {
			shape[a] = r.IntN(1 << uint(r.IntN(62)))
		}
		descr, fortran := descrs[r.IntN(len(descrs))], r.IntN(2) == 0
		b := FormatHeader(descr, fortran, shape)
		if len(b)%64 != 0 || b[len(b)-1] != '\n' {
			t.Fatalf("header of %d bytes, ends %q: not padded to 64 with a final newline", len(b), b[len(b)-1])
		}
		h, err := ParseHeader(b, DefaultMaxHeaderBytes)
		if err != nil {
			t.Fatalf("shape %v: %v\n%s", shape, err, b)
		}
		if h.Descr != descr || h.Fortran != fortran || !equalInts(h.Shape, shape) || h.DataOffset != int64(len(b)) || h.Major != 1 {
			t.Fatalf("parsed %+v from %q", h, b)
		}
	}
}

func TestParseHeaderVariants(t *testing.T) {
	cases := []struct {
		major   int
		dict    string
		descr   string
		fortran bool
		shape   []int
	}{
		{1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }          \n", "<f8", false, []int{3, 4}},
		{1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }\n", "<f8", false, []int{}},
		{1, "{'descr': '|b1', 'fortran_order': True, 'shape': (7,), }\n", "|b1", true, []int{7}},
		{1, `{"shape": (2,3), "descr": ">i4", "fortran_order": True}`, ">i4", true, []int{2, 3}},
		{1, "{'descr':'<i8','fortran_order':False,'shape':(0, 5,)}\n", "<i8", false, []int{0, 5}},
		{1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L), }\n", "<f4", false, []int{3, 4}},
		{2, "{'descr': '<u2', 'fortran_order': False, 'shape': (1, 1, 1, 1), }\n", "<u2", false, []int{1, 1, 1, 1}},
		{3, "{'descr': '<f8', 'fortran_order': False, 'shape': (9,), }\n", "<f8", false, []int{9}},
		{1, " {\n'descr': '<f8',\n 'fortran_order': False,\n 'shape': (1,\n 2)\n}\n", "<f8", false, []int{1, 2}},
	}
	for _, c := range cases {
		b := prelude(c.major, c.dict)
		h, err := ParseHeader(b, DefaultMaxHeaderBytes)
		if err != nil {
			t.Errorf("%q: %v", c.dict, err)
			continue
		}
		if h.Descr != c.descr || h.Fortran != c.fortran || !equalInts(h.Shape, c.shape) || h.Major != c.major || h.DataOffset != int64(len(b)) {
			t.Errorf("%q: parsed %+v", c.dict, h)
		}
	}
}

func TestParseHeaderErrors(t *testing.T) {
	ok := "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }\n"
	long := "(" + strings.Repeat("1, ", MaxDims+1) + ")"
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"short magic", []byte("\x93NUM"), "truncated"},
		{"bad magic", []byte("PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00"), "bad magic"},
		{"bad magic 2", append([]byte("\x93NUMPX\x01\x00"), prelude(1, ok)[8:]...), "bad magic"},
		{"version 4", append([]byte(magic+"\x04\x00"), prelude(1, ok)[8:]...), "version 4.0"},
		{"version 1.1", append([]byte(magic+"\x01\x01"), prelude(1, ok)[8:]...), "version 1.1"},
		{"short prelude v2", []byte(magic + "\x02\x00\x10\x00"), "truncated"},
		{"header longer than file", prelude(1, ok)[:40], "truncated"},
		{"huge header length", []byte(magic + "\x02\x00\xff\xff\xff\x7f"), "MaxHeaderBytes"},
		{"missing key", prelude(1, "{'descr': '<f8', 'shape': (3,), }\n"), "missing"},
		{"extra key", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}\n"), "unexpected key"},
		{"duplicate key", prelude(1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,)}\n"), "twice"},
		{"structured", prelude(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,)}\n"), "structured"},
		{"1-tuple without comma", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3)}\n"), "trailing comma"},
		{"negative dim", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}\n"), "non-negative"},
		{"float dim", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,)}\n"), "want ','"},
		{"leading zero", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (03,)}\n"), "leading zero"},
		{"huge dim", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}\n"), "63 bits"},
		{"too many dims", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': "+long+"}\n"), "dimensions"},
		{"unterminated string", prelude(1, "{'descr': '<f8"), "unterminated string"},
		{"escape", prelude(1, "{'descr': '<f\\8', 'fortran_order': False, 'shape': (3,)}\n"), "escapes"},
		{"bad bool", prelude(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)}\n"), "True or False"},
		{"garbage after", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} x\n"), "after the dict"},
		{"no closing brace", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)\n"), "want ',' or '}'"},
		{"not a dict", prelude(1, "['descr', '<f8']\n"), "want '{'"},
		{"unterminated tuple", prelude(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4"), "unterminated"},
		{"v3 not utf8", prelude(3, "{'descr': '<f8\xff', 'fortran_order': False, 'shape': (3,)}\n"), "UTF-8"},
	}
	for _, c := range cases {
		_, err := ParseHeader(c.file, 1<<16)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want ErrFormat mentioning %q", c.name, err, c.want)
		}
	}
}

func TestParseDescr(t *testing.T) {
	good := map[string]string{"|b1": "bool", "<i4": "int32", ">i4": "int32", "<i8": "int64", ">i8": "int64",
		"<f4": "float32", ">f4": "float32", "<f8": "float64", ">f8": "float64", "|i1": "int32", "|u1": "int32",
		"<i2": "int32", ">u2": "int32", "<u4": "int64", ">u4": "int64"}
	for d, want := range good {
		dt, err := parseDescr(d)
		if err != nil || dt.dt.String() != want {
			t.Errorf("%s: %v %v, want %s", d, dt.dt, err, want)
		}
	}
	bad := map[string]string{"<c16": "complex", "<c8": "complex", "|O": "unsupported", "|O8": "objects", "<U3": "strings",
		"|S5": "strings", "<u8": "uint64", "<f2": "float16", "<M8[ns]": "datetime", "|V8": "void", "=f8": "byte order",
		"|f8": "'|'", "f8": "unsupported", "xf8": "byte order", "": "unsupported", "<f16": "unsupported"}
	for d, want := range bad {
		_, err := parseDescr(d)
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one mentioning %q", d, err, want)
		}
	}
}

// FuzzHeader feeds arbitrary bytes to the header parser and, when a
// header parses and its shape fits the bytes, to the block loader: no
// input may panic, and an accepted header must format back to itself.
func FuzzHeader(f *testing.F) {
	f.Add(FormatHeader("<f8", false, []int{3, 4}))
	f.Add(append(FormatHeader(">i2", true, []int{2, 3}), make([]byte, 12)...))
	f.Add(append(FormatHeader("|b1", false, []int{}), 1))
	f.Add(prelude(2, "{'descr': '<u4', 'fortran_order': False, 'shape': (2L,), }\n"))
	f.Add(prelude(3, `{"descr": "<i8", "shape": (0, 9), "fortran_order": True}`))
	f.Add([]byte(magic + "\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHeader(data, 1<<16)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		if !strings.ContainsAny(h.Descr, "'\"\\\n") {
			h2, err := ParseHeader(FormatHeader(h.Descr, h.Fortran, h.Shape), 1<<16)
			if err != nil || h2.Descr != h.Descr || h2.Fortran != h.Fortran || !equalInts(h2.Shape, h.Shape) {
				t.Fatalf("reformatted %+v parses as %+v, %v", h, h2, err)
			}
		}
		dt, err := parseDescr(h.Descr)
		if err != nil {
			return
		}
		n, err := dataBytes(h, dt, int64(len(data)))
		if err != nil || n > 1<<20 {
			return
		}
		st := fuzzStore()
		st.Put(context.Background(), "f.npy", data)
		a := readArgs{URL: st.URL(), Key: "f.npy", Size: int64(len(data)), Offset: h.DataOffset, Descr: h.Descr, Fortran: h.Fortran, Shape: h.Shape, Range: 7}
		raw := []byte(fmt.Sprintf(`{"url":%q,"key":%q,"size":%d,"offset":%d,"end":%d,"descr":%q,"fortran":%v,"shape":%s,"range":%d}`,
			a.URL, a.Key, a.Size, a.Offset, a.Size, a.Descr, a.Fortran, shapeJSON(a.Shape), a.Range))
		b := funcs.Block{Index: make([]int, len(h.Shape)), Start: make([]int, len(h.Shape)), Shape: h.Shape, ArrayShape: h.Shape, DType: dt.dt}
		dst := make([]byte, b.Bytes())
		if err := loadBlock(context.Background(), raw, b, dst); err != nil {
			t.Fatalf("loading an accepted file: %v", err)
		}
	})
}

func shapeJSON(s []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, v)
	}
	b.WriteByte(']')
	return b.String()
}

var (
	fuzzOnce sync.Once
	fuzzMem  *memStore
)

func fuzzStore() *memStore {
	fuzzOnce.Do(func() {
		st, _ := storage.Open("npytest://fuzz")
		fuzzMem = st.(*memStore)
	})
	return fuzzMem
}
