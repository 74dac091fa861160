package integration

// Issue 8: INCR lost increments under a partition (each side wrote its
// own total and GET kept one: 20 INCRs on each side, healed, GET answered
// 20). Counters now merge by rule: every acknowledged INCR counts.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// counterProject is TestPartitionTypes's compose project (the other
// compose tests use their own, so they can run side by side).
const counterProject = "ringkvcount"

// TestPartitionTypes: the repo's docker-compose cluster of 3 (N=3), n3
// cut off from n1 and n2 by iptables in its network namespace (as
// TestPartitionSetAdd; n3 reads and writes alone, R=1 W=1). 20 INCRs per
// key go through each side, n1 and n2 taking turns on the majority side.
// After healing and convergence GET on every node answers 40 for every
// key: lost (acknowledged increments missing from a node's answer) 0,
// diverged (nodes answering differently from n1) 0. Alongside, both sides
// run the data types' commands (typeWorkload: SADD and SREM, HSET of a
// shared and of distinct fields, HINCRBY, ZINCRBY, ZADD, RPUSH), and
// after healing every node answers the same and each type's rule holds. An INCR that failed
// its quorum (NOQUORUM, a timeout) may or may not count, as in Redis a
// command whose reply was lost: such a key answers between its
// acknowledged count and that plus its failures.
func TestPartitionTypes(t *testing.T) {
	t.Parallel()
	const keys, perSide = 4, 20
	_, fault, nodes := startPartitionCluster(t, counterProject)
	n1, n2, n3 := nodes[0], nodes[1], nodes[2]
	all := map[string]string{"n1": "alive", "n2": "alive", "n3": "alive"}

	// Before the partition: members both sides will then change.
	w := newTypeWorkload()
	w.run(t, n1, "pre", 0)

	fault.drop(t, n3.pid, "-I", []string{n1.ip, n2.ip})
	healed := false
	t.Cleanup(func() {
		if !healed {
			fault.drop(t, n3.pid, "-D", []string{n1.ip, n2.ip})
		}
	})
	waitContainerStates(t, n3, detectTimeout, map[string]string{"n1": "failed", "n2": "failed", "n3": "alive"})
	for _, n := range []*container{n1, n2} {
		waitContainerStates(t, n, detectTimeout, map[string]string{"n1": "alive", "n2": "alive", "n3": "failed"})
	}
	ctx := context.Background()
	if err := n1.cl.Do(ctx, "VSET", "count:probe", "x", "W", 3).Err(); !isNoQuorum(err) {
		t.Errorf("VSET W 3 via n1 with n3 cut off: %v, want NOQUORUM (is the partition real?)", err)
	}

	key := func(i int) string { return fmt.Sprintf("count:%02d", i) }
	acked := map[string]int64{}
	failed := map[string]int64{} // NOQUORUM or timeout: may or may not count
	counts := map[string]int{}
	for r := range perSide {
		for i := range keys {
			for _, n := range []*container{[]*container{n1, n2}[r%2], n3} {
				if err := n.cl.Incr(ctx, key(i)).Err(); err != nil {
					failed[key(i)]++
					t.Logf("INCR %s via %s while partitioned: %v", key(i), n.name, err)
					continue
				}
				acked[key(i)]++
				counts["via "+n.name]++
			}
		}
		for _, n := range []*container{[]*container{n1, n2}[r%2], n3} {
			side := "major"
			if n == n3 {
				side = "minor"
			}
			w.run(t, n, side, r)
		}
	}
	t.Logf("acknowledged INCRs while partitioned: %v; failed %v; type commands: %v", counts, failed, w.counts)
	if counts["via n3"] < keys*perSide/2 || counts["via n1"]+counts["via n2"] < keys*perSide/2 {
		t.Fatalf("too few acknowledged INCRs on one side: %v", counts)
	}
	// Each side alone: the minority saw only its own increments.
	if v, err := n3.cl.Get(ctx, key(0)).Int64(); err != nil || v != perSide {
		t.Errorf("GET %s via n3 while cut off = %d, %v; want its own %d", key(0), v, err, perSide)
	}

	fault.drop(t, n3.pid, "-D", []string{n1.ip, n2.ip})
	healed = true
	for _, n := range nodes {
		waitContainerStates(t, n, 90*time.Second, all)
	}
	Eventually(t, 90*time.Second, "hints_pending 0 on every node", func() error {
		for _, n := range nodes {
			f, err := clientInfo(n.cl, n.name, "handoff")
			if err != nil {
				return err
			}
			if f["hints_pending"] != "0" {
				return fmt.Errorf("hints_pending %s on %s", f["hints_pending"], n.name)
			}
		}
		return nil
	})
	var lost, diverged int64
	err := poll(60*time.Second, func() error {
		lost, diverged = 0, 0
		for i := range keys {
			var first int64
			for j, n := range nodes {
				v, err := n.cl.Get(ctx, key(i)).Int64()
				if err != nil {
					return fmt.Errorf("GET %s via %s: %w", key(i), n.name, err)
				}
				lost += max(acked[key(i)]-v, 0)
				if j == 0 {
					first = v
				} else if v != first {
					diverged++
				}
			}
		}
		if lost+diverged > 0 {
			return fmt.Errorf("lost=%d diverged=%d", lost, diverged)
		}
		return nil
	})
	t.Logf("GET through each node after healing: lost=%d diverged=%d (%d keys, %d INCRs on each side of each)",
		lost, diverged, keys, perSide)
	if err != nil {
		t.Errorf("counters did not converge within 60s: %v", err)
	}
	for i := range keys {
		k := key(i)
		for _, n := range nodes {
			if v, err := n.cl.Get(ctx, k).Int64(); err != nil || v < acked[k] || v > acked[k]+failed[k] {
				t.Errorf("GET %s via %s = %d, %v; want %d acknowledged INCRs (+ up to %d that failed)", k, n.name, v, err, acked[k], failed[k])
			}
		}
	}
	// The data types: every node answers the same, and every rule holds.
	var tlost, tdiverged int
	err = poll(60*time.Second, func() error {
		var detail []string
		tlost, tdiverged, detail = w.check(ctx, nodes)
		if tlost+tdiverged > 0 {
			return fmt.Errorf("lost=%d diverged=%d: %s", tlost, tdiverged, strings.Join(detail, "; "))
		}
		return nil
	})
	t.Logf("data types through each node after healing: lost=%d diverged=%d (%v)", tlost, tdiverged, w.counts)
	if err != nil {
		t.Errorf("data types did not converge within 60s: %v", err)
	}
}
