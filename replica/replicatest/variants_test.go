//go:build !race

package replicatest

import (
	"flag"
	"fmt"
	"testing"
	"time"
)

var variantSeeds = flag.Int("variant-seeds", 2, "TestSimVariants: seeds per configuration")

// TestSimVariants runs random schedules on other cluster shapes: weak and
// strict quorums, no fallbacks (3 nodes), N=5, background anti-entropy,
// clients calling where they connect, hints that expire. -variant-seeds=N
// runs more.
func TestSimVariants(t *testing.T) {
	variants := []struct {
		nodes, n, r, w int
		aae            time.Duration
		direct         bool
		hintAge        time.Duration // hints expire: only anti-entropy and read repair reach some replicas
	}{
		{5, 3, 2, 2, 300 * time.Millisecond, false, 0},
		{5, 3, 1, 1, -1, true, 0},
		{3, 3, 2, 2, -1, false, 0},
		{5, 3, 3, 3, 250 * time.Millisecond, true, 0},
		{4, 2, 1, 2, -1, false, 0},
		{5, 5, 3, 3, -1, false, 0},
		{5, 3, 2, 2, 200 * time.Millisecond, false, 150 * time.Millisecond},
	}
	for _, v := range variants {
		name := fmt.Sprintf("%dx(%d,%d,%d)aae=%v,direct=%v,hintage=%v", v.nodes, v.n, v.r, v.w, v.aae > 0, v.direct, v.hintAge)
		t.Run(name, func(t *testing.T) {
			for seed := int64(1); seed <= int64(*variantSeeds); seed++ {
				cfg := simConfig()
				cfg.Nodes, cfg.N, cfg.R, cfg.W, cfg.AAEInterval, cfg.Direct = v.nodes, v.n, v.r, v.w, v.aae, v.direct
				g := GenConfig{Seed: seed, Ops: 150, Faults: 0.3, Par: 0.2, MaxDown: 2, MaxWipes: v.w - 1}
				if v.hintAge > 0 {
					// A fallback's hint is one of the W copies: with hints
					// dropped, a wipe could take the last one.
					cfg.HintMaxAge, g.MaxWipes = v.hintAge, 0
				}
				rep := Simulate(t, cfg, Generate(g, names(v.nodes)))
				if len(rep.Violations) > 0 {
					t.Fatalf("seed %d: %s\nop log:\n%s", seed, joinViolations(rep.Violations), rep.Log)
				}
				t.Logf("seed %d: %s", seed, rep.Counts)
			}
		})
	}
}
