//go:build !race

package replicatest

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// do parses and runs one op.
func do(t *testing.T, s *Sim, line string) string {
	t.Helper()
	o, err := Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	return s.Do(o)
}

// Found by TestSim -seed=452 -ops=300 (minimised here). The first primary
// of r1 (n2) reaps a tombstone on the other holders one by one, then on
// itself; n3 is slow, so n1 has reaped while n2 and n3 still hold the
// tombstone, whose past names n2's dot n2:1 (v1). n1 writes v2 above its
// counter floor: its past covers the tombstone but not n2:1, so when n2
// merges it, n2's copy no longer names n2:1, and n2 has not raised its own
// floor yet (it does so when it reaps itself, last). n2's next write, v3,
// takes n2:1 again. v3 and the tombstone on n3 then obsolete each other:
// a quorum read right after v3 was acknowledged answers nothing, and a
// replica that merges the tombstone before n3 reaps loses v3. A dot must
// never be issued twice (DESIGN.md, write identity).
func TestReapInProgressThenWriteNeverReusesADot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Direct, cfg.TombstoneGrace = true, 50*time.Millisecond
		s := Start(t, cfg)
		for _, line := range []string{"put n2 r1 v1", "del n1 r1", "tick 20ms", "slow n3 80ms", "tick 150ms"} {
			do(t, s, line)
		}
		if got := do(t, s, "dump r1"); !strings.Contains(got, "n1: {}") || !strings.Contains(got, "n2: {n1:1=DEL}") {
			t.Fatalf("precondition: want n1 reaped and n2 still holding the tombstone:\n%s", got)
		}
		do(t, s, "put n1 r1 v2")
		v3 := do(t, s, "put n2 r1 v3")
		if got := do(t, s, "get n3 r1"); !strings.Contains(got, `"v3"`) {
			t.Errorf("put v3 answered %q; a quorum read right after answers %s", v3, got)
		}
		do(t, s, "stabilize")
		if vs := s.Check(); len(vs) > 0 {
			t.Errorf("%s\n%s", joinViolations(vs), s.Log())
		}
	})
}

// Found by TestSim -seed=1682 -ops=300 once holders raised their floors
// before the reap (minimised here). n2 wrote v1..v5 (n2:1..n2:5); n3, cut
// off, deleted what it had seen (n3:1, past n2:1..n2:3) while n1 deleted
// everything (n1:1, past n2:1..n2:5): every replica holds both tombstones.
// n1 has reaped, n2 and n3 not yet (n3 is slow). n1's next write covers
// n1:1 only, so n2 keeps n3:1 and with it n2:1..n2:3 of its history, but
// forgets n2:4 and n2:5. Its floor applies only to a key with none of its
// dots left, so its next write takes n2:4 again; a quorum read through n3
// right after answers nothing, neither w1 nor w2.
func TestPartReapedHistoryNeverReusesADot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Direct, cfg.TombstoneGrace = true, 50*time.Millisecond
		s := Start(t, cfg)
		for _, line := range []string{"put n2 r1 v1", "put n2 r1 v2", "put n2 r1 v3", "tick 10ms",
			"partition n3 n1,n2,n4,n5", "del n3 r1 r=1 w=1", "put n2 r1 v4", "put n2 r1 v5", "del n1 r1",
			"slow n3 80ms", "heal", "gossip", "get n1 r1 r=3", "tick 125ms"} {
			do(t, s, line)
		}
		if got := do(t, s, "dump r1"); !strings.Contains(got, "n1: {}") || !strings.Contains(got, "n2: {n1:1=DEL n3:1=DEL}") {
			t.Fatalf("precondition: want n1 reaped and n2 still holding both tombstones:\n%s", got)
		}
		do(t, s, "put n1 r1 w1")
		w2 := do(t, s, "put n2 r1 w2")
		if got := do(t, s, "get n3 r1"); !strings.Contains(got, `"w2"`) {
			t.Errorf("put w2 answered %q; a quorum read right after answers %s", w2, got)
		}
		do(t, s, "stabilize")
		if vs := s.Check(); len(vs) > 0 {
			t.Errorf("%s\n%s", joinViolations(vs), s.Log())
		}
	})
}
