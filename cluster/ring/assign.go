package ring

import "github.com/spaolacci/murmur3"

// Balance bounds: every node owns between ceil(85%) and floor(115%) of the
// mean Q/S partitions (widened to floor/ceil of the mean when Q/S is tiny).
const (
	skewLoPct = 85
	skewHiPct = 115
)

// score is the rendezvous weight of node name for partition p: the top 32
// bits of murmur3 of the name seeded with p (sums along repair paths cannot
// overflow an int64).
func score(p int, name []byte) int64 {
	return int64(murmur3.Sum64WithSeed(name, uint32(p)) >> 32)
}

// scoreTable holds score(p, names[i]) at [p*s+i], computed once per ring.
type scoreTable struct {
	s int
	v []uint32
}

func newScoreTable(q int, names [][]byte) scoreTable {
	t := scoreTable{s: len(names), v: make([]uint32, q*len(names))}
	for p := range q {
		for i, n := range names {
			t.v[p*t.s+i] = uint32(score(p, n))
		}
	}
	return t
}

func (t scoreTable) at(p, i int) int64 { return int64(t.v[p*t.s+i]) }

// bounds returns the allowed ownership range [lo, hi] for q partitions over
// s nodes. Integer arithmetic only: every platform derives the same bounds.
func bounds(q, s int) (lo, hi int) {
	lo = (skewLoPct*q + 100*s - 1) / (100 * s)
	hi = skewHiPct * q / (100 * s)
	if lo > q/s {
		lo = q / s
	}
	if ceil := (q + s - 1) / s; hi < ceil {
		hi = ceil
	}
	return lo, hi
}

// assignRanks returns depth rank arrays: ranks[k][p] is the index into names
// (sorted, distinct) of the node at position k of partition p's preference
// list; ranks[0] is the primary owner. Each rank is balanced on its own, so
// the first n positions together are balanced for every n <= depth.
func assignRanks(q int, names [][]byte, depth int) [][]int32 {
	scores := newScoreTable(q, names)
	ranks := make([][]int32, 0, depth)
	for range depth {
		ranks = append(ranks, assign(q, scores, ranks))
	}
	return ranks
}

// assign maps each of q partitions to an index into names, avoiding the
// nodes that earlier ranks already gave the partition. Every partition first
// goes to its rendezvous winner (highest score among allowed nodes), which
// alone would move only the partitions a new node wins but balances only
// statistically. A minimum-cost transport repair then moves single
// partitions along cheapest paths (cost: score lost) until every load is
// within bounds: the assignment of greatest total score within the bounds,
// which changes little when a node joins or leaves (see assign_test.go).
func assign(q int, scores scoreTable, earlier [][]int32) []int32 {
	s := scores.s
	t := &transport{q: q, s: s, scores: scores, own: make([]int32, q), load: make([]int, s), earlier: earlier}
	for p := range q {
		best, bestScore := -1, int64(-1)
		for i := range s {
			if sc := scores.at(p, i); sc > bestScore && !t.taken(p, i) {
				best, bestScore = i, sc
			}
		}
		t.own[p] = int32(best)
		t.load[best]++
	}
	lo, hi := bounds(q, s)
	if t.balanced(lo, hi) {
		return t.own
	}
	t.init()
	// Push surplus off nodes above hi, then pull into nodes below lo. Each
	// augmentation moves one unit of load; every path exists because a
	// source always owns a partition and so has an edge to every node.
	for t.augment(func(i int) bool { return t.load[i] > hi }, func(i int) bool { return t.load[i] < hi }) {
	}
	for t.augment(func(i int) bool { return t.load[i] > lo }, func(i int) bool { return t.load[i] < lo }) {
	}
	return t.own
}

// taken reports whether node b already holds an earlier rank of partition p.
func (t *transport) taken(p, b int) bool {
	for _, r := range t.earlier {
		if int(r[p]) == b {
			return true
		}
	}
	return false
}

func (t *transport) balanced(lo, hi int) bool {
	for _, l := range t.load {
		if l < lo || l > hi {
			return false
		}
	}
	return true
}
