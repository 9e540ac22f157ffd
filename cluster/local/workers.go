package local

import (
	"sync"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/kernels"
)

// workers run jobs on goroutines. The driver pushes a batch of jobs at a
// time into a mutex-guarded queue; finished jobs collect in a list the
// driver takes whole, woken by notify (one pending signal at most). One
// lock round trip per task each way, and no goroutine switch when a
// worker finds its next job already queued.
type workers struct {
	mu     sync.Mutex
	cond   sync.Cond // a job was queued, or the pool closed
	queue  []*job
	head   int
	closed bool
	done   []*job
	notify chan struct{}
	wg     sync.WaitGroup
}

func newWorkers(n int) *workers {
	p := &workers{notify: make(chan struct{}, 1)}
	p.cond.L = &p.mu
	p.wg.Add(n)
	for range n {
		go p.work()
	}
	return p
}

func (p *workers) work() {
	defer p.wg.Done()
	p.mu.Lock()
	for {
		for p.head == len(p.queue) && !p.closed {
			p.cond.Wait()
		}
		if p.head == len(p.queue) {
			p.mu.Unlock()
			return
		}
		j := p.queue[p.head]
		p.queue[p.head] = nil
		p.head++
		if p.head == len(p.queue) {
			p.queue, p.head = p.queue[:0], 0
		}
		p.mu.Unlock()
		j.err = runKernel(j)
		p.mu.Lock()
		p.done = append(p.done, j)
		if len(p.done) == 1 {
			select {
			case p.notify <- struct{}{}:
			default:
			}
		}
	}
}

// push queues jobs.
func (p *workers) push(jobs []*job) {
	p.mu.Lock()
	p.queue = append(p.queue, jobs...)
	p.mu.Unlock()
	if len(jobs) == 1 {
		p.cond.Signal()
	} else {
		p.cond.Broadcast()
	}
}

// take returns the finished jobs (in buf's storage) and gives the pool
// buf's old list to fill next.
func (p *workers) take(buf []*job) []*job {
	p.mu.Lock()
	out := p.done
	p.done = buf[:0]
	p.mu.Unlock()
	return out
}

// close stops the workers once the queue is empty and waits for them.
func (p *workers) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cond.Broadcast()
	p.wg.Wait()
}

// runKernel runs one job (a kernel panic is its error: kernels.Run).
func runKernel(j *job) error {
	if j.l.Task.Op.Name == graph.OpAlias {
		return nil
	}
	if j.host != nil {
		if err := allocOuts(j); err != nil {
			return err
		}
	}
	return kernels.Run(j.kern, &j.l)
}
