package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// target is what one report row measures: a single server, or a cluster
// benchmarked through all of its nodes at once.
type target struct {
	Label  string  // report row name
	Redis  bool    // the redis-server baseline
	Nodes  []*node // one for a single server
	Config string  // how it was started, printed in the report
}

// pids are the process ids of t's nodes: the processes whose CPU time is t's.
func (t *target) pids() []int {
	out := make([]int, len(t.Nodes))
	for i, n := range t.Nodes {
		out[i] = n.Pid()
	}
	return out
}

// redisArgs is the baseline's configuration: in memory, no persistence.
func redisArgs(port int) []string {
	return []string{"--port", fmt.Sprint(port), "--save", "", "--appendonly", "no", "--daemonize", "no"}
}

// startRedis starts the in-memory redis-server baseline.
func startRedis(ctx context.Context, p *procs) (*target, error) {
	ports, err := freePorts(1, false)
	if err != nil {
		return nil, err
	}
	dir, err := p.TempDir("bench-redis-")
	if err != nil {
		return nil, err
	}
	args := redisArgs(ports[0])
	n, err := startNode(ctx, p, "redis", ports[0], dir, "redis-server", args...)
	if err != nil {
		return nil, err
	}
	return &target{Label: "redis-server", Redis: true, Nodes: []*node{n}, Config: shellJoin("redis-server", args)}, nil
}

// ringkvSpec describes one ringkv node to start.
type ringkvSpec struct {
	name, fsync string
	join        string   // gossip address to join; "" none
	extra       []string // e.g. --n 3 --r 2 --w 2, --pprof-addr
}

// startRingkv starts one ringkv node on free client, gossip and peer ports
// and returns it with its gossip address and the flags it was given.
func startRingkv(ctx context.Context, p *procs, bin string, s ringkvSpec) (*node, string, []string, error) {
	ports, err := freePorts(3, true)
	if err != nil {
		return nil, "", nil, err
	}
	dir, err := p.TempDir("bench-" + s.name + "-")
	if err != nil {
		return nil, "", nil, err
	}
	args := []string{"--port", fmt.Sprint(ports[0]), "--bind", "127.0.0.1", "--dir", filepath.Join(dir, "data"),
		"--appendfsync", s.fsync, "--node", s.name, "--loglevel", "warning",
		"--gossip-port", fmt.Sprint(ports[1]), "--peer-port", fmt.Sprint(ports[2])}
	if s.join != "" {
		args = append(args, "--join", s.join)
	}
	args = append(args, s.extra...)
	n, err := startNode(ctx, p, s.name, ports[0], dir, bin, args...)
	return n, fmt.Sprintf("127.0.0.1:%d", ports[1]), args, err
}

// startSingle starts the single-node ringkv.
func startSingle(ctx context.Context, p *procs, bin, fsync string, extra []string) (*target, error) {
	n, _, args, err := startRingkv(ctx, p, bin, ringkvSpec{name: "single", fsync: fsync, extra: extra})
	if err != nil {
		return nil, err
	}
	return &target{Label: "ringkv (1 node)", Nodes: []*node{n}, Config: shellJoin("ringkv", args)}, nil
}

// startCluster starts n1..n3 joined to n1 with N=3 R=2 W=2 and waits until
// every node sees all three members.
func startCluster(ctx context.Context, p *procs, bin, fsync string) (*target, error) {
	quorum := []string{"--n", "3", "--r", "2", "--w", "2"}
	t := &target{Label: "ringkv (3 nodes, N3 R2 W2)"}
	var seed string
	for i := 1; i <= 3; i++ {
		n, gossip, args, err := startRingkv(ctx, p, bin, ringkvSpec{name: fmt.Sprintf("n%d", i), fsync: fsync, join: seed, extra: quorum})
		if n != nil {
			t.Nodes = append(t.Nodes, n)
		}
		if err != nil {
			for _, n := range t.Nodes {
				n.c.stop()
			}
			return nil, err
		}
		if seed == "" {
			seed = gossip
			t.Config = shellJoin("ringkv", args) + "  (n2, n3 alike, plus --join " + seed + ")"
		}
	}
	if err := waitMembers(ctx, t.Nodes, 3, 60*time.Second); err != nil {
		for _, n := range t.Nodes {
			n.c.stop() // a half-formed cluster would keep gossiping during the runs
		}
		return nil, err
	}
	return t, nil
}

// waitMembers polls INFO on every node until each reports want members.
func waitMembers(ctx context.Context, nodes []*node, want int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		seen := make([]int, len(nodes))
		ok := true
		for i, n := range nodes {
			out, _, _ := output(ctx, 5*time.Second, "redis-cli", "-p", fmt.Sprint(n.Port), "info", "cluster", "ringkv")
			seen[i] = membersIn(string(out))
			ok = ok && seen[i] == want
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: cluster not formed after %v: members seen per node %v, want %d", timeout, seen, want)
		}
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return err
		}
	}
}

// memberKeys are the INFO fields that may carry the member count, most
// specific first. Adjust here if ringkv's INFO changes.
var memberKeys = []string{"cluster_members", "cluster_known_nodes", "members"}

// membersIn returns the member count an INFO reply shows, or 0.
func membersIn(info string) int {
	fields := map[string]string{}
	for _, line := range strings.Split(info, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			fields[k] = v
		}
	}
	for _, k := range memberKeys {
		var n int
		if _, err := fmt.Sscan(fields[k], &n); err == nil {
			return n
		}
	}
	return 0
}

// shellJoin renders a command line the way a shell user would type it.
func shellJoin(name string, args []string) string {
	out := []string{name}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}
