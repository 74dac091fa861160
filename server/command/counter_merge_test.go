package command

import (
	"strings"
	"testing"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// twoSides is two fixtures, each its own replica and coordinator (actor),
// as the two sides of a partition; heal merges their copies of every key.
type twoSides struct{ a, b *fixture }

func newTwoSides(t *testing.T) *twoSides {
	a, b := newFixture(t), newFixture(t)
	a.kv.node, b.kv.node = "na", "nb"
	b.kv.now = a.kv.now + 3 // clocks a little apart
	return &twoSides{a, b}
}

func (p *twoSides) heal() {
	keys := map[string]bool{}
	for k := range p.a.kv.m {
		keys[k] = true
	}
	for k := range p.b.kv.m {
		keys[k] = true
	}
	for k := range keys {
		m := p.a.kv.m[k].Merge(p.b.kv.m[k])
		p.a.kv.m[k], p.b.kv.m[k] = m, m
	}
}

func (p *twoSides) both(t *testing.T, cmd, want string) {
	t.Helper()
	for _, f := range []*fixture{p.a, p.b} {
		if got := f.line(cmd).String(); got != want {
			t.Errorf("%s on %s = %s, want %s", cmd, f.kv.node, got, want)
		}
	}
}

// Issue 8: 20 INCRs on each side of a split, healed, GET answers 40 (it
// answered 20: each side wrote its own total and GET kept one).
func TestCounterConcurrentIncrsAddUp(t *testing.T) {
	p := newTwoSides(t)
	p.a.line("SET k 0")
	p.heal()
	for range 20 {
		p.a.line("INCR k")
		p.b.line("INCR k")
		p.a.kv.advance(1)
		p.b.kv.advance(1)
	}
	p.b.line("DECRBY k 5")
	p.a.line("INCRBY k 5")
	p.heal()
	p.both(t, "GET k", `"40"`)
	p.both(t, "INCR k", "(integer) 41")
	p.both(t, "STRLEN k", "(integer) 2")
	p.both(t, "TYPE k", "string")
	p.both(t, "OBJECT ENCODING k", `"int"`)
}

// A SET concurrent with INCRs keeps the SET's value plus the increments
// its writer had not seen (DESIGN.md's table).
func TestCounterSetConcurrentWithIncrs(t *testing.T) {
	p := newTwoSides(t)
	p.a.line("INCRBY k 10")
	p.heal()
	p.a.line("INCR k")
	p.a.kv.advance(5)
	p.a.line("SET k 100") // saw 11
	p.a.line("INCR k")
	p.b.line("INCRBY k 7") // not seen by the SET
	p.heal()
	p.both(t, "GET k", `"108"`)
	// A plain SET on a plain key stays plain.
	p.a.line("SET plain 5")
	if s := p.a.kv.m["plain"]; s[0].Kind != version.KindString {
		t.Fatalf("plain SET wrote kind %d", s[0].Kind)
	}
}

// EXPIRE, PERSIST and GETEX rewrite a counter whole: increments made
// concurrently still add up, and the TTL applies to the merged value.
func TestCounterExpireKeepsIncrements(t *testing.T) {
	p := newTwoSides(t)
	p.a.line("INCRBY k 3")
	p.heal()
	p.a.line("INCR k")
	p.a.line("EXPIRE k 100")
	p.b.line("INCR k")
	p.heal()
	p.both(t, "GET k", `"5"`)
	p.a.line("PERSIST k")
	p.a.line("GETEX k PX 5000")
	p.both(t, "GET k", `"5"`)
	p.a.kv.advance(6000)
	p.a.script(`
		> GET k
		(nil)
		> INCR k
		(integer) 1`)
}

// RENAME and COPY move a counter's total; the copy counts on from it.
func TestCounterRenameCopy(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> INCRBY c 41
		(integer) 41
		> COPY c d
		(integer) 1
		> INCR d
		(integer) 42
		> RENAME c e
		OK
		> GET e
		"41"
		> GETSET e 7
		"41"
		> INCR e
		(integer) 8
		> APPEND e 9
		(integer) 2
		> INCR e
		(integer) 90
		> INCRBYFLOAT e 0.5
		"90.5"
		> INCR e
		(error) ERR value is not an integer or out of range
		> SET big 9223372036854775807
		OK
		> INCR big
		(error) ERR increment or decrement would overflow
		> DECRBY big 9223372036854775807
		(integer) 0
		> DECR big
		(integer) -1
		> GETRANGE d 0 0
		"4"
		> GETBIT d 2
		(integer) 1
		> MGET d e nosuch
		1) "42"
		2) "90.5"
		3) (nil)
		> GETDEL d
		"42"
		> EXISTS d
		(integer) 0`)
}

// VGET shows each counter sibling resolved alone, not its payload.
func TestCounterVget(t *testing.T) {
	p := newTwoSides(t)
	p.a.line("INCRBY k 2")
	p.b.line("INCRBY k 3")
	p.heal()
	p.both(t, "GET k", `"5"`)
	got := p.a.line("VGET k").String()
	if want := "2) 1) \"2\"\n   2) \"3\""; !strings.Contains(got, want) {
		t.Fatalf("VGET = %s, want siblings 2 and 3", got)
	}
}

// String commands on a key holding a collection answer WRONGTYPE; TYPE
// names the collection; SET overwrites it.
func TestCounterWrongType(t *testing.T) {
	f := newFixture(t)
	f.kv.m["h"] = version.Set{{Dot: version.Dot{Node: "x", Counter: 1}, Kind: version.KindHash, Value: crdt.EncodeHeader(version.Context{}), Time: f.kv.now}}
	wt := "(error) WRONGTYPE Operation against a key holding the wrong kind of value"
	for _, c := range []string{"GET h", "INCR h", "DECRBY h 2", "INCRBYFLOAT h 1", "APPEND h x",
		"STRLEN h", "GETRANGE h 0 1", "SETRANGE h 0 x", "GETSET h 1", "SET h 1 GET", "GETDEL h",
		"GETEX h PX 10", "GETEX h PX -1", "GETBIT h 0", "SETBIT h 0 1", "BITCOUNT h", "BITPOS h 1", "BITFIELD h GET u8 0", "BITFIELD_RO h GET u8 0", "BITOP AND dst h"} {
		if got := f.line(c).String(); got != wt {
			t.Errorf("%s = %s", c, got)
		}
	}
	f.script(`
		> TYPE h
		hash
		> MGET h
		1) (nil)
		> LCS h h
		(error) ERR The specified keys must contain string values
		> EXPIRE h 100
		(integer) 1
		> TTL h
		(integer) 100
		> TYPE h
		hash
		> SET h v
		OK
		> TYPE h
		string`)
}
