package ring

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// SimNodes returns the names node-<from> .. node-<to-1>, three digits.
func simNodes(from, to int) []string {
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("node-%03d", i))
	}
	return out
}

// simScript is the scaling scenario: s members, two joins, then the
// removal of the first member and of one from the middle.
func simScript(s int) ([]string, []Step) {
	return simNodes(0, s), []Step{
		{Join, fmt.Sprintf("node-%03d", s)}, {Join, fmt.Sprintf("node-%03d", s+1)},
		{Remove, "node-000"}, {Remove, fmt.Sprintf("node-%03d", s/2)},
	}
}

// oracleReport recounts a step from the rings New builds, by names and
// plain loops, without the simulation's placement type.
func oracleReport(t *testing.T, q, n int, before, after []string) StepReport {
	t.Helper()
	rb, ra := mustNew(t, q, before), mustNew(t, q, after)
	r := StepReport{Members: len(after)}
	owned, held := map[string]int{}, map[string]int{}
	for p := range q {
		pb, pa := rb.Preference(p, n), ra.Preference(p, n)
		owned[pa[0]]++
		for _, m := range pa {
			held[m]++
			if !slices.Contains(pb, m) {
				r.CopiesMoved++
			}
		}
		if pb[0] != pa[0] {
			r.PrimaryMoved++
		}
		if !slices.Equal(pb, pa) {
			r.ListsChanged++
		}
	}
	r.Primary.Min, r.Primary.Max = minMax(owned, after)
	r.Replica.Min, r.Replica.Max = minMax(held, after)
	return r
}

func minMax(load map[string]int, members []string) (lo, hi int) {
	lo = load[members[0]]
	for _, m := range members {
		lo, hi = min(lo, load[m]), max(hi, load[m])
	}
	return lo, hi
}

// The simulation computes only the first n balanced ranks; its lists and
// every count must equal a recount over the full rings New builds, also
// when S < N (short lists) and for N up to the table depth.
func TestSimulateMatchesRings(t *testing.T) {
	for _, c := range []struct{ q, s, n int }{{256, 16, 3}, {64, 2, 3}, {1024, 9, 5}, {128, 10, 8}, {32, 4, 1}} {
		members, steps := simScript(c.s)
		reports, err := Simulate(c.q, c.n, members, steps)
		if err != nil {
			t.Fatalf("Simulate(%d, %d, S=%d): %v", c.q, c.n, c.s, err)
		}
		for i, st := range steps {
			after := apply(members, st)
			want, got := oracleReport(t, c.q, c.n, members, after), reports[i+1]
			if got.Members != want.Members || got.CopiesMoved != want.CopiesMoved || got.PrimaryMoved != want.PrimaryMoved ||
				got.ListsChanged != want.ListsChanged || got.Primary.Min != want.Primary.Min || got.Primary.Max != want.Primary.Max ||
				got.Replica.Min != want.Replica.Min || got.Replica.Max != want.Replica.Max || got.Repeats != 0 {
				t.Fatalf("Q=%d N=%d S=%d %v: simulated %+v, rings say %+v", c.q, c.n, c.s, st, got, want)
			}
			members = after
		}
	}
}

func TestSimulateRejects(t *testing.T) {
	members := simNodes(0, 3)
	for _, c := range []struct {
		name  string
		q, n  int
		steps []Step
		want  error
	}{
		{"join a member", 64, 3, []Step{{Join, "node-001"}}, ErrBadStep},
		{"join no name", 64, 3, []Step{{Join, ""}}, ErrBadStep},
		{"remove a stranger", 64, 3, []Step{{Remove, "node-009"}}, ErrBadStep},
		{"remove the last", 64, 3, []Step{{Remove, "node-000"}, {Remove, "node-001"}, {Remove, "node-002"}}, ErrBadStep},
		{"no op", 64, 3, []Step{{0, "node-004"}}, ErrBadStep},
		{"bad q", 100, 3, nil, ErrBadQ},
	} {
		if _, err := Simulate(c.q, c.n, members, c.steps); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	for _, n := range []int{0, tableDepth + 1} {
		if _, err := Simulate(64, n, members, nil); err == nil {
			t.Errorf("n=%d accepted", n)
		}
	}
}
