package server

import "testing"

// Lists converge as a sequence (DESIGN.md, "Data types that converge"):
// pushes on both sides of a partition are all kept, in one order every
// node agrees on (each side's own order preserved); an element popped on
// either side stays removed.
func TestListMergePushesAndPops(t *testing.T) {
	net, nodes := splitCluster(t)
	a, b := nodes["n1"], nodes["n3"]
	must(t, a, "(integer) 3", "RPUSH", "l", "1", "2", "3")
	must(t, a, "(integer) 4", "RPUSH", "q", "x", "y", "z", "w")
	healStores(t, net, nodes)
	net.Partition([]string{"n1", "n2"}, []string{"n3", "n4"})

	// RPUSH and LPUSH on both sides: everything kept.
	must(t, a, "(integer) 5", "RPUSH", "l", "a1", "a2")
	must(t, b, "(integer) 5", "RPUSH", "l", "b1", "b2")
	must(t, a, "(integer) 6", "LPUSH", "l", "a0")
	must(t, b, "(integer) 6", "LPUSH", "l", "b0")
	// LPOP on both sides: a pops x, b pops x too (at least once) and
	// then y; RPOP on a pops w.
	must(t, a, `"x"`, "LPOP", "q")
	must(t, b, `"x"`, "LPOP", "q")
	must(t, b, `"y"`, "LPOP", "q")
	must(t, a, `"w"`, "RPOP", "q")
	healStores(t, net, nodes)

	first := nodes["n1"].do("LRANGE", "l", "0", "-1")
	everyNode(t, nodes, first, "LRANGE", "l", "0", "-1")
	everyNode(t, nodes, "(integer) 9", "LLEN", "l")
	// The common part keeps its order, each side's pushes keep theirs.
	order := map[string]int{}
	r := nodes["n2"].route.exec(t.Context(), nodes["n2"].sess, [][]byte{[]byte("LRANGE"), []byte("l"), []byte("0"), []byte("-1")})
	for i, e := range r.Elems {
		order[string(e.Bytes)] = i
	}
	for _, seq := range [][]string{{"a0", "1", "2", "3", "a1", "a2"}, {"b0", "1", "2", "3", "b1", "b2"}} {
		for i := 1; i < len(seq); i++ {
			if order[seq[i-1]] >= order[seq[i]] {
				t.Fatalf("%s before %s in %s", seq[i], seq[i-1], first)
			}
		}
	}
	// Popped on either side: gone everywhere.
	everyNode(t, nodes, "1) \"z\"", "LRANGE", "q", "0", "-1")
}

// An LSET concurrent with a pop of the same element does not bring the
// element back: list elements are removed for good once popped or
// removed on either side (remove wins, unlike set members), so the
// popped value is never seen twice. LSET of an element nobody removed
// keeps its value; LREM on one side and LSET on the other remove it too.
func TestListMergeLsetConcurrentWithPop(t *testing.T) {
	net, nodes := splitCluster(t)
	a, b := nodes["n1"], nodes["n3"]
	must(t, a, "(integer) 4", "RPUSH", "l", "1", "2", "3", "4")
	healStores(t, net, nodes)
	net.Partition([]string{"n1", "n2"}, []string{"n3", "n4"})

	must(t, a, "OK", "LSET", "l", "0", "one")        // a rewrites the head ...
	must(t, b, `"1"`, "LPOP", "l")                   // ... which b pops
	must(t, a, "OK", "LSET", "l", "1", "two")        // nobody removes 2
	must(t, a, "OK", "LSET", "l", "3", "four")       // a rewrites 4 ...
	must(t, b, "(integer) 1", "LREM", "l", "0", "4") // ... which b removes
	healStores(t, net, nodes)

	everyNode(t, nodes, "1) \"two\"\n2) \"3\"", "LRANGE", "l", "0", "-1")
	everyNode(t, nodes, "(integer) 2", "LLEN", "l")
}
