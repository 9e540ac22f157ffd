//go:build unix

package device

import (
	"runtime"
	"testing"
)

func pageSizeForTest() int64 { return pageSize }

// TestOffHeap checks that large buffers do not come from the Go heap.
func TestOffHeap(t *testing.T) {
	h := NewHost()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b, err := h.Alloc(64 << 20)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if d := int64(after.HeapAlloc) - int64(before.HeapAlloc); d > 16<<20 {
		t.Errorf("the Go heap grew by %d bytes for a 64 MiB buffer", d)
	}
	b.Release()
	h.Trim()
}
