package replica

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

func upExcept(down ...string) func(string) bool {
	return func(n string) bool { return !slices.Contains(down, n) }
}

// Dynamo §4.6: each primary that is down is replaced by the next healthy
// node of the extended preference list, each used once; with none left the
// coordinator keeps the hint (an orphan).
func TestPlanSendsDownPrimariesToFallbacks(t *testing.T) {
	for _, c := range []struct {
		down                     []string
		fallbacks                []string
		targets, orphans, spares string
	}{
		{nil, []string{"d", "e"}, "[{b } {c }]", "[]", "[d e]"},
		{[]string{"b"}, []string{"d", "e"}, "[{d b} {c }]", "[]", "[e]"},
		{[]string{"b", "c"}, []string{"d", "e"}, "[{d b} {e c}]", "[]", "[]"},
		{[]string{"b", "d"}, []string{"d", "e"}, "[{e b} {c }]", "[]", "[]"},
		{[]string{"b", "c"}, []string{"d"}, "[{d b}]", "[c]", "[]"},
		{[]string{"b", "c"}, nil, "[]", "[b c]", "[]"},
	} {
		targets, orphans, spare := plan([]string{"b", "c"}, c.fallbacks, upExcept(c.down...))
		got := fmt.Sprint(targets, orphans, spare)
		want := fmt.Sprint(c.targets, " ", c.orphans, " ", c.spares)
		if got != want {
			t.Errorf("down %v, fallbacks %v: plan = %s, want %s", c.down, c.fallbacks, got, want)
		}
	}
}

// The tally is met when both quorums are, and hopeless as soon as the
// answers still to come cannot reach them; its error names the quorum
// that failed.
func TestTallyDecidesFromAnswersAlone(t *testing.T) {
	targets := []copyTarget{{Node: "b"}, {Node: "d", For: "c"}}
	t1 := newTally(2, 0, targets)
	t1.self(true)
	if t1.met() || t1.hopeless() {
		t.Fatal("W=2 decided before any peer answered")
	}
	t1.answer(true, false, false) // the fallback for c
	if !t1.met() {
		t.Fatal("a fallback's ack does not count toward W")
	}
	t2 := newTally(2, 2, targets)
	t2.self(true)
	t2.answer(true, false, false)
	if t2.met() || t2.hopeless() {
		t.Fatal("PW=2 decided while primary b may still answer")
	}
	t2.answer(false, false, true)
	if !t2.hopeless() || t2.err("W").Error() != "NOQUORUM wanted PW=2, got 1" {
		t.Fatalf("PW=2 with b failed: hopeless=%v err=%v", t2.hopeless(), t2.err("W"))
	}
	t3 := newTally(3, 0, targets)
	t3.self(true)
	t3.answer(false, false, true)
	if !t3.hopeless() || t3.err("R").Error() != "NOQUORUM wanted R=3, got 1" {
		t.Fatalf("R=3 with one failure: hopeless=%v err=%v", t3.hopeless(), t3.err("R"))
	}
}

func TestParseQuorumErrorRoundTrips(t *testing.T) {
	for _, e := range []*QuorumError{{"W", 2, 1}, {"PR", 3, 0}, {"R", 1, 0}} {
		got, ok := parseQuorumError(e.Error())
		if !ok || *got != *e {
			t.Errorf("parse(%q) = %v, %v", e.Error(), got, ok)
		}
	}
	for _, s := range []string{"NOQUORUM wanted X=2, got 1", "NOQUORUM no replica", "ERR x"} {
		if _, ok := parseQuorumError(s); ok {
			t.Errorf("parse(%q) accepted", s)
		}
	}
}

// Read repair goes to the primaries that answered with less than the
// merge, never to a fallback or a node that failed.
func TestToRepairPicksStalePrimaries(t *testing.T) {
	var full version.Set
	full, _ = full.Put("a", version.Context{}, version.Sibling{Value: []byte("v"), Time: 5}, 0)
	seen := []reply{
		{target: copyTarget{Node: "a"}, sets: []version.Set{full, full}},
		{target: copyTarget{Node: "b"}, sets: []version.Set{nil, full}},          // behind on the first key
		{target: copyTarget{Node: "d", For: "c"}, sets: []version.Set{nil, nil}}, // a fallback, behind
		{target: copyTarget{Node: "e"}, err: fmt.Errorf("down")},                 // no answer
		{target: copyTarget{Node: "f"}, sets: []version.Set{full, full}},         // up to date
	}
	merged, stale := toRepair(seen, 2, 0)
	if !merged[0].Equal(full) || !merged[1].Equal(full) || len(stale) != 1 || stale[0].target.Node != "b" || !slices.Equal(stale[0].keys, []int{0}) {
		t.Fatalf("toRepair = %v, %v", merged, stale)
	}
	if merged, _ := toRepair(seen, 2, 5); len(merged[0]) != 0 || len(merged[1]) != 0 {
		t.Fatalf("a version from before the flush survived: %v", merged)
	}
}

// A tombstone goes only when every primary holds it, no other node holds
// anything else, and no node holds a hint.
func TestReapableNeedsEveryPrimaryAndNoHint(t *testing.T) {
	primaries := []string{"a", "b"}
	for _, c := range []struct {
		v    map[string]byte
		want bool
	}{
		{map[string]byte{"a": reapHeld, "b": reapHeld, "c": reapAbsent}, true},
		{map[string]byte{"a": reapHeld, "b": reapHeld, "c": reapHeld}, true},
		{map[string]byte{"a": reapHeld, "b": reapAbsent}, false},  // b missed the delete
		{map[string]byte{"a": reapHeld, "b": reapBlocked}, false}, // b differs or has a hint
		{map[string]byte{"a": reapHeld, "b": reapHeld, "c": reapBlocked}, false},
		{map[string]byte{"a": reapHeld}, false}, // b did not answer
	} {
		if got := reapable(c.v, primaries); got != c.want {
			t.Errorf("reapable(%v) = %v, want %v", c.v, got, c.want)
		}
	}
}
