package cluster

// Persisted chunks on the scheduler: their table, Release, and remaking
// them from their lineage when their worker died.

import (
	"context"
	"fmt"
	"slices"

	"github.com/blockwork-dev/blockwork/cluster/proto"
	"github.com/blockwork-dev/blockwork/graph"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// pchunk is a persisted chunk: on worker holder under key, with replicas.
type pchunk struct {
	holder   uint64
	layer    string
	block    int64
	nout     int
	meta     []graph.Chunk
	replicas []uint64
	lost     string // why it is gone, when it is
	users    int    // live computations that read it
	released bool   // Release came while users > 0: free when they end
	// lineage: the computation that made it and the key there, to make it
	// again when its worker dies
	origin *plan
	key    graph.Key
	remake *comp // the recovery computation remaking it, while one runs
}

// lostRefs lists the persisted chunks c reads that are lost (each once).
func (s *Scheduler) lostRefs(c *comp) []uint64 {
	var lost []uint64
	for _, ref := range c.leafRef {
		if ref != 0 && s.persisted[ref].lost != "" && !slices.Contains(lost, ref) {
			lost = append(lost, ref)
		}
	}
	return lost
}

// recoverThen remakes lost persisted chunks from their lineage (the
// computations that made them, run again for those keys), then starts c.
func (s *Scheduler) recoverThen(c *comp, lost []uint64) error {
	var origins []*plan
	byOrigin := map[*plan][]uint64{}
	for _, ref := range lost {
		pc := s.persisted[ref]
		if rc := pc.remake; rc != nil {
			// already being remade (for another reader): wait for it too
			if !slices.Contains(rc.waiters, c) {
				rc.waiters = append(rc.waiters, c)
				c.recovering++
			}
			continue
		}
		o := pc.origin
		if _, ok := byOrigin[o]; !ok {
			origins = append(origins, o)
		}
		byOrigin[o] = append(byOrigin[o], ref)
	}
	for _, o := range origins {
		refs := byOrigin[o]
		keys := make([]graph.Key, len(refs))
		for i, ref := range refs {
			keys[i] = s.persisted[ref].key
		}
		p, err := newPlan(o.g, keys)
		if err != nil {
			return err
		}
		p.msg, p.msgBuf, p.persist, p.retries = o.msg, o.msgBuf, true, o.retries
		copy(p.leafRef, o.leafRef)
		rc := &comp{plan: p, replicas: map[int32][]uint64{}, attempts: map[int32]int{},
			events: make(chan *proto.ResultEvent, 1), final: make(chan *proto.ResultEvent, 1), recover: refs, waiters: []*comp{c}}
		for _, ref := range refs {
			s.persisted[ref].remake = rc
		}
		c.recovering++
		if err := s.start(rc); err != nil {
			for _, ref := range refs {
				s.persisted[ref].remake = nil
			}
			c.gone = true // the client gets this error; recoveries started go on alone
			return fmt.Errorf("cluster: remaking persisted chunks lost with a worker: %w", err)
		}
	}
	return nil
}

// recovered: a recovery computation ended (err nil: its chunks are back).
func (s *Scheduler) recovered(rc *comp, err error) {
	for _, ref := range rc.recover {
		if pc := s.persisted[ref]; pc != nil && pc.remake == rc {
			pc.remake = nil
		}
	}
	ws := rc.waiters
	rc.waiters = nil
	for _, c := range ws {
		s.recoveredFor(c, err)
	}
}

func (s *Scheduler) recoveredFor(c *comp, err error) {
	if c.recovering == 0 {
		return
	}
	if err != nil {
		c.recovering = 0
		c.failed = true
		c.sendFinal(&proto.ResultEvent{State: proto.ResultEvent_STATE_FAILED, ErrorKind: errorKind(err),
			Error: fmt.Sprintf("remaking persisted chunks lost with a worker: %v", err)})
		return
	}
	if c.recovering--; c.recovering > 0 || c.gone {
		return
	}
	if err := s.start(c); err != nil {
		c.failed = true
		c.sendFinal(&proto.ResultEvent{State: proto.ResultEvent_STATE_FAILED, Error: err.Error()})
	}
}

// Release drops persisted chunks.
func (s *Scheduler) Release(ctx context.Context, req *proto.ReleaseRequest) (*proto.ReleaseReply, error) {
	if len(req.Refs) > 1<<24 {
		return nil, status.Error(codes.InvalidArgument, "cluster: too many refs")
	}
	s.do(func() {
		for _, ref := range req.Refs {
			pc := s.persisted[ref]
			if pc == nil {
				continue
			}
			if pc.users > 0 {
				pc.released = true // freed when the computations reading it end
				continue
			}
			s.dropPersisted(ref)
		}
	})
	return &proto.ReleaseReply{}, nil
}

// dropPersisted frees a persisted chunk on its holder and replicas.
func (s *Scheduler) dropPersisted(ref uint64) {
	pc := s.persisted[ref]
	delete(s.persisted, ref)
	key := &proto.ChunkKey{Layer: pc.layer, Block: pc.block}
	for _, wid := range append([]uint64{pc.holder}, pc.replicas...) {
		if w := s.workers[wid]; w != nil {
			m := s.cmds(w)
			m.Free = append(m.Free, key)
		}
	}
}
