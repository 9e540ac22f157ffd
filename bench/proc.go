package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TimedMarker is the line a child prints on stdout when its timed runs
// are over: the runner stops taking the process tree's peak memory there,
// so a check that materialises inputs afterwards does not count.
const TimedMarker = "#timed"

// TreeRSS is the summed resident set size, in bytes, of pid and all its
// descendants now (Linux /proc; 0 elsewhere).
func TreeRSS(pid int) int64 {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	children := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at ')'
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		children[pp] = append(children[pp], p)
	}
	page := int64(os.Getpagesize())
	var total int64
	stack := []int{pid}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		stack = append(stack, children[p]...)
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", p))
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) >= 2 {
			rss, _ := strconv.ParseInt(f[1], 10, 64)
			total += rss * page
		}
	}
	return total
}

// RunChild runs a command that prints Records as JSON lines (a Blockwork
// child of this binary or bench/peers/run.py), passing its stderr
// through, and sets each record's PeakRSS to the higher of the child's
// own figure (its high-water mark when its timed runs end, which no
// sample can miss) and the highest summed RSS of the child's process
// tree, sampled every 100 ms until the child prints TimedMarker (or
// exits), which sees a tree's workers. Sampling is kept sparse: every
// sample reads all of /proc, on a machine of 2 cores shared with the
// child (at 20 ms, fused_chain persisted read 0.19-0.21 s against
// 0.17-0.18 s at 200 ms, two runs each; within this machine's noise).
func RunChild(ctx context.Context, name string, args []string, stderr io.Writer) ([]Record, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var (
		mu     sync.Mutex
		peak   int64
		frozen bool
		done   = make(chan struct{})
	)
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			r := TreeRSS(cmd.Process.Pid)
			mu.Lock()
			if !frozen && r > peak {
				peak = r
			}
			mu.Unlock()
		}
	}()
	var recs []Record
	var lines []string
	s := bufio.NewScanner(out)
	s.Buffer(make([]byte, 1<<20), 1<<24)
	for s.Scan() {
		line := s.Text()
		switch {
		case strings.HasPrefix(line, TimedMarker):
			mu.Lock()
			frozen = true
			mu.Unlock()
		case strings.HasPrefix(line, "{"):
			lines = append(lines, line)
		}
	}
	werr := cmd.Wait()
	close(done)
	rs, perr := ReadRecords(strings.NewReader(strings.Join(lines, "\n")))
	if perr != nil {
		return nil, perr
	}
	mu.Lock()
	p := peak
	mu.Unlock()
	for _, r := range rs {
		r.PeakRSS = max(r.PeakRSS, p)
		if r.PeakRSS == 0 && cmd.ProcessState != nil {
			r.PeakRSS = maxRSS(cmd.ProcessState) // nothing else seen
		}
		recs = append(recs, r)
	}
	if werr != nil {
		return recs, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), werr)
	}
	return recs, nil
}
