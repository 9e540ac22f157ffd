package scheduler_test

import (
	"fmt"

	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/scheduler"
)

// A shell in miniature: two leaves and their sum on one CPU worker.
func Example() {
	cpu := graph.DeviceKinds(graph.CPU)
	specs := []scheduler.TaskSpec{
		{OutBytes: 8, Devices: cpu},
		{OutBytes: 8, Devices: cpu},
		{Deps: []scheduler.TaskID{0, 1}, OutBytes: 8, Devices: cpu, Want: true},
	}
	s := scheduler.New(scheduler.Config{MemoryLimit: 1 << 20})
	out := s.Handle(scheduler.Event{Kind: scheduler.EvAddWorker, Worker: 1, Device: graph.CPU, Slots: 2}, nil)
	out = s.Handle(scheduler.Event{Kind: scheduler.EvSubmit, Tasks: specs}, out)
	for len(out) > 0 {
		var next []scheduler.Command
		for _, c := range out {
			fmt.Println(c)
			if c.Kind == scheduler.CmdRun { // the kernel runs; it finishes
				next = s.Handle(scheduler.Event{Kind: scheduler.EvFinished, Task: c.Task, Worker: c.Worker, Bytes: 8}, next)
			}
		}
		out = next
	}
	fmt.Println(s.Handle(scheduler.Event{Kind: scheduler.EvReleaseWanted, Task: 2}, nil))
	// Output:
	// run 0 on 1
	// run 1 on 1
	// run 2 on 1
	// free 0
	// free 1
	// done
	// idle
	// [free 2]
}
