package integration

// Helpers for the multi-process cluster tests (cluster_*_test.go): start
// an N-node cluster of real ringkv processes on loopback, wait for the
// ring to form, read INFO cluster and RINGKV LOCATE.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Time bounds for cluster-wide events (generous: CI machines are slow,
// and Serf's default LAN timers take a few seconds to declare a failure).
const (
	formTimeout   = 30 * time.Second // all nodes see every member alive
	detectTimeout = 45 * time.Second // a killed node is seen as failed
)

// ClusterOptions configure StartCluster.
type ClusterOptions struct {
	// Key is --cluster-key for every node; "" picks a random one, so that
	// no stray node (of another test or process) can join by accident.
	Key string
	// NoKey starts the nodes without --cluster-key.
	NoKey bool
	// Args are more flags for every node, e.g. "--n", "3".
	Args []string
}

// Cluster is a set of ringkv processes gossiping with each other. Node i
// (from 0) is named "n<i+1>"; every node but the first joins the first.
type Cluster struct {
	Nodes []*Node
	Key   string // the --cluster-key ("" for none)

	mu      sync.Mutex
	clients map[*Node]*redis.Client
}

// StartCluster starts size nodes and waits until each sees all of them
// alive in INFO cluster.
func StartCluster(t testing.TB, size int, opts ClusterOptions) *Cluster {
	t.Helper()
	c := &Cluster{Key: opts.Key, clients: map[*Node]*redis.Client{}}
	if c.Key == "" && !opts.NoKey {
		c.Key = randomKey(t)
	}
	t.Cleanup(c.closeClients)
	seed := FreePort(t) // the first node's gossip port: everyone joins it
	for i := range size {
		o := NodeOptions{Name: "n" + strconv.Itoa(i+1), NoWait: true,
			Args: append([]string{"--join", "127.0.0.1:" + strconv.Itoa(seed)}, opts.Args...)}
		if i == 0 {
			o.GossipPort = seed
		}
		if c.Key != "" {
			o.Args = append(o.Args, "--cluster-key", c.Key)
		}
		c.Nodes = append(c.Nodes, StartNode(t, o))
	}
	for _, n := range c.Nodes {
		n.WaitReady(t, readyTimeout)
	}
	c.WaitAlive(t, formTimeout, c.Nodes...)
	return c
}

func randomKey(t testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("cluster key: %v", err)
	}
	return hex.EncodeToString(b)
}

// Client is a RESP2 go-redis client of node n, shared by the test and
// closed at its end. Pooled connections to a killed node fail once and
// are replaced.
func (c *Cluster) Client(n *Node) *redis.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[n]; ok {
		return cl
	}
	cl := redis.NewClient(&redis.Options{
		Addr: n.Addr(), Protocol: 2, Password: n.Opts.Password,
		DialTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 15 * time.Second,
		MaxRetries: -1, PoolSize: 8,
	})
	c.clients[n] = cl
	return cl
}

func (c *Cluster) closeClients() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cl := range c.clients {
		_ = cl.Close()
	}
}

// WaitAlive waits until every node in on sees exactly the cluster's
// members, all of them alive.
func (c *Cluster) WaitAlive(t testing.TB, timeout time.Duration, on ...*Node) {
	t.Helper()
	want := map[string]string{}
	for _, n := range c.Nodes {
		want[n.Opts.Name] = "alive"
	}
	c.WaitStates(t, timeout, want, on...)
}

// WaitStates waits until every node in on reports, in INFO cluster,
// cluster_members equal to len(want) and each member in its wanted state.
func (c *Cluster) WaitStates(t testing.TB, timeout time.Duration, want map[string]string, on ...*Node) {
	t.Helper()
	for _, n := range on {
		Eventually(t, timeout, fmt.Sprintf("INFO cluster on %s shows %v", n.Opts.Name, want), func() error {
			info, err := c.Info(n)
			if err != nil {
				return err
			}
			return info.check(want)
		})
	}
}

// Info reads and parses INFO cluster from node n.
func (c *Cluster) Info(n *Node) (ClusterInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	text, err := c.Client(n).Info(ctx, "cluster").Result()
	if err != nil {
		return ClusterInfo{}, fmt.Errorf("INFO cluster on %s: %w", n.Opts.Name, err)
	}
	return ParseClusterInfo(text)
}

// ClusterInfo is INFO's cluster section.
type ClusterInfo struct {
	Fields  map[string]string // cluster_members, cluster_n, ...
	Members []MemberInfo      // the memberK lines, in order
	Text    string            // the section as received
}

// MemberInfo is one "memberK:name=..,state=..,client=..,partitions=.." line.
type MemberInfo struct {
	Name, State, Client string
	Partitions          int
}

// ParseClusterInfo parses INFO cluster's text.
func ParseClusterInfo(text string) (ClusterInfo, error) {
	ci := ClusterInfo{Fields: map[string]string{}, Text: text}
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(name, "member") || strings.HasPrefix(name, "members") {
			ci.Fields[name] = value
			continue
		}
		m, err := parseMember(value)
		if err != nil {
			return ci, fmt.Errorf("INFO cluster line %q: %w", line, err)
		}
		ci.Members = append(ci.Members, m)
	}
	if _, ok := ci.Fields["cluster_members"]; !ok {
		return ci, fmt.Errorf("INFO cluster has no cluster_members:\n%s", text)
	}
	return ci, nil
}

func parseMember(value string) (MemberInfo, error) {
	var m MemberInfo
	for kv := range strings.SplitSeq(value, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "name":
			m.Name = v
		case "state":
			m.State = v
		case "client":
			m.Client = v
		case "partitions":
			p, err := strconv.Atoi(v)
			if err != nil {
				return m, fmt.Errorf("partitions=%q: %w", v, err)
			}
			m.Partitions = p
		}
	}
	if m.Name == "" || m.State == "" {
		return m, errors.New("no name or state")
	}
	return m, nil
}

// MemberCount is cluster_members (-1 if unreadable).
func (ci ClusterInfo) MemberCount() int {
	n, err := strconv.Atoi(ci.Fields["cluster_members"])
	if err != nil {
		return -1
	}
	return n
}

// State returns member name's state, or "" if it is not listed.
func (ci ClusterInfo) State(name string) string {
	for _, m := range ci.Members {
		if m.Name == name {
			return m.State
		}
	}
	return ""
}

// Names lists the members' names, sorted.
func (ci ClusterInfo) Names() []string {
	var out []string
	for _, m := range ci.Members {
		out = append(out, m.Name)
	}
	slices.Sort(out)
	return out
}

// check compares ci with the wanted member states.
func (ci ClusterInfo) check(want map[string]string) error {
	if ci.MemberCount() != len(want) || len(ci.Members) != len(want) {
		return fmt.Errorf("cluster_members:%s with %d member lines, want %d:\n%s",
			ci.Fields["cluster_members"], len(ci.Members), len(want), ci.Text)
	}
	for name, state := range want {
		if got := ci.State(name); got != state {
			return fmt.Errorf("member %s state %q, want %q:\n%s", name, got, state, ci.Text)
		}
	}
	return nil
}

// Location is RINGKV LOCATE's reply.
type Location struct {
	Partition int64
	Replicas  []string
	Fallbacks []string
}

// Locate runs RINGKV LOCATE key on node n.
func (c *Cluster) Locate(n *Node, key string) (Location, error) {
	v, err := c.Client(n).Do(context.Background(), "RINGKV", "LOCATE", key).Result()
	if err != nil {
		return Location{}, fmt.Errorf("RINGKV LOCATE %s on %s: %w", key, n.Opts.Name, err)
	}
	return parseLocation(v)
}

// parseLocation reads {partition, replicas, fallbacks} from a RESP3 map
// or a RESP2 flat array of pairs.
func parseLocation(v any) (Location, error) {
	fields := map[string]any{}
	switch r := v.(type) {
	case map[any]any:
		for k, x := range r {
			fields[fmt.Sprint(k)] = x
		}
	case []any:
		if len(r)%2 != 0 {
			return Location{}, fmt.Errorf("LOCATE reply %#v: odd length", v)
		}
		for i := 0; i < len(r); i += 2 {
			fields[fmt.Sprint(r[i])] = r[i+1]
		}
	default:
		return Location{}, fmt.Errorf("LOCATE reply %#v (%T): not a map", v, v)
	}
	var loc Location
	var ok bool
	if loc.Partition, ok = fields["partition"].(int64); !ok {
		return loc, fmt.Errorf("LOCATE reply %#v: partition is not an integer", v)
	}
	var err error
	if loc.Replicas, err = stringList(fields["replicas"]); err != nil {
		return loc, fmt.Errorf("LOCATE replicas: %w", err)
	}
	if loc.Fallbacks, err = stringList(fields["fallbacks"]); err != nil {
		return loc, fmt.Errorf("LOCATE fallbacks: %w", err)
	}
	return loc, nil
}

func stringList(v any) ([]string, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%#v is not an array", v)
	}
	out := make([]string, len(a))
	for i, x := range a {
		if out[i], ok = x.(string); !ok {
			return nil, fmt.Errorf("element %#v is not a string", x)
		}
	}
	return out, nil
}

// StopAll sends SIGTERM to every running node at once (so that none
// outlives the others long enough to see them leave) and checks that
// each exits with status 0.
func (c *Cluster) StopAll(t testing.TB) {
	t.Helper()
	var live []*Node
	for _, n := range c.Nodes {
		if n.Running() {
			n.Signal(t, syscall.SIGTERM)
			live = append(live, n)
		}
	}
	for _, n := range live {
		if code := n.WaitExit(t, stopTimeout); code != 0 {
			t.Errorf("node %s exited with %d after SIGTERM, want 0\n%s", n.Opts.Name, code, n.LogTail(30))
		}
	}
}

// isNoQuorum reports whether err is a NOQUORUM error reply.
func isNoQuorum(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOQUORUM")
}

// logTails is every node's log tail, for failure messages.
func (c *Cluster) logTails(lines int) string {
	var b strings.Builder
	for _, n := range c.Nodes {
		b.WriteString(n.LogTail(lines))
		b.WriteByte('\n')
	}
	return b.String()
}
