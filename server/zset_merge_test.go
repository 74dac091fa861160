package server

import (
	"testing"
	"time"
)

// Sorted sets converge member by member (DESIGN.md, "Data types that
// converge"): a member's score is a float counter whose base ZADD sets
// (last writer wins) and to which ZINCRBY adds per actor. The two sides
// of a partition each run zset commands at their own coordinator (n1 for
// {n1, n2}, n3 for {n3, n4}; splitCluster, R=W=1); after the heal every
// node answers the same: ZINCRBYs on both sides add up, a ZADD
// concurrent with a ZREM of the member keeps it, two ZADDs of one member
// leave one score (the later write's), a ZINCRBY concurrent with a ZADD
// is added on top of the ZADD's score.
func TestZSetMerge(t *testing.T) {
	net, nodes := splitCluster(t)
	a, b := nodes["n1"], nodes["n3"]
	must(t, a, "(integer) 5", "ZADD", "z", "1", "base", "5", "inc", "1", "rem", "1", "lww", "1", "set")
	must(t, a, "(integer) 2", "ZADD", "gone", "1", "old", "2", "other")
	healStores(t, net, nodes)
	net.Partition([]string{"n1", "n2"}, []string{"n3", "n4"})

	// ZINCRBY on both sides, of an old member and of a new one: they add up.
	must(t, a, `"7"`, "ZINCRBY", "z", "2", "inc")
	must(t, b, `"8"`, "ZINCRBY", "z", "3", "inc")
	must(t, a, `"1.5"`, "ZINCRBY", "z", "1.5", "fresh")
	must(t, b, `"2.5"`, "ZINCRBY", "z", "2.5", "fresh")
	// ZREM || ZADD of one member: the add wins.
	must(t, b, "(integer) 1", "ZREM", "z", "rem")
	must(t, a, "(integer) 0", "ZADD", "z", "7", "rem")
	// ZADD || ZADD of one member: one score, the later write's.
	must(t, a, "(integer) 0", "ZADD", "z", "10", "lww")
	time.Sleep(3 * time.Millisecond)
	must(t, b, "(integer) 0", "ZADD", "z", "20", "lww")
	// ZADD || ZINCRBY: the ZADD's score plus the increment it did not see.
	must(t, a, "(integer) 0", "ZADD", "z", "100", "set")
	must(t, b, `"3"`, "ZINCRBY", "z", "2", "set")
	// A ZREM that empties a set does not remove what the other side added.
	must(t, b, "(integer) 2", "ZREM", "gone", "old", "other")
	must(t, b, "(integer) 0", "EXISTS", "gone")
	must(t, a, "(integer) 1", "ZADD", "gone", "3", "new")

	healStores(t, net, nodes)
	everyNode(t, nodes, ` 1) "base"
 2) "1"
 3) "fresh"
 4) "4"
 5) "rem"
 6) "7"
 7) "inc"
 8) "10"
 9) "lww"
10) "20"
11) "set"
12) "102"`, "ZRANGE", "z", "0", "-1", "WITHSCORES")
	everyNode(t, nodes, "(integer) 6", "ZCARD", "z")
	everyNode(t, nodes, `"20"`, "ZSCORE", "z", "lww")
	everyNode(t, nodes, `1) "new"
2) "3"`, "ZRANGE", "gone", "0", "-1", "WITHSCORES")
	everyNode(t, nodes, "zset", "TYPE", "gone")
}
