package scheduler

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

var update = flag.Bool("update", false, "rewrite the expected output of testdata/*.txt")

// TestScenarios replays each transcript in testdata: unindented lines are
// events, the indented lines after one are the commands it produced.
// Regenerate with go test ./scheduler -update and review the diff.
//
//	config mem=100 kills=3                 (first, before any event; each key optional)
//	add-worker w1 cpu slots=2 mem=100      (slots default 1; mem: its own limit, default none;
//	                                        threads=N: executing capacity, default slots)
//	submit a bytes=10 prio=0               (collects a spec; names get ids in order)
//	submit b deps=a,#99 devices=gpu want   (#N is a raw id; devices default cpu,gpu)
//	submit c extern=w2:100                 (100 bytes of input resident on w2 from outside)
//	submit-end                             (one EvSubmit with all specs)
//	finish a [w2] [bytes=7]                (worker defaults to the one it ran on)
//	fail b [w1] "boom"
//	requeue b [w1]                         (gave up without output; worker as for finish)
//	start b [w1]                           (EvStarted)
//	stolen b [w1]                          (EvStolen: the victim gave it back)
//	cancel ["why"]
//	release b
//	remove-worker w1
//	stats
//	worker-stats w1                        (resident, reserved, running of one worker)
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := replay(t, string(data))
			if *update {
				if got != string(data) {
					if err := os.WriteFile(f, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			if got != string(data) {
				t.Errorf("%s differs (rerun with -update and review the diff):\n%s", f, lineDiff(string(data), got))
			}
		})
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n want %q\n  got %q", i+1, a, b)
		}
	}
	return ""
}

type harness struct {
	t      *testing.T
	s      *State
	names  []string
	ids    map[string]TaskID
	specs  []TaskSpec
	deps   [][]string
	ranOn  map[TaskID]WorkerID
	events int
}

func replay(t *testing.T, text string) string {
	h := &harness{t: t, s: New(Config{}), ids: map[string]TaskID{}, ranOn: map[TaskID]WorkerID{}}
	var b strings.Builder
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for n, line := range lines {
		switch {
		case strings.HasPrefix(line, " "):
			continue // old output
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
			b.WriteString(line + "\n")
			continue
		}
		b.WriteString(line + "\n")
		for _, o := range h.do(line) {
			b.WriteString("  " + o + "\n")
		}
		if err := audit(h.s); err != nil {
			t.Fatalf("line %d %q: %v", n+1, line, err)
		}
	}
	return b.String()
}

func (h *harness) name(id TaskID) string {
	if id >= 0 && int(id) < len(h.names) {
		return h.names[id]
	}
	return "#" + strconv.Itoa(int(id))
}

func (h *harness) task(s string) TaskID {
	if strings.HasPrefix(s, "#") {
		n, err := strconv.Atoi(s[1:])
		if err != nil {
			h.t.Fatalf("bad id %q", s)
		}
		return TaskID(n)
	}
	id, ok := h.ids[s]
	if !ok {
		h.t.Fatalf("unknown task %q", s)
	}
	return id
}

func workerArg(t *testing.T, s string) WorkerID {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "w"))
	if err != nil || !strings.HasPrefix(s, "w") {
		t.Fatalf("bad worker %q", s)
	}
	return WorkerID(n)
}

func kinds(t *testing.T, s string) graph.DeviceKinds {
	var k graph.DeviceKinds
	for _, p := range strings.Split(s, ",") {
		switch p {
		case "cpu":
			k |= graph.DeviceKinds(graph.CPU)
		case "gpu":
			k |= graph.DeviceKinds(graph.GPU)
		default:
			t.Fatalf("bad device kind %q", p)
		}
	}
	return k
}

// fields splits a line on spaces, keeping "quoted strings" whole (unquoted).
func fields(line string) []string {
	var out []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			end := strings.IndexByte(line[1:], '"')
			if end < 0 {
				end = len(line) - 1
			}
			out = append(out, line[1:end+1])
			line = line[min(end+2, len(line)):]
			continue
		}
		end := strings.IndexByte(line, ' ')
		if end < 0 {
			end = len(line)
		}
		out = append(out, line[:end])
		line = line[end:]
	}
	return out
}

func num(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("bad number %q", s)
	}
	return n
}

func (h *harness) handle(ev Event) []string {
	h.events++
	var out []string
	for _, c := range h.s.Handle(ev, nil) {
		switch c.Kind {
		case CmdRun:
			h.ranOn[c.Task] = c.Worker
			out = append(out, fmt.Sprintf("run %s w%d", h.name(c.Task), c.Worker))
		case CmdFree:
			out = append(out, "free "+h.name(c.Task))
		case CmdSteal:
			out = append(out, fmt.Sprintf("steal %s from w%d", h.name(c.Task), c.Worker))
		case CmdFail:
			if c.Task == NoTask {
				out = append(out, fmt.Sprintf("fail: %v", c.Err))
			} else {
				out = append(out, fmt.Sprintf("fail %s: %v", h.name(c.Task), c.Err))
			}
		default:
			out = append(out, c.Kind.String())
		}
	}
	return out
}

func (h *harness) do(line string) []string {
	t := h.t
	f := fields(line)
	args := map[string]string{}
	var pos []string
	for _, a := range f[1:] {
		if k, v, ok := strings.Cut(a, "="); ok && !strings.Contains(k, " ") {
			args[k] = v
		} else {
			pos = append(pos, a)
		}
	}
	arg := func(i int) string {
		if i < len(pos) {
			return pos[i]
		}
		return ""
	}
	switch f[0] {
	case "config":
		if h.events > 0 {
			t.Fatalf("config after events")
		}
		var cfg Config
		if v, ok := args["mem"]; ok {
			cfg.MemoryLimit = num(t, v)
		}
		if v, ok := args["kills"]; ok {
			cfg.MaxKills = int(num(t, v))
		}
		h.s = New(cfg)
		return nil
	case "add-worker":
		slots := int64(1)
		if v, ok := args["slots"]; ok {
			slots = num(t, v)
		}
		var mem int64
		if v, ok := args["mem"]; ok {
			mem = num(t, v)
		}
		var threads int64
		if v, ok := args["threads"]; ok {
			threads = num(t, v)
		}
		return h.handle(Event{Kind: EvAddWorker, Worker: workerArg(t, arg(0)), Device: graph.DeviceKind(kinds(t, arg(1))),
			Slots: int(slots), Threads: int(threads), Memory: mem})
	case "submit":
		name := arg(0)
		if _, dup := h.ids[name]; dup {
			t.Fatalf("task %q declared twice", name)
		}
		h.ids[name] = TaskID(len(h.names))
		h.names = append(h.names, name)
		sp := TaskSpec{Devices: kinds(t, "cpu,gpu")}
		if v, ok := args["bytes"]; ok {
			sp.OutBytes = num(t, v)
		}
		if v, ok := args["prio"]; ok {
			sp.Priority = int32(num(t, v))
		}
		if v, ok := args["devices"]; ok {
			sp.Devices = kinds(t, v)
		}
		sp.Want = arg(1) == "want"
		if v, ok := args["extern"]; ok { // extern=w2:100,w1:5
			for _, e := range strings.Split(v, ",") {
				w, b, _ := strings.Cut(e, ":")
				sp.Extern = append(sp.Extern, Resident{Worker: workerArg(t, w), Bytes: num(t, b)})
			}
		}
		var deps []string
		if v, ok := args["deps"]; ok {
			deps = strings.Split(v, ",")
		}
		h.specs = append(h.specs, sp)
		h.deps = append(h.deps, deps)
		return nil
	case "submit-end":
		for i, ds := range h.deps {
			for _, d := range ds {
				h.specs[i].Deps = append(h.specs[i].Deps, h.task(d))
			}
		}
		return h.handle(Event{Kind: EvSubmit, Tasks: h.specs})
	case "requeue", "start", "stolen":
		id := h.task(arg(0))
		w := h.ranOn[id]
		if len(pos) > 1 {
			w = workerArg(t, pos[1])
		}
		kind := map[string]EventKind{"requeue": EvRequeue, "start": EvStarted, "stolen": EvStolen}[f[0]]
		return h.handle(Event{Kind: kind, Task: id, Worker: w})
	case "finish", "fail":
		id := h.task(arg(0))
		w := h.ranOn[id]
		rest := pos[1:]
		if len(rest) > 0 && strings.HasPrefix(rest[0], "w") {
			w = workerArg(t, rest[0])
			rest = rest[1:]
		}
		if f[0] == "fail" {
			return h.handle(Event{Kind: EvFailed, Task: id, Worker: w, Err: errors.New(strings.Join(rest, " "))})
		}
		var bytes int64
		if int(id) < len(h.specs) && id >= 0 {
			bytes = h.specs[id].OutBytes
		}
		if v, ok := args["bytes"]; ok {
			bytes = num(t, v)
		}
		return h.handle(Event{Kind: EvFinished, Task: id, Worker: w, Bytes: bytes})
	case "cancel":
		var err error
		if len(pos) > 0 {
			err = errors.New(pos[0])
		}
		return h.handle(Event{Kind: EvCancel, Err: err})
	case "release":
		return h.handle(Event{Kind: EvReleaseWanted, Task: h.task(arg(0))})
	case "remove-worker":
		return h.handle(Event{Kind: EvRemoveWorker, Worker: workerArg(t, arg(0))})
	case "worker-stats":
		res, rsv, run := h.s.WorkerStats(workerArg(t, arg(0)))
		return []string{fmt.Sprintf("worker-stats resident=%d reserved=%d running=%d", res, rsv, run)}
	case "stats":
		st := h.s.Stats()
		var parts []string
		for i, n := range st.Tasks {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%v=%d", TaskState(i), n))
			}
		}
		return []string{fmt.Sprintf("stats %s resident=%d reserved=%d peak=%d runs=%d workers=%d",
			strings.Join(parts, " "), st.Resident, st.Reserved, st.PeakResident, st.Runs, st.Workers)}
	}
	t.Fatalf("unknown directive %q", line)
	return nil
}

// audit recomputes the State's accounting from its tasks and workers and
// reports the first disagreement.
func audit(s *State) error {
	var count [NumTaskStates]int
	var resident, reserved int64
	running := 0
	wrun := make([]int32, len(s.workers))
	wres := make([]int64, len(s.workers))
	wrsv := make([]int64, len(s.workers))
	wstarted := make([]int32, len(s.workers))
	win := make([]int32, len(s.workers))
	winb := make([]int64, len(s.workers))
	wout := make([]int32, len(s.workers))
	for _, st := range s.steals {
		t := &s.tasks[st.task]
		if !t.steal || t.state != Running || t.started {
			return fmt.Errorf("steal of task %d in flight, but it is %v, steal %v, started %v", st.task, t.state, t.steal, t.started)
		}
		win[st.thief]++
		winb[st.thief] += t.outBytes
		wout[t.where]++
	}
	wantLeft := 0
	for i := range s.tasks {
		t := &s.tasks[i]
		count[t.state]++
		if t.state != Running && (t.started || t.steal) {
			return fmt.Errorf("task %d %v: started %v, steal %v", i, t.state, t.started, t.steal)
		}
		switch t.state {
		case Memory:
			resident += t.bytes
			wres[t.where] += t.bytes
			if t.where < 0 || !s.workers[t.where].alive {
				return fmt.Errorf("task %d in memory on no live worker (%d)", i, t.where)
			}
		case Running:
			reserved += t.outBytes
			running++
			wrun[t.where]++
			wrsv[t.where] += t.outBytes
			if t.started {
				wstarted[t.where]++
			}
			if t.steal && !slices.ContainsFunc(s.steals, func(st steal) bool { return st.task == TaskID(i) }) {
				return fmt.Errorf("task %d: steal flag without a steal in flight", i)
			}
			if s.stealOn && !t.started && !slices.Contains(s.workers[t.where].queue, TaskID(i)) {
				return fmt.Errorf("task %d: running unstarted on worker %d, not in its queue", i, s.workers[t.where].id)
			}
		case Waiting:
			if s.aborted {
				break
			}
			m := int32(0)
			for _, d := range s.depsOf(TaskID(i)) {
				if s.tasks[d].state != Memory {
					m++
				}
			}
			if m != t.missing || m == 0 {
				return fmt.Errorf("task %d waiting: missing %d, counted %d", i, t.missing, m)
			}
		case Ready:
			for _, d := range s.depsOf(TaskID(i)) {
				if s.tasks[d].state != Memory {
					return fmt.Errorf("task %d ready but dep %d is %v", i, d, s.tasks[d].state)
				}
			}
		}
		if t.want && t.state != Memory {
			wantLeft++
		}
		if !s.aborted {
			u := int32(0)
			for _, x := range s.usersOf(TaskID(i)) {
				if st := s.tasks[x].state; st == Waiting || st == Ready || st == Running {
					u++
				}
			}
			if u != t.users {
				return fmt.Errorf("task %d: users %d, counted %d", i, t.users, u)
			}
			if t.state == Memory && u == 0 && !t.want {
				return fmt.Errorf("task %d in memory with no users and not wanted", i)
			}
		}
	}
	if count != s.count {
		return fmt.Errorf("counts %v, recounted %v", s.count, count)
	}
	if resident != s.resident || reserved != s.reserved || running != s.running {
		return fmt.Errorf("resident %d reserved %d running %d; recounted %d %d %d",
			s.resident, s.reserved, s.running, resident, reserved, running)
	}
	if s.submitted && !s.aborted && wantLeft != s.wantLeft {
		return fmt.Errorf("wantLeft %d, recounted %d", s.wantLeft, wantLeft)
	}
	var free [8]int32
	for i := range s.workers {
		w := &s.workers[i]
		if wrun[i] != w.running {
			return fmt.Errorf("worker %d: running %d, recounted %d", w.id, w.running, wrun[i])
		}
		if wres[i] != w.resident || wrsv[i] != w.reserved {
			return fmt.Errorf("worker %d: resident %d reserved %d, recounted %d %d", w.id, w.resident, w.reserved, wres[i], wrsv[i])
		}
		if wstarted[i] != w.started || win[i] != w.incoming || wout[i] != w.outgoing || winb[i] != w.inBytes {
			return fmt.Errorf("worker %d: started %d incoming %d outgoing %d, recounted %d %d %d",
				w.id, w.started, w.incoming, w.outgoing, wstarted[i], win[i], wout[i])
		}
		if w.limit > 0 && w.resident+w.reserved > w.limit {
			return fmt.Errorf("worker %d: resident %d + reserved %d over its limit %d", w.id, w.resident, w.reserved, w.limit)
		}
		if w.running > w.slots {
			return fmt.Errorf("worker %d: %d running in %d slots", w.id, w.running, w.slots)
		}
		if w.alive {
			free[kindBit(w.kind)] += w.slots - w.running
		}
		if s.loc[i] != 0 {
			return fmt.Errorf("placement scratch not cleared")
		}
	}
	if slices.Contains(s.mark, true) {
		return fmt.Errorf("compact's scratch not cleared")
	}
	if free != s.freeSlots {
		return fmt.Errorf("free slots %v, recounted %v", s.freeSlots, free)
	}
	if s.cfg.MemoryLimit > 0 && s.resident+s.reserved > s.cfg.MemoryLimit {
		return fmt.Errorf("resident %d + reserved %d over limit %d", s.resident, s.reserved, s.cfg.MemoryLimit)
	}
	return nil
}
