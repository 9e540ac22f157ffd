package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/blockwork-dev/blockwork/cluster/proto"
	"github.com/blockwork-dev/blockwork/cluster/transport"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/graph"
	"google.golang.org/grpc"
)

// Client is a connection to a scheduler; it is an array.Executor
// (x.Compute(ctx, array.On(client))). Safe for concurrent use.
type Client struct {
	cfg   *config
	cc    *grpc.ClientConn
	api   proto.SchedulerClient
	fetch *transport.Client
	host  *device.Host
	addr  string
}

// Handle is a persisted chunk of a Client: a graph.Leaf value for later
// computations on the same cluster, until Release.
type Handle struct {
	c    *Client
	ref  uint64
	lit  []byte // a literal leaf persisted as itself
	meta []graph.Chunk
}

// Connect connects to the scheduler at addr and checks that it answers
// (a wrong token fails here with ErrUnauthorized).
func Connect(ctx context.Context, addr string, opts ...Option) (*Client, error) {
	cfg := newConfig(opts)
	cc, err := cfg.dial(addr)
	if err != nil {
		return nil, err
	}
	fetch, err := transport.NewClient(cfg.transportOpts(false)...)
	if err != nil {
		cc.Close()
		return nil, err
	}
	c := &Client{cfg: cfg, cc: cc, api: proto.NewSchedulerClient(cc), fetch: fetch, host: cfg.host, addr: addr}
	if c.host == nil {
		c.host = device.NewHost()
	}
	if _, err := c.Info(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the connection; persisted chunks stay until Release (or
// until the scheduler ends).
func (c *Client) Close() error {
	c.fetch.Close()
	return c.cc.Close()
}

// Info describes the cluster: its live workers and their load.
func (c *Client) Info(ctx context.Context) (*proto.InfoReply, error) {
	r, err := c.api.Info(ctx, &proto.InfoRequest{}, grpc.WaitForReady(false))
	return r, rpcErr(err)
}

// Compute runs g on the cluster for keys and delivers each wanted chunk,
// fetched from the worker that holds it (array.Executor).
func (c *Client) Compute(ctx context.Context, g *graph.Graph, keys []graph.Key, deliver func(i int, data []byte) error, progress func(done, total int, resident int64)) error {
	res, lits, end, err := c.submit(ctx, g, keys, false, 0, progress)
	if err != nil {
		return err
	}
	defer end()
	return c.gather(ctx, res, lits, deliver)
}

// gather fetches the results (a few at a time) and delivers them in order.
func (c *Client) gather(ctx context.Context, res []*proto.Result, lits [][]byte, deliver func(i int, data []byte) error) error {
	type got struct {
		buf *device.Buffer
		err error
	}
	bufs := make([]chan got, len(res))
	sem := make(chan struct{}, 4)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i, r := range res {
		bufs[i] = make(chan got, 1)
		if lits[i] != nil {
			continue
		}
		go func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				bufs[i] <- got{err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			b, _, err := c.fetch.Fetch(ctx, r.Address, graph.Key{Layer: r.Key.Layer, Block: r.Key.Block}, c.host)
			if err != nil {
				err = fmt.Errorf("cluster: fetching result %d from %s: %w", i, r.Address, err)
			}
			bufs[i] <- got{b, err}
		}()
	}
	var first error
	for i := range res {
		if lits[i] != nil {
			if first == nil {
				first = deliver(i, lits[i])
			}
			continue
		}
		r := <-bufs[i]
		if r.err == nil && first == nil {
			first = deliver(i, r.buf.Bytes())
		}
		if r.buf != nil {
			r.buf.Release()
		}
		if first == nil {
			first = r.err
		}
		if first != nil {
			cancel()
		}
	}
	return first
}

// Persist runs g for keys and keeps the chunks resident on the workers;
// the handles are leaf values for later graphs on this client.
func (c *Client) Persist(ctx context.Context, g *graph.Graph, keys []graph.Key, progress func(done, total int, resident int64)) ([]any, error) {
	res, lits, end, err := c.submit(ctx, g, keys, true, 0, progress)
	if err != nil {
		return nil, err
	}
	end()
	hs := make([]any, len(res))
	lix := g.LeafIndex()
	for i, r := range res {
		if lits[i] != nil {
			li, _ := lix.Get(keys[i])
			hs[i] = &Handle{c: c, lit: lits[i], meta: g.Leaves[li].Outputs}
			continue
		}
		if r.Ref == 0 {
			// a persisted leaf asked again: the same chunk, a new hold is
			// not taken; hand back the input's handle
			li, _ := lix.Get(keys[i])
			hs[i] = g.Leaves[li].Value
			continue
		}
		hs[i] = &Handle{c: c, ref: r.Ref}
	}
	return hs, nil
}

// Release frees persisted chunks (array.Executor).
func (c *Client) Release(handles []any) {
	var refs []uint64
	for _, h := range handles {
		if h, ok := h.(*Handle); ok && h.c == c && h.ref != 0 {
			refs = append(refs, h.ref)
		}
	}
	if len(refs) > 0 {
		c.api.Release(context.Background(), &proto.ReleaseRequest{Refs: refs})
	}
}

// submit sends the graph and waits for the DONE event. leaves[i] is the
// leaf index of wanted key i when it is literal data the client holds
// (else -1). end closes the stream: the scheduler then frees the results.
func (c *Client) submit(ctx context.Context, g *graph.Graph, keys []graph.Key, persist bool, retries int, progress func(done, total int, resident int64)) (res []*proto.Result, lits [][]byte, end func(), err error) {
	req := &proto.SubmitRequest{Persist: persist, Retries: uint32(retries)}
	// persisted leaves travel as refs, literal ones as bytes
	g2 := &graph.Graph{Tasks: g.Tasks, Leaves: make([]graph.Leaf, len(g.Leaves))}
	isRef := make([]bool, len(g.Leaves))
	for i, l := range g.Leaves {
		switch v := l.Value.(type) {
		case []byte:
			g2.Leaves[i] = l
		case *Handle:
			if v.c != c {
				return nil, nil, nil, fmt.Errorf("cluster: leaf %v was persisted by another client", l.Key)
			}
			if v.lit != nil {
				l.Value = v.lit
			} else {
				l.Value = proto.External{}
				isRef[i] = true
				req.Persisted = append(req.Persisted, &proto.PersistedInput{Leaf: uint32(i), Ref: v.ref})
			}
			g2.Leaves[i] = l
		default:
			return nil, nil, nil, fmt.Errorf("cluster: leaf %v holds a %T (want []byte or a cluster handle)", l.Key, l.Value)
		}
	}
	msg, err := proto.EncodeGraph(g2)
	if err != nil {
		return nil, nil, nil, err
	}
	req.Graph = msg
	layer := make(map[string]uint32, len(msg.Layers))
	for i, l := range msg.Layers {
		layer[l] = uint32(i)
	}
	lix := g2.LeafIndex()
	lits = make([][]byte, len(keys))
	for i, k := range keys {
		li, ok := layer[k.Layer]
		if !ok {
			return nil, nil, nil, fmt.Errorf("cluster: wanted key %v is not in the graph", k)
		}
		req.Wanted = append(req.Wanted, &proto.Key{Layer: li, Block: k.Block})
		if j, ok := lix.Get(k); ok {
			if v, lit := g2.Leaves[j].Value.([]byte); lit && !isRef[j] {
				lits[i] = v
				if lits[i] == nil {
					lits[i] = []byte{}
				}
			}
		}
	}
	sctx, cancel := context.WithCancel(ctx)
	stream, err := c.api.Submit(sctx, req)
	if err != nil {
		cancel()
		return nil, nil, nil, rpcErr(err)
	}
	for {
		ev, err := stream.Recv()
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				return nil, nil, nil, ctx.Err()
			}
			if errors.Is(err, io.EOF) {
				err = errors.New("stream ended before the computation did")
			}
			if err = rpcErr(err); !errors.Is(err, ErrSchedulerGone) {
				err = fmt.Errorf("%w: %w", ErrSchedulerGone, err)
			}
			return nil, nil, nil, err
		}
		switch ev.State {
		case proto.ResultEvent_STATE_RUNNING:
			if progress != nil {
				progress(int(ev.TasksDone), int(ev.TasksTotal), ev.ResidentBytes)
			}
		case proto.ResultEvent_STATE_FAILED:
			cancel()
			return nil, nil, nil, &RemoteError{Msg: ev.Error, Kind: ev.ErrorKind}
		case proto.ResultEvent_STATE_DONE:
			if progress != nil {
				progress(int(ev.TasksDone), int(ev.TasksTotal), ev.ResidentBytes)
			}
			if len(ev.Results) != len(keys) {
				cancel()
				return nil, nil, nil, fmt.Errorf("%w: %d results for %d keys", ErrSchedulerGone, len(ev.Results), len(keys))
			}
			return ev.Results, lits, cancel, nil
		}
	}
}

// RemoteError is a computation's failure as the scheduler reported it
// (the text names the task and op, or the worker). It unwraps to the
// scheduler's sentinel of its kind (scheduler.ErrKilledWorker,
// ErrMemoryLimit, ErrNoWorker, ErrCancelled, or ErrNoWorkers), none for a
// task's own error.
type RemoteError struct {
	Msg  string
	Kind proto.ErrorKind
}

func (e *RemoteError) Error() string { return "cluster: " + e.Msg }

func (e *RemoteError) Unwrap() error {
	for _, k := range errorKinds {
		if k.kind == e.Kind {
			return k.err
		}
	}
	return nil
}
