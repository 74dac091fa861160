//go:build !race

package replicatest

import (
	"fmt"
	"slices"
	"testing"
)

// Metamorphic convergence (pebble's metamorphic tests, STYLE.md 10): one
// history of set-adds, replayed under different cluster sizes, (N, R, W),
// fault schedules and repair paths, converges to the same sets: every
// element the clients issued, on every replica. The clients talk to a
// running primary of each key, whose coordinator stores the element
// locally even when the quorum fails (falling back to a write without
// context when the read fails), so every element lands somewhere; hinted
// handoff, read repair and anti-entropy must carry it everywhere.
func TestMetamorphicConvergence(t *testing.T) {
	base := GenConfig{Seed: 11, Ops: 90, Sets: 3, Via: "*", MaxDown: 1, Par: 0.1}
	variants := []struct {
		name       string
		nodes, n   int
		r, w       int
		faultSeed  int64
		faults     float64
		readRepair bool
	}{
		{"calm 5x(3,2,2)", 5, 3, 2, 2, 1, 0, false},
		{"faults 5x(3,2,2)", 5, 3, 2, 2, 1, 0.3, false},
		{"faults 5x(3,2,2) read repair", 5, 3, 2, 2, 2, 0.3, true},
		{"faults 5x(3,1,1)", 5, 3, 1, 1, 3, 0.3, false},
		{"faults 5x(3,3,3)", 5, 3, 3, 3, 4, 0.3, false},
		{"faults 5x(2,1,2)", 5, 2, 1, 2, 5, 0.3, false},
		{"faults 3x(3,2,2) no fallbacks", 3, 3, 2, 2, 6, 0.3, false},
		{"faults 5x(5,3,3)", 5, 5, 3, 3, 7, 0.4, false},
	}
	var want map[string][]string
	for _, v := range variants {
		cfg := simConfig()
		cfg.Nodes, cfg.N, cfg.R, cfg.W, cfg.ReadRepairOnly = v.nodes, v.n, v.r, v.w, v.readRepair
		g := base
		g.FaultSeed, g.Faults = v.faultSeed, v.faults
		ops := Generate(g, names(v.nodes))
		rep := Simulate(t, cfg, ops)
		if len(rep.Violations) > 0 {
			t.Errorf("%s: %s\n%s", v.name, joinViolations(rep.Violations), rep.Log)
			continue
		}
		got := rep.Final.Unions()
		if want == nil {
			want = issued(ops)
		}
		if !sameSets(got, want) {
			t.Errorf("%s: final sets differ from the elements issued:\n got %v\nwant %v\n%s", v.name, got, want, rep.Log)
		}
		t.Logf("%s: %s", v.name, rep.Counts)
	}
}

// issued returns the elements the set-add ops of ops add, per key.
func issued(ops []Op) map[string][]string {
	out := map[string][]string{}
	add := func(o Op) {
		if o.Cmd == "vset" {
			out[o.Key] = append(out[o.Key], o.Arg)
		}
	}
	for _, o := range ops {
		add(o)
		for _, p := range o.Par {
			add(p)
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

func sameSets(a, b map[string][]string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b) // fmt sorts map keys
}
