package membership

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/serf/serf"
	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/cluster"
)

// Membership is this node's view of the cluster, kept by Serf gossip. It is
// safe for concurrent use. It owns one goroutine, which drains Serf's events
// and notifies subscribers; Shutdown stops it and waits for it.
type Membership struct {
	cfg    Config
	log    zerolog.Logger
	serf   *serf.Serf
	events chan serf.Event
	stop   chan struct{}
	done   chan struct{}
	subs   subscribers

	tagMu    sync.Mutex   // SetTags
	format   atomic.Int64 // RequireFormat's data format; 0: none
	shutdown sync.Once
	err      error
}

// New validates cfg, starts gossip on the configured address and the event
// goroutine. The node is alone until Join.
func New(cfg Config) (*Membership, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Membership{
		cfg:    cfg,
		log:    cfg.Logger.With().Str("component", "membership").Str("node", cfg.NodeName).Logger(),
		events: make(chan serf.Event, eventBuffer),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	sc := cfg.serfConfig(m.events, m.log)
	sc.Merge = qGuard{q: cfg.Q, format: &m.format}
	s, err := serf.Create(sc)
	if err != nil {
		return nil, err
	}
	m.serf = s
	go m.drain()
	return m, nil
}

// LocalName returns this node's name.
func (m *Membership) LocalName() string { return m.cfg.NodeName }

// GossipAddr returns the host:port other nodes can Join through (useful
// when BindPort was 0).
func (m *Membership) GossipAddr() string {
	n := m.serf.Memberlist().LocalNode()
	return net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port)))
}

// Join contacts the given gossip addresses (host:port) and merges with their
// cluster. It returns how many were reached; an error only if none was.
func (m *Membership) Join(addrs []string) (int, error) {
	n, err := m.serf.Join(addrs, true)
	if err != nil {
		m.log.Warn().Err(err).Strs("addrs", addrs).Int("reached", n).Msg("join")
	}
	return n, err
}

// Leave announces a graceful departure and waits for it to propagate;
// others then see this node as Left and drop it from the ring. Call
// Shutdown afterwards.
func (m *Membership) Leave() error { return m.serf.Leave() }

// Done is closed when gossip stops: by Shutdown, or on its own (Serf
// shuts a node down that loses a name conflict).
func (m *Membership) Done() <-chan struct{} { return m.serf.ShutdownCh() }

// Shutdown stops gossip without leaving (others will see this node fail),
// stops the event goroutine and waits for it. Safe to call more than once.
func (m *Membership) Shutdown() error {
	m.shutdown.Do(func() {
		m.err = m.serf.Shutdown()
		close(m.stop)
		<-m.done
		m.subs.closeAll()
	})
	return m.err
}

// Members returns every known member, including failed and left ones,
// sorted by name.
func (m *Membership) Members() []cluster.Node {
	ms := m.serf.Members()
	out := make([]cluster.Node, len(ms))
	for i, sm := range ms {
		out[i] = cluster.Node{
			Name:        sm.Name,
			GossipAddr:  net.JoinHostPort(sm.Addr.String(), strconv.Itoa(int(sm.Port))),
			ClientAddr:  sm.Tags[TagClient],
			PeerAddr:    sm.Tags[TagPeer],
			State:       state(sm.Status),
			Leaving:     sm.Tags[TagRing] == RingLeaving,
			RingVersion: sm.Tags[TagRingVersion],
			Handoff:     atoiOr0(sm.Tags[TagHandoff]),
			Inbound:     atoiOr0(sm.Tags[TagInbound]),
		}
	}
	slices.SortFunc(out, func(a, b cluster.Node) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// NumMembers is len(Members()), without building it.
func (m *Membership) NumMembers() int { return m.serf.NumNodes() }

// RingMembers returns the names the ring is built from: every member not
// Left (Dynamo §4.8: failed nodes stay) and not leaving, with our Q,
// sorted.
func (m *Membership) RingMembers() []string {
	var names []string
	for _, sm := range m.serf.Members() {
		if state(sm.Status).InRing() && sm.Tags[TagRing] != RingLeaving && CheckQ(m.cfg.Q, sm.Name, sm.Tags) == nil {
			names = append(names, sm.Name)
		}
	}
	slices.Sort(names)
	return names
}

// Tags returns a copy of the tags that member name advertises.
func (m *Membership) Tags(name string) (map[string]string, bool) {
	for _, sm := range m.serf.Members() {
		if sm.Name == name {
			tags := make(map[string]string, len(sm.Tags))
			for k, v := range sm.Tags {
				tags[k] = v
			}
			return tags, true
		}
	}
	return nil, false
}

// state maps Serf's member status onto cluster.State. A node announcing
// its departure (leaving) counts as Left; an unknown status as Suspect.
func state(s serf.MemberStatus) cluster.State {
	switch s {
	case serf.StatusAlive:
		return cluster.Alive
	case serf.StatusFailed:
		return cluster.Failed
	case serf.StatusLeaving, serf.StatusLeft:
		return cluster.Left
	}
	return cluster.Suspect
}

func atoiOr0(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}
