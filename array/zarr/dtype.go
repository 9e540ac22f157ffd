package zarr

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/blockwork-dev/blockwork/graph"
)

// dtype is an element type as stored: kind 'b' (bool), 'i' (signed
// integer), 'u' (unsigned integer) or 'f' (IEEE float), and its size in
// bytes. Byte order is part of the chunk layout, not of the dtype.
type dtype struct {
	Kind byte `json:"kind"`
	Size int  `json:"size"`
}

func (d dtype) String() string {
	switch d.Kind {
	case 'b':
		return "bool"
	case 'i':
		return fmt.Sprintf("int%d", 8*d.Size)
	case 'u':
		return fmt.Sprintf("uint%d", 8*d.Size)
	case 'f':
		return fmt.Sprintf("float%d", 8*d.Size)
	}
	return fmt.Sprintf("?%c%d", d.Kind, d.Size)
}

// out is the Blockwork dtype a stored dtype reads as: itself, or the
// smallest Blockwork integer that holds every value (int8, int16, uint8,
// uint16 -> Int32; uint32 -> Int64).
func (d dtype) out() (graph.DType, error) {
	switch {
	case d.Kind == 'b' && d.Size == 1:
		return graph.Bool, nil
	case d.Kind == 'i' && (d.Size == 1 || d.Size == 2 || d.Size == 4):
		return graph.Int32, nil
	case d.Kind == 'i' && d.Size == 8:
		return graph.Int64, nil
	case d.Kind == 'u' && (d.Size == 1 || d.Size == 2):
		return graph.Int32, nil
	case d.Kind == 'u' && d.Size == 4:
		return graph.Int64, nil
	case d.Kind == 'f' && d.Size == 4:
		return graph.Float32, nil
	case d.Kind == 'f' && d.Size == 8:
		return graph.Float64, nil
	}
	return 0, fmt.Errorf("dtype %s is not supported (Blockwork has bool, int32, int64, float32, float64; smaller integers and uint32 are widened)", d)
}

// fromGraph is the stored dtype Blockwork writes for dt.
func fromGraph(dt graph.DType) (dtype, error) {
	switch dt {
	case graph.Bool:
		return dtype{'b', 1}, nil
	case graph.Int32:
		return dtype{'i', 4}, nil
	case graph.Int64:
		return dtype{'i', 8}, nil
	case graph.Float32:
		return dtype{'f', 4}, nil
	case graph.Float64:
		return dtype{'f', 8}, nil
	}
	return dtype{}, fmt.Errorf("dtype %v cannot be written", dt)
}

// parseV2DType reads a v2 "dtype": a NumPy type string such as "<f8",
// ">i2" or "|b1". It returns the dtype and whether it is big-endian.
func parseV2DType(raw json.RawMessage) (dtype, bool, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return dtype{}, false, fmt.Errorf("dtype %s: structured dtypes are not supported", abbrev(raw))
	}
	if len(s) < 3 {
		return dtype{}, false, fmt.Errorf("dtype %q: not a NumPy type string", s)
	}
	order, kind := s[0], s[1]
	size, err := strconv.Atoi(s[2:])
	if err != nil || size <= 0 {
		return dtype{}, false, fmt.Errorf("dtype %q is not supported (only bool, integer and float NumPy type strings)", s)
	}
	if order != '<' && order != '>' && order != '|' {
		return dtype{}, false, fmt.Errorf("dtype %q: byte order %q is not '<', '>' or '|'", s, order)
	}
	d := dtype{kind, size}
	switch kind {
	case 'b', 'i', 'u', 'f':
	default:
		return dtype{}, false, fmt.Errorf("dtype %q is not supported (only bool, integer and float dtypes)", s)
	}
	if _, err := d.out(); err != nil {
		return dtype{}, false, fmt.Errorf("dtype %q: %w", s, err)
	}
	if order == '|' && size != 1 {
		return dtype{}, false, fmt.Errorf("dtype %q: byte order '|' on a %d-byte type", s, size)
	}
	return d, order == '>', nil
}

// v2DType is the v2 type string Blockwork writes.
func v2DType(d dtype) string {
	if d.Size == 1 {
		return fmt.Sprintf("|%c1", d.Kind)
	}
	return fmt.Sprintf("<%c%d", d.Kind, d.Size)
}

// parseV3DType reads a v3 "data_type" (a core type name).
func parseV3DType(raw json.RawMessage) (dtype, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return dtype{}, fmt.Errorf("data_type %s is not supported (only the core types by name)", abbrev(raw))
	}
	var d dtype
	switch s {
	case "bool":
		d = dtype{'b', 1}
	case "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64":
		k := byte(s[0])
		num := strings.TrimLeftFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' })
		bitsN, _ := strconv.Atoi(num)
		d = dtype{k, bitsN / 8}
	default:
		return dtype{}, fmt.Errorf("data_type %q is not supported", s)
	}
	if _, err := d.out(); err != nil {
		return dtype{}, fmt.Errorf("data_type %q: %w", s, err)
	}
	return d, nil
}

// parseFill turns a fill_value into one element of the Blockwork dtype
// d reads as (native little-endian bytes). A null reads as zero (v2
// arrays without a fill value: zarr-python leaves such chunks
// uninitialised; zero is the defined choice here).
func parseFill(raw json.RawMessage, d dtype) ([]byte, error) {
	od, err := d.out()
	if err != nil {
		return nil, err
	}
	out := make([]byte, od.Size())
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return out, nil
	}
	bad := func(why string) error {
		return fmt.Errorf("fill_value %s for dtype %s: %s", abbrev(raw), d, why)
	}
	switch d.Kind {
	case 'b':
		switch s {
		case "true", "1":
			out[0] = 1
		case "false", "0":
		default:
			return nil, bad("not a boolean")
		}
		return out, nil
	case 'i', 'u':
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var n json.Number
		if err := dec.Decode(&n); err != nil {
			return nil, bad("not an integer")
		}
		v, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			// an integral float such as 0.0
			f, ferr := strconv.ParseFloat(n.String(), 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return nil, bad("not an integer in range")
			}
			v = int64(f)
		}
		lo, hi := intRange(d)
		if v < lo || v > hi {
			return nil, bad("out of range")
		}
		putInt(out, od, v)
		return out, nil
	case 'f':
		var f float64
		var str string
		if json.Unmarshal(raw, &str) == nil {
			switch {
			case str == "NaN":
				// NumPy's (and the specification's) quiet NaN, not
				// Go's math.NaN() (which sets the lowest bit)
				if d.Size == 4 {
					binary.LittleEndian.PutUint32(out, 0x7fc00000)
				} else {
					binary.LittleEndian.PutUint64(out, 0x7ff8000000000000)
				}
				return out, nil
			case str == "Infinity":
				f = math.Inf(1)
			case str == "-Infinity":
				f = math.Inf(-1)
			case strings.HasPrefix(str, "0x") && len(str) == 2+2*d.Size:
				u, err := strconv.ParseUint(str[2:], 16, 64)
				if err != nil {
					return nil, bad("bad hex bit pattern")
				}
				if d.Size == 4 {
					binary.LittleEndian.PutUint32(out, uint32(u))
				} else {
					binary.LittleEndian.PutUint64(out, u)
				}
				return out, nil
			default:
				return nil, bad(`not a number, "NaN", "Infinity", "-Infinity" or a hex bit pattern`)
			}
		} else if err := json.Unmarshal(raw, &f); err != nil {
			return nil, bad("not a number")
		}
		if d.Size == 4 {
			binary.LittleEndian.PutUint32(out, math.Float32bits(float32(f)))
		} else {
			binary.LittleEndian.PutUint64(out, math.Float64bits(f))
		}
		return out, nil
	}
	return nil, bad("unsupported dtype")
}

func intRange(d dtype) (int64, int64) {
	if d.Kind == 'u' {
		if d.Size == 8 {
			return 0, math.MaxInt64
		}
		return 0, int64(1)<<(8*d.Size) - 1
	}
	return -(int64(1) << (8*d.Size - 1)), int64(1)<<(8*d.Size-1) - 1
}

func putInt(out []byte, od graph.DType, v int64) {
	if od == graph.Int32 {
		binary.LittleEndian.PutUint32(out, uint32(int32(v)))
	} else {
		binary.LittleEndian.PutUint64(out, uint64(v))
	}
}

// fillJSON is the fill_value Blockwork writes for one element (native
// bytes) of dt.
func fillJSON(dt graph.DType, b []byte) any {
	switch dt {
	case graph.Bool:
		return b[0] != 0
	case graph.Int32:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	case graph.Int64:
		return int64(binary.LittleEndian.Uint64(b))
	case graph.Float32:
		return floatJSON(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))))
	case graph.Float64:
		return floatJSON(math.Float64frombits(binary.LittleEndian.Uint64(b)))
	}
	return nil
}

func floatJSON(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

// abbrev shortens a JSON fragment for an error message.
func abbrev(raw []byte) string {
	if len(raw) > 60 {
		return string(raw[:57]) + "..."
	}
	return string(raw)
}
