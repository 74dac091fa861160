//go:build !race

package replicatest

import (
	"strings"
	"testing"
)

// A seed's run is reproducible: the same schedule gives the same outcome,
// op by op, on every run (time is the bubble's, latencies are fixed, and
// no two events that could race share an instant).
func TestSimReproducible(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		cfg, g := seedConfig(seed)
		ops := Generate(g, names(cfg.Nodes))
		first := Simulate(t, cfg, ops)
		second := Simulate(t, cfg, ops)
		if first.Log != second.Log {
			a, b := strings.Split(first.Log, "\n"), strings.Split(second.Log, "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("seed %d: runs differ at\n%s\n%s", seed, a[i], b[i])
				}
			}
			t.Fatalf("seed %d: logs differ in length", seed)
		}
	}
}
