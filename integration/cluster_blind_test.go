package integration

import (
	"context"
	"fmt"
	"testing"
)

// TestClusterBlindWritesRunWhereTheyArrive: with N=3 on three nodes every
// node holds a copy of every key, so a blind write (plain SET, SETEX,
// MSET) runs on the node that received it, which forwards nothing
// (INFO forwarded_commands stays put), while a read-modify-write (INCR)
// still goes to the key's one coordinator, the first of its primaries,
// unless that is the node itself. Every value reads back through the
// other nodes.
func TestClusterBlindWritesRunWhereTheyArrive(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	const keys = 60
	for i, n := range c.Nodes {
		cl := c.Client(n)
		before, err := infoInt(c, n, "cluster", "forwarded_commands")
		if err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			key := fmt.Sprintf("blind:%d:%d", i, k)
			if err := cl.Set(ctx, key, "v"+key, 0).Err(); err != nil {
				t.Fatalf("SET %s via %s: %v", key, n.Opts.Name, err)
			}
		}
		if err := cl.Do(ctx, "SETEX", fmt.Sprintf("blind:%d:ex", i), 3600, "x").Err(); err != nil {
			t.Fatalf("SETEX via %s: %v", n.Opts.Name, err)
		}
		var pairs []any
		for k := range 20 {
			pairs = append(pairs, fmt.Sprintf("blind:%d:m%d", i, k), "m")
		}
		if err := cl.MSet(ctx, pairs...).Err(); err != nil {
			t.Fatalf("MSET via %s: %v", n.Opts.Name, err)
		}
		after, err := infoInt(c, n, "cluster", "forwarded_commands")
		if err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Errorf("%s forwarded %d commands for %d blind writes of keys it holds a copy of; want 0", n.Opts.Name, after-before, keys+2)
		}
		for k := range keys {
			if err := cl.Incr(ctx, fmt.Sprintf("blind:%d:c%d", i, k)).Err(); err != nil {
				t.Fatalf("INCR via %s: %v", n.Opts.Name, err)
			}
		}
		incr, err := infoInt(c, n, "cluster", "forwarded_commands")
		if err != nil {
			t.Fatal(err)
		}
		// n is the first primary of about a third of the keys.
		if got := incr - after; got < 1 || got >= keys {
			t.Errorf("%s forwarded %d of %d INCRs; want the ones whose first primary is another node (about %d)", n.Opts.Name, got, keys, 2*keys/3)
		}
		other := c.Client(c.Nodes[(i+1)%len(c.Nodes)])
		for k := range keys {
			key := fmt.Sprintf("blind:%d:%d", i, k)
			if got, err := other.Get(ctx, key).Result(); err != nil || got != "v"+key {
				t.Errorf("GET %s via another node after SET via %s = %q, %v", key, n.Opts.Name, got, err)
			}
		}
	}
}
