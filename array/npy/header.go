package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// magic starts every .npy file.
const magic = "\x93NUMPY"

// MaxDims bounds the number of axes a header may declare (NumPy 2 allows
// 64).
const MaxDims = 64

// ErrFormat is wrapped by every error about a malformed or unsupported
// file.
var ErrFormat = errors.New("npy: bad file")

// Header is the parsed .npy header.
type Header struct {
	Major, Minor int    // format version: 1.0, 2.0 or 3.0
	Descr        string // NumPy dtype string, e.g. "<f8"
	Fortran      bool   // data in Fortran (column-major) order
	Shape        []int
	DataOffset   int64 // bytes from the file's start to the first element
}

func formatErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, a...)...)
}

// preludeLen returns the length of the fixed part (magic, version,
// header length) of a file with the given major version.
func preludeLen(major int) int {
	if major == 1 {
		return 10
	}
	return 12
}

// ReadPrelude decodes the magic, the version and the header length from
// the first bytes of a file (at least 12, or the whole file if shorter).
// It returns the version and the total number of bytes before the data.
func ReadPrelude(b []byte, maxHeader int) (major, minor int, dataOffset int64, err error) {
	if len(b) < 8 {
		if bytes.HasPrefix([]byte(magic), b) {
			return 0, 0, 0, formatErr("truncated: %d bytes, shorter than the magic string and version", len(b))
		}
		return 0, 0, 0, formatErr("not a .npy file (bad magic %q)", b)
	}
	if string(b[:6]) != magic {
		return 0, 0, 0, formatErr("not a .npy file (bad magic %q)", b[:6])
	}
	major, minor = int(b[6]), int(b[7])
	if minor != 0 || major < 1 || major > 3 {
		return 0, 0, 0, formatErr("unsupported format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	p := preludeLen(major)
	if len(b) < p {
		return 0, 0, 0, formatErr("truncated: %d bytes, the version %d.0 prelude needs %d", len(b), major, p)
	}
	var hl int64
	if major == 1 {
		hl = int64(binary.LittleEndian.Uint16(b[8:10]))
	} else {
		hl = int64(binary.LittleEndian.Uint32(b[8:12]))
	}
	if hl > int64(maxHeader) {
		return 0, 0, 0, formatErr("header of %d bytes exceeds the limit of %d (MaxHeaderBytes)", hl, maxHeader)
	}
	return major, minor, int64(p) + hl, nil
}

// ParseHeader parses a whole .npy header: prelude plus dict, exactly
// dataOffset bytes as ReadPrelude returned (b may be longer).
func ParseHeader(b []byte, maxHeader int) (*Header, error) {
	major, minor, off, err := ReadPrelude(b, maxHeader)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) < off {
		return nil, formatErr("truncated: the header needs %d bytes, the file has %d", off, len(b))
	}
	text := b[preludeLen(major):off]
	if major == 3 {
		if !utf8.Valid(text) {
			return nil, formatErr("version 3.0 header is not valid UTF-8")
		}
	}
	h, err := parseDict(text)
	if err != nil {
		return nil, err
	}
	h.Major, h.Minor, h.DataOffset = major, minor, off
	return h, nil
}

// parseDict parses the header dict: exactly the keys 'descr' (a string),
// 'fortran_order' (True or False) and 'shape' (a tuple of non-negative
// integers), in any order, each once, with an optional trailing comma,
// followed by spaces and newlines only. Integers may carry Python 2's 'L'
// suffix (old NumPy wrote it).
func parseDict(text []byte) (*Header, error) {
	p := &parser{s: text}
	h := &Header{}
	seen := map[string]bool{}
	p.space()
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	for {
		p.space()
		if p.peek() == '}' {
			p.i++
			break
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, p.errf("key %q given twice", key)
		}
		seen[key] = true
		p.space()
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		p.space()
		switch key {
		case "descr":
			if p.peek() == '[' {
				return nil, p.errf("structured dtypes (a list descr) are not supported")
			}
			if h.Descr, err = p.str(); err != nil {
				return nil, err
			}
		case "fortran_order":
			if h.Fortran, err = p.boolean(); err != nil {
				return nil, err
			}
		case "shape":
			if h.Shape, err = p.tuple(); err != nil {
				return nil, err
			}
		default:
			return nil, p.errf("unexpected key %q (want 'descr', 'fortran_order', 'shape')", key)
		}
		p.space()
		if p.peek() == ',' {
			p.i++
			continue
		}
		if p.peek() != '}' {
			if p.i >= len(p.s) {
				return nil, p.errf("want ',' or '}' after the value of %q, found the end", key)
			}
			return nil, p.errf("want ',' or '}' after the value of %q, found %q", key, p.peek())
		}
		p.i++
		break
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return nil, p.errf("key %q missing", k)
		}
	}
	for ; p.i < len(p.s); p.i++ {
		if c := p.s[p.i]; c != ' ' && c != '\n' && c != '\t' {
			return nil, p.errf("unexpected %q after the dict", c)
		}
	}
	return h, nil
}

type parser struct {
	s []byte
	i int
}

func (p *parser) errf(format string, a ...any) error {
	return formatErr("header dict at byte %d: %s (header %s)", p.i, fmt.Sprintf(format, a...), clip(p.s))
}

// clip quotes at most 120 bytes of a header for an error message.
func clip(s []byte) string {
	if len(s) > 120 {
		return strconv.Quote(string(s[:120])) + "..."
	}
	return strconv.Quote(string(s))
}

func (p *parser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *parser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *parser) expect(c byte) error {
	if p.i >= len(p.s) {
		return p.errf("want %q, found the end", c)
	}
	if p.s[p.i] != c {
		return p.errf("want %q, found %q", c, p.s[p.i])
	}
	p.i++
	return nil
}

// str parses a quoted string ('...' or "...") without escapes.
func (p *parser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		if p.i >= len(p.s) {
			return "", p.errf("want a quoted string, found the end")
		}
		return "", p.errf("want a quoted string, found %q", q)
	}
	start := p.i + 1
	for j := start; j < len(p.s); j++ {
		switch p.s[j] {
		case q:
			p.i = j + 1
			return string(p.s[start:j]), nil
		case '\\', '\n':
			p.i = j
			return "", p.errf("escapes and newlines in strings are not supported")
		}
	}
	p.i = len(p.s)
	return "", p.errf("unterminated string")
}

func (p *parser) boolean() (bool, error) {
	rest := p.s[p.i:]
	switch {
	case bytes.HasPrefix(rest, []byte("True")):
		p.i += 4
		return true, nil
	case bytes.HasPrefix(rest, []byte("False")):
		p.i += 5
		return false, nil
	}
	return false, p.errf("want True or False")
}

// tuple parses (), (n,), (n, m), (n, m,) ...
func (p *parser) tuple() ([]int, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	shape := []int{}
	for {
		p.space()
		if p.peek() == ')' { // only reached for ()
			p.i++
			return shape, nil
		}
		n, err := p.integer()
		if err != nil {
			return nil, err
		}
		if len(shape) == MaxDims {
			return nil, p.errf("more than %d dimensions", MaxDims)
		}
		shape = append(shape, n)
		p.space()
		switch p.peek() {
		case ',':
			p.i++
			p.space()
			if p.peek() == ')' {
				p.i++
				return shape, nil
			}
		case ')':
			if len(shape) == 1 {
				// (n) is an int in Python, not a tuple; NumPy writes (n,).
				return nil, p.errf("a 1-tuple needs a trailing comma: (n,)")
			}
			p.i++
			return shape, nil
		default:
			if p.i >= len(p.s) {
				return nil, p.errf("unterminated shape tuple")
			}
			return nil, p.errf("want ',' or ')' in the shape, found %q", p.peek())
		}
	}
}

// integer parses a non-negative decimal integer (no sign, no leading
// zeros, optional 'L' suffix) that fits an int.
func (p *parser) integer() (int, error) {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	digits := string(p.s[start:p.i])
	if digits == "" {
		if p.i >= len(p.s) {
			return 0, p.errf("want a dimension, found the end")
		}
		return 0, p.errf("want a non-negative integer dimension, found %q", p.peek())
	}
	if len(digits) > 1 && digits[0] == '0' {
		return 0, p.errf("dimension %q has a leading zero", digits)
	}
	if p.peek() == 'L' {
		p.i++
	}
	n, err := strconv.ParseInt(digits, 10, 63)
	if err != nil {
		return 0, p.errf("dimension %s does not fit 63 bits", digits)
	}
	if int64(int(n)) != n {
		return 0, p.errf("dimension %s does not fit an int", digits)
	}
	return int(n), nil
}

// FormatHeader returns the full header (prelude and dict) NumPy would
// write for descr, order and shape: version 1.0 when the dict fits its
// 16-bit length, else 2.0, padded with spaces and a final newline so
// that the data starts at a multiple of 64 bytes.
func FormatHeader(descr string, fortran bool, shape []int) []byte {
	var d strings.Builder
	d.WriteString("{'descr': '")
	d.WriteString(descr)
	d.WriteString("', 'fortran_order': ")
	if fortran {
		d.WriteString("True")
	} else {
		d.WriteString("False")
	}
	d.WriteString(", 'shape': (")
	for i, s := range shape {
		if i > 0 {
			d.WriteString(", ")
		}
		d.WriteString(strconv.Itoa(s))
	}
	if len(shape) == 1 {
		d.WriteString(",")
	}
	d.WriteString("), }")
	dict := d.String()
	major := 1
	pl := preludeLen(1)
	total := pad64(pl + len(dict) + 1)
	if total-pl > 0xFFFF {
		major, pl = 2, preludeLen(2)
		total = pad64(pl + len(dict) + 1)
	}
	out := make([]byte, total)
	copy(out, magic)
	out[6], out[7] = byte(major), 0
	if major == 1 {
		binary.LittleEndian.PutUint16(out[8:], uint16(total-pl))
	} else {
		binary.LittleEndian.PutUint32(out[8:], uint32(total-pl))
	}
	n := copy(out[pl:], dict)
	for i := pl + n; i < total-1; i++ {
		out[i] = ' '
	}
	out[total-1] = '\n'
	return out
}

func pad64(n int) int { return (n + 63) &^ 63 }
