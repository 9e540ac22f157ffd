package cluster

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/blockwork-dev/blockwork/cluster/proto"
	"github.com/blockwork-dev/blockwork/cluster/transport"
	"github.com/blockwork-dev/blockwork/device"
	"github.com/blockwork-dev/blockwork/kernels"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// ProtocolVersion is the version a worker registers with; the scheduler
// refuses another.
const ProtocolVersion = 1

// Errors.
var (
	// ErrNoToken: a process would listen beyond loopback without a token.
	ErrNoToken = errors.New("cluster: listening beyond loopback needs a token (WithToken) or WithInsecureNoToken")
	// ErrUnauthorized: the token or the TLS handshake was refused.
	ErrUnauthorized = errors.New("cluster: unauthorized")
	// ErrSchedulerGone: the connection to the scheduler broke.
	ErrSchedulerGone = errors.New("cluster: scheduler connection lost")
	// ErrNoWorkers: a computation waited too long with no worker live.
	ErrNoWorkers = errors.New("cluster: no workers")
	// ErrClosed: the client or process was closed.
	ErrClosed = errors.New("cluster: closed")
)

// tokenKey is the gRPC metadata key of the shared token.
const tokenKey = "blockwork-token"

// Option configures a Scheduler, a Worker or a Client; an option that
// concerns another kind of process is ignored, as its doc says.
type Option func(*config)

type config struct {
	token           string
	insecureNoToken bool
	serverTLS       *tls.Config
	clientTLS       *tls.Config

	heartbeat time.Duration // worker interval; the scheduler drops after 5 missed
	killLimit int           // scheduler.Config.MaxKills

	// worker
	nthreads  int
	slots     int
	memLimit  int64
	name      string
	dataAddr  string
	host      *device.Host
	reg       *kernels.Registry
	reconnect bool
	spillDir  string
	noSpill   bool

	dialer func(context.Context, string) (net.Conn, error)
	limits proto.Limits
	maxMsg int // bytes of one gRPC message the scheduler accepts
}

func newConfig(opts []Option) *config {
	c := &config{heartbeat: time.Second, reconnect: true, limits: proto.DefaultLimits(), maxMsg: 1 << 30}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithToken sets the shared token that every process of a cluster must
// present (control and data planes).
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithInsecureNoToken lets a scheduler or worker listen beyond loopback
// without a token.
func WithInsecureNoToken() Option { return func(c *config) { c.insecureNoToken = true } }

// WithTLS sets TLS: server is the config a scheduler or worker serves
// with (set ClientAuth to tls.RequireAndVerifyClientCert for mutual TLS),
// client the config a worker or client dials with (with its certificate
// for mutual TLS). Either may be nil where the process has no such side.
func WithTLS(server, client *tls.Config) Option {
	return func(c *config) { c.serverTLS, c.clientTLS = server, client }
}

// WithHeartbeat sets the worker's heartbeat interval (default 1 s); the
// scheduler drops a worker it has not heard from in 5 intervals.
func WithHeartbeat(d time.Duration) Option { return func(c *config) { c.heartbeat = d } }

// WithMaxKills sets how many workers may die while running one task
// before the computation fails (default 3; see scheduler.Config).
func WithMaxKills(n int) Option { return func(c *config) { c.killLimit = n } }

// WithThreads sets a worker's concurrent tasks (default GOMAXPROCS).
func WithThreads(n int) Option { return func(c *config) { c.nthreads = n } }

// WithSlots sets how many tasks a worker may hold queued or running
// (default 16 per thread, at least 64: deep enough that tiny tasks do not
// wait on round trips to the scheduler; stealing rebalances long ones).
func WithSlots(n int) Option { return func(c *config) { c.slots = n } }

// WithMemoryLimit sets a worker's memory budget for chunks. Above 60% of
// it, chunks no task is using are spilled to disk (least recently used
// first) and read back when needed; above 80% the worker starts no new
// task while others run. Without spilling (WithoutSpill) the limit is the
// scheduler's: it places no task on a worker whose chunks would exceed it.
func WithMemoryLimit(n int64) Option { return func(c *config) { c.memLimit = n } }

// WithSpillDir sets where a worker spills (default os.TempDir()); the
// worker makes its own directory there and removes it when it stops.
func WithSpillDir(dir string) Option { return func(c *config) { c.spillDir = dir } }

// WithoutSpill keeps every chunk of a worker in memory.
func WithoutSpill() Option { return func(c *config) { c.noSpill = true } }

// WithName names a worker (default host:pid).
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithDataAddress sets the address a worker's data server listens on
// (default: the host of its scheduler connection's local side, port 0).
func WithDataAddress(addr string) Option { return func(c *config) { c.dataAddr = addr } }

// WithDevice sets a worker's host device (default a new one).
func WithDevice(h *device.Host) Option { return func(c *config) { c.host = h } }

// WithRegistry sets a worker's kernel registry (default: the CPU kernels).
func WithRegistry(r *kernels.Registry) Option { return func(c *config) { c.reg = r } }

// WithoutReconnect makes a worker stop, instead of registering again,
// when it loses its scheduler.
func WithoutReconnect() Option { return func(c *config) { c.reconnect = false } }

// WithDialer sets how a worker or client reaches the scheduler (tests:
// an in-memory connection, or a proxy that can be cut).
func WithDialer(d func(ctx context.Context, addr string) (net.Conn, error)) Option {
	return func(c *config) { c.dialer = d }
}

// WithLimits bounds what the scheduler accepts in a submitted graph
// (decoded) and the bytes of one gRPC message (default 1 GiB: a graph
// with its literal leaves).
func WithLimits(l proto.Limits, maxMessage int) Option {
	return func(c *config) {
		c.limits = l
		if maxMessage > 0 {
			c.maxMsg = maxMessage
		}
	}
}

// transportOpts are the data plane's options for these settings.
func (c *config) transportOpts(server bool) []transport.Option {
	var o []transport.Option
	if c.token != "" {
		o = append(o, transport.WithToken(c.token))
	}
	if c.insecureNoToken {
		o = append(o, transport.WithInsecureNoToken())
	}
	if server && c.serverTLS != nil {
		o = append(o, transport.WithTLS(c.serverTLS))
	}
	if !server && c.clientTLS != nil {
		o = append(o, transport.WithTLS(c.clientTLS))
	}
	return o
}

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}

// checkListen refuses a listener beyond loopback without a token.
func (c *config) checkListen(ln net.Listener) error {
	if c.token == "" && !c.insecureNoToken && !isLoopback(ln.Addr()) {
		return fmt.Errorf("%w (%v)", ErrNoToken, ln.Addr())
	}
	return nil
}

// serverOpts are the gRPC server options: TLS, the token check,
// keepalive (a client that vanished is noticed) and message limits.
func (c *config) serverOpts() []grpc.ServerOption {
	var o []grpc.ServerOption
	if c.serverTLS != nil {
		o = append(o, grpc.Creds(credentials.NewTLS(c.serverTLS)))
	}
	if c.token != "" {
		want := sha256.Sum256([]byte(c.token))
		check := func(ctx context.Context) error {
			md, _ := metadata.FromIncomingContext(ctx)
			got := md.Get(tokenKey)
			if len(got) != 1 {
				return status.Error(codes.Unauthenticated, "missing token")
			}
			h := sha256.Sum256([]byte(got[0]))
			if subtle.ConstantTimeCompare(h[:], want[:]) != 1 {
				return status.Error(codes.Unauthenticated, "bad token")
			}
			return nil
		}
		o = append(o,
			grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
				if err := check(ctx); err != nil {
					return nil, err
				}
				return h(ctx, req)
			}),
			grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
				if err := check(ss.Context()); err != nil {
					return err
				}
				return h(srv, ss)
			}))
	}
	o = append(o,
		grpc.MaxRecvMsgSize(c.maxMsg),
		grpc.MaxSendMsgSize(1<<31-1),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 10 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
	)
	return o
}

// dial connects to the scheduler with the token, TLS and keepalive.
func (c *config) dial(addr string) (*grpc.ClientConn, error) {
	var o []grpc.DialOption
	if c.clientTLS != nil {
		o = append(o, grpc.WithTransportCredentials(credentials.NewTLS(c.clientTLS)))
	} else {
		o = append(o, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	if c.token != "" {
		tok := c.token
		o = append(o,
			grpc.WithUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, inv grpc.UnaryInvoker, opts ...grpc.CallOption) error {
				return inv(metadata.AppendToOutgoingContext(ctx, tokenKey, tok), method, req, reply, cc, opts...)
			}),
			grpc.WithStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, s grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
				return s(metadata.AppendToOutgoingContext(ctx, tokenKey, tok), desc, cc, method, opts...)
			}))
	}
	if c.dialer != nil {
		o = append(o, grpc.WithContextDialer(c.dialer))
	}
	o = append(o,
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<31-1), grpc.MaxCallSendMsgSize(1<<31-1)),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 10 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}),
	)
	return grpc.NewClient("passthrough:///"+addr, o...)
}

// rpcErr maps a gRPC status to the package's errors.
func rpcErr(err error) error {
	if err == nil {
		return nil
	}
	switch status.Code(err) {
	case codes.Unauthenticated:
		return fmt.Errorf("%w: %v", ErrUnauthorized, status.Convert(err).Message())
	case codes.Unavailable:
		return fmt.Errorf("%w: %v", ErrSchedulerGone, err)
	}
	return err
}
