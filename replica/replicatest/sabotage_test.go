//go:build !race

package replicatest

import (
	"testing"
	"testing/synctest"
	"time"
)

// The harness sees a loss: after a clean run, one replica silently loses
// its data (as if a disk returned nothing) and Check must say so.
func TestSimSeesALostReplica(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, g := seedConfig(1)
		s := Start(t, cfg)
		g.Faults = 0
		s.Play(Generate(g, s.Nodes()))
		if vs := s.Check(); len(vs) > 0 {
			t.Fatalf("calm run: %v\n%s", vs, s.Log())
		}
		victim := s.place.Replicas([]byte("s0"))[0]
		if err := s.nodes[victim].db.Flush(time.Now().UnixMilli()); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, v := range s.Check() {
			seen[v.Check] = true
		}
		for _, want := range []string{"converged", "acked", "set-add"} {
			if !seen[want] {
				t.Errorf("after %s lost its data, no %q violation: %v", victim, want, s.Check())
			}
		}
	})
}
