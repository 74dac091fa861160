package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ringkv/ringkv/cluster"
	"github.com/ringkv/ringkv/cluster/membership"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/server/command"
)

// joinRetry is how often a node that could not reach any --join address
// tries again.
const joinRetry = time.Second

// startMembership starts gossip, keeps the ring in step with the member
// set, and joins the --join addresses in the background until one answers.
func (s *Server) startMembership() error {
	host := s.advertiseHost()
	mcfg := membership.Config{
		NodeName: s.cfg.Node, BindAddr: s.cfg.Bind, BindPort: s.cfg.GossipPort,
		ClientAddr: net.JoinHostPort(host, strconv.Itoa(s.cfg.Port)),
		PeerAddr:   net.JoinHostPort(host, strconv.Itoa(s.cfg.PeerPort)),
		Q:          s.cfg.Partitions, SecretKey: membership.DeriveKey(s.cfg.ClusterKey),
		Logger: s.cfg.Logger, Fast: s.cfg.FastGossip, Format: version.ReadFormat, // membership adds the node
	}
	if ip := net.ParseIP(s.cfg.Advertise); ip != nil && !ip.IsUnspecified() {
		mcfg.AdvertiseAddr = s.cfg.Advertise
	}
	release := version.HoldLegacy() // until every member reads ReadFormat (dataformat.go)
	mem, err := membership.New(mcfg)
	if err != nil && !s.cfg.GossipPortSet && len(s.cfg.Join) == 0 {
		s.log.Warn().Err(err).Int("port", s.cfg.GossipPort).
			Msg("gossip port unavailable; using a free one (set --gossip-port to choose)")
		mcfg.BindPort = 0
		mem, err = membership.New(mcfg)
	}
	if err != nil {
		release() // no gossip, no peers: nothing to hold back
		return fmt.Errorf("start gossip on %s:%d: %w (choose another --gossip-port)", s.cfg.Bind, s.cfg.GossipPort, err)
	}
	s.mem = mem
	changes, cancel := mem.Subscribe()
	fmtChanges, cancelFmt := mem.Subscribe()
	joined := make(chan struct{}, 1)
	s.bg.Add(5)
	go func() { defer s.bg.Done(); s.watchGossip(mem.Done()) }()
	go func() { defer s.bg.Done(); s.watchRing(changes) }()
	go func() { defer s.bg.Done(); s.join(); joined <- struct{}{} }()
	go func() { defer s.bg.Done(); s.advertiseHandoff() }() // ringadmin.go
	go func() { defer s.bg.Done(); s.watchFormat(fmtChanges, joined, release) }()
	s.stopMembership = func() {
		// Background replication may still encode after this: lift the
		// hold only if no member lags (a node alone, say).
		if len(s.formatLagging()) == 0 {
			release()
		}
		cancel()
		cancelFmt()
		_ = mem.Shutdown()
	}
	return nil
}

// watchRing rebuilds the ring whenever the member set changes, and lets
// the transport redial members seen alive without waiting out its backoff.
func (s *Server) watchRing(changes <-chan struct{}) {
	for range changes {
		nodes := s.mem.Members()
		for _, n := range nodes {
			if n.State == cluster.Alive && n.Name != s.cfg.Node {
				s.tr.Retry(n.Name)
			}
		}
		for _, n := range s.health.update(nodes) {
			if n != s.cfg.Node {
				s.coord.NodeUp(n) // its hints go now
			}
		}
		s.rebuildRing()
		s.saveKnownPeers(nodes)
	}
}

// Records of the known ring in the store.
const (
	stateRing  = "ring"  // the coordinator's ring acted on (replica/transfer.go)
	statePeers = "peers" // name -> gossip address of the members last seen
)

// loadKnownRing returns the members to start the ring with: the ring this
// node last acted on when it is one of them, else itself alone; and it
// loads the gossip addresses of those members, to join them again.
func (s *Server) loadKnownRing() []string {
	self := []string{s.cfg.Node}
	b, err := s.db.HandoffState(stateRing)
	var members []string
	if err != nil || b == nil || json.Unmarshal(b, &members) != nil || !slices.Contains(members, s.cfg.Node) {
		return self
	}
	if b, err := s.db.HandoffState(statePeers); err == nil && b != nil {
		_ = json.Unmarshal(b, &s.knownPeers)
	}
	s.known = members
	return members
}

// saveKnownPeers records the gossip addresses of the ring's members when
// they change, so a restart can join them even without --join.
func (s *Server) saveKnownPeers(nodes []cluster.Node) {
	select {
	case <-s.stop:
		return // gossip is shutting down: its view is not the cluster's
	default:
	}
	peers := maps.Clone(s.knownPeers)
	if peers == nil {
		peers = map[string]string{}
	}
	for _, n := range nodes {
		switch {
		case n.Name == s.cfg.Node:
		case n.State == cluster.Left:
			delete(peers, n.Name)
		case n.GossipAddr != "":
			peers[n.Name] = n.GossipAddr
		}
	}
	if maps.Equal(peers, s.knownPeers) {
		return
	}
	b, _ := json.Marshal(peers)
	if err := s.db.SetHandoffState(statePeers, b); err != nil {
		s.log.Warn().Err(err).Msg("cannot save the members' gossip addresses; a restart needs --join to find them")
		return
	}
	s.knownPeers = peers
}

// watchGossip stops the node if gossip stops on its own (Serf shuts down a
// node that loses a name conflict, e.g. restarted at another address while
// its old entry lives): a node cut off from the cluster must not go on
// serving as if it were in it. It exits with an error, so a supervisor
// restarts it and it joins again.
func (s *Server) watchGossip(done <-chan struct{}) {
	select {
	case <-s.stop:
	case <-done:
		select {
		case <-s.stop: // our own Shutdown
			return
		default:
		}
		err := errors.New("gossip stopped on its own (see the log: a name conflict?); this node is cut off from the cluster, stopping so it can be restarted and rejoin")
		s.fatal.Store(&err)
		s.log.Error().Err(err).Msg("stopping")
		s.requestStop()
	}
}

// MethodRingMembers asks a node for the members of the ring it acts on:
// empty body; reply JSON []string (numbered after MethodLeave).
const MethodRingMembers = replica.MethodUser + 6

func (s *Server) adoptedMembers() []string {
	s.adoptMu.Lock()
	defer s.adoptMu.Unlock()
	return slices.Clone(s.adopted)
}

// syncRingMembers adopts the ring members that alive peers acting on
// another ring know of and this node's gossip does not: a member that was
// down when this node joined (Serf does not pass on failed members) is
// still a ring member, so every node must count it to build the same ring.
// A member every peer has dropped (removed, left) is dropped here too.
func (s *Server) syncRingMembers() {
	mine := s.ringVersion()
	var differ []string
	gossip := map[string]bool{}
	for _, n := range s.mem.Members() {
		gossip[n.Name] = true
		if n.Name != s.cfg.Node && n.State == cluster.Alive && n.RingVersion != "" && n.RingVersion != mine {
			differ = append(differ, n.Name)
		}
	}
	if len(differ) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	heard := map[string]bool{}
	for _, peer := range differ {
		b, err := s.tr.Call(ctx, peer, MethodRingMembers, nil)
		var list []string
		if err != nil || json.Unmarshal(b, &list) != nil {
			return // try again next tick, with every answer
		}
		for _, m := range list {
			heard[m] = true
		}
	}
	var adopted []string
	for m := range heard {
		if !gossip[m] {
			adopted = append(adopted, m)
		}
	}
	slices.Sort(adopted)
	s.adoptMu.Lock()
	changed := !slices.Equal(adopted, s.adopted)
	s.adopted = adopted
	s.adoptMu.Unlock()
	if changed {
		s.log.Info().Strs("adopted", adopted).Msg("ring members known to peers but not to gossip")
		s.rebuildRing()
	}
}

// rebuildRing makes the ring of the current ring members current: this
// node included, unless it is leaving.
func (s *Server) rebuildRing() {
	s.ringMu.Lock()
	defer s.ringMu.Unlock()
	members := s.mem.RingMembers()
	seen := map[string]bool{}
	for _, n := range s.mem.Members() {
		seen[n.Name] = true
	}
	extra := s.adoptedMembers()
	if !s.joined.Load() {
		extra = append(extra, s.known...)
	}
	for _, m := range extra {
		if !seen[m] && m != s.cfg.Node && !slices.Contains(members, m) {
			members = append(members, m) // a member gossip has not heard of (yet)
		}
	}
	if !slices.Contains(members, s.cfg.Node) && !s.leaving.Load() {
		members = append(members, s.cfg.Node)
		slices.Sort(members)
	}
	if len(members) == 0 || slices.Equal(members, s.place.Members()) {
		return
	}
	if err := s.place.set(s.cfg.Partitions, members); err != nil {
		s.log.Error().Err(err).Strs("members", members).Msg("cannot build ring; keeping the old one")
		return
	}
	s.log.Info().Strs("members", members).Uint64("ring_version", s.place.ring().Version()).Msg("ring changed")
}

// join contacts the --join addresses until one answers or the node stops.
func (s *Server) join() {
	addrs := slices.Clone(s.cfg.Join)
	for _, name := range slices.Sorted(maps.Keys(s.knownPeers)) {
		if a := s.knownPeers[name]; !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		s.joined.Store(true)
		return
	}
	for attempt := 1; ; attempt++ {
		n, err := s.mem.Join(addrs)
		if err == nil && len(s.known) > 1 && len(s.mem.Members()) < 2 {
			// Only this node answered (its own address is in --join): a
			// member of a known ring has joined once another answers.
			err = errors.New("no other member answered")
		}
		if err == nil {
			s.log.Info().Int("reached", n).Strs("join", addrs).Msg("joined cluster")
			s.joined.Store(true)
			s.rebuildRing()
			s.syncRingMembers() // members that are down: gossip does not pass them on
			return
		}
		if attempt == 1 || attempt%30 == 0 {
			s.log.Warn().Err(err).Strs("join", addrs).Int("attempt", attempt).
				Msg("cannot reach any --join address or known member yet; retrying every second")
		}
		select {
		case <-s.stop:
			return
		case <-time.After(joinRetry):
		}
	}
}

// advertiseHost is the host other nodes use to reach this one.
func (s *Server) advertiseHost() string {
	if s.cfg.Advertise != "" {
		return s.cfg.Advertise
	}
	if ip := net.ParseIP(s.cfg.Bind); ip == nil || !ip.IsUnspecified() {
		return s.cfg.Bind
	}
	if ip := privateIP(); ip != "" {
		return ip
	}
	return s.cfg.Node
}

// privateIP returns the first non-loopback IPv4 address of this host.
func privateIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

// resolvePeer maps a node name to its peer RPC address (from its tags).
func (s *Server) resolvePeer(node string) (string, bool) {
	if s.mem == nil {
		return "", false
	}
	tags, ok := s.mem.Tags(node)
	if !ok || tags[membership.TagPeer] == "" {
		return "", false
	}
	return tags[membership.TagPeer], true
}

// topology implements command.Topology over the ring and membership.
type topology struct{ s *Server }

var _ command.Topology = topology{}

func (t topology) Locate(key []byte) (int, []string, []string) {
	r := t.s.place.ring()
	p := r.KeyPartition(key)
	return p, r.Preference(p, t.s.cfg.N), r.Fallbacks(p, t.s.cfg.N)
}

func (t topology) Serving(key []byte) (string, [][2]string, []string) {
	standIns, orphans := t.s.coord.StandIns(key)
	return t.s.coord.Coordinators(key)[0], standIns, orphans
}

func (t topology) Members() []command.Member {
	r := t.s.place.ring()
	var out []command.Member
	for _, n := range t.s.nodes() {
		out = append(out, command.Member{Name: n.Name, State: strings.ToLower(n.State.String()),
			ClientAddr: n.ClientAddr, Partitions: len(r.Owned(n.Name))})
	}
	return out
}

// Clustered is len(Members()) > 1 without building the list: no
// member beyond this node in gossip or in the ring.
func (t topology) Clustered() bool {
	if t.s.mem == nil { // standalone: nodes() is this node alone
		return false
	}
	if t.s.mem.NumMembers() > 1 {
		return true
	}
	ring := t.s.place.Members()
	return len(ring) > 1 || len(ring) == 1 && ring[0] != t.s.cfg.Node
}

// nodes lists the known members (this node alone before gossip starts).
func (s *Server) nodes() []cluster.Node {
	if s.mem == nil {
		return []cluster.Node{{Name: s.cfg.Node, State: cluster.Alive,
			ClientAddr: net.JoinHostPort(s.cfg.Bind, strconv.Itoa(s.port()))}}
	}
	nodes := s.mem.Members()
	for _, m := range s.place.Members() { // ring members gossip has not heard of: down as far as it knows
		if !slices.ContainsFunc(nodes, func(n cluster.Node) bool { return n.Name == m }) {
			nodes = append(nodes, cluster.Node{Name: m, State: cluster.Failed})
		}
	}
	slices.SortFunc(nodes, func(a, b cluster.Node) int { return strings.Compare(a.Name, b.Name) })
	return nodes
}

// infoCluster is INFO's cluster section.
func (s *Server) infoCluster() [][2]string {
	r := s.place.ring()
	nodes := s.nodes()
	nIn, rIn, wIn := s.coord.Quorum(r.Len())
	st := s.coord.Stats()
	_, foreign := s.coord.HandoffBusy()
	pb := s.tr.Bytes()
	out := [][2]string{
		{"cluster_node", s.cfg.Node},
		{"cluster_members", strconv.Itoa(r.Len())},
		{"cluster_partitions", strconv.Itoa(r.Q())},
		{"cluster_partitions_owned", strconv.Itoa(len(r.Owned(s.cfg.Node)))},
		{"cluster_ring_version", strconv.FormatUint(r.Version(), 16)},
		{"cluster_n", strconv.Itoa(nIn)}, {"cluster_r", strconv.Itoa(rIn)}, {"cluster_w", strconv.Itoa(wIn)},
		{"cluster_ring_state", ringState(cluster.Node{Leaving: s.leaving.Load()}, r.Contains(s.cfg.Node))},
		{"handoff_settled_ring_version", strconv.FormatUint(s.coord.HandoffSettled(), 16)},
		{"handoff_transfers_pending", strconv.FormatInt(st.TransfersPending.Load(), 10)},
		{"handoff_transfers_done", strconv.FormatInt(st.TransfersDone.Load(), 10)},
		{"handoff_keys_received", strconv.FormatInt(st.TransferKeys.Load(), 10)},
		{"handoff_bytes_received", strconv.FormatInt(st.TransferBytes.Load(), 10)},
		{"handoff_partitions_to_drop", strconv.FormatInt(foreign, 10)},
		{"handoff_partitions_dropped", strconv.FormatInt(st.PartitionsDropped.Load(), 10)},
		{"handoff_read_throughs", strconv.FormatInt(st.ReadThroughs.Load(), 10)},
		{"handoff_wait_ms", strconv.FormatInt(st.TransferWaitMs.Load(), 10)},
		{"peer_bytes_sent", strconv.FormatUint(pb.Sent, 10)},
		{"peer_bytes_received", strconv.FormatUint(pb.Received, 10)},
		{"peer_frames_sent", strconv.FormatUint(pb.FramesSent, 10)},
		{"peer_frames_received", strconv.FormatUint(pb.FramesReceived, 10)},
		{"peer_writes", strconv.FormatUint(pb.Writes, 10)},
		{"pipelined_commands", strconv.FormatInt(s.pipelinedCmds.Load(), 10)},
		{"forwarded_commands", strconv.FormatInt(s.route.forwarded.Load(), 10)},
	}
	out = append(out, s.infoFormat()...) // dataformat.go
	for i, n := range nodes {
		out = append(out, [2]string{"member" + strconv.Itoa(i), fmt.Sprintf("name=%s,state=%s,client=%s,partitions=%d",
			n.Name, strings.ToLower(n.State.String()), n.ClientAddr, len(r.Owned(n.Name)))})
	}
	return out
}
