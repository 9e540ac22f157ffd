package cuda

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// errThreadClosed is returned by thread.do after close.
var errThreadClosed = errors.New("cuda: GPU closed")

// thread is one goroutine locked to an OS thread that runs submitted
// closures in order. A CUDA context is current per OS thread, so every
// driver call for one GPU goes through its thread: bind makes the
// context current once, unbind runs when the thread ends.
type thread struct {
	work chan func()
	done chan struct{}
	mu   sync.Mutex // guards closed against sends after close
	shut bool
}

// newThread starts the thread and runs bind on it; an error from bind
// ends the thread and is returned.
func newThread(bind func() error, unbind func()) (*thread, error) {
	t := &thread{work: make(chan func()), done: make(chan struct{})}
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		defer close(t.done)
		if err := bind(); err != nil {
			ready <- err
			return
		}
		ready <- nil
		for f := range t.work {
			f()
		}
		if unbind != nil {
			unbind()
		}
	}()
	if err := <-ready; err != nil {
		<-t.done
		return nil, err
	}
	return t, nil
}

// do runs f on the thread and returns its error; a panic in f becomes an
// error and the thread goes on.
func (t *thread) do(f func() error) (err error) {
	t.mu.Lock()
	if t.shut {
		t.mu.Unlock()
		return errThreadClosed
	}
	res := make(chan error, 1)
	t.work <- func() {
		defer func() {
			if r := recover(); r != nil {
				res <- fmt.Errorf("cuda: panic on the GPU thread: %v", r)
			}
		}()
		res <- f()
	}
	t.mu.Unlock()
	return <-res
}

// close stops the thread after the closures already submitted and waits
// for it; later calls to do return an error.
func (t *thread) close() {
	t.mu.Lock()
	if !t.shut {
		t.shut = true
		close(t.work)
	}
	t.mu.Unlock()
	<-t.done
}
