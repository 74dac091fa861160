package integration

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestClusterRedisCliAndBenchmark: unmodified Redis tools work against any
// node of a cluster as against one Redis (DESIGN.md). The cluster runs
// without --cluster-key, the out-of-the-box setup.
func TestClusterRedisCliAndBenchmark(t *testing.T) {
	t.Parallel()
	cli := RequireTool(t, "redis-cli")
	bench := RequireTool(t, "redis-benchmark")
	c := StartCluster(t, 3, ClusterOptions{NoKey: true})
	port := func(i int) string { return strconv.Itoa(c.Nodes[i].Opts.Port) }
	run := func(i int, args ...string) string {
		t.Helper()
		out, err := runTool(t, 20*time.Second, nil, cli, append([]string{"-p", port(i)}, args...)...)
		if err != nil {
			t.Fatalf("redis-cli -p %s %v: %v\n%s", port(i), args, err, out)
		}
		return strings.TrimSpace(out)
	}

	// Each node writes one key; every node reads every key.
	for i := range c.Nodes {
		if out := run(i, "SET", "cli:"+strconv.Itoa(i), "from n"+strconv.Itoa(i+1)); out != "OK" {
			t.Errorf("redis-cli SET via n%d = %q, want OK", i+1, out)
		}
	}
	for i := range c.Nodes {
		for j := range c.Nodes {
			want := "from n" + strconv.Itoa(j+1)
			if out := run(i, "GET", "cli:"+strconv.Itoa(j)); out != want {
				t.Errorf("redis-cli GET cli:%d via n%d = %q, want %q", j, i+1, out, want)
			}
		}
	}
	if out := run(2, "INCRBY", "cli:ctr", "5"); out != "5" {
		t.Errorf("redis-cli INCRBY via n3 = %q, want 5", out)
	}
	if out := run(1, "DEL", "cli:0", "cli:1", "cli:missing"); out != "2" {
		t.Errorf("redis-cli DEL via n2 = %q, want 2", out)
	}
	if out := run(0, "EXISTS", "cli:0", "cli:1", "cli:2"); out != "1" {
		t.Errorf("redis-cli EXISTS via n1 after DEL = %q, want 1", out)
	}

	// redis-benchmark against node 1, with its 50 concurrent clients.
	const requests = 5000
	out, err := runTool(t, 3*time.Minute, nil, bench, "-p", port(0), "-t", "set,get,incr,mset",
		"-n", strconv.Itoa(requests), "-q")
	if err != nil {
		t.Fatalf("redis-benchmark: %v\n%s", err, out)
	}
	t.Logf("redis-benchmark -p %s:\n%s", port(0), out)
	for _, test := range []string{"SET:", "GET:", "INCR:", "MSET (10 keys):"} {
		if !strings.Contains(out, test) {
			t.Errorf("redis-benchmark output has no %q line (test did not complete)", test)
		}
	}
	if low := strings.ToLower(out); strings.Contains(low, "error") || strings.Contains(low, "noquorum") {
		t.Errorf("redis-benchmark reported errors:\n%s", out)
	}

	// Afterwards every node answers, and they agree: the benchmark's INCR
	// test ran `requests` times on one counter through one coordinator.
	ctx := context.Background()
	var vals []string
	for i, n := range c.Nodes {
		cl := c.Client(n)
		if err := cl.Ping(ctx).Err(); err != nil {
			t.Errorf("PING n%d after the benchmark: %v", i+1, err)
		}
		ctr, err := cl.Get(ctx, "counter:__rand_int__").Result()
		if err != nil || ctr != strconv.Itoa(requests) {
			t.Errorf("GET counter:__rand_int__ via n%d = %q, %v; want %d (one per INCR)", i+1, ctr, err, requests)
		}
		v, err := cl.Get(ctx, "key:__rand_int__").Result()
		if err != nil {
			t.Errorf("GET key:__rand_int__ via n%d: %v", i+1, err)
		}
		vals = append(vals, fmt.Sprintf("%q", v))
	}
	if vals[0] != vals[1] || vals[1] != vals[2] {
		t.Errorf("GET key:__rand_int__ differs between nodes: %v", vals)
	}
}

// TestClusterWrongKeyRefused: --cluster-key authenticates peers, so a node
// with another key (or none) that --joins the cluster never becomes a
// member, and the cluster's data stays out of its reach.
func TestClusterWrongKeyRefused(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	join := "127.0.0.1:" + strconv.Itoa(c.Nodes[0].Opts.GossipPort)
	rogues := []*Node{
		StartNode(t, NodeOptions{Name: "rogue-key", Args: []string{"--join", join, "--cluster-key", c.Key + "-not"}}),
		StartNode(t, NodeOptions{Name: "rogue-nokey", Args: []string{"--join", join}}),
	}
	ctx := context.Background()
	if err := c.Client(c.Nodes[0]).Set(ctx, "wrongkey:secret", "s", 0).Err(); err != nil {
		t.Fatalf("SET via n1: %v", err)
	}
	want := map[string]string{"n1": "alive", "n2": "alive", "n3": "alive"}
	deadline := time.Now().Add(5 * time.Second) // several join retries and gossip rounds
	for round := 0; round == 0 || time.Now().Before(deadline); round++ {
		for _, n := range c.Nodes {
			info, err := c.Info(n)
			if err != nil {
				t.Fatal(err)
			}
			if err := info.check(want); err != nil {
				t.Fatalf("round %d, %s: a node with the wrong key got in? %v\n%s", round, n.Opts.Name, err, c.logTails(20))
			}
		}
		for _, r := range rogues {
			info, err := c.Info(r)
			if err != nil {
				t.Fatal(err)
			}
			if info.MemberCount() != 1 || len(info.Members) != 1 {
				t.Fatalf("round %d: %s sees %d members (%v), want only itself\n%s",
					round, r.Opts.Name, info.MemberCount(), info.Names(), info.Text)
			}
		}
		time.Sleep(250 * time.Millisecond) // watching membership over a fixed span
	}
	for _, r := range rogues {
		if v, err := c.Client(r).Get(ctx, "wrongkey:secret").Result(); err == nil {
			t.Errorf("GET via %s, outside the cluster, = %q; want nil", r.Opts.Name, v)
		}
		if log := r.Log(); strings.Contains(log, "joined cluster") || !strings.Contains(log, "failed to join") {
			t.Errorf("%s's log should report the failed join, not a joined cluster:\n%s", r.Opts.Name, r.LogTail(20))
		}
	}
	t.Logf("n1's log on the refused joins:\n%s", grepLines(c.Nodes[0].Log(), "decrypt", "encrypt", "refus"))
}

// grepLines returns the lines of text containing any of words
// (case-insensitive), at most 10.
func grepLines(text string, words ...string) string {
	var out []string
	for line := range strings.Lines(text) {
		low := strings.ToLower(line)
		for _, w := range words {
			if strings.Contains(low, w) {
				out = append(out, strings.TrimSpace(line))
				break
			}
		}
		if len(out) == 10 {
			break
		}
	}
	return strings.Join(out, "\n")
}
