package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/blockwork-dev/blockwork/cluster"
)

// securityFlags are the flags every cluster process shares.
type securityFlags struct {
	tokenFile, cert, key, ca *string
	insecure                 *bool
}

func addSecurityFlags(fs *flag.FlagSet) *securityFlags {
	return &securityFlags{
		tokenFile: fs.String("token-file", "", "file holding the cluster's shared token (else $BLOCKWORK_TOKEN)"),
		cert:      fs.String("tls-cert", "", "PEM certificate of this process (TLS)"),
		key:       fs.String("tls-key", "", "PEM private key of -tls-cert"),
		ca:        fs.String("tls-ca", "", "PEM CA that signs the cluster's certificates: with it, TLS is mutual"),
		insecure:  fs.Bool("insecure-no-token", false, "listen beyond loopback without a token"),
	}
}

// options reads the token and the TLS files.
func (f *securityFlags) options() ([]cluster.Option, error) {
	var opts []cluster.Option
	tok := os.Getenv("BLOCKWORK_TOKEN")
	if *f.tokenFile != "" {
		b, err := os.ReadFile(*f.tokenFile)
		if err != nil {
			return nil, err
		}
		tok = strings.TrimSpace(string(b))
	}
	if tok != "" {
		opts = append(opts, cluster.WithToken(tok))
	}
	if *f.insecure {
		opts = append(opts, cluster.WithInsecureNoToken())
	}
	if *f.cert == "" && *f.ca == "" {
		return opts, nil
	}
	if *f.cert == "" || *f.key == "" || *f.ca == "" {
		return nil, errors.New("TLS needs -tls-cert, -tls-key and -tls-ca together")
	}
	cert, err := tls.LoadX509KeyPair(*f.cert, *f.key)
	if err != nil {
		return nil, err
	}
	pem, err := os.ReadFile(*f.ca)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate found", *f.ca)
	}
	server := &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}
	client := &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS13}
	return append(opts, cluster.WithTLS(server, client)), nil
}

func schedulerCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("scheduler", flag.ExitOnError)
	listen := fs.String("listen", ":8786", "address to serve workers and clients on")
	heartbeat := fs.Duration("heartbeat", time.Second, "workers' heartbeat interval (a worker silent for 5 is dropped)")
	sec := addSecurityFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts, err := sec.options()
	if err != nil {
		return err
	}
	s, err := cluster.Listen(*listen, append(opts, cluster.WithHeartbeat(*heartbeat))...)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("blockwork scheduler listening on %s\n", s.Addr())
	<-ctx.Done()
	return nil
}

func workerCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ExitOnError)
	sched := fs.String("scheduler", "", "the scheduler's address (host:port)")
	nthreads := fs.Int("nthreads", 0, "tasks run at once (0: one per core)")
	gpus := fs.String("gpus", "", "GPUs to use: all, none or a list like 0,1")
	mem := fs.String("memory-limit", "0", "bytes of chunks held at once, like 8GiB (0: no limit)")
	name := fs.String("name", "", "worker name (default host:pid)")
	spillDir := fs.String("spill-dir", "", "where chunks over 60% of -memory-limit are spilled (default the temp dir)")
	noSpill := fs.Bool("no-spill", false, "never spill: -memory-limit is then a hard limit the scheduler keeps")
	data := fs.String("data-listen", "", "address the data server listens on (default: loopback for a loopback scheduler, else all interfaces)")
	sec := addSecurityFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sched == "" {
		return errors.New("worker: -scheduler is required")
	}
	switch *gpus {
	case "", "none":
	default:
		return fmt.Errorf("worker: -gpus %s: this build has no GPU backend (build with -tags cuda on a GPU host)", *gpus)
	}
	limit, err := parseBytes(*mem)
	if err != nil {
		return fmt.Errorf("worker: -memory-limit: %w", err)
	}
	opts, err := sec.options()
	if err != nil {
		return err
	}
	opts = append(opts, cluster.WithThreads(*nthreads), cluster.WithMemoryLimit(limit), cluster.WithName(*name), cluster.WithDataAddress(*data), cluster.WithSpillDir(*spillDir))
	if *noSpill {
		opts = append(opts, cluster.WithoutSpill())
	}
	w, err := cluster.StartWorker(ctx, *sched, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("blockwork worker %d serving chunks on %s\n", w.ID(), w.DataAddress())
	select {
	case <-ctx.Done():
		return w.Close()
	case <-w.Done():
		return w.Err()
	}
}

// parseBytes reads "8GiB", "512MB", "1e9" or a plain number of bytes.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v*mult > 1<<62 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(v * mult), nil
}

// localCluster is a scheduler and workers in this process, on loopback:
// the demo's cluster.
type localCluster struct {
	sched   *cluster.Scheduler
	workers []*cluster.Worker
	client  *cluster.Client
}

func startLocalCluster(ctx context.Context, n, threads int, mem int64) (*localCluster, error) {
	s, err := cluster.Listen("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	lc := &localCluster{sched: s}
	if threads <= 0 {
		threads = max(1, runtime.GOMAXPROCS(0)/n)
	}
	for range n {
		w, err := cluster.StartWorker(ctx, s.Addr(), cluster.WithThreads(threads), cluster.WithMemoryLimit(mem/int64(n)))
		if err != nil {
			lc.close()
			return nil, err
		}
		lc.workers = append(lc.workers, w)
	}
	if lc.client, err = cluster.Connect(ctx, s.Addr()); err != nil {
		lc.close()
		return nil, err
	}
	return lc, nil
}

func (lc *localCluster) tasksRun() int64 {
	var n int64
	for _, w := range lc.workers {
		n += w.TasksRun()
	}
	return n
}

func (lc *localCluster) peakBytes() int64 {
	var n int64
	for _, w := range lc.workers {
		n += w.Host().Stats().PeakBytes
	}
	return n
}

func (lc *localCluster) close() {
	if lc.client != nil {
		lc.client.Close()
	}
	for _, w := range lc.workers {
		w.Close()
	}
	lc.sched.Close()
}
