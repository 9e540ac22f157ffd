package cuda

import (
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestThreadRunsOnOneOSThread(t *testing.T) {
	var bound, unbound int
	var tid int
	th, err := newThread(func() error { bound++; tid = syscall.Gettid(); return nil }, func() { unbound++ })
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	tids := map[int]bool{}
	order := []int{}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := th.do(func() error {
					mu.Lock()
					tids[syscall.Gettid()] = true
					order = append(order, i)
					mu.Unlock()
					return nil
				}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if len(tids) != 1 || !tids[tid] {
		t.Fatalf("closures ran on threads %v, bound on %d", tids, tid)
	}
	if len(order) != 400 {
		t.Fatalf("%d closures ran, want 400", len(order))
	}
	want := errors.New("boom")
	if err := th.do(func() error { return want }); err != want {
		t.Fatalf("error %v, want %v", err, want)
	}
	if err := th.do(func() error { panic("kernel") }); err == nil || !strings.Contains(err.Error(), "panic") {
		t.Fatalf("panic gave %v", err)
	}
	if err := th.do(func() error { return nil }); err != nil {
		t.Fatalf("thread dead after a panic: %v", err)
	}
	th.close()
	th.close()
	if bound != 1 || unbound != 1 {
		t.Fatalf("bind %d, unbind %d times", bound, unbound)
	}
	if err := th.do(func() error { return nil }); err != errThreadClosed {
		t.Fatalf("do after close: %v", err)
	}
}

func TestThreadBindError(t *testing.T) {
	want := errors.New("no context")
	th, err := newThread(func() error { return want }, func() { t.Error("unbind after a failed bind") })
	if err != want || th != nil {
		t.Fatalf("newThread = %v, %v", th, err)
	}
}
