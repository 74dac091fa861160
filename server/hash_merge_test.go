package server

import (
	"testing"
	"time"
)

// Hashes converge field by field (DESIGN.md, "Data types that converge"):
// the two sides of a partition each run hash commands at their own
// coordinator (n1 for {n1, n2}, n3 for {n3, n4}; splitCluster, R=W=1);
// after the heal every node answers the same. Different fields are all
// kept; one field set on both sides keeps the write with the highest
// (timestamp, node); HINCRBYs on both sides add up, and an HSET of a
// counter field keeps the increments it did not see; HDEL removes only
// the field versions it saw.
func TestHashMerge(t *testing.T) {
	net, nodes := splitCluster(t)
	a, b := nodes["n1"], nodes["n3"]
	must(t, a, "(integer) 3", "HSET", "h", "keep", "1", "seen", "1", "x", "0")
	must(t, a, "(integer) 3", "HINCRBY", "h", "c", "3")
	must(t, a, "(integer) 3", "HINCRBY", "h", "d", "3")
	must(t, a, "(integer) 2", "HSET", "gone", "old", "1", "other", "1")
	must(t, a, "(integer) 1", "HSET", "e", "f", "1")
	healStores(t, net, nodes) // every replica has them (W=1 acknowledged one)
	net.Partition([]string{"n1", "n2"}, []string{"n3", "n4"})

	// Different fields on both sides: both kept.
	must(t, a, "(integer) 1", "HSET", "h", "fa", "A")
	must(t, b, "(integer) 1", "HSET", "h", "fb", "B")
	// One field on both sides: the later write wins, whichever node made
	// it (y: n1 writes last, so it wins over n3).
	must(t, a, "(integer) 0", "HSET", "h", "x", "from-n1")
	must(t, b, "(integer) 1", "HSET", "h", "y", "from-n3")
	time.Sleep(3 * time.Millisecond)
	must(t, b, "(integer) 0", "HSET", "h", "x", "from-n3")
	must(t, a, "(integer) 1", "HSET", "h", "y", "from-n1")
	// HINCRBY on both sides: the increments add up.
	must(t, a, "(integer) 5", "HINCRBY", "h", "c", "2")
	must(t, b, "(integer) 8", "HINCRBY", "h", "c", "5")
	// HSET of a counter field || HINCRBY: the value set plus the
	// increment its writer did not see (not the 3 it saw, once more).
	must(t, a, "(integer) 0", "HSET", "h", "d", "10")
	must(t, b, "(integer) 4", "HINCRBY", "h", "d", "1")
	// HDEL removes only what it saw: n3 deletes "seen" while n1 rewrites
	// it (n3 never saw the rewrite, which survives), and deletes "old"
	// while n1 adds "new" to the same hash.
	must(t, a, "(integer) 0", "HSET", "h", "seen", "2")
	must(t, b, "(integer) 1", "HDEL", "h", "seen")
	must(t, b, "(integer) 1", "HDEL", "gone", "old")
	must(t, a, "(integer) 1", "HSET", "gone", "new", "1")
	// n3 empties e (its header is tombstoned) while n1 adds to it.
	must(t, b, "(integer) 1", "HDEL", "e", "f")
	must(t, b, "(integer) 0", "EXISTS", "e")
	must(t, a, "(integer) 1", "HSET", "e", "g", "2")

	healStores(t, net, nodes)
	everyNode(t, nodes, `1# "c" => "10"
2# "d" => "11"
3# "fa" => "A"
4# "fb" => "B"
5# "keep" => "1"
6# "seen" => "2"
7# "x" => "from-n3"
8# "y" => "from-n1"`, "HGETALL", "h")
	everyNode(t, nodes, "(integer) 8", "HLEN", "h")
	everyNode(t, nodes, "(integer) 11", "HINCRBY", "h", "d", "0")
	everyNode(t, nodes, `1# "new" => "1"
2# "other" => "1"`, "HGETALL", "gone")
	everyNode(t, nodes, `1# "g" => "2"`, "HGETALL", "e")
	everyNode(t, nodes, "hash", "TYPE", "e")
}
