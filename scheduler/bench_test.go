package scheduler

import (
	"slices"
	"testing"

	"github.com/blockwork-dev/blockwork/graph"
)

// treeSpecs builds a tree reduction: leaves tasks combined fan at a time,
// level by level, up to one wanted root; priorities are the depth-first
// post-order graph.Order gives such a tree.
func treeSpecs(leaves, fan int) []TaskSpec {
	var specs []TaskSpec
	var kids [][]TaskID
	level := make([]TaskID, leaves)
	for i := range level {
		level[i] = TaskID(len(specs))
		specs = append(specs, TaskSpec{OutBytes: 1 << 20, Devices: graph.DeviceKinds(graph.CPU)})
		kids = append(kids, nil)
	}
	for len(level) > 1 {
		var up []TaskID
		for i := 0; i < len(level); i += fan {
			deps := level[i:min(i+fan, len(level))]
			up = append(up, TaskID(len(specs)))
			specs = append(specs, TaskSpec{Deps: deps, OutBytes: 1 << 20, Devices: graph.DeviceKinds(graph.CPU)})
			kids = append(kids, deps)
		}
		level = up
	}
	root := level[0]
	specs[root].Want = true
	next := int32(0)
	var visit func(TaskID)
	visit = func(t TaskID) {
		for _, k := range kids[t] {
			visit(k)
		}
		specs[t].Priority = next
		next++
	}
	visit(root)
	return specs
}

// runTree plays a shell on two CPU workers of 8 slots: completions come
// back in batches of up to 16, oldest run first. It returns the number of
// commands seen.
func runTree(specs []TaskSpec, out []Command, queue []Command) int {
	s := New(Config{MemoryLimit: 1 << 40})
	out = s.Handle(Event{Kind: EvAddWorker, Worker: 1, Device: graph.CPU, Slots: 8}, out[:0])
	out = s.Handle(Event{Kind: EvAddWorker, Worker: 2, Device: graph.CPU, Slots: 8}, out)
	out = s.Handle(Event{Kind: EvSubmit, Tasks: specs}, out)
	queue = queue[:0]
	seen := 0
	var root TaskID = -1
	for {
		idle := false
		for _, c := range out {
			switch c.Kind {
			case CmdRun:
				queue = append(queue, c)
			case CmdIdle:
				idle = true
			}
		}
		seen += len(out)
		if idle {
			break
		}
		out = out[:0]
		n := min(16, len(queue))
		for _, c := range queue[:n] {
			out = s.Handle(Event{Kind: EvFinished, Task: c.Task, Worker: c.Worker, Bytes: specs[c.Task].OutBytes}, out)
			if specs[c.Task].Want {
				root = c.Task
			}
		}
		queue = queue[:copy(queue, queue[n:])]
	}
	out = s.Handle(Event{Kind: EvReleaseWanted, Task: root}, out[:0])
	return seen + len(out)
}

// BenchmarkTree100k measures the state machine's own cost per task, end
// to end (submit, run, finish, free), on a tree reduction of 100,000
// leaves combined 8 at a time.
func BenchmarkTree100k(b *testing.B) {
	specs := treeSpecs(100_000, 8)
	out := make([]Command, 0, 64)
	queue := make([]Command, 0, 64)
	iters := 0
	b.ReportAllocs()
	for b.Loop() {
		if got := runTree(specs, out, queue); got != 2*len(specs)+2 {
			b.Fatalf("%d commands, want %d", got, 2*len(specs)+2)
		}
		iters++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(iters*len(specs)), "ns/task")
	b.ReportMetric(float64(len(specs)), "tasks")
}

func TestTreeSpecs(t *testing.T) {
	specs := treeSpecs(100, 8)
	if n := runTree(specs, nil, nil); n != 2*len(specs)+2 {
		t.Fatalf("%d commands for %d tasks", n, len(specs))
	}
}

// runTreeSteal plays a shell whose two CPU workers have 4 threads and a
// queue of 8 slots and report starts: each round every worker starts
// queued tasks (oldest first) while it has a free thread, answers the
// steals asked of it (EvStolen when the task is still queued), then the
// 16 oldest started tasks finish. It returns the number of steals asked.
func runTreeSteal(specs []TaskSpec, out []Command) int {
	s := New(Config{MemoryLimit: 1 << 40})
	out = s.Handle(Event{Kind: EvAddWorker, Worker: 0, Device: graph.CPU, Slots: 8, Threads: 4}, out[:0])
	out = s.Handle(Event{Kind: EvAddWorker, Worker: 1, Device: graph.CPU, Slots: 8, Threads: 4}, out)
	out = s.Handle(Event{Kind: EvSubmit, Tasks: specs}, out)
	var queued [2][]TaskID // from head[w] on
	var head [2]int
	var started [2]int
	var running []Command // started, oldest first
	var stolen []Command
	steals := 0
	var root TaskID = -1
	for {
		idle := false
		stolen = stolen[:0]
		for _, c := range out {
			switch c.Kind {
			case CmdRun:
				queued[c.Worker] = append(queued[c.Worker], c.Task)
			case CmdSteal:
				steals++
				q := queued[c.Worker]
				if i := slices.Index(q[head[c.Worker]:], c.Task); i >= 0 {
					queued[c.Worker] = slices.Delete(q, head[c.Worker]+i, head[c.Worker]+i+1)
					stolen = append(stolen, c)
				}
			case CmdIdle:
				idle = true
			}
		}
		if idle {
			break
		}
		out = out[:0]
		for _, c := range stolen {
			out = s.Handle(Event{Kind: EvStolen, Task: c.Task, Worker: c.Worker}, out)
		}
		for w := range queued {
			for started[w] < 4 && head[w] < len(queued[w]) {
				id := queued[w][head[w]]
				head[w]++
				started[w]++
				running = append(running, Command{Task: id, Worker: WorkerID(w)})
				out = s.Handle(Event{Kind: EvStarted, Task: id, Worker: WorkerID(w)}, out)
			}
			queued[w] = queued[w][:copy(queued[w], queued[w][head[w]:])]
			head[w] = 0
		}
		n := min(16, len(running))
		for _, c := range running[:n] {
			started[c.Worker]--
			out = s.Handle(Event{Kind: EvFinished, Task: c.Task, Worker: c.Worker, Bytes: specs[c.Task].OutBytes}, out)
			if specs[c.Task].Want {
				root = c.Task
			}
		}
		running = running[:copy(running, running[n:])]
	}
	s.Handle(Event{Kind: EvReleaseWanted, Task: root}, out[:0])
	return steals
}

// BenchmarkTree100kSteal is BenchmarkTree100k with queues, starts and
// stealing on: the state machine's cost per task on that path.
func BenchmarkTree100kSteal(b *testing.B) {
	specs := treeSpecs(100_000, 8)
	out := make([]Command, 0, 64)
	iters, steals := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		steals += runTreeSteal(specs, out)
		iters++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(iters*len(specs)), "ns/task")
	b.ReportMetric(float64(steals)/float64(iters), "steals")
}

func TestTreeSteal(t *testing.T) {
	specs := treeSpecs(1000, 8)
	if n := runTreeSteal(specs, nil); n < 0 {
		t.Fatal(n)
	}
}
