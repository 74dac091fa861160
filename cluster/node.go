package cluster

import "fmt"

// State is a node's membership state as seen through gossip.
type State int

// The membership states. The zero value is Alive.
const (
	// Alive: the node answers gossip probes.
	Alive State = iota
	// Suspect: the node stopped answering and may be failed; it is still
	// a ring member.
	Suspect
	// Failed: the node is believed down. Dynamo §4.8: a failure is
	// transient, so the node stays a ring member until it leaves or an
	// operator removes it.
	Failed
	// Left: the node left gracefully (or was removed); it is no longer a
	// ring member.
	Left
)

// String returns the lower-case name of the state ("alive", "suspect", ...).
func (s State) String() string {
	switch s {
	case Alive:
		return "alive"
	case Suspect:
		return "suspect"
	case Failed:
		return "failed"
	case Left:
		return "left"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// InRing reports whether a node in state s belongs to the ring's member set:
// every state but Left (Dynamo §4.8: failures do not change membership).
func (s State) InRing() bool { return s != Left }

// Node is one member of the cluster.
type Node struct {
	// Name is unique in the cluster and is what the ring places.
	Name string
	// GossipAddr is the host:port of its gossip (Serf) listener.
	GossipAddr string
	// ClientAddr is the host:port serving RESP clients ("" if unknown).
	ClientAddr string
	// PeerAddr is the host:port serving node-to-node RPC ("" if unknown).
	PeerAddr string
	// State is the node's membership state.
	State State
	// Leaving: the node announced a graceful leave; it is out of the
	// ring and hands its partitions off before it leaves the gossip.
	Leaving bool
	// RingVersion is the version (hex) of the ring the node acts on, as
	// it advertises it ("" unknown).
	RingVersion string
	// Handoff is the partition handoff the node has left to do (inbound
	// transfers plus partitions to drop), as it advertises it.
	Handoff int
	// Inbound is how many partition transfers into the node are pending,
	// as it advertises it.
	Inbound int
}

// String returns "name(state)".
func (n Node) String() string { return n.Name + "(" + n.State.String() + ")" }
