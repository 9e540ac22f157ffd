package s3test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blockwork-dev/blockwork/array/storage"
)

// dataPrefix names the data directories in os.TempDir():
// dataPrefix + "<pid of the test binary>-<random>".
const dataPrefix = "blockwork-s3test-"

type server struct {
	cfg  storage.S3Config
	cmd  *exec.Cmd
	dir  string
	done chan struct{} // closed when the process has exited
	out  *syncBuffer
}

// Binary is the MinIO server's path: <repo>/.tools/bin/minio, the repo
// being the nearest directory above the working directory with a go.mod.
func Binary() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			bin := filepath.Join(d, ".tools", "bin", "minio")
			if _, err := os.Stat(bin); err != nil {
				return "", fmt.Errorf("no MinIO server at %s: run scripts/minio.sh (make deps)", bin)
			}
			return bin, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s to find .tools/bin/minio in: run scripts/minio.sh (make deps) in the repository", wd)
		}
	}
}

func start() (*server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	sweep()
	var last error
	for try := 0; try < 3; try++ { // a port taken between probe and bind: retry
		s, err := launch(bin)
		if err == nil {
			return s, nil
		}
		last = err
	}
	return nil, last
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launch(bin string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", dataPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s := &server{
		cfg: storage.S3Config{
			Endpoint:  addr,
			Region:    "us-east-1",
			AccessKey: "u" + randHex(8),
			SecretKey: randHex(16),
			PathStyle: true,
		},
		dir:  dir,
		done: make(chan struct{}),
		out:  &syncBuffer{},
	}
	s.cmd = exec.Command(bin, "server", "--quiet", "--address", addr,
		"--certs-dir", filepath.Join(dir, "certs"), filepath.Join(dir, "data"))
	s.cmd.Env = append(cleanEnv(),
		"MINIO_ROOT_USER="+s.cfg.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.cfg.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	// The child dies with the thread that started it (Pdeathsig), so start
	// it from a goroutine that holds its thread until the child exits.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
		if err := s.cmd.Start(); err != nil {
			started <- err
			close(s.done)
			return
		}
		started <- nil
		s.cmd.Wait()
		close(s.done)
	}()
	if err := <-started; err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// cleanEnv is the environment without MINIO_* and AWS_* settings that
// could change the server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MINIO_") || strings.HasPrefix(kv, "AWS_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (s *server) waitReady() error {
	url := "http://" + s.cfg.Endpoint + "/minio/health/ready"
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(ReadyTimeout)
	for {
		select {
		case <-s.done:
			return fmt.Errorf("MinIO server exited before it was ready: %v\n%s", s.cmd.ProcessState, s.out.String())
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("MinIO server on %s not ready after %v (last: %v)\n%s", s.cfg.Endpoint, ReadyTimeout, err, s.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
	}
	<-s.done
	os.RemoveAll(s.dir)
}

// sweep removes the data directories of test binaries that have exited.
func sweep() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dataPrefix+"*"))
	for _, d := range dirs {
		rest := strings.TrimPrefix(filepath.Base(d), dataPrefix)
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

// syncBuffer collects the server's output for error messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.b.Len() < 1<<20 {
		b.b.Write(p)
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
