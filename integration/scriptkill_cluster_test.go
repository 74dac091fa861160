package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestScriptKillCluster: a script runs on its key's coordinator, which
// may be another node than the one the client asked; SCRIPT KILL through
// the node the client asked reaches it. Before, that node answered
// NOTBUSY: only the node running the script could kill it.
func TestScriptKillCluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{Args: []string{"--n", "2", "--r", "1", "--w", "1"}})
	n1 := c.Nodes[0]
	key := ""
	for i := 0; key == "" && i < 1000; i++ {
		k := fmt.Sprintf("sk%d", i)
		loc, err := c.Locate(n1, k)
		if err != nil {
			t.Fatal(err)
		}
		if loc.Replicas[0] != "n1" && loc.Replicas[1] != "n1" {
			key = k // coordinated elsewhere, n1 not even a replica
		}
	}
	if key == "" {
		t.Fatal("no key placed away from n1")
	}
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		done <- c.Client(n1).Eval(ctx, "local i = 0 while true do i = i + 1 end return redis.call('get', KEYS[1])", []string{key}).Err()
	}()
	killer := n1.Client(t, 2) // another connection to the node the client asked
	Eventually(t, 10*time.Second, "SCRIPT KILL through n1 stops the script its client started, running elsewhere", func() error {
		return killer.Do(ctx, "SCRIPT", "KILL").Err()
	})
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "Script killed by user with SCRIPT KILL") {
			t.Fatalf("killed script answered %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the script did not stop after SCRIPT KILL")
	}
	if err := killer.Do(ctx, "SCRIPT", "KILL").Err(); err == nil || !strings.HasPrefix(err.Error(), "NOTBUSY") {
		t.Fatalf("SCRIPT KILL with no script running anywhere = %v, want NOTBUSY", err)
	}
}
