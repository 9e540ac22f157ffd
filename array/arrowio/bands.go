package arrowio

import (
	"context"
	"fmt"

	"github.com/blockwork-dev/blockwork/array"
)

// band is rows [lo, hi) of the array being written: one record batch or
// row group.
type band struct{ lo, hi int }

// planBands splits each axis-0 chunk into pieces of at most batchBytes
// (rowBytes per row, at least one row each). Zero-length chunks give no
// band.
func planBands(c0 []int, rowBytes, batchBytes int64) []band {
	per := int64(1)
	if rowBytes > 0 {
		per = max(1, batchBytes/rowBytes)
	} else {
		per = int64(^uint(0) >> 1)
	}
	var out []band
	lo := 0
	for _, n := range c0 {
		hi := lo + n
		for s := lo; s < hi; {
			e := hi
			if int64(e-s) > per {
				e = s + int(per)
			}
			out = append(out, band{s, e})
			s = e
		}
		lo = hi
	}
	return out
}

// rowBytes is the size of one row (x[i, ...]) of x.
func rowBytes(x *array.Array) int64 {
	n := int64(x.DType().Size())
	for _, s := range x.Shape()[1:] {
		n *= int64(s)
	}
	return n
}

// computeBands computes the bands of x in order and hands each to write,
// in order. A group of consecutive bands of up to groupBytes (at least
// one band) is computed by one Compute call while write consumes the
// previous group, so at most two groups are held. write must not keep
// the NDArray after it returns.
func computeBands(ctx context.Context, x *array.Array, bands []band, cfg *config, write func(band, *array.NDArray) error) error {
	rb := rowBytes(x)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type group struct {
		bands []band
		nds   []*array.NDArray
		err   error
	}
	ch := make(chan group)
	go func() {
		defer close(ch)
		for i := 0; i < len(bands); {
			j, bytes := i, int64(0)
			for j < len(bands) && (j == i || bytes+int64(bands[j].hi-bands[j].lo)*rb <= cfg.groupBytes) {
				bytes += int64(bands[j].hi-bands[j].lo) * rb
				j++
			}
			g := group{bands: bands[i:j]}
			xs := make([]*array.Array, len(g.bands))
			for k, b := range g.bands {
				xs[k] = x.Slice(array.Span(b.lo, b.hi))
			}
			g.nds, g.err = array.Compute(ctx, xs, cfg.compute...)
			if g.err != nil {
				g.err = fmt.Errorf("arrowio: computing rows [%d, %d): %w", g.bands[0].lo, g.bands[len(g.bands)-1].hi, g.err)
			}
			select {
			case ch <- g:
			case <-ctx.Done():
				return
			}
			if g.err != nil {
				return
			}
			i = j
		}
	}()
	fail := func(err error) error {
		cancel()
		for range ch {
		}
		return err
	}
	for g := range ch {
		if g.err != nil {
			return fail(g.err)
		}
		for k, b := range g.bands {
			if err := write(b, g.nds[k]); err != nil {
				return fail(err)
			}
			g.nds[k] = nil
		}
	}
	return ctx.Err()
}
