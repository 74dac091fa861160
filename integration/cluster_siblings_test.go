package integration

import (
	"context"
	"slices"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestClusterSiblingsAcrossCoordinators: two VSETs without context via
// different coordinators are concurrent and both survive as siblings
// (Dynamo §4.4; DESIGN.md "Data model"); a VSET whose context covers both
// replaces them with one value on every node. With R=W=2 of N=3 every read
// quorum meets every write quorum, so no waiting is needed.
func TestClusterSiblingsAcrossCoordinators(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	cl := []*redis.Client{c.Client(c.Nodes[0]), c.Client(c.Nodes[1]), c.Client(c.Nodes[2])}
	name := []string{"n1", "n2", "n3"}
	const key = "sib:k"

	clusterVSet(t, cl[0], "n1", key, "a")
	clusterVSet(t, cl[1], "n2", key, "b")
	ctx, vals := clusterVGet(t, cl[2], "n3", key)
	if !slices.Equal(vals, []string{"a", "b"}) {
		t.Fatalf("VGET %s via n3 after VSET a via n1 and VSET b via n2 = %q, want siblings [a b]", key, vals)
	}
	if ctx == "" {
		t.Fatalf("VGET %s via n3: nil context for a key with history", key)
	}

	// GET picks one sibling, the same on every node.
	var first string
	for i := range cl {
		got, err := cl[i].Get(context.Background(), key).Result()
		if err != nil || (got != "a" && got != "b") {
			t.Errorf("GET %s via %s = %q, %v; want a or b", key, name[i], got, err)
		}
		if i == 0 {
			first = got
		} else if got != first {
			t.Errorf("GET %s via %s = %q, but via n1 %q: nodes disagree on the winner", key, name[i], got, first)
		}
	}

	// A write with the context of both siblings resolves them everywhere.
	clusterVSet(t, cl[2], "n3", key, "c", "CONTEXT", ctx)
	for i := range cl {
		if _, vals := clusterVGet(t, cl[i], name[i], key); !slices.Equal(vals, []string{"c"}) {
			t.Errorf("VGET %s via %s after the resolving VSET = %q, want [c]", key, name[i], vals)
		}
		if got, err := cl[i].Get(context.Background(), key).Result(); err != nil || got != "c" {
			t.Errorf("GET %s via %s after the resolving VSET = %q, %v; want c", key, name[i], got, err)
		}
	}
}
