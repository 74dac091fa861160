package command

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// fillSet adds n members shaped as redis-benchmark's (element:<random
// 12-digit number>) to key, and returns them.
func fillSet(f *fixture, key string, n int, r *rand.Rand) map[string]bool {
	ms := map[string]bool{}
	for len(ms) < n {
		args := []string{"SADD", key}
		for range 100 {
			m := fmt.Sprintf("element:%012d", r.IntN(1_000_000_000))
			if !ms[m] && len(ms)+len(args)-2 < n {
				ms[m] = true
				args = append(args, m)
			}
		}
		f.do(args...)
	}
	return ms
}

// TestSpopWalksLittle: SPOP and SRANDMEMBER on a large set visit a bounded
// number of element records per call, however many earlier pops left
// tombstones, and pop members from all over the set.
func TestSpopWalksLittle(t *testing.T) {
	f, kv, _ := newWalkFixture(t)
	r := rand.New(rand.NewPCG(1, 2))
	const n = 3000
	ms := fillSet(f, "s", n, r)
	perPop := func(pops int) float64 {
		kv.visited.Store(0)
		for range pops {
			rep := f.do("SPOP", "s")
			if rep.Kind != resp.KindBulk || !ms[string(rep.Bytes)] {
				t.Fatalf("SPOP = %s", rep)
			}
			delete(ms, string(rep.Bytes))
		}
		return float64(kv.visited.Load()) / float64(pops)
	}
	early := perPop(200)
	perPop(2000) // 2,200 tombstones now, 800 members left
	late := perPop(200)
	// Pops leave runs of tombstones that later seeks land in: over 100
	// runs late averaged 50 to 326 records (median 140; a CI run saw 347),
	// as the seek points fall; a walk from the first member would visit
	// about 1,500.
	if early > 30 || late > 600 {
		t.Errorf("records visited per SPOP: %.1f with few tombstones, %.1f with 2,200 (want bounded)", early, late)
	}
	kv.visited.Store(0)
	for range 200 {
		if rep := f.do("SRANDMEMBER", "s"); !ms[string(rep.Bytes)] {
			t.Fatalf("SRANDMEMBER = %s", rep)
		}
	}
	// The seeks land at random: a CI run averaged 330 records (and 2,117 for
	// SPOP s 5) where most runs stay under 300; a walk from the first member
	// would visit thousands.
	if v := float64(kv.visited.Load()) / 200; v > 600 {
		t.Errorf("records visited per SRANDMEMBER: %.1f", v)
	}
	// Small counts pop by single picks: distinct members, removed.
	kv.visited.Store(0)
	rep := f.do("SPOP", "s", "5")
	if len(rep.Elems) != 5 {
		t.Fatalf("SPOP s 5 = %s", rep)
	}
	for _, e := range rep.Elems {
		if !ms[string(e.Bytes)] {
			t.Fatalf("SPOP s 5 = %s: %q twice or never added", rep, e.Bytes)
		}
		delete(ms, string(e.Bytes))
	}
	if v := kv.visited.Load(); v > 5*600 {
		t.Errorf("SPOP s 5 visited %d records", v)
	}
	if rep := f.do("SCARD", "s"); rep.Int != int64(len(ms)) {
		t.Fatalf("SCARD = %s, want %d", rep, len(ms))
	}
	// Popping the rest empties and deletes the set, by single picks and counts.
	for len(ms) > 0 {
		var rep resp.Reply
		if len(ms)%2 == 0 {
			rep = f.do("SPOP", "s", "3")
		} else {
			rep = f.do("SPOP", "s")
			rep = resp.Array(rep)
		}
		for _, e := range rep.Elems {
			if !ms[string(e.Bytes)] {
				t.Fatalf("popped %q twice or never added", e.Bytes)
			}
			delete(ms, string(e.Bytes))
		}
	}
	f.script(`
> EXISTS s
(integer) 0
> SPOP s
(nil)`)
}

// TestSpopStartsAtTheEndsItFound: once a pick has found the set's first
// and last live members, the next pick's walks from the ends start there,
// not across the tombstones of earlier removals (990 of them at the head,
// or at the tail); and a pop that saw other members left does not walk
// the set again to learn whether it emptied it.
func TestSpopStartsAtTheEndsItFound(t *testing.T) {
	for _, removed := range []string{"head", "tail"} {
		t.Run(removed, func(t *testing.T) {
			f, kv, other := newWalkFixture(t)
			add, rem := []string{"SADD", "s"}, []string{"SREM", "s"}
			for i := range 1000 {
				m := fmt.Sprintf("m%04d", i)
				add = append(add, m)
				if (removed == "head" && i < 990) || (removed == "tail" && i >= 10) {
					rem = append(rem, m)
				}
			}
			f.do(add...)
			f.do(rem...)
			f.do("SPOP", "s") // walks across them once
			kv.visited.Store(0)
			if rep := f.do("SPOP", "s"); rep.Kind != resp.KindBulk {
				t.Fatalf("SPOP = %s", rep)
			}
			if v := kv.visited.Load(); v > 100 {
				t.Errorf("SPOP visited %d records with 990 tombstones at the %s, want the 8 live members and a few more", v, removed)
			}
			if rep := f.do("SCARD", "s"); rep.Int != 8 {
				t.Fatalf("SCARD = %s, want 8", rep)
			}
			// Members added beyond the ends found, by another node: the
			// pops find them (the ends hold only at the header they were
			// found at, and an add writes the header).
			other.do("SADD", "s", "a", "z")
			popped := map[string]bool{}
			for range 10 {
				popped[string(f.do("SPOP", "s").Bytes)] = true
			}
			if !popped["a"] || !popped["z"] || len(popped) != 10 {
				t.Errorf("popping all 10 members popped %v", slices.Sorted(maps.Keys(popped)))
			}
		})
	}
}

// TestSpopLooksFromTheStartBeforeCallingTheSetEmpty: a member that came
// in below the ends a pick found without a header write (in a cluster,
// an element repaired before its header) is still popped, not a nil
// reply for a set that has a member.
func TestSpopLooksFromTheStartBeforeCallingTheSetEmpty(t *testing.T) {
	f, kv, _ := newWalkFixture(t)
	f.do("SADD", "s", "m1", "m2", "m3")
	f.do("SPOP", "s") // finds the ends
	kv.mu.Lock()
	h, ok := kv.m[string(ring.InternalKey([]byte("s")))].Winner(kv.now)
	kv.mu.Unlock()
	if !ok {
		t.Fatal("no header")
	}
	ek := string(ring.ElementKey(ring.ElemSet, []byte("s"), []byte("a")))
	kv.mu.Lock()
	sb := version.Sibling{Kind: version.KindString, Time: kv.now, Value: crdt.EncodeElement(h.Dot, nil)}
	kv.m[ek], _ = kv.m[ek].Put("elsewhere", version.Context{}, sb, 0)
	kv.mu.Unlock()
	f.do("SREM", "s", "m1", "m2", "m3")
	if rep := f.do("SPOP", "s"); string(rep.Bytes) != "a" {
		t.Fatalf("SPOP = %s, want \"a\"", rep)
	}
}

// TestSrandmemberSpread: single picks on a set larger than pickWindow
// reach every member, none far more often than uniform (the package
// comment bounds how far from uniform they are).
func TestSrandmemberSpread(t *testing.T) {
	f := newFixture(t)
	r := rand.New(rand.NewPCG(3, 4))
	const n, draws = 200, 40000
	ms := fillSet(f, "s", n, r)
	seen := map[string]int{}
	for range draws {
		rep := f.do("SRANDMEMBER", "s")
		if !ms[string(rep.Bytes)] {
			t.Fatalf("SRANDMEMBER = %s", rep)
		}
		seen[string(rep.Bytes)]++
	}
	lo, hi := draws, 0
	for m := range ms {
		lo, hi = min(lo, seen[m]), max(hi, seen[m])
	}
	// Not uniform (set_pop.go says how far): bounds wide enough for the
	// draws' own randomness (a CI run saw 38..554 around 200), narrow
	// enough to catch a member never or mostly drawn.
	if want := draws / n; lo < want/10 || hi > want*4 {
		t.Errorf("SRANDMEMBER drew members %d to %d times, uniform is %d", lo, hi, want)
	}
}

// TestSeekIn: seek points keep the first and last members' common
// prefix, then draw from the members' alphabet, the first byte between
// theirs, reaching every allowed byte.
func TestSeekIn(t *testing.T) {
	samples := [][]byte{[]byte("id:0312"), []byte("id:0457"), []byte("id:0666"), []byte("id:0810")}
	lo, hi := samples[0], []byte("id:0999")
	firsts := map[byte]bool{}
	for range 2000 {
		s := seekIn(append(samples, hi), lo, hi)
		if len(s) != len("id:0")+seekLen || !bytes.HasPrefix(s, []byte("id:0")) {
			t.Fatalf("seekIn = %q", s)
		}
		for _, b := range s[4:] {
			if b < '0' || b > '9' {
				t.Fatalf("seekIn = %q: outside the members' alphabet", s)
			}
		}
		firsts[s[4]] = true
	}
	if len(firsts) != 7 || firsts['2'] || !firsts['3'] || !firsts['9'] {
		t.Errorf("first bytes drawn: %v", firsts)
	}
	if s := seekIn([][]byte{[]byte("a"), []byte("ab")}, []byte("a"), []byte("ab")); !bytes.HasPrefix(s, []byte("ab")) {
		t.Errorf("seekIn(a, ab) = %q", s)
	}
}

// TestSpopToEmptyJumpsTheDeadStretches: popping a set down to its last
// members visits a bounded number of records per pop: the picks jump the
// stretches of tombstones that earlier picks crossed instead of walking
// them again (set_gaps.go). Walking them, the last 300 pops of 3,000
// visited about 200 records each.
func TestSpopToEmptyJumpsTheDeadStretches(t *testing.T) {
	f, kv, _ := newWalkFixture(t)
	r := rand.New(rand.NewPCG(5, 6))
	const n, tail = 3000, 300
	ms := fillSet(f, "s", n, r)
	for len(ms) > tail {
		rep := f.do("SPOP", "s")
		if !ms[string(rep.Bytes)] {
			t.Fatalf("SPOP = %s: popped twice or never added", rep)
		}
		delete(ms, string(rep.Bytes))
	}
	kv.visited.Store(0)
	for len(ms) > 0 {
		rep := f.do("SPOP", "s")
		if !ms[string(rep.Bytes)] {
			t.Fatalf("SPOP = %s: popped twice or never added", rep)
		}
		delete(ms, string(rep.Bytes))
	}
	if v := float64(kv.visited.Load()) / tail; v > 30 {
		t.Errorf("the last %d pops visited %.1f records each, want at most 30", tail, v)
	}
	if rep := f.do("SPOP", "s"); rep.Kind != resp.KindNull {
		t.Fatalf("SPOP on the emptied set = %s", rep)
	}
}

// TestSpopCountToEmptyStartsPastThePops: SPOP key count starts its look
// at the set from the first live member the picks found, not from the
// set's start, so popping a set to empty does not cross every earlier
// pop's tombstone on every call (before: 1,186 records per call over the
// last tenth; after: 112).
func TestSpopCountToEmptyStartsPastThePops(t *testing.T) {
	f, kv, _ := newWalkFixture(t)
	r := rand.New(rand.NewPCG(7, 8))
	const n, tail, count = 3000, 300, 10
	ms := fillSet(f, "s", n, r)
	pop := func() {
		rep := f.do("SPOP", "s", strconv.Itoa(count))
		if len(rep.Elems) == 0 {
			t.Fatalf("SPOP s %d with %d members left = %s", count, len(ms), rep)
		}
		for _, e := range rep.Elems {
			if !ms[string(e.Bytes)] {
				t.Fatalf("SPOP s %d: %s popped twice or never added", count, e)
			}
			delete(ms, string(e.Bytes))
		}
	}
	for len(ms) > tail {
		pop()
	}
	kv.visited.Store(0)
	calls := 0
	for len(ms) > 0 {
		pop()
		calls++
	}
	if v := float64(kv.visited.Load()) / float64(calls); v > 300 {
		t.Errorf("the last %d calls visited %.1f records each, want at most 300", calls, v)
	}
	if rep := f.do("EXISTS", "s"); rep.Int != 0 {
		t.Fatalf("EXISTS on the emptied set = %s", rep)
	}
}

// TestSpopDrawsFromAPool: on a single node SPOP draws from a pool of
// members that one refill's seek walks found, so pops start fewer walks
// (LevelDB iterators) than the three each pick starts, and still pop
// members from all over the set; a pooled member removed meanwhile (SREM)
// is never returned, and the set still empties exactly.
func TestSpopDrawsFromAPool(t *testing.T) {
	f, kv, _ := newWalkFixture(t)
	r := rand.New(rand.NewPCG(7, 8))
	const n, pops = 4000, 400
	ms := fillSet(f, "s", n, r)
	sorted := slices.Sorted(maps.Keys(ms))
	rank := map[string]int{}
	for i, m := range sorted {
		rank[m] = i
	}
	kv.walks.Store(0)
	regions := map[int]bool{}
	for range pops {
		rep := f.do("SPOP", "s")
		m := string(rep.Bytes)
		if !ms[m] {
			t.Fatalf("SPOP = %s: popped twice or never added", rep)
		}
		delete(ms, m)
		regions[rank[m]*100/n] = true
	}
	// A refill walks from the ends and from poolSeeks seek points, each
	// yielding poolWindow members: about 0.18 walks per pop (0.41 with
	// pools of four members at four points).
	if w := float64(kv.walks.Load()) / pops; w > 0.25 {
		t.Errorf("%d pops started %.2f walks each, want at most 0.25", pops, w)
	}
	// The pops come from all over the set: about seven refills of eight
	// seek points each.
	t.Logf("%d pops came from %d of 100 stretches", pops, len(regions))
	if len(regions) < 35 {
		t.Errorf("%d pops came from %d of 100 stretches of the set, want at least 35", pops, len(regions))
	}
	// Remove all but a few members behind the pool's back: the pops that
	// follow return only those left, then nil, and the key is gone.
	left := map[string]bool{}
	for m := range ms {
		if len(left) < 5 {
			left[m] = true
			continue
		}
		f.do("SREM", "s", m)
	}
	popAllLeft(t, f, left)
}

// popAllLeft pops set s until empty: each pop one of the members left,
// then nil, and the key gone.
func popAllLeft(t *testing.T, f *fixture, left map[string]bool) {
	t.Helper()
	for len(left) > 0 {
		rep := f.do("SPOP", "s")
		if !left[string(rep.Bytes)] {
			t.Fatalf("SPOP = %s, want one of the %d members left", rep, len(left))
		}
		delete(left, string(rep.Bytes))
	}
	if rep := f.do("SPOP", "s"); rep.Kind != resp.KindNull {
		t.Fatalf("SPOP on the emptied set = %s", rep)
	}
	if rep := f.do("EXISTS", "s"); rep.Int != 0 {
		t.Fatalf("EXISTS after the last pop = %s", rep)
	}
}

// TestSpopForgetsAStalePool: pooled members removed behind the pool's
// back (SREM), all but the one at the pool's front, which the pop's
// liveness check stops at. A pop that draws a removed member forgets the
// pool and walks, so SPOP still returns the live members and never nil
// while the set holds some (kept, it drew removed ones three times in a
// row about four times in five).
func TestSpopForgetsAStalePool(t *testing.T) {
	for round := range 10 {
		f, _, _ := newWalkFixture(t)
		r := rand.New(rand.NewPCG(uint64(round), 9))
		ms := fillSet(f, "s", 2000, r)
		delete(ms, string(f.do("SPOP", "s").Bytes)) // fills the pool
		c, err := f.d.openColl(f.s, []byte("s"), version.KindSet, lockNone)
		if err != nil {
			t.Fatal(err)
		}
		ends, _, ok := f.d.setEndsCache().get(c.key, c.hdr, f.d.raw.Now(), 0)
		c.close()
		if !ok || len(ends.pool) < 8 {
			t.Fatalf("round %d: pool after one pop = %d members, want a refill's", round, len(ends.pool))
		}
		for _, m := range ends.pool[1:] {
			f.do("SREM", "s", string(m))
			delete(ms, string(m))
		}
		for range 3 {
			rep := f.do("SPOP", "s")
			if !ms[string(rep.Bytes)] {
				t.Fatalf("round %d: SPOP = %s, want a member still in the set", round, rep)
			}
			delete(ms, string(rep.Bytes))
		}
	}
}

// In a cluster SPOPs draw from a pool too: a run of pops walks about once
// per refill, not three times per pop. A pooled member another
// coordinator removed unseen (here SREM through the store of a second
// dispatcher) is found gone at its removal, and the pop picks again: no
// nil while the set holds members, and the set goes when emptied.
func TestSpopsInAClusterDrawFromAPool(t *testing.T) {
	f, kv, _ := newWalkFixture(t)
	f.d = New(&Env{KV: kv, Settings: f.env.Settings, Clock: f.env.Clock, Topology: fakeTopology{}})
	f.s = f.d.NewSession(7, "127.0.0.1:5000", "127.0.0.1:6379")
	other := f.node(f.kv, 8)
	ms := fillSet(f, "s", 2000, rand.New(rand.NewPCG(3, 4)))
	kv.walks.Store(0)
	const pops = 200
	for i := range pops {
		if i%10 == 5 { // elsewhere, unseen: members this node's pool may hold
			for m := range ms {
				other.do("SREM", "s", m)
				delete(ms, m)
				break
			}
		}
		rep := f.do("SPOP", "s")
		if !ms[string(rep.Bytes)] {
			t.Fatalf("pop %d: SPOP = %s, want a member still in the set", i, rep)
		}
		delete(ms, string(rep.Bytes))
	}
	if w := kv.walks.Load(); w > pops {
		t.Errorf("%d pops walked %d times, want at most one each", pops, w)
	}
	popAllLeft(t, f, ms)
}
