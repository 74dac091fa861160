package integration

// Helpers for the ring-change tests (ringchange_test.go): add a node to a
// running cluster, wait for partition handoff to finish, read INFO's
// handoff counters.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// handoffTimeout bounds a join's or leave's partition handoff.
const handoffTimeout = 90 * time.Second

// AddNode starts a node named name that joins the cluster through its
// first node, and waits until every running node sees it alive.
func (c *Cluster) AddNode(t testing.TB, name string, args ...string) *Node {
	t.Helper()
	seed := c.Nodes[0].Opts.GossipPort
	o := NodeOptions{Name: name, Args: append([]string{"--join", "127.0.0.1:" + strconv.Itoa(seed)}, args...)}
	if c.Key != "" {
		o.Args = append(o.Args, "--cluster-key", c.Key)
	}
	n := StartNode(t, o)
	c.mu.Lock()
	c.Nodes = append(c.Nodes, n)
	nodes := slices.Clone(c.Nodes)
	c.mu.Unlock()
	want := map[string]string{} // stopped nodes stay members, failed
	for _, m := range nodes {
		want[m.Opts.Name] = "alive"
		if !m.Running() {
			want[m.Opts.Name] = "failed"
		}
	}
	c.WaitStates(t, formTimeout, want, c.Running()...)
	return n
}

// Running lists the nodes whose process runs (safe while AddNode runs).
func (c *Cluster) Running() []*Node {
	c.mu.Lock()
	nodes := slices.Clone(c.Nodes)
	c.mu.Unlock()
	var out []*Node
	for _, n := range nodes {
		if n.Running() {
			out = append(out, n)
		}
	}
	return out
}

// infoFields reads INFO section of n as a map.
func (c *Cluster) infoFields(n *Node, section string) (map[string]string, error) {
	text, err := c.Client(n).Info(context.Background(), section).Result()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(text, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out, nil
}

// WaitHandoffDone waits until every node of on acts on the same ring,
// whose members are exactly want, and none has a transfer pending or a
// partition left to drop.
func (c *Cluster) WaitHandoffDone(t testing.TB, timeout time.Duration, want int, on ...*Node) {
	t.Helper()
	Eventually(t, timeout, "partition handoff complete", func() error {
		version := ""
		for _, n := range on {
			f, err := c.infoFields(n, "cluster")
			if err != nil {
				return fmt.Errorf("%s: %w", n.Opts.Name, err)
			}
			if f["cluster_members"] != strconv.Itoa(want) {
				return fmt.Errorf("%s: cluster_members %s, want %d", n.Opts.Name, f["cluster_members"], want)
			}
			if version == "" {
				version = f["cluster_ring_version"]
			} else if f["cluster_ring_version"] != version {
				return fmt.Errorf("%s: ring version %s, others %s", n.Opts.Name, f["cluster_ring_version"], version)
			}
			if f["handoff_settled_ring_version"] != f["cluster_ring_version"] {
				return fmt.Errorf("%s: handoff settled for ring %s, acts on %s", n.Opts.Name,
					f["handoff_settled_ring_version"], f["cluster_ring_version"])
			}
			if f["handoff_transfers_pending"] != "0" || f["handoff_partitions_to_drop"] != "0" {
				return fmt.Errorf("%s: transfers pending %s, partitions to drop %s", n.Opts.Name,
					f["handoff_transfers_pending"], f["handoff_partitions_to_drop"])
			}
		}
		return nil
	})
}

// infoInt reads one integer field of INFO cluster on n.
func (c *Cluster) infoInt(t testing.TB, n *Node, field string) int64 {
	t.Helper()
	f, err := c.infoFields(n, "cluster")
	if err != nil {
		t.Fatalf("INFO cluster on %s: %v", n.Opts.Name, err)
	}
	v, err := strconv.ParseInt(f[field], 10, 64)
	if err != nil {
		t.Fatalf("INFO cluster on %s: %s = %q", n.Opts.Name, field, f[field])
	}
	return v
}
