package crdt

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// history is a random run of INCR/DECR/SET on several coordinators, each
// with its own replica and (skewed) clock, with random deliveries between
// replicas. It keeps an oracle: the events each replica knows, each
// write's causal history, each base's stamp.
type history struct {
	rng    *rand.Rand
	nodes  []string
	sets   map[string]version.Set
	known  map[string]map[int]bool // node -> events it has seen
	clock  map[string]int64
	events []event
	stamps []version.Set // every state any replica had (for the laws)
	dels   bool          // write DELs too (counter_del_law_test.go)
}

type event struct {
	n      int64        // increment, or the base for a base write
	base   bool         // SET, or the first INCR of an empty replica (base 0)
	stamp  Stamp        // a base's stamp
	hist   map[int]bool // events the writer had seen
	isIncr bool
	isDel  bool // a whole-key delete; stamp: the highest base it saw
	plain  bool // a base written as a plain value
	// carries is the base event the write's sibling holds (DELs: -1): a
	// base itself; an INCR, the base it resolved to (counter_del_law_test.go).
	carries int
}

func newHistory(seed int64, nodes ...string) *history {
	h := &history{rng: rand.New(rand.NewSource(seed)), nodes: nodes,
		sets: map[string]version.Set{}, known: map[string]map[int]bool{}, clock: map[string]int64{}}
	for i, n := range nodes {
		h.known[n] = map[int]bool{}
		h.clock[n] = 1000 + int64(i)*7 // skewed clocks
	}
	return h
}

func (h *history) tick(node string) int64 {
	h.clock[node] += int64(h.rng.Intn(3)) // 0: two writes in one ms
	return h.clock[node]
}

func (h *history) write(t *testing.T, node string) {
	cur := h.sets[node]
	now := h.tick(node)
	ev := event{hist: clone(h.known[node])}
	var sb version.Sibling
	if h.dels && h.rng.Intn(6) == 0 {
		if !h.del(cur, now, &ev, &sb) {
			return
		}
	} else if h.rng.Intn(5) == 0 {
		v := int64(h.rng.Intn(200) - 100)
		ev.base, ev.n = true, v
		k, b := Assign(cur, now, node, fmt.Appendf(nil, "%d", v))
		sb = version.Sibling{Kind: k, Value: b, Time: now}
		if k == version.KindCounter {
			c, _ := DecodeCounter(b)
			ev.stamp = c.Stamp()
		}
	} else {
		n := int64(h.rng.Intn(11) - 5)
		c, err := Incr(cur, now, node, n)
		if err != nil {
			t.Fatal(err)
		}
		ev.isIncr, ev.n = true, n
		ev.carries = -1
		if h.dels {
			ev.carries, _ = h.resolveOracle(h.known[node])
		}
		sb = version.Sibling{Kind: version.KindCounter, Value: c.AppendBinary(nil), Time: now}
		if m, ok := maxBase(cur); !ok || m.Less(c.Stamp()) { // counted from 0: a base 0 and an increment
			// It absorbs what the removals it knew removed (all it knew,
			// without DELs: it counted from an empty record).
			fresh := event{base: true, stamp: c.Stamp(), hist: h.removed(ev.hist)}
			if ev.carries >= 0 { // a base left below a DEL's stamp, restamped
				b := h.events[ev.carries]
				fresh.n, fresh.hist = b.n, b.hist
			}
			h.events = append(h.events, fresh)
			h.known[node][len(h.events)-1] = true
			ev.hist[len(h.events)-1] = true
			ev.carries = len(h.events) - 1
		}
	}
	if ev.base {
		ev.carries = len(h.events) // itself
	}
	ns, dot := cur.Put(node, cur.Context(), sb, 0)
	if ev.base && sb.Kind == version.KindString {
		ev.stamp, ev.plain = Stamp{now, dot.Node, dot.Counter}, true
	}
	h.events = append(h.events, ev)
	h.known[node][len(h.events)-1] = true
	h.sets[node] = ns
	h.stamps = append(h.stamps, ns)
}

// deliver merges from's replica into to's, as replication or repair does.
func (h *history) deliver(from, to string) {
	h.sets[to] = h.sets[to].Merge(h.sets[from])
	for e := range h.known[from] {
		h.known[to][e] = true
	}
	h.stamps = append(h.stamps, h.sets[to])
}

// want is the oracle's value on node: the base with the highest stamp
// among the known ones, plus every known increment its writer had not seen.
func (h *history) want(node string) int64 {
	if h.dels {
		return h.wantDel(node)
	}
	best := -1
	for e := range h.known[node] {
		if ev := h.events[e]; ev.base && (best < 0 || h.events[best].stamp.Less(ev.stamp)) {
			best = e
		}
	}
	if best < 0 {
		return 0
	}
	v := h.events[best].n
	for e := range h.known[node] {
		if ev := h.events[e]; ev.isIncr && !h.events[best].hist[e] {
			v += ev.n
		}
	}
	return v
}

func clone(m map[int]bool) map[int]bool {
	out := make(map[int]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func resolved(s version.Set) string {
	v, ok := Resolve(s, 0)
	if !ok {
		return "(nil)"
	}
	return string(v.Bytes)
}

// The counter's value on every replica, at every step, is the oracle's:
// the winning base plus the increments its writer had not seen. After
// every replica syncs with every other, all hold the same set and value.
func TestCounterHistoriesMatchOracle(t *testing.T) {
	for seed := int64(0); seed < 300; seed++ {
		h := newHistory(seed, "a", "b", "c", "d")
		for step := 0; step < 60; step++ {
			node := h.nodes[h.rng.Intn(len(h.nodes))]
			if h.rng.Intn(3) == 0 {
				h.deliver(h.nodes[h.rng.Intn(len(h.nodes))], node)
			} else {
				h.write(t, node)
			}
			if got, want := resolved(h.sets[node]), fmt.Sprint(h.want(node)); len(h.known[node]) > 0 && got != want {
				t.Fatalf("seed %d step %d: %s resolves to %s, oracle %s", seed, step, node, got, want)
			}
		}
		// Heal: every replica syncs with every other, in a random order.
		for range 2 {
			for _, i := range h.rng.Perm(len(h.nodes)) {
				for _, j := range h.rng.Perm(len(h.nodes)) {
					h.deliver(h.nodes[i], h.nodes[j])
				}
			}
		}
		first := h.sets[h.nodes[0]]
		for _, n := range h.nodes {
			if !h.sets[n].Equal(first) || resolved(h.sets[n]) != fmt.Sprint(h.want(n)) {
				t.Fatalf("seed %d: %s diverged: %s vs oracle %d", seed, n, resolved(h.sets[n]), h.want(n))
			}
		}
	}
}

// Resolve over merged sets is commutative, associative and idempotent,
// and ResolveCounter does not depend on the order of the siblings.
func TestCounterResolveMergeLaws(t *testing.T) {
	for seed := int64(0); seed < 100; seed++ {
		h := newHistory(seed, "a", "b", "c")
		for step := 0; step < 40; step++ {
			node := h.nodes[h.rng.Intn(len(h.nodes))]
			if h.rng.Intn(3) == 0 {
				h.deliver(h.nodes[h.rng.Intn(len(h.nodes))], node)
			} else {
				h.write(t, node)
			}
		}
		pickSet := func() version.Set { return h.stamps[h.rng.Intn(len(h.stamps))] }
		for range 50 {
			a, b, c := pickSet(), pickSet(), pickSet()
			if x, y := resolved(a.Merge(b)), resolved(b.Merge(a)); x != y {
				t.Fatalf("seed %d: not commutative: %s vs %s", seed, x, y)
			}
			if x, y := resolved(a.Merge(b).Merge(c)), resolved(a.Merge(b.Merge(c))); x != y {
				t.Fatalf("seed %d: not associative: %s vs %s", seed, x, y)
			}
			if x, y := resolved(a.Merge(a)), resolved(a); x != y {
				t.Fatalf("seed %d: not idempotent: %s vs %s", seed, x, y)
			}
			live := a.Merge(b).Live(0)
			want, err1 := ResolveCounter(live, false)
			h.rng.Shuffle(len(live), func(i, j int) { live[i], live[j] = live[j], live[i] })
			got, err2 := ResolveCounter(live, false)
			if (err1 == nil) != (err2 == nil) || !slices.Equal(want.AppendBinary(nil), got.AppendBinary(nil)) {
				t.Fatalf("seed %d: order-dependent resolution", seed)
			}
		}
	}
}
