package cluster

import "fmt"

// StoreKeys lists a worker's chunks (for test failure messages).
func StoreKeys(w *Worker) []string {
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	var ks []string
	for k, e := range w.store.m {
		ks = append(ks, fmt.Sprintf("%q[%d] %d bytes (refs %d)", k.Layer, k.Block, e.size, e.buf.Refs()))
	}
	return ks
}
