package cluster

import (
	"fmt"
	"strconv"

	"github.com/blockwork-dev/blockwork/cluster/proto"
	"github.com/blockwork-dev/blockwork/graph"
	"github.com/blockwork-dev/blockwork/scheduler"
)

// dataLayer is the data-plane layer of output out of a task of
// computation comp whose graph layer is layer (see the proto's header).
func dataLayer(comp uint64, layer string, out int) string {
	return outLayer("c"+strconv.FormatUint(comp, 10)+"/"+layer, out)
}

// outLayer is the data-plane layer of output out of the chunk whose
// output 0 has layer base.
func outLayer(base string, out int) string {
	if out > 0 {
		return base + "\x00" + strconv.Itoa(out)
	}
	return base
}

// plan is a submitted graph as the scheduler sees it: the tasks the
// wanted keys need as dense scheduler ids, their specs and inputs. Built
// off the scheduler's loop (in the Submit handler).
type plan struct {
	g       *graph.Graph
	msg     *proto.Graph
	msgBuf  []byte  // msg marshalled, as workers get it
	tix     []int32 // scheduler id -> index in g.Tasks
	sid     []int32 // index in g.Tasks -> scheduler id + 1 (0: not needed)
	specs   []scheduler.TaskSpec
	want    []int32 // per wanted key: scheduler id (>= 0) or leaf -1-i
	wantIDs []scheduler.TaskID
	leafRef []uint64 // per leaf: persisted ref, 0 for literal data
	// leafUse lists (scheduler id, leaf) for every leaf input of a task:
	// persisted ones count for placement (TaskSpec.Extern)
	leafUse [][2]int32
	persist bool
	retries int
}

// newPlan resolves the inputs of g's tasks, culls to what wanted needs
// and builds the scheduler's specs.
func newPlan(g *graph.Graph, wanted []graph.Key) (*plan, error) {
	p := &plan{g: g}
	ix, lix := g.Index(), g.LeafIndex()
	nt := len(g.Tasks)
	p.sid = make([]int32, nt)
	var stack []int32
	p.want = make([]int32, len(wanted))
	for i, k := range wanted {
		if ti, ok := ix.Get(k); ok {
			p.want[i] = int32(ti)
			if p.sid[ti] == 0 {
				p.sid[ti] = 1
				stack = append(stack, int32(ti))
			}
		} else if li, ok := lix.Get(k); ok {
			p.want[i] = int32(-1 - li)
		} else {
			return nil, fmt.Errorf("cluster: wanted key %v is not in the graph", k)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, in := range g.Tasks[i].Inputs {
			if ti, ok := ix.Get(in); ok {
				if p.sid[ti] == 0 {
					p.sid[ti] = 1
					stack = append(stack, int32(ti))
				}
			} else if _, ok := lix.Get(in); !ok {
				return nil, fmt.Errorf("cluster: task %v (op %s) reads missing key %v", g.Tasks[i].Key, g.Tasks[i].Op.Name, in)
			}
		}
	}
	n := int32(0)
	for i := range p.sid {
		if p.sid[i] != 0 {
			n++
			p.sid[i] = n
		}
	}
	prio := g.Order()
	p.tix = make([]int32, 0, n)
	p.specs = make([]scheduler.TaskSpec, n)
	var deps []scheduler.TaskID
	for gi := range g.Tasks {
		if p.sid[gi] == 0 {
			continue
		}
		id := len(p.tix)
		p.tix = append(p.tix, int32(gi))
		t := &g.Tasks[gi]
		start := len(deps)
		for _, in := range t.Inputs {
			ti, ok := ix.Get(in)
			if !ok {
				if li, ok := lix.Get(in); ok {
					p.leafUse = append(p.leafUse, [2]int32{int32(id), int32(li)})
				}
				continue
			}
			d := scheduler.TaskID(p.sid[ti] - 1)
			dup := false
			for _, e := range deps[start:] {
				if e == d {
					dup = true
					break
				}
			}
			if !dup {
				deps = append(deps, d)
			}
		}
		devs := t.Devices
		if devs == 0 {
			devs = graph.DeviceKinds(graph.CPU)
		}
		p.specs[id] = scheduler.TaskSpec{Deps: deps[start:len(deps):len(deps)], OutBytes: t.OutBytes(), Priority: prio[gi], Devices: devs}
	}
	for i, w := range p.want {
		if w >= 0 {
			id := p.sid[w] - 1
			p.want[i] = id
			if !p.specs[id].Want {
				p.specs[id].Want = true
				p.wantIDs = append(p.wantIDs, scheduler.TaskID(id))
			}
		}
	}
	p.leafRef = make([]uint64, len(g.Leaves))
	return p, nil
}

// wantMeta is the metadata of wanted key i.
func (p *plan) wantMeta(i int) []graph.Chunk {
	if w := p.want[i]; w >= 0 {
		return p.g.Tasks[p.tix[w]].Outputs
	} else {
		return p.g.Leaves[-1-w].Outputs
	}
}
