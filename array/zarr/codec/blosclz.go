package codec

import "fmt"

// blosclzFarBias is added to a far match's 16-bit distance.
const blosclzFarBias = 8191

// blosclzDecode decodes one BloscLZ stream (c-blosc's own FastLZ-derived
// compressor) that must fill out exactly. The stream is a sequence of
// instructions, each starting with a control byte (the first one's top
// three bits are a marker and are ignored):
//
//   - ctrl < 32: a literal run of ctrl+1 bytes, which follow.
//   - otherwise a match: length code L = ctrl>>5 (1..7) and distance
//     high bits H = ctrl&31. L == 7 is extended by the following bytes
//     (each added, until one is not 255). The match copies L+2 bytes
//     (plus the extensions) from D+1 bytes back, where D = H<<8 + the
//     next byte; when H == 31 and that byte is 255, D is instead the
//     next two bytes (big-endian) plus 8191. Copies may overlap their
//     own output (D == 0 repeats the last byte).
func blosclzDecode(out, in []byte) error {
	if len(in) == 0 {
		return fmt.Errorf("blosclz: empty stream: %w", ErrCorrupt)
	}
	ip, op := 1, 0
	ctrl := int(in[0] & 31)
	for {
		if ctrl >= 32 {
			n := ctrl>>5 - 1
			hi := (ctrl & 31) << 8
			if n == 6 {
				for {
					if ip >= len(in) {
						return fmt.Errorf("blosclz: truncated match length: %w", ErrCorrupt)
					}
					code := int(in[ip])
					ip++
					n += code
					if code != 255 {
						break
					}
				}
			}
			if ip >= len(in) {
				return fmt.Errorf("blosclz: truncated match distance: %w", ErrCorrupt)
			}
			code := int(in[ip])
			ip++
			n += 3
			dist := hi + code
			if code == 255 && hi == 31<<8 {
				if ip+2 > len(in) {
					return fmt.Errorf("blosclz: truncated far distance: %w", ErrCorrupt)
				}
				dist = (int(in[ip])<<8 | int(in[ip+1])) + blosclzFarBias
				ip += 2
			}
			from := op - dist - 1
			if from < 0 {
				return fmt.Errorf("blosclz: match %d bytes back at output byte %d: %w", dist+1, op, ErrCorrupt)
			}
			if n > len(out)-op {
				return fmt.Errorf("blosclz: match of %d bytes overruns the %d-byte output: %w", n, len(out), ErrCorrupt)
			}
			if op-from >= n {
				copy(out[op:op+n], out[from:from+n])
			} else {
				for i := range n { // overlapping: byte by byte
					out[op+i] = out[from+i]
				}
			}
			op += n
		} else {
			n := ctrl + 1
			if n > len(out)-op || n > len(in)-ip {
				return fmt.Errorf("blosclz: literal run of %d bytes overruns input or output: %w", n, ErrCorrupt)
			}
			copy(out[op:], in[ip:ip+n])
			op += n
			ip += n
		}
		if ip >= len(in) {
			break
		}
		ctrl = int(in[ip])
		ip++
	}
	if op != len(out) {
		return fmt.Errorf("blosclz: stream decodes to %d bytes, want %d: %w", op, len(out), ErrCorrupt)
	}
	return nil
}
