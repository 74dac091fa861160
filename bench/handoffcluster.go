package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// hoCluster is the handoff mode's cluster: n1..n3 started together, n4
// added later with --join. Its processes and dirs belong to p.
type hoCluster struct {
	p     *procs
	bin   string
	flags []string // every node's flags besides ports, name and --join
	seed  string   // n1's gossip address
	nodes []*hoNode
}

// hoNode is one node of an hoCluster.
type hoNode struct {
	*node
	pprof string        // host:port of its pprof server; "" none
	info  *redis.Client // for INFO, apart from the foreground clients
	args  []string
}

// startHoCluster starts n1..n3 with flags (each with a pprof address
// when pprof is set) and waits until each sees three members and has
// settled on that ring: otherwise the ring's own formation (n1 alone,
// then two, then three) would move partitions during the load.
func startHoCluster(ctx context.Context, p *procs, bin string, flags []string, pprof bool) (*hoCluster, error) {
	c := &hoCluster{p: p, bin: bin, flags: flags}
	for i := 1; i <= 3; i++ {
		if _, err := c.add(ctx, fmt.Sprintf("n%d", i), pprof); err != nil {
			return c, err
		}
	}
	if err := waitMembers(ctx, c.running(), 3, 60*time.Second); err != nil {
		return c, err
	}
	return c, c.waitDone(ctx, 3, time.Minute)
}

// waitDone polls INFO every 200 ms until HandoffDone(want), at most bound.
func (c *hoCluster) waitDone(ctx context.Context, want int, bound time.Duration) error {
	deadline := time.Now().Add(bound)
	for {
		done, why := HandoffDone(c.read(ctx), want)
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: handoff of the %d-node ring not settled after %v: %s", want, bound, why)
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
}

// add starts one more node, joining n1 unless it is n1.
func (c *hoCluster) add(ctx context.Context, name string, pprof bool) (*hoNode, error) {
	extra := append([]string(nil), c.flags...)
	var addr string
	if pprof {
		ports, err := freePorts(1, false)
		if err != nil {
			return nil, err
		}
		addr = fmt.Sprintf("127.0.0.1:%d", ports[0])
		extra = append(extra, "--"+pprofFlag, addr)
	}
	n, gossip, args, err := startRingkv(ctx, c.p, c.bin, ringkvSpec{name: name, fsync: "everysec", join: c.seed, extra: extra})
	if err != nil {
		return nil, err
	}
	if c.seed == "" {
		c.seed = gossip
	}
	hn := &hoNode{node: n, pprof: addr, args: args, info: redis.NewClient(&redis.Options{
		Addr: fmt.Sprintf("127.0.0.1:%d", n.Port), Protocol: 2, DisableIdentity: true, MaxRetries: -1,
		PoolSize: 1, DialTimeout: 2 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})}
	c.nodes = append(c.nodes, hn)
	return hn, nil
}

// running lists the nodes as bench's node type.
func (c *hoCluster) running() []*node {
	out := make([]*node, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.node
	}
	return out
}

// close closes the INFO clients; procs.Close stops the processes.
func (c *hoCluster) close() {
	for _, n := range c.nodes {
		_ = n.info.Close()
	}
}

// read takes `INFO cluster` of every node; a node that does not answer
// reads as nil.
func (c *hoCluster) read(ctx context.Context) []map[string]string {
	out := make([]map[string]string, len(c.nodes))
	for i, n := range c.nodes {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		text, err := n.info.Info(rctx, "cluster", "ringkv").Result()
		cancel()
		if err == nil {
			out[i] = InfoFields(text)
		}
	}
	return out
}

// InfoFields splits an INFO reply into its name:value fields.
func InfoFields(text string) map[string]string {
	f := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && !strings.HasPrefix(k, "#") {
			f[k] = v
		}
	}
	return f
}

// infoInt is an integer INFO field, 0 when missing or malformed.
func infoInt(f map[string]string, name string) int64 {
	v, _ := strconv.ParseInt(f[name], 10, 64)
	return v
}

// HandoffDone reports whether every node has settled on one ring of want
// members (the check of integration's WaitHandoffDone): the same
// cluster_ring_version everywhere, handoff_settled_ring_version equal to
// it, no transfer pending and no partition left to drop. Otherwise it
// says what is missing.
func HandoffDone(infos []map[string]string, want int) (bool, string) {
	version := ""
	for i, f := range infos {
		name := fmt.Sprintf("node %d", i+1)
		switch {
		case f == nil:
			return false, name + " did not answer INFO"
		case f["cluster_members"] != strconv.Itoa(want):
			return false, fmt.Sprintf("%s: %s members, want %d", name, f["cluster_members"], want)
		case version != "" && f["cluster_ring_version"] != version:
			return false, fmt.Sprintf("%s: ring %s, others %s", name, f["cluster_ring_version"], version)
		case f["handoff_settled_ring_version"] != f["cluster_ring_version"]:
			return false, fmt.Sprintf("%s: settled ring %s, acts on %s", name, f["handoff_settled_ring_version"], f["cluster_ring_version"])
		case f["handoff_transfers_pending"] != "0" || f["handoff_partitions_to_drop"] != "0":
			return false, fmt.Sprintf("%s: %s transfers pending, %s partitions to drop", name,
				f["handoff_transfers_pending"], f["handoff_partitions_to_drop"])
		}
		version = f["cluster_ring_version"]
	}
	return true, ""
}
