package codec

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentUse: one codec value serves many goroutines at once (run
// with -race).
func TestConcurrentUse(t *testing.T) {
	r := newRand(t)
	z, _ := NewZstd(3)
	g, _ := NewGzip(5)
	codecs := []Codec{
		mustBlosc(t, "lz4", 5, BloscShuffle, 8), mustBlosc(t, "zstd", 3, BloscBitShuffle, 4),
		mustBlosc(t, "lz4hc", 5, BloscShuffle, 2), mustBlosc(t, "zlib", 5, BloscNoShuffle, 1),
		z, g, NewLZ4(), NewCRC32C(),
	}
	inputs := make([][]byte, 8)
	for i := range inputs {
		inputs[i] = makeData(r, "walk", 1000+8*r.IntN(20000))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 40 {
				c := codecs[(w+k)%len(codecs)]
				data := inputs[(w*7+k)%len(inputs)]
				enc, err := c.Encode(nil, data)
				if err == nil {
					var dec []byte
					dec, err = c.Decode(nil, enc, len(data))
					if err == nil && !bytes.Equal(dec, data) {
						err = fmt.Errorf("wrong bytes")
					}
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", c.Name(), err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
