package integration

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestMinReplicasToWrite: with min-replicas-to-write 2, a node of a
// 3-node cluster takes writes while both others are alive, refuses them
// with NOREPLICAS once one is killed (kill -9) and its failure detector
// says so, and takes them again after the node restarts.
func TestMinReplicasToWrite(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	c.WaitAlive(t, 60*time.Second)
	n1, n3 := c.Nodes[0], c.Nodes[2]
	cl := n1.Client(t, 2)
	ctx := context.Background()
	if err := cl.ConfigSet(ctx, "min-replicas-to-write", "2").Err(); err != nil {
		t.Fatal(err)
	}
	if err := cl.Set(ctx, "k", "v1", 0).Err(); err != nil {
		t.Fatalf("SET with both others alive: %v", err)
	}
	n3.Kill(t)
	c.WaitStates(t, 60*time.Second, map[string]string{n1.Opts.Name: "alive", c.Nodes[1].Opts.Name: "alive", n3.Opts.Name: "failed"}, n1)
	err := cl.Set(ctx, "k", "v2", 0).Err()
	if err == nil || !strings.HasPrefix(err.Error(), "NOREPLICAS") {
		t.Fatalf("SET with %s dead = %v, want NOREPLICAS", n3.Opts.Name, err)
	}
	info, err := cl.Info(ctx, "replication").Result()
	if err != nil || !strings.Contains(info, "min_slaves_good_slaves:1") {
		t.Fatalf("INFO replication = %q, %v; want min_slaves_good_slaves:1", info, err)
	}
	if v, err := cl.Get(ctx, "k").Result(); err != nil || v != "v1" {
		t.Fatalf("GET k = %q, %v: reads still run, and the refused write wrote nothing", v, err)
	}
	n3.Restart(t)
	c.WaitAlive(t, 60*time.Second, n1)
	if err := cl.Set(ctx, "k", "v3", 0).Err(); err != nil {
		t.Fatalf("SET after %s came back: %v", n3.Opts.Name, err)
	}
}
