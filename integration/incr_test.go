package integration

// Issue 6, bug 2: a read-modify-write command decides on a quorum's merged
// state at one coordinator per key, never on a lagging replica's copy.

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// TestIncrEveryNodeWithOneLagging: 3 nodes, N=3, R=2, W=2. Sequential
// INCRs of a few counters (one whose first primary is each node) go
// through the nodes in turn: first with n3 killed -9 (through n1 and n2),
// then, right after n3 is back and while its hints are still being
// delivered (thousands of other keys were written while it was down),
// through all three, n3 first. Every INCR must be acknowledged and
// answer the count so far, and the final value of each counter, read via
// every node, equals the number of acknowledged INCRs.
func TestIncrEveryNodeWithOneLagging(t *testing.T) {
	t.Parallel()
	const rounds, filler = 12, 4000
	c := StartCluster(t, 3, ClusterOptions{Args: []string{"--n", "3", "--r", "2", "--w", "2", "--request-timeout", "1000"}})
	n1, n2, n3 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	ctx := context.Background()

	var counters []string
	for _, first := range []string{"n3", "n1", "n2"} {
		ks, _ := pickKeys(t, c, n1, "incr-"+first, 1, 200, func(l Location) bool { return l.Replicas[0] == first })
		if len(ks) == 0 {
			t.Fatalf("no key among 200 has %s as its first primary", first)
		}
		counters = append(counters, ks...)
	}

	acked := map[string]int64{}
	failed := map[string]int64{}
	badReply := 0
	incr := func(via *Node, k, phase string) {
		t.Helper()
		v, err := c.Client(via).Incr(ctx, k).Result()
		if err != nil {
			failed[k]++
			t.Errorf("INCR %s via %s (%s): %v", k, via.Opts.Name, phase, err)
			return
		}
		acked[k]++
		if v < acked[k] || v > acked[k]+failed[k] {
			badReply++
			if badReply <= 10 {
				t.Errorf("INCR %s via %s (%s) answered %d after %d acknowledged INCRs (%d failed)",
					k, via.Opts.Name, phase, v, acked[k], failed[k])
			}
		}
	}

	n3.Kill(t)
	for r := range rounds {
		for _, via := range []*Node{n1, n2} {
			for _, k := range counters {
				incr(via, k, fmt.Sprintf("n3 down, round %d", r))
			}
		}
	}
	// Keys written while n3 is down, so that delivering its hints takes a
	// while after it returns: n3 lags behind during the next INCRs.
	for i := 0; i < filler; i += 200 {
		var kv []any
		for j := i; j < i+200; j++ {
			kv = append(kv, "incr-filler:"+strconv.Itoa(j), "f")
		}
		if err := c.Client(n1).MSet(ctx, kv...).Err(); err != nil {
			t.Fatalf("MSET of filler keys via n1 with n3 down: %v", err)
		}
	}

	n3.Restart(t)
	c.WaitAlive(t, formTimeout, c.Nodes...)
	if sum, per, err := sumInfo(c, c.Nodes, "handoff", "hints_pending"); err == nil {
		t.Logf("n3 is back; hints_pending %s (%d in all): it lags", per, sum)
	}
	start := time.Now()
	for r := range rounds {
		for _, via := range []*Node{n3, n1, n2} {
			for _, k := range counters {
				incr(via, k, fmt.Sprintf("n3 back, round %d", r))
			}
		}
	}
	t.Logf("%d INCRs after n3's return took %v", rounds*3*len(counters), time.Since(start))

	for _, k := range counters {
		for _, n := range c.Nodes {
			got, err := c.Client(n).Get(ctx, k).Result()
			if err != nil {
				t.Errorf("GET %s via %s: %v", k, n.Opts.Name, err)
				continue
			}
			v, _ := strconv.ParseInt(got, 10, 64)
			if v < acked[k] || v > acked[k]+failed[k] {
				t.Errorf("GET %s via %s = %q, want %d (acknowledged INCRs; %d failed)", k, n.Opts.Name, got, acked[k], failed[k])
			}
		}
		loc, _ := c.Locate(n1, k)
		t.Logf("%s (primaries %v): acknowledged=%d failed=%d", k, loc.Replicas, acked[k], failed[k])
	}
	t.Logf("INCR replies out of sequence: %d", badReply)
}
