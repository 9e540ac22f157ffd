package cluster

import (
	"context"
	"sync"

	"github.com/blockwork-dev/blockwork/cluster/proto"
)

type outbox struct {
	mu     sync.Mutex
	msgs   []*proto.SchedulerMessage
	signal chan struct{}
	closed bool
}

func newOutbox() *outbox { return &outbox{signal: make(chan struct{}, 1)} }

func (o *outbox) push(m *proto.SchedulerMessage) {
	o.mu.Lock()
	if !o.closed {
		o.msgs = append(o.msgs, m)
	}
	o.mu.Unlock()
	select {
	case o.signal <- struct{}{}:
	default:
	}
}

func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	select {
	case o.signal <- struct{}{}:
	default:
	}
}

// wait returns the queued messages, or false once closed or ctx ends.
func (o *outbox) wait(ctx context.Context) ([]*proto.SchedulerMessage, bool) {
	for {
		o.mu.Lock()
		msgs, closed := o.msgs, o.closed
		o.msgs = nil
		o.mu.Unlock()
		if closed {
			return nil, false
		}
		if len(msgs) > 0 {
			return msgs, true
		}
		select {
		case <-o.signal:
		case <-ctx.Done():
			return nil, false
		}
	}
}
