package membership

import (
	"fmt"
	"maps"

	"github.com/hashicorp/serf/serf"
)

// Tags for ownership changes and partition handoff (Dynamo §4.8–4.9).
const (
	// TagRing is a node's ring state: absent for a member, RingLeaving
	// once it announced a graceful leave (it is out of the ring, and
	// hands its partitions off before it leaves the gossip).
	TagRing     = "ring"
	RingLeaving = "leaving"
	// TagRingVersion is the version (hex) of the ring the node acts on:
	// every node alive reports the same once the change has converged.
	TagRingVersion = "rv"
	// TagHandoff is how much partition handoff the node has left (inbound
	// transfers plus partitions to drop); absent when none.
	TagHandoff = "xfer"
	// TagInbound is how many inbound partition transfers the node has
	// pending; absent when none.
	TagInbound = "in"
)

// SetTags changes this node's advertised tags: each key to its value, or
// removed when the value is "". Others see the change through gossip. The
// peer address, partition count and data format are fixed at start; the client address
// follows CONFIG SET port.
func (m *Membership) SetTags(kv map[string]string) error {
	m.tagMu.Lock() // Serf replaces the whole tag set
	defer m.tagMu.Unlock()
	tags := maps.Clone(m.serf.LocalMember().Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	changed := false
	for k, v := range kv {
		if k == TagPeer || k == TagQ || k == TagFormat {
			return fmt.Errorf("membership: tag %q is fixed at start", k)
		}
		if cur, ok := tags[k]; (v == "" && ok) || (v != "" && cur != v) {
			changed = true
		}
		if v == "" {
			delete(tags, k)
		} else {
			tags[k] = v
		}
	}
	if !changed || m.serf.State() != serf.SerfAlive {
		// Nothing new, or nobody to tell: a node that has left the gossip
		// (or is leaving it) would wait out memberlist's broadcast timeout (5 s)
		// on every update, holding up its shutdown.
		return nil
	}
	return m.serf.SetTags(tags)
}

// RemoveFailed removes a failed member from the cluster for good, as if it
// had left: every node drops it from the ring, and remembers it as left
// (RINGKV STATUS shows it removed) for Serf's tombstone timeout. The
// caller checks that the node is down.
func (m *Membership) RemoveFailed(name string) error {
	return m.serf.RemoveFailedNode(name)
}
