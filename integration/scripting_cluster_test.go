package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestScriptingCluster runs the classic scripts and functions through
// every node of a 3-node cluster: a script whose keys share a partition
// runs atomically on that partition's coordinator, functions loaded on one
// node are callable on all, and a node that was down when they changed
// catches up when it returns.
func TestScriptingCluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	n1, n2, n3 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	clients := []*redis.Client{c.Client(n1), c.Client(n2), c.Client(n3)}
	if err := clients[0].FunctionLoad(ctx, fnLibrary).Err(); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Nodes {
		waitFunction(t, c.Client(n), "incrby_fn", true)
	}
	for _, tag := range []string{"a", "b", "c"} {
		checkScripts(t, clients, tag)
	}
	runPyScripting(t, n1.Opts.Port, n2.Opts.Port, n3.Opts.Port)

	t.Run("keys", func(t *testing.T) {
		// Declared keys in two partitions: CROSSSLOT, as Redis Cluster.
		k1, k2 := keysInTwoPartitions(t, c, n1)
		err := clients[0].Eval(ctx, "return 1", []string{k1, k2}).Err()
		if err == nil || !strings.HasPrefix(err.Error(), "CROSSSLOT") {
			t.Errorf("EVAL on keys of two partitions: %v", err)
		}
		// A key outside the declared keys' partition.
		err = clients[1].Eval(ctx, "return redis.call('set', ARGV[1], 'x')", []string{k1}, k2).Err()
		if err == nil || !strings.Contains(err.Error(), "Script attempted to access a non local key in a cluster node") {
			t.Errorf("script touching an undeclared key of another partition: %v", err)
		}
		// No declared keys: only keys this node coordinates.
		far := keyCoordinatedElsewhere(t, c, n1)
		err = clients[0].Eval(ctx, "return redis.call('get', ARGV[1])", nil, far).Err()
		if err == nil || !strings.Contains(err.Error(), "non local key") {
			t.Errorf("keyless script reading a key coordinated elsewhere: %v", err)
		}
	})

	t.Run("catch up", func(t *testing.T) {
		n3.Stop(t)
		if err := clients[0].FunctionDelete(ctx, "classic").Err(); err != nil {
			t.Fatal(err)
		}
		lib := "#!lua name=later\nredis.register_function('later_fn', function() return 'later' end)"
		if err := clients[1].FunctionLoad(ctx, lib).Err(); err != nil {
			t.Fatal(err)
		}
		n3.Restart(t)
		n3.WaitReady(t, readyTimeout)
		c.WaitAlive(t, formTimeout, c.Nodes...)
		cl := n3.Client(t, 2)
		waitFunction(t, cl, "later_fn", true)
		waitFunction(t, cl, "incrby_fn", false)
	})
}

// waitFunction waits until FCALL of name on c finds it (or, with !exists,
// answers "Function not found").
func waitFunction(t *testing.T, c *redis.Client, name string, exists bool) {
	t.Helper()
	Eventually(t, 30*time.Second, fmt.Sprintf("function %s exists=%v on %s", name, exists, c.Options().Addr), func() error {
		list, err := c.FunctionList(context.Background(), redis.FunctionListQuery{}).Result()
		if err != nil {
			return err
		}
		found := false
		for _, lib := range list {
			for _, f := range lib.Functions {
				found = found || f.Name == name
			}
		}
		if found != exists {
			return fmt.Errorf("FUNCTION LIST: %v", list)
		}
		return nil
	})
}

// keysInTwoPartitions returns two keys that fall in different partitions.
func keysInTwoPartitions(t *testing.T, c *Cluster, n *Node) (string, string) {
	t.Helper()
	first, err := c.Locate(n, "sk0")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 1000; i++ {
		k := fmt.Sprintf("sk%d", i)
		loc, err := c.Locate(n, k)
		if err != nil {
			t.Fatal(err)
		}
		if loc.Partition != first.Partition {
			return "sk0", k
		}
	}
	t.Fatal("no two keys in different partitions")
	return "", ""
}

// keyCoordinatedElsewhere returns a key whose coordinator is not n.
func keyCoordinatedElsewhere(t *testing.T, c *Cluster, n *Node) string {
	t.Helper()
	for i := range 1000 {
		k := fmt.Sprintf("far%d", i)
		loc, err := c.Locate(n, k)
		if err != nil {
			t.Fatal(err)
		}
		if len(loc.Replicas) > 0 && loc.Replicas[0] != n.Opts.Name {
			return k
		}
	}
	t.Fatal("every key is coordinated by " + n.Opts.Name)
	return ""
}
