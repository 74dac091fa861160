package crdt

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// del is a whole-key DEL by node at now on cur, as DEL writes it: nothing
// if no value is live, else a tombstone keeping cur's removal record. ev
// becomes the oracle's DEL event: its stamp is the highest base it saw.
func (h *history) del(cur version.Set, now int64, ev *event, sb *version.Sibling) bool {
	if _, ok := cur.Winner(now); !ok {
		return false
	}
	*sb = version.Sibling{Tombstone: true, Time: now}
	if rec := Removal(cur); rec != nil {
		sb.Kind, sb.Value = version.KindCounter, rec
	}
	ev.isDel, ev.carries = true, -1
	// Its stamp is the highest base the record held: those the siblings
	// carry and the stamps of the DELs among them.
	seenBy := map[int]bool{}
	for e := range ev.hist {
		for p := range h.events[e].hist {
			seenBy[p] = true
		}
	}
	first := true
	for e := range ev.hist {
		x := h.events[e]
		if seenBy[e] {
			continue
		}
		st := x.stamp
		if !x.isDel {
			st = h.events[x.carries].stamp
		}
		if first || ev.stamp.Less(st) {
			ev.stamp, first = st, false
		}
	}
	return true
}

// removed is the union of the histories of the DELs among known: the
// events some DEL known to the writer removed.
func (h *history) removed(known map[int]bool) map[int]bool {
	out := map[int]bool{}
	for d := range known {
		if h.events[d].isDel {
			for e := range h.events[d].hist {
				out[e] = true
			}
		}
	}
	return out
}

// resolveOracle resolves the events known, by events alone: the siblings
// are the known writes no other known write saw. With no live one (all
// DELs) there is no value. Otherwise the bases left are those the live
// siblings carry, except those stamped at or below the highest base a DEL
// sibling saw (a plain value's own write is left: a DEL concurrent with it
// did not see it). best is the highest base left (-1: none, count from 0);
// the value is its n plus the increments known that neither its writer
// nor any known DEL saw.
func (h *history) resolveOracle(known map[int]bool) (best int, value int64) {
	seenBy := map[int]bool{}
	for e := range known {
		for p := range h.events[e].hist {
			seenBy[p] = true
		}
	}
	live, dels := false, false
	var top Stamp
	for e := range known {
		if ev := h.events[e]; !seenBy[e] && ev.isDel && (!dels || top.Less(ev.stamp)) {
			top, dels = ev.stamp, true
		}
	}
	best = -1
	for e := range known {
		ev := h.events[e]
		if seenBy[e] || ev.isDel || (!ev.isIncr && !ev.base) {
			continue
		}
		live = true
		b := ev.carries
		if b < 0 {
			continue
		}
		bs := h.events[b].stamp
		left := !dels || top.Less(bs) || (b == e && ev.plain)
		if left && (best < 0 || h.events[best].stamp.Less(bs)) {
			best = b
		}
	}
	if !live {
		return -1, noValue
	}
	gone := h.removed(known)
	hist := map[int]bool{}
	if best >= 0 {
		value, hist = h.events[best].n, h.events[best].hist
	}
	for e := range known {
		if ev := h.events[e]; ev.isIncr && !hist[e] && !gone[e] {
			value += ev.n
		}
	}
	return best, value
}

// wantDel is resolveOracle's value for node (noValue: none).
func (h *history) wantDel(node string) int64 {
	_, v := h.resolveOracle(h.known[node])
	return v
}

const noValue = -1 << 62

func wantString(v int64) string {
	if v == noValue {
		return "(nil)"
	}
	return fmt.Sprint(v)
}

// Histories with DELs: every replica at every step resolves to the
// oracle's value (a DEL removes the bases and increments it saw; the
// increments it did not see survive, in both orders of every delivery),
// and after healing all replicas hold the same set and value.
func TestCounterDelHistoriesMatchOracle(t *testing.T) {
	for seed := int64(0); seed < 300; seed++ {
		h := newHistory(seed, "a", "b", "c", "d")
		h.dels = true
		for step := 0; step < 60; step++ {
			node := h.nodes[h.rng.Intn(len(h.nodes))]
			if h.rng.Intn(3) == 0 {
				h.deliver(h.nodes[h.rng.Intn(len(h.nodes))], node)
			} else {
				h.write(t, node)
			}
			if got, want := resolved(h.sets[node]), wantString(h.want(node)); len(h.known[node]) > 0 && got != want {
				t.Fatalf("seed %d step %d: %s resolves to %s, oracle %s", seed, step, node, got, want)
			}
		}
		for range 2 {
			for _, i := range h.rng.Perm(len(h.nodes)) {
				for _, j := range h.rng.Perm(len(h.nodes)) {
					h.deliver(h.nodes[i], h.nodes[j])
				}
			}
		}
		first := h.sets[h.nodes[0]]
		for _, n := range h.nodes {
			if !h.sets[n].Equal(first) || resolved(h.sets[n]) != wantString(h.want(n)) {
				t.Fatalf("seed %d: %s diverged: %s vs oracle %s", seed, n, resolved(h.sets[n]), wantString(h.want(n)))
			}
		}
	}
}

// With DELs, Resolve over merged sets is commutative, associative and
// idempotent, resolveSet does not depend on the order of the siblings,
// and a record survives its own encoding with the same value.
func TestCounterDelResolveMergeLaws(t *testing.T) {
	for seed := int64(0); seed < 100; seed++ {
		h := newHistory(seed, "a", "b", "c")
		h.dels = true
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
			m := a.Merge(b)
			want, _, err1 := resolveSet(m, 0)
			shuffled := slices.Clone(m)
			h.rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			got, _, err2 := resolveSet(shuffled, 0)
			if (err1 == nil) != (err2 == nil) || !slices.Equal(want.AppendBinary(nil), got.AppendBinary(nil)) {
				t.Fatalf("seed %d: order-dependent resolution", seed)
			}
			dec, err := version.DecodeSet(m.AppendBinary(nil))
			if err != nil || resolved(dec) != resolved(m) {
				t.Fatalf("seed %d: the encoded record resolves to %s, not %s (%v)", seed, resolved(dec), resolved(m), err)
			}
		}
	}
}

// An expired counter is a removal whether or not Set.Expire turned it
// into a tombstone yet: a counter concurrent with it counts only what it
// had not seen, and an INCR after the expiry counts from 0 without
// bringing the expired totals back.
func TestCounterExpiredIsRemoval(t *testing.T) {
	base := Counter{}.SetBase(0, Stamp{Time: 1, Node: "a"})
	for range 20 {
		base, _ = base.Add("a", 1)
	}
	old := version.Sibling{Dot: version.Dot{Node: "a", Counter: 1}, Kind: version.KindCounter, Value: base.AppendBinary(nil), Time: 1}
	// a: EXPIRE k (a rewrite, the same payload with a TTL); b, concurrently: INCR x5.
	exp := old
	exp.Dot, exp.Past, exp.Expiry, exp.Time = version.Dot{Node: "a", Counter: 2}, version.Context{VV: version.VV{{Node: "a", Counter: 1}}}, 100, 50
	inc := base
	for range 5 {
		inc, _ = inc.Add("b", 1)
	}
	sb := version.Sibling{Dot: version.Dot{Node: "b", Counter: 1}, Past: exp.Past, Kind: version.KindCounter, Value: inc.AppendBinary(nil), Time: 60}
	s := version.Set{exp, sb}
	if got := resolved2(s, 99); got != "25" {
		t.Fatalf("before the expiry: %s, want 25", got)
	}
	expired, _ := s.Expire(100)
	for _, rec := range []version.Set{s, expired} {
		if got := resolved2(rec, 100); got != "5" {
			t.Fatalf("after the expiry: %s, want 5 (%+v)", got, rec)
		}
		c, err := Incr(rec, 100, "a", 1)
		if v, _ := c.Int(); err != nil || v != 6 {
			t.Fatalf("INCR after the expiry = %d %v, want 6", v, err)
		}
	}
	// Alone, the expired counter leaves no value; INCR counts from 0 and
	// keeps a's total monotone (20 absorbed, then 21).
	alone, _ := version.Set{exp}.Expire(100)
	if _, ok := Resolve(alone, 100); ok {
		t.Fatal("an expired counter resolves")
	}
	c, err := Incr(alone, 100, "a", 1)
	if v, _ := c.Int(); err != nil || v != 1 || c.find("a").p != 21 {
		t.Fatalf("INCR on an expired counter = %d (a's total %d) %v, want 1 (21)", v, c.find("a").p, err)
	}
}

func resolved2(s version.Set, now int64) string {
	v, ok := Resolve(s, now)
	if !ok {
		return "(nil)"
	}
	return string(v.Bytes)
}
