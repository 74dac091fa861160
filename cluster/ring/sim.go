package ring

import (
	"errors"
	"fmt"
	"slices"
)

// Op is a membership change in a simulation.
type Op uint8

// Membership changes.
const (
	Join   Op = iota + 1 // a node joins
	Remove               // a member leaves
)

func (o Op) String() string {
	switch o {
	case Join:
		return "join"
	case Remove:
		return "remove"
	}
	return "start"
}

// Step is one membership change: Op applied to Node.
type Step struct {
	Op   Op
	Node string
}

func (s Step) String() string {
	if s.Op == 0 {
		return "start"
	}
	return s.Op.String() + " " + s.Node
}

// ErrBadStep is returned by Simulate for a join of a member, a removal of a
// non-member or of the last member, or an unknown Op.
var ErrBadStep = errors.New("ring: bad simulation step")

// Simulate builds the ring of q partitions over members, then the ring after
// each step in turn, and reports how placement over the first n positions of
// every preference list (the replicas, Dynamo §4.3) is balanced and how much
// of it each step moves (§6.2, strategy 3: a join should take ~1/(S+1) of
// every node's data, a removal hand out its ~1/S). Report 0 is the initial
// ring (no movement); report i is after steps[i-1].
//
// The first n positions of New(q, members).Preference are computed alone:
// each balanced rank depends only on the ranks before it, so the lists are
// the ring's own (sim_test.go checks them against New) at a fraction of the
// cost. n must be in [1, 8].
func Simulate(q, n int, members []string, steps []Step) ([]StepReport, error) {
	if n < 1 || n > tableDepth {
		return nil, fmt.Errorf("ring: simulate: n=%d outside [1, %d]", n, tableDepth)
	}
	cur, err := newPlacement(q, n, members)
	if err != nil {
		return nil, err
	}
	out := []StepReport{cur.report(Step{})}
	for _, st := range steps {
		if !valid(cur.members, st) {
			return out, fmt.Errorf("%w: %v on %d members", ErrBadStep, st, len(cur.members))
		}
		next, err := newPlacement(q, n, apply(cur.members, st))
		if err != nil {
			return out, err
		}
		r := next.report(st)
		r.move(cur, next, st)
		out, cur = append(out, r), next
	}
	return out, nil
}

func valid(members []string, st Step) bool {
	_, in := slices.BinarySearch(members, st.Node)
	return (st.Op == Join && !in && st.Node != "") || (st.Op == Remove && in && len(members) > 1)
}

func apply(members []string, st Step) []string {
	if st.Op == Join {
		return append(slices.Clone(members), st.Node)
	}
	return slices.DeleteFunc(slices.Clone(members), func(m string) bool { return m == st.Node })
}

// placement is the first n balanced ranks of a ring: lists[p] is the
// preference list of partition p as indexes into members (sorted).
type placement struct {
	q, n    int // n: configured replicas; lists hold min(n, S)
	members []string
	lists   [][]int32
}

func newPlacement(q, n int, members []string) (*placement, error) {
	if _, err := NewSpace(q); err != nil {
		return nil, err
	}
	sorted, err := normalize(members)
	if err != nil {
		return nil, err
	}
	names := make([][]byte, len(sorted))
	for i, m := range sorted {
		names[i] = []byte(m)
	}
	ranks := assignRanks(q, names, min(n, len(sorted)))
	pl := &placement{q: q, n: n, members: sorted, lists: make([][]int32, q)}
	for p := range pl.lists {
		pl.lists[p] = make([]int32, len(ranks))
		for k, rank := range ranks {
			pl.lists[p][k] = rank[p]
		}
	}
	return pl, nil
}

// load returns, per member, how many partitions it holds at ranks [0, k).
func (pl *placement) load(k int) []int {
	l := make([]int, len(pl.members))
	for _, list := range pl.lists {
		for _, i := range list[:k] {
			l[i]++
		}
	}
	return l
}

// holders returns the member names of partition p's list.
func (pl *placement) holders(p int) []string {
	out := make([]string, len(pl.lists[p]))
	for k, i := range pl.lists[p] {
		out[k] = pl.members[i]
	}
	return out
}

// held returns how many copies node holds (0 if not a member).
func (pl *placement) held(node string) int {
	i, ok := slices.BinarySearch(pl.members, node)
	if !ok {
		return 0
	}
	return pl.load(len(pl.lists[0]))[i]
}
