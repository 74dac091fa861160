package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ringkv/ringkv/cluster"
	"github.com/ringkv/ringkv/cluster/membership"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/server/command"
)

// Ownership changes (Dynamo §4.8–4.9): RINGKV LEAVE, REMOVE, STATUS and
// TRANSFERS, the tags that tell every node how far handoff has got, and
// the leave itself.

// Server-level peer methods of the ring's administration (numbered after
// MethodTx).
const (
	// MethodNodeStatus: empty body; reply: JSON nodeStatus.
	MethodNodeStatus = replica.MethodUser + 4
	// MethodLeave: empty body; the node starts a graceful leave (REMOVE
	// FORCE of a live node). Reply: empty, or an error.
	MethodLeave = replica.MethodUser + 5
)

// Handoff records of the server in the store.
const (
	stateLeave   = "leave" // "leaving" or "left"
	leaveLeaving = "leaving"
	leaveLeft    = "left"
)

// nodeStatus is what a node reports of itself to RINGKV STATUS and
// TRANSFERS.
type nodeStatus struct {
	Keys        int64              `json:"keys"`
	Bytes       int64              `json:"bytes"`
	Hints       int64              `json:"hints"`
	Handoffs    int64              `json:"handoffs"`
	RingVersion string             `json:"ring_version"`
	Transfers   []replica.Transfer `json:"transfers"`
}

func (s *Server) localStatus() nodeStatus {
	st := s.db.Stats()
	return nodeStatus{Keys: st.Keys, Bytes: st.DiskBytes, Hints: st.Hints.Pending,
		Handoffs: s.handoffLeft(), RingVersion: s.ringVersion(), Transfers: s.coord.Transfers()}
}

// handoffLeft is this node's partition handoff still to do: transfers
// pending, partitions to drop, and 1 while the current ring's handoff has
// not been planned and completed (a ring not yet stable, say).
func (s *Server) handoffLeft() int64 {
	pending, foreign := s.coord.HandoffBusy()
	n := int64(pending) + foreign
	if s.tr != nil && s.coord.HandoffSettled() != s.place.ring().Version() {
		n = max(n, 1)
	}
	return n
}

func (s *Server) ringVersion() string { return strconv.FormatUint(s.place.ring().Version(), 16) }

// handoffConfig paces the coordinator's partition handoff.
func (s *Server) handoffConfig() replica.HandoffConfig {
	h := replica.HandoffConfig{Rate: s.cfg.TransferRate, Quiet: s.handoffQuiet, Receiving: s.receiving}
	if s.cfg.FastGossip {
		h.Settle, h.Interval = 500*time.Millisecond, 200*time.Millisecond
	}
	return h
}

// handoffQuiet reports whether no other node is leaving or has handoff
// left to do, as gossip tells: tombstones are reaped only then.
func (s *Server) handoffQuiet() bool {
	if s.mem == nil {
		return true
	}
	for _, n := range s.mem.Members() {
		if n.Name != s.cfg.Node && n.State != cluster.Left && (n.Leaving || n.Handoff > 0) {
			return false
		}
	}
	return true
}

// receiving reports whether node advertises inbound transfers pending.
func (s *Server) receiving(node string) bool {
	if s.mem == nil {
		return false
	}
	for _, n := range s.mem.Members() {
		if n.Name == node {
			return n.Inbound > 0
		}
	}
	return false
}

// advertiseHandoff keeps this node's tags current: the ring version it
// acts on, and its handoff left to do. It runs until the node stops.
func (s *Server) advertiseHandoff() {
	every := time.Second
	if s.cfg.FastGossip {
		every = 200 * time.Millisecond
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		xfer, in := "", ""
		if n := s.handoffLeft(); n > 0 {
			xfer = strconv.FormatInt(n, 10)
		}
		if pending, _ := s.coord.HandoffBusy(); pending > 0 {
			in = strconv.Itoa(pending)
		}
		if err := s.mem.SetTags(map[string]string{membership.TagRingVersion: s.ringVersion(),
			membership.TagHandoff: xfer, membership.TagInbound: in}); err != nil {
			s.log.Debug().Err(err).Msg("cannot advertise the handoff state; retrying")
		}
		s.syncRingMembers() // cluster.go
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
	}
}

// topology's operator side.

func (t topology) Status(ctx context.Context) command.RingStatus {
	s := t.s
	r := s.place.ring()
	n := min(s.cfg.N, r.Len())
	replicas := map[string]int{}
	for p := range r.Q() {
		for _, m := range r.Preference(p, n) {
			replicas[m]++
		}
	}
	nodes := s.nodes()
	reports := s.gatherStatus(ctx, nodes)
	out := command.RingStatus{Node: s.cfg.Node, RingVersion: s.ringVersion(), Partitions: r.Q(), N: n}
	for _, nd := range nodes {
		ms := command.MemberStatus{Name: nd.Name, State: nd.State.String(), Ring: ringState(nd, r.Contains(nd.Name)),
			Client: nd.ClientAddr, Primary: len(r.Owned(nd.Name)), Replicas: replicas[nd.Name],
			Keys: -1, Bytes: -1, Hints: -1, Handoffs: int64(nd.Handoff), RingVersion: nd.RingVersion}
		if rep, ok := reports[nd.Name]; ok {
			ms.Keys, ms.Bytes, ms.Hints, ms.Handoffs, ms.RingVersion = rep.Keys, rep.Bytes, rep.Hints, rep.Handoffs, rep.RingVersion
		}
		out.Members = append(out.Members, ms)
	}
	return out
}

func ringState(n cluster.Node, inRing bool) string {
	switch {
	case n.State == cluster.Left:
		return "removed"
	case n.Leaving:
		return "leaving"
	case !inRing:
		return "joining"
	}
	return "member"
}

// gatherStatus asks every node up for its status, this one included.
func (s *Server) gatherStatus(ctx context.Context, nodes []cluster.Node) map[string]nodeStatus {
	out := map[string]nodeStatus{s.cfg.Node: s.localStatus()}
	if s.tr == nil {
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, nd := range nodes {
		if nd.Name == s.cfg.Node || nd.State != cluster.Alive {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := s.tr.Call(ctx, nd.Name, MethodNodeStatus, nil)
			var st nodeStatus
			if err != nil || json.Unmarshal(b, &st) != nil {
				return
			}
			mu.Lock()
			out[nd.Name] = st
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func (t topology) Transfers(ctx context.Context) []replica.Transfer {
	var out []replica.Transfer
	reports := t.s.gatherStatus(ctx, t.s.nodes())
	names := make([]string, 0, len(reports))
	for n := range reports {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		out = append(out, withETA(reports[n].Transfers)...)
	}
	return out
}

// withETA estimates, for a node's pending transfers, when each is done:
// the partitions ahead of it and its own, at the active one's rate and
// its bytes so far as the size of a partition.
func withETA(ts []replica.Transfer) []replica.Transfer {
	var rate, size int64
	for _, t := range ts {
		if t.State == "active" && t.Rate > 0 {
			rate = t.Rate
		}
		if t.State == "done" && t.Bytes > size {
			size = t.Bytes
		}
	}
	ahead := int64(0)
	for i, t := range ts {
		if t.State == "done" {
			continue
		}
		left := max(size-t.Bytes, 0)
		ahead += left
		if rate > 0 && size > 0 {
			ts[i].ETAms = int64(math.Ceil(float64(ahead) / float64(rate) * 1000))
		}
	}
	return ts
}

func (t topology) Leave() error { return t.s.Leave() }

func (t topology) Remove(node string, force bool) error { return t.s.RemoveNode(node, force) }

// Leave starts this node's graceful leave: it announces it (others take
// it out of the ring), hands every partition it holds to the new holders
// and delivers its hints, then leaves the gossip and stops. A restart
// while leaving resumes the leave; after it, the node refuses to start on
// the same --dir.
func (s *Server) Leave() error {
	if s.mem == nil {
		return errors.New("ERR this node runs standalone (no cluster): there is no ring to leave")
	}
	others := 0
	for _, m := range s.mem.RingMembers() {
		if m != s.cfg.Node {
			others++
		}
	}
	if others == 0 {
		return errors.New("ERR this node is the only ring member: its data would have nowhere to go (use SHUTDOWN to stop it)")
	}
	if !s.leaving.CompareAndSwap(false, true) {
		return errors.New("ERR this node is already leaving (see RINGKV TRANSFERS and the log)")
	}
	if err := s.db.SetHandoffState(stateLeave, []byte(leaveLeaving)); err != nil {
		s.leaving.Store(false)
		return fmt.Errorf("ERR cannot record the leave: %v", err)
	}
	return s.announceLeave()
}

func (s *Server) announceLeave() error {
	if err := s.mem.SetTags(map[string]string{membership.TagRing: membership.RingLeaving}); err != nil {
		return fmt.Errorf("ERR cannot announce the leave: %v", err)
	}
	s.rebuildRing()
	s.log.Info().Msg("leaving the cluster: handing partitions off to their new holders")
	s.bg.Add(1)
	go func() { defer s.bg.Done(); s.finishLeave() }()
	return nil
}

// finishLeave waits until this node holds no record and no hint a live
// node can take, then leaves the gossip and stops the node.
func (s *Server) finishLeave() {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	lastLog := time.Now()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		has, err := s.db.HasRecords(0, math.MaxUint64)
		pending, foreign := s.coord.HandoffBusy()
		// Hints for nodes that are up are delivered by hinted handoff;
		// those for nodes that are down go to another member.
		ctx, cancel := context.WithTimeout(context.Background(), 10*s.cfg.RequestTimeout)
		hints := s.coord.PassOnHints(ctx)
		cancel()
		if err == nil && !has && hints == 0 {
			break
		}
		if time.Since(lastLog) > 10*time.Second {
			lastLog = time.Now()
			s.log.Info().Int64("partitions_left", foreign).Int("transfers", pending).Int("hints_left", hints).
				Msg("leave in progress: handing partitions off")
		}
	}
	if err := s.db.SetHandoffState(stateLeave, []byte(leaveLeft)); err != nil {
		s.log.Error().Err(err).Msg("cannot record that the leave completed")
	}
	if err := s.mem.Leave(); err != nil {
		s.log.Warn().Err(err).Msg("leaving the gossip failed; the others will see this node fail and then left")
	}
	s.log.Info().Msg("left the cluster: every partition handed off; stopping")
	s.requestStop()
}

// checkLeft refuses to start a node that left the cluster, and resumes a
// leave a restart interrupted.
func (s *Server) checkLeft() (resume bool, err error) {
	b, err := s.db.HandoffState(stateLeave)
	if err != nil {
		return false, err
	}
	switch string(b) {
	case leaveLeft:
		return false, fmt.Errorf("this node left the cluster (RINGKV LEAVE) and its data was handed off; to join again as a new node, start it with an empty --dir (not %s)", s.cfg.Dir)
	case leaveLeaving:
		return true, nil
	}
	return false, nil
}

// RemoveNode removes node from the ring: a failed node at once (its
// partitions are re-replicated from the surviving copies), a live one
// only with force (it is asked to leave).
func (s *Server) RemoveNode(node string, force bool) error {
	if s.mem == nil {
		return errors.New("ERR this node runs standalone (no cluster): there is no ring to remove nodes from")
	}
	if node == s.cfg.Node {
		return errors.New("ERR cannot remove the node serving this connection: use RINGKV LEAVE on it")
	}
	i := slices.IndexFunc(s.mem.Members(), func(n cluster.Node) bool { return n.Name == node })
	if i < 0 {
		return fmt.Errorf("ERR no such node '%s' (see RINGKV MEMBERS)", node)
	}
	m := s.mem.Members()[i]
	switch {
	case m.State == cluster.Left:
		return fmt.Errorf("ERR node '%s' already left the cluster", node)
	case m.State == cluster.Alive || m.State == cluster.Suspect:
		if !force {
			return fmt.Errorf("ERR node '%s' is alive: make it leave (RINGKV LEAVE on it), or REMOVE %s FORCE", node, node)
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
		defer cancel()
		if _, err := s.tr.Call(ctx, node, MethodLeave, nil); err != nil {
			return fmt.Errorf("ERR asking '%s' to leave failed: %v", node, err)
		}
		return nil
	}
	if s.cfg.N == 1 && !force {
		return fmt.Errorf("ERR node '%s' holds the only copy of its partitions (n=1): removing it loses their data; bring it back, or REMOVE %s FORCE to accept the loss", node, node)
	}
	if err := s.mem.RemoveFailed(node); err != nil {
		return fmt.Errorf("ERR removing '%s' failed: %v", node, err)
	}
	s.log.Info().Str("removed", node).Msg("removed a failed node from the ring; its partitions are re-replicated")
	s.rebuildRing()
	return nil
}

func (s *Server) serveLeave() ([]byte, error) {
	if err := s.Leave(); err != nil {
		return nil, err
	}
	return nil, nil
}
