package membership

import (
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/ringkv/ringkv/cluster"
)

const wait = 5 * time.Second

// cluster3 starts a, b, c and joins b and c through a.
func cluster3(t *testing.T) (a, b, c *Membership) {
	a, b, c = start(t, "a", nil), start(t, "b", nil), start(t, "c", nil)
	for _, m := range []*Membership{b, c} {
		if n, err := m.Join([]string{a.GossipAddr()}); err != nil || n != 1 {
			t.Fatalf("%s join: %d, %v", m.LocalName(), n, err)
		}
	}
	for _, m := range []*Membership{a, b, c} {
		eventually(t, wait, "3 alive members", func() bool { return states(m) == "a:alive b:alive c:alive " })
	}
	return a, b, c
}

func TestThreeNodesJoin(t *testing.T) {
	a, _, _ := cluster3(t)
	for _, n := range a.Members() {
		if n.ClientAddr != "127.0.0.1:6379" || n.PeerAddr != "127.0.0.1:16379" {
			t.Fatalf("member %+v: addresses not decoded from tags", n)
		}
	}
	if tags, ok := a.Tags("c"); !ok || tags[TagQ] != "1024" {
		t.Fatalf("Tags(c) = %v, %v", tags, ok)
	}
	if got := a.RingMembers(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("RingMembers = %v", got)
	}
}

// §4.8: "a node outage rarely signifies a permanent departure and therefore
// should not result in rebalancing": a crashed node is Failed, still a member.
func TestCrashedNodeStaysMember(t *testing.T) {
	a, b, c := cluster3(t)
	if err := c.Shutdown(); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Membership{a, b} {
		eventually(t, wait, "c failed", func() bool { s, _ := stateOf(m, "c"); return s == cluster.Failed })
		if got := m.RingMembers(); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("%s: RingMembers after crash = %v, want c kept", m.LocalName(), got)
		}
	}
}

// §4.8: an explicit departure removes the node from the ring.
func TestLeftNodeLeavesRing(t *testing.T) {
	a, b, c := cluster3(t)
	if err := c.Leave(); err != nil {
		t.Fatal(err)
	}
	c.Shutdown()
	for _, m := range []*Membership{a, b} {
		eventually(t, wait, "c left", func() bool { s, _ := stateOf(m, "c"); return s == cluster.Left })
		if got := m.RingMembers(); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("%s: RingMembers after leave = %v", m.LocalName(), got)
		}
	}
}

func TestDifferentKeysCannotJoin(t *testing.T) {
	a := start(t, "a", func(c *Config) { c.SecretKey = DeriveKey("alpha") })
	b := start(t, "b", func(c *Config) { c.SecretKey = DeriveKey("bravo") })
	if n, err := b.Join([]string{a.GossipAddr()}); err == nil || n != 0 {
		t.Fatalf("join with wrong key: %d, %v", n, err)
	}
	same := start(t, "c", func(c *Config) { c.SecretKey = DeriveKey("alpha") })
	if _, err := same.Join([]string{a.GossipAddr()}); err != nil {
		t.Fatalf("join with right key: %v", err)
	}
	eventually(t, wait, "a sees c", func() bool { return states(a) == "a:alive c:alive " })
}

func TestDifferentQRefused(t *testing.T) {
	a := start(t, "a", nil)
	b := start(t, "b", func(c *Config) { c.Q = 2048 })
	_, err := b.Join([]string{a.GossipAddr()})
	if err == nil {
		t.Fatal("node with q=2048 joined a q=1024 cluster")
	}
	if got := a.RingMembers(); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("RingMembers = %v", got)
	}
}

func TestSubscribeNotifies(t *testing.T) {
	a := start(t, "a", nil)
	ch, cancel := a.Subscribe()
	b := start(t, "b", nil)
	if _, err := b.Join([]string{a.GossipAddr()}); err != nil {
		t.Fatal(err)
	}
	if !receive(ch) {
		t.Fatal("no notification after join")
	}
	cancel()
	if !closed(ch) {
		t.Fatal("cancel did not close the channel")
	}
	ch2, _ := a.Subscribe()
	if err := a.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if !closed(ch2) {
		t.Fatal("Shutdown did not close the subscription")
	}
	if err := a.Shutdown(); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
}

func receive(ch <-chan struct{}) bool {
	select {
	case _, ok := <-ch:
		return ok
	case <-time.After(wait):
		return false
	}
}

// closed drains at most one pending notification and reports whether ch
// is then closed.
func closed(ch <-chan struct{}) bool {
	for range 2 {
		select {
		case _, ok := <-ch:
			if !ok {
				return true
			}
		case <-time.After(wait):
			return false
		}
	}
	return false
}

// Gossip over memberlist's in-memory network: several nodes, no sockets.
func TestInMemoryTransport(t *testing.T) {
	network := &memberlist.MockNetwork{}
	var nodes []*Membership
	for _, name := range []string{"a", "b", "c"} {
		nodes = append(nodes, start(t, name, func(c *Config) { c.Transport = network.NewTransport(name) }))
	}
	for _, m := range nodes[1:] {
		if _, err := m.Join([]string{nodes[0].GossipAddr()}); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range nodes {
		eventually(t, wait, "3 alive", func() bool { return states(m) == "a:alive b:alive c:alive " })
	}
}

// TestSetTagsAfterLeaveDoesNotWait: a node that has left has no one to
// advertise to, so a tag update (the handoff state, advertised every
// second until shutdown) returns at once instead of waiting out
// memberlist's 5 s broadcast timeout, which held SIGTERM with
// --leave-on-terminate past its deadline.
func TestSetTagsAfterLeaveDoesNotWait(t *testing.T) {
	_, _, c := cluster3(t)
	if err := c.Leave(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.SetTags(map[string]string{TagHandoff: "5"}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("SetTags after Leave: %v", err)
		}
	case <-time.After(3 * time.Second): // memberlist's own wait is 5 s
		t.Fatal("SetTags after Leave still waiting after 3 s")
	}
}
