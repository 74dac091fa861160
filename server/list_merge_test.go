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
