package command

import (
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// newRecFixture is a fixture whose deletes keep their removal records
// (memKV stores what replica.Change.Sibling makes, records included).
func newRecFixture(t *testing.T) *fixture { return newFixture(t) }

func newRecSides(t *testing.T) *twoSides {
	a, b := newRecFixture(t), newRecFixture(t)
	a.kv.node, b.kv.node = "na", "nb"
	b.kv.now = a.kv.now + 3
	return &twoSides{a, b}
}

// healOrdered merges the sides' copies, a's into b's first (aFirst) or
// b's into a's, and checks both replicas end up with the same set.
func (p *twoSides) healOrdered(t *testing.T, aFirst bool) {
	t.Helper()
	for k := range p.a.kv.m {
		if _, ok := p.b.kv.m[k]; !ok {
			p.b.kv.m[k] = nil
		}
	}
	for k := range p.b.kv.m {
		x, y := p.a.kv.m[k], p.b.kv.m[k]
		m := x.Merge(y)
		if !aFirst {
			m = y.Merge(x)
		}
		if !x.Merge(y).Equal(y.Merge(x)) {
			t.Fatalf("%s: merge not commutative", k)
		}
		p.a.kv.m[k], p.b.kv.m[k] = m, m
	}
}

// incrs runs n INCRs of key on f, a millisecond apart.
func incrs(f *fixture, key string, n int) {
	for range n {
		f.line("INCR " + key)
		f.kv.advance(1)
	}
}

// Issue 8: 20 INCRs before a split; DEL on one side, 5 INCRs on the
// other; healed, the counter is the 5 the DEL did not see (it was 25),
// in both orders of merge, and INCR counts on from there.
func TestCounterDelConcurrentWithIncr(t *testing.T) {
	for _, aFirst := range []bool{true, false} {
		for _, setup := range []string{"", "SET k 100"} { // a counter's base 0, or a SET's
			p := newRecSides(t)
			if setup != "" {
				p.a.line(setup)
			}
			incrs(p.a, "k", 20)
			p.heal()
			p.a.line("DEL k")
			incrs(p.b, "k", 5)
			p.healOrdered(t, aFirst)
			p.both(t, "GET k", `"5"`)
			p.both(t, "EXISTS k", "(integer) 1")
			p.a.line("INCR k")
			p.heal()
			p.both(t, "GET k", `"6"`)
		}
	}
}

// A DEL of a plain integer concurrent with INCRs of it: the DEL removed
// the base it saw, so only the INCRs count (it was 7 + 2).
func TestCounterDelPlainIntConcurrentWithIncr(t *testing.T) {
	for _, aFirst := range []bool{true, false} {
		p := newRecSides(t)
		p.a.line("SET k 7")
		p.heal()
		p.a.line("DEL k")
		incrs(p.b, "k", 2)
		p.healOrdered(t, aFirst)
		p.both(t, "GET k", `"2"`)
	}
	// A DEL of a non-integer string writes a plain tombstone, as before.
	f := newRecFixture(t)
	f.line("SET s hello")
	f.line("DEL s")
	if s := f.kv.m["s"]; len(s) != 1 || !s[0].Tombstone || s[0].Kind != version.KindString || s[0].Value != nil {
		t.Fatalf("DEL of a string wrote %+v", s)
	}
}

// DEL, then INCRs on the same side, concurrent with INCRs on the other:
// the INCRs after the DEL count from 0 (not from the deleted 20), and the
// healed counter is both sides' new increments.
func TestCounterIncrAfterDelConcurrentWithIncr(t *testing.T) {
	for _, aFirst := range []bool{true, false} {
		p := newRecSides(t)
		incrs(p.a, "k", 20)
		p.heal()
		p.a.script(`
			> DEL k
			(integer) 1
			> INCR k
			(integer) 1
			> INCR k
			(integer) 2`)
		incrs(p.b, "k", 5)
		p.healOrdered(t, aFirst)
		p.both(t, "GET k", `"7"`)
	}
}

// A DEL alone, or two concurrent DELs, leave no key: EXISTS 0, DBSIZE 0,
// TYPE none; the INCR after them counts from 0 on both sides.
func TestCounterConcurrentDels(t *testing.T) {
	p := newRecSides(t)
	incrs(p.a, "k", 20)
	p.heal()
	p.a.line("DEL k")
	p.b.line("UNLINK k")
	p.heal()
	p.both(t, "EXISTS k", "(integer) 0")
	p.both(t, "DBSIZE", "(integer) 0")
	p.both(t, "TYPE k", "none")
	p.both(t, "GET k", "(nil)")
	p.b.line("INCR k")
	p.heal()
	p.both(t, "GET k", `"1"`)
	// GETDEL removes what it saw too.
	p.a.line("INCRBY k 10")
	p.heal()
	p.a.line("GETDEL k")
	p.b.line("INCRBY k 2")
	p.heal()
	p.both(t, "GET k", `"2"`)
}

// A SET concurrent with a DEL survives with its value plus the increments
// that neither it nor the DEL saw; increments the DEL saw stay removed.
func TestCounterDelConcurrentWithSet(t *testing.T) {
	for _, aFirst := range []bool{true, false} {
		p := newRecSides(t)
		incrs(p.a, "k", 20)
		p.heal()
		incrs(p.a, "k", 4) // seen by the DEL, not by the SET
		p.a.line("DEL k")
		p.b.line("SET k 100")
		p.b.line("INCR k")
		p.healOrdered(t, aFirst)
		p.both(t, "GET k", `"101"`)
	}
}

// An expired counter, then INCR on that side, concurrent with a side that
// extended the TTL and counted on: the INCR counts from 0 without losing
// its increment to the expired totals (it was 25), and the other side's
// increments add up.
func TestCounterIncrAfterExpiryConcurrentWithIncr(t *testing.T) {
	p := newRecSides(t)
	incrs(p.a, "k", 20)
	p.a.line("EXPIRE k 10")
	p.heal()
	p.b.line("EXPIRE k 1000")
	incrs(p.b, "k", 5)
	p.a.kv.advance(11_000)
	p.a.script(`
		> GET k
		(nil)
		> INCR k
		(integer) 1`)
	p.heal()
	p.both(t, "GET k", `"6"`)
}

// A STORE command whose result is empty deletes its destination as DEL
// does, so a counter there keeps only the increments the deletion did
// not see (SINTERSTORE and ZUNIONSTORE of nothing; it was 25).
func TestCounterStoreDeleteConcurrentWithIncr(t *testing.T) {
	for _, store := range []string{"SINTERSTORE k none", "ZUNIONSTORE k 1 none"} {
		p := newRecSides(t)
		incrs(p.a, "k", 20)
		p.heal()
		p.a.line(store)
		incrs(p.b, "k", 5)
		p.healOrdered(t, true)
		p.both(t, "GET k", `"5"`)
	}
}
