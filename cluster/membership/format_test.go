package membership

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ringkv/ringkv/cluster"
)

func withFormat(f int) func(*Config) { return func(c *Config) { c.Format = f } }

func TestFormatOf(t *testing.T) {
	for _, tc := range []struct {
		tags map[string]string
		want int
	}{
		{nil, FormatUnadvertised},
		{map[string]string{TagQ: "1024"}, FormatUnadvertised},
		{map[string]string{TagFormat: "x"}, FormatUnadvertised},
		{map[string]string{TagFormat: "0"}, FormatUnadvertised},
		{map[string]string{TagFormat: "3"}, 3},
	} {
		if got := FormatOf(tc.tags); got != tc.want {
			t.Errorf("FormatOf(%v) = %d, want %d", tc.tags, got, tc.want)
		}
	}
	if err := CheckFormat(3, "b", nil); !errors.Is(err, ErrFormat) {
		t.Fatalf("CheckFormat(3, untagged) = %v, want ErrFormat", err)
	}
	if err := CheckFormat(3, "b", map[string]string{TagFormat: "3"}); err != nil {
		t.Fatal(err)
	}
}

// The new format may be written only once every member advertises it: a
// member without the tag (a node of the previous release) holds it back,
// alive or failed (it will return as it was), until it leaves; a ring
// member gossip does not know holds it back too.
func TestLaggingMembers(t *testing.T) {
	a, b := start(t, "a", withFormat(3)), start(t, "b", withFormat(3))
	old := start(t, "old", nil)
	for _, m := range []*Membership{b, old} {
		if _, err := m.Join([]string{a.GossipAddr()}); err != nil {
			t.Fatalf("%s join: %v", m.LocalName(), err)
		}
	}
	eventually(t, wait, "3 alive members", func() bool { return states(a) == "a:alive b:alive old:alive " })
	if got := a.Lagging(3, a.RingMembers()); !slices.Equal(got, []string{"old"}) {
		t.Fatalf("Lagging with an untagged member = %v, want [old]", got)
	}
	if got := a.Lagging(2, a.RingMembers()); len(got) != 0 {
		t.Fatalf("Lagging(2) = %v: every member reads format 2", got)
	}
	if got := a.Lagging(3, []string{"a", "b", "ghost"}); !slices.Equal(got, []string{"ghost", "old"}) {
		t.Fatalf("Lagging with a ring member gossip does not know = %v, want [ghost old]", got)
	}
	old.Shutdown()
	eventually(t, wait, "old failed", func() bool { s, _ := stateOf(a, "old"); return s == cluster.Failed })
	if got := a.Lagging(3, a.RingMembers()); !slices.Equal(got, []string{"old"}) {
		t.Fatalf("Lagging with an untagged failed member = %v, want [old]", got)
	}
	if err := a.RemoveFailed("old"); err != nil {
		t.Fatal(err)
	}
	eventually(t, wait, "old removed", func() bool { s, _ := stateOf(a, "old"); return s == cluster.Left })
	if got := a.Lagging(3, a.RingMembers()); len(got) != 0 {
		t.Fatalf("Lagging once every member advertises 3 = %v, want none", got)
	}
}

// Once a node writes a format (RequireFormat), a node that does not
// advertise it is refused: it never becomes a member here; one that does
// joins as before.
func TestRequireFormatRefusesOlderNodes(t *testing.T) {
	a := start(t, "a", withFormat(3))
	if !a.RequireFormat(3) || a.RequireFormat(3) || a.RequireFormat(2) || a.RequiredFormat() != 3 {
		t.Fatalf("RequireFormat must raise once and never lower: %d", a.RequiredFormat())
	}
	old := start(t, "old", nil)
	_, _ = old.Join([]string{a.GossipAddr()}) // an old release does not check: it may think it joined
	time.Sleep(500 * time.Millisecond)        // gossip rounds at 20 ms, push/pull at 1 s: old's alive messages reach a
	if _, ok := stateOf(a, "old"); ok {
		t.Fatalf("a accepted a node reading format 2: %s", states(a))
	}
	b := start(t, "b", withFormat(3))
	if _, err := b.Join([]string{a.GossipAddr()}); err != nil {
		t.Fatalf("b (format 3) join: %v", err)
	}
	eventually(t, wait, "a sees b", func() bool { s, _ := stateOf(a, "b"); return s == cluster.Alive })
	if _, ok := stateOf(a, "old"); ok {
		t.Fatalf("old came in with b: %s", states(a))
	}
	if err := a.SetTags(map[string]string{TagFormat: "2"}); err == nil {
		t.Fatal("SetTags changed the advertised format")
	}
}
