package server

import (
	"math"
	"testing"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// Sets converge as an observed-remove set (DESIGN.md, "Data types that
// converge"): the two sides of a partition each run set commands at their
// own coordinator (n1 for {n1, n2}, n3 for {n3, n4}); after the heal every
// node answers the same, and the adds win over the removals that did not
// see them.

// splitCluster is routedCluster (n1..n4, N=3) with R=W=1, so that both
// sides of a two-two partition read and write: the minority side has
// one primary only.
func splitCluster(t *testing.T) (*transport.MemNetwork, map[string]*testNode) {
	t.Helper()
	return routedCluster(t, func(c *replica.Config) { c.R, c.W = 1, 1 })
}

// healStores ends the partition and merges every node's records into
// every other node, as anti-entropy would in time.
func healStores(t *testing.T, net interface{ Heal() }, nodes map[string]*testNode) {
	t.Helper()
	net.Heal()
	all := map[string]version.Set{}
	for _, n := range nodes {
		err := n.db.Range(0, math.MaxUint64, func(_ uint64, key []byte, s version.Set) bool {
			all[string(key)] = all[string(key)].Merge(s)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes {
		for k, s := range all {
			if _, _, err := n.db.Merge([]byte(k), s); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// everyNode checks that every node answers cmd with want.
func everyNode(t *testing.T, nodes map[string]*testNode, want string, cmd ...string) {
	t.Helper()
	for name, n := range nodes {
		if got := n.do(cmd...); got != want {
			t.Errorf("%v on %s = %s, want %s", cmd, name, got, want)
		}
	}
}

// must runs cmd on n and checks its reply.
func must(t *testing.T, n *testNode, want string, cmd ...string) {
	t.Helper()
	if got := n.do(cmd...); got != want {
		t.Fatalf("%v on the partition's side = %s, want %s", cmd, got, want)
	}
}

func TestSetMergeAddWins(t *testing.T) {
	net, nodes := splitCluster(t)
	a, b := nodes["n1"], nodes["n3"]
	must(t, a, "(integer) 2", "SADD", "s", "x", "keep")
	must(t, a, "(integer) 1", "SADD", "gone", "old")
	must(t, a, "(integer) 1", "SADD", "e", "1")
	healStores(t, net, nodes) // every replica has them (W=1 acknowledged one)
	net.Partition([]string{"n1", "n2"}, []string{"n3", "n4"})

	// SADD || SREM of one member: the add wins.
	must(t, a, "(integer) 1", "SREM", "s", "x")
	must(t, b, "(integer) 0", "SADD", "s", "x")
	// SADD of different members on both sides: the union.
	must(t, a, "(integer) 1", "SADD", "u", "a")
	must(t, b, "(integer) 1", "SADD", "u", "b")
	// SREM removes only what it saw: b never saw "new", so its SREM is a
	// no-op; the "old" it saw stays removed.
	must(t, a, "(integer) 1", "SADD", "gone", "new")
	must(t, b, "(integer) 0", "SREM", "gone", "new")
	must(t, b, "(integer) 1", "SREM", "gone", "old")
	// b empties e (its header is tombstoned) while a adds to it: a's
	// member was written under a header version b did not see.
	must(t, b, "(integer) 1", "SREM", "e", "1")
	must(t, b, "(integer) 0", "EXISTS", "e")
	must(t, a, "(integer) 1", "SADD", "e", "2")

	healStores(t, net, nodes)
	everyNode(t, nodes, "(integer) 1", "SISMEMBER", "s", "x")
	everyNode(t, nodes, "1~ \"keep\"\n2~ \"x\"", "SMEMBERS", "s")
	everyNode(t, nodes, "1~ \"a\"\n2~ \"b\"", "SMEMBERS", "u")
	everyNode(t, nodes, "1~ \"new\"", "SMEMBERS", "gone")
	everyNode(t, nodes, "1~ \"2\"", "SMEMBERS", "e")
	everyNode(t, nodes, "(integer) 2", "SCARD", "u")
	everyNode(t, nodes, "set", "TYPE", "e")
}

// A STORE command replaces its destination: the members the old
// destination had are gone after the heal, on every node.
func TestSetMergeStoreReplaces(t *testing.T) {
	net, nodes := splitCluster(t)
	a, b := nodes["n1"], nodes["n3"]
	must(t, a, "(integer) 2", "SADD", "{t}d", "old1", "old2")
	must(t, a, "(integer) 2", "SADD", "{t}a", "p", "q")
	healStores(t, net, nodes) // every replica has them (W=1 acknowledged one)
	net.Partition([]string{"n1", "n2"}, []string{"n3", "n4"})
	must(t, a, "(integer) 2", "SUNIONSTORE", "{t}d", "{t}a")
	must(t, b, "(integer) 1", "SADD", "{t}d", "late") // concurrent: survives
	healStores(t, net, nodes)
	everyNode(t, nodes, "1~ \"late\"\n2~ \"p\"\n3~ \"q\"", "SMEMBERS", "{t}d")
}
