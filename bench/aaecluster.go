package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// aaeCluster is the anti-entropy mode's 3-node cluster: nodes that are
// stopped cleanly (SIGTERM) and started again with the same data
// directory, ports and flags, and an anti-entropy interval chosen per
// start. Its processes and dirs belong to p.
type aaeCluster struct {
	p     *procs
	bin   string
	nodes []*aaeNode // n1, n2, n3: name order
}

// aaeNode is one node of an aaeCluster.
type aaeNode struct {
	name string
	port int
	dir  string   // its temp dir: server.log, and data/ (--dir)
	args []string // its command line, --aae-interval included
	run  *node    // nil while stopped
	rdb  *redis.Client
}

// aaeFlags are the flags every node of the mode gets besides the ports:
// the quorum, hints dropped at the first handoff tick so that only
// anti-entropy can repair a node that missed writes, info-level logs
// (anti-entropy rounds are logged at info).
var aaeFlags = []string{"--n", "3", "--r", "2", "--w", "2", "--hint-max-age", "1ms", "--loglevel", "notice"}

// startAAECluster starts n1..n3 (n2 and n3 join n1) with anti-entropy
// every interval, each with a pprof address when pprof is set, and waits
// until each sees three members.
func startAAECluster(ctx context.Context, p *procs, bin, fsync string, interval time.Duration, pprof bool) (*aaeCluster, error) {
	c := &aaeCluster{p: p, bin: bin}
	var seed string
	for i := 1; i <= 3; i++ {
		extra := append(append([]string(nil), aaeFlags...), "--aae-interval", interval.String())
		if pprof {
			ports, err := freePorts(1, false)
			if err != nil {
				c.close()
				return nil, err
			}
			extra = append(extra, "--"+pprofFlag, fmt.Sprintf("127.0.0.1:%d", ports[0]))
		}
		n, gossip, args, err := startRingkv(ctx, p, bin, ringkvSpec{name: fmt.Sprintf("n%d", i), fsync: fsync, join: seed, extra: extra})
		if err != nil {
			c.close()
			return nil, err
		}
		if seed == "" {
			seed = gossip
		}
		c.nodes = append(c.nodes, &aaeNode{name: n.Name, port: n.Port, dir: n.Dir, args: args, run: n,
			rdb: redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", n.Port), Protocol: 2,
				DisableIdentity: true, MaxRetries: -1, PoolSize: 2, DialTimeout: 2 * time.Second,
				ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})})
	}
	return c, c.waitMembers(ctx)
}

// close closes the INFO clients; procs.Close stops the processes.
func (c *aaeCluster) close() {
	if c == nil {
		return
	}
	for _, n := range c.nodes {
		_ = n.rdb.Close()
	}
}

// waitMembers waits (60 s at most) until every node lists all three
// members as alive: a ring of three is not enough, since a node that is
// down stays in the ring.
func (c *aaeCluster) waitMembers(ctx context.Context) error {
	seen := make([]int, len(c.nodes))
	err := c.poll(ctx, "three members alive on every node", 60*time.Second, func(time.Time, Cluster) bool {
		ok := true
		for i, n := range c.nodes {
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			text, err := n.rdb.Info(rctx, "cluster").Result()
			cancel()
			seen[i] = 0
			if err == nil {
				seen[i] = AliveIn(text)
			}
			ok = ok && seen[i] == len(c.nodes)
		}
		return ok
	})
	if err != nil {
		return fmt.Errorf("%w: alive members seen per node %v", err, seen)
	}
	return nil
}

// stop stops node i cleanly: SIGTERM, then up to bound for the node to
// save its Merkle tree and close LevelDB. It reports whether the stop was
// clean (false: it had to be killed, and its tree will be rebuilt).
func (c *aaeCluster) stop(i int, bound time.Duration) bool {
	n := c.nodes[i]
	if n.run == nil {
		return true
	}
	ch := n.run.c
	n.run = nil
	ch.signal(syscall.SIGTERM)
	select {
	case <-ch.done:
		return ch.cmd.ProcessState != nil && ch.cmd.ProcessState.Success()
	case <-time.After(bound):
		ch.signal(syscall.SIGKILL)
		<-ch.done
		return false
	}
}

// start starts node i again with its data, ports and flags, anti-entropy
// every interval (negative: off), appending to its log, and waits until
// it answers PING.
func (c *aaeCluster) start(ctx context.Context, i int, interval time.Duration) error {
	n := c.nodes[i]
	if n.run != nil {
		return fmt.Errorf("bench: %s is already running", n.name)
	}
	n.args = WithFlag(n.args, "aae-interval", interval.String())
	f, err := os.OpenFile(n.logPath(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.Command(c.bin, n.args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = n.dir, f, f
	ch, err := c.p.Start(cmd)
	if err != nil {
		return fmt.Errorf("restart %s: %w", n.name, err)
	}
	n.run = &node{Name: n.name, Port: n.port, Dir: n.dir, Log: f.Name(), c: ch}
	return waitReady(ctx, n.run, 60*time.Second)
}

// restartAll stops every node cleanly and starts them again, n1 first (the
// others join it), with anti-entropy every interval; it waits for three
// members and every Merkle tree. It returns the nodes whose stop was not
// clean.
func (c *aaeCluster) restartAll(ctx context.Context, interval, bound time.Duration) ([]string, error) {
	var unclean []string
	for i := len(c.nodes) - 1; i >= 0; i-- {
		if !c.stop(i, bound) {
			unclean = append(unclean, c.nodes[i].name)
		}
	}
	for i := range c.nodes {
		if err := c.start(ctx, i, interval); err != nil {
			return unclean, err
		}
	}
	if err := c.waitMembers(ctx); err != nil {
		return unclean, err
	}
	return unclean, c.waitTrees(ctx, bound)
}

// read takes one INFO reading of every node; a node that is stopped or
// does not answer reads as down.
func (c *aaeCluster) read(ctx context.Context) Cluster {
	out := make(Cluster, len(c.nodes))
	for i, n := range c.nodes {
		if n.run == nil {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		text, err := n.rdb.Info(rctx, "cluster", "handoff", "aae").Result()
		cancel()
		if err != nil {
			continue
		}
		if info, err := ParseNodeInfo(text); err == nil {
			out[i] = NodeState{Up: true, NodeInfo: info}
		}
	}
	return out
}

// check returns an error when a running node's INFO cannot be parsed
// (e.g. a ringkv without the peer byte counters).
func (c *aaeCluster) check(ctx context.Context) error {
	for _, n := range c.nodes {
		text, err := n.rdb.Info(ctx, "cluster", "handoff", "aae").Result()
		if err != nil {
			return fmt.Errorf("bench: INFO on %s: %w", n.name, err)
		}
		if _, err := ParseNodeInfo(text); err != nil {
			return err
		}
	}
	return nil
}

// poll reads the cluster every 100 ms until done returns true, ctx ends,
// or bound passes (then it returns an error naming what).
func (c *aaeCluster) poll(ctx context.Context, what string, bound time.Duration, done func(time.Time, Cluster) bool) error {
	deadline := time.Now().Add(bound)
	for {
		now := time.Now()
		if done(now, c.read(ctx)) {
			return nil
		}
		if now.After(deadline) {
			return fmt.Errorf("bench: %s: not done after %v", what, bound)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// waitTrees waits until every running node's Merkle tree is ready.
func (c *aaeCluster) waitTrees(ctx context.Context, bound time.Duration) error {
	return c.poll(ctx, "Merkle trees ready", bound, func(_ time.Time, cl Cluster) bool {
		for i, n := range cl {
			if c.nodes[i].run != nil && (!n.Up || !n.TreeReady) {
				return false
			}
		}
		return true
	})
}

// settle polls until s says the repair is over.
func (c *aaeCluster) settle(ctx context.Context, what string, s *Settle, bound time.Duration) error {
	return c.poll(ctx, what, bound, s.Observe)
}

// logPath is the node's server.log (stdout and stderr of every start).
func (n *aaeNode) logPath() string { return filepath.Join(n.dir, "server.log") }

// dataDir is the node's --dir (startRingkv puts it under its temp dir).
func (n *aaeNode) dataDir() string { return filepath.Join(n.dir, "data") }
