package command

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

func TestUnknownCommand(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> FOO a b
		(error) ERR unknown command 'FOO', with args beginning with: 'a' 'b' 
		> xnosuch l x
		(error) ERR unknown command 'xnosuch', with args beginning with: 'l' 'x' 
		> NOSUCHCMD
		(error) ERR unknown command 'NOSUCHCMD', with args beginning with: 
	`)
	long := strings.Repeat("x", 200)
	r := f.do("FOO", long, "b")
	if want := "ERR unknown command 'FOO', with args beginning with: '" + long[:128] + "' "; r.Str != want {
		t.Errorf("long arg: %q, want %q", r.Str, want)
	}
	if r := f.do("gEt", "k"); r.IsError() {
		t.Errorf("mixed-case name: %s", r)
	}
}

func TestDispatchStats(t *testing.T) {
	f := newFixture(t)
	f.do("SET", "k", "v")
	f.do("GET", "k")
	f.do("GET", "nope")
	f.do("GET")
	f.do("INCR", "k")
	st := f.env.Stats
	if st.Commands.Load() != 4 || st.KeyspaceHits.Load() != 1 || st.KeyspaceMisses.Load() != 1 ||
		st.ErrorReplies.Load() != 2 {
		t.Errorf("stats: commands %d hits %d misses %d errors %d, want 4 1 1 2", st.Commands.Load(),
			st.KeyspaceHits.Load(), st.KeyspaceMisses.Load(), st.ErrorReplies.Load())
	}
	cs := f.do("INFO", "commandstats").Text()
	for _, want := range []string{`cmdstat_get:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r`,
		`cmdstat_incr:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r`} {
		if !regexp.MustCompile(want).MatchString(cs) {
			t.Errorf("INFO commandstats lacks %q:\n%s", want, cs)
		}
	}
	if f.s.LastCmd != "info" {
		t.Errorf("LastCmd = %q", f.s.LastCmd)
	}
	f.do("CONFIG", "RESETSTAT")
	if st.Commands.Load() > 1 || strings.Contains(f.do("INFO", "commandstats").Text(), "cmdstat_get") {
		t.Error("CONFIG RESETSTAT left counters")
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	f := newFixture(t)
	name := []byte("GeT")
	if n := testing.AllocsPerRun(100, func() { _ = lookup(f.d.cmds, name) }); n != 0 {
		t.Errorf("lookup allocates %v times", n)
	}
}

func TestTableConsistent(t *testing.T) {
	f := newFixture(t)
	for _, c := range f.d.all() {
		if !c.documented() {
			t.Errorf("%s has no COMMAND DOCS entry", c.Name)
		}
		if c.Name != strings.ToLower(c.Name) || c.Arity == 0 {
			t.Errorf("%s: bad name or arity %d", c.Name, c.Arity)
		}
		if c.Flags&Write != 0 && c.Flags&ReadOnly != 0 {
			t.Errorf("%s is both write and readonly", c.Name)
		}
	}
}

func BenchmarkDoGet(b *testing.B) {
	f := newFixture(&testing.T{})
	f.do("SET", "key", "value")
	args := [][]byte{[]byte("GET"), []byte("key")}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		f.d.Do(ctx, f.s, args)
	}
}
