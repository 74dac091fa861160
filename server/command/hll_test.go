package command

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/replica/crdt"
)

func pfaddLine(key, prefix string, n int) string {
	var sb strings.Builder
	sb.WriteString("PFADD " + key)
	for i := range n {
		fmt.Fprintf(&sb, " %s%d", prefix, i)
	}
	return sb.String()
}

// Concurrent PFADDs on both sides of a partition all count after healing:
// every node reads the register-wise maximum of the HLL siblings (GET
// too, the same bytes), and a PFADD writes that merge, leaving one
// version.
func TestHLLConcurrentPFADDs(t *testing.T) {
	for _, n := range []int{3, 300, 5000} { // sparse, sparse, dense
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := newTwoSides(t)
			p.a.line("PFADD h seed")
			p.heal()
			p.a.line(pfaddLine("h", "a", n))
			p.b.line(pfaddLine("h", "b", n))
			p.heal()
			if got := len(p.a.kv.m["h"].Live(p.a.kv.now)); got != 2 {
				t.Fatalf("%d live siblings, want 2", got)
			}
			one := newFixture(t) // the same adds on one node
			one.line("PFADD h seed")
			one.line(pfaddLine("h", "a", n))
			one.line(pfaddLine("h", "b", n))
			want := one.line("PFCOUNT h").String()
			p.both(t, "PFCOUNT h", want)
			ga, gb := p.a.line("GET h").String(), p.b.line("GET h").String()
			if ga != gb {
				t.Fatalf("GET differs between the sides")
			}
			p.both(t, "PFCOUNT h other", want)
			p.heal() // both PFCOUNTs stored the cache: two versions again
			if r := p.a.line("PFADD h seed").String(); r != "(integer) 0" {
				t.Fatalf("PFADD = %s", r)
			}
			p.heal()
			if got := len(p.a.kv.m["h"].Live(p.a.kv.now)); got != 1 {
				t.Fatalf("after PFADD: %d live siblings, want 1", got)
			}
			p.both(t, "PFCOUNT h", want)
			p.both(t, "PFMERGE m h", "OK")
			p.both(t, "PFCOUNT m", want)
		})
	}
}

// An HLL sibling concurrent with a plain string: the later write wins
// (no merge: not every sibling is an HLL).
func TestHLLConcurrentWithSet(t *testing.T) {
	p := newTwoSides(t)
	p.a.line("PFADD h x y z")
	p.b.line("SET h plain") // b's clock is ahead
	p.heal()
	p.both(t, "GET h", `"plain"`)
	p.both(t, "PFCOUNT h", "(error) WRONGTYPE Key is not a valid HyperLogLog string value.")
	p.b.line("PFADD h2 x")
	p.a.line("SET h2 plain")
	p.heal()
	p.both(t, "PFCOUNT h2", "(integer) 1")
}

// PFADD and PFMERGE fire what redis-server 7.0.15 fires.
func TestHLLKeyEvents(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "__keyevent*")
	f.client(2).do("CONFIG", "SET", "notify-keyspace-events", "E$n")
	expectKeyEvents(t, f, sub, []struct{ cmd, want string }{
		{"PFADD h a b", "new h;pfadd h"},
		{"PFADD h a", ""},
		{"PFADD h c", "pfadd h"},
		{"PFADD h", ""},
		{"PFADD e", "new e;pfadd e"},
		{"PFCOUNT h", ""},
		{"PFMERGE h e", "pfadd h"},
		{"PFMERGE m h", "new m;pfadd m"},
		{"PFADD missing2 x", "new missing2;pfadd missing2"},
	})
}

// PFCOUNT of one key stores what it computed in the value's cache bytes,
// and answers that cache while it is valid; a PF write marks it stale.
func TestHLLCache(t *testing.T) {
	f := newFixture(t)
	f.line("PFADD h a b c")
	b := f.line("GET h").Bytes
	if _, ok := crdt.HLLCached(b); ok {
		t.Fatal("cache valid after PFADD")
	}
	f.script(`
> PFCOUNT h
(integer) 3
`)
	b = f.line("GET h").Bytes
	if c, ok := crdt.HLLCached(b); !ok || c != 3 {
		t.Fatalf("cache = %d, %v", c, ok)
	}
	crdt.HLLSetCache(b, 1234)
	f.do("SET", "h", string(b))
	f.script(`
> PFCOUNT h
(integer) 1234
> PFADD h d
(integer) 1
> PFCOUNT h
(integer) 4
> SET s hello
OK
> PFADD s x
(error) WRONGTYPE Key is not a valid HyperLogLog string value.
> HSET hh f v
(integer) 1
> PFCOUNT hh
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> PFMERGE hh h
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> PFDEBUG ENCODING nokey
(error) ERR The specified key does not exist
`)
}
